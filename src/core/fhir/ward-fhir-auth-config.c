/* ward-fhir-auth-config.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-fhir-auth"

#include "config.h"

#include "ward-fhir-auth-config.h"
#include "ward-secret.h"

const char *
ward_fhir_auth_config_mode (const WardPipelineConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  if (config->fhir_auth != NULL)
    return config->fhir_auth;
  return config->fhir_client_id != NULL ? "smart"
         : config->fhir_token_file != NULL ? "bearer" : "none";
}

WardFhirAuth *
ward_fhir_auth_new_for_config (const WardPipelineConfig  *config,
                               char                     **bearer_token,
                               GError                   **error)
{
  const char *mode;

  g_return_val_if_fail (config != NULL, NULL);

  if (bearer_token != NULL)
    *bearer_token = NULL;
  mode = ward_fhir_auth_config_mode (config);

  if (g_strcmp0 (mode, "none") == 0)
    return ward_fhir_auth_new_none ();

  if (g_strcmp0 (mode, "bearer") == 0)
    {
      g_autofree char *token = NULL;
      WardFhirAuth *auth;

      if (config->fhir_token_file == NULL)
        {
          g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                               "--fhir-auth=bearer needs --fhir-token-file");
          return NULL;
        }
      /* A file, or keyring: (the token stored for this server's URL). */
      if (!ward_secret_read (config->fhir_token_file, WARD_SECRET_KIND_FHIR_TOKEN,
                             config->fhir_url, &token, error))
        return NULL;
      auth = ward_fhir_auth_new_bearer (token);
      if (bearer_token != NULL)
        *bearer_token = g_steal_pointer (&token);
      return auth;
    }

  if (g_strcmp0 (mode, "smart") == 0)
    {
      if (config->fhir_client_id == NULL || config->fhir_private_key == NULL)
        {
          g_set_error_literal (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
                               "--fhir-auth=smart needs --fhir-client-id and --fhir-private-key");
          return NULL;
        }
      return ward_fhir_auth_new_smart (config->fhir_url, config->fhir_client_id,
                                       config->fhir_private_key, NULL, NULL, error);
    }

  g_set_error (error, WARD_PIPELINE_ERROR, WARD_PIPELINE_ERROR_FAILED,
               "Unknown --fhir-auth %s: use none, bearer or smart", mode);
  return NULL;
}
