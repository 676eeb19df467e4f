/* ward-cli-simulate.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-simulate"

#include "config.h"

#include "ward-cli.h"
#include "ward-simulator.h"

#include <json-glib/json-glib.h>
#include <mosquitto.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* `wardwatch-cli simulate` plays the demo ward's monitors as real network
 * devices: the simulator's JSON device messages are published over MQTT
 * (QoS 1, topic devices/<device-id>/messages/events/), or encoded as IHE
 * PCD-01 ORU^R01 messages and sent over MLLP.  A message counts as
 * acknowledged only when the broker's PUBACK or the listener's ACK (MSA-1
 * AA, MSA-2 our control id) came back, so "sent N, acked N" means the
 * receiver has taken responsibility for all N.
 */

static const char summary[] =
  "Sends the demo ward's device messages to an MQTT broker or an HL7 v2 MLLP listener,\n"
  "as the bedside monitors of a real ward would.\n"
  "\n"
  "MQTT: each message is the simulator's JSON, published with QoS 1 to\n"
  "devices/<device-id>/messages/events/; the run waits for every PUBACK.\n"
  "MLLP: each message is an IHE PCD-01 ORU^R01 (HL7 v2.6) with one OBX per value\n"
  "(MDC codes and units), framed 0x0B…0x1C0x0D; each ACK is read and checked (MSA-2)\n"
  "before the next message is sent.  Messages the simulator sends truncated\n"
  "(a \"corrupt\" artifact) are sent as they are over MQTT, and skipped over MLLP.\n"
  "\n"
  "Nurse entries of the scenarios (ACVPU, oxygen, SpO2 scale, confirmations) are not\n"
  "device messages and are not sent.\n"
  "\n"
  "Time: the simulation starts now and runs --time-scale times faster than real\n"
  "time.  With --time-scale=0 messages are sent as fast as the receiver takes them,\n"
  "and the simulation starts in the past so that it ends about now (no measurement\n"
  "from the future).  --duration is simulated time.\n"
  "\n"
  "The MQTT password, if any, is read from the environment variable\n"
  "WARDWATCH_MQTT_PASSWORD, never from the command line.\n"
  "\n"
  "Prints one JSON line at the end: {\"sent\":N,\"acked\":N,\"errors\":N}.  Exit status:\n"
  "0 when every message sent was acknowledged, 1 on a connection failure or when\n"
  "some message was not acknowledged (or AE/AR), 2 on a usage error.";

#define MQTT_WINDOW          100   /* messages in flight; also libmosquitto's max_inflight */
#define CHUNK_USEC           (10 * WARD_USEC_PER_SEC)
#define CONNECT_TIMEOUT_SEC  10
#define MLLP_RETRIES         5

typedef struct
{
  gint64  at;
  guint   bed_index;
  char   *device_id;
  char   *patient_id;
  char   *payload;
} DeviceMessage;

typedef struct _Simulate Simulate;

typedef struct
{
  gboolean (*open)   (Simulate             *sim,
                      GError              **error);
  /* FALSE: a fatal error, stop the run. */
  gboolean (*send)   (Simulate             *sim,
                      const DeviceMessage  *message,
                      GError              **error);
  /* Waits for what is outstanding, then closes. */
  void     (*finish) (Simulate             *sim);
} Transport;

struct _Simulate
{
  /* Options. */
  char            *mqtt_url;
  char            *mllp;
  int              beds;
  gint64           seed;
  double           time_scale;
  double           duration;
  gint64           count;
  double           rate_limit;
  char            *start;
  char            *client_id;
  char            *ca_file;
  char            *ca_path;
  char            *cert_file;
  char            *key_file;
  char            *username;
  int              timeout;

  WardSimulator   *simulator;
  const Transport *transport;

  /* Counters; under lock for MQTT, whose acknowledgements arrive on the
   * loop thread.
   */
  GMutex           lock;
  GCond            cond;
  guint64          sent;
  guint64          acked;
  guint64          errors;
  guint64          skipped;
  guint64          outstanding;

  /* MQTT */
  struct mosquitto *mosq;
  char            *host;
  int              port;
  gboolean         connected;
  int              connack;           /* -1 until the first CONNACK */

  /* MLLP */
  GSocketClient     *client;
  GSocketConnection *connection;
  GByteArray        *inbuf;
  guint64            n_aa;
  guint64            n_ae;
  guint64            n_ar;
};

static volatile sig_atomic_t interrupted;

static void
interrupt_handler (int signum)
{
  interrupted = 1;
}

static void
device_message_clear (DeviceMessage *message)
{
  g_free (message->device_id);
  g_free (message->patient_id);
  g_free (message->payload);
}

static void
collect_cb (const WardSimEvent *event,
            gpointer            user_data)
{
  GArray *messages = user_data;
  DeviceMessage message;

  if (event->type != WARD_SIM_EVENT_DEVICE_MESSAGE)
    return;

  message.at = event->at;
  message.bed_index = event->bed_index;
  message.device_id = g_strdup (event->device_id);
  message.patient_id = g_strdup (event->patient_id);
  message.payload = g_strdup (event->payload);
  g_array_append_val (messages, message);
}

/* Sleeps until the monotonic time given, in short steps so that Ctrl-C
 * is honoured.
 */
static void
sleep_until (gint64 mono)
{
  gint64 now;

  while (!interrupted && (now = g_get_monotonic_time ()) < mono)
    g_usleep (MIN (mono - now, 100 * 1000));
}

/* MQTT */

static void
mqtt_connect_cb (struct mosquitto *mosq,
                 void             *user_data,
                 int               rc)
{
  Simulate *sim = user_data;

  g_mutex_lock (&sim->lock);
  sim->connack = rc;
  sim->connected = rc == 0;
  g_cond_broadcast (&sim->cond);
  g_mutex_unlock (&sim->lock);
}

static void
mqtt_disconnect_cb (struct mosquitto *mosq,
                    void             *user_data,
                    int               rc)
{
  Simulate *sim = user_data;

  g_mutex_lock (&sim->lock);
  sim->connected = FALSE;
  g_cond_broadcast (&sim->cond);
  g_mutex_unlock (&sim->lock);
}

/* For QoS 1, libmosquitto calls this when the PUBACK arrives. */
static void
mqtt_publish_cb (struct mosquitto *mosq,
                 void             *user_data,
                 int               mid)
{
  Simulate *sim = user_data;

  g_mutex_lock (&sim->lock);
  sim->acked++;
  sim->outstanding--;
  g_cond_broadcast (&sim->cond);
  g_mutex_unlock (&sim->lock);
}

static gboolean
mqtt_parse_url (Simulate  *sim,
                gboolean  *tls,
                GError   **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  uri = g_uri_parse (sim->mqtt_url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return FALSE;

  scheme = g_uri_get_scheme (uri);
  *tls = g_ascii_strcasecmp (scheme, "mqtts") == 0;
  if ((!*tls && g_ascii_strcasecmp (scheme, "mqtt") != 0) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "--mqtt-url: expected mqtt://HOST[:PORT] or mqtts://HOST[:PORT]");
      return FALSE;
    }

  sim->host = g_strdup (g_uri_get_host (uri));
  sim->port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : (*tls ? 8883 : 1883);
  return TRUE;
}

static gboolean
mqtt_open (Simulate  *sim,
           GError   **error)
{
  const char *password = g_getenv ("WARDWATCH_MQTT_PASSWORD");
  gboolean tls = FALSE;
  gint64 deadline;
  int rc;

  if (!mqtt_parse_url (sim, &tls, error))
    return FALSE;

  mosquitto_lib_init ();

  /* With a client id the session is persistent (the broker keeps what it
   * owes us across a restart); without one it is a clean session.  Either
   * way libmosquitto resends unacknowledged messages after a reconnection.
   */
  sim->mosq = mosquitto_new (sim->client_id, sim->client_id == NULL, sim);
  if (sim->mosq == NULL)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "Cannot create the MQTT client: %s", g_strerror (errno));
      return FALSE;
    }

  mosquitto_int_option (sim->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  /* Never 0 (unlimited): libmosquitto's queue is then quadratic. */
  mosquitto_max_inflight_messages_set (sim->mosq, MQTT_WINDOW);
  mosquitto_reconnect_delay_set (sim->mosq, 1, 8, true);
  mosquitto_connect_callback_set (sim->mosq, mqtt_connect_cb);
  mosquitto_disconnect_callback_set (sim->mosq, mqtt_disconnect_cb);
  mosquitto_publish_callback_set (sim->mosq, mqtt_publish_cb);

  if (sim->username != NULL)
    mosquitto_username_pw_set (sim->mosq, sim->username, password);

  if (tls)
    {
      if (sim->ca_file == NULL && sim->ca_path == NULL)
        mosquitto_int_option (sim->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
      rc = mosquitto_tls_set (sim->mosq, sim->ca_file, sim->ca_path, sim->cert_file,
                              sim->key_file, NULL);
      if (rc != MOSQ_ERR_SUCCESS)
        {
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "TLS setup failed: %s", mosquitto_strerror (rc));
          return FALSE;
        }
    }

  rc = mosquitto_connect (sim->mosq, sim->host, sim->port, 30);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot connect to %s:%d: %s",
                   sim->host, sim->port,
                   rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc));
      return FALSE;
    }

  sim->connack = -1;
  rc = mosquitto_loop_start (sim->mosq);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot start the MQTT loop: %s",
                   mosquitto_strerror (rc));
      return FALSE;
    }

  deadline = g_get_monotonic_time () + CONNECT_TIMEOUT_SEC * G_USEC_PER_SEC;
  g_mutex_lock (&sim->lock);
  while (sim->connack < 0 && g_cond_wait_until (&sim->cond, &sim->lock, deadline))
    ;
  rc = sim->connack;
  g_mutex_unlock (&sim->lock);

  if (rc != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s:%d: %s", sim->host, sim->port,
                   rc < 0 ? "no CONNACK" : mosquitto_connack_string (rc));
      return FALSE;
    }

  return TRUE;
}

static gboolean
mqtt_send (Simulate             *sim,
           const DeviceMessage  *message,
           GError              **error)
{
  g_autofree char *topic = g_strdup_printf ("devices/%s/messages/events/", message->device_id);
  gint64 deadline = g_get_monotonic_time () + (gint64) sim->timeout * G_USEC_PER_SEC;
  int rc;

  for (;;)
    {
      /* A window of messages in flight; while the broker is away, wait
       * for libmosquitto to reconnect and resend them.
       */
      g_mutex_lock (&sim->lock);
      while ((sim->outstanding >= MQTT_WINDOW || !sim->connected) && !interrupted)
        {
          if (!g_cond_wait_until (&sim->cond, &sim->lock, deadline))
            {
              g_mutex_unlock (&sim->lock);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "No progress for %d s (%s:%d %s)", sim->timeout, sim->host,
                           sim->port, sim->connected ? "does not acknowledge" : "is unreachable");
              return FALSE;
            }
        }
      if (interrupted)
        {
          g_mutex_unlock (&sim->lock);
          return TRUE;
        }
      sim->outstanding++;
      g_mutex_unlock (&sim->lock);

      rc = mosquitto_publish (sim->mosq, NULL, topic, (int) strlen (message->payload),
                              message->payload, 1, false);

      g_mutex_lock (&sim->lock);
      if (rc == MOSQ_ERR_SUCCESS)
        sim->sent++;
      else
        sim->outstanding--;
      g_mutex_unlock (&sim->lock);

      if (rc == MOSQ_ERR_SUCCESS)
        return TRUE;

      if (rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_CONN_LOST)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Publish failed: %s",
                       mosquitto_strerror (rc));
          return FALSE;
        }

      /* Lost between the check and the publish: wait and try again. */
      g_usleep (10 * 1000);
    }
}

static void
mqtt_finish (Simulate *sim)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) sim->timeout * G_USEC_PER_SEC;
  guint64 last_acked;

  if (sim->mosq == NULL)
    return;

  /* Every PUBACK before we say so; the deadline moves while acks come. */
  g_mutex_lock (&sim->lock);
  last_acked = sim->acked;
  while (sim->outstanding > 0)
    {
      if (!g_cond_wait_until (&sim->cond, &sim->lock, deadline))
        {
          if (sim->acked == last_acked)
            break;
        }
      if (sim->acked != last_acked)
        {
          last_acked = sim->acked;
          deadline = g_get_monotonic_time () + (gint64) sim->timeout * G_USEC_PER_SEC;
        }
    }
  if (sim->outstanding > 0)
    {
      g_printerr ("wardwatch-cli simulate: %" G_GUINT64_FORMAT " messages not acknowledged\n",
                  sim->outstanding);
      sim->errors += sim->outstanding;
    }
  g_mutex_unlock (&sim->lock);

  mosquitto_disconnect (sim->mosq);
  mosquitto_loop_stop (sim->mosq, false);
  g_clear_pointer (&sim->mosq, mosquitto_destroy);
  mosquitto_lib_cleanup ();
}

static const Transport mqtt_transport = { mqtt_open, mqtt_send, mqtt_finish };

/* HL7 v2: IHE PCD-01 ORU^R01 */

typedef struct
{
  const char *member;       /* in the simulator's JSON */
  const char *code;         /* OBX-3 */
  const char *containment;  /* OBX-4: MDS.VMD.CHAN.METRIC */
  const char *unit;         /* OBX-6 */
  gboolean    spot;         /* OBX-17 APERIODIC */
} Metric;

static const Metric metrics[] = {
  { "heartRate", "147842^MDC_ECG_HEART_RATE^MDC", "1.1.1.1", "264864^MDC_DIM_BEAT_PER_MIN^MDC", FALSE },
  { "respiratoryRate", "151562^MDC_RESP_RATE^MDC", "1.2.1.1", "264928^MDC_DIM_RESP_PER_MIN^MDC", FALSE },
  { "spo2", "150456^MDC_PULS_OXIM_SAT_O2^MDC", "1.3.1.1", "262688^MDC_DIM_PERCENT^MDC", FALSE },
  { "systolic", "150301^MDC_PRESS_CUFF_SYS^MDC", "1.4.1.1", "266016^MDC_DIM_MMHG^MDC", TRUE },
  { "diastolic", "150302^MDC_PRESS_CUFF_DIA^MDC", "1.4.1.2", "266016^MDC_DIM_MMHG^MDC", TRUE },
  { "mean", "150303^MDC_PRESS_CUFF_MEAN^MDC", "1.4.1.3", "266016^MDC_DIM_MMHG^MDC", TRUE },
  { "temperature", "150344^MDC_TEMP^MDC", "1.5.1.1", "268192^MDC_DIM_DEGC^MDC", TRUE },
};

/* HL7 escapes for text inside a field or component. */
static char *
hl7_escape (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text ? text : ""; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '|': g_string_append (out, "\\F\\"); break;
        case '^': g_string_append (out, "\\S\\"); break;
        case '&': g_string_append (out, "\\T\\"); break;
        case '~': g_string_append (out, "\\R\\"); break;
        case '\\': g_string_append (out, "\\E\\"); break;
        case '\r': case '\n': g_string_append_c (out, ' '); break;
        default: g_string_append_c (out, *p); break;
        }
    }

  return g_string_free (out, FALSE);
}

static char *
hl7_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
  g_autofree char *base = g_date_time_format (utc, "%Y%m%d%H%M%S");

  return g_strdup_printf ("%s.%03d+0000", base, g_date_time_get_microsecond (utc) / 1000);
}

/* Appends one segment: the fields joined by '|', ended by '\r'.  NULL
 * fields are empty.
 */
static void
append_segment (GString            *out,
                const char * const *fields,
                guint               n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      if (i > 0)
        g_string_append_c (out, '|');
      if (fields[i] != NULL)
        g_string_append (out, fields[i]);
    }
  g_string_append_c (out, '\r');
}

static char *
format_value (JsonNode *node)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));

  return g_strdup (g_ascii_dtostr (buf, sizeof buf, json_node_get_double (node)));
}

static gboolean
is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

/* Encodes a simulator message as an ORU^R01, or returns NULL when the
 * JSON cannot be read (the simulator's truncated messages).  *control_id
 * gets MSH-10.
 */
static char *
encode_oru (Simulate             *sim,
            const DeviceMessage  *message,
            guint64               serial,
            char                **control_id)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) measured = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *msh7 = NULL;
  g_autofree char *obx14 = NULL;
  g_autofree char *ctrl = NULL;
  g_autofree char *ctrl_esc = NULL;
  g_autofree char *placer = NULL;
  g_autofree char *pid3 = NULL;
  g_autofree char *pid5 = NULL;
  g_autofree char *pv1_3 = NULL;
  g_autofree char *obx18 = NULL;
  const WardSimBed *bed;
  const char *when;
  JsonObject *obj;
  GString *out;
  guint n_obx = 0;

  if (!json_parser_load_from_data (parser, message->payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;

  obj = json_node_get_object (json_parser_get_root (parser));
  when = json_object_get_string_member_with_default (obj, "measuredAt", NULL);
  if (when == NULL || (measured = g_date_time_new_from_iso8601 (when, NULL)) == NULL)
    return NULL;

  bed = ward_simulator_get_bed (sim->simulator, message->bed_index);

  ctrl = g_strdup_printf ("%s-%" G_GUINT64_FORMAT, message->device_id, serial);
  ctrl_esc = hl7_escape (ctrl);
  msh7 = hl7_time (now);
  obx14 = hl7_time (measured);

  {
    g_autofree char *id = hl7_escape (message->patient_id);
    g_autofree char *name = hl7_escape (bed->patient_name);
    g_autofree char *bed_id = hl7_escape (bed->bed_id);
    g_autofree char *device = hl7_escape (message->device_id);
    const char *space = bed->patient_name ? strrchr (bed->patient_name, ' ') : NULL;

    pid3 = g_strdup_printf ("%s^^^WARDWATCH^PI", id);
    if (space != NULL)
      {
        g_autofree char *given = g_strndup (bed->patient_name, space - bed->patient_name);
        g_autofree char *given_esc = hl7_escape (given);
        g_autofree char *family_esc = hl7_escape (space + 1);

        pid5 = g_strdup_printf ("%s^%s", family_esc, given_esc);
      }
    else
      pid5 = g_strdup (name);
    pv1_3 = g_strdup_printf ("WARD^^%s", bed_id);
    /* OBX-18: the device, as EI (entity id ^ namespace). */
    obx18 = g_strdup_printf ("%s^WARDWATCH_SIM", device);
  }
  placer = g_strdup_printf ("%s^WARDWATCH_SIM", ctrl_esc);

  out = g_string_new (NULL);

  {
    /* MSH-1 is the field separator itself, so the array starts at MSH-2. */
    const char *msh[] = {
      "MSH", "^~\\&", "WARDWATCH_SIM", "WARDWATCH", "WARDWATCH", "WARDWATCH", msh7, NULL,
      "ORU^R01^ORU_R01", ctrl_esc, "P", "2.6", NULL, NULL, "AL", "NE", NULL, "UNICODE UTF-8",
      NULL, NULL, "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO",
    };
    const char *pid[] = { "PID", NULL, NULL, pid3, NULL, pid5 };
    const char *pv1[] = { "PV1", NULL, "I", pv1_3 };
    const char *obr[] = {
      "OBR", "1", placer, placer, "182777000^monitoring of patient^SNOMED-CT", NULL, NULL, obx14,
    };

    append_segment (out, msh, G_N_ELEMENTS (msh));
    append_segment (out, pid, G_N_ELEMENTS (pid));
    append_segment (out, pv1, G_N_ELEMENTS (pv1));
    append_segment (out, obr, G_N_ELEMENTS (obr));
  }

  for (guint i = 0; i < G_N_ELEMENTS (metrics); i++)
    {
      JsonNode *node = json_object_get_member (obj, metrics[i].member);
      g_autofree char *set_id = NULL;
      g_autofree char *value = NULL;

      if (!is_number (node))
        continue;

      set_id = g_strdup_printf ("%u", ++n_obx);
      value = format_value (node);

      {
        /* OBX-1 … OBX-18 */
        const char *obx[] = {
          "OBX", set_id, "NM", metrics[i].code, metrics[i].containment, value, metrics[i].unit,
          NULL, NULL, NULL, NULL, "R", NULL, NULL, obx14, NULL, NULL,
          metrics[i].spot ? "^APERIODIC" : NULL, obx18,
        };

        append_segment (out, obx, G_N_ELEMENTS (obx));
      }
    }

  if (n_obx == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }

  *control_id = g_steal_pointer (&ctrl);
  return g_string_free (out, FALSE);
}

static gboolean
mllp_connect (Simulate  *sim,
              GError   **error)
{
  g_clear_object (&sim->connection);
  g_byte_array_set_size (sim->inbuf, 0);

  sim->connection = g_socket_client_connect_to_host (sim->client, sim->mllp, 0, NULL, error);
  if (sim->connection == NULL)
    {
      g_prefix_error (error, "Cannot connect to %s: ", sim->mllp);
      return FALSE;
    }

  return TRUE;
}

static gboolean
mllp_open (Simulate  *sim,
           GError   **error)
{
  g_autoptr(GSocketConnectable) address = NULL;

  address = g_network_address_parse (sim->mllp, 0, error);
  if (address == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (address)) == 0)
    {
      g_clear_error (error);
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "--mllp: expected HOST:PORT, got “%s”", sim->mllp);
      return FALSE;
    }

  sim->inbuf = g_byte_array_new ();
  sim->client = g_socket_client_new ();
  /* Also the I/O timeout: an ACK that does not come within it is an error. */
  g_socket_client_set_timeout (sim->client, (guint) sim->timeout);

  return mllp_connect (sim, error);
}

/* Reads one MLLP frame into a string (without the framing bytes). */
static char *
mllp_read_frame (Simulate  *sim,
                 GError   **error)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (sim->connection));

  for (;;)
    {
      guint8 buf[4096];
      gssize n;

      for (guint i = 0; i + 1 < sim->inbuf->len; i++)
        {
          if (sim->inbuf->data[i] == 0x1c && sim->inbuf->data[i + 1] == 0x0d)
            {
              guint start = 0;
              char *frame;

              while (start < i && sim->inbuf->data[start] != 0x0b)
                start++;
              if (start < i)
                start++;
              frame = g_strndup ((const char *) sim->inbuf->data + start, i - start);
              g_byte_array_remove_range (sim->inbuf, 0, i + 2);
              return frame;
            }
        }

      n = g_input_stream_read (in, buf, sizeof buf, NULL, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                               "The listener closed the connection");
          return NULL;
        }
      g_byte_array_append (sim->inbuf, buf, (guint) n);
    }
}

/* MSA-1 and MSA-2 of an ACK. */
static gboolean
parse_ack (const char  *frame,
           char       **code,
           char       **control_id)
{
  g_auto(GStrv) segments = g_strsplit_set (frame, "\r\n", -1);

  for (guint i = 0; segments[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;

      if (!g_str_has_prefix (segments[i], "MSA|"))
        continue;

      fields = g_strsplit (segments[i], "|", -1);
      if (g_strv_length (fields) < 3)
        return FALSE;

      *code = g_strdup (fields[1]);
      *control_id = g_strdup (fields[2]);
      return TRUE;
    }

  return FALSE;
}

static gboolean
mllp_exchange (Simulate    *sim,
               const char  *framed,
               gsize        length,
               const char  *control_id,
               GError     **error)
{
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (sim->connection));

  if (!g_output_stream_write_all (out, framed, length, NULL, NULL, error))
    return FALSE;

  for (;;)
    {
      g_autofree char *frame = NULL;
      g_autofree char *code = NULL;
      g_autofree char *acked_id = NULL;

      frame = mllp_read_frame (sim, error);
      if (frame == NULL)
        return FALSE;

      if (!parse_ack (frame, &code, &acked_id))
        {
          g_printerr ("wardwatch-cli simulate: a reply without MSA segment\n");
          sim->errors++;
          return TRUE;
        }

      /* An ACK for an earlier message (one resent after a reconnection). */
      if (g_strcmp0 (acked_id, control_id) != 0)
        continue;

      if (g_str_equal (code, "AA") || g_str_equal (code, "CA"))
        {
          sim->n_aa++;
          sim->acked++;
        }
      else if (g_str_equal (code, "AE") || g_str_equal (code, "CE"))
        {
          sim->n_ae++;
          sim->errors++;
        }
      else
        {
          sim->n_ar++;
          sim->errors++;
        }

      return TRUE;
    }
}

static gboolean
mllp_send (Simulate             *sim,
           const DeviceMessage  *message,
           GError              **error)
{
  g_autofree char *control_id = NULL;
  g_autofree char *oru = NULL;
  g_autoptr(GString) framed = NULL;

  oru = encode_oru (sim, message, sim->sent + sim->skipped + 1, &control_id);
  if (oru == NULL)
    {
      sim->skipped++;
      return TRUE;
    }

  framed = g_string_new ("\x0b");
  g_string_append (framed, oru);
  g_string_append (framed, "\x1c\x0d");
  sim->sent++;

  /* A connection lost before the ACK: reconnect and send again.  The
   * listener may then have the message twice; MLLP has no better.
   */
  for (guint attempt = 0; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;

      if (sim->connection != NULL &&
          mllp_exchange (sim, framed->str, framed->len, control_id, &local_error))
        return TRUE;

      if (attempt == MLLP_RETRIES || interrupted)
        {
          sim->errors++;
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "No connection to %s", sim->mllp);
          return FALSE;
        }

      if (local_error != NULL)
        g_printerr ("wardwatch-cli simulate: %s; reconnecting\n", local_error->message);
      g_usleep (G_USEC_PER_SEC);
      g_clear_error (&local_error);
      if (!mllp_connect (sim, &local_error))
        g_printerr ("wardwatch-cli simulate: %s\n", local_error->message);
    }
}

static void
mllp_finish (Simulate *sim)
{
  if (sim->connection != NULL)
    g_io_stream_close (G_IO_STREAM (sim->connection), NULL, NULL);
  g_clear_object (&sim->connection);
  g_clear_object (&sim->client);
  g_clear_pointer (&sim->inbuf, g_byte_array_unref);

  if (sim->sent + sim->skipped == 0)
    return;

  g_printerr ("wardwatch-cli simulate: ACKs: AA %" G_GUINT64_FORMAT ", AE %" G_GUINT64_FORMAT
              ", AR %" G_GUINT64_FORMAT "; skipped (unreadable) %" G_GUINT64_FORMAT "\n",
              sim->n_aa, sim->n_ae, sim->n_ar, sim->skipped);
}

static const Transport mllp_transport = { mllp_open, mllp_send, mllp_finish };

/* The run */

static gint64
start_time (Simulate  *sim,
            GError   **error)
{
  gint64 now = g_get_real_time ();
  gint64 span;

  if (sim->start != NULL)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (sim->start, NULL);

      if (dt == NULL)
        {
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "--start: “%s” is not an ISO 8601 time with a zone", sim->start);
          return 0;
        }
      return g_date_time_to_unix (dt) * WARD_USEC_PER_SEC + g_date_time_get_microsecond (dt);
    }

  if (sim->time_scale > 0)
    return now;

  /* As fast as possible: end about now.  A monitor sends about one
   * message every 5 s (vitals), plus NIBP and temperature.
   */
  if (sim->duration > 0)
    span = (gint64) (sim->duration * WARD_USEC_PER_SEC);
  else if (sim->count > 0)
    span = (gint64) ((double) sim->count * 5.0 / sim->beds * 1.05 * WARD_USEC_PER_SEC)
           + WARD_USEC_PER_MINUTE;
  else
    span = WARD_USEC_PER_HOUR;

  return now - span;
}

static gboolean
run (Simulate  *sim,
     GError   **error)
{
  g_autoptr(GArray) batch = g_array_new (FALSE, TRUE, sizeof (DeviceMessage));
  gint64 sim_start, sim_end, position;
  gint64 mono_start;
  guint64 n = 0;

  g_array_set_clear_func (batch, (GDestroyNotify) device_message_clear);

  sim_start = start_time (sim, error);
  if (sim_start == 0)
    return FALSE;
  sim_end = sim->duration > 0 ? sim_start + (gint64) (sim->duration * WARD_USEC_PER_SEC)
                              : G_MAXINT64;

  sim->simulator = ward_simulator_new ((guint) sim->beds, (guint64) sim->seed, sim_start,
                                       NULL, NULL, error);
  if (sim->simulator == NULL)
    return FALSE;

  if (!sim->transport->open (sim, error))
    {
      sim->transport->finish (sim);
      return FALSE;
    }

  mono_start = g_get_monotonic_time ();
  position = sim_start;

  while (!interrupted && position < sim_end && (sim->count <= 0 || n < (guint64) sim->count))
    {
      gint64 until = MIN (position + CHUNK_USEC, sim_end);

      g_array_set_size (batch, 0);
      ward_simulator_advance (sim->simulator, until, collect_cb, batch);

      for (guint i = 0; i < batch->len && !interrupted; i++)
        {
          const DeviceMessage *message = &g_array_index (batch, DeviceMessage, i);

          if (sim->count > 0 && n >= (guint64) sim->count)
            break;

          if (sim->time_scale > 0)
            sleep_until (mono_start + (gint64) ((message->at - sim_start) / sim->time_scale));
          if (sim->rate_limit > 0)
            sleep_until (mono_start + (gint64) (n / sim->rate_limit * G_USEC_PER_SEC));
          if (interrupted)
            break;

          if (!sim->transport->send (sim, message, error))
            {
              sim->transport->finish (sim);
              return FALSE;
            }
          n++;
        }

      position = until;
    }

  sim->transport->finish (sim);
  return TRUE;
}

static void
print_summary (Simulate *sim)
{
  g_print ("{\"sent\":%" G_GUINT64_FORMAT ",\"acked\":%" G_GUINT64_FORMAT
           ",\"errors\":%" G_GUINT64_FORMAT "}\n",
           sim->sent, sim->acked, sim->errors);
  fflush (stdout);
}

static void
simulate_clear (Simulate *sim)
{
  g_free (sim->mqtt_url);
  g_free (sim->mllp);
  g_free (sim->start);
  g_free (sim->client_id);
  g_free (sim->ca_file);
  g_free (sim->ca_path);
  g_free (sim->cert_file);
  g_free (sim->key_file);
  g_free (sim->username);
  g_free (sim->host);
  g_clear_object (&sim->simulator);
  g_mutex_clear (&sim->lock);
  g_cond_clear (&sim->cond);
}

int
ward_cli_simulate (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Simulate sim = { 0 };
  struct sigaction action = { 0 };
  gboolean ok;
  const GOptionEntry entries[] = {
    { "mqtt-url", 0, 0, G_OPTION_ARG_STRING, &sim.mqtt_url,
      "Publish to this MQTT broker", "mqtt[s]://HOST[:PORT]" },
    { "mllp", 0, 0, G_OPTION_ARG_STRING, &sim.mllp,
      "Send ORU^R01 to this MLLP listener", "HOST:PORT" },
    { "beds", 0, 0, G_OPTION_ARG_INT, &sim.beds, "Number of beds (default 16)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &sim.seed, "Simulation seed (default 1)", "N" },
    { "time-scale", 0, 0, G_OPTION_ARG_DOUBLE, &sim.time_scale,
      "Simulated seconds per real second (default 1; 0: as fast as possible)", "X" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &sim.duration,
      "Stop after this much simulated time (default: no limit)", "SECONDS" },
    { "count", 0, 0, G_OPTION_ARG_INT64, &sim.count,
      "Stop after N device messages (default: no limit)", "N" },
    { "rate-limit", 0, 0, G_OPTION_ARG_DOUBLE, &sim.rate_limit,
      "Send at most this many messages per second (default: no limit)", "PER_SECOND" },
    { "start", 0, 0, G_OPTION_ARG_STRING, &sim.start,
      "Simulated start time (default: see above)", "ISO8601" },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &sim.client_id,
      "MQTT client id; with one the session is persistent (default: a clean session)", "ID" },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &sim.ca_file,
      "mqtts: CA certificates file (default: the system's)", "FILE" },
    { "capath", 0, 0, G_OPTION_ARG_FILENAME, &sim.ca_path, "mqtts: CA certificates folder", "DIR" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &sim.cert_file, "mqtts: client certificate", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &sim.key_file, "mqtts: client key", "FILE" },
    { "username", 0, 0, G_OPTION_ARG_STRING, &sim.username, "MQTT user name", "NAME" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &sim.timeout,
      "Give up after this long without progress (default 60)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };

  g_mutex_init (&sim.lock);
  g_cond_init (&sim.cond);
  sim.beds = 16;
  sim.seed = 1;
  sim.time_scale = 1.0;
  sim.timeout = 60;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      simulate_clear (&sim);
      return 2;
    }

  if ((sim.mqtt_url == NULL) == (sim.mllp == NULL) || argc > 1 ||
      sim.beds < 1 || sim.seed < 0 || sim.time_scale < 0 || !isfinite (sim.time_scale) ||
      sim.duration < 0 || sim.count < 0 || sim.rate_limit < 0 || sim.timeout < 1 ||
      (sim.mllp != NULL && (sim.client_id || sim.ca_file || sim.ca_path || sim.cert_file ||
                            sim.key_file || sim.username)))
    {
      g_printerr ("%s: give exactly one of --mqtt-url and --mllp, and positive numbers "
                  "(MQTT options only with --mqtt-url); see --help\n", g_get_prgname ());
      simulate_clear (&sim);
      return 2;
    }

  sim.transport = sim.mqtt_url != NULL ? &mqtt_transport : &mllp_transport;

  /* Ctrl-C ends the run cleanly: what was sent is still waited for. */
  action.sa_handler = interrupt_handler;
  sigemptyset (&action.sa_mask);
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);

  ok = run (&sim, &error);
  if (!ok)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      if (error->domain == WARD_CLI_ERROR || error->domain == WARD_SIMULATOR_ERROR)
        {
          simulate_clear (&sim);
          return 2;
        }
    }

  print_summary (&sim);

  ok = ok && sim.errors == 0 && sim.acked == sim.sent;
  simulate_clear (&sim);

  return ok ? 0 : 1;
}
