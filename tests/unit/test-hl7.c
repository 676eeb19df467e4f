/* test-hl7.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ward-hl7.h"
#include "ward-hl7-mapper.h"
#include "ward-measurement.h"
#include "ward-normalized.h"

/* 2025-03-14T00:00:00Z */
#define DAY_USEC G_GINT64_CONSTANT (1741910400000000)

static gint64
at (int hour,
    int minute,
    int second)
{
  return DAY_USEC + ((gint64) hour * 3600 + minute * 60 + second) * G_USEC_PER_SEC;
}

static WardHl7Message *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  WardHl7Message *msg;

  msg = ward_hl7_message_parse (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (msg);
  return msg;
}

static void
assert_value (WardHl7Message *msg,
              guint           segment,
              guint           field,
              guint           repetition,
              guint           component,
              guint           subcomponent,
              const char     *expected)
{
  g_autofree char *value = ward_hl7_message_get_value (msg, segment, field, repetition,
                                                       component, subcomponent);

  g_assert_cmpstr (value, ==, expected);
}

static void
assert_parse_error (const char   *data,
                    gsize         length,
                    WardHl7Error  code,
                    const char   *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardHl7Message) msg = NULL;

  msg = ward_hl7_message_parse (data, length, &error);
  g_assert_null (msg);
  g_assert_error (error, WARD_HL7_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("error \"%s\" does not mention \"%s\"", error->message, fragment);
}

/* Parser */

static void
test_parse_fields (void)
{
  g_autoptr(WardHl7Message) msg = NULL;

  msg = parse_ok ("MSH|^~\\&|APP^0011223344556677^EUI-64|FAC|||20250314101502+0000||ORU^R01^ORU_R01|C1|P|2.6\r"
                  "PID|||123^^^HOSP^MR~456^^^OTHER^PI||DOE^JOHN\r"
                  "OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|a&b&c^x||\r");

  g_assert_cmpuint (ward_hl7_message_get_n_segments (msg), ==, 3);
  g_assert_cmpstr (ward_hl7_message_get_segment_id (msg, 0), ==, "MSH");
  g_assert_cmpstr (ward_hl7_message_get_segment_id (msg, 2), ==, "OBX");
  g_assert_null (ward_hl7_message_get_segment_id (msg, 3));
  g_assert_cmpint (ward_hl7_message_find_segment (msg, "OBX", 0), ==, 2);
  g_assert_cmpint (ward_hl7_message_find_segment (msg, "PID", 2), ==, -1);
  g_assert_cmpint (ward_hl7_message_get_field_separator (msg), ==, '|');
  g_assert_cmpstr (ward_hl7_message_get_encoding_characters (msg), ==, "^~\\&");
  g_assert_null (ward_hl7_message_get_charset (msg));

  /* MSH-1 is the separator, MSH-2 the encoding characters, unsplit. */
  assert_value (msg, 0, 1, 1, 1, 1, "|");
  assert_value (msg, 0, 2, 1, 1, 1, "^~\\&");
  assert_value (msg, 0, 3, 1, 2, 1, "0011223344556677");
  assert_value (msg, 0, 9, 1, 2, 1, "R01");
  assert_value (msg, 0, 10, 1, 1, 1, "C1");
  g_assert_cmpuint (ward_hl7_message_get_n_fields (msg, 0), ==, 12);

  /* Repetitions. */
  g_assert_cmpuint (ward_hl7_message_get_n_repetitions (msg, 1, 3), ==, 2);
  assert_value (msg, 1, 3, 2, 1, 1, "456");
  assert_value (msg, 1, 3, 2, 5, 1, "PI");
  assert_value (msg, 1, 3, 3, 1, 1, NULL);
  g_assert_cmpuint (ward_hl7_message_get_n_components (msg, 1, 3, 1), ==, 5);

  /* Subcomponents; empty is "", missing is NULL. */
  assert_value (msg, 2, 6, 1, 1, 2, "b");
  assert_value (msg, 2, 6, 1, 1, 3, "c");
  assert_value (msg, 2, 6, 1, 1, 4, NULL);
  assert_value (msg, 2, 6, 1, 2, 1, "x");
  assert_value (msg, 2, 7, 1, 1, 1, "");
  assert_value (msg, 2, 4, 1, 1, 1, "");
  assert_value (msg, 2, 9, 1, 1, 1, NULL);
  g_assert_cmpuint (ward_hl7_message_get_n_repetitions (msg, 2, 4), ==, 0);
  g_assert_cmpuint (ward_hl7_message_get_n_fields (msg, 2), ==, 8);
}

static void
test_parse_custom_separators (void)
{
  g_autoptr(WardHl7Message) msg = NULL;
  g_autofree char *er7 = NULL;

  /* Field #, component $, repetition @, escape !, subcomponent %. */
  msg = parse_ok ("MSH#$@!%#APP$ID#FAC#####ORU$R01#C2#P#2.6\r"
                  "OBX#1#NM#8867-4$Heart rate$LN##72#/min$/min$UCUM#a|b^c@d$e%f!F!g\r");

  g_assert_cmpint (ward_hl7_message_get_field_separator (msg), ==, '#');
  assert_value (msg, 0, 1, 1, 1, 1, "#");
  assert_value (msg, 0, 2, 1, 1, 1, "$@!%");
  assert_value (msg, 0, 3, 1, 2, 1, "ID");
  assert_value (msg, 0, 9, 1, 1, 1, "ORU");
  assert_value (msg, 1, 3, 1, 2, 1, "Heart rate");
  /* The standard separators are plain text here. */
  assert_value (msg, 1, 7, 1, 1, 1, "a|b^c");
  assert_value (msg, 1, 7, 2, 1, 1, "d");
  assert_value (msg, 1, 7, 2, 2, 2, "f#g");

  /* Re-encoded with the standard separators. */
  er7 = ward_hl7_message_get_field_er7 (msg, 1, 7);
  g_assert_cmpstr (er7, ==, "a\\F\\b\\S\\c~d^e&f#g");
}

static void
test_parse_escapes (void)
{
  g_autoptr(WardHl7Message) msg = NULL;
  g_autofree char *unescaped = NULL;

  msg = parse_ok ("MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C3|P|2.6\r"
                  "NTE|1|\\F\\\\S\\\\T\\\\R\\\\E\\|x\\X41424a\\y|line\\.br\\two|\\H\\bold\\N\\"
                  "|keep\\Q\\this|open\\end|odd\\X414\\|nul\\X00\\done|\\.sp 2\\|\\Cxxyy\\jp|\\P\\\r");

  assert_value (msg, 1, 2, 1, 1, 1, "|^&~\\");
  assert_value (msg, 1, 3, 1, 1, 1, "xABJy");
  assert_value (msg, 1, 4, 1, 1, 1, "line\ntwo");
  assert_value (msg, 1, 5, 1, 1, 1, "bold");
  /* Unknown and malformed sequences stay as they were. */
  assert_value (msg, 1, 6, 1, 1, 1, "keep\\Q\\this");
  assert_value (msg, 1, 7, 1, 1, 1, "open\\end");
  assert_value (msg, 1, 8, 1, 1, 1, "odd\\X414\\");
  assert_value (msg, 1, 9, 1, 1, 1, "nuldone");
  assert_value (msg, 1, 10, 1, 1, 1, "\n\n");
  assert_value (msg, 1, 11, 1, 1, 1, "jp");
  assert_value (msg, 1, 12, 1, 1, 1, "#");

  /* An escaped separator does not split. */
  g_assert_cmpuint (ward_hl7_message_get_n_components (msg, 1, 2, 1), ==, 1);

  unescaped = ward_hl7_message_unescape (msg, "a\\S\\b", -1);
  g_assert_cmpstr (unescaped, ==, "a^b");
}

static void
test_escape (void)
{
  g_autofree char *escaped = ward_hl7_escape ("a|b^c~d\\e&f\ng\rh");
  g_autoptr(WardHl7Message) msg = NULL;
  g_autofree char *back = NULL;

  g_assert_cmpstr (escaped, ==, "a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\.br\\g\\X0D\\h");

  msg = parse_ok ("MSH|^~\\&|A\r");
  back = ward_hl7_message_unescape (msg, escaped, -1);
  g_assert_cmpstr (back, ==, "a|b^c~d\\e&f\ng\rh");
}

static void
test_parse_latin1 (void)
{
  g_autoptr(WardHl7Message) msg = NULL;

  /* 0xe9 is é in Latin-1; \XE9\ is too, in this message's character set. */
  msg = parse_ok ("MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C4|P|2.6||||||8859/1\r"
                  "PID|||1||H\xe9l\xe8ne^Z\\XE9\\\r");

  g_assert_cmpstr (ward_hl7_message_get_charset (msg), ==, "8859/1");
  assert_value (msg, 1, 5, 1, 1, 1, "H\xc3\xa9l\xc3\xa8ne");
  assert_value (msg, 1, 5, 1, 2, 1, "Z\xc3\xa9");
  g_assert_true (g_utf8_validate (ward_hl7_message_get_segment_text (msg, 1), -1, NULL));
}

static void
test_parse_utf8 (void)
{
  g_autoptr(WardHl7Message) msg = NULL;
  static const char bad_utf8[] =
    "MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C5|P|2.6||||||UNICODE UTF-8\r"
    "PID|||1||H\xe9l\xe8ne\r";
  static const char bad_ascii[] =
    "MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C6|P|2.6||||||ASCII\r"
    "PID|||1||H\xc3\xa9l\xc3\xa8ne\r";
  static const char undeclared_latin1[] =
    "MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C7|P|2.6\r"
    "PID|||1||H\xe9l\xe8ne\r";

  msg = parse_ok ("MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C8|P|2.6||||||UNICODE UTF-8\r"
                  "PID|||1||H\xc3\xa9l\xc3\xa8ne\\X20\\\xe2\x9c\x93\r");
  assert_value (msg, 1, 5, 1, 1, 1, "H\xc3\xa9l\xc3\xa8ne \xe2\x9c\x93");
  g_clear_pointer (&msg, ward_hl7_message_unref);

  /* Undeclared UTF-8 is accepted: it is what ASCII senders send. */
  msg = parse_ok ("MSH|^~\\&|A\rPID|||1||H\xc3\xa9l\xc3\xa8ne\r");
  assert_value (msg, 1, 5, 1, 1, 1, "H\xc3\xa9l\xc3\xa8ne");

  assert_parse_error (bad_utf8, strlen (bad_utf8), WARD_HL7_ERROR_CHARSET, "UTF-8");
  assert_parse_error (bad_ascii, strlen (bad_ascii), WARD_HL7_ERROR_CHARSET, "ASCII");
  assert_parse_error (undeclared_latin1, strlen (undeclared_latin1), WARD_HL7_ERROR_CHARSET,
                      "8859/1");
}

static void
test_parse_unsupported_charset (void)
{
  static const char *charsets[] = { "UNICODE UTF-16", "ISO IR87", "8859/15", "GB 18030-2000" };

  for (guint i = 0; i < G_N_ELEMENTS (charsets); i++)
    {
      g_autofree char *text = g_strdup_printf ("MSH|^~\\&|A|F|||20250314101502+0000||ORU^R01|C9|P|2.6"
                                               "||||||%s\rPID|||1\r", charsets[i]);

      assert_parse_error (text, strlen (text), WARD_HL7_ERROR_CHARSET, charsets[i]);
    }
}

static void
test_parse_terminators (void)
{
  static const char *texts[] = {
    "MSH|^~\\&|A\rPID|||1\rOBX|1\r",
    "MSH|^~\\&|A\r\nPID|||1\r\nOBX|1\r\n",
    "MSH|^~\\&|A\nPID|||1\nOBX|1\n",
    "\x0b\xef\xbb\xbfMSH|^~\\&|A\r\rPID|||1\r  \rOBX|1\x1c\r",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(WardHl7Message) msg = NULL;
      g_autoptr(GError) error = NULL;

      /* The BOM case is not a valid C string start: parse by length. */
      msg = ward_hl7_message_parse (texts[i], strlen (texts[i]), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ward_hl7_message_get_n_segments (msg), ==, 3);
      g_assert_cmpstr (ward_hl7_message_get_segment_id (msg, 2), ==, "OBX");
      g_assert_cmpstr (ward_hl7_message_get_segment_text (msg, 1), ==, "PID|||1");
      assert_value (msg, 0, 3, 1, 1, 1, "A");
    }

  /* With \r as the terminator, a \n inside a field is text. */
  {
    g_autoptr(WardHl7Message) msg = parse_ok ("MSH|^~\\&|A\rNTE|1||two\nlines\r");

    g_assert_cmpuint (ward_hl7_message_get_n_segments (msg), ==, 2);
    assert_value (msg, 1, 3, 1, 1, 1, "two\nlines");
  }
}

static void
test_parse_bad (void)
{
  g_autofree char *huge = NULL;
  static const char with_nul[] = "MSH|^~\\&|A\rPID|||1\0\r";

  assert_parse_error ("", 0, WARD_HL7_ERROR_SYNTAX, "empty");
  assert_parse_error ("\r\n  ", 4, WARD_HL7_ERROR_SYNTAX, "empty");
  assert_parse_error ("hello world", 11, WARD_HL7_ERROR_SYNTAX, "MSH");
  assert_parse_error ("PID|||1\rMSH|^~\\&|A\r", 19, WARD_HL7_ERROR_SYNTAX, "MSH");
  assert_parse_error ("MSH", 3, WARD_HL7_ERROR_SYNTAX, "MSH-1");
  assert_parse_error ("MSHA^~\\&|", 9, WARD_HL7_ERROR_SYNTAX, "MSH-1");
  assert_parse_error ("MSH||A", 6, WARD_HL7_ERROR_SYNTAX, "MSH-2");
  assert_parse_error ("MSH|^^~\\&|A", 11, WARD_HL7_ERROR_SYNTAX, "MSH-2");
  assert_parse_error ("MSH|^~\\&#!|A", 12, WARD_HL7_ERROR_SYNTAX, "MSH-2");
  assert_parse_error ("MSH|^~\\&|A\rob|x\r", 16, WARD_HL7_ERROR_SYNTAX, "segment 2");
  assert_parse_error ("MSH|^~\\&|A\rOBXX|1\r", 18, WARD_HL7_ERROR_SYNTAX, "segment 2");
  assert_parse_error ("MSH|^~\\&|A\rMSH|^~\\&|B\r", 22, WARD_HL7_ERROR_SYNTAX, "second MSH");
  assert_parse_error ("FHS|^~\\&|A\r", 11, WARD_HL7_ERROR_UNSUPPORTED, "batch");
  assert_parse_error (with_nul, sizeof with_nul - 1, WARD_HL7_ERROR_SYNTAX, "NUL");

  /* Refused before anything is allocated for it. */
  huge = g_malloc0 (WARD_HL7_MAX_MESSAGE_SIZE + 2);
  memcpy (huge, "MSH|^~\\&|A\r", 11);
  memset (huge + 11, 'x', WARD_HL7_MAX_MESSAGE_SIZE - 10);
  assert_parse_error (huge, WARD_HL7_MAX_MESSAGE_SIZE + 1, WARD_HL7_ERROR_TOO_LARGE, "limit");

  /* Too many segments. */
  {
    GString *many = g_string_new ("MSH|^~\\&|A\r");

    for (guint i = 0; i < WARD_HL7_MAX_SEGMENTS; i++)
      g_string_append (many, "NTE|1\r");
    assert_parse_error (many->str, many->len, WARD_HL7_ERROR_TOO_LARGE, "segments");
    g_string_free (many, TRUE);
  }
}

static void
test_timestamp (void)
{
  static const struct {
    const char *text;
    gint64      usec;
    gboolean    has_offset;
  } good[] = {
    { "20250314", G_GINT64_CONSTANT (1741910400000000), FALSE },
    { "2025031410", G_GINT64_CONSTANT (1741946400000000), FALSE },
    { "20250314101502+0000", G_GINT64_CONSTANT (1741947302000000), TRUE },
    { "20250314111502+0100", G_GINT64_CONSTANT (1741947302000000), TRUE },
    { "20250314051502-0500", G_GINT64_CONSTANT (1741947302000000), TRUE },
    { "20250314101502.25+0000", G_GINT64_CONSTANT (1741947302250000), TRUE },
    { "20250314101502.1234", G_GINT64_CONSTANT (1741947302123400), FALSE },
    { "2025", G_GINT64_CONSTANT (1735689600000000), FALSE },
    { "202503", G_GINT64_CONSTANT (1740787200000000), FALSE },
    { "20240229", G_GINT64_CONSTANT (1709164800000000), FALSE },
  };
  static const char *bad[] = {
    "", "2025031", "20251314", "20250230", "20250314241502", "20250314106002",
    "20250314101502+01", "20250314101502+2400", "abc", "20250314101502.",
    "20250314.5", "20250314101502Z", "20250314101502.1234567", "0000",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 usec = 0;
      gboolean has_offset = !good[i].has_offset;

      g_test_message ("%s", good[i].text);
      g_assert_true (ward_hl7_parse_timestamp (good[i].text, &usec, &has_offset, &error));
      g_assert_no_error (error);
      g_assert_cmpint (usec, ==, good[i].usec);
      g_assert_cmpint (has_offset, ==, good[i].has_offset);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 usec = 0;

      g_test_message ("%s", bad[i]);
      g_assert_false (ward_hl7_parse_timestamp (bad[i], &usec, NULL, &error));
      g_assert_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_BAD_TIME);
    }

  {
    g_autofree char *formatted = ward_hl7_format_timestamp (at (10, 15, 2));

    g_assert_cmpstr (formatted, ==, "20250314101502+0000");
  }
}

/* Mapper */

static GPtrArray *
map_ok (const char          *text,
        gsize                length,
        WardHl7MessageInfo  *info,
        GString             *warnings)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *result;

  /* Received at the end of that day: after every example. */
  result = ward_hl7_map_message (text, length, at (23, 59, 0), info, warnings, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
map_error (const char   *text,
           WardHl7Error  code,
           const char   *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = NULL;

  result = ward_hl7_map_message (text, strlen (text), 0, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, WARD_HL7_ERROR, code);
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("error \"%s\" does not mention \"%s\"", error->message, fragment);
}

static guint
count_type (GPtrArray  *result,
            const char *type)
{
  guint n = 0;

  for (guint i = 0; i < result->len; i++)
    if (g_str_equal (((WardNormalized *) g_ptr_array_index (result, i))->type, type))
      n++;

  return n;
}

/* The only measurement of that type; fails if there is not exactly one. */
static const WardNormalized *
get_one (GPtrArray  *result,
         const char *type)
{
  const WardNormalized *found = NULL;

  for (guint i = 0; i < result->len; i++)
    {
      const WardNormalized *n = g_ptr_array_index (result, i);

      if (!g_str_equal (n->type, type))
        continue;
      if (found != NULL)
        g_error ("more than one %s", type);
      found = n;
    }

  if (found == NULL)
    g_error ("no %s", type);

  return found;
}

static void
assert_measurement (GPtrArray  *result,
                    const char *type,
                    gint64      time,
                    const char *name,
                    const char *value)
{
  const WardNormalized *n = get_one (result, type);

  g_assert_cmpint (n->occurrence_time, ==, time);
  g_assert_cmpstr (ward_normalized_get_value (n, name), ==, value);
}

static char *
read_example (const char  *name,
              gsize       *length)
{
  const char *root = g_getenv ("WARD_SOURCE_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  if (root == NULL)
    {
      g_test_skip ("WARD_SOURCE_DIR is not set: cannot find the HL7 examples in "
                   "../shared/reference/clinical/hl7");
      return NULL;
    }

  path = g_build_filename (root, "..", "shared", "reference", "clinical", "hl7", name, NULL);
  if (!g_file_get_contents (path, &contents, length, &error))
    {
      g_autofree char *message = g_strdup_printf ("HL7 example %s not available: %s",
                                                  path, error->message);

      g_test_skip (message);
      return NULL;
    }

  return contents;
}

static void
test_map_example_spotcheck (void)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autofree char *text = NULL;
  const WardNormalized *bp;
  gsize length;

  text = read_example ("01_pcd01_spotcheck_ward_normal.hl7", &length);
  if (text == NULL)
    return;

  result = map_ok (text, length, &info, warnings);

  g_assert_cmpstr (info.control_id, ==, "VSM000101");
  g_assert_cmpstr (info.accept_ack_type, ==, "AL");
  g_assert_cmpstr (info.application_ack_type, ==, "NE");
  g_assert_cmpstr (info.message_type, ==, "ORU^R01^ORU_R01");
  g_assert_cmpstr (info.message_code, ==, "ORU");
  g_assert_cmpstr (info.trigger_event, ==, "R01");
  g_assert_cmpstr (info.version, ==, "2.6");
  g_assert_cmpstr (info.sending_application, ==, "VSM_GATEWAY^0060B0FFFE112233^EUI-64");
  g_assert_cmpstr (info.charset, ==, "UNICODE UTF-8");
  g_assert_cmpint (info.message_time, ==, at (10, 15, 2));

  /* No ECG: the oximeter pulse is the heart rate. */
  assert_measurement (result, "spo2", at (10, 15, 0), "spo2", "97");
  assert_measurement (result, "heartrate", at (10, 15, 0), "hr", "78");
  assert_measurement (result, "heartrate", at (10, 15, 0), "method", "pulse-oximetry");
  assert_measurement (result, "pulserate", at (10, 15, 0), "pulse", "78");
  assert_measurement (result, "respiratoryrate", at (10, 15, 0), "rr", "16");

  /* Spot values keep their own times, not the message's (10:15:02). */
  bp = get_one (result, "bloodpressure");
  g_assert_cmpint (bp->occurrence_time, ==, at (10, 13, 12));
  g_assert_cmpstr (ward_normalized_get_value (bp, "systolic"), ==, "124");
  g_assert_cmpstr (ward_normalized_get_value (bp, "diastolic"), ==, "76");
  g_assert_cmpstr (ward_normalized_get_value (bp, "mean"), ==, "92");
  assert_measurement (result, "temperature", at (10, 14, 5), "temperature", "36.8");
  assert_measurement (result, "temperature", at (10, 14, 5), "site", "axillary");
  g_assert_cmpuint (result->len, ==, 6);

  for (guint i = 0; i < result->len; i++)
    {
      const WardNormalized *n = g_ptr_array_index (result, i);

      g_assert_cmpstr (n->device_id, ==, "0060B0FFFE112233");
      g_assert_cmpstr (n->patient_id, ==, "100234567");
    }

  g_assert_cmpstr (warnings->str, ==, "");
}

static void
test_map_example_continuous (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autoptr(GArray) measurements = NULL;
  g_autoptr(GString) rejected = g_string_new (NULL);
  g_autofree char *text = NULL;
  const WardNormalized *bp;
  gsize length;

  text = read_example ("02_pcd01_bedside_continuous_deteriorating.hl7", &length);
  if (text == NULL)
    return;

  result = map_ok (text, length, NULL, warnings);

  /* ECG heart rate wins; the oximeter pulse stays a pulse rate. */
  assert_measurement (result, "heartrate", at (3, 10, 30), "hr", "128");
  assert_measurement (result, "heartrate", at (3, 10, 30), "method", "ecg");
  assert_measurement (result, "pulserate", at (3, 10, 30), "pulse", "127");
  assert_measurement (result, "pulserate", at (3, 10, 30), "source", "spo2");
  assert_measurement (result, "respiratoryrate", at (3, 10, 30), "rr", "26");
  assert_measurement (result, "respiratoryrate", at (3, 10, 30), "method", "impedance");
  assert_measurement (result, "spo2", at (3, 10, 30), "spo2", "90");

  /* NIBP at 03:00:15, ten minutes before the message (03:10:30). */
  bp = get_one (result, "bloodpressure");
  g_assert_cmpint (bp->occurrence_time, ==, at (3, 0, 15));
  g_assert_cmpstr (ward_normalized_get_value (bp, "systolic"), ==, "92");
  g_assert_cmpstr (ward_normalized_get_value (bp, "diastolic"), ==, "54");
  g_assert_cmpstr (ward_normalized_get_value (bp, "mean"), ==, "67");
  assert_measurement (result, "temperature", at (2, 58, 0), "temperature", "38.9");
  assert_measurement (result, "temperature", at (2, 58, 0), "site", "body");
  g_assert_cmpuint (result->len, ==, 6);

  /* The device of the MDS row applies to the metrics below it. */
  for (guint i = 0; i < result->len; i++)
    {
      const WardNormalized *n = g_ptr_array_index (result, i);

      g_assert_cmpstr (n->device_id, ==, "00A0C9FFFE445566");
      g_assert_cmpstr (n->patient_id, ==, "100987654");
    }
  g_assert_cmpstr (warnings->str, ==, "");

  /* What the mapper gives binds to the scored measurements. */
  measurements = g_array_new (FALSE, TRUE, sizeof (WardMeasurement));
  g_array_set_clear_func (measurements, (GDestroyNotify) ward_measurement_clear);
  for (guint i = 0; i < result->len; i++)
    ward_normalized_bind (g_ptr_array_index (result, i), measurements, rejected);
  g_assert_cmpstr (rejected->str, ==, "");
  /* hr, rr, spo2, sbp, dbp, map, temp */
  g_assert_cmpuint (measurements->len, ==, 7);
  for (guint i = 0; i < measurements->len; i++)
    {
      WardMeasurement *m = &g_array_index (measurements, WardMeasurement, i);

      if (m->kind == WARD_MEAS_HR)
        g_assert_cmpfloat (m->value, ==, 128);
      else if (m->kind == WARD_MEAS_SBP)
        {
          g_assert_cmpfloat (m->value, ==, 92);
          g_assert_cmpint (m->observed_at, ==, at (3, 0, 15));
        }
      else if (m->kind == WARD_MEAS_TEMP)
        g_assert_cmpfloat (m->value, ==, 38.9);
    }
}

static void
test_map_example_loinc (void)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autofree char *text = NULL;
  const WardNormalized *bp;
  gsize length;

  text = read_example ("04_loinc_normalised_copd_scale2_on_oxygen.hl7", &length);
  if (text == NULL)
    return;

  result = map_ok (text, length, &info, warnings);
  g_assert_cmpstr (info.control_id, ==, "IE20250314142210001");
  g_assert_cmpstr (info.version, ==, "2.5.1");

  assert_measurement (result, "heartrate", at (14, 20, 0), "hr", "96");
  assert_measurement (result, "heartrate", at (14, 20, 0), "method", "unspecified");
  assert_measurement (result, "respiratoryrate", at (14, 20, 0), "rr", "22");
  assert_measurement (result, "spo2", at (14, 20, 0), "spo2", "90");
  bp = get_one (result, "bloodpressure");
  g_assert_cmpint (bp->occurrence_time, ==, at (14, 19, 0));
  g_assert_cmpstr (ward_normalized_get_value (bp, "systolic"), ==, "128");
  g_assert_cmpstr (ward_normalized_get_value (bp, "diastolic"), ==, "74");
  g_assert_null (ward_normalized_get_value (bp, "mean"));
  assert_measurement (result, "temperature", at (14, 18, 0), "temperature", "37.6");
  assert_measurement (result, "oxygenflow", at (14, 20, 0), "flow", "2");
  assert_measurement (result, "consciousness", at (14, 20, 0), "acvpu", "A");
  g_assert_cmpuint (result->len, ==, 7);
  g_assert_cmpuint (count_type (result, "pulserate"), ==, 0);

  /* No EUI-64 anywhere: the sending application names the source. */
  for (guint i = 0; i < result->len; i++)
    {
      const WardNormalized *n = g_ptr_array_index (result, i);

      g_assert_cmpstr (n->device_id, ==, "IFACE_ENGINE");
      g_assert_cmpstr (n->patient_id, ==, "100334455");
    }
  g_assert_cmpstr (warnings->str, ==, "");
}

/* A Philips IntelliVue Information Center style message: MDIL hex codes
 * and units, empty OBX-1, OBX-4 "0", Latin-1, a private code.
 */
static const char philips[] =
  "MSH|^~\\&|PIIC^00095CFFFE0A1B2C^EUI-64|PHILIPS|||20250314083000||ORU^R01|PH0001|P|2.3||||||8859/1\r"
  "PID|||4711^^^HOSP||M\xfcller^J\xfcrgen\r"
  "PV1||I|ICU^3^1||||||||||||||||ENC42\r"
  "OBR|1|||Vital Signs|||20250314082955\r"
  "OBX||NM|0002-4182^HR^MDIL|0|88|0004-0aa0^bpm^MDIL|||||F|||20250314082955\r"
  "OBX||NM|0002-4822^Pulse^MDIL|0|86|0004-0aa0^bpm^MDIL|||||F|||20250314082955\r"
  "OBX||NM|0002-4bb8^SpO\xb2^MDIL|0|95|0004-0220^%^MDIL|||||F|||20250314082955\r"
  "OBX||NM|0002-500a^RR^MDIL|0|18|0004-0ae0^rpm^MDIL|||||F|||20250314082955\r"
  "OBX||NM|0002-4a05^NBPs^MDIL|0|131|0004-0f20^mmHg^MDIL|||||F|||20250314082512\r"
  "OBX||NM|0002-4a06^NBPd^MDIL|0|79|0004-0f20^mmHg^MDIL|||||F|||20250314082512\r"
  "OBX||NM|0002-4a07^NBPm^MDIL|0|96|0004-0f20^mmHg^MDIL|||||F|||20250314082512\r"
  "OBX||NM|0002-f0e5^NBP Pulse^MDIL|0|84|0004-0aa0^bpm^MDIL|||||F|||20250314082512\r"
  "OBX||NM|0002-4b48^Temp^MDIL|0|37.2|0004-17a0^\xb0" "C^MDIL|||||F|||20250314082955\r"
  "OBX||NM|0401-1234^Private^MDIL|0|3|0004-0200^^MDIL|||||F|||20250314082955\r";

static void
test_map_philips (void)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  const WardNormalized *bp;
  gint64 t = at (8, 29, 55);

  result = map_ok (philips, sizeof philips - 1, &info, warnings);
  g_assert_cmpstr (info.charset, ==, "8859/1");
  g_assert_cmpstr (info.control_id, ==, "PH0001");

  /* 0002-4182 = 2 * 65536 + 0x4182 = 147842: ECG heart rate. */
  assert_measurement (result, "heartrate", t, "hr", "88");
  assert_measurement (result, "heartrate", t, "method", "ecg");
  assert_measurement (result, "spo2", t, "spo2", "95");
  assert_measurement (result, "respiratoryrate", t, "rr", "18");
  assert_measurement (result, "temperature", t, "temperature", "37.2");
  bp = get_one (result, "bloodpressure");
  g_assert_cmpint (bp->occurrence_time, ==, at (8, 25, 12));
  g_assert_cmpstr (ward_normalized_get_value (bp, "systolic"), ==, "131");
  g_assert_cmpstr (ward_normalized_get_value (bp, "diastolic"), ==, "79");
  g_assert_cmpstr (ward_normalized_get_value (bp, "mean"), ==, "96");
  /* Two pulse rates, oximeter and NIBP; neither is the heart rate. */
  g_assert_cmpuint (count_type (result, "pulserate"), ==, 2);
  g_assert_cmpuint (count_type (result, "heartrate"), ==, 1);

  for (guint i = 0; i < result->len; i++)
    {
      const WardNormalized *n = g_ptr_array_index (result, i);

      g_assert_cmpstr (n->device_id, ==, "00095CFFFE0A1B2C");
      g_assert_cmpstr (n->patient_id, ==, "4711");
      g_assert_cmpstr (n->encounter_id, ==, "ENC42");
    }

  /* The private code is skipped and said; times without offset too. */
  g_assert_nonnull (strstr (warnings->str, "unknown code 0401-1234^Private^MDIL"));
  g_assert_nonnull (strstr (warnings->str, "no timestamp states a UTC offset"));
  g_assert_null (strstr (warnings->str, "M\xc3\xbcller"));
}

#define MSH_ORU "MSH|^~\\&|MON^AABBCCFFFE000001^EUI-64|W|||20250314120000+0000||ORU^R01^ORU_R01|T1|P|2.6|||AL|NE\r" \
                "PID|||P1\r"

static GPtrArray *
map_text (const char *text,
          GString    *warnings)
{
  return map_ok (text, strlen (text), NULL, warnings);
}

static void
test_map_heart_rate_preference (void)
{
  g_autoptr(GPtrArray) result = NULL;

  /* Pulse only: the oximeter pulse (better than NIBP's) is the heart rate. */
  result = map_text (MSH_ORU
                     "OBX|1|NM|149546^MDC_PULS_RATE_NON_INV^MDC||70|264864^^MDC|||||R|||20250314115500+0000\r"
                     "OBX|2|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||74|264864^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  assert_measurement (result, "heartrate", at (11, 59, 0), "hr", "74");
  assert_measurement (result, "heartrate", at (11, 59, 0), "method", "pulse-oximetry");
  g_assert_cmpuint (count_type (result, "pulserate"), ==, 2);
  g_clear_pointer (&result, g_ptr_array_unref);

  /* NIBP pulse alone becomes the heart rate. */
  result = map_text (MSH_ORU
                     "OBX|1|NM|149546^MDC_PULS_RATE_NON_INV^MDC||70|264864^^MDC|||||R|||20250314115500+0000\r",
                     NULL);
  assert_measurement (result, "heartrate", at (11, 55, 0), "hr", "70");
  assert_measurement (result, "heartrate", at (11, 55, 0), "method", "nibp");
  g_clear_pointer (&result, g_ptr_array_unref);

  /* ECG present but absent (leads off, X): the pulse is used. */
  result = map_text (MSH_ORU
                     "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC||\"\"|264864^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|2|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||74|264864^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  assert_measurement (result, "heartrate", at (11, 59, 0), "method", "pulse-oximetry");
  g_clear_pointer (&result, g_ptr_array_unref);

  /* ECG present: pulses never give a heart rate, whatever their order. */
  result = map_text (MSH_ORU
                     "OBX|1|NM|149530^MDC_PULS_OXIM_PULS_RATE^MDC||74|264864^^MDC|||||R|||20250314115800+0000\r"
                     "OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC||75|264864^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  assert_measurement (result, "heartrate", at (11, 59, 0), "hr", "75");
  assert_measurement (result, "pulserate", at (11, 58, 0), "pulse", "74");
}

static void
test_map_rr_preference (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  result = map_text (MSH_ORU
                     "OBX|1|NM|151586^MDC_VENT_RESP_RATE^MDC||12|264928^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|2|NM|151578^MDC_TTHOR_RESP_RATE^MDC||19|264928^^MDC|||||R|||20250314115900+0000\r",
                     warnings);
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "rr", "19");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "method", "impedance");
  g_assert_nonnull (strstr (warnings->str, "OBX 1: respiratory rate (ventilator) not used"));
  g_clear_pointer (&result, g_ptr_array_unref);

  /* Alone, the derived rate is what there is. */
  result = map_text (MSH_ORU
                     "OBX|1|NM|151586^MDC_VENT_RESP_RATE^MDC||12|264928^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "method", "ventilator");
}

static void
test_map_absent_values (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  result = map_text (MSH_ORU
                     "OBX|1|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||97|262688^^MDC|||||X|||20250314115900+0000\r"
                     "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|||262688^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|3|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||\"\"|262688^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||   |262688^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|5|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||95|262688^^MDC|||||W|||20250314115900+0000\r"
                     "OBX|6||69798^MDC_DEV_PULS_OXIM_VMD^MDC|1.3.0.0|||||||X\r",
                     warnings);
  g_assert_cmpuint (result->len, ==, 0);
  /* Only the withdrawn value is worth a word. */
  g_assert_cmpstr (warnings->str, ==,
                   "OBX 5 (150456^MDC_PULS_OXIM_SAT_O2^MDC): result status W, skipped\n");
}

static void
test_map_unknown_codes (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  result = map_text (MSH_ORU
                     "OBX|1|NM|999999^MDC_VENDOR_THING^MDC||5|262688^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|2|NM|12345-6^Something^LN||5|%^%^UCUM|||||F|||20250314115900+0000\r"
                     "OBX|3|NM|XYZ^Local^99LOCAL||5|%^%^UCUM|||||F|||20250314115900+0000\r"
                     "OBX|4|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC||96|262688^^MDC|||||R|||20250314115900+0000\r",
                     warnings);
  assert_measurement (result, "spo2", at (11, 59, 0), "spo2", "96");
  g_assert_cmpuint (result->len, ==, 1);
  g_assert_nonnull (strstr (warnings->str, "OBX 1: unknown code 999999^MDC_VENDOR_THING^MDC, skipped\n"));
  g_assert_nonnull (strstr (warnings->str, "OBX 2: unknown code 12345-6^Something^LN"));
  g_assert_nonnull (strstr (warnings->str, "OBX 3: unknown code XYZ^Local^99LOCAL"));
}

static void
test_map_units (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  /* Fahrenheit and kPa are converted; UCUM, MDC and REFID forms all work. */
  result = map_text (MSH_ORU
                     "OBX|1|NM|8310-5^Body temperature^LN||98.6|[degF]^^UCUM|||||F|||20250314115900+0000\r"
                     "OBX|2|NM|150301^^MDC||16|kPa^^UCUM|||||F|||20250314115900+0000\r"
                     "OBX|3|NM|150302^^MDC||10.7|265987^MDC_DIM_KILO_PASCAL^MDC|||||F|||20250314115900+0000\r"
                     "OBX|4|NM|8867-4^Heart rate^LN||72|{beats}/min^^UCUM|||||F|||20250314115900+0000\r"
                     "OBX|5|NM|9279-1^Respiratory rate^LN||14|^MDC_DIM_RESP_PER_MIN^MDC|||||F|||20250314115900+0000\r"
                     "OBX|6|NM|3151-8^O2 flow^LN||2|furlongs^^UCUM|||||F|||20250314115900+0000\r",
                     warnings);
  assert_measurement (result, "temperature", at (11, 59, 0), "temperature", "37.0");
  assert_measurement (result, "bloodpressure", at (11, 59, 0), "systolic", "120");
  assert_measurement (result, "bloodpressure", at (11, 59, 0), "diastolic", "80");
  assert_measurement (result, "heartrate", at (11, 59, 0), "hr", "72");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "rr", "14");
  /* An unknown unit is skipped with a problem. */
  g_assert_cmpuint (count_type (result, "oxygenflow"), ==, 0);
  g_assert_nonnull (strstr (warnings->str, "OBX 6 (3151-8^O2 flow^LN) has an unknown unit"));
}

/* An OBX that cannot be read costs that OBX only: the values beside it
 * are kept, and what was skipped is a problem of the message (apart
 * from the warnings about codes we do not use).
 */
static void
test_map_unreadable_obx (void)
{
  static const struct {
    const char *obx;
    const char *problem;
  } cases[] = {
    { "OBX|4|NM|150344^MDC_TEMP^MDC|1.2.1.150344|37.2|furlongs^^UCUM|||||R|||20250314115900+0000\r",
      "OBX 4 (150344^MDC_TEMP^MDC) has an unknown unit furlongs^^UCUM, skipped\n" },
    { "OBX|4|NM|150344^MDC_TEMP^MDC|1.2.1.150344|37.2||||||R|||20250314115900+0000\r",
      "OBX 4 (150344^MDC_TEMP^MDC) has no unit (OBX-6), skipped\n" },
    { "OBX|4|NM|150344^MDC_TEMP^MDC|1.2.1.150344|37.2|262688^MDC_DIM_PERCENT^MDC|||||R|||20250314115900+0000\r",
      "OBX 4 (150344^MDC_TEMP^MDC) has a unit that does not fit 262688^MDC_DIM_PERCENT^MDC, skipped\n" },
    { "OBX|4|NM|150344^MDC_TEMP^MDC|1.2.1.150344|37.2|268192^MDC_DIM_FAHR^MDC|||||R|||20250314115900+0000\r",
      "OBX 4 (150344^MDC_TEMP^MDC) has a unit whose code and name disagree 268192^MDC_DIM_FAHR^MDC, "
      "skipped\n" },
    { "OBX|4|NM|150344^MDC_TEMP^MDC|1.2.1.150344|37.2|268192^MDC_DIM_DEGC^MDC|||||R|||2025-03-14T11:59\r",
      "OBX 4 (150344^MDC_TEMP^MDC): OBX-14: \"2025-03-14T11:59\" is not an HL7 timestamp" },
    { "OBX|4|NM|149530^MDC_TEMP^MDC|1.2.1.150344|37.2|268192^MDC_DIM_DEGC^MDC|||||R|||20250314115900+0000\r",
      "OBX 4 (149530^MDC_TEMP^MDC): the code number and the MDC name are different codes, skipped\n" },
    { "OBX|4|CWE|67775-7^Level of responsiveness^LN||12345^Drowsy^SCT||||||F|||20250314115900+0000\r",
      "OBX 4 (67775-7^Level of responsiveness^LN): unknown level of responsiveness answer 12345, "
      "skipped\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) result = NULL;
      g_autoptr(GString) warnings = g_string_new (NULL);
      g_autoptr(GString) problems = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      text = g_strconcat (MSH_ORU,
                          "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.1.147842|82|"
                          "264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||20250314115900+0000\r"
                          "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|95|"
                          "262688^MDC_DIM_PERCENT^MDC|||||R|||20250314115900+0000\r"
                          "OBX|3|NM|151562^MDC_RESP_RATE^MDC|1.7.2.151562|19|"
                          "264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||20250314115900+0000\r",
                          cases[i].obx, NULL);
      g_test_message ("%s", cases[i].obx);
      result = ward_hl7_map_message_full (text, strlen (text), at (23, 59, 0), NULL, warnings,
                                          problems, &error);
      g_assert_no_error (error);
      g_assert_nonnull (result);

      /* HR, SpO2 and RR beside it are kept. */
      assert_measurement (result, "heartrate", at (11, 59, 0), "hr", "82");
      assert_measurement (result, "spo2", at (11, 59, 0), "spo2", "95");
      assert_measurement (result, "respiratoryrate", at (11, 59, 0), "rr", "19");
      g_assert_cmpuint (result->len, ==, 3);
      if (!g_str_has_prefix (problems->str, cases[i].problem))
        g_error ("problem \"%s\" is not \"%s\"", problems->str, cases[i].problem);
      g_assert_cmpstr (warnings->str, ==, "");
    }

  /* Codes we do not use are warnings, not problems. */
  {
    g_autoptr(GPtrArray) result = NULL;
    g_autoptr(GString) warnings = g_string_new (NULL);
    g_autoptr(GString) problems = g_string_new (NULL);
    static const char text[] =
      MSH_ORU "OBX|1|NM|352^MNDRY_ECG_VPB_RATE^99MNDRY|1.7.2.352|0|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||"
      "20250314115900+0000\r";

    result = ward_hl7_map_message_full (text, sizeof text - 1, at (23, 59, 0), NULL, warnings,
                                        problems, NULL);
    g_assert_nonnull (result);
    g_assert_cmpuint (result->len, ==, 0);
    g_assert_cmpstr (problems->str, ==, "");
    g_assert_nonnull (strstr (warnings->str, "unknown code 352^MNDRY_ECG_VPB_RATE^99MNDRY"));
  }

  /* A message that is itself malformed still fails as a whole. */
  map_error ("MSH|^~\\&|MON|W|||yesterday||ORU^R01|T1|P|2.6\r"
             "OBX|1|NM|147842^^MDC||80|264864^^MDC|||||R|||20250314115900+0000\r",
             WARD_HL7_ERROR_BAD_TIME, "MSH-7");
}

/* Generic NIBP and capnography codes, as monitors send them. */
static void
test_map_standard_codes (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  const WardNormalized *bp;

  result = map_text (MSH_ORU
                     "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"
                     "OBX|2|NM|150017^MDC_PRESS_BLD_SYS^MDC|1.1.9.150017|118|266016^MDC_DIM_MMHG^MDC|||||R|||"
                     "20250314115000+0000|||^APERIODIC\r"
                     "OBX|3|NM|150018^MDC_PRESS_BLD_DIA^MDC|1.1.9.150018|72|266016^MDC_DIM_MMHG^MDC|||||R|||"
                     "20250314115000+0000|||^APERIODIC\r"
                     "OBX|4|NM|150019^MDC_PRESS_BLD_MEAN^MDC|1.1.9.150019|87|266016^MDC_DIM_MMHG^MDC|||||R|||"
                     "20250314115000+0000|||^APERIODIC\r"
                     "OBX|5|NM|151594^MDC_CO2_RESP_RATE^MDC|1.11.1.151594|14|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||"
                     "20250314115900+0000\r",
                     warnings);
  bp = get_one (result, "bloodpressure");
  g_assert_cmpint (bp->occurrence_time, ==, at (11, 50, 0));
  g_assert_cmpstr (ward_normalized_get_value (bp, "systolic"), ==, "118");
  g_assert_cmpstr (ward_normalized_get_value (bp, "diastolic"), ==, "72");
  g_assert_cmpstr (ward_normalized_get_value (bp, "mean"), ==, "87");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "rr", "14");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "method", "capnography");
  g_assert_cmpuint (result->len, ==, 2);
  g_assert_cmpstr (warnings->str, ==, "");
}

/* A monitor that puts numbers of its own (or 0) in CE.1 and the MDC
 * reference id in CE.2, and another that sends the reference id alone:
 * the name is the code.  A number and a name that are two different
 * codes is not guessed at.
 */
static void
test_map_mdc_names (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  result = map_text (MSH_ORU
                     "OBX|1|NM|101^MDC_ECG_HEART_RATE^MDC|1.7.1.101|77|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||"
                     "20250314115900+0000\r"
                     "OBX|2|NM|0^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.0|96|262688^MDC_DIM_PERCENT^MDC|||||R|||"
                     "20250314115900+0000\r"
                     "OBX|3|NM|MDC_TTHOR_RESP_RATE^Resp^MDC|1.7.2.0|15|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||"
                     "20250314115900+0000\r"
                     "OBX|4|NM|2001^MDC_TEMP^99VENDOR|1.2.1.2001|37.4|268192^MDC_DIM_DEGC^MDC|||||R|||"
                     "20250314115900+0000\r"
                     "OBX|5|NM|149530^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|97|262688^MDC_DIM_PERCENT^MDC|||||R|||"
                     "20250314115900+0000\r",
                     warnings);
  assert_measurement (result, "heartrate", at (11, 59, 0), "hr", "77");
  assert_measurement (result, "heartrate", at (11, 59, 0), "method", "ecg");
  assert_measurement (result, "spo2", at (11, 59, 0), "spo2", "96");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "rr", "15");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "method", "impedance");
  assert_measurement (result, "temperature", at (11, 59, 0), "temperature", "37.4");
  g_assert_cmpuint (result->len, ==, 4);
  g_assert_nonnull (strstr (warnings->str, "OBX 1 (101^MDC_ECG_HEART_RATE^MDC): code not known by its "
                                           "number; read by its name MDC_ECG_HEART_RATE\n"));
  g_assert_nonnull (strstr (warnings->str, "OBX 4 (2001^MDC_TEMP^99VENDOR): code not known"));
  g_assert_null (strstr (warnings->str, "OBX 3"));
  g_assert_nonnull (strstr (warnings->str, "OBX 5 (149530^MDC_PULS_OXIM_SAT_O2^MDC): the code number and "
                                           "the MDC name are different codes, skipped\n"));
}

static const WardNormalized *
find_at (GPtrArray  *result,
         const char *type,
         gint64      time)
{
  for (guint i = 0; i < result->len; i++)
    {
      const WardNormalized *n = g_ptr_array_index (result, i);

      if (g_str_equal (n->type, type) && n->occurrence_time == time)
        return n;
    }

  g_error ("no %s at %" G_GINT64_FORMAT, type, time);
  return NULL;
}

/* MDC_DIM_FAHR is 4 * 65536 + 4416 = 266560; a device that sends
 * another number with the name is read by the name, and said so.
 */
static void
test_map_fahrenheit (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  result = map_text (MSH_ORU
                     "OBX|1|NM|150344^MDC_TEMP^MDC|1.2.1.150344|98.6|266560^MDC_DIM_FAHR^MDC|||||R|||"
                     "20250314115900+0000\r"
                     "OBX|2|NM|150344^MDC_TEMP^MDC|1.2.1.150344|100.4|268224^MDC_DIM_FAHR^MDC|||||R|||"
                     "20250314115800+0000\r"
                     "OBX|3|NM|150344^MDC_TEMP^MDC|1.2.1.150344|101.3|^MDC_DIM_FAHR^MDC|||||R|||"
                     "20250314115700+0000\r",
                     warnings);
  g_assert_cmpuint (count_type (result, "temperature"), ==, 3);
  g_assert_cmpstr (ward_normalized_get_value (find_at (result, "temperature", at (11, 59, 0)),
                                              "temperature"), ==, "37.0");
  g_assert_cmpstr (ward_normalized_get_value (find_at (result, "temperature", at (11, 58, 0)),
                                              "temperature"), ==, "38.0");
  g_assert_cmpstr (ward_normalized_get_value (find_at (result, "temperature", at (11, 57, 0)),
                                              "temperature"), ==, "38.5");
  g_assert_cmpstr (warnings->str, ==,
                   "OBX 2 (150344^MDC_TEMP^MDC): unit 268224^MDC_DIM_FAHR^MDC not known by its code; "
                   "read by its name as MDC_DIM_FAHR\n");
}

static void
test_map_values (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GArray) measurements = NULL;
  g_autoptr(GString) rejected = g_string_new (NULL);

  /* SN with "=" is a number; anything else goes on as sent, for the
   * binding to reject rather than for us to guess.
   */
  result = map_text (MSH_ORU
                     "OBX|1|SN|150456^^MDC||=^96|262688^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|2|SN|147842^^MDC||<^30|264864^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|3|NM|151562^^MDC||abc|264928^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  assert_measurement (result, "spo2", at (11, 59, 0), "spo2", "96");
  assert_measurement (result, "heartrate", at (11, 59, 0), "hr", "<30");
  assert_measurement (result, "respiratoryrate", at (11, 59, 0), "rr", "abc");

  measurements = g_array_new (FALSE, TRUE, sizeof (WardMeasurement));
  g_array_set_clear_func (measurements, (GDestroyNotify) ward_measurement_clear);
  for (guint i = 0; i < result->len; i++)
    ward_normalized_bind (g_ptr_array_index (result, i), measurements, rejected);
  g_assert_cmpuint (measurements->len, ==, 1);
  g_assert_nonnull (strstr (rejected->str, "heartrate.hr"));
  g_assert_nonnull (strstr (rejected->str, "respiratoryrate.rr"));
  g_assert_nonnull (strstr (rejected->str, "not a number"));
}

static void
test_map_times (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  /* OBX-14 first, then OBR-7, then MSH-7. */
  result = map_text ("MSH|^~\\&|MON^AABBCCFFFE000001^EUI-64|W|||20250314120000+0000||ORU^R01|T1|P|2.6\r"
                     "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R\r"
                     "OBR|1||||||20250314115000+0000\r"
                     "OBX|2|NM|151562^^MDC||15|264928^^MDC|||||R\r"
                     "OBX|3|NM|150301^^MDC||120|266016^^MDC|||||R||||||^APERIODIC\r"
                     "OBX|4|NM|147842^^MDC||80|264864^^MDC|||||R|||20250314114500+0000\r",
                     warnings);
  assert_measurement (result, "spo2", at (12, 0, 0), "spo2", "97");
  assert_measurement (result, "respiratoryrate", at (11, 50, 0), "rr", "15");
  assert_measurement (result, "bloodpressure", at (11, 50, 0), "systolic", "120");
  assert_measurement (result, "heartrate", at (11, 45, 0), "hr", "80");
  g_assert_nonnull (strstr (warnings->str, "OBX 3 (150301^^MDC): spot value without OBX-14; "
                                           "stamped with OBR-7"));
  g_clear_pointer (&result, g_ptr_array_unref);
  g_string_truncate (warnings, 0);

  /* No offset anywhere: this station's local time (UTC here), said once. */
  result = map_text ("MSH|^~\\&|MON|W|||20250314120000||ORU^R01|T1|P|2.6\r"
                     "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R|||20250314115900\r"
                     "OBX|2|NM|151562^^MDC||15|264928^^MDC|||||R|||20250314115900\r",
                     warnings);
  assert_measurement (result, "spo2", at (11, 59, 0), "spo2", "97");
  g_assert_cmpstr (warnings->str, ==,
                   "no timestamp states a UTC offset (MSH-7, OBX-14): read as this station's "
                   "local time (UTC+00:00)\n");

  /* An observation from the future says so (received at 11:00 here). */
  {
    g_autoptr(GError) error = NULL;
    static const char future[] = MSH_ORU "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R|||20250314115900+0000\r";

    g_string_truncate (warnings, 0);
    g_clear_pointer (&result, g_ptr_array_unref);
    result = ward_hl7_map_message (future, sizeof future - 1, at (11, 0, 0), NULL, warnings, &error);
    g_assert_no_error (error);
    g_assert_nonnull (strstr (warnings->str, "OBX 1: observation time is more than 5 minutes after"));
  }

  /* No time at all, or an OBX-14 that does not parse: that OBX is skipped. */
  g_clear_pointer (&result, g_ptr_array_unref);
  g_string_truncate (warnings, 0);
  result = map_text ("MSH|^~\\&|MON|W|||||ORU^R01|T1|P|2.6\r"
                     "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R\r"
                     "OBX|2|NM|151562^^MDC||15|264928^^MDC|||||R|||20250314115900+0000\r",
                     warnings);
  g_assert_cmpuint (result->len, ==, 1);
  g_assert_nonnull (strstr (warnings->str, "OBX 1 (150456^^MDC) has no observation time"));
  g_clear_pointer (&result, g_ptr_array_unref);
  g_string_truncate (warnings, 0);
  result = map_text (MSH_ORU "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R|||2025-03-14T11:59:00Z\r",
                     warnings);
  g_assert_cmpuint (result->len, ==, 0);
  g_assert_nonnull (strstr (warnings->str, "OBX 1 (150456^^MDC): OBX-14: "));

  map_error ("MSH|^~\\&|MON|W|||yesterday||ORU^R01|T1|P|2.6\r",
             WARD_HL7_ERROR_BAD_TIME, "MSH-7");
  map_error (MSH_ORU "OBR|1||||||20251399\r", WARD_HL7_ERROR_BAD_TIME, "OBR-7");
}

/* A GE-style PCD-01 message: MSH-7 states the sender's offset (-05:00),
 * OBR-7 and the spot NIBP's OBX-14 do not.  They are the sender's local
 * times, not UTC: read as UTC they landed 5 hours early.
 */
static const char ge_vitals[] =
  "MSH|^~\\&|VSP^080019FFFE134535^EUI-64|GE Healthcare|||20250314061502-0500||ORU^R01^ORU_R01|"
  "080019FFFE13453520250314061502|P|2.6|||NE|AL||UNICODE UTF-8|||"
  "PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r"
  "PID|||MRN4471^^^PID^MR||DOE^JANE^^^^^L|||\r"
  "PV1||E|ICU^^12\r"
  "OBR|1|080019FFFE13453520250314061502^VSP^080019FFFE134535^EUI-64|"
  "080019FFFE13453520250314061502^VSP^080019FFFE134535^EUI-64|182777000^monitoring of patient^SCT|||"
  "20250314061500\r"
  "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"
  "OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC|1.5.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||||||"
  "080019FFFE134535^B40_GE\r"
  "OBX|3|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.22.1.2|97|262688^MDC_DIM_PERCENT^MDC|||||R|||||||"
  "080019FFFE134535^B40_GE\r"
  "OBX|4|NM|151562^MDC_RESP_RATE^MDC|1.7.1.1|16|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||||||"
  "080019FFFE134535^B40_GE\r"
  "OBX|5|NM|150021^MDC_PRESS_BLD_NONINV_SYS^MDC|1.13.1.1|128|266016^MDC_DIM_MMHG^MDC|||||R|||"
  "20250314060500||||080019FFFE134535^B40_GE\r"
  "OBX|6|NM|150022^MDC_PRESS_BLD_NONINV_DIA^MDC|1.13.1.2|79|266016^MDC_DIM_MMHG^MDC|||||R|||"
  "20250314060500||||080019FFFE134535^B40_GE\r";

static void
test_map_sender_offset (void)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  const WardNormalized *bp;

  result = ward_hl7_map_message_full (ge_vitals, sizeof ge_vitals - 1, at (23, 59, 0), &info,
                                      warnings, problems, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info.message_time, ==, at (11, 15, 2));

  /* OBR-7 06:15:00 at -05:00 is 11:15:00 UTC. */
  assert_measurement (result, "heartrate", at (11, 15, 0), "hr", "72");
  assert_measurement (result, "spo2", at (11, 15, 0), "spo2", "97");
  assert_measurement (result, "respiratoryrate", at (11, 15, 0), "rr", "16");
  bp = get_one (result, "bloodpressure");
  g_assert_cmpint (bp->occurrence_time, ==, at (11, 5, 0));
  g_assert_cmpstr (ward_normalized_get_value (bp, "systolic"), ==, "128");
  g_assert_cmpuint (result->len, ==, 4);
  for (guint i = 0; i < result->len; i++)
    g_assert_cmpstr (((WardNormalized *) g_ptr_array_index (result, i))->device_id, ==,
                     "080019FFFE134535");

  /* That is how HL7 reads them: a warning, not a problem. */
  g_assert_cmpstr (warnings->str, ==,
                   "timestamps without a UTC offset (OBR-7, OBX-14) were read with the sender's "
                   "offset from MSH-7 (UTC-05:00)\n");
  g_assert_cmpstr (problems->str, ==, "");
  g_clear_pointer (&result, g_ptr_array_unref);
  g_string_truncate (warnings, 0);

  /* MSH-7 without offset, one OBX-14 with: that is the sender's offset. */
  result = map_text ("MSH|^~\\&|MON|W|||20250314171500||ORU^R01|T1|P|2.6\r"
                     "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R|||20250314171400+0530\r"
                     "OBX|2|NM|151562^^MDC||15|264928^^MDC|||||R|||20250314171400\r",
                     warnings);
  assert_measurement (result, "spo2", at (11, 44, 0), "spo2", "97");
  assert_measurement (result, "respiratoryrate", at (11, 44, 0), "rr", "15");
  g_assert_cmpstr (warnings->str, ==,
                   "timestamps without a UTC offset (MSH-7, OBX-14) were read with the sender's "
                   "offset from OBX-14 (UTC+05:30)\n");
}

/* No offset anywhere: this station's time zone, and the guess is a
 * problem recorded on the message.
 */
static void
test_map_local_time (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *saved_tz = g_strdup (g_getenv ("TZ"));
  static const char text[] =
    "MSH|^~\\&|MON|W|||20250314171500||ORU^R01|T1|P|2.6\r"
    "OBR|1||||||20250314171400\r"
    "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R\r";

  /* India: +05:30 all year, as a POSIX rule so that no zone file is needed. */
  g_setenv ("TZ", "IST-5:30", TRUE);
  result = ward_hl7_map_message_full (text, sizeof text - 1, at (23, 59, 0), NULL, warnings,
                                      problems, &error);
  if (saved_tz != NULL)
    g_setenv ("TZ", saved_tz, TRUE);
  else
    g_unsetenv ("TZ");

  g_assert_no_error (error);
  assert_measurement (result, "spo2", at (11, 44, 0), "spo2", "97");
  g_assert_cmpstr (problems->str, ==,
                   "no timestamp states a UTC offset (MSH-7, OBR-7): read as this station's "
                   "local time (UTC+05:30)\n");
  g_assert_cmpstr (warnings->str, ==, "");
}

static void
test_map_grouping (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  result = map_text (MSH_ORU
                     "OBX|1|NM|150301^^MDC||120|266016^^MDC|||||R|||20250314115000+0000\r"
                     "OBX|2|NM|150302^^MDC||80|266016^^MDC|||||R|||20250314115000+0000\r"
                     "OBX|3|NM|150301^^MDC||118|266016^^MDC|||||R|||20250314115500+0000\r"
                     "OBX|4|NM|150301^^MDC||121|266016^^MDC|||||R|||20250314115500+0000\r"
                     "OBX|5|NM|150456^^MDC||96|262688^^MDC|||||R|||20250314115000+0000\r",
                     warnings);
  g_assert_cmpuint (count_type (result, "bloodpressure"), ==, 2);
  g_assert_cmpuint (result->len, ==, 3);
  g_assert_cmpstr (((WardNormalized *) g_ptr_array_index (result, 0))->type, ==, "bloodpressure");
  g_assert_cmpstr (ward_normalized_get_value (g_ptr_array_index (result, 0), "diastolic"), ==, "80");
  g_assert_cmpstr (ward_normalized_get_value (g_ptr_array_index (result, 1), "systolic"), ==, "118");
  g_assert_nonnull (strstr (warnings->str, "OBX 4: a second bloodpressure.systolic"));
}

static void
test_map_devices (void)
{
  g_autoptr(GPtrArray) result = NULL;

  /* OBX-18 EUI-64 wins and carries to the next OBX, until the next OBR. */
  result = map_text ("MSH|^~\\&|GW^AABBCCFFFE000001^EUI-64|W|||20250314120000+0000||ORU^R01|T1|P|2.6\r"
                     "OBR|1\r"
                     "OBX|1|NM|150456^^MDC||97|262688^^MDC|||||R|||20250314115900+0000||||"
                     "LOCAL1~1122334455667788^^1122334455667788^EUI-64\r"
                     "OBX|2|NM|151562^^MDC||15|264928^^MDC|||||R|||20250314115900+0000\r"
                     "OBR|2\r"
                     "OBX|3|NM|147842^^MDC||70|264864^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  g_assert_cmpstr (get_one (result, "spo2")->device_id, ==, "1122334455667788");
  g_assert_cmpstr (get_one (result, "respiratoryrate")->device_id, ==, "1122334455667788");
  g_assert_cmpstr (get_one (result, "heartrate")->device_id, ==, "AABBCCFFFE000001");
  g_assert_null (get_one (result, "heartrate")->patient_id);
}

/* A Philips IntelliVue PCD-01 message (as the Information Center sends
 * it, 8859/1): the monitor's EUI-64 in OBR-3, a free-text id in the
 * MDS row's OBX-18, and the ECG and SpO2 modules' serial numbers in
 * their VMD rows' OBX-18.  The device is the monitor, never a module:
 * a module moves to another monitor, and another patient, with its
 * serial number.
 */
#define PHILIPS_PCD01_HEAD(obr3, mds_id) \
  "MSH|^~\\&|PIC|PHILIPS|WARDWATCH|HOSP|20250314093000.872+0100||ORU^R01^ORU_R01|" \
  "HP0314093000.872PIC01|P|2.6|||AL|NE||8859/1|EN^English^ISO639||" \
  "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r" \
  "PID|1||4711^^^Philips^MR~88^^^Philips^VN||Lastname^First^\"\"^^^^L||19710108|U\r" \
  "PV1|2|I|ICU^^Bed3^HOSP||||||||||||||||ENC77\r" \
  "OBR|1||" obr3 "|69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|||20250314092955.496+0100\r" \
  "OBX|2||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||" mds_id "\r" \
  "OBX|3||70666^MDC_DEV_ECG_RESP_VMD^MDC|1.2.0.0|||||||X|||||||DE12345678\r" \
  "OBX|4||70739^MDC_DEV_CARD_RATE_CHAN^MDC|1.2.1.0|||||||X\r" \
  "OBX|5|NM|147842^MDC_ECG_CARD_BEAT_RATE^MDC|1.2.1.1|64|264864^MDC_DIM_BEAT_PER_MIN^MDC|50-120||||F\r" \
  "OBX|6|NM|151562^MDC_RESP_RATE^MDC|1.2.2.1|17|264928^MDC_DIM_RESP_PER_MIN^MDC|8-30||||F\r" \
  "OBX|7||69798^MDC_DEV_PULS_OXIM_VMD^MDC|1.3.0.0|||||||X|||||||DE87654321\r" \
  "OBX|8|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|96|262688^MDC_DIM_PERCENT^MDC|90-100||||F\r"

static void
assert_all_from (GPtrArray  *result,
                 const char *device_id)
{
  g_assert_cmpuint (result->len, ==, 3);
  for (guint i = 0; i < result->len; i++)
    g_assert_cmpstr (((WardNormalized *) g_ptr_array_index (result, i))->device_id, ==, device_id);
}

static void
test_map_philips_device (void)
{
  g_autoptr(GPtrArray) result = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);

  /* The EUI-64 in OBR-3 (EI.1, typed in EI.4). */
  result = map_text (PHILIPS_PCD01_HEAD ("0009FBFFFF9B42B3^^^EUI-64",
                                         "7f2586c7-0506-46cd-a612-d8e75b838faa-IntelliVue MX750 - 123456"),
                     warnings);
  /* OBR-7 09:29:55.496 at +01:00. */
  assert_measurement (result, "heartrate", at (8, 29, 55) + 496000, "hr", "64");
  assert_measurement (result, "spo2", at (8, 29, 55) + 496000, "spo2", "96");
  assert_all_from (result, "0009FBFFFF9B42B3");
  g_assert_cmpstr (warnings->str, ==, "");
  g_clear_pointer (&result, g_ptr_array_unref);

  /* No EUI-64 anywhere: the MDS row's id, still not a module's. */
  result = map_text (PHILIPS_PCD01_HEAD ("", "IntelliVue MX750 - 123456"), NULL);
  assert_all_from (result, "IntelliVue MX750 - 123456");
  g_clear_pointer (&result, g_ptr_array_unref);

  /* The MDS's own EUI-64 is the monitor's, before OBR-3's. */
  result = map_text (PHILIPS_PCD01_HEAD ("PIC0001^PIC^00095CFFFE000001^EUI-64",
                                         "00095CFFFE0A1B2C^^00095CFFFE0A1B2C^EUI-64"), NULL);
  assert_all_from (result, "00095CFFFE0A1B2C");
  g_clear_pointer (&result, g_ptr_array_unref);

  /* Two monitors (MDS 1 and 2) in one message keep their own ids. */
  result = map_text ("MSH|^~\\&|GW^00095CFFFE000001^EUI-64|W|||20250314120000+0000||ORU^R01|T1|P|2.6\r"
                     "OBR|1|||||||20250314115900+0000\r"
                     "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||"
                     "AAAAAAFFFE000001^^AAAAAAFFFE000001^EUI-64\r"
                     "OBX|2||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|2.0.0.0|||||||X|||||||"
                     "BBBBBBFFFE000002^^BBBBBBFFFE000002^EUI-64\r"
                     "OBX|3|NM|150456^^MDC|1.3.1.1|95|262688^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|4|NM|147842^^MDC|2.2.1.1|70|264864^^MDC|||||R|||20250314115900+0000\r"
                     "OBX|5|NM|151562^^MDC|3.2.1.1|14|264928^^MDC|||||R|||20250314115900+0000\r",
                     NULL);
  g_assert_cmpstr (get_one (result, "spo2")->device_id, ==, "AAAAAAFFFE000001");
  g_assert_cmpstr (get_one (result, "heartrate")->device_id, ==, "BBBBBBFFFE000002");
  /* An MDS the message does not describe: the gateway's. */
  g_assert_cmpstr (get_one (result, "respiratoryrate")->device_id, ==, "00095CFFFE000001");
}

static void
test_map_not_oru (void)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) result = NULL;
  static const char adt[] = "MSH|^~\\&|ADT|H|||20250314120000+0000||ADT^A01|A77|P|2.5|||ER\r"
                            "PID|||1\r";
  static const char bad_charset[] =
    "MSH|^~\\&|MON|W|||20250314120000+0000||ORU^R01|U8|P|2.6|||AL||UNICODE UTF-8\r"
    "PID|||1||\xff\xfe\r";

  result = ward_hl7_map_message (adt, sizeof adt - 1, 0, &info, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "ADT^A01 is not ORU^R01"));
  g_assert_cmpstr (info.control_id, ==, "A77");
  g_assert_cmpstr (info.accept_ack_type, ==, "ER");
  g_clear_error (&error);

  /* The body is unreadable, the header is not: it can still be acknowledged. */
  result = ward_hl7_map_message (bad_charset, sizeof bad_charset - 1, 0, &info, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET);
  g_assert_cmpstr (info.control_id, ==, "U8");
  g_assert_cmpstr (info.accept_ack_type, ==, "AL");
  g_clear_error (&error);

  result = ward_hl7_map_message ("garbage\r\n", 9, 0, &info, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX);
  g_assert_null (info.control_id);
  g_assert_null (info.message_type);
}

static void
test_ack (void)
{
  g_auto(WardHl7MessageInfo) info = { 0 };
  g_auto(WardHl7MessageInfo) empty = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *aa = NULL;
  g_autofree char *ae = NULL;
  g_autofree char *ar = NULL;
  g_autofree char *latin1 = NULL;
  g_autoptr(WardHl7Message) msg = NULL;
  static const char oru[] =
    "MSH|^~\\&|VSM^0060B0FFFE112233^EUI-64|WARD7|DASH|GENHOSP|20250314101502+0000||"
    "ORU^R01^ORU_R01|VSM000101|P|2.6|||AL|NE||UNICODE UTF-8\rPID|||1\r";

  g_assert_true (ward_hl7_read_message_info (oru, sizeof oru - 1, &info, &error));
  g_assert_no_error (error);

  aa = ward_hl7_build_ack (&info, "AA", NULL, at (10, 15, 3));
  g_assert_cmpstr (aa, ==,
                   "MSH|^~\\&|DASH|GENHOSP|VSM^0060B0FFFE112233^EUI-64|WARD7|20250314101503+0000||"
                   "ACK^R01^ACK|ACKVSM000101|P|2.6||||||UNICODE UTF-8\r"
                   "MSA|AA|VSM000101\r");

  /* An ACK is itself HL7 that our parser reads back. */
  msg = parse_ok (aa);
  assert_value (msg, 1, 2, 1, 1, 1, "VSM000101");
  g_clear_pointer (&msg, ward_hl7_message_unref);

  ae = ward_hl7_build_ack (&info, "AE", "device 0060B0FFFE112233 is not assigned | x", at (10, 15, 3));
  msg = parse_ok (ae);
  g_assert_cmpuint (ward_hl7_message_get_n_segments (msg), ==, 3);
  assert_value (msg, 1, 1, 1, 1, 1, "AE");
  assert_value (msg, 1, 3, 1, 1, 1, "device 0060B0FFFE112233 is not assigned | x");
  assert_value (msg, 2, 3, 1, 1, 1, "207");
  assert_value (msg, 2, 4, 1, 1, 1, "E");
  assert_value (msg, 2, 8, 1, 1, 1, "device 0060B0FFFE112233 is not assigned | x");
  g_clear_pointer (&msg, ward_hl7_message_unref);

  /* Not HL7 at all: AR with what little there is. */
  ar = ward_hl7_build_ack (&empty, "AR", "not an HL7 v2 message", at (10, 15, 3));
  msg = parse_ok (ar);
  assert_value (msg, 0, 3, 1, 1, 1, "WARDWATCH");
  assert_value (msg, 1, 1, 1, 1, 1, "AR");
  assert_value (msg, 1, 2, 1, 1, 1, "");
  g_clear_pointer (&msg, ward_hl7_message_unref);

  /* A Latin-1 sender gets a Latin-1 ACK. */
  ward_hl7_message_info_clear (&info);
  g_assert_true (ward_hl7_read_message_info (philips, sizeof philips - 1, &info, &error));
  latin1 = ward_hl7_build_ack (&info, "AE", "temp\xc3\xa9rature \xe2\x9c\x93", at (10, 15, 3));
  g_assert_nonnull (strstr (latin1, "||||||8859/1\r"));
  g_assert_nonnull (strstr (latin1, "MSA|AE|PH0001|temp\xe9rature ?\r"));
  /* 2.3: the ERR of that version. */
  g_assert_nonnull (strstr (latin1, "ERR|^^^207&Application internal error&HL70357\r"));
}

int
main (int   argc,
      char *argv[])
{
  /* Times without any offset are read in local time: UTC here, unless
   * a test says otherwise.
   */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/hl7/parse/fields", test_parse_fields);
  g_test_add_func ("/core/hl7/parse/custom-separators", test_parse_custom_separators);
  g_test_add_func ("/core/hl7/parse/escapes", test_parse_escapes);
  g_test_add_func ("/core/hl7/parse/latin1", test_parse_latin1);
  g_test_add_func ("/core/hl7/parse/utf8", test_parse_utf8);
  g_test_add_func ("/core/hl7/parse/unsupported-charset", test_parse_unsupported_charset);
  g_test_add_func ("/core/hl7/parse/terminators", test_parse_terminators);
  g_test_add_func ("/core/hl7/parse/bad", test_parse_bad);
  g_test_add_func ("/core/hl7/escape", test_escape);
  g_test_add_func ("/core/hl7/timestamp", test_timestamp);
  g_test_add_func ("/core/hl7/map/example-spotcheck", test_map_example_spotcheck);
  g_test_add_func ("/core/hl7/map/example-continuous", test_map_example_continuous);
  g_test_add_func ("/core/hl7/map/example-loinc", test_map_example_loinc);
  g_test_add_func ("/core/hl7/map/philips", test_map_philips);
  g_test_add_func ("/core/hl7/map/heart-rate-preference", test_map_heart_rate_preference);
  g_test_add_func ("/core/hl7/map/rr-preference", test_map_rr_preference);
  g_test_add_func ("/core/hl7/map/absent-values", test_map_absent_values);
  g_test_add_func ("/core/hl7/map/unknown-codes", test_map_unknown_codes);
  g_test_add_func ("/core/hl7/map/units", test_map_units);
  g_test_add_func ("/core/hl7/map/standard-codes", test_map_standard_codes);
  g_test_add_func ("/core/hl7/map/mdc-names", test_map_mdc_names);
  g_test_add_func ("/core/hl7/map/fahrenheit", test_map_fahrenheit);
  g_test_add_func ("/core/hl7/map/unreadable-obx", test_map_unreadable_obx);
  g_test_add_func ("/core/hl7/map/values", test_map_values);
  g_test_add_func ("/core/hl7/map/times", test_map_times);
  g_test_add_func ("/core/hl7/map/sender-offset", test_map_sender_offset);
  g_test_add_func ("/core/hl7/map/local-time", test_map_local_time);
  g_test_add_func ("/core/hl7/map/grouping", test_map_grouping);
  g_test_add_func ("/core/hl7/map/devices", test_map_devices);
  g_test_add_func ("/core/hl7/map/philips-device", test_map_philips_device);
  g_test_add_func ("/core/hl7/map/not-oru", test_map_not_oru);
  g_test_add_func ("/core/hl7/ack", test_ack);

  return g_test_run ();
}
