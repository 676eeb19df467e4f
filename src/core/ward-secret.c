/* ward-secret.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-secret"

#include "config.h"

#include "ward-secret.h"

#include "ward-types.h"

#include <libsecret/secret.h>
#include <string.h>

G_DEFINE_QUARK (ward-secret-error-quark, ward_secret_error)

static const SecretSchema *
get_schema (void)
{
  static const SecretSchema schema = {
    "io.github.wardwatch.Wardwatch.Secret", SECRET_SCHEMA_NONE,
    {
      { "kind", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "key", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static gboolean
check_args (const char  *kind,
            const char  *key,
            GError     **error)
{
  if (!ward_secret_kind_is_valid (kind))
    {
      g_set_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_INVALID,
                   "Unknown kind of secret %s: use %s, %s or %s", kind,
                   WARD_SECRET_KIND_FHIR_TOKEN, WARD_SECRET_KIND_FHIR_PRIVATE_KEY,
                   WARD_SECRET_KIND_MQTT_PASSWORD);
      return FALSE;
    }
  if (key == NULL || key[0] == '\0')
    {
      g_set_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_INVALID,
                   "A %s in the keyring needs a key (its URL or client id)", kind);
      return FALSE;
    }
  return TRUE;
}

/* libsecret's errors name D-Bus details; say what it means here. */
static void
set_unavailable (GError     **error,
                 const char  *what,
                 GError      *cause)
{
  g_set_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_UNAVAILABLE,
               "Cannot %s the desktop keyring: %s", what, cause->message);
}

gboolean
ward_secret_kind_is_valid (const char *kind)
{
  return g_strcmp0 (kind, WARD_SECRET_KIND_FHIR_TOKEN) == 0 ||
         g_strcmp0 (kind, WARD_SECRET_KIND_FHIR_PRIVATE_KEY) == 0 ||
         g_strcmp0 (kind, WARD_SECRET_KIND_MQTT_PASSWORD) == 0;
}

gboolean
ward_secret_is_keyring (const char *source)
{
  return source != NULL && g_str_has_prefix (source, WARD_SECRET_KEYRING_PREFIX);
}

char *
ward_secret_lookup (const char  *kind,
                    const char  *key,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *secret;

  if (!check_args (kind, key, error))
    return NULL;

  secret = secret_password_lookup_sync (get_schema (), NULL, &local_error,
                                        "kind", kind, "key", key, NULL);
  if (local_error != NULL)
    {
      set_unavailable (error, "read", local_error);
      return NULL;
    }
  if (secret == NULL)
    {
      g_set_error (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_NOT_FOUND,
                   "No %s for %s in the keyring (wardwatch-cli secret store %s %s)",
                   kind, key, kind, key);
      return NULL;
    }

  /* Into GLib's allocator, the libsecret copy wiped. */
  {
    char *copy = g_strdup (secret);

    secret_password_free (secret);
    return copy;
  }
}

gboolean
ward_secret_store (const char  *kind,
                   const char  *key,
                   const char  *secret,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *label = NULL;

  g_return_val_if_fail (secret != NULL, FALSE);

  if (!check_args (kind, key, error))
    return FALSE;
  if (secret[0] == '\0')
    {
      g_set_error_literal (error, WARD_SECRET_ERROR, WARD_SECRET_ERROR_INVALID,
                           "The secret is empty");
      return FALSE;
    }

  label = g_strdup_printf ("Wardwatch %s for %s", kind, key);
  if (!secret_password_store_sync (get_schema (), SECRET_COLLECTION_DEFAULT, label, secret, NULL,
                                   &local_error, "kind", kind, "key", key, NULL))
    {
      set_unavailable (error, "write to", local_error);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_secret_clear (const char  *kind,
                   const char  *key,
                   gboolean    *removed,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean done;

  if (!check_args (kind, key, error))
    return FALSE;

  done = secret_password_clear_sync (get_schema (), NULL, &local_error,
                                     "kind", kind, "key", key, NULL);
  if (local_error != NULL)
    {
      set_unavailable (error, "clear a secret in", local_error);
      return FALSE;
    }
  if (removed != NULL)
    *removed = done;
  return TRUE;
}

gboolean
ward_secret_read (const char  *source,
                  const char  *kind,
                  const char  *default_key,
                  char       **secret,
                  GError     **error)
{
  char *found;

  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (!ward_secret_is_keyring (source))
    return ward_read_secret_file (source, secret, error);

  source += strlen (WARD_SECRET_KEYRING_PREFIX);
  found = ward_secret_lookup (kind, source[0] != '\0' ? source : default_key, error);
  if (found == NULL)
    return FALSE;

  ward_secret_free (*secret);
  *secret = g_strdup (g_strstrip (found));
  ward_secret_free (found);
  return TRUE;
}

void
ward_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}
