/* ward-device-source.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* WardDeviceSource is what every device source implements (MQTT, MLLP, and the
 * next one): start, stop, and a status for the UI.  A source hands what
 * it receives to its WardSink (ward-sink.h), never to the pipeline, and
 * acknowledges to its sender only after the sink says the message is
 * committed.
 */
typedef struct
{
  char     *name;          /* "mqtt", "mllp"... */
  gboolean  running;       /* started and not stopped */
  gboolean  connected;     /* to its broker / has a listening socket */
  guint64   received;      /* messages received */
  guint64   committed;     /* of received: committed by the sink */
  guint64   duplicates;    /* of committed: resends recognised and stored once */
  guint64   failed;        /* not committed (store failed) or rejected before
                            * they became messages (framing) */
  char     *last_error;    /* NULL if none; no payloads, no secrets */
  char     *detail;        /* a short line, e.g. "listening on 127.0.0.1:2575,
                            * 3 monitors"; NULL if none */
} WardDeviceSourceStatus;

void ward_device_source_status_clear (WardDeviceSourceStatus *status);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardDeviceSourceStatus, ward_device_source_status_clear)

#define WARD_TYPE_DEVICE_SOURCE (ward_device_source_get_type ())
G_DECLARE_INTERFACE (WardDeviceSource, ward_device_source, WARD, DEVICE_SOURCE, GObject)

struct _WardDeviceSourceInterface
{
  GTypeInterface parent_iface;

  /* Starts receiving on the caller's thread-default main context.  An
   * unreachable peer is not an error (the source keeps trying and says so
   * in its status); a configuration that cannot work is.
   */
  gboolean (*start)      (WardDeviceSource        *self,
                          GError           **error);
  /* Stops receiving; what was handed to the sink is still committed.
   * The source may be started again.
   */
  void     (*stop)       (WardDeviceSource        *self);
  /* Fills status (zeroed by ward_device_source_get_status()).  Call it
   * on the thread that started the source, unless the source says
   * otherwise (MQTT's may be read from any thread).
   */
  void     (*get_status) (WardDeviceSource        *self,
                          WardDeviceSourceStatus  *status);
};

gboolean ward_device_source_start      (WardDeviceSource        *self,
                                 GError           **error);
void     ward_device_source_stop       (WardDeviceSource        *self);
void     ward_device_source_get_status (WardDeviceSource        *self,
                                 WardDeviceSourceStatus  *status);

G_END_DECLS
