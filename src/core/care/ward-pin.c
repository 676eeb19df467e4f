/* ward-pin.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pin"

#include "config.h"

#include "ward-pin.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/random.h>

#define PREFIX "pbkdf2-sha256"
#define SHA256_LENGTH 32
/* A line from someone else's tool may ask for more; beyond this, reading
 * a staff file would stall the board.
 */
#define MAX_ITERATIONS 10000000

G_DEFINE_QUARK (ward-pin-error-quark, ward_pin_error)

/* RFC 8018 section 5.2: T_i = U_1 ^ U_2 ^ ... ^ U_c with
 * U_1 = PRF (P, S || INT (i)) and U_j = PRF (P, U_{j-1}).  The keyed
 * HMAC is set up once and copied for each round, which saves hashing the
 * key's pads every time.
 */
void
ward_pbkdf2_hmac_sha256 (const guint8 *password,
                         gsize         password_length,
                         const guint8 *salt,
                         gsize         salt_length,
                         guint         iterations,
                         guint8       *out,
                         gsize         out_length)
{
  g_autoptr(GHmac) keyed = NULL;
  guint32 block = 1;

  g_return_if_fail (password != NULL || password_length == 0);
  g_return_if_fail (salt != NULL || salt_length == 0);
  g_return_if_fail (iterations > 0);
  g_return_if_fail (out != NULL);

  keyed = g_hmac_new (G_CHECKSUM_SHA256, password, password_length);

  while (out_length > 0)
    {
      guint8 u[SHA256_LENGTH];
      guint8 t[SHA256_LENGTH];
      guint8 counter[4] = { block >> 24, block >> 16, block >> 8, block };
      gsize digest_length = sizeof u;
      gsize n = MIN (out_length, (gsize) SHA256_LENGTH);
      GHmac *hmac;

      hmac = g_hmac_copy (keyed);
      g_hmac_update (hmac, salt, salt_length);
      g_hmac_update (hmac, counter, sizeof counter);
      g_hmac_get_digest (hmac, u, &digest_length);
      g_hmac_unref (hmac);
      memcpy (t, u, sizeof t);

      for (guint j = 1; j < iterations; j++)
        {
          digest_length = sizeof u;
          hmac = g_hmac_copy (keyed);
          g_hmac_update (hmac, u, sizeof u);
          g_hmac_get_digest (hmac, u, &digest_length);
          g_hmac_unref (hmac);
          for (guint k = 0; k < SHA256_LENGTH; k++)
            t[k] ^= u[k];
        }

      memcpy (out, t, n);
      out += n;
      out_length -= n;
      block++;
    }
}

gboolean
ward_pin_check_format (const char  *pin,
                       GError     **error)
{
  gsize length;

  g_return_val_if_fail (pin != NULL, FALSE);

  length = strlen (pin);
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isdigit (pin[i]))
      {
        g_set_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_WEAK,
                     "A PIN is made of digits only");
        return FALSE;
      }

  if (length < WARD_PIN_MIN_LENGTH || length > WARD_PIN_MAX_LENGTH)
    {
      g_set_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_WEAK,
                   "A PIN has %d to %d digits", WARD_PIN_MIN_LENGTH, WARD_PIN_MAX_LENGTH);
      return FALSE;
    }

  return TRUE;
}

char *
ward_pin_hash (const char  *pin,
               guint        iterations,
               GError     **error)
{
  guint8 salt[WARD_PIN_SALT_LENGTH];
  guint8 key[WARD_PIN_KEY_LENGTH];
  g_autofree char *salt_b64 = NULL;
  g_autofree char *key_b64 = NULL;

  g_return_val_if_fail (pin != NULL, NULL);

  if (!ward_pin_check_format (pin, error))
    return NULL;

  iterations = CLAMP (iterations, WARD_PIN_MIN_ITERATIONS, MAX_ITERATIONS);

  /* The kernel's random source, not GRand (a Mersenne twister whose
   * output can be predicted from what it gave before).
   */
  if (getrandom (salt, sizeof salt, 0) != (ssize_t) sizeof salt)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "No random salt: %s", g_strerror (saved_errno));
      return NULL;
    }

  ward_pbkdf2_hmac_sha256 ((const guint8 *) pin, strlen (pin), salt, sizeof salt, iterations,
                           key, sizeof key);
  salt_b64 = g_base64_encode (salt, sizeof salt);
  key_b64 = g_base64_encode (key, sizeof key);

  return g_strdup_printf (PREFIX "$%u$%s$%s", iterations, salt_b64, key_b64);
}

typedef struct
{
  guint   iterations;
  guint8 *salt;
  gsize   salt_length;
  guint8 *key;
  gsize   key_length;
} Decoded;

static void
decoded_clear (Decoded *decoded)
{
  g_clear_pointer (&decoded->salt, g_free);
  g_clear_pointer (&decoded->key, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Decoded, decoded_clear)

static gboolean
is_base64 (const char *text)
{
  if (text[0] == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;
  return strlen (text) % 4 == 0;
}

static gboolean
decode (const char  *encoded,
        Decoded     *decoded,
        GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (encoded, "$", -1);
  guint64 iterations;
  char *end = NULL;

  if (g_strv_length (parts) != 4 || strcmp (parts[0], PREFIX) != 0)
    {
      g_set_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_FORMAT,
                   "expected pbkdf2-sha256$ITERATIONS$SALT$HASH (make one with "
                   "wardwatch-cli staff hash-pin)");
      return FALSE;
    }

  iterations = g_ascii_strtoull (parts[1], &end, 10);
  if (parts[1][0] == '\0' || *end != '\0' || iterations < WARD_PIN_MIN_ITERATIONS ||
      iterations > MAX_ITERATIONS)
    {
      g_set_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_FORMAT,
                   "the iteration count must be %d to %d", WARD_PIN_MIN_ITERATIONS, MAX_ITERATIONS);
      return FALSE;
    }

  if (!is_base64 (parts[2]) || !is_base64 (parts[3]))
    {
      g_set_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_FORMAT,
                   "the salt and the hash must be base64");
      return FALSE;
    }

  decoded->iterations = (guint) iterations;
  decoded->salt = g_base64_decode (parts[2], &decoded->salt_length);
  decoded->key = g_base64_decode (parts[3], &decoded->key_length);
  if (decoded->salt_length < 8 || decoded->key_length < 16 || decoded->key_length > 64)
    {
      g_set_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_FORMAT,
                   "the salt must have at least 8 bytes and the hash 16 to 64");
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_pin_hash_is_valid (const char  *encoded,
                        GError     **error)
{
  g_auto(Decoded) decoded = { 0 };

  g_return_val_if_fail (encoded != NULL, FALSE);

  return decode (encoded, &decoded, error);
}

gboolean
ward_pin_verify (const char  *encoded,
                 const char  *pin,
                 gboolean    *matches,
                 GError     **error)
{
  g_auto(Decoded) decoded = { 0 };
  g_autofree guint8 *key = NULL;
  guint8 diff = 0;

  g_return_val_if_fail (encoded != NULL, FALSE);
  g_return_val_if_fail (pin != NULL, FALSE);
  g_return_val_if_fail (matches != NULL, FALSE);

  if (!decode (encoded, &decoded, error))
    return FALSE;

  key = g_malloc (decoded.key_length);
  ward_pbkdf2_hmac_sha256 ((const guint8 *) pin, strlen (pin), decoded.salt, decoded.salt_length,
                           decoded.iterations, key, decoded.key_length);

  /* Every byte is looked at, whichever differs first. */
  for (gsize i = 0; i < decoded.key_length; i++)
    diff |= key[i] ^ decoded.key[i];

  *matches = diff == 0;
  return TRUE;
}
