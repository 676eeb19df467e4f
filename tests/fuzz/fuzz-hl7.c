/* fuzz-hl7.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ward-hl7.h"
#include "ward-hl7-mapper.h"
#include "ward-measurement.h"
#include "ward-normalized.h"

/* Bounds for walking a parsed message: enough to reach every kind of
 * value, not so many that a message of separators takes minutes.
 */
#define MAX_FIELDS      24
#define MAX_REPETITIONS 3
#define MAX_COMPONENTS  7
#define MAX_SUBS        3

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static void
check_utf8 (const char *s)
{
  if (s != NULL)
    g_assert_true (g_utf8_validate (s, -1, NULL));
}

static void
walk_message (WardHl7Message *msg)
{
  guint n_segments = ward_hl7_message_get_n_segments (msg);

  check_utf8 (ward_hl7_message_get_charset (msg));

  for (guint s = 0; s < n_segments; s++)
    {
      guint n_fields = MIN (ward_hl7_message_get_n_fields (msg, s), MAX_FIELDS);

      check_utf8 (ward_hl7_message_get_segment_text (msg, s));
      g_assert_cmpuint (strlen (ward_hl7_message_get_segment_id (msg, s)), ==, 3);

      for (guint f = 1; f <= n_fields; f++)
        {
          g_autofree char *er7 = ward_hl7_message_get_field_er7 (msg, s, f);
          guint n_reps = MIN (ward_hl7_message_get_n_repetitions (msg, s, f), MAX_REPETITIONS);

          check_utf8 (er7);
          for (guint r = 1; r <= MAX (n_reps, 1); r++)
            {
              guint n_comps = MIN (ward_hl7_message_get_n_components (msg, s, f, r), MAX_COMPONENTS);

              for (guint c = 1; c <= MAX (n_comps, 1); c++)
                for (guint sub = 1; sub <= MAX_SUBS; sub++)
                  {
                    g_autofree char *value = ward_hl7_message_get_value (msg, s, f, r, c, sub);

                    check_utf8 (value);
                    if (value == NULL)
                      break;
                  }
            }
        }
    }
}

/* An ACK must be a message our own parser reads, naming the control id. */
static void
check_ack (const WardHl7MessageInfo *info,
           const char               *code,
           const char               *text)
{
  g_autofree char *ack = ward_hl7_build_ack (info, code, text, G_GINT64_CONSTANT (1741953600000000));
  g_autoptr(WardHl7Message) msg = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *msa_code = NULL;
  g_autofree char *msa_id = NULL;
  gboolean ascii_id = TRUE;

  g_assert_nonnull (ack);
  msg = ward_hl7_message_parse (ack, strlen (ack), &error);
  /* abort(), not g_error(): libFuzzer catches SIGABRT, not SIGTRAP. */
  if (msg == NULL)
    {
      fprintf (stderr, "ACK does not parse: %s\n%s\n", error->message, ack);
      abort ();
    }

  g_assert_cmpint (ward_hl7_message_find_segment (msg, "MSA", 0), ==, 1);
  msa_code = ward_hl7_message_get_component (msg, 1, 1, 1);
  g_assert_cmpstr (msa_code, ==, code);

  /* Outside UTF-8 messages, non-ASCII characters become '?'. */
  for (const char *p = info->control_id; p != NULL && *p != '\0'; p++)
    if ((guchar) *p >= 0x80)
      ascii_id = FALSE;
  if (ascii_id)
    {
      msa_id = ward_hl7_message_get_component (msg, 1, 2, 1);
      g_assert_cmpstr (msa_id, ==, info->control_id ? info->control_id : "");
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const char *text = (const char *) data;
  g_autoptr(WardHl7Message) msg = NULL;
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_auto(WardHl7MessageInfo) header = { 0 };

  /* The parser alone, and a walk over everything it found. */
  msg = ward_hl7_message_parse (text, size, &error);
  if (msg != NULL)
    walk_message (msg);
  else
    g_assert_nonnull (error);
  g_clear_error (&error);

  /* The header reader of the MLLP listener. */
  if (ward_hl7_read_message_info (text, size, &header, NULL))
    check_ack (&header, "AR", "rejected");

  /* The mapper, and what the pipeline does with its output. */
  result = ward_hl7_map_message (text, size, G_GINT64_CONSTANT (1741953600000000), &info,
                                 warnings, &error);
  g_assert_true ((result == NULL) == (error != NULL));
  check_utf8 (warnings->str);
  if (result != NULL)
    {
      g_autoptr(GArray) measurements = g_array_new (FALSE, TRUE, sizeof (WardMeasurement));
      g_autoptr(GString) rejected = g_string_new (NULL);

      g_array_set_clear_func (measurements, (GDestroyNotify) ward_measurement_clear);
      for (guint i = 0; i < result->len; i++)
        {
          WardNormalized *n = g_ptr_array_index (result, i);
          g_autofree char *json = ward_normalized_to_json (n);

          g_assert_nonnull (json);
          ward_normalized_bind (n, measurements, rejected);
        }
      check_ack (&info, "AA", warnings->len > 0 ? warnings->str : NULL);
    }
  else
    {
      check_utf8 (error->message);
      check_ack (&info, "AE", error->message);
    }

  /* Timestamps on their own. */
  if (size < 64)
    {
      g_autofree char *ts = g_strndup (text, size);
      gint64 usec;

      ward_hl7_parse_timestamp (ts, &usec, NULL, NULL);
    }

  return 0;
}
