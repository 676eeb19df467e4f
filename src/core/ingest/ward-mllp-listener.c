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
#include "ward-log-limit.h"
#include "ward-device-source.h"

#define MLLP_START 0x0b
#define MLLP_END   0x1c
#define MLLP_CR    0x0d

/* Frames in the pipeline per connection before we stop reading from it:
 * a sender that does not wait for its ACKs is slowed down, not buffered.
 */
#define MAX_PENDING 32

#define READ_BUFFER_SIZE 65536

/* Connections accepted per wake-up, so that a flood of them does not
 * starve the connections already open.
 */
#define MAX_ACCEPTS_PER_WAKEUP 32

/* After accept() failed (no file descriptor left): the next try. */
#define ACCEPT_RETRY_MSEC 250

/* Framing errors are archived as bytes, not as HL7 messages. */
#define FRAGMENT_CONTENT_TYPE "application/octet-stream"

typedef enum
{
  STATE_OUTSIDE,     /* between frames */
  STATE_IN_FRAME,
  STATE_AFTER_END,   /* 0x1c seen and the frame done; 0x0d expected */
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
  GByteArray        *garbage;         /* the first of them, for the archive */
  gint64             last_activity;   /* monotonic usec: accepted, bytes read, ACK written */

  GQueue             pending;         /* PendingAck, in frame order */
  GByteArray        *out;             /* ACK bytes not yet written */
  GBytes            *in_flight;       /* ACK bytes being written */

  guint              reading : 1;
  guint              writing : 1;
  guint              read_eof : 1;
  guint              closed : 1;
};

typedef enum
{
  PENDING_MESSAGE,    /* a frame, pushed to the pipeline */
  PENDING_EMPTY,      /* an empty frame, dead-lettered */
} PendingKind;

typedef struct
{
  Connection         *conn;           /* owned reference */
  PendingKind         kind;
  WardHl7MessageInfo  info;
  gboolean            is_hl7;         /* the header parsed */
  gboolean            once;           /* pushed with a key: de-duplicated */
  gboolean            done;
  GBytes             *ack;            /* framed; NULL: nothing to send */
} PendingAck;

struct _WardMllpListener
{
  GObject            parent_instance;

  WardSink          *sink;
  char              *bind_address;    /* for ward_device_source_start() */
  guint16            bind_port;
  char              *last_error;
  WardMllpLimits     limits;
  GMainContext      *context;         /* where it accepts and serves */
  GSocket           *socket;          /* listening */
  GSource           *accept_source;   /* NULL while paused or stopped */
  GSource           *retry_source;    /* resumes accepting after an error */
  GSource           *timer_source;    /* idle connections, log flush */
  GPtrArray         *connections;     /* Connection, one reference each */
  guint16            port;
  WardMllpCounters   counters;
  WardLogLimit      *log_limit;
};

static void start_read  (Connection *conn);
static void start_write (Connection *conn);
static void watch_accept (WardMllpListener *self);

static void ward_mllp_listener_source_iface_init (WardDeviceSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WardMllpListener, ward_mllp_listener, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_DEVICE_SOURCE,
                                                      ward_mllp_listener_source_iface_init))

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
  g_clear_pointer (&conn->garbage, g_byte_array_unref);
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

/* Failures of the store while recording a framing error: nothing was
 * acknowledged, so nothing acknowledged is lost, but it is worth a line.
 */
static WardLogLimit *
get_store_log_limit (void)
{
  static WardLogLimit *limit;

  if (g_once_init_enter (&limit))
    g_once_init_leave (&limit, ward_log_limit_new (0));

  return limit;
}

static void
framing_error_stored_cb (GObject      *object,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!ward_sink_reject_finish (WARD_SINK (object), result, &error))
    ward_log_limited (get_store_log_limit (), "framing-error-not-stored", G_LOG_LEVEL_WARNING,
                      "An MLLP framing error could not be recorded: %s", error->message);
}

/* A framing error: a dead letter at stage "framing" naming the peer, with
 * at most WARD_MLLP_ARCHIVE_LIMIT of its bytes.  The log says what and
 * from where, never the bytes (they may hold patient data), at most once
 * a log interval per kind.
 */
static void
record_framing_error_full (Connection          *conn,
                           const char          *condition,
                           const guint8        *data,
                           gsize                len,
                           const char          *what,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  WardMllpListener *self = conn->listener;
  g_autofree char *reason = NULL;
  gsize archived = MIN (len, WARD_MLLP_ARCHIVE_LIMIT);

  if (self == NULL)
    return;

  self->counters.framing_errors++;
  if (archived < len)
    reason = g_strdup_printf ("MLLP framing error from %s: %s (the first %" G_GSIZE_FORMAT
                              " of %" G_GSIZE_FORMAT " bytes received archived)",
                              conn->peer, what, archived, len);
  else
    reason = g_strdup_printf ("MLLP framing error from %s: %s", conn->peer, what);

  ward_log_limited (self->log_limit, condition, G_LOG_LEVEL_MESSAGE, "%s", reason);
  ward_sink_reject_async (self->sink, FRAGMENT_CONTENT_TYPE,
                          archived > 0 ? (const char *) data : "", archived,
                          "framing", reason, NULL, callback, user_data);
}

static void
record_framing_error (Connection   *conn,
                      const char   *condition,
                      const guint8 *data,
                      gsize         len,
                      const char   *what)
{
  record_framing_error_full (conn, condition, data, len, what, framing_error_stored_cb, NULL);
}

/* A frame begun and not ended. */
static void
record_unterminated (Connection *conn,
                     const char *why)
{
  g_autofree char *what = g_strdup_printf ("unterminated frame of %u bytes: %s",
                                           conn->frame->len, why);

  record_framing_error (conn, "unterminated", conn->frame->data, conn->frame->len, what);
  g_byte_array_set_size (conn->frame, 0);
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

/* The durability point of MLLP: the sink has committed the frame (or
 * failed to), and only now is its ACK made and queued.  Every frame's
 * answer is decided here and nowhere else.
 */
static void
message_committed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  PendingAck *p = user_data;
  Connection *conn = p->conn;
  WardMllpListener *self = conn->listener;
  WardSink *sink = WARD_SINK (object);
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *ack = NULL;
  g_autofree char *text = NULL;
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  gboolean duplicate = FALSE;
  gboolean committed;
  const char *code = "AR";

  if (p->kind == PENDING_EMPTY)
    {
      committed = ward_sink_reject_finish (sink, result, &error);
      reason = g_strdup ("empty MLLP frame");
    }
  else
    committed = ward_sink_submit_finish (sink, result, &outcome, &reason, &duplicate, &error);

  if (!committed)
    {
      /* Nothing was committed: the sender must send it again. */
      code = "AR";
      text = g_strdup_printf ("not stored: %s", error->message);
      if (self != NULL)
        {
          self->counters.not_committed++;
          g_free (self->last_error);
          self->last_error = g_strdup (text);
        }
    }
  else
    {
      if (self != NULL && p->kind != PENDING_EMPTY)
        self->counters.committed++;
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

  if (duplicate && self != NULL)
    self->counters.duplicates++;

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

/* What makes a resend the same message: all of it but MSH-7, the time it
 * was sent, which a sender may set anew when it sends again.  SHA-256,
 * hex.
 */
static char *
content_digest (const guint8 *data,
                gsize         len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize from = len;
  gsize to = len;

  if (len > 3 && memcmp (data, "MSH", 3) == 0)
    {
      guint8 sep = data[3];
      guint n_sep = 0;

      /* MSH-1 is the separator itself: MSH-7 follows the sixth. */
      for (gsize i = 3; i < len && data[i] != '\r' && data[i] != '\n'; i++)
        if (data[i] == sep && ++n_sep == 6)
          {
            from = i + 1;
            for (to = from; to < len && data[to] != sep && data[to] != '\r' && data[to] != '\n'; to++)
              ;
            break;
          }
    }

  g_checksum_update (checksum, data, from);
  if (to < len)
    g_checksum_update (checksum, data + to, len - to);

  return g_strdup (g_checksum_get_string (checksum));
}

static void
complete_frame (Connection *conn)
{
  WardMllpListener *self = conn->listener;
  const char *data;
  gsize len = conn->frame->len;
  PendingAck *p;

  g_assert (self != NULL);

  p = g_new0 (PendingAck, 1);
  p->conn = connection_ref (conn);
  g_queue_push_tail (&conn->pending, p);
  self->counters.frames++;

  if (len == 0)
    {
      /* Nothing to read a header from: a dead letter, answered AR. */
      p->kind = PENDING_EMPTY;
      record_framing_error_full (conn, "empty", NULL, 0, "empty frame", message_committed_cb, p);
      return;
    }

  data = (const char *) conn->frame->data;
  p->kind = PENDING_MESSAGE;
  p->is_hl7 = ward_hl7_read_message_info (data, len, &p->info, NULL);

  /* Everything goes to the pipeline, garbage too: it is archived and
   * dead-lettered there, and answered here once that is committed.  A
   * message its sender identifies is stored once however often it comes.
   */
  if (p->is_hl7 && p->info.control_id != NULL && self->limits.dedup_keep_usec > 0)
    {
      g_autofree char *digest = content_digest (conn->frame->data, len);
      g_autoptr(WardMessageKey) key = ward_message_key_new (p->info.sending_facility,
                                                            p->info.sending_application,
                                                            p->info.control_id, digest,
                                                            self->limits.dedup_keep_usec);

      p->once = TRUE;
      ward_sink_submit_async (self->sink, WARD_CONTENT_TYPE_HL7V2, NULL, key,
                              data, len, NULL, message_committed_cb, p);
    }
  else
    ward_sink_submit_async (self->sink, WARD_CONTENT_TYPE_HL7V2, NULL, NULL,
                            data, len, NULL, message_committed_cb, p);

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

  /* Line ends after a frame are common; anything else is a framing error. */
  if (conn->skipped_text)
    {
      g_autofree char *what = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes outside an MLLP frame",
                                               conn->skipped);

      /* garbage holds the first WARD_MLLP_ARCHIVE_LIMIT of them. */
      record_framing_error (conn, "garbage", conn->garbage->data, conn->skipped, what);
    }

  conn->skipped = 0;
  conn->skipped_text = FALSE;
  g_byte_array_set_size (conn->garbage, 0);
}

/* Feeds received bytes through the framing.  FALSE when the connection
 * was closed (a frame too large, or too much outside any frame).
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
            if (conn->garbage->len < WARD_MLLP_ARCHIVE_LIMIT)
              g_byte_array_append (conn->garbage, data + i,
                                   MIN (end - i, WARD_MLLP_ARCHIVE_LIMIT - conn->garbage->len));
            conn->skipped += end - i;
            i = end;

            if (start != NULL)
              {
                report_skipped (conn);
                conn->state = STATE_IN_FRAME;
                g_byte_array_set_size (conn->frame, 0);
                i++;
              }
            else if (conn->skipped > WARD_MLLP_MAX_FRAME_SIZE)
              {
                /* No start block in more than a frame's worth: not MLLP. */
                report_skipped (conn);
                close_connection (conn);
                return FALSE;
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
                g_autofree char *what = NULL;
                gsize received = conn->frame->len + (j - i);
                gsize keep = MIN (j - i, WARD_MLLP_ARCHIVE_LIMIT - MIN (conn->frame->len,
                                                                         WARD_MLLP_ARCHIVE_LIMIT));

                if (conn->listener != NULL)
                  conn->listener->counters.frames_too_large++;
                /* What came so far, as far as the archive takes it. */
                g_byte_array_append (conn->frame, data + i, keep);
                what = g_strdup_printf ("frame larger than %d bytes; connection closed",
                                        WARD_MLLP_MAX_FRAME_SIZE);
                record_framing_error (conn, "too-large", conn->frame->data, received, what);
                g_byte_array_set_size (conn->frame, 0);
                conn->state = STATE_OUTSIDE;
                close_connection (conn);
                return FALSE;
              }
            g_byte_array_append (conn->frame, data + i, j - i);
            i = j;

            if (i < len && data[i] == MLLP_END)
              {
                /* The frame is done at 0x1c: a sender that leaves out the
                 * 0x0d, or sends it later, is answered all the same.
                 */
                conn->state = STATE_AFTER_END;
                i++;
                complete_frame (conn);
              }
            else if (i < len && data[i] == MLLP_START)
              {
                /* A new start block inside a frame: the sender gave up on
                 * the first (a restart, a timeout); so do we.
                 */
                record_unterminated (conn, "a new start block came before its end");
                i++;
              }
          }
          break;

        case STATE_AFTER_END:
          /* 0x1c 0x0d ends a frame; a lone 0x1c is taken as the end too. */
          if (data[i] == MLLP_CR)
            i++;
          conn->state = STATE_OUTSIDE;
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return !conn->closed;
}

/* The peer went (EOF, an error, idleness): what it left half sent is a
 * framing error.
 */
static void
end_of_input (Connection *conn,
              const char *why)
{
  if (conn->state == STATE_IN_FRAME)
    {
      conn->state = STATE_OUTSIDE;
      record_unterminated (conn, why);
    }
  report_skipped (conn);
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
      end_of_input (conn, "the connection failed before its end");
      close_connection (conn);
    }
  else if (n == 0)
    {
      conn->read_eof = TRUE;
      end_of_input (conn, "the connection closed before its end");
      maybe_finish (conn);
    }
  else
    {
      conn->last_activity = g_get_monotonic_time ();
      if (feed (conn, conn->read_buffer, n))
        start_read (conn);
    }

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
      conn->last_activity = g_get_monotonic_time ();
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

static char *
describe_peer (GSocket *socket)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);

  return remote ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (remote))
                : g_strdup ("(unknown)");
}

static void
serve_connection (WardMllpListener *self,
                  GSocket          *socket)
{
  Connection *conn;

  conn = g_new0 (Connection, 1);
  g_ref_count_init (&conn->ref_count);
  conn->listener = self;
  conn->connection = g_socket_connection_factory_create_connection (socket);
  conn->cancellable = g_cancellable_new ();
  conn->peer = describe_peer (socket);
  conn->read_buffer = g_malloc (READ_BUFFER_SIZE);
  conn->frame = g_byte_array_new ();
  conn->garbage = g_byte_array_new ();
  conn->out = g_byte_array_new ();
  conn->last_activity = g_get_monotonic_time ();
  g_queue_init (&conn->pending);
  g_debug ("MLLP connection from %s", conn->peer);

  g_ptr_array_add (self->connections, conn);
  self->counters.connections++;
  self->counters.open_connections++;

  start_read (conn);
}

static gboolean
retry_accept_cb (gpointer data)
{
  WardMllpListener *self = data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  watch_accept (self);
  return G_SOURCE_REMOVE;
}

/* accept() failed for want of a file descriptor or the like: the waiting
 * connection stays in the kernel's queue and the socket stays readable,
 * so trying again at once would spin.  Try again in a moment, when idle
 * connections may have been closed.
 */
static void
pause_accepting (WardMllpListener *self)
{
  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }

  if (self->retry_source == NULL)
    {
      self->retry_source = g_timeout_source_new (ACCEPT_RETRY_MSEC);
      g_source_set_callback (self->retry_source, retry_accept_cb, self, NULL);
      g_source_set_static_name (self->retry_source, "[wardwatch] MLLP accept retry");
      g_source_attach (self->retry_source, self->context);
    }
}

static gboolean
accept_cb (GSocket      *listening,
           GIOCondition  condition,
           gpointer      user_data)
{
  WardMllpListener *self = user_data;

  for (guint n = 0; n < MAX_ACCEPTS_PER_WAKEUP; n++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listening, NULL, &error);

      if (socket == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;

          self->counters.accept_errors++;
          ward_log_limited (self->log_limit, "accept-failed", G_LOG_LEVEL_WARNING,
                            "Cannot accept MLLP connections on port %u: %s",
                            self->port, error->message);
          pause_accepting (self);
          return G_SOURCE_REMOVE;
        }

      if (self->connections->len >= self->limits.max_connections)
        {
          g_autofree char *peer = describe_peer (socket);

          /* Closed at once: the sender sees the end and may try again. */
          self->counters.connections_refused++;
          ward_log_limited (self->log_limit, "refused", G_LOG_LEVEL_WARNING,
                            "Refused an MLLP connection from %s: %u connections are open, "
                            "the limit", peer, self->limits.max_connections);
          g_socket_close (socket, NULL);
          continue;
        }

      serve_connection (self, socket);
    }

  return G_SOURCE_CONTINUE;
}

static void
watch_accept (WardMllpListener *self)
{
  if (self->socket == NULL || self->accept_source != NULL)
    return;

  self->accept_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->accept_source, G_SOURCE_FUNC (accept_cb), self, NULL);
  g_source_set_static_name (self->accept_source, "[wardwatch] MLLP accept");
  g_source_attach (self->accept_source, self->context);
}

/* Closes connections idle past the timeout and reports log lines held
 * back.  A connection that waits for an ACK of ours is not idle.
 */
static gboolean
timer_cb (gpointer data)
{
  WardMllpListener *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 idle = self->limits.idle_timeout_usec;

  if (idle > 0)
    {
      for (guint i = self->connections->len; i > 0; i--)
        {
          Connection *conn = g_ptr_array_index (self->connections, i - 1);
          g_autofree char *why = NULL;

          if (now - conn->last_activity < idle || !g_queue_is_empty (&conn->pending) ||
              conn->writing || conn->out->len > 0)
            continue;

          self->counters.connections_idle++;
          ward_log_limited (self->log_limit, "idle", G_LOG_LEVEL_MESSAGE,
                            "Closed the MLLP connection from %s: idle for %g s",
                            conn->peer, idle / (double) G_USEC_PER_SEC);
          why = g_strdup_printf ("the connection was idle for %g s and closed",
                                 idle / (double) G_USEC_PER_SEC);
          connection_ref (conn);
          end_of_input (conn, why);
          close_connection (conn);
          connection_unref (conn);
        }
    }

  ward_log_limit_flush (self->log_limit, now);
  return G_SOURCE_CONTINUE;
}

static void
ward_mllp_listener_dispose (GObject *object)
{
  WardMllpListener *self = WARD_MLLP_LISTENER (object);

  ward_mllp_listener_stop (self);
  g_clear_object (&self->sink);
  g_clear_pointer (&self->bind_address, g_free);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (ward_mllp_listener_parent_class)->dispose (object);
}

static void
ward_mllp_listener_finalize (GObject *object)
{
  WardMllpListener *self = WARD_MLLP_LISTENER (object);

  g_clear_pointer (&self->connections, g_ptr_array_unref);
  g_clear_pointer (&self->log_limit, ward_log_limit_free);
  g_clear_pointer (&self->context, g_main_context_unref);

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
  ward_mllp_limits_init (&self->limits);
}

void
ward_mllp_limits_init (WardMllpLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_connections = WARD_MLLP_DEFAULT_MAX_CONNECTIONS;
  limits->idle_timeout_usec = WARD_MLLP_DEFAULT_IDLE_TIMEOUT;
  limits->dedup_keep_usec = WARD_MLLP_DEFAULT_DEDUP_KEEP;
  limits->log_interval_usec = WARD_LOG_LIMIT_DEFAULT_INTERVAL;
}

WardMllpListener *
ward_mllp_listener_new_for_sink (WardSink   *sink,
                                 const char *bind_address,
                                 guint16     port)
{
  WardMllpListener *self;

  g_return_val_if_fail (WARD_IS_SINK (sink), NULL);

  self = g_object_new (WARD_TYPE_MLLP_LISTENER, NULL);
  self->sink = g_object_ref (sink);
  self->bind_address = g_strdup (bind_address != NULL ? bind_address : "127.0.0.1");
  self->bind_port = port;
  return self;
}

WardMllpListener *
ward_mllp_listener_new (WardPipeline *pipeline)
{
  g_autoptr(WardSink) sink = NULL;

  g_return_val_if_fail (WARD_IS_PIPELINE (pipeline), NULL);

  sink = ward_sink_new (pipeline, "mllp");
  return ward_mllp_listener_new_for_sink (sink, NULL, 0);
}

void
ward_mllp_listener_set_limits (WardMllpListener     *self,
                               const WardMllpLimits *limits)
{
  g_return_if_fail (WARD_IS_MLLP_LISTENER (self));
  g_return_if_fail (limits != NULL);
  g_return_if_fail (self->socket == NULL);

  self->limits = *limits;
  if (self->limits.max_connections == 0)
    self->limits.max_connections = WARD_MLLP_DEFAULT_MAX_CONNECTIONS;
  if (self->limits.idle_timeout_usec < 0)
    self->limits.idle_timeout_usec = 0;
  if (self->limits.dedup_keep_usec < 0)
    self->limits.dedup_keep_usec = 0;
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
  g_autoptr(GSocket) socket = NULL;
  gint64 tick;

  g_return_val_if_fail (WARD_IS_MLLP_LISTENER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->socket != NULL)
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

  /* Our own accept loop rather than a GSocketService: that one logs every
   * failed accept() and tries again at once, which with no file
   * descriptor left is a busy loop writing a warning each time.
   */
  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_listen_backlog (socket, 128);
  if (!g_socket_bind (socket, address, TRUE, error) || !g_socket_listen (socket, error))
    return FALSE;
  effective = g_socket_get_local_address (socket, error);
  if (effective == NULL)
    return FALSE;

  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->socket = g_steal_pointer (&socket);
  self->context = g_main_context_ref_thread_default ();
  if (self->log_limit == NULL)
    self->log_limit = ward_log_limit_new (self->limits.log_interval_usec);
  watch_accept (self);

  /* Idle connections are found within a quarter of the timeout. */
  tick = self->limits.idle_timeout_usec > 0 ? self->limits.idle_timeout_usec / 4 : G_USEC_PER_SEC;
  tick = CLAMP (tick, 10 * 1000, G_USEC_PER_SEC);
  self->timer_source = g_timeout_source_new ((guint) (tick / 1000));
  g_source_set_callback (self->timer_source, timer_cb, self, NULL);
  g_source_set_static_name (self->timer_source, "[wardwatch] MLLP timer");
  g_source_attach (self->timer_source, self->context);

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

  if (self->accept_source != NULL)
    {
      g_source_destroy (self->accept_source);
      g_clear_pointer (&self->accept_source, g_source_unref);
    }
  if (self->retry_source != NULL)
    {
      g_source_destroy (self->retry_source);
      g_clear_pointer (&self->retry_source, g_source_unref);
    }
  if (self->timer_source != NULL)
    {
      g_source_destroy (self->timer_source);
      g_clear_pointer (&self->timer_source, g_source_unref);
    }
  if (self->socket != NULL)
    {
      g_socket_close (self->socket, NULL);
      g_clear_object (&self->socket);
    }

  while (self->connections->len > 0)
    close_connection (g_ptr_array_index (self->connections, 0));

  if (self->log_limit != NULL)
    ward_log_limit_flush_all (self->log_limit);
}

void
ward_mllp_listener_get_counters (WardMllpListener *self,
                                 WardMllpCounters *counters)
{
  g_return_if_fail (WARD_IS_MLLP_LISTENER (self));
  g_return_if_fail (counters != NULL);

  *counters = self->counters;
}

/* WardDeviceSource */

static gboolean
ward_mllp_listener_source_start (WardDeviceSource  *source,
                                 GError     **error)
{
  WardMllpListener *self = WARD_MLLP_LISTENER (source);

  if (self->socket != NULL)
    return TRUE;

  if (!ward_mllp_listener_listen (self, self->bind_address, self->bind_port, error))
    return FALSE;

  g_message ("Listening for HL7 v2 over MLLP on %s:%u", self->bind_address, self->port);
  return TRUE;
}

static void
ward_mllp_listener_source_stop (WardDeviceSource *source)
{
  ward_mllp_listener_stop (WARD_MLLP_LISTENER (source));
}

static void
ward_mllp_listener_source_get_status (WardDeviceSource       *source,
                                      WardDeviceSourceStatus *status)
{
  WardMllpListener *self = WARD_MLLP_LISTENER (source);
  const WardMllpCounters *c = &self->counters;

  status->name = g_strdup ("mllp");
  status->running = self->socket != NULL;
  status->connected = self->socket != NULL;
  status->received = c->frames;
  status->committed = c->committed;
  status->duplicates = c->duplicates;
  status->failed = c->not_committed + c->framing_errors;
  status->last_error = g_strdup (self->last_error);
  if (self->socket != NULL)
    status->detail = g_strdup_printf ("listening on %s:%u, %u %s", self->bind_address,
                                      self->port, self->connections->len,
                                      self->connections->len == 1 ? "monitor" : "monitors");
  else
    status->detail = g_strdup_printf ("not listening (%s:%u)", self->bind_address,
                                      self->bind_port);
}

static void
ward_mllp_listener_source_iface_init (WardDeviceSourceInterface *iface)
{
  iface->start = ward_mllp_listener_source_start;
  iface->stop = ward_mllp_listener_source_stop;
  iface->get_status = ward_mllp_listener_source_get_status;
}
