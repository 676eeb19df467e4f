/* ward-mqtt-source.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-mqtt-source"

#include "config.h"

#include "ward-mqtt-source.h"
#include "ward-mqtt-source-private.h"

#include "ward-log-limit.h"
#include "ward-sink.h"
#include "ward-device-source.h"

#include <mosquitto.h>

#include <glib-unix.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Threads.  The owner (the thread that calls start) creates and destroys
 * the mosquitto client and receives the notifications.  The loop thread
 * runs the network loop and every libmosquitto callback, and so every
 * archive commit.  They share the status and the stop flag under the lock.
 */

/* A message read and not yet committed. */
typedef struct
{
  char   *device_id;
  GBytes *payload;
  int     mid;
} BatchItem;

struct _WardMqttSource
{
  GObject               parent_instance;

  /* Owned; fixed while the loop thread runs. */
  WardSink             *sink;
  WardMqttSourceConfig  config;
  char                 *client_id;
  char                 *host;
  int                   port;
  gboolean              tls;
  GArray               *filters;          /* Filter */
  struct mosquitto     *mosq;
  GThread              *thread;
  GMainContext         *main_context;

  /* Loop thread only. */
  GThread              *loop_self;
  guint                 delay;            /* the next reconnection delay, seconds */
  gboolean              dropping;         /* the archive failed: this connection goes down */
  WardLogLimit         *log_limit;        /* the store's failures: a line a minute */
  gboolean              refused;          /* the CONNACK of this attempt refused us */
  char                 *lib_error;        /* libmosquitto's last logged error, or NULL */
  GArray               *batch;            /* BatchItem: read, not yet committed */
  gsize                 batch_bytes;

  /* Owner thread only: what the properties said at the last notification. */
  WardMqttSourceStatus  notified;

  /* Shared, under lock. */
  GMutex                lock;
  GCond                 cond;
  gboolean              stopping;
  WardMqttSourceStatus  status;
  guint                 pending_notify;
  guint                 inject_failures;
  int                   wake_fds[2];      /* a pipe: stop() wakes the loop's poll */
};

enum {
  PROP_0,
  PROP_CLIENT_ID,
  PROP_CONNECTED,
  PROP_N_RECEIVED,
  PROP_N_ARCHIVED,
  PROP_N_FAILED,
  PROP_N_SKIPPED,
  PROP_LAST_ERROR,
  N_PROPS
};

static void ward_mqtt_source_source_iface_init (WardDeviceSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WardMqttSource, ward_mqtt_source, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_DEVICE_SOURCE,
                                                      ward_mqtt_source_source_iface_init))

G_DEFINE_QUARK (ward-mqtt-source-error-quark, ward_mqtt_source_error)

static GParamSpec *properties[N_PROPS];

#define WARD_IS_MQTT_LOOP_THREAD(self) (g_thread_self () == (self)->loop_self)

#define SOURCE_NAME          "mqtt"
#define LOOP_TIMEOUT_MSEC    1000
/* A batch ends when the socket has nothing more to read, or at these
 * bounds: under load it is what arrived while the last one was being
 * committed.
 */
#define BATCH_MAX_MESSAGES   2000
#define BATCH_MAX_BYTES      (8 * 1024 * 1024)
#define MAX_READS_PER_WAKEUP 20000
#define DISCONNECT_WAIT_USEC (2 * G_USEC_PER_SEC)
#define NOTIFY_INTERVAL_MSEC 50

static void
ensure_library (void)
{
  static gsize initialized = 0;

  /* mosquitto_lib_init() is not thread-safe and must run once. */
  if (g_once_init_enter (&initialized))
    {
      mosquitto_lib_init ();
      g_once_init_leave (&initialized, 1);
    }
}

static void
batch_item_clear (BatchItem *item)
{
  g_clear_pointer (&item->device_id, g_free);
  g_clear_pointer (&item->payload, g_bytes_unref);
}

void
ward_mqtt_source_status_clear (WardMqttSourceStatus *status)
{
  g_return_if_fail (status != NULL);

  g_clear_pointer (&status->last_error, g_free);
}

static void
status_copy (const WardMqttSourceStatus *src,
             WardMqttSourceStatus       *dest)
{
  *dest = *src;
  dest->last_error = g_strdup (src->last_error);
}

/* Configuration */

static gboolean
check_config (WardMqttSource  *self,
              GError         **error)
{
  const WardMqttSourceConfig *c = &self->config;

  if (c->url == NULL)
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_URL,
                           "No broker URL");
      return FALSE;
    }

  g_clear_pointer (&self->host, g_free);
  if (!ward_mqtt_source_parse_url (c->url, &self->host, &self->port, &self->tls, error))
    return FALSE;

  g_clear_pointer (&self->filters, g_array_unref);
  self->filters = _ward_mqtt_parse_filters ((const char * const *) c->topics, error);
  if (self->filters == NULL)
    return FALSE;

  if (c->max_inflight == 0 || c->max_inflight > 65535)
    {
      /* 0 means unlimited to libmosquitto, and its queue is then quadratic. */
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                           "max_inflight must be between 1 and 65535");
      return FALSE;
    }

  if (c->reconnect_delay_min == 0 || c->reconnect_delay_max < c->reconnect_delay_min)
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                           "Reconnection delays: need 0 < minimum <= maximum");
      return FALSE;
    }

  if (c->keepalive < 5 || c->keepalive > 65535)
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                           "keepalive must be between 5 and 65535 seconds");
      return FALSE;
    }

  if (!self->tls && (c->ca_file || c->ca_path || c->cert_file || c->key_file))
    {
      /* Silently ignoring them would let a user believe the link is secure. */
      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                   "TLS files are configured but the URL is not mqtts://");
      return FALSE;
    }

  if ((c->cert_file == NULL) != (c->key_file == NULL))
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                           "A client certificate needs both the certificate and the key file");
      return FALSE;
    }

  if (c->password != NULL && c->username == NULL)
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                           "A password needs a user name");
      return FALSE;
    }

  if (!_ward_mqtt_check_file_option ("CA file", c->ca_file, FALSE, error) ||
      !_ward_mqtt_check_file_option ("CA folder", c->ca_path, TRUE, error) ||
      !_ward_mqtt_check_file_option ("Client certificate", c->cert_file, FALSE, error) ||
      !_ward_mqtt_check_file_option ("Client key", c->key_file, FALSE, error))
    return FALSE;

  if (strlen (self->client_id) == 0 || strlen (self->client_id) > 65535 ||
      !g_utf8_validate (self->client_id, -1, NULL))
    {
      g_set_error_literal (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
                           "Bad MQTT client id");
      return FALSE;
    }

  return TRUE;
}

/* Status and notifications */

static void
notify_changes (WardMqttSource *self)
{
  g_auto(WardMqttSourceStatus) now = { 0 };
  WardMqttSourceStatus *was = &self->notified;

  g_mutex_lock (&self->lock);
  status_copy (&self->status, &now);
  g_mutex_unlock (&self->lock);

  g_object_freeze_notify (G_OBJECT (self));
  if (now.connected != was->connected)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
  if (now.received != was->received)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_RECEIVED]);
  if (now.archived != was->archived)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ARCHIVED]);
  if (now.failed != was->failed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_FAILED]);
  if (now.skipped != was->skipped)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_SKIPPED]);
  if (g_strcmp0 (now.last_error, was->last_error) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);

  ward_mqtt_source_status_clear (was);
  status_copy (&now, was);
  g_object_thaw_notify (G_OBJECT (self));
}

static gboolean
notify_cb (gpointer data)
{
  WardMqttSource *self = data;

  g_mutex_lock (&self->lock);
  self->pending_notify = 0;
  g_mutex_unlock (&self->lock);

  notify_changes (self);

  return G_SOURCE_REMOVE;
}

/* Called with the lock held.  At most one pending notification, at most
 * every NOTIFY_INTERVAL_MSEC: thousands of messages a second must not
 * mean thousands of wake-ups of the UI.  The source holds no reference:
 * stop(), which dispose runs, removes it, and both run on the thread
 * that owns main_context.
 */
static void
schedule_notify_locked (WardMqttSource *self)
{
  GSource *source;

  if (self->pending_notify != 0 || self->main_context == NULL)
    return;

  source = g_timeout_source_new (NOTIFY_INTERVAL_MSEC);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, notify_cb, self, NULL);
  g_source_set_static_name (source, "[ward-mqtt-source-notify]");
  self->pending_notify = g_source_attach (source, self->main_context);
  g_source_unref (source);
}

static void
set_error_locked (WardMqttSource *self,
                  char           *message)
{
  g_free (self->status.last_error);
  self->status.last_error = message;
}

static void
set_connected (WardMqttSource *self,
               gboolean        connected,
               char           *error_message)
{
  g_mutex_lock (&self->lock);
  self->status.connected = connected;
  if (connected)
    self->status.connects++;
  if (error_message != NULL)
    set_error_locked (self, error_message);
  schedule_notify_locked (self);
  g_mutex_unlock (&self->lock);
}

static gboolean
is_stopping (WardMqttSource *self)
{
  gboolean stopping;

  g_mutex_lock (&self->lock);
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);

  return stopping;
}

/* libmosquitto callbacks, on the loop thread */

static void
connect_cb (struct mosquitto *mosq,
            void             *user_data,
            int               rc,
            int               flags)
{
  WardMqttSource *self = user_data;
  gboolean session_present = (flags & 1) != 0;
  int subscribe_rc;
  g_autofree char **subscriptions = NULL;
  guint connects;

  g_assert (WARD_IS_MQTT_LOOP_THREAD (self));

  if (rc != 0)
    {
      self->refused = TRUE;
      g_message ("MQTT broker %s:%d refused the connection: %s",
                 self->host, self->port, mosquitto_connack_string (rc));
      set_connected (self, FALSE, g_strdup_printf ("The broker refused the connection: %s",
                                                   mosquitto_connack_string (rc)));
      return;
    }

  self->delay = self->config.reconnect_delay_min;

  g_mutex_lock (&self->lock);
  connects = self->status.connects;
  g_mutex_unlock (&self->lock);

  /* Without our session the broker has not queued anything for us while
   * we were away: a broker without persistence that restarted, or one
   * that expired the session.
   */
  if (!session_present && connects > 0)
    g_message ("Connected to MQTT broker %s:%d as %s, but the broker had lost the session: "
               "messages sent while disconnected are lost (is broker persistence on?)",
               self->host, self->port, self->client_id);
  else
    g_message ("Connected to MQTT broker %s:%d as %s (%s session)", self->host, self->port,
               self->client_id, session_present ? "resumed" : "new");

  /* Every time: a broker that lost its persistent state (or never had
   * it) has forgotten our subscriptions.
   */
  subscriptions = g_new0 (char *, self->filters->len + 1);
  for (guint i = 0; i < self->filters->len; i++)
    subscriptions[i] = g_array_index (self->filters, Filter, i).subscription;

  subscribe_rc = mosquitto_subscribe_multiple (mosq, NULL, (int) self->filters->len,
                                               subscriptions, 1, 0, NULL);
  if (subscribe_rc != MOSQ_ERR_SUCCESS)
    {
      g_message ("Could not subscribe on MQTT broker %s:%d: %s",
                 self->host, self->port, mosquitto_strerror (subscribe_rc));
      set_connected (self, TRUE, g_strdup_printf ("Could not subscribe: %s",
                                                  mosquitto_strerror (subscribe_rc)));
      return;
    }

  g_mutex_lock (&self->lock);
  self->status.connected = TRUE;
  self->status.connects++;
  g_clear_pointer (&self->status.last_error, g_free);
  schedule_notify_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
subscribe_cb (struct mosquitto *mosq,
              void             *user_data,
              int               mid,
              int               qos_count,
              const int        *granted_qos)
{
  WardMqttSource *self = user_data;

  g_assert (WARD_IS_MQTT_LOOP_THREAD (self));

  for (int i = 0; i < qos_count && i < (int) self->filters->len; i++)
    {
      const char *subscription = g_array_index (self->filters, Filter, i).subscription;

      if (granted_qos[i] == 0x80)
        {
          g_message ("MQTT broker %s:%d refused the subscription to %s",
                     self->host, self->port, subscription);
          g_mutex_lock (&self->lock);
          set_error_locked (self, g_strdup_printf ("The broker refused the subscription to %s",
                                                   subscription));
          schedule_notify_locked (self);
          g_mutex_unlock (&self->lock);
        }
      else if (granted_qos[i] == 0)
        {
          /* QoS 0 has no acknowledgement: what is lost on the way is lost. */
          g_message ("MQTT broker %s:%d granted only QoS 0 for %s",
                     self->host, self->port, subscription);
        }
    }
}

/* libmosquitto says what went wrong with TLS (which certificate, which
 * check) only in its log: keep its last error line for the status.
 */
static void
log_cb (struct mosquitto *mosq,
        void             *user_data,
        int               level,
        const char       *text)
{
  WardMqttSource *self = user_data;

  if (level != MOSQ_LOG_ERR || text == NULL || !WARD_IS_MQTT_LOOP_THREAD (self))
    return;

  /* Each line of this attempt ("Unable to load CA certificates, check
   * cafile ...", then OpenSSL's reason), within reason.
   */
  if (self->lib_error == NULL)
    self->lib_error = g_strdup (text);
  else if (strlen (self->lib_error) < 1024)
    {
      g_autofree char *before = g_steal_pointer (&self->lib_error);

      self->lib_error = g_strconcat (before, "; ", text, NULL);
    }
}

static void
disconnect_cb (struct mosquitto *mosq,
               void             *user_data,
               int               rc)
{
  WardMqttSource *self = user_data;

  g_assert (WARD_IS_MQTT_LOOP_THREAD (self));

  set_connected (self, FALSE, NULL);
}

static void
message_cb (struct mosquitto                *mosq,
            void                            *user_data,
            const struct mosquitto_message  *message)
{
  WardMqttSource *self = user_data;
  BatchItem item = { 0 };

  g_assert (WARD_IS_MQTT_LOOP_THREAD (self));

  /* The connection is being shut down without acknowledgements: the
   * broker redelivers this one too.
   */
  if (self->dropping)
    return;

  if (message->retain)
    {
      g_mutex_lock (&self->lock);
      self->status.skipped++;
      schedule_notify_locked (self);
      g_mutex_unlock (&self->lock);
      return;
    }

  /* Only kept here: it is committed with its batch, and acknowledged
   * after that (commit_then_acknowledge()).
   */
  item.device_id = _ward_mqtt_device_id_for_topic (self->filters, message->topic);
  item.payload = g_bytes_new (message->payload ? message->payload : "",
                              message->payloadlen > 0 ? message->payloadlen : 0);
  item.mid = message->qos > 0 ? message->mid : 0;
  self->batch_bytes += g_bytes_get_size (item.payload);
  g_array_append_val (self->batch, item);

  g_mutex_lock (&self->lock);
  self->status.received++;
  schedule_notify_locked (self);
  g_mutex_unlock (&self->lock);
}

/* The durability point of the MQTT source: "these messages are
 * committed; now they may be acknowledged".
 *
 * libmosquitto queues the QoS 1 PUBACK of every message it reads (in
 * threaded mode a queued packet is only written by mosquitto_loop_write(),
 * never by the read).  The loop reads a batch, and only this function
 * writes: first the batch is committed to the raw archive in one
 * transaction, then the queued PUBACKs go out.  If the commit fails the
 * socket is shut down instead, so that none of them is ever sent and the
 * broker redelivers the whole batch after the reconnection.  Nothing else
 * calls mosquitto_loop_write() while a batch is pending.
 */
static gboolean
commit_then_acknowledge (WardMqttSource *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree WardArchiveItem *items = NULL;
  guint n = self->batch->len;
  guint n_duplicates = 0;
  gboolean inject = FALSE;
  gboolean ok;

  g_assert (WARD_IS_MQTT_LOOP_THREAD (self));

  if (n > 0)
    {
      items = g_new0 (WardArchiveItem, n);
      for (guint i = 0; i < n; i++)
        {
          const BatchItem *b = &g_array_index (self->batch, BatchItem, i);

          items[i].device_id = b->device_id;
          items[i].payload = g_bytes_get_data (b->payload, &items[i].length);
          items[i].mqtt_mid = b->mid;
        }

      g_mutex_lock (&self->lock);
      if (self->inject_failures > 0)
        {
          self->inject_failures--;
          inject = TRUE;
        }
      g_mutex_unlock (&self->lock);

      if (inject)
        {
          g_set_error_literal (&error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_FAILED,
                               "Injected archive failure");
          ok = FALSE;
        }
      else
        ok = ward_sink_commit_batch (self->sink, WARD_CONTENT_TYPE_JSON, items, n, &error);

      for (guint i = 0; ok && i < n; i++)
        {
          if (items[i].duplicate_of > 0)
            n_duplicates++;
        }

      g_array_set_size (self->batch, 0);
      self->batch_bytes = 0;

      g_mutex_lock (&self->lock);
      if (ok)
        {
          self->status.archived += n;
          self->status.duplicates += n_duplicates;
        }
      else
        {
          self->status.failed += n;
          set_error_locked (self, g_strdup_printf ("Archiving messages failed: %s",
                                                   error->message));
        }
      schedule_notify_locked (self);
      g_mutex_unlock (&self->lock);

      if (!ok)
        {
          /* No payload and no device id in the log: they may identify a patient. */
          ward_log_limited (self->log_limit, "archive-failed", G_LOG_LEVEL_MESSAGE,
                            "Archiving %u MQTT messages failed (%s); dropping the connection so "
                            "that the broker redelivers them", n, error->message);
          self->dropping = TRUE;
          shutdown (mosquitto_socket (self->mosq), SHUT_RDWR);
          return FALSE;
        }
    }

  /* A batch of this connection failed: its PUBACKs are still queued. */
  if (self->dropping)
    return FALSE;

  /* Committed (or nothing was pending): the queued packets may go. */
  if (mosquitto_socket (self->mosq) != -1 && mosquitto_want_write (self->mosq))
    {
      int rc = mosquitto_loop_write (self->mosq, 1);

      if (rc != MOSQ_ERR_SUCCESS)
        return FALSE;
    }

  return TRUE;
}

/* The loop thread */

/* Reads what the socket has (up to a batch), then commits and
 * acknowledges it.  Returns a libmosquitto code.
 */
static int
read_batch (WardMqttSource *self)
{
  int rc = MOSQ_ERR_SUCCESS;

  for (guint i = 0; i < MAX_READS_PER_WAKEUP; i++)
    {
      GPollFD fd = { -1, G_IO_IN, 0 };

      /* One packet, or with TLS also every packet the TLS layer holds. */
      rc = mosquitto_loop_read (self->mosq, 1);
      if (rc != MOSQ_ERR_SUCCESS || mosquitto_socket (self->mosq) == -1)
        break;

      if (self->batch->len >= BATCH_MAX_MESSAGES || self->batch_bytes >= BATCH_MAX_BYTES)
        {
          if (!commit_then_acknowledge (self))
            break;
        }

      /* libmosquitto reads no further than the packet it needs, so the
       * socket tells whether more is waiting; errno cannot (the library's
       * own wake-up pipe leaves EAGAIN in it).
       */
      fd.fd = mosquitto_socket (self->mosq);
      if (g_poll (&fd, 1, 0) <= 0 || (fd.revents & G_IO_IN) == 0)
        break;
    }

  /* Whatever was read is committed even when the connection broke:
   * the messages are good, and their redelivery is recognised.
   */
  if (!commit_then_acknowledge (self) && rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_socket (self->mosq) == -1 ? MOSQ_ERR_CONN_LOST : MOSQ_ERR_ERRNO;

  return rc;
}

/* Runs one connection until it fails or the source stops.  This replaces
 * mosquitto_loop(), whose write follows its read at once: here a commit
 * comes between them.
 */
static int
run_connection (WardMqttSource *self,
                gboolean       *was_connected,
                gboolean       *reported)
{
  GPollFD fds[2];

  fds[1].fd = self->wake_fds[0];
  fds[1].events = G_IO_IN;

  while (!is_stopping (self))
    {
      int sock = mosquitto_socket (self->mosq);
      int rc = MOSQ_ERR_SUCCESS;

      if (sock == -1)
        return MOSQ_ERR_NO_CONN;

      fds[0].fd = sock;
      fds[0].events = G_IO_IN | G_IO_HUP | G_IO_ERR;
      if (mosquitto_want_write (self->mosq))
        fds[0].events |= G_IO_OUT;
      fds[0].revents = 0;
      fds[1].revents = 0;

      if (g_poll (fds, G_N_ELEMENTS (fds), LOOP_TIMEOUT_MSEC) < 0 && errno != EINTR)
        return MOSQ_ERR_ERRNO;

      if (fds[1].revents != 0)
        {
          char drain[64];

          while (read (self->wake_fds[0], drain, sizeof drain) > 0)
            ;
        }

      if (fds[0].revents & (G_IO_IN | G_IO_HUP | G_IO_ERR))
        rc = read_batch (self);
      else if (fds[0].revents & G_IO_OUT)
        rc = commit_then_acknowledge (self) ? MOSQ_ERR_SUCCESS : MOSQ_ERR_CONN_LOST;
      if (rc != MOSQ_ERR_SUCCESS)
        return rc;

      /* Keepalive: a PINGREQ is queued, and written at the next turn. */
      rc = mosquitto_loop_misc (self->mosq);
      if (rc != MOSQ_ERR_SUCCESS)
        return rc;

      if (!*was_connected && ward_mqtt_source_get_connected (self))
        {
          *was_connected = TRUE;
          *reported = FALSE;
        }
    }

  return MOSQ_ERR_SUCCESS;
}

/* A clean DISCONNECT (the broker keeps the session and queues for us).
 * Nothing is read any more: a message read now would have its PUBACK
 * written with the DISCONNECT, before any commit.
 */
static void
disconnect_cleanly (WardMqttSource *self)
{
  gint64 deadline = g_get_monotonic_time () + DISCONNECT_WAIT_USEC;

  g_assert (self->batch->len == 0);

  if (mosquitto_socket (self->mosq) == -1)
    return;

  mosquitto_disconnect (self->mosq);
  while (mosquitto_socket (self->mosq) != -1 && mosquitto_want_write (self->mosq) &&
         g_get_monotonic_time () < deadline)
    {
      GPollFD fd = { mosquitto_socket (self->mosq), G_IO_OUT, 0 };

      if (g_poll (&fd, 1, 100) < 0 && errno != EINTR)
        break;
      if ((fd.revents & G_IO_OUT) && mosquitto_loop_write (self->mosq, 1) != MOSQ_ERR_SUCCESS)
        break;
    }
}

static void
wait_before_retry (WardMqttSource *self,
                   guint           seconds)
{
  gint64 end = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      if (!g_cond_wait_until (&self->cond, &self->lock, end))
        break;
    }
  g_mutex_unlock (&self->lock);
}

static char *
describe_failure (int rc,
                  int saved_errno)
{
  if (rc == MOSQ_ERR_ERRNO)
    return g_strdup (g_strerror (saved_errno));
  if (rc == MOSQ_ERR_CONN_LOST)
    return g_strdup ("The connection was lost");
  return g_strdup (mosquitto_strerror (rc));
}

static gpointer
loop_thread (gpointer data)
{
  WardMqttSource *self = data;
  gboolean was_connected = FALSE;
  gboolean reported = FALSE;

  self->loop_self = g_thread_self ();
  self->delay = self->config.reconnect_delay_min;

  while (!is_stopping (self))
    {
      g_autofree char *reason = NULL;
      int saved_errno;
      int rc;

      self->dropping = FALSE;
      self->refused = FALSE;
      g_clear_pointer (&self->lib_error, g_free);

      rc = mosquitto_connect_async (self->mosq, self->host, self->port,
                                    (int) self->config.keepalive);
      saved_errno = errno;

      if (rc == MOSQ_ERR_SUCCESS)
        {
          rc = run_connection (self, &was_connected, &reported);
          saved_errno = errno;
        }

      if (is_stopping (self))
        break;

      reason = describe_failure (rc, saved_errno);
      if (self->lib_error != NULL && (rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_TLS_HANDSHAKE))
        {
          /* "certificate verify failed", "Unable to load CA certificates ..." */
          g_free (reason);
          reason = g_strdup_printf ("TLS error: %s", self->lib_error);
        }
      g_clear_pointer (&self->lib_error, g_free);
      if (was_connected && self->dropping)
        {
          /* We dropped it ourselves, and said why (once a minute) above. */
          g_debug ("Dropped the connection to MQTT broker %s:%d after a failed archive",
                   self->host, self->port);
          was_connected = FALSE;
          reported = TRUE;
        }
      else if (was_connected)
        {
          g_message ("Lost the connection to MQTT broker %s:%d: %s; reconnecting",
                     self->host, self->port, reason);
          was_connected = FALSE;
          reported = TRUE;
        }
      else if (!reported && !self->refused)
        {
          g_message ("Cannot connect to MQTT broker %s:%d: %s; retrying every %u s at most",
                     self->host, self->port, reason, self->config.reconnect_delay_max);
          reported = TRUE;
        }
      else
        {
          g_debug ("MQTT connection attempt failed: %s; next in %u s", reason, self->delay);
        }

      if (self->refused)
        set_connected (self, FALSE, NULL);
      else
        set_connected (self, FALSE, g_steal_pointer (&reason));

      wait_before_retry (self, self->delay);
      self->delay = MIN (self->delay * 2, self->config.reconnect_delay_max);
    }

  disconnect_cleanly (self);

  set_connected (self, FALSE, NULL);
  return NULL;
}

/* GObject */

static void
ward_mqtt_source_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WardMqttSource *self = WARD_MQTT_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, ward_mqtt_source_get_connected (self));
      break;
    case PROP_N_RECEIVED:
      g_value_set_uint64 (value, ward_mqtt_source_get_n_received (self));
      break;
    case PROP_N_ARCHIVED:
      g_value_set_uint64 (value, ward_mqtt_source_get_n_archived (self));
      break;
    case PROP_N_FAILED:
      g_value_set_uint64 (value, ward_mqtt_source_get_n_failed (self));
      break;
    case PROP_N_SKIPPED:
      g_mutex_lock (&self->lock);
      g_value_set_uint64 (value, self->status.skipped);
      g_mutex_unlock (&self->lock);
      break;
    case PROP_LAST_ERROR:
      g_value_take_string (value, ward_mqtt_source_dup_last_error (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_mqtt_source_dispose (GObject *object)
{
  WardMqttSource *self = (WardMqttSource *) object;

  ward_mqtt_source_stop (self);
  g_clear_object (&self->sink);

  G_OBJECT_CLASS (ward_mqtt_source_parent_class)->dispose (object);
}

static void
ward_mqtt_source_finalize (GObject *object)
{
  WardMqttSource *self = (WardMqttSource *) object;

  ward_mqtt_source_config_clear (&self->config);
  g_clear_pointer (&self->client_id, g_free);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->filters, g_array_unref);
  g_clear_pointer (&self->main_context, g_main_context_unref);
  ward_mqtt_source_status_clear (&self->status);
  ward_mqtt_source_status_clear (&self->notified);
  g_clear_pointer (&self->batch, g_array_unref);
  g_clear_pointer (&self->lib_error, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (self->wake_fds); i++)
    {
      if (self->wake_fds[i] != -1)
        close (self->wake_fds[i]);
    }
  g_clear_pointer (&self->log_limit, ward_log_limit_free);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (ward_mqtt_source_parent_class)->finalize (object);
}

static void
ward_mqtt_source_class_init (WardMqttSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ward_mqtt_source_get_property;
  object_class->dispose = ward_mqtt_source_dispose;
  object_class->finalize = ward_mqtt_source_finalize;

  properties[PROP_CLIENT_ID] =
    g_param_spec_string ("client-id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_RECEIVED] =
    g_param_spec_uint64 ("n-received", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_ARCHIVED] =
    g_param_spec_uint64 ("n-archived", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_FAILED] =
    g_param_spec_uint64 ("n-failed", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_N_SKIPPED] =
    g_param_spec_uint64 ("n-skipped", NULL, NULL, 0, G_MAXUINT64, 0,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ward_mqtt_source_init (WardMqttSource *self)
{
  g_mutex_init (&self->lock);
  self->log_limit = ward_log_limit_new (0);
  g_cond_init (&self->cond);
  self->wake_fds[0] = self->wake_fds[1] = -1;
  if (!g_unix_open_pipe (self->wake_fds, FD_CLOEXEC, NULL) ||
      !g_unix_set_fd_nonblocking (self->wake_fds[0], TRUE, NULL) ||
      !g_unix_set_fd_nonblocking (self->wake_fds[1], TRUE, NULL))
    g_error ("Cannot create a pipe: %s", g_strerror (errno));
  self->batch = g_array_new (FALSE, TRUE, sizeof (BatchItem));
  g_array_set_clear_func (self->batch, (GDestroyNotify) batch_item_clear);
}

/* Public API */

WardMqttSource *
ward_mqtt_source_new_for_sink (WardSink                   *sink,
                               const WardMqttSourceConfig *config)
{
  WardMqttSource *self;

  g_return_val_if_fail (WARD_IS_SINK (sink), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (WARD_TYPE_MQTT_SOURCE, NULL);
  self->sink = g_object_ref (sink);
  ward_mqtt_source_config_copy (config, &self->config);
  self->client_id = config->client_id != NULL ? g_strdup (config->client_id)
                                              : ward_sink_dup_instance_id (sink);

  return self;
}

WardMqttSource *
ward_mqtt_source_new (WardPipeline               *pipeline,
                      const WardMqttSourceConfig *config)
{
  g_autoptr(WardSink) sink = NULL;

  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);

  sink = ward_sink_new (pipeline, SOURCE_NAME);
  return ward_mqtt_source_new_for_sink (sink, config);
}

gboolean
ward_mqtt_source_start (WardMqttSource  *self,
                        GError         **error)
{
  const WardMqttSourceConfig *c;
  int rc;

  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  c = &self->config;
  if (!check_config (self, error))
    return FALSE;

  ensure_library ();

  /* clean_session false: the persistent session (see the header). */
  self->mosq = mosquitto_new (self->client_id, false, self);
  if (self->mosq == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_FAILED,
                   "Cannot create the MQTT client: %s", g_strerror (saved_errno));
      return FALSE;
    }

  /* Our own thread drives the loop; this makes libmosquitto lock. */
  mosquitto_threaded_set (self->mosq, true);
  mosquitto_int_option (self->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set (self->mosq, c->max_inflight);

  if (c->username != NULL)
    {
      rc = mosquitto_username_pw_set (self->mosq, c->username, c->password);
      if (rc != MOSQ_ERR_SUCCESS)
        goto failed_config;
    }

  if (self->tls)
    {
      g_autofree char *ca_file = g_strdup (c->ca_file);
      g_autofree char *ca_path = g_strdup (c->ca_path);
      g_autofree char *origin = NULL;

      /* Verification is never optional: peer certificate and host name,
       * against the configured CAs or else the system's.
       */
      if (ca_file == NULL && ca_path == NULL &&
          !_ward_mqtt_find_system_cas (&ca_file, &ca_path, &origin, error))
        {
          g_clear_pointer (&self->mosq, mosquitto_destroy);
          return FALSE;
        }

      rc = mosquitto_tls_set (self->mosq, ca_file, ca_path, c->cert_file, c->key_file, NULL);
      if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_opts_set (self->mosq, 1, NULL, NULL);
      if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_tls_insecure_set (self->mosq, false);
      if (rc != MOSQ_ERR_SUCCESS)
        {
          /* The library checks that it can open the CA file. */
          g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_TLS,
                       "TLS setup failed with the CA %s “%s”%s%s%s: %s",
                       ca_file ? "file" : "folder", ca_file ? ca_file : ca_path,
                       origin ? " (from " : "", origin ? origin : "", origin ? ")" : "",
                       mosquitto_strerror (rc));
          g_clear_pointer (&self->mosq, mosquitto_destroy);
          return FALSE;
        }
      g_debug ("TLS: trusting the CAs of %s%s%s", ca_file ? ca_file : ca_path,
               origin ? " from " : "", origin ? origin : "");
    }

  mosquitto_log_callback_set (self->mosq, log_cb);

  mosquitto_connect_with_flags_callback_set (self->mosq, connect_cb);
  mosquitto_disconnect_callback_set (self->mosq, disconnect_cb);
  mosquitto_subscribe_callback_set (self->mosq, subscribe_cb);
  mosquitto_message_callback_set (self->mosq, message_cb);

  g_clear_pointer (&self->main_context, g_main_context_unref);
  self->main_context = g_main_context_ref_thread_default ();

  g_mutex_lock (&self->lock);
  self->stopping = FALSE;
  ward_mqtt_source_status_clear (&self->status);
  memset (&self->status, 0, sizeof self->status);
  g_mutex_unlock (&self->lock);

  self->thread = g_thread_try_new ("ward-mqtt", loop_thread, self, error);
  if (self->thread == NULL)
    {
      g_clear_pointer (&self->mosq, mosquitto_destroy);
      return FALSE;
    }

  return TRUE;

failed_config:
  g_set_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_INVALID_CONFIG,
               "MQTT client setup failed: %s", mosquitto_strerror (rc));
  g_clear_pointer (&self->mosq, mosquitto_destroy);
  return FALSE;
}

void
ward_mqtt_source_stop (WardMqttSource *self)
{
  g_return_if_fail (WARD_IS_MQTT_SOURCE (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  /* The loop thread commits what it has read, then sends the DISCONNECT. */
  if (write (self->wake_fds[1], "", 1) < 0 && errno != EAGAIN)
    g_warning ("Cannot wake the MQTT loop: %s", g_strerror (errno));

  g_thread_join (self->thread);
  self->thread = NULL;
  g_clear_pointer (&self->mosq, mosquitto_destroy);

  g_mutex_lock (&self->lock);
  if (self->pending_notify != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->main_context,
                                                          self->pending_notify);
      if (source != NULL)
        g_source_destroy (source);
      self->pending_notify = 0;
    }
  g_mutex_unlock (&self->lock);

  /* The final state, at once: the caller is on the owner's thread. */
  notify_changes (self);
}

const char *
ward_mqtt_source_get_client_id (WardMqttSource *self)
{
  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), NULL);

  return self->client_id;
}

gboolean
ward_mqtt_source_get_connected (WardMqttSource *self)
{
  gboolean connected;

  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), FALSE);

  g_mutex_lock (&self->lock);
  connected = self->status.connected;
  g_mutex_unlock (&self->lock);

  return connected;
}

guint64
ward_mqtt_source_get_n_received (WardMqttSource *self)
{
  guint64 n;

  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->status.received;
  g_mutex_unlock (&self->lock);

  return n;
}

guint64
ward_mqtt_source_get_n_archived (WardMqttSource *self)
{
  guint64 n;

  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->status.archived;
  g_mutex_unlock (&self->lock);

  return n;
}

guint64
ward_mqtt_source_get_n_failed (WardMqttSource *self)
{
  guint64 n;

  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), 0);

  g_mutex_lock (&self->lock);
  n = self->status.failed;
  g_mutex_unlock (&self->lock);

  return n;
}

char *
ward_mqtt_source_dup_last_error (WardMqttSource *self)
{
  char *message;

  g_return_val_if_fail (WARD_IS_MQTT_SOURCE (self), NULL);

  g_mutex_lock (&self->lock);
  message = g_strdup (self->status.last_error);
  g_mutex_unlock (&self->lock);

  return message;
}

void
ward_mqtt_source_get_status (WardMqttSource       *self,
                             WardMqttSourceStatus *status)
{
  g_return_if_fail (WARD_IS_MQTT_SOURCE (self));
  g_return_if_fail (status != NULL);

  g_mutex_lock (&self->lock);
  status_copy (&self->status, status);
  g_mutex_unlock (&self->lock);
}

void
_ward_mqtt_source_inject_failures (WardMqttSource *self,
                                   guint           n)
{
  g_return_if_fail (WARD_IS_MQTT_SOURCE (self));

  g_mutex_lock (&self->lock);
  self->inject_failures = n;
  g_mutex_unlock (&self->lock);
}

/* WardDeviceSource */

static gboolean
ward_mqtt_source_source_start (WardDeviceSource  *source,
                               GError     **error)
{
  WardMqttSource *self = WARD_MQTT_SOURCE (source);

  if (self->thread != NULL)
    return TRUE;

  return ward_mqtt_source_start (self, error);
}

static void
ward_mqtt_source_source_stop (WardDeviceSource *source)
{
  ward_mqtt_source_stop (WARD_MQTT_SOURCE (source));
}

static void
ward_mqtt_source_source_get_status (WardDeviceSource       *source,
                                    WardDeviceSourceStatus *status)
{
  WardMqttSource *self = WARD_MQTT_SOURCE (source);

  g_mutex_lock (&self->lock);
  status->name = g_strdup (SOURCE_NAME);
  status->running = g_atomic_pointer_get (&self->thread) != NULL;
  status->connected = self->status.connected;
  status->received = self->status.received;
  status->committed = self->status.archived;
  status->duplicates = self->status.duplicates;
  status->failed = self->status.failed;
  status->last_error = g_strdup (self->status.last_error);
  status->detail = g_strdup_printf (self->status.connected ? "connected to %s:%d as %s"
                                                           : "not connected to %s:%d (%s)",
                                    self->host ? self->host : "?", self->port, self->client_id);
  g_mutex_unlock (&self->lock);
}

static void
ward_mqtt_source_source_iface_init (WardDeviceSourceInterface *iface)
{
  iface->start = ward_mqtt_source_source_start;
  iface->stop = ward_mqtt_source_source_stop;
  iface->get_status = ward_mqtt_source_source_get_status;
}
