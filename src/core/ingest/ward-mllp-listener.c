/* ward-mllp-listener.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-mllp"

#include "config.h"

#include "ward-mllp-listener.h"

#include <string.h>

#include "ward-hl7-mapper.h"

#define MLLP_START 0x0b
#define MLLP_END   0x1c
#define MLLP_CR    0x0d

/* Frames in the pipeline per connection before we stop reading from it:
 * a sender that does not wait for its ACKs is slowed down, not buffered.
 */
#define MAX_PENDING 32

#define READ_BUFFER_SIZE 65536

typedef enum
{
  STATE_OUTSIDE,     /* between frames */
  STATE_IN_FRAME,
  STATE_AFTER_END,   /* 0x1c seen, 0x0d expected */
} FrameState;

typedef struct _Connection Connection;

struct _Connection
{
  grefcount          ref_count;

  /* Borrowed: NULL once the listener has stopped. */
  WardMllpListener  *listener;

  GSocketConnection *connection;
  GCancellable      *cancellable;
  char              *peer;

  guint8            *read_buffer;
  GByteArray        *frame;
  FrameState         state;
  gsize              skipped;         /* bytes outside frames, in this run */
  gboolean           skipped_text;    /* ...and not only blank */

  GQueue             pending;         /* PendingAck, in frame order */
  GByteArray        *out;             /* ACK bytes not yet written */
  GBytes            *in_flight;       /* ACK bytes being written */

  guint              reading : 1;
  guint              writing : 1;
  guint              read_eof : 1;
  guint              closed : 1;
};

typedef struct
{
  Connection         *conn;           /* owned reference */
  WardHl7MessageInfo  info;
  gboolean            is_hl7;         /* the header parsed */
  gboolean            done;
  GBytes             *ack;            /* framed; NULL: nothing to send */
} PendingAck;

struct _WardMllpListener
{
  GObject            parent_instance;

  WardPipeline      *pipeline;
  GSocketService    *service;
  GPtrArray         *connections;     /* Connection, one reference each */
  guint16            port;
  WardMllpCounters   counters;
};

static void start_read  (Connection *conn);
static void start_write (Connection *conn);

G_DEFINE_FINAL_TYPE (WardMllpListener, ward_mllp_listener, G_TYPE_OBJECT)

static Connection *
connection_ref (Connection *conn)
{
  g_ref_count_inc (&conn->ref_count);
  return conn;
}

static void
connection_unref (Connection *conn)
{
  if (!g_ref_count_dec (&conn->ref_count))
    return;

  g_assert (conn->closed);
  g_assert (g_queue_is_empty (&conn->pending));

  g_clear_object (&conn->connection);
  g_clear_object (&conn->cancellable);
  g_clear_pointer (&conn->peer, g_free);
  g_clear_pointer (&conn->read_buffer, g_free);
  g_clear_pointer (&conn->frame, g_byte_array_unref);
  g_clear_pointer (&conn->out, g_byte_array_unref);
  g_clear_pointer (&conn->in_flight, g_bytes_unref);
  g_free (conn);
}

static void
pending_ack_free (PendingAck *p)
{
  ward_hl7_message_info_clear (&p->info);
  g_clear_pointer (&p->ack, g_bytes_unref);
  g_clear_pointer (&p->conn, connection_unref);
  g_free (p);
}

static void
close_connection (Connection *conn)
{
  WardMllpListener *self = conn->listener;

  if (conn->closed)
    return;

  conn->closed = TRUE;
  g_cancellable_cancel (conn->cancellable);
  /* The socket is closed even if a cancelled operation is still pending. */
  g_io_stream_close (G_IO_STREAM (conn->connection), NULL, NULL);
  g_debug ("Closed MLLP connection from %s", conn->peer);

  /* The ACKs still to come have nowhere to go; the messages are processed. */
  if (self != NULL)
    {
      self->counters.open_connections--;
      conn->listener = NULL;
      g_ptr_array_remove_fast (self->connections, conn);
    }
}

static void
maybe_finish (Connection *conn)
{
  /* The peer closed its side: answer what it sent, then close ours. */
  if (conn->read_eof && !conn->closed && g_queue_is_empty (&conn->pending) &&
      !conn->writing && conn->out->len == 0)
    close_connection (conn);
}

static gboolean
ack_requested (const WardHl7MessageInfo *info,
               const char               *code)
{
  const char *type = info->accept_ack_type;
  gboolean accepted = strcmp (code, "AA") == 0;

  if (type == NULL || strcmp (type, "AL") == 0)
    return TRUE;
  if (strcmp (type, "NE") == 0)
    return FALSE;
  if (strcmp (type, "ER") == 0)
    return !accepted;
  if (strcmp (type, "SU") == 0)
    return accepted;

  /* Not a value of HL7 table 0155: answer rather than leave the sender waiting. */
  return TRUE;
}

static gboolean
is_oru_r01 (const WardHl7MessageInfo *info)
{
  return g_strcmp0 (info->message_code, "ORU") == 0 &&
         g_strcmp0 (info->trigger_event, "R01") == 0;
}

/* Writes the ACKs that are ready, in the order of their frames. */
static void
flush_acks (Connection *conn)
{
  while (!g_queue_is_empty (&conn->pending))
    {
      PendingAck *p = g_queue_peek_head (&conn->pending);
      gsize len;
      const guint8 *data;

      if (!p->done)
        break;

      g_queue_pop_head (&conn->pending);
      if (p->ack != NULL && !conn->closed)
        {
          data = g_bytes_get_data (p->ack, &len);
          g_byte_array_append (conn->out, data, len);
        }
      pending_ack_free (p);
    }

  start_write (conn);
  start_read (conn);
  maybe_finish (conn);
}

static void
push_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  PendingAck *p = user_data;
  Connection *conn = p->conn;
  WardMllpListener *self = conn->listener;
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *ack = NULL;
  g_autofree char *text = NULL;
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  const char *code = "AR";

  if (!ward_pipeline_push_message_finish (WARD_PIPELINE (object), result, &outcome, &reason, &error))
    {
      /* Nothing was committed: the sender must send it again. */
      code = "AR";
      text = g_strdup_printf ("not stored: %s", error->message);
    }
  else
    {
      switch (outcome)
        {
        case WARD_INGEST_ACCEPTED:
          code = "AA";
          break;
        case WARD_INGEST_PARTIAL:
          /* Accepted and stored; the values that were not are a warning. */
          code = "AA";
          text = g_steal_pointer (&reason);
          break;
        case WARD_INGEST_REJECTED:
          code = p->is_hl7 && is_oru_r01 (&p->info) ? "AE" : "AR";
          text = g_steal_pointer (&reason);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  if (!conn->closed && ack_requested (&p->info, code))
    {
      ack = ward_hl7_build_ack (&p->info, code, text, g_get_real_time ());
      p->ack = g_bytes_new_take (g_strdup_printf ("%c%s%c%c", MLLP_START, ack, MLLP_END, MLLP_CR),
                                 strlen (ack) + 3);
      if (self != NULL)
        {
          if (code[1] == 'A')
            self->counters.acks_aa++;
          else if (code[1] == 'E')
            self->counters.acks_ae++;
          else
            self->counters.acks_ar++;
        }
    }
  else if (self != NULL)
    self->counters.acks_not_sent++;

  p->done = TRUE;

  connection_ref (conn);
  flush_acks (conn);
  connection_unref (conn);
}

static void
complete_frame (Connection *conn)
{
  WardMllpListener *self = conn->listener;
  PendingAck *p;

  g_assert (self != NULL);

  p = g_new0 (PendingAck, 1);
  p->conn = connection_ref (conn);
  p->is_hl7 = ward_hl7_read_message_info ((const char *) conn->frame->data, conn->frame->len,
                                          &p->info, NULL);
  g_queue_push_tail (&conn->pending, p);
  self->counters.frames++;

  /* Everything goes to the pipeline, garbage too: it is archived and
   * dead-lettered there, and answered here once that is committed.
   */
  ward_pipeline_push_message_async (self->pipeline, "mllp", WARD_CONTENT_TYPE_HL7V2, NULL,
                                    (const char *) conn->frame->data, conn->frame->len,
                                    NULL, push_cb, p);
  g_byte_array_set_size (conn->frame, 0);
}

static void
report_skipped (Connection *conn)
{
  WardMllpListener *self = conn->listener;

  if (conn->skipped == 0)
    return;

  if (self != NULL)
    self->counters.bytes_skipped += conn->skipped;

  /* Line ends after a frame are common; anything else is worth a word. */
  if (conn->skipped_text)
    g_message ("Skipped %" G_GSIZE_FORMAT " bytes outside an MLLP frame from %s",
               conn->skipped, conn->peer);

  conn->skipped = 0;
  conn->skipped_text = FALSE;
}

/* Feeds received bytes through the framing.  FALSE when the connection
 * was closed for a frame too large.
 */
static gboolean
feed (Connection   *conn,
      const guint8 *data,
      gsize         len)
{
  gsize i = 0;

  while (i < len && !conn->closed)
    {
      switch (conn->state)
        {
        case STATE_OUTSIDE:
          {
            const guint8 *start = memchr (data + i, MLLP_START, len - i);
            gsize end = start ? (gsize) (start - data) : len;

            for (gsize j = i; j < end; j++)
              if (!g_ascii_isspace (data[j]))
                conn->skipped_text = TRUE;
            conn->skipped += end - i;
            i = end;

            if (start != NULL)
              {
                report_skipped (conn);
                conn->state = STATE_IN_FRAME;
                g_byte_array_set_size (conn->frame, 0);
                i++;
              }
          }
          break;

        case STATE_IN_FRAME:
          {
            gsize j = i;

            while (j < len && data[j] != MLLP_END && data[j] != MLLP_START)
              j++;

            if (conn->frame->len + (j - i) > WARD_MLLP_MAX_FRAME_SIZE)
              {
                if (conn->listener != NULL)
                  conn->listener->counters.frames_too_large++;
                g_message ("MLLP frame from %s larger than %d bytes: closing the connection",
                           conn->peer, WARD_MLLP_MAX_FRAME_SIZE);
                close_connection (conn);
                return FALSE;
              }
            g_byte_array_append (conn->frame, data + i, j - i);
            i = j;

            if (i < len && data[i] == MLLP_END)
              {
                conn->state = STATE_AFTER_END;
                i++;
              }
            else if (i < len && data[i] == MLLP_START)
              {
                /* A new start block inside a frame: the sender gave up on
                 * the first (a restart, a timeout); so do we.
                 */
                conn->skipped += conn->frame->len + 1;
                conn->skipped_text = TRUE;
                report_skipped (conn);
                g_byte_array_set_size (conn->frame, 0);
                i++;
              }
          }
          break;

        case STATE_AFTER_END:
          /* 0x1c 0x0d ends a frame; a lone 0x1c is taken as the end too. */
          if (data[i] == MLLP_CR)
            i++;
          conn->state = STATE_OUTSIDE;
          complete_frame (conn);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return !conn->closed;
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  conn->reading = FALSE;
  n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, &error);

  if (conn->closed)
    ;
  else if (n < 0)
    {
      g_debug ("Reading from %s: %s", conn->peer, error->message);
      close_connection (conn);
    }
  else if (n == 0)
    {
      conn->read_eof = TRUE;
      if (conn->state == STATE_AFTER_END)
        {
          conn->state = STATE_OUTSIDE;
          complete_frame (conn);
        }
      else if (conn->state == STATE_IN_FRAME && conn->frame->len > 0)
        {
          conn->skipped += conn->frame->len + 1;
          conn->skipped_text = TRUE;
        }
      report_skipped (conn);
      maybe_finish (conn);
    }
  else if (feed (conn, conn->read_buffer, n))
    start_read (conn);

  connection_unref (conn);
}

static void
start_read (Connection *conn)
{
  GInputStream *input;

  if (conn->closed || conn->reading || conn->read_eof ||
      g_queue_get_length (&conn->pending) >= MAX_PENDING)
    return;

  conn->reading = TRUE;
  input = g_io_stream_get_input_stream (G_IO_STREAM (conn->connection));
  g_input_stream_read_async (input, conn->read_buffer, READ_BUFFER_SIZE, G_PRIORITY_DEFAULT,
                             conn->cancellable, read_cb, connection_ref (conn));
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Connection *conn = user_data;
  g_autoptr(GError) error = NULL;

  conn->writing = FALSE;
  g_clear_pointer (&conn->in_flight, g_bytes_unref);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    {
      /* The client went away: its ACKs are dropped, its messages are not. */
      if (!conn->closed)
        g_debug ("Writing to %s: %s", conn->peer, error->message);
      close_connection (conn);
    }
  else
    {
      start_write (conn);
      maybe_finish (conn);
    }

  connection_unref (conn);
}

static void
start_write (Connection *conn)
{
  GOutputStream *output;
  gconstpointer data;
  gsize len;

  if (conn->closed || conn->writing || conn->out->len == 0)
    return;

  /* Whatever is ready goes out in one write; what comes meanwhile waits. */
  conn->writing = TRUE;
  conn->in_flight = g_byte_array_free_to_bytes (g_steal_pointer (&conn->out));
  conn->out = g_byte_array_new ();
  data = g_bytes_get_data (conn->in_flight, &len);

  output = g_io_stream_get_output_stream (G_IO_STREAM (conn->connection));
  g_output_stream_write_all_async (output, data, len, G_PRIORITY_DEFAULT, conn->cancellable,
                                   write_cb, connection_ref (conn));
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  WardMllpListener *self = user_data;
  g_autoptr(GSocketAddress) remote = NULL;
  Connection *conn;

  conn = g_new0 (Connection, 1);
  g_ref_count_init (&conn->ref_count);
  conn->listener = self;
  conn->connection = g_object_ref (connection);
  conn->cancellable = g_cancellable_new ();
  conn->read_buffer = g_malloc (READ_BUFFER_SIZE);
  conn->frame = g_byte_array_new ();
  conn->out = g_byte_array_new ();
  g_queue_init (&conn->pending);

  remote = g_socket_connection_get_remote_address (connection, NULL);
  conn->peer = remote ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote))
                      : g_strdup ("(unknown)");
  g_debug ("MLLP connection from %s", conn->peer);

  g_ptr_array_add (self->connections, conn);
  self->counters.connections++;
  self->counters.open_connections++;

  start_read (conn);
  return TRUE;
}

static void
ward_mllp_listener_dispose (GObject *object)
{
  WardMllpListener *self = WARD_MLLP_LISTENER (object);

  ward_mllp_listener_stop (self);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (ward_mllp_listener_parent_class)->dispose (object);
}

static void
ward_mllp_listener_finalize (GObject *object)
{
  WardMllpListener *self = WARD_MLLP_LISTENER (object);

  g_clear_pointer (&self->connections, g_ptr_array_unref);

  G_OBJECT_CLASS (ward_mllp_listener_parent_class)->finalize (object);
}

static void
ward_mllp_listener_class_init (WardMllpListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_mllp_listener_dispose;
  object_class->finalize = ward_mllp_listener_finalize;
}

static void
ward_mllp_listener_init (WardMllpListener *self)
{
  self->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_unref);
}

WardMllpListener *
ward_mllp_listener_new (WardPipeline *pipeline)
{
  WardMllpListener *self;

  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);

  self = g_object_new (WARD_TYPE_MLLP_LISTENER, NULL);
  self->pipeline = g_object_ref (pipeline);
  return self;
}

gboolean
ward_mllp_listener_listen (WardMllpListener  *self,
                           const char        *bind_address,
                           guint16            port,
                           GError           **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GSocketService) service = NULL;

  g_return_val_if_fail (WARD_IS_MLLP_LISTENER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->service != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "The MLLP listener is already listening on port %u", self->port);
      return FALSE;
    }

  if (bind_address == NULL)
    bind_address = "127.0.0.1";

  inet = g_inet_address_new_from_string (bind_address);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not an IP address to listen on", bind_address);
      return FALSE;
    }
  address = g_inet_socket_address_new (inet, port);

  /* The service accepts on the thread-default context of this call. */
  service = g_socket_service_new ();
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect_object (service, "incoming", G_CALLBACK (incoming_cb), self, 0);
  g_socket_service_start (service);
  self->service = g_steal_pointer (&service);

  g_debug ("Listening for MLLP on %s:%u", bind_address, self->port);
  return TRUE;
}

guint16
ward_mllp_listener_get_port (WardMllpListener *self)
{
  g_return_val_if_fail (WARD_IS_MLLP_LISTENER (self), 0);

  return self->port;
}

void
ward_mllp_listener_stop (WardMllpListener *self)
{
  g_return_if_fail (WARD_IS_MLLP_LISTENER (self));

  if (self->service != NULL)
    {
      g_socket_service_stop (self->service);
      g_socket_listener_close (G_SOCKET_LISTENER (self->service));
      g_clear_object (&self->service);
    }

  while (self->connections->len > 0)
    close_connection (g_ptr_array_index (self->connections, 0));
}

void
ward_mllp_listener_get_counters (WardMllpListener *self,
                                 WardMllpCounters *counters)
{
  g_return_if_fail (WARD_IS_MLLP_LISTENER (self));
  g_return_if_fail (counters != NULL);

  *counters = self->counters;
}
