/* ward-connection-check.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-mqtt-source.h"

G_BEGIN_DECLS

/* "Test connection" for the preferences: each really tries, off the
 * caller's thread or asynchronously, and finishes with a short sentence
 * saying what answered, or an error saying what failed.  Nothing is kept:
 * the MQTT check connects with a clean session under a client id of its
 * own (never the configured one, whose persistent session a running
 * Wardwatch owns) and disconnects at once.
 */

/* MQTT: connect to config's broker (URL, user name, password, CA file)
 * and wait for the broker's CONNACK, at most timeout_sec.
 */
void   ward_connection_check_mqtt_async  (const WardMqttSourceConfig *config,
                                          guint                       timeout_sec,
                                          GCancellable               *cancellable,
                                          GAsyncReadyCallback         callback,
                                          gpointer                    user_data);
/* FHIR: GET [base]/metadata, expecting a FHIR R4 CapabilityStatement;
 * with a bearer token (NULL: none), then a search that needs it
 * (Patient?_summary=count), since servers answer metadata to anyone.
 */
void   ward_connection_check_fhir_async  (const char                 *base_url,
                                          const char                 *token,
                                          guint                       timeout_sec,
                                          GCancellable               *cancellable,
                                          GAsyncReadyCallback         callback,
                                          gpointer                    user_data);
/* MLLP: can address:port be bound (and so listened on) now? */
void   ward_connection_check_mllp_async  (const char                 *address,
                                          int                         port,
                                          GCancellable               *cancellable,
                                          GAsyncReadyCallback         callback,
                                          gpointer                    user_data);
/* Any of the three: the sentence to show, or NULL with error. */
char  *ward_connection_check_finish      (GAsyncResult               *result,
                                          GError                    **error);

G_END_DECLS
