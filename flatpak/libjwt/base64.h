/* base64.h: the two base64 functions libjwt 1.17 calls, for Debian's
 * repack of it, which leaves out libjwt's own base64.c and base64.h.
 * Written for Wardwatch's Flatpak over OpenSSL, which libjwt links anyway.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: MPL-2.0
 */

#pragma once

/* Writes the base64 of @len bytes of @src and a NUL to @dst (room for
 * 4 * ((@len + 2) / 3) + 1 bytes); returns the length written, NUL
 * included, as libjwt expects.
 */
int jwt_Base64encode (char *dst, const char *src, int len);

/* Decodes the NUL-terminated, padded base64 @src into @dst (room for
 * strlen (@src) bytes) and NUL-terminates it; returns the number of bytes
 * decoded, 0 when @src is not base64.
 */
int jwt_Base64decode (char *dst, const char *src);
