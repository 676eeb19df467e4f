/* base64.c: see base64.h.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: MPL-2.0
 */

#include <string.h>

#include <openssl/evp.h>

#include "base64.h"

int
jwt_Base64encode (char       *dst,
                  const char *src,
                  int         len)
{
  if (len < 0)
    return 0;

  /* EVP_EncodeBlock pads and NUL-terminates, and returns the length
   * without the NUL. */
  return EVP_EncodeBlock ((unsigned char *) dst, (const unsigned char *) src, len) + 1;
}

int
jwt_Base64decode (char       *dst,
                  const char *src)
{
  size_t len = strlen (src);
  int n;

  if (len == 0 || len % 4 != 0 || len > 0x7fffffff)
    return 0;

  /* EVP_DecodeBlock decodes whole quanta: the padding comes out as NUL
   * bytes, which do not count. */
  n = EVP_DecodeBlock ((unsigned char *) dst, (const unsigned char *) src, (int) len);
  if (n < 0)
    return 0;
  if (src[len - 1] == '=')
    n--;
  if (src[len - 2] == '=')
    n--;
  dst[n] = '\0';

  return n;
}
