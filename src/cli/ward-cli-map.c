/* ward-cli-map.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-map"

#include "config.h"

#include "ward-cli.h"
#include "ward-device-mapping.h"
#include "ward-device-template.h"
#include "ward-fhir-template.h"
#include "ward-hl7-mapper.h"
#include "ward-normalized.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* `wardwatch-cli map` runs device messages through the device mapping
 * stage as the pipeline does, to debug a mapping before a device is
 * connected.  Output goes to standard output as JSON lines, one per
 * measurement; every message that fails goes to standard error as one
 * JSON line and the others are still mapped, as the pipeline
 * dead-letters a bad message and goes on.
 */

static const char summary[] =
  "Maps device messages with an IoMT device mapping (CollectionContent of\n"
  "JsonPathContent, IotJsonPathContent, IotCentralJsonPathContent and\n"
  "CalculatedContent templates; see data/mappings/README.md), or HL7 v2 ORU^R01\n"
  "messages with --hl7.\n"
  "\n"
  "A FILE holding one JSON value is one message; a file of JSON lines is one\n"
  "message per line.  \"-\" reads standard input.  As the Azure MedTech service\n"
  "does with Event Hub messages, each message is put into an envelope\n"
  "{\"Body\": message, \"Properties\": {}, \"SystemProperties\": {}} unless it already\n"
  "is one or --as-is is given.  Without --device-mapping, the built-in mapping of\n"
  "the Wardwatch monitor format is used.\n"
  "\n"
  "HL7 files hold one or more messages: segments end with \\r or \\n, messages\n"
  "are in MLLP frames (0x0B ... 0x1C 0x0D) or start with a new MSH.\n"
  "\n"
  "Writes one JSON line per measurement: the normalised measurement with\n"
  "--normalized, otherwise the FHIR R4 vital-signs Observation the pipeline\n"
  "would write.  With --fhir-mapping, the measurements of all the messages are\n"
  "grouped as the MedTech service groups a batch, and one Observation is\n"
  "written per group, built by the IoMT FHIR destination mapping (CollectionFhir\n"
  "of CodeValueFhir templates), with the connector's identifier and id.\n"
  "Errors go to standard error as JSON lines\n"
  "  {\"file\":…,\"line\":…,\"stage\":\"parse|mapping\",\"reason\":…}\n"
  "(\"warning\":true marks lines that are not failures; problems of the device\n"
  "mapping that leave its other templates usable come first, as stage \"load\").\n"
  "\n"
  "--check validates the device mapping, the FHIR mapping, or both (and then\n"
  "whether they fit each other), and prints every problem with its place\n"
  "(FILE:LINE:COLUMN: JSONPATH: error|warning: message).\n"
  "\n"
  "Exit status: 0 if every message mapped, 1 if any failed (or --check found\n"
  "errors), 2 on a usage error or a mapping that cannot be used.";

/* Where a measurement of the batch came from. */
typedef struct
{
  const char *file;
  guint       line;
} Origin;

typedef struct
{
  WardDeviceTemplate *mapping;
  WardFhirTemplate   *fhir;
  GPtrArray          *batch;       /* WardNormalized*, with --fhir-mapping */
  GArray             *origins;     /* Origin, one per batch entry */
  gboolean            normalized;
  gboolean            as_is;
  const char         *device_id;
  gint64              now;
  guint               n_failed;
} MapRun;

/* JSON output */

static void
append_json_string (GString    *out,
                    const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"':  g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

/* Messages may hold any bytes: make the text we echo valid UTF-8. */
static char *
make_valid (const char *text)
{
  return g_utf8_make_valid (text, -1);
}

static void
report (const char *file,
        guint       line,
        const char *stage,
        const char *reason,
        gboolean    warning)
{
  g_autoptr(GString) out = g_string_new ("{\"file\":");
  g_autofree char *valid_file = make_valid (file);
  g_autofree char *valid_reason = make_valid (reason);

  append_json_string (out, valid_file);
  g_string_append_printf (out, ",\"line\":%u,\"stage\":", line);
  append_json_string (out, stage);
  g_string_append (out, ",\"reason\":");
  append_json_string (out, valid_reason);
  if (warning)
    g_string_append (out, ",\"warning\":true");
  g_string_append (out, "}\n");

  fputs (out->str, stderr);
  fflush (stderr);
}

static void
write_line (const char *json)
{
  fputs (json, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Observations */

typedef struct
{
  const char *code;
  const char *display;
} Coding;

typedef struct
{
  const char   *type;
  const char   *profile;
  Coding        codes[2];
  const char   *unit;
} VitalSign;

/* FHIR R4 vital signs (CLINICAL.md section 3). */
static const VitalSign vital_signs[] = {
  { "heartrate", "heartrate", { { "8867-4", "Heart rate" } }, "/min" },
  { "respiratoryrate", "resprate", { { "9279-1", "Respiratory rate" } }, "/min" },
  { "spo2", "oxygensat", { { "2708-6", "Oxygen saturation in Arterial blood" },
                           { "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry" } }, "%" },
  { "temperature", "bodytemp", { { "8310-5", "Body temperature" } }, "Cel" },
  { "bloodpressure", "bp", { { "85354-9", "Blood pressure panel with all children optional" } }, "mm[Hg]" },
};

static const struct {
  WardMeasKind kind;
  Coding       coding;
} bp_components[] = {
  { WARD_MEAS_SBP, { "8480-6", "Systolic blood pressure" } },
  { WARD_MEAS_DBP, { "8462-4", "Diastolic blood pressure" } },
  { WARD_MEAS_MAP, { "8478-0", "Mean blood pressure" } },
};

static gboolean
is_json_number (const char *s)
{
  if (s == NULL)
    return FALSE;

  if (*s == '-')
    s++;
  if (*s == '0')
    s++;
  else if (g_ascii_isdigit (*s))
    while (g_ascii_isdigit (*s))
      s++;
  else
    return FALSE;

  if (*s == '.')
    {
      s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }

  if (*s == 'e' || *s == 'E')
    {
      s++;
      if (*s == '+' || *s == '-')
        s++;
      if (!g_ascii_isdigit (*s))
        return FALSE;
      while (g_ascii_isdigit (*s))
        s++;
    }

  return *s == '\0';
}

/* The number as the device sent it when that is JSON, else as read. */
static void
append_number (GString    *out,
               const char *text,
               double      value)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *formatted = NULL;

  if (is_json_number (text))
    {
      g_string_append (out, text);
      return;
    }

  node = json_node_new (JSON_NODE_VALUE);
  json_node_set_double (node, value);
  formatted = ward_device_template_format_value (node);
  g_string_append (out, formatted);
}

static void
append_coding (GString      *out,
               const Coding *codes,
               guint         n)
{
  g_string_append (out, "{\"coding\":[");
  for (guint i = 0; i < n && codes[i].code != NULL; i++)
    {
      g_string_append_printf (out, "%s{\"system\":\"http://loinc.org\",\"code\":\"%s\",\"display\":",
                              i ? "," : "", codes[i].code);
      append_json_string (out, codes[i].display);
      g_string_append_c (out, '}');
    }
  g_string_append (out, "],\"text\":");
  append_json_string (out, codes[0].display);
  g_string_append_c (out, '}');
}

static void
append_quantity (GString    *out,
                 const char *text,
                 double      value,
                 const char *unit)
{
  g_string_append (out, "{\"value\":");
  append_number (out, text, value);
  g_string_append (out, ",\"unit\":");
  append_json_string (out, unit);
  g_string_append (out, ",\"system\":\"http://unitsofmeasure.org\",\"code\":");
  append_json_string (out, unit);
  g_string_append_c (out, '}');
}

static void
append_reference (GString    *out,
                  const char *member,
                  const char *type,
                  const char *id)
{
  g_autofree char *valid = make_valid (id);

  /* A logical reference: the FHIR server's resource ids are not known
   * here, the identifiers the devices and the ward use are.
   */
  g_string_append_printf (out, ",\"%s\":{\"type\":\"%s\",\"identifier\":{\"value\":", member, type);
  append_json_string (out, valid);
  g_string_append (out, "}}");
}

static const char *
value_text (const WardNormalized *m,
            WardMeasKind          kind)
{
  static const struct {
    WardMeasKind kind;
    const char  *name;
  } names[] = {
    { WARD_MEAS_HR, "hr" }, { WARD_MEAS_RR, "rr" }, { WARD_MEAS_SPO2, "spo2" },
    { WARD_MEAS_SBP, "systolic" }, { WARD_MEAS_DBP, "diastolic" }, { WARD_MEAS_MAP, "mean" },
    { WARD_MEAS_TEMP, "temperature" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (names[i].kind == kind)
        return ward_normalized_get_value (m, names[i].name);
    }

  return NULL;
}

/* The Observation for one normalised measurement, or NULL (with *problem)
 * when it is not one of the scored vital signs or its values are unusable.
 */
static char *
observation_for (const WardNormalized  *m,
                 char                 **problem,
                 gboolean              *is_error)
{
  g_autoptr(GArray) bound = g_array_new (FALSE, TRUE, sizeof (WardMeasurement));
  g_autoptr(GString) rejected = g_string_new (NULL);
  g_autoptr(GString) out = NULL;
  g_autofree char *time = NULL;
  const VitalSign *vital = NULL;

  *is_error = FALSE;
  g_array_set_clear_func (bound, (GDestroyNotify) ward_measurement_clear);

  for (guint i = 0; i < G_N_ELEMENTS (vital_signs); i++)
    {
      if (g_ascii_strcasecmp (m->type, vital_signs[i].type) == 0)
        vital = &vital_signs[i];
    }

  if (vital == NULL)
    {
      *problem = g_strdup_printf ("Type \"%s\" is not one of the vital signs Wardwatch scores (heartrate, "
                                  "respiratoryrate, spo2, bloodpressure, temperature): no Observation is "
                                  "written (FHIR destination mappings come with the FHIR issue)", m->type);
      return NULL;
    }

  ward_normalized_bind (m, bound, rejected);
  if (rejected->len > 0 || bound->len == 0)
    {
      *is_error = TRUE;
      *problem = rejected->len > 0
                 ? g_strdup (rejected->str)
                 : g_strdup_printf ("%s has none of the values Wardwatch reads", m->type);
      return NULL;
    }

  time = ward_time_format_iso8601 (m->occurrence_time);
  out = g_string_new ("{\"resourceType\":\"Observation\",\"meta\":{\"profile\":["
                      "\"http://hl7.org/fhir/StructureDefinition/vitalsigns\",");
  g_string_append_printf (out, "\"http://hl7.org/fhir/StructureDefinition/%s\"]},", vital->profile);
  g_string_append (out, "\"status\":\"final\",\"category\":[{\"coding\":[{\"system\":"
                        "\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"vital-signs\","
                        "\"display\":\"Vital Signs\"}],\"text\":\"Vital Signs\"}],\"code\":");
  append_coding (out, vital->codes, G_N_ELEMENTS (vital->codes));

  if (m->patient_id != NULL && *m->patient_id != '\0')
    append_reference (out, "subject", "Patient", m->patient_id);
  if (m->encounter_id != NULL && *m->encounter_id != '\0')
    append_reference (out, "encounter", "Encounter", m->encounter_id);
  g_string_append_printf (out, ",\"effectiveDateTime\":\"%s\"", time);
  if (m->device_id != NULL)
    append_reference (out, "device", "Device", m->device_id);

  if (g_str_equal (vital->type, "bloodpressure"))
    {
      gboolean first = TRUE;

      g_string_append (out, ",\"component\":[");
      for (guint c = 0; c < G_N_ELEMENTS (bp_components); c++)
        {
          for (guint b = 0; b < bound->len; b++)
            {
              const WardMeasurement *meas = &g_array_index (bound, WardMeasurement, b);

              if (meas->kind != bp_components[c].kind)
                continue;

              g_string_append (out, first ? "{\"code\":" : ",{\"code\":");
              append_coding (out, &bp_components[c].coding, 1);
              g_string_append (out, ",\"valueQuantity\":");
              append_quantity (out, value_text (m, meas->kind), meas->value, vital->unit);
              g_string_append_c (out, '}');
              first = FALSE;
            }
        }
      g_string_append_c (out, ']');
    }
  else
    {
      const WardMeasurement *meas = &g_array_index (bound, WardMeasurement, 0);

      g_string_append (out, ",\"valueQuantity\":");
      append_quantity (out, value_text (m, meas->kind), meas->value, vital->unit);
    }

  g_string_append_c (out, '}');
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* With a FHIR mapping, Observations are built from the whole batch at
 * the end: keep the measurements and where they came from.
 */
static void
collect_measurements (MapRun     *run,
                      GPtrArray  *measurements,
                      const char *file,
                      guint       line)
{
  Origin origin = { file, line };
  gsize n = 0;
  gpointer *stolen = g_ptr_array_steal (measurements, &n);

  for (gsize i = 0; i < n; i++)
    {
      g_ptr_array_add (run->batch, stolen[i]);
      g_array_append_val (run->origins, origin);
    }
  g_free (stolen);
}

/* Writes the measurements of one message; returns FALSE if any failed. */
static gboolean
write_measurements (MapRun     *run,
                    GPtrArray  *measurements,
                    const char *file,
                    guint       line)
{
  gboolean ok = TRUE;

  if (run->fhir != NULL)
    {
      collect_measurements (run, measurements, file, line);
      return TRUE;
    }

  for (guint i = 0; i < measurements->len; i++)
    {
      const WardNormalized *m = measurements->pdata[i];
      g_autofree char *json = NULL;
      g_autofree char *problem = NULL;
      gboolean is_error = FALSE;

      if (run->normalized)
        json = ward_normalized_to_json (m);
      else
        json = observation_for (m, &problem, &is_error);

      if (json != NULL)
        write_line (json);
      else
        report (file, line, "mapping", problem, !is_error);

      if (is_error)
        ok = FALSE;
    }

  return ok;
}

/* Device messages */

static void
map_device_message (MapRun     *run,
                    const char *file,
                    guint       line,
                    const char *data,
                    gsize       length)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) message = NULL;
  g_autoptr(JsonNode) wrapped = NULL;

  message = ward_device_template_parse_message (data, (gssize) length, &error);
  if (message == NULL)
    {
      report (file, line, "parse", error->message, FALSE);
      run->n_failed++;
      return;
    }

  wrapped = run->as_is ? json_node_ref (message) : ward_device_template_wrap_message (message);
  if (!ward_device_template_map (run->mapping, wrapped, run->device_id, run->now, out, &error))
    {
      report (file, line, error->code == WARD_MAPPING_ERROR_PARSE ? "parse" : "mapping", error->message, FALSE);
      run->n_failed++;
      return;
    }

  if (out->len == 0)
    report (file, line, "mapping", "No measurements were produced for the given device data.", TRUE);

  if (!write_measurements (run, out, file, line))
    run->n_failed++;
}

static gboolean
is_blank_range (const char *p,
                const char *end)
{
  for (; p < end; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }

  return TRUE;
}

/* One JSON value is one message; otherwise, when some line holds a JSON
 * value by itself, every non-blank line is a message (JSON lines).
 */
static void
map_device_file (MapRun     *run,
                 const char *file,
                 const char *data,
                 gsize       length)
{
  g_autoptr(JsonNode) whole = NULL;
  const char *end = data + length;
  const char *p;
  guint n_lines = 0;
  gboolean any_line_parses = FALSE;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      length -= 3;
    }

  whole = ward_device_template_parse_message (data, (gssize) length, NULL);
  if (whole == NULL)
    {
      for (p = data; p < end; )
        {
          const char *eol = memchr (p, '\n', (gsize) (end - p));
          const char *next = eol != NULL ? eol + 1 : end;

          if (eol == NULL)
            eol = end;
          if (!is_blank_range (p, eol))
            {
              g_autoptr(JsonNode) node = ward_device_template_parse_message (p, eol - p, NULL);

              n_lines++;
              any_line_parses |= node != NULL;
            }
          p = next;
        }
    }

  if (whole != NULL || n_lines < 2 || !any_line_parses)
    {
      map_device_message (run, file, 1, data, length);
      return;
    }

  {
    guint line = 0;

    for (p = data; p < end; )
      {
        const char *eol = memchr (p, '\n', (gsize) (end - p));
        const char *next = eol != NULL ? eol + 1 : end;

        if (eol == NULL)
          eol = end;
        line++;
        if (!is_blank_range (p, eol))
          map_device_message (run, file, line, p, (gsize) (eol - p));
        p = next;
      }
  }
}

/* HL7 */

static gboolean
is_parse_error (const GError *error)
{
  return error->domain == WARD_HL7_ERROR &&
         (error->code == WARD_HL7_ERROR_SYNTAX || error->code == WARD_HL7_ERROR_TOO_LARGE ||
          error->code == WARD_HL7_ERROR_CHARSET);
}

static void
map_hl7_message (MapRun     *run,
                 const char *file,
                 guint       line,
                 const char *data,
                 gsize       length)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) out = NULL;

  out = ward_hl7_map_message_full (data, length, run->now, &info, warnings, problems, &error);

  /* Problems (an OBX skipped, a time guessed) are what the pipeline
   * records on the message: not marked as warnings.  The message's
   * other values are still written.
   */
  for (guint pass = 0; pass < 2; pass++)
    {
      GString *text = pass == 0 ? warnings : problems;
      g_auto(GStrv) lines = g_strsplit (text->str, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (*lines[i] != '\0')
            report (file, line, "mapping", lines[i], pass == 0);
        }
    }

  if (out == NULL)
    {
      report (file, line, is_parse_error (error) ? "parse" : "mapping", error->message, FALSE);
      run->n_failed++;
      return;
    }

  if (out->len == 0)
    report (file, line, "mapping", "No measurements were produced for the given message.", TRUE);

  if (!write_measurements (run, out, file, line))
    run->n_failed++;
}

/* Splits a file into messages: MLLP frames (0x0B ... 0x1C 0x0D), and
 * within a frame or an unframed file, a new MSH starts a new message.
 * Segments may end with \r, \n or \r\n; they are given to the mapper
 * ending with \r, as HL7 has them.  line is where each message starts.
 */
static void
map_hl7_file (MapRun     *run,
              const char *file,
              const char *data,
              gsize       length)
{
  g_autoptr(GString) message = g_string_new (NULL);
  const char *p = data;
  const char *end = data + length;
  guint line = 1;
  guint message_line = 1;

  while (p < end)
    {
      const char *eol = p;
      gsize seg_len;

      /* MLLP framing characters end the current message. */
      if (*p == 0x0b || *p == 0x1c)
        {
          if (message->len > 0)
            map_hl7_message (run, file, message_line, message->str, message->len);
          g_string_truncate (message, 0);
          p++;
          continue;
        }

      while (eol < end && *eol != '\r' && *eol != '\n' && *eol != 0x1c && *eol != 0x0b)
        eol++;
      seg_len = (gsize) (eol - p);

      if (seg_len > 0 && !is_blank_range (p, eol))
        {
          if (seg_len >= 3 && strncmp (p, "MSH", 3) == 0 && message->len > 0)
            {
              map_hl7_message (run, file, message_line, message->str, message->len);
              g_string_truncate (message, 0);
            }
          if (message->len == 0)
            message_line = line;
          g_string_append_len (message, p, (gssize) seg_len);
          g_string_append_c (message, '\r');
        }

      p = eol;
      if (p < end && *p == '\r')
        {
          p++;
          if (p < end && *p == '\n')
            p++;
          line++;
        }
      else if (p < end && *p == '\n')
        {
          p++;
          line++;
        }
    }

  if (message->len > 0)
    map_hl7_message (run, file, message_line, message->str, message->len);
}

/* FHIR destination mapping */

/* Groups the batch and writes one Observation per group. */
static void
write_observations (MapRun *run)
{
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_fhir_group_issue_free);
  g_autoptr(GPtrArray) groups = NULL;
  const Origin *no_patient = NULL;
  guint n_no_patient = 0;

  groups = ward_fhir_template_group (run->fhir, run->batch, issues);

  for (guint i = 0; i < issues->len; i++)
    {
      const WardFhirGroupIssue *issue = issues->pdata[i];
      const Origin *origin = &g_array_index (run->origins, Origin, issue->index);

      report (origin->file, origin->line, "mapping", issue->message, FALSE);
      run->n_failed++;
    }

  for (guint i = 0; i < groups->len; i++)
    {
      const WardObservationGroup *group = groups->pdata[i];
      const Origin *origin = &g_array_index (run->origins, Origin, g_array_index (group->sources, guint, 0));
      g_autoptr(JsonNode) observation = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *json = NULL;

      observation = ward_fhir_template_build_observation (run->fhir, group, NULL, &error);
      if (observation == NULL)
        {
          report (origin->file, origin->line, "mapping", error->message, FALSE);
          run->n_failed++;
          continue;
        }

      if (group->patient_id == NULL)
        {
          if (no_patient == NULL)
            no_patient = origin;
          n_no_patient++;
        }

      json = ward_fhir_template_to_json (observation);
      write_line (json);
    }

  if (no_patient != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("%u Observation%s without a patient id %s no subject (the "
                                                 "pipeline links a device to its patient; the MedTech service "
                                                 "in Create mode would refuse %s)", n_no_patient,
                                                 n_no_patient == 1 ? "" : "s", n_no_patient == 1 ? "has" : "have",
                                                 n_no_patient == 1 ? "it" : "them");

      report (no_patient->file, no_patient->line, "mapping", reason, TRUE);
    }
}

/* --check */

static int
check_mapping (const char *path)
{
  g_autoptr(WardDeviceTemplate) mapping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GPtrArray *issues;
  guint n_errors = 0, n_warnings = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  mapping = ward_device_template_new_for_check (contents, (gssize) length, path);
  issues = ward_device_template_get_issues (mapping);
  for (guint i = 0; i < issues->len; i++)
    {
      const WardTemplateIssue *issue = issues->pdata[i];

      g_print ("%s:%d:%d: %s: %s: %s\n", path, issue->line, issue->column, issue->path,
               issue->fatal ? "error" : "warning", issue->message);
      if (issue->fatal)
        n_errors++;
      else
        n_warnings++;
    }

  g_print ("%s: %u template%s usable, %u error%s, %u warning%s\n", path,
           ward_device_template_get_n_templates (mapping),
           ward_device_template_get_n_templates (mapping) == 1 ? "" : "s",
           n_errors, n_errors == 1 ? "" : "s", n_warnings, n_warnings == 1 ? "" : "s");

  return n_errors > 0 ? 1 : 0;
}

/* The FHIR mapping's problems, and with a device mapping, what the
 * connector's mapping validator says of the two together.
 */
static int
check_fhir_mapping (const char *path,
                    const char *device_path)
{
  g_autoptr(WardFhirTemplate) mapping = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  GPtrArray *issues;
  guint n_errors = 0, n_warnings = 0;
  guint n_templates;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  mapping = ward_fhir_template_new_for_check (contents, (gssize) length, path);
  issues = ward_fhir_template_get_issues (mapping);
  for (guint i = 0; i < issues->len; i++)
    {
      const WardTemplateIssue *issue = issues->pdata[i];

      g_print ("%s:%d:%d: %s: %s: %s\n", path, issue->line, issue->column, issue->path,
               issue->fatal ? "error" : "warning", issue->message);
      if (issue->fatal)
        n_errors++;
      else
        n_warnings++;
    }

  if (device_path != NULL)
    {
      g_autoptr(WardDeviceTemplate) device = ward_device_template_new_from_file (device_path, NULL);

      if (device != NULL)
        warnings = ward_fhir_template_check_device_mapping (mapping, device);
    }

  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    {
      g_print ("%s: warning: %s\n", path, (const char *) warnings->pdata[i]);
      n_warnings++;
    }

  n_templates = ward_fhir_template_get_n_templates (mapping);
  g_print ("%s: %u template%s usable, %u error%s, %u warning%s\n", path,
           n_templates, n_templates == 1 ? "" : "s",
           n_errors, n_errors == 1 ? "" : "s", n_warnings, n_warnings == 1 ? "" : "s");

  return n_errors > 0 ? 1 : 0;
}

static gboolean
read_input (const char  *file,
            char       **contents,
            gsize       *length,
            GError     **error)
{
  if (g_str_equal (file, "-"))
    {
      g_autoptr(GString) data = g_string_new (NULL);
      char buf[8192];
      size_t n;

      while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len (data, buf, (gssize) n);

      if (ferror (stdin))
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "cannot read standard input: %s", g_strerror (errno));
          return FALSE;
        }

      *length = data->len;
      *contents = g_string_free (g_steal_pointer (&data), FALSE);
      return TRUE;
    }

  return g_file_get_contents (file, contents, length, error);
}

int
ward_cli_map (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *device_mapping = NULL;
  g_autofree char *fhir_mapping = NULL;
  g_autofree char *device_id = NULL;
  gboolean normalized = FALSE;
  gboolean hl7 = FALSE;
  gboolean check = FALSE;
  gboolean as_is = FALSE;
  MapRun run = { 0 };
  const GOptionEntry entries[] = {
    { "device-mapping", 0, 0, G_OPTION_ARG_FILENAME, &device_mapping,
      "The IoMT device mapping (default: the built-in Wardwatch monitor mapping)", "FILE" },
    { "fhir-mapping", 0, 0, G_OPTION_ARG_FILENAME, &fhir_mapping,
      "Build Observations with an IoMT FHIR destination mapping (CollectionFhir)", "FILE" },
    { "normalized", 0, 0, G_OPTION_ARG_NONE, &normalized,
      "Write normalised measurements instead of FHIR Observations", NULL },
    { "hl7", 0, 0, G_OPTION_ARG_NONE, &hl7, "The files hold HL7 v2 messages", NULL },
    { "check", 0, 0, G_OPTION_ARG_NONE, &check,
      "Validate the device mapping, the FHIR mapping or both, and list every problem", NULL },
    { "as-is", 0, 0, G_OPTION_ARG_NONE, &as_is,
      "Map each message as given, without the {\"Body\": …} envelope (as the connector's unit tests do)", NULL },
    { "device-id", 0, 0, G_OPTION_ARG_STRING, &device_id,
      "The device id to use when a message has none (the MQTT topic's device)", "ID" },
    G_OPTION_ENTRY_NULL
  };

  g_return_val_if_fail (argc >= 1, 2);
  g_return_val_if_fail (argv != NULL, 2);

  context = g_option_context_new ("[FILE…]");
  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  if (check)
    {
      int status = 0;

      if (device_mapping == NULL && fhir_mapping == NULL)
        {
          g_printerr ("%s: --check needs --device-mapping=FILE, --fhir-mapping=FILE or both\n", g_get_prgname ());
          return 2;
        }
      if (argc > 1 || hl7)
        {
          g_printerr ("%s: --check takes no message files\n", g_get_prgname ());
          return 2;
        }
      if (device_mapping != NULL)
        status = check_mapping (device_mapping);
      if (fhir_mapping != NULL)
        {
          int fhir_status = check_fhir_mapping (fhir_mapping, device_mapping);

          status = MAX (status, fhir_status);
        }
      return status;
    }

  if (fhir_mapping != NULL && normalized)
    {
      g_printerr ("%s: --normalized writes measurements and --fhir-mapping Observations: give one\n",
                  g_get_prgname ());
      return 2;
    }

  if (argc < 2)
    {
      g_printerr ("%s: no input files (\"-\" reads standard input); see --help\n", g_get_prgname ());
      return 2;
    }

  if (hl7 && (device_mapping != NULL || as_is || device_id != NULL))
    {
      g_printerr ("%s: --hl7 takes none of --device-mapping, --as-is and --device-id\n", g_get_prgname ());
      return 2;
    }

  if (!hl7)
    {
      run.mapping = device_mapping != NULL
                    ? ward_device_template_new_from_file (device_mapping, &error)
                    : ward_device_template_new_default (&error);
      if (run.mapping == NULL)
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          return 2;
        }

      /* The templates that are valid are used; say which are not. */
      for (guint i = 0; i < ward_device_template_get_issues (run.mapping)->len; i++)
        {
          const WardTemplateIssue *issue = ward_device_template_get_issues (run.mapping)->pdata[i];
          g_autofree char *reason = g_strdup_printf ("%d:%d: %s: %s", issue->line, issue->column,
                                                     issue->path, issue->message);

          report (ward_device_template_get_filename (run.mapping), (guint) MAX (issue->line, 0), "load",
                  reason, TRUE);
        }
    }

  if (fhir_mapping != NULL)
    {
      run.fhir = ward_fhir_template_new_from_file (fhir_mapping, &error);
      if (run.fhir == NULL)
        {
          g_printerr ("%s: %s\n", g_get_prgname (), error->message);
          g_clear_object (&run.mapping);
          return 2;
        }

      for (guint i = 0; i < ward_fhir_template_get_issues (run.fhir)->len; i++)
        {
          const WardTemplateIssue *issue = ward_fhir_template_get_issues (run.fhir)->pdata[i];
          g_autofree char *reason = g_strdup_printf ("%d:%d: %s: %s", issue->line, issue->column,
                                                     issue->path, issue->message);

          report (fhir_mapping, (guint) MAX (issue->line, 0), "load", reason, TRUE);
        }

      run.batch = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
      run.origins = g_array_new (FALSE, FALSE, sizeof (Origin));
    }

  run.normalized = normalized;
  run.as_is = as_is;
  run.device_id = device_id;
  run.now = g_get_real_time ();

  for (int i = 1; i < argc; i++)
    {
      g_autofree char *contents = NULL;
      g_autoptr(GError) read_error = NULL;
      gsize length = 0;

      if (!read_input (argv[i], &contents, &length, &read_error))
        {
          report (argv[i], 0, "parse", read_error->message, FALSE);
          run.n_failed++;
          continue;
        }

      if (hl7)
        map_hl7_file (&run, argv[i], contents, length);
      else
        map_device_file (&run, argv[i], contents, length);
    }

  if (run.fhir != NULL)
    write_observations (&run);

  g_clear_object (&run.mapping);
  g_clear_object (&run.fhir);
  g_clear_pointer (&run.batch, g_ptr_array_unref);
  g_clear_pointer (&run.origins, g_array_unref);
  return run.n_failed > 0 ? 1 : 0;
}
