/* ward-cli-replay.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-replay"

#include "config.h"

#include "ward-cli.h"
#include "ward-engine.h"
#include "ward-fhir-template.h"
#include "ward-policy.h"
#include "ward-ward-file.h"

#include <json-glib/json-glib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* `wardwatch-cli replay` plays a scenario through a fresh engine on the
 * events' own clock, so that a clinical safety officer can check what
 * the scoring and the flag rules make of it without waiting for a ward.
 *
 * WardEngine is synchronous and knows no clock: the replay drives it as
 * the pipeline thread does, one transaction per step (begin, the event,
 * evaluate, commit), and evaluates at every 5 s of scenario time between
 * events as the pipeline's ticks would, so that values age out of their
 * windows and the flag rules' sustain delays run out as on a live ward.
 * After each step it prints a line for every patient whose score or flag
 * changed.
 */

static const char summary[] =
  "Replays a scenario: one event per line of EVENTS (a file, or - for standard input),\n"
  "in time order, on a fresh in-memory ward (or --db):\n"
  "  {\"at\":\"2026-03-02T10:00:00Z\",\"device\":\"ID\",\"message\":{…a device message…}}\n"
  "  {\"at\":…,\"nurse\":{\"patient\":\"ID\",\"by\":\"STAFF\",\"rr\":28,\"spo2\":91,\"on_oxygen\":true,\n"
  "                   \"o2_flow\":2,\"hr\":118,\"sbp\":104,\"temp\":38.5,\"consciousness\":\"C\"}}\n"
  "  {\"at\":…,\"confirm\":{\"patient\":\"ID\",\"by\":\"STAFF\"}}\n"
  "A nurse round has any of its values.  Writes one JSON line per patient each time\n"
  "their score or flag changes:\n"
  "  {\"at\":…,\"patient\":\"ID\",\"bed\":\"ID\",\"total\":N,\"band\":\"…\",\"complete\":BOOL,\n"
  "   \"final\":BOOL,\"per_param\":{…},\"inputs\":{\"rr\":{\"value\":28,\"source\":\"nurse\",\n"
  "   \"observed_at\":\"…\",\"age_s\":40},…},\"flag\":null|{\"state\":\"…\",\"priority\":\"…\"}}\n"
  "Bad event lines are reported on standard error with their line number and skipped.\n"
  "Exit status: 0 if every line was used, 1 if any line was bad, 2 if the replay could\n"
  "not start (options, ward file, device mapping, database).";

/* The pipeline's tick is 50 ms of real time; scoring's own step is 5 s
 * of ward time (see docs/ARCHITECTURE.md), which is what is replayed.
 */
#define REPLAY_STEP_USEC (5 * WARD_USEC_PER_SEC)

/* What was last printed for a patient: a line is printed when this
 * changes.
 */
typedef struct
{
  gboolean       printed;
  gboolean       has_score;
  int            total;
  WardBand       band;
  gboolean       complete;
  gboolean       final;
  int            points[WARD_NEWS2_N_PARAMS];
  WardFlagState  flag_state;
  WardBand       flag_band;
} Shown;

typedef struct
{
  const char    *events_name;
  WardStore     *store;
  WardEngine    *engine;
  WardWardFile  *ward;
  JsonParser    *parser;
  GArray        *shown;        /* Shown, per bed of the snapshot */
  gint64         clock;        /* the last time evaluated, 0 before the first event */
  guint64        line_number;
} Replay;

/* An event, checked before anything of it reaches the engine. */
typedef enum
{
  EVENT_DEVICE,
  EVENT_NURSE,
  EVENT_CONFIRM,
} EventKind;

typedef struct
{
  EventKind   kind;
  gint64      at;
  const char *device_id;      /* DEVICE */
  char       *payload;        /* DEVICE: the message as JSON text */
  const char *patient_id;     /* NURSE, CONFIRM */
  const char *by;             /* NURSE, CONFIRM */
  GArray     *entries;        /* NURSE: WardNurseEntry */
} Event;

static void
event_clear (Event *event)
{
  g_clear_pointer (&event->payload, g_free);
  g_clear_pointer (&event->entries, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Event, event_clear)

static gboolean G_GNUC_PRINTF (2, 3)
set_bad (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                                                format, args));
  va_end (args);
  return FALSE;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING || *json_node_get_string (node) == '\0')
    return NULL;

  return json_node_get_string (node);
}

/* patient and by, shared by nurse rounds and confirmations. */
static gboolean
read_patient_and_by (Replay      *self,
                     const char  *kind,
                     JsonObject  *object,
                     Event       *event,
                     GError     **error)
{
  if (!(event->patient_id = member_string (object, "patient")))
    return set_bad (error, "%s.patient (a patient id) is required", kind);
  if (!(event->by = member_string (object, "by")))
    return set_bad (error, "%s.by (who entered it) is required", kind);
  if (ward_ward_file_find_patient (self->ward, event->patient_id) == NULL)
    return set_bad (error, "unknown patient “%s”: not in the ward file", event->patient_id);

  return TRUE;
}

static void
add_entry (Event        *event,
           WardMeasKind  kind,
           double        value)
{
  WardNurseEntry entry = { kind, value };

  g_array_append_val (event->entries, entry);
}

/* A nurse round: any subset of the values `wardwatch-cli score` reads,
 * plus o2_flow.  Anything else is a mistake in the scenario (a typo
 * would otherwise drop a value silently).
 */
static gboolean
read_nurse (Replay      *self,
            JsonObject  *object,
            Event       *event,
            GError     **error)
{
  static const char * const known[] = {
    "patient", "by", "rr", "spo2", "on_oxygen", "o2_flow", "hr", "sbp", "temp", "consciousness",
    NULL
  };
  g_autoptr(GList) members = json_object_get_members (object);
  WardNews2Input input;
  JsonNode *flow;

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (known, l->data))
      return set_bad (error, "nurse: unknown member “%s”", (const char *) l->data);

  if (!read_patient_and_by (self, "nurse", object, event, error))
    return FALSE;

  if (!ward_cli_parse_vitals (object, &input, error))
    {
      g_prefix_error (error, "nurse.");
      return FALSE;
    }

  event->entries = g_array_new (FALSE, FALSE, sizeof (WardNurseEntry));
  if (input.has_rr)
    add_entry (event, WARD_MEAS_RR, input.rr);
  if (input.has_spo2)
    add_entry (event, WARD_MEAS_SPO2, input.spo2);
  if (input.has_air_or_oxygen)
    add_entry (event, WARD_MEAS_ON_OXYGEN, input.on_oxygen ? 1 : 0);
  if ((flow = json_object_get_member (object, "o2_flow")) != NULL && !JSON_NODE_HOLDS_NULL (flow))
    {
      GType type = JSON_NODE_HOLDS_VALUE (flow) ? json_node_get_value_type (flow) : G_TYPE_INVALID;
      double value;

      if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
        return set_bad (error, "nurse.o2_flow: expected a number (L/min)");
      value = json_node_get_double (flow);
      if (value > 0 && input.has_air_or_oxygen && !input.on_oxygen)
        return set_bad (error, "nurse.o2_flow: a flow of %g L/min while on_oxygen is false", value);
      add_entry (event, WARD_MEAS_O2_FLOW, value);
    }
  if (input.has_sbp)
    add_entry (event, WARD_MEAS_SBP, input.sbp);
  if (input.has_hr)
    add_entry (event, WARD_MEAS_HR, input.hr);
  if (input.has_consciousness)
    add_entry (event, WARD_MEAS_CONSCIOUSNESS, input.consciousness);
  if (input.has_temp)
    add_entry (event, WARD_MEAS_TEMP, input.temp);

  if (event->entries->len == 0)
    return set_bad (error, "nurse: no values (rr, spo2, on_oxygen, o2_flow, hr, sbp, temp, "
                           "consciousness)");

  return TRUE;
}

/* Reads one line into @event; FALSE with the reason when it is bad. */
static gboolean
read_event (Replay      *self,
            const char  *line,
            gsize        length,
            Event       *event,
            GError     **error)
{
  g_autoptr(GList) members = NULL;
  JsonObject *object, *body;
  JsonNode *root, *node;
  const char *kind = NULL;
  const char *at;

  if (length != strlen (line))
    return set_bad (error, "not valid JSON: contains a NUL byte");
  if (!g_utf8_validate (line, length, NULL))
    return set_bad (error, "not valid JSON: not UTF-8 text");
  if (!json_parser_load_from_data (self->parser, line, length, error))
    {
      g_prefix_error (error, "not valid JSON: ");
      return FALSE;
    }
  root = json_parser_get_root (self->parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return set_bad (error, "expected a JSON object");
  object = json_node_get_object (root);

  if (!(at = member_string (object, "at")) || !ward_time_parse_iso8601 (at, &event->at))
    return set_bad (error, "\"at\": expected a time such as \"2026-03-02T10:00:00Z\"");

  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (strcmp (name, "at") == 0 || strcmp (name, "message") == 0)
        continue;
      if (kind != NULL)
        return set_bad (error, "one event per line: both “%s” and “%s”", kind, name);
      kind = name;
    }

  if (g_strcmp0 (kind, "device") == 0)
    {
      event->kind = EVENT_DEVICE;
      if (!(event->device_id = member_string (object, "device")))
        return set_bad (error, "device: expected a device id (a string)");
      node = json_object_get_member (object, "message");
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        return set_bad (error, "message: expected the device message (a JSON object)");
      event->payload = json_to_string (node, FALSE);
      return TRUE;
    }

  if (json_object_has_member (object, "message"))
    return set_bad (error, "\"message\" belongs to a device event");

  if (kind == NULL)
    return set_bad (error, "unknown kind of event: expected \"device\", \"nurse\" or \"confirm\"");
  if (strcmp (kind, "nurse") != 0 && strcmp (kind, "confirm") != 0)
    return set_bad (error, "unknown kind of event “%s”: expected \"device\", \"nurse\" or "
                           "\"confirm\"", kind);

  node = json_object_get_member (object, kind);
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_bad (error, "%s: expected an object", kind);
  body = json_node_get_object (node);

  if (strcmp (kind, "nurse") == 0)
    {
      event->kind = EVENT_NURSE;
      return read_nurse (self, body, event, error);
    }

  event->kind = EVENT_CONFIRM;
  {
    g_autoptr(GList) names = json_object_get_members (body);

    for (GList *l = names; l != NULL; l = l->next)
      if (strcmp (l->data, "patient") != 0 && strcmp (l->data, "by") != 0)
        return set_bad (error, "confirm: unknown member “%s”", (const char *) l->data);
  }
  return read_patient_and_by (self, "confirm", body, event, error);
}

static void
add_time (JsonBuilder *builder,
          gint64       usec)
{
  g_autofree char *iso = ward_time_format_iso8601 (usec);

  json_builder_add_string_value (builder, iso);
}

static void
add_input (JsonBuilder  *builder,
           JsonNode     *value,
           const char   *source,
           gint64        observed_at,
           const char   *entered_by,
           gint64        now)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "value");
  json_builder_add_value (builder, value);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, source);
  json_builder_set_member_name (builder, "observed_at");
  add_time (builder, observed_at);
  json_builder_set_member_name (builder, "age_s");
  json_builder_add_int_value (builder, (now - observed_at) / WARD_USEC_PER_SEC);
  if (entered_by != NULL)
    {
      json_builder_set_member_name (builder, "entered_by");
      json_builder_add_string_value (builder, entered_by);
    }
  json_builder_end_object (builder);
}

/* What the score used, per parameter, from the snapshot's score_inputs[]
 * when the engine fills them.
 */
static gboolean
add_inputs_from_snapshot (JsonBuilder        *builder,
                          const WardBedState *bed,
                          gint64              now)
{
  gboolean any = FALSE;

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    any |= bed->score_inputs[i].valid;
  if (!any)
    return FALSE;

  json_builder_begin_object (builder);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      const WardLatestValue *v = &bed->score_inputs[i];
      g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
      char letter[2] = { 0 };

      json_builder_set_member_name (builder, ward_news2_param_to_string (i));
      if (!v->valid)
        {
          json_builder_add_null_value (builder);
          continue;
        }

      /* As the stored inputs write them: ACVPU as its letter, air or
       * oxygen as a word.
       */
      if (i == WARD_NEWS2_CONSCIOUSNESS)
        {
          letter[0] = ward_acvpu_to_letter ((WardAcvpu) v->value);
          json_node_set_string (value, letter);
        }
      else if (i == WARD_NEWS2_AIR_OR_OXYGEN)
        json_node_set_string (value, v->value != 0 ? "oxygen" : "air");
      else if (v->value == (double) (gint64) v->value)
        json_node_set_int (value, (gint64) v->value);
      else
        json_node_set_double (value, v->value);

      add_input (builder, g_steal_pointer (&value), ward_source_to_string (v->source),
                 v->observed_at, v->entered_by, now);
    }
  json_builder_end_object (builder);

  return TRUE;
}

/* The same from the inputs JSON stored with the score (scores.inputs). */
static gboolean
add_inputs_from_store (Replay              *self,
                       JsonBuilder         *builder,
                       const WardBedState  *bed,
                       gint64               now,
                       GError             **error)
{
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *params;
  JsonNode *root, *node;

  if (!ward_store_get_score_inputs (self->store, bed->patient_id, bed->score_window_end, &json,
                                    error))
    return FALSE;
  if (!json_parser_load_from_data (parser, json, -1, error))
    return FALSE;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root) ||
      !(node = json_object_get_member (json_node_get_object (root), "params")) ||
      !JSON_NODE_HOLDS_OBJECT (node))
    return set_bad (error, "the stored score of %s has no params", bed->patient_id);
  params = json_node_get_object (node);

  json_builder_begin_object (builder);
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    {
      const char *name = ward_news2_param_to_string (i);
      JsonObject *input;
      JsonNode *value;
      const char *source, *observed;
      gint64 observed_at;

      json_builder_set_member_name (builder, name);
      node = json_object_get_member (params, name);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        {
          json_builder_add_null_value (builder);
          continue;
        }
      input = json_node_get_object (node);
      value = json_object_get_member (input, "value");
      source = json_object_get_string_member_with_default (input, "source", NULL);
      observed = json_object_get_string_member_with_default (input, "observed_at", NULL);
      if (value == NULL || source == NULL ||
          !ward_time_parse_iso8601 (observed, &observed_at))
        return set_bad (error, "the stored score of %s: %s is incomplete", bed->patient_id, name);

      add_input (builder, json_node_copy (value), source, observed_at,
                 json_object_get_string_member_with_default (input, "entered_by", NULL), now);
    }
  json_builder_end_object (builder);

  return TRUE;
}

static gboolean
print_bed (Replay              *self,
           const WardBedState  *bed,
           gint64               now,
           GError             **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  int none[WARD_NEWS2_N_PARAMS];

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "at");
  add_time (builder, now);
  json_builder_set_member_name (builder, "patient");
  json_builder_add_string_value (builder, bed->patient_id);
  json_builder_set_member_name (builder, "bed");
  json_builder_add_string_value (builder, bed->bed_id);

  json_builder_set_member_name (builder, "total");
  if (bed->has_score)
    json_builder_add_int_value (builder, bed->score_total);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "band");
  if (bed->has_score)
    json_builder_add_string_value (builder, ward_band_to_string (bed->score_band));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "complete");
  json_builder_add_boolean_value (builder, bed->has_score && bed->score_complete);
  json_builder_set_member_name (builder, "final");
  json_builder_add_boolean_value (builder, bed->has_score && bed->score_final);

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    none[i] = -1;
  ward_cli_add_per_param (builder, bed->has_score ? bed->score_points : none);

  json_builder_set_member_name (builder, "inputs");
  if (!bed->has_score)
    json_builder_add_null_value (builder);
  else if (!add_inputs_from_snapshot (builder, bed, now) &&
           !add_inputs_from_store (self, builder, bed, now, error))
    return FALSE;

  /* A pending flag is not raised yet: it has a state and no priority. */
  json_builder_set_member_name (builder, "flag");
  if (bed->flag_state == WARD_FLAG_STATE_NONE)
    json_builder_add_null_value (builder);
  else
    {
      static const char * const states[] = {
        [WARD_FLAG_STATE_NONE] = "none",
        [WARD_FLAG_STATE_PENDING] = "pending",
        [WARD_FLAG_STATE_OPEN] = "open",
        [WARD_FLAG_STATE_RECOVERING] = "recovering",
      };

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "state");
      json_builder_add_string_value (builder, states[bed->flag_state]);
      json_builder_set_member_name (builder, "priority");
      if (bed->flag_state == WARD_FLAG_STATE_PENDING)
        json_builder_add_null_value (builder);
      else
        json_builder_add_string_value (builder, ward_band_to_string (bed->flag_band));
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  /* Numbers in the fewest digits that read back the same ("38.3", where
   * json-glib writes 38.299999999999997): people read these lines.
   */
  root = json_builder_get_root (builder);
  text = ward_fhir_template_to_json (root);

  if (fputs (text, stdout) == EOF || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot write to standard output: %s", g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

static gboolean
shown_equal (const Shown *a,
             const Shown *b)
{
  if (a->printed != b->printed || a->has_score != b->has_score || a->total != b->total ||
      a->band != b->band || a->complete != b->complete || a->final != b->final ||
      a->flag_state != b->flag_state || a->flag_band != b->flag_band)
    return FALSE;

  return memcmp (a->points, b->points, sizeof a->points) == 0;
}

static void
shown_from_bed (Shown              *shown,
                const WardBedState *bed)
{
  memset (shown, 0, sizeof *shown);
  shown->printed = TRUE;
  shown->has_score = bed->has_score;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    shown->points[i] = bed->has_score ? bed->score_points[i] : -1;
  if (bed->has_score)
    {
      shown->total = bed->score_total;
      shown->band = bed->score_band;
      shown->complete = bed->score_complete;
      shown->final = bed->score_final;
    }
  shown->flag_state = bed->flag_state;
  if (bed->flag_state == WARD_FLAG_STATE_OPEN || bed->flag_state == WARD_FLAG_STATE_RECOVERING)
    shown->flag_band = bed->flag_band;
}

/* Prints the patients whose score or flag changed since their last line;
 * a patient is not printed before they have a score or a flag.
 */
static gboolean
report (Replay  *self,
        gint64   now,
        GError **error)
{
  g_autoptr(WardSnapshot) snapshot = ward_engine_snapshot (self->engine, now);
  guint n = ward_snapshot_get_n_beds (snapshot);

  if (self->shown->len < n)
    g_array_set_size (self->shown, n);

  for (guint i = 0; i < n; i++)
    {
      const WardBedState *bed = ward_snapshot_get_bed (snapshot, i);
      Shown *last = &g_array_index (self->shown, Shown, i);
      Shown now_shown;

      shown_from_bed (&now_shown, bed);
      if (!last->printed && !bed->has_score && bed->flag_state == WARD_FLAG_STATE_NONE)
        continue;
      if (last->printed && shown_equal (last, &now_shown))
        continue;

      if (!print_bed (self, bed, now, error))
        return FALSE;
      *last = now_shown;
    }

  return TRUE;
}

static gboolean
evaluate_at (Replay  *self,
             gint64   now,
             GError **error)
{
  if (!ward_engine_begin (self->engine, error))
    return FALSE;
  if (!ward_engine_evaluate (self->engine, now, error) ||
      !ward_engine_commit (self->engine, error))
    {
      ward_engine_rollback (self->engine);
      return FALSE;
    }
  self->clock = now;

  return report (self, now, error);
}

/* The ward's clock from the last event to @until: a tick at every 5 s
 * boundary in between, as the pipeline scores on a live ward.
 */
static gboolean
advance_to (Replay  *self,
            gint64   until,
            GError **error)
{
  gint64 t;

  if (self->clock == 0)
    return TRUE;

  for (t = (self->clock / REPLAY_STEP_USEC + 1) * REPLAY_STEP_USEC; t < until;
       t += REPLAY_STEP_USEC)
    {
      if (!evaluate_at (self, t, error))
        return FALSE;
    }

  return TRUE;
}

/* Applies an event at its time, in one transaction with the evaluation
 * that follows.  FALSE with @bad set when the engine refused the event
 * (nothing of it stored, or a device message dead-lettered), FALSE with
 * @error set when the store failed.
 */
static gboolean
apply_event (Replay  *self,
             Event   *event,
             char   **bad,
             GError **error)
{
  g_autoptr(GError) refused = NULL;
  g_autofree char *reason = NULL;
  WardIngestOutcome outcome = WARD_INGEST_ACCEPTED;
  gboolean ok = TRUE;

  if (!advance_to (self, event->at, error) || !ward_engine_begin (self->engine, error))
    return FALSE;

  switch (event->kind)
    {
    case EVENT_DEVICE:
      ok = ward_engine_ingest (self->engine, "replay", WARD_CONTENT_TYPE_JSON, event->device_id,
                               event->payload, strlen (event->payload), event->at, &outcome,
                               &reason, error);
      /* As on a live ward: archived, the refused part dead-lettered. */
      if (ok && outcome == WARD_INGEST_REJECTED)
        *bad = g_strdup_printf ("device message refused: %s; kept as a dead letter",
                                reason != NULL ? reason : "no reason given");
      else if (ok && outcome == WARD_INGEST_PARTIAL)
        *bad = g_strdup_printf ("device message partly refused: %s; its other values were used",
                                reason != NULL ? reason : "no reason given");
      break;
    case EVENT_NURSE:
      if (!ward_engine_nurse_entries (self->engine, event->patient_id,
                                      (const WardNurseEntry *) event->entries->data,
                                      event->entries->len, event->at, event->by, &refused))
        {
          if (refused->domain == WARD_ENGINE_ERROR)
            *bad = g_strdup_printf ("nurse round refused: %s; line skipped", refused->message);
          else
            ok = FALSE, g_propagate_error (error, g_steal_pointer (&refused));
        }
      break;
    case EVENT_CONFIRM:
      if (!ward_engine_confirm (self->engine, event->patient_id, event->at, event->by, &refused))
        {
          if (refused->domain == WARD_ENGINE_ERROR)
            *bad = g_strdup_printf ("confirmation refused: %s; line skipped", refused->message);
          else
            ok = FALSE, g_propagate_error (error, g_steal_pointer (&refused));
        }
      break;
    default:
      g_assert_not_reached ();
    }

  if (!ok ||
      !ward_engine_evaluate (self->engine, event->at, error) ||
      !ward_engine_commit (self->engine, error))
    {
      ward_engine_rollback (self->engine);
      return FALSE;
    }
  self->clock = event->at;

  return report (self, event->at, error);
}

/* reason ends with what became of the line. */
static void
report_bad_line (Replay     *self,
                 const char *reason)
{
  g_printerr ("%s:%" G_GUINT64_FORMAT ": %s\n", self->events_name, self->line_number, reason);
}

/* Reads and plays every line; FALSE with @error when the store fails. */
static gboolean
play (Replay    *self,
      FILE      *input,
      gboolean  *any_bad,
      GError   **error)
{
  g_autofree char *line = NULL;
  size_t capacity = 0;
  ssize_t length;

  while ((length = getline (&line, &capacity, input)) != -1)
    {
      g_autoptr(GError) line_error = NULL;
      g_autofree char *bad = NULL;
      g_auto(Event) event = { 0 };

      self->line_number++;
      while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
        line[--length] = '\0';
      if ((gsize) length == strlen (line) && ward_cli_is_blank (line))
        continue;

      if (!read_event (self, line, length, &event, &line_error))
        {
          g_autofree char *reason = g_strconcat (line_error->message, "; line skipped", NULL);

          report_bad_line (self, reason);
          *any_bad = TRUE;
          continue;
        }

      if (event.at < self->clock)
        {
          g_autofree char *at = ward_time_format_iso8601 (event.at);
          g_autofree char *before = ward_time_format_iso8601 (self->clock);
          g_autofree char *reason = g_strdup_printf ("out of time order: %s is before the "
                                                     "previous event's %s; line skipped",
                                                     at, before);

          report_bad_line (self, reason);
          *any_bad = TRUE;
          continue;
        }

      if (!apply_event (self, &event, &bad, error))
        {
          g_prefix_error (error, "%s:%" G_GUINT64_FORMAT ": ", self->events_name,
                          self->line_number);
          return FALSE;
        }
      if (bad != NULL)
        {
          report_bad_line (self, bad);
          *any_bad = TRUE;
        }
    }

  if (ferror (input))
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot read %s: %s",
                   self->events_name, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

/* A fresh ward from the ward file, in memory unless --db names a file. */
static gboolean
set_up (Replay      *self,
        const char  *ward_path,
        const char  *mapping_path,
        const char  *policy_path,
        const char  *db_path,
        GError     **error)
{
  WardEngineConfig config;

  if (!(self->ward = ward_ward_file_new_from_file (ward_path, error)))
    return FALSE;

  if (!(self->store = ward_store_open (db_path != NULL ? db_path : WARD_STORE_IN_MEMORY, error)))
    return FALSE;
  /* A replay can be run again: a commit need not survive power loss. */
  ward_store_set_sync_full (self->store, FALSE);

  ward_engine_config_init (&config);
  /* The ward's policy (validity per parameter, flag rules, observation
   * frequencies) decides the scores: a file that cannot be read stops
   * the replay before any event, as it stops Wardwatch's start.
   */
  if (policy_path != NULL && !ward_policy_load_file (policy_path, &config, error))
    return FALSE;
  self->engine = ward_engine_new (self->store, &config);

  if (mapping_path != NULL)
    {
      g_autoptr(WardDeviceTemplate) device_template = NULL;

      if (!(device_template = ward_device_template_new_from_file (mapping_path, error)))
        return FALSE;
      if (!ward_device_template_is_valid (device_template))
        g_printerr ("%s: %s has errors; its %u valid templates are used "
                    "(wardwatch-cli map --check lists them)\n", g_get_prgname (), mapping_path,
                    ward_device_template_get_n_templates (device_template));
      ward_engine_set_device_template (self->engine, device_template);
    }

  if (!ward_engine_begin (self->engine, error))
    return FALSE;
  if (!ward_ward_file_register (self->ward, self->engine, error) ||
      !ward_engine_commit (self->engine, error))
    {
      ward_engine_rollback (self->engine);
      return FALSE;
    }

  return TRUE;
}

int
ward_cli_replay (int    argc,
                 char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ward_path = NULL;
  g_autofree char *mapping_path = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *policy_path = NULL;
  Replay self = { 0 };
  gboolean any_bad = FALSE;
  gboolean ok;
  FILE *input;
  const GOptionEntry entries[] = {
    { "ward", 0, 0, G_OPTION_ARG_FILENAME, &ward_path,
      "Who is in which bed, with their devices (required; format in docs/ARCHITECTURE.md)", "FILE" },
    { "device-mapping", 0, 0, G_OPTION_ARG_FILENAME, &mapping_path,
      "An IoMT device mapping for the device messages (default: the built-in one)", "FILE" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_path,
      "The ward policy: validity per parameter, flag rules, observation frequencies "
      "(default: the built-in one, data/ward-policy.json)", "FILE" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path,
      "Keep the replayed ward in this database (default: in memory)", "PATH" },
    G_OPTION_ENTRY_NULL
  };

  g_return_val_if_fail (argc >= 1, 2);
  g_return_val_if_fail (argv != NULL, 2);

  context = g_option_context_new ("EVENTS.ndjson");
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }
  if (ward_path == NULL)
    {
      g_printerr ("%s: --ward=FILE is required\n", g_get_prgname ());
      return 2;
    }
  if (argc != 2)
    {
      g_printerr ("%s: expected one events file (or - for standard input)\n", g_get_prgname ());
      return 2;
    }

  if (strcmp (argv[1], "-") == 0)
    {
      input = stdin;
      self.events_name = "standard input";
    }
  else if ((input = fopen (argv[1], "re")) == NULL)
    {
      g_printerr ("%s: cannot open %s: %s\n", g_get_prgname (), argv[1], g_strerror (errno));
      return 2;
    }
  else
    self.events_name = argv[1];

  self.parser = json_parser_new ();
  self.shown = g_array_new (FALSE, TRUE, sizeof (Shown));

  ok = set_up (&self, ward_path, mapping_path, policy_path, db_path, &error);
  if (!ok)
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  else if (!(ok = play (&self, input, &any_bad, &error)))
    g_printerr ("%s: %s; replay stopped\n", g_get_prgname (), error->message);

  if (input != stdin)
    fclose (input);
  g_clear_object (&self.engine);
  g_clear_object (&self.store);
  g_clear_object (&self.ward);
  g_clear_object (&self.parser);
  g_clear_pointer (&self.shown, g_array_unref);

  if (!ok)
    return self.line_number == 0 ? 2 : 1;

  return any_bad ? 1 : 0;
}
