/* ward-mqtt-source.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "ward-pipeline.h"
#include "ward-sink.h"

G_BEGIN_DECLS

/* WardMqttSource subscribes to device topics on an MQTT 3.1.1 broker and
 * hands every message to the pipeline's raw archive.
 *
 * Delivery.  Subscriptions are QoS 1 in a persistent session: a fixed
 * client id, clean_session false, and the subscriptions made again in
 * every connect callback.  While Wardwatch is stopped or disconnected the
 * broker keeps the session's QoS 1 messages and delivers them at the next
 * connection.  The broker must be configured for it:
 *
 *   persistence true              so queued messages survive a broker restart
 *   max_queued_messages 100000    the default of 1000 silently DROPS messages
 *                                 for a slow or absent persistent subscriber
 *   max_queued_bytes 0            (or large enough for the same reason)
 *
 * and, for throughput, max_inflight_messages above its default of 20.
 *
 * Acknowledged means committed.  libmosquitto acknowledges a QoS 1 message
 * (PUBACK) by itself: it queues the PUBACK as it reads the message,
 * whatever the callback does.  The source therefore drives the library
 * itself instead of mosquitto_loop(): in threaded mode
 * (mosquitto_threaded_set()) a queued packet is written only by
 * mosquitto_loop_write(), and the loop thread calls that only after the
 * messages read so far are committed.  Each turn reads what the socket
 * holds (a batch, at most BATCH_MAX_MESSAGES), commits the batch to the
 * raw archive in one transaction (ward_sink_commit_batch()), and
 * only then writes the queued PUBACKs; all of it in one function,
 * commit_then_acknowledge(), the source's durability point.  If the
 * commit fails (disk full, file removed) the batch is counted as failed,
 * logged without payloads, and the socket is shut down instead of
 * written: none of its PUBACKs is sent, and the broker redelivers the
 * batch after the reconnection (with backoff).  test-mqtt-sigkill kills
 * Wardwatch during a stream and counts what the store holds.
 *
 * QoS 1 is at least once: a batch committed just before a kill or a
 * network failure, whose PUBACKs had not reached the broker, is delivered
 * again.  Such a copy (same device, same MQTT message id, same payload
 * digest, among the archive's recent rows: ward-store-archive.h) is
 * archived marked as a duplicate, counted, and not mapped again.
 *
 * Retained messages are not archived: a broker re-sends its retained copy
 * at every SUBSCRIBE (so at every reconnection), and a live message is
 * delivered with the retain flag cleared.  They are counted as skipped.
 *
 * Topics and device ids.  Each topic filter may hold one {deviceId}
 * placeholder as a whole level; it is subscribed as "+" and the level it
 * matches is the message's device id.  The default filter is the Azure IoT
 * Hub device topic, "devices/{deviceId}/messages/events/#".  For a filter
 * without a placeholder, a topic of the form "devices/<id>/..." gives <id>
 * (the IoT Hub convention); any other topic gives no device id, and the
 * device mapping takes it from the payload.  A shared subscription
 * ("$share/<group>/<filter>", several Wardwatch instances sharing one
 * ward's devices) follows the same rules for the part after the group.
 *
 * Reconnection.  The loop thread reconnects after any failure (refused,
 * unreachable, DNS, TLS, protocol), waiting reconnect_delay_min seconds,
 * doubling after each failure up to reconnect_delay_max, and back to the
 * minimum after a successful CONNACK.  It does not use
 * mosquitto_loop_start(): the loop of mosquitto_loop_forever() stops for
 * good after a TLS, protocol, DNS (in the loop) or authentication error,
 * and a ward's device feed must keep retrying.
 *
 * Status.  The counters and the connection state can be read from any
 * thread; the properties are notified on the thread-default main context
 * of the caller of ward_mqtt_source_start(), at most one pending
 * notification at a time.
 */

#define WARD_MQTT_SOURCE_ERROR (ward_mqtt_source_error_quark ())

typedef enum
{
  WARD_MQTT_SOURCE_ERROR_INVALID_URL,
  WARD_MQTT_SOURCE_ERROR_INVALID_TOPIC,
  WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
  WARD_MQTT_SOURCE_ERROR_TLS,
  WARD_MQTT_SOURCE_ERROR_FAILED,
} WardMqttSourceError;

#define WARD_MQTT_DEFAULT_TOPIC "devices/{deviceId}/messages/events/#"
#define WARD_MQTT_DEVICE_ID_PLACEHOLDER "{deviceId}"

typedef struct
{
  char      *url;                  /* mqtt://host[:1883] or mqtts://host[:8883] */
  char      *client_id;            /* NULL: the sink's instance id
                                    * (ward_sink_dup_instance_id()), stable across
                                    * restarts */
  char     **topics;               /* NULL: WARD_MQTT_DEFAULT_TOPIC */

  /* TLS (mqtts): the server certificate is always verified, against
   * ca_file or ca_path if given, else the system's CAs.  A client
   * certificate needs both cert_file and key_file (unencrypted key).
   */
  char      *ca_file;
  char      *ca_path;
  char      *cert_file;
  char      *key_file;

  /* The password comes from the keyring, never from plain configuration;
   * it is never logged and is wiped from memory when the config is cleared.
   */
  char      *username;
  char      *password;

  guint      keepalive;            /* seconds, 30 */
  guint      max_inflight;         /* 100; 0 (unlimited) is refused: it is quadratic */
  guint      reconnect_delay_min;  /* seconds, 1 */
  guint      reconnect_delay_max;  /* seconds, 30 */
} WardMqttSourceConfig;

/* A consistent copy of the status, readable from any thread. */
typedef struct
{
  gboolean   connected;
  guint64    received;             /* message callbacks */
  guint64    archived;             /* committed to the raw archive */
  guint64    failed;               /* the archive failed (not acknowledged, redelivered) */
  guint64    skipped;              /* retained copies, not archived */
  guint64    duplicates;           /* of archived: QoS 1 redeliveries of messages
                                    * already committed, archived marked, not mapped */
  guint      connects;             /* successful CONNACKs since start */
  char      *last_error;           /* NULL if none; no payloads, no secrets */
} WardMqttSourceStatus;

void      ward_mqtt_source_config_init   (WardMqttSourceConfig       *config);
void      ward_mqtt_source_config_clear  (WardMqttSourceConfig       *config);
void      ward_mqtt_source_config_copy   (const WardMqttSourceConfig *src,
                                          WardMqttSourceConfig       *dest);
void      ward_mqtt_source_status_clear  (WardMqttSourceStatus       *status);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardMqttSourceConfig, ward_mqtt_source_config_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardMqttSourceStatus, ward_mqtt_source_status_clear)

#define WARD_TYPE_MQTT_SOURCE (ward_mqtt_source_get_type ())
G_DECLARE_FINAL_TYPE (WardMqttSource, ward_mqtt_source, WARD, MQTT_SOURCE, GObject)

GQuark          ward_mqtt_source_error_quark         (void);

/* Checks a URL; host and port may be NULL.  IPv6 literals in brackets. */
gboolean        ward_mqtt_source_parse_url           (const char                  *url,
                                                      char                       **host,
                                                      int                         *port,
                                                      gboolean                    *tls,
                                                      GError                     **error);
/* The device id a topic gives under the rules above, or NULL. */
char           *ward_mqtt_source_device_id_for_topic (const char * const          *filters,
                                                      const char                  *topic);

/* A WardDeviceSource (ward-device-source.h) handing its batches to sink.  Without a
 * client id in config, it is the sink's instance id.
 */
WardMqttSource *ward_mqtt_source_new_for_sink        (WardSink                    *sink,
                                                      const WardMqttSourceConfig  *config);
/* The same with a sink of its own on pipeline, source name "mqtt". */
WardMqttSource *ward_mqtt_source_new                 (WardPipeline                *pipeline,
                                                      const WardMqttSourceConfig  *config);

/* Checks the configuration and starts the loop thread.  It returns TRUE
 * when the broker is unreachable: the source keeps trying, and says so in
 * its status.  Call from the thread whose main context gets the status.
 */
gboolean        ward_mqtt_source_start               (WardMqttSource              *self,
                                                      GError                     **error);
/* Disconnects cleanly (the broker keeps the session) and joins the loop
 * thread.  The source can be started again.
 */
void            ward_mqtt_source_stop                (WardMqttSource              *self);

const char     *ward_mqtt_source_get_client_id       (WardMqttSource              *self);
gboolean        ward_mqtt_source_get_connected       (WardMqttSource              *self);
guint64         ward_mqtt_source_get_n_received      (WardMqttSource              *self);
guint64         ward_mqtt_source_get_n_archived      (WardMqttSource              *self);
guint64         ward_mqtt_source_get_n_failed        (WardMqttSource              *self);
/* Free with g_free(). */
char           *ward_mqtt_source_dup_last_error      (WardMqttSource              *self);
void            ward_mqtt_source_get_status          (WardMqttSource              *self,
                                                      WardMqttSourceStatus        *status);

G_END_DECLS
