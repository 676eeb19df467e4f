/* ward-settings-config.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"
#include "ward-sources.h"

G_BEGIN_DECLS

/* The saved configuration (the preferences window's GSettings keys, the
 * "Data sources and retention" block of the schema) turned into the
 * pipeline's configuration, and the checks the window and the merge
 * share.  No GTK here: the headless runner and main.c use it too.
 *
 * Command-line options win over settings, one concern at a time: an
 * --mqtt-url takes none of the saved MQTT keys, an --mllp-port none of the
 * MLLP ones, a --fhir-url none of the FHIR ones; --device-mapping,
 * --policy and each retention option replace their own key.  A --demo run
 * takes no saved data source and no saved mapping (its devices are
 * simulated, in their own format); retention and policy still apply.
 */

#define WARD_SETTINGS_CONFIG_ERROR (ward_settings_config_error_quark ())

typedef enum
{
  WARD_SETTINGS_CONFIG_ERROR_INVALID,
  WARD_SETTINGS_CONFIG_ERROR_SECRET,
} WardSettingsConfigError;

/* What main.c leaves in a retention field when the option was not given
 * (not -1, so that --raw-retention-days=-1 is still refused).
 */
#define WARD_SETTINGS_CONFIG_UNSET_DAYS (-G_MAXDOUBLE)

GQuark      ward_settings_config_error_quark   (void);

/* The settings of the schema, or NULL when it is not installed (a build
 * run without GSETTINGS_SCHEMA_DIR).
 */
GSettings  *ward_settings_config_new_settings  (void);

/* Checks, each with a message fit for the window. */
gboolean    ward_settings_config_check_mqtt_url (const char   *url,
                                                 GError      **error);
gboolean    ward_settings_config_check_fhir_url (const char   *url,
                                                 GError      **error);
gboolean    ward_settings_config_check_port     (int           port,
                                                 GError      **error);
/* An address to bind to: an IP literal or a host name. */
gboolean    ward_settings_config_check_address  (const char   *address,
                                                 GError      **error);
/* A file that exists and can be read. */
gboolean    ward_settings_config_check_file     (const char   *path,
                                                 GError      **error);
/* Topic filters, one or more, comma-separated; each non-empty. */
gboolean    ward_settings_config_check_topics   (const char   *text,
                                                 char       ***topics,
                                                 GError      **error);
/* A SMART Backend Services private key file as the FHIR sync loads it:
 * readable, only by the user, an unencrypted PEM RSA key (RS384) or EC
 * P-384 key (ES384).  *algorithm (may be NULL) gets "RS384" or "ES384".
 */
gboolean    ward_settings_config_check_private_key (const char  *path,
                                                    char       **algorithm,
                                                    GError     **error);
/* "none", "bearer" or "smart". */
gboolean    ward_settings_config_check_fhir_auth (const char  *mode,
                                                 GError      **error);

/* Merges settings (may be NULL: the built-in defaults) under what the
 * command line put in config and sources.  Strings left NULL, a
 * retention left at WARD_SETTINGS_CONFIG_UNSET_DAYS and an mllp_port of
 * -1 mean "not given".  A saved secret that must come from the keyring
 * is named for the pipeline ("keyring:") or, for the MQTT password, read
 * now; a keyring that cannot be read is an error, since starting without
 * the password would only fail later and less clearly.
 */
gboolean    ward_settings_config_merge         (GSettings           *settings,
                                                WardPipelineConfig  *config,
                                                WardSourcesConfig   *sources,
                                                GError             **error);

/* The ward policy file the preferences write: wardwatch/ward-policy.json
 * in the user's configuration folder (never the packaged default).
 */
char       *ward_settings_config_user_policy_path (void);

G_END_DECLS
