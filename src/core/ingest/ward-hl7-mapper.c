/* ward-hl7-mapper.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-hl7-mapper"

#include "config.h"

#include "ward-hl7-mapper.h"
#include "ward-hl7-codes-private.h"

#include <math.h>
#include <string.h>

typedef struct
{
  const WardHl7Code *code;
  char              *value;
  gint64             time;
  char              *device_id;
  char              *patient_id;
  char              *encounter_id;
  guint              obx;
} Obs;

typedef struct
{
  WardHl7Message *msg;
  GString        *warnings;
  GString        *problems;        /* NULL: problems go to warnings */
  GArray         *obs;             /* Obs */

  /* The state of the walk through the segments. */
  char           *patient_id;
  char           *encounter_id;
  char           *obr_device_eui;  /* the last OBX-18 EUI-64 in this OBR group */
  char           *obr_device_other;
  char           *obr_order_eui;   /* the EUI-64 in OBR-3 */
  GHashTable     *mds_eui;         /* MDS number -> its OBX-18 EUI-64, this OBR group */
  GHashTable     *mds_other;       /* MDS number -> its OBX-18 first id */
  char           *msh_device_eui;
  char           *msh_device_other;
  gint64          msh_time;
  gboolean        has_msh_time;
  gint64          obr_time;
  gboolean        has_obr_time;
  GPtrArray      *no_offset;       /* fields read without offset, no duplicates */
  int             no_offset_seconds; /* the offset the first of them was read with */
  GTimeZone      *zone;            /* for times without offset */
  const char     *zone_from;       /* the field whose offset it is; NULL: ours */
  guint           n_obx;
} Mapper;

static void
obs_clear (Obs *o)
{
  g_clear_pointer (&o->value, g_free);
  g_clear_pointer (&o->device_id, g_free);
  g_clear_pointer (&o->patient_id, g_free);
  g_clear_pointer (&o->encounter_id, g_free);
}

static void
mapper_clear (Mapper *m)
{
  g_clear_pointer (&m->msg, ward_hl7_message_unref);
  g_clear_pointer (&m->obs, g_array_unref);
  g_clear_pointer (&m->patient_id, g_free);
  g_clear_pointer (&m->encounter_id, g_free);
  g_clear_pointer (&m->obr_device_eui, g_free);
  g_clear_pointer (&m->obr_device_other, g_free);
  g_clear_pointer (&m->obr_order_eui, g_free);
  g_clear_pointer (&m->mds_eui, g_hash_table_unref);
  g_clear_pointer (&m->mds_other, g_hash_table_unref);
  g_clear_pointer (&m->msh_device_eui, g_free);
  g_clear_pointer (&m->msh_device_other, g_free);
  g_clear_pointer (&m->no_offset, g_ptr_array_unref);
  g_clear_pointer (&m->zone, g_time_zone_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Mapper, mapper_clear)

G_GNUC_PRINTF (2, 3)
static void
warn (Mapper     *m,
      const char *format,
      ...)
{
  va_list args;

  if (m->warnings == NULL)
    return;

  va_start (args, format);
  g_string_append_vprintf (m->warnings, format, args);
  va_end (args);
  g_string_append_c (m->warnings, '\n');
}

/* Something the message loses or assumes: an OBX that could not be
 * read and was skipped, or a time read on a guess.  The caller records
 * these on the message (the pipeline: a partial outcome).
 */
G_GNUC_PRINTF (2, 3)
static void
problem (Mapper     *m,
         const char *format,
         ...)
{
  GString *out = m->problems != NULL ? m->problems : m->warnings;
  va_list args;

  if (out == NULL)
    return;

  va_start (args, format);
  g_string_append_vprintf (out, format, args);
  va_end (args);
  g_string_append_c (out, '\n');
}

/* NULL for an empty or HL7-null ("") string, else the stripped string. */
static char *
nonempty (char *s)
{
  if (s != NULL)
    g_strstrip (s);

  if (s == NULL || *s == '\0' || strcmp (s, "\"\"") == 0)
    {
      g_free (s);
      return NULL;
    }

  return s;
}

static char *
get_comp (WardHl7Message *msg,
          guint           seg,
          guint           field,
          guint           comp)
{
  return nonempty (ward_hl7_message_get_component (msg, seg, field, comp));
}

static char *
get_comp_rep (WardHl7Message *msg,
              guint           seg,
              guint           field,
              guint           rep,
              guint           comp)
{
  return nonempty (ward_hl7_message_get_value (msg, seg, field, rep, comp, 1));
}
static void
read_coded (WardHl7Message *msg,
            guint           seg,
            guint           field,
            WardHl7Coded   *coded)
{
  for (guint i = 0; i < G_N_ELEMENTS (coded->c); i++)
    coded->c[i] = get_comp (msg, seg, field, i + 1);
}

static char *
describe_code (const WardHl7Coded *coded)
{
  return g_strdup_printf ("%s^%s^%s",
                          coded->c[0] ? coded->c[0] : "",
                          coded->c[1] ? coded->c[1] : "",
                          coded->c[2] ? coded->c[2] : "");
}

/* The UTC offset of the first time in the message that states one, in
 * MSH-7, then OBR-7 and OBX-14 in their order: the sender's.
 */
static gboolean
find_stated_offset (Mapper      *m,
                    int         *offset,
                    const char **from)
{
  guint n_segments = ward_hl7_message_get_n_segments (m->msg);

  for (guint seg = 0; seg < n_segments; seg++)
    {
      const char *id = ward_hl7_message_get_segment_id (m->msg, seg);
      guint field = strcmp (id, "MSH") == 0 ? 7
                  : strcmp (id, "OBR") == 0 ? 7
                  : strcmp (id, "OBX") == 0 ? 14 : 0;
      g_autofree char *text = NULL;
      gboolean has_offset = FALSE;
      gint64 usec;

      if (field == 0)
        continue;

      text = get_comp (m->msg, seg, field, 1);
      if (text != NULL &&
          ward_hl7_parse_timestamp_in_zone (text, NULL, &usec, &has_offset, offset, NULL) &&
          has_offset)
        {
          *from = seg == 0 ? "MSH-7" : field == 7 ? "OBR-7" : "OBX-14";
          return TRUE;
        }
    }

  return FALSE;
}

/* HL7 reads a time without offset in the sender's time zone.  The
 * sender's offset is the one it states elsewhere in the message (GE
 * states it in MSH-7 only); a sender that states none anywhere is
 * taken to be in this station's time zone, the same hospital's.
 */
static void
choose_zone (Mapper *m)
{
  int offset = 0;

  if (find_stated_offset (m, &offset, &m->zone_from))
    m->zone = g_time_zone_new_offset (offset);
  else
    {
      m->zone = g_time_zone_new_local ();
      m->zone_from = NULL;
    }
}

static char *
format_offset (int seconds)
{
  return g_strdup_printf ("UTC%c%02d:%02d", seconds < 0 ? '-' : '+',
                          ABS (seconds) / 3600, ABS (seconds) / 60 % 60);
}

/* A time field: FALSE with error when it does not parse; *found FALSE
 * when it is empty.  Without offset, it is read in the sender's zone.
 */
static gboolean
read_time (Mapper      *m,
           guint        seg,
           guint        field,
           const char  *name,
           gint64      *usec,
           gboolean    *found,
           GError     **error)
{
  g_autofree char *text = get_comp (m->msg, seg, field, 1);
  g_autoptr(GError) local_error = NULL;
  gboolean has_offset = FALSE;
  int offset = 0;

  *found = FALSE;
  if (text == NULL)
    return TRUE;

  if (!ward_hl7_parse_timestamp_in_zone (text, m->zone, usec, &has_offset, &offset, &local_error))
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_BAD_TIME,
                   "%s: %s", name, local_error->message);
      return FALSE;
    }

  if (!has_offset)
    {
      gboolean seen = FALSE;

      for (guint i = 0; i < m->no_offset->len && !seen; i++)
        seen = strcmp (g_ptr_array_index (m->no_offset, i), name) == 0;
      if (!seen)
        g_ptr_array_add (m->no_offset, (gpointer) name);
      if (m->no_offset->len == 1 && !seen)
        m->no_offset_seconds = offset;
    }

  *found = TRUE;
  return TRUE;
}

/* The device in an EI field (OBX-18, repeating): the EUI-64 if one
 * repetition is typed so, else the first entity identifier.
 */
static void
read_device (WardHl7Message  *msg,
             guint            seg,
             guint            field,
             char           **eui,
             char           **other)
{
  guint n = ward_hl7_message_get_n_repetitions (msg, seg, field);

  *eui = NULL;
  *other = NULL;

  for (guint r = 1; r <= n; r++)
    {
      g_autofree char *type = get_comp_rep (msg, seg, field, r, 4);

      if (type != NULL && g_ascii_strcasecmp (type, "EUI-64") == 0)
        {
          *eui = get_comp_rep (msg, seg, field, r, 3);
          if (*eui == NULL)
            *eui = get_comp_rep (msg, seg, field, r, 1);
          if (*eui != NULL)
            break;
        }
      if (*other == NULL)
        *other = get_comp_rep (msg, seg, field, r, 1);
    }
}

typedef enum
{
  LEVEL_NONE,     /* OBX-4 is not MDS.VMD.CHAN.METRIC */
  LEVEL_MDS,
  LEVEL_VMD,
  LEVEL_CHANNEL,
  LEVEL_METRIC,
} Level;

/* The IHE PCD containment in OBX-4: MDS.VMD.CHAN.METRIC, numbers with
 * zeros for the levels below the row's own (1.0.0.0 is an MDS, 1.2.0.0
 * a VMD of it, 1.2.1.0 a channel, 1.2.1.1 a metric; facets may follow).
 */
static Level
read_containment (WardHl7Message *msg,
                  guint           seg,
                  guint          *mds)
{
  g_autofree char *text = get_comp (msg, seg, 4, 1);
  guint64 n[4] = { 0 };
  guint n_parts = 0;
  const char *p = text;

  if (text == NULL)
    return LEVEL_NONE;

  /* Numbers separated by single dots, at least four of them. */
  while (TRUE)
    {
      guint64 v = 0;
      const char *start = p;

      while (g_ascii_isdigit (*p) && v <= G_MAXUINT)
        v = v * 10 + (guint64) (*p++ - '0');
      if (p == start || v > G_MAXUINT)
        return LEVEL_NONE;
      if (n_parts < G_N_ELEMENTS (n))
        n[n_parts] = v;
      n_parts++;
      if (*p == '\0')
        break;
      if (*p++ != '.')
        return LEVEL_NONE;
    }

  if (n_parts < 4 || n[0] == 0)
    return LEVEL_NONE;

  *mds = (guint) n[0];
  if (n[3] != 0)
    return LEVEL_METRIC;
  if (n[2] != 0)
    return LEVEL_CHANNEL;
  if (n[1] != 0)
    return LEVEL_VMD;
  return LEVEL_MDS;
}

/* Which device an OBX is from.
 *
 * With containment, the device is the monitor (the MDS) that holds the
 * metric: the EUI-64 in its MDS row's OBX-18, or the metric's own, or
 * the EUI-64 of OBR-3 or MSH-3, then the first id in the MDS row's or
 * the metric's OBX-18, then MSH-3.1.  The OBX-18 of a VMD or channel
 * row names a module (Philips IntelliVue: the serial of the ECG or
 * SpO2 module, which moves between monitors) and never the device.
 *
 * Without containment, an OBX-18 names the device of its OBX and of
 * the OBX after it in the OBR group.
 */
static char *
choose_device (Mapper *m,
               guint   seg)
{
  g_autofree char *eui = NULL;
  g_autofree char *other = NULL;
  guint mds = 0;
  Level level = read_containment (m->msg, seg, &mds);
  const char *mds_eui;
  const char *mds_other;

  read_device (m->msg, seg, 18, &eui, &other);

  if (level == LEVEL_NONE)
    {
      if (eui != NULL)
        {
          g_free (m->obr_device_eui);
          m->obr_device_eui = g_strdup (eui);
        }
      if (other != NULL)
        {
          g_free (m->obr_device_other);
          m->obr_device_other = g_strdup (other);
        }

      return g_strdup (m->obr_device_eui ? m->obr_device_eui
                       : m->obr_order_eui ? m->obr_order_eui
                       : m->msh_device_eui ? m->msh_device_eui
                       : m->obr_device_other ? m->obr_device_other
                       : m->msh_device_other);
    }

  if (level == LEVEL_MDS)
    {
      if (eui != NULL)
        g_hash_table_replace (m->mds_eui, GUINT_TO_POINTER (mds), g_strdup (eui));
      if (other != NULL)
        g_hash_table_replace (m->mds_other, GUINT_TO_POINTER (mds), g_strdup (other));
    }
  if (level != LEVEL_METRIC)
    {
      g_clear_pointer (&eui, g_free);
      g_clear_pointer (&other, g_free);
    }

  mds_eui = g_hash_table_lookup (m->mds_eui, GUINT_TO_POINTER (mds));
  mds_other = g_hash_table_lookup (m->mds_other, GUINT_TO_POINTER (mds));

  return g_strdup (mds_eui ? mds_eui
                   : eui ? eui
                   : m->obr_order_eui ? m->obr_order_eui
                   : m->msh_device_eui ? m->msh_device_eui
                   : mds_other ? mds_other
                   : other ? other
                   : m->msh_device_other);
}

static void
fill_info (WardHl7Message     *msg,
           WardHl7MessageInfo *info)
{
  g_autofree char *time = NULL;
  gint64 usec;

  ward_hl7_message_info_clear (info);

  info->sending_application = nonempty (ward_hl7_message_get_field_er7 (msg, 0, 3));
  info->sending_facility = nonempty (ward_hl7_message_get_field_er7 (msg, 0, 4));
  info->receiving_application = nonempty (ward_hl7_message_get_field_er7 (msg, 0, 5));
  info->receiving_facility = nonempty (ward_hl7_message_get_field_er7 (msg, 0, 6));
  info->message_type = nonempty (ward_hl7_message_get_field_er7 (msg, 0, 9));
  info->message_code = get_comp (msg, 0, 9, 1);
  info->trigger_event = get_comp (msg, 0, 9, 2);
  info->control_id = get_comp (msg, 0, 10, 1);
  info->processing_id = get_comp (msg, 0, 11, 1);
  info->version = get_comp (msg, 0, 12, 1);
  info->accept_ack_type = get_comp (msg, 0, 15, 1);
  info->application_ack_type = get_comp (msg, 0, 16, 1);
  info->charset = g_strdup (ward_hl7_message_get_charset (msg));

  time = get_comp (msg, 0, 7, 1);
  if (time != NULL)
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();

      if (ward_hl7_parse_timestamp_in_zone (time, local, &usec, NULL, NULL, NULL))
        info->message_time = usec;
    }
}

void
ward_hl7_message_info_clear (WardHl7MessageInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->control_id, g_free);
  g_clear_pointer (&info->accept_ack_type, g_free);
  g_clear_pointer (&info->application_ack_type, g_free);
  g_clear_pointer (&info->sending_application, g_free);
  g_clear_pointer (&info->sending_facility, g_free);
  g_clear_pointer (&info->receiving_application, g_free);
  g_clear_pointer (&info->receiving_facility, g_free);
  g_clear_pointer (&info->message_type, g_free);
  g_clear_pointer (&info->message_code, g_free);
  g_clear_pointer (&info->trigger_event, g_free);
  g_clear_pointer (&info->processing_id, g_free);
  g_clear_pointer (&info->version, g_free);
  g_clear_pointer (&info->charset, g_free);
  info->message_time = 0;
}

gboolean
ward_hl7_read_message_info (const char          *data,
                            gsize                length,
                            WardHl7MessageInfo  *info,
                            GError             **error)
{
  g_autoptr(WardHl7Message) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize start = 0;
  gsize end;
  char terminator;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  ward_hl7_message_info_clear (info);

  /* Only the MSH line: the rest may be what makes the message bad, and
   * the sender still deserves an ACK that names it.
   */
  while (start < length && (data[start] == 0x0b || g_ascii_isspace (data[start])))
    start++;
  terminator = memchr (data + start, '\r', length - start) != NULL ? '\r' : '\n';
  end = start;
  while (end < length && data[end] != terminator)
    end++;

  msg = ward_hl7_message_parse (data + start, end - start, &local_error);
  if (msg == NULL && g_error_matches (local_error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET))
    {
      /* Bytes that do not fit the character set: read the ids anyway. */
      g_autofree char *ascii = g_strndup (data + start, end - start);

      for (char *p = ascii; *p != '\0'; p++)
        if ((guchar) *p >= 0x80)
          *p = '?';

      g_clear_error (&local_error);
      msg = ward_hl7_message_parse (ascii, strlen (ascii), &local_error);
    }

  if (msg == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  fill_info (msg, info);
  return TRUE;
}

static gboolean
check_message_type (Mapper  *m,
                    GError **error)
{
  g_autofree char *code = get_comp (m->msg, 0, 9, 1);
  g_autofree char *event = get_comp (m->msg, 0, 9, 2);

  if (g_strcmp0 (code, "ORU") != 0 || g_strcmp0 (event, "R01") != 0)
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_UNSUPPORTED,
                   "message type %s^%s is not ORU^R01", code ? code : "", event ? event : "");
      return FALSE;
    }

  return TRUE;
}

static void
read_pid (Mapper *m,
          guint   seg)
{
  g_clear_pointer (&m->patient_id, g_free);
  g_clear_pointer (&m->encounter_id, g_free);
  m->patient_id = get_comp (m->msg, seg, 3, 1);
}

static void
read_pv1 (Mapper *m,
          guint   seg)
{
  g_clear_pointer (&m->encounter_id, g_free);
  m->encounter_id = get_comp (m->msg, seg, 19, 1);
}

static gboolean
read_obr (Mapper  *m,
          guint    seg,
          GError **error)
{
  g_autofree char *order_other = NULL;

  g_clear_pointer (&m->obr_device_eui, g_free);
  g_clear_pointer (&m->obr_device_other, g_free);
  g_clear_pointer (&m->obr_order_eui, g_free);
  g_hash_table_remove_all (m->mds_eui);
  g_hash_table_remove_all (m->mds_other);

  /* OBR-3, the filler order number: its EUI-64 is the device's. */
  read_device (m->msg, seg, 3, &m->obr_order_eui, &order_other);

  return read_time (m, seg, 7, "OBR-7", &m->obr_time, &m->has_obr_time, error);
}

static char *
acvpu_letter (Mapper *m,
              guint   seg)
{
  g_autofree char *code = get_comp (m->msg, seg, 5, 1);

  if (_ward_hl7_acvpu_letter (code) != NULL)
    return g_strdup (_ward_hl7_acvpu_letter (code));

  /* A bare letter, as some interfaces send it. */
  if (code != NULL && strlen (code) == 1 && strchr ("ACVPU", g_ascii_toupper (code[0])) != NULL)
    return g_strnfill (1, g_ascii_toupper (code[0]));

  return NULL;
}

/* The number in OBX-5: NM (or ST) as it is, SN with "=" or no comparator.
 * Anything else is returned as sent, for the binding to reject.
 */
static char *
read_numeric_value (Mapper     *m,
                    guint       seg,
                    const char *value_type)
{
  if (g_strcmp0 (value_type, "SN") == 0)
    {
      g_autofree char *comparator = get_comp (m->msg, seg, 5, 1);
      g_autofree char *num1 = get_comp (m->msg, seg, 5, 2);
      g_autofree char *separator = get_comp (m->msg, seg, 5, 3);

      if ((comparator == NULL || strcmp (comparator, "=") == 0) && separator == NULL)
        return g_steal_pointer (&num1);

      return g_strdup_printf ("%s%s", comparator ? comparator : "", num1 ? num1 : "");
    }

  return get_comp (m->msg, seg, 5, 1);
}

static gboolean
status_is_absent (const char *status)
{
  return status != NULL &&
         (strcmp (status, "X") == 0 || strcmp (status, "N") == 0 ||
          strcmp (status, "D") == 0 || strcmp (status, "W") == 0 ||
          strcmp (status, "I") == 0);
}

/* One OBX.  What cannot be read is skipped, with a problem said: the
 * other OBX of the message stand on their own.
 */
static void
read_obx (Mapper *m,
          guint   seg)
{
  g_auto(WardHl7Coded) code = { { NULL } };
  g_auto(WardHl7Coded) unit_coded = { { NULL } };
  g_autofree char *device = NULL;
  g_autofree char *status = NULL;
  g_autofree char *value_type = NULL;
  g_autofree char *raw_value = NULL;
  g_autofree char *method = NULL;
  g_autofree char *described = NULL;
  const WardHl7Code *info;
  const WardHl7Unit *unit = NULL;
  g_autoptr(GError) time_error = NULL;
  WardHl7Lookup how = WARD_HL7_LOOKUP_UNKNOWN;
  WardHl7Lookup unit_how = WARD_HL7_LOOKUP_UNKNOWN;
  guint32 mdc = 0;
  guint obx = ++m->n_obx;
  gboolean found = FALSE;
  gboolean aperiodic;
  Obs o = { 0 };

  /* The device first: a containment row (MDS) without a value names the
   * device of the metrics that follow it.
   */
  device = choose_device (m, seg);

  status = get_comp (m->msg, seg, 11, 1);
  read_coded (m->msg, seg, 3, &code);
  described = describe_code (&code);

  if (status != NULL && (strcmp (status, "D") == 0 || strcmp (status, "W") == 0))
    {
      warn (m, "OBX %u (%s): result status %s, skipped", obx, described, status);
      return;
    }
  if (status_is_absent (status))
    return;

  info = _ward_hl7_lookup_code (&code, &mdc, &how);
  if (how == WARD_HL7_LOOKUP_CONFLICT)
    {
      problem (m, "OBX %u (%s): the code number and the MDC name are different codes, skipped",
            obx, described);
      return;
    }
  if (how == WARD_HL7_LOOKUP_BY_NAME)
    warn (m, "OBX %u (%s): code not known by its number; read by its name %s",
          obx, described, info->refid);
  if (info == NULL)
    {
      /* Device descriptions (MDC partition 1, objects) and panels are
       * structure, not observations.
       */
      if ((mdc >> 16) == 1 || _ward_hl7_is_panel (&code))
        return;
      if (code.c[0] == NULL && code.c[1] == NULL)
        warn (m, "OBX %u: no observation identifier (OBX-3), skipped", obx);
      else
        warn (m, "OBX %u: unknown code %s, skipped", obx, described);
      return;
    }

  value_type = get_comp (m->msg, seg, 2, 1);
  if (info->kind == WARD_HL7_KIND_ACVPU)
    {
      g_autofree char *answer = get_comp (m->msg, seg, 5, 1);

      if (answer == NULL)
        return;
      raw_value = acvpu_letter (m, seg);
      if (raw_value == NULL)
        {
          problem (m, "OBX %u (%s): unknown level of responsiveness answer %s, skipped",
                   obx, described, answer);
          return;
        }
    }
  else
    {
      g_autofree char *value = read_numeric_value (m, seg, value_type);

      if (value == NULL)
        return;

      read_coded (m->msg, seg, 6, &unit_coded);
      unit = _ward_hl7_lookup_unit (&unit_coded, &unit_how);
      if (unit == NULL || unit_how == WARD_HL7_LOOKUP_CONFLICT ||
          !_ward_hl7_unit_fits (info->kind, unit->dim))
        {
          g_autofree char *unit_text = describe_code (&unit_coded);
          const char *why = unit_coded.c[0] == NULL && unit_coded.c[1] == NULL
                              ? "has no unit (OBX-6)"
                              : unit == NULL ? "has an unknown unit"
                              : unit_how == WARD_HL7_LOOKUP_CONFLICT
                              ? "has a unit whose code and name disagree"
                              : "has a unit that does not fit";

          /* A number whose unit we do not know must not be scored;
           * the other values of the message are still good.
           */
          problem (m, "OBX %u (%s) %s%s%s, skipped", obx, described, why,
                   unit_coded.c[0] || unit_coded.c[1] ? " " : "",
                   unit_coded.c[0] || unit_coded.c[1] ? unit_text : "");
          return;
        }

      if (unit_how == WARD_HL7_LOOKUP_BY_NAME)
        {
          g_autofree char *unit_text = describe_code (&unit_coded);

          warn (m, "OBX %u (%s): unit %s not known by its code; read by its name as %s",
                obx, described, unit_text, unit->refid);
        }

      raw_value = _ward_hl7_convert_value (value, unit);
    }

  /* The time of the observation itself; the OBR and message times only
   * when the device gave none.
   */
  if (!read_time (m, seg, 14, "OBX-14", &o.time, &found, &time_error))
    {
      problem (m, "OBX %u (%s): %s, skipped", obx, described, time_error->message);
      return;
    }

  method = ward_hl7_message_get_field_er7 (m->msg, seg, 17);
  aperiodic = method != NULL && strstr (method, "APERIODIC") != NULL;

  if (!found)
    {
      if (m->has_obr_time)
        o.time = m->obr_time;
      else if (m->has_msh_time)
        o.time = m->msh_time;
      else
        {
          problem (m, "OBX %u (%s) has no observation time (OBX-14, OBR-7 and MSH-7 are empty), "
                   "skipped", obx, described);
          return;
        }

      if (aperiodic)
        warn (m, "OBX %u (%s): spot value without OBX-14; stamped with %s",
              obx, described, m->has_obr_time ? "OBR-7" : "MSH-7");
    }

  o.code = info;
  o.value = g_steal_pointer (&raw_value);
  o.device_id = g_steal_pointer (&device);
  o.patient_id = g_strdup (m->patient_id);
  o.encounter_id = g_strdup (m->encounter_id);
  o.obx = obx;
  g_array_append_val (m->obs, o);
}

typedef struct
{
  GPtrArray  *result;
  GHashTable *groups;   /* key -> WardNormalized (borrowed from result) */
} Groups;

static void
add_value (Mapper     *m,
           Groups     *g,
           const Obs  *o,
           WardHl7Kind        kind,
           const char *name,
           const char *qualifier_name)
{
  const char *type = _ward_hl7_kind_to_type (kind);
  const char *qualifier = o->code->qualifier;
  g_autofree char *key = NULL;
  WardNormalized *n;

  /* Pulse sources and temperature sites are separate measurements;
   * other types have one value of each name per time.
   */
  key = g_strdup_printf ("%s\x1f%" G_GINT64_FORMAT "\x1f%s\x1f%s\x1f%s\x1f%s",
                         type, o->time,
                         o->device_id ? o->device_id : "",
                         o->patient_id ? o->patient_id : "",
                         o->encounter_id ? o->encounter_id : "",
                         (kind == WARD_HL7_KIND_PULSE || kind == WARD_HL7_KIND_TEMP) && qualifier ? qualifier : "");

  n = g_hash_table_lookup (g->groups, key);
  if (n == NULL)
    {
      n = ward_normalized_new (type, o->time, o->device_id);
      n->patient_id = g_strdup (o->patient_id);
      n->encounter_id = g_strdup (o->encounter_id);
      g_ptr_array_add (g->result, n);
      g_hash_table_insert (g->groups, g_steal_pointer (&key), n);
    }
  else if (ward_normalized_get_value (n, name) != NULL)
    {
      warn (m, "OBX %u: a second %s.%s for the same time and device, skipped", o->obx, type, name);
      return;
    }

  ward_normalized_add_value (n, name, o->value);
  if (qualifier_name != NULL && qualifier != NULL &&
      ward_normalized_get_value (n, qualifier_name) == NULL)
    ward_normalized_add_value (n, qualifier_name, qualifier);
}

static GPtrArray *
build_groups (Mapper *m)
{
  Groups g;
  int best_hr = G_MAXINT;
  int best_rr = G_MAXINT;

  g.result = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  g.groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  /* The preferred sources present in this message. */
  for (guint i = 0; i < m->obs->len; i++)
    {
      const Obs *o = &g_array_index (m->obs, Obs, i);

      if (o->code->kind == WARD_HL7_KIND_HR || o->code->kind == WARD_HL7_KIND_PULSE)
        best_hr = MIN (best_hr, o->code->priority);
      else if (o->code->kind == WARD_HL7_KIND_RR)
        best_rr = MIN (best_rr, o->code->priority);
    }

  for (guint i = 0; i < m->obs->len; i++)
    {
      const Obs *o = &g_array_index (m->obs, Obs, i);

      switch (o->code->kind)
        {
        case WARD_HL7_KIND_HR:
          if (o->code->priority == best_hr)
            add_value (m, &g, o, WARD_HL7_KIND_HR, "hr", "method");
          else
            warn (m, "OBX %u: heart rate (%s) not used: a preferred source is present",
                  o->obx, o->code->qualifier);
          break;

        case WARD_HL7_KIND_PULSE:
          if (o->code->priority == best_hr)
            {
              Obs as_hr = *o;
              WardHl7Code hr_code = *o->code;

              hr_code.qualifier = g_str_equal (o->code->qualifier, "spo2") ? "pulse-oximetry"
                                : g_str_equal (o->code->qualifier, "nibp") ? "nibp" : "pulse";
              as_hr.code = &hr_code;
              add_value (m, &g, &as_hr, WARD_HL7_KIND_HR, "hr", "method");
            }
          add_value (m, &g, o, WARD_HL7_KIND_PULSE, "pulse", "source");
          break;

        case WARD_HL7_KIND_RR:
          if (o->code->priority == best_rr)
            add_value (m, &g, o, WARD_HL7_KIND_RR, "rr", "method");
          else
            warn (m, "OBX %u: respiratory rate (%s) not used: a measured rate is present",
                  o->obx, o->code->qualifier);
          break;

        case WARD_HL7_KIND_TEMP:
          add_value (m, &g, o, WARD_HL7_KIND_TEMP, "temperature", "site");
          break;

        case WARD_HL7_KIND_SPO2:
        case WARD_HL7_KIND_BP:
        case WARD_HL7_KIND_ABP:
        case WARD_HL7_KIND_O2_FLOW:
        case WARD_HL7_KIND_FIO2:
        case WARD_HL7_KIND_ACVPU:
          add_value (m, &g, o, o->code->kind, o->code->name, NULL);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  g_hash_table_unref (g.groups);
  return g.result;
}

GPtrArray *
ward_hl7_map_message (const char          *data,
                      gsize                length,
                      gint64               received_at,
                      WardHl7MessageInfo  *info,
                      GString             *warnings,
                      GError             **error)
{
  return ward_hl7_map_message_full (data, length, received_at, info, warnings, NULL, error);
}

GPtrArray *
ward_hl7_map_message_full (const char          *data,
                           gsize                length,
                           gint64               received_at,
                           WardHl7MessageInfo  *info,
                           GString             *warnings,
                           GString             *problems,
                           GError             **error)
{
  g_auto(Mapper) m = { 0 };
  g_autoptr(GError) local_error = NULL;
  guint n_segments;
  gboolean found;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (info != NULL)
    ward_hl7_message_info_clear (info);

  m.msg = ward_hl7_message_parse (data, length, &local_error);
  if (m.msg == NULL)
    {
      /* The header alone may still say what to acknowledge. */
      if (info != NULL)
        ward_hl7_read_message_info (data, length, info, NULL);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (info != NULL)
    fill_info (m.msg, info);

  if (!check_message_type (&m, error))
    return NULL;

  m.warnings = warnings;
  m.problems = problems;
  m.obs = g_array_new (FALSE, TRUE, sizeof (Obs));
  g_array_set_clear_func (m.obs, (GDestroyNotify) obs_clear);
  m.no_offset = g_ptr_array_new ();
  m.mds_eui = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  m.mds_other = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  choose_zone (&m);

  if (!read_time (&m, 0, 7, "MSH-7", &m.msh_time, &found, error))
    return NULL;
  m.has_msh_time = found;

  {
    g_autofree char *type = get_comp (m.msg, 0, 3, 3);

    if (type != NULL && g_ascii_strcasecmp (type, "EUI-64") == 0)
      m.msh_device_eui = get_comp (m.msg, 0, 3, 2);
    m.msh_device_other = get_comp (m.msg, 0, 3, 1);
  }

  n_segments = ward_hl7_message_get_n_segments (m.msg);
  for (guint i = 1; i < n_segments; i++)
    {
      const char *id = ward_hl7_message_get_segment_id (m.msg, i);

      if (strcmp (id, "PID") == 0)
        read_pid (&m, i);
      else if (strcmp (id, "PV1") == 0)
        read_pv1 (&m, i);
      else if (strcmp (id, "OBR") == 0)
        {
          if (!read_obr (&m, i, error))
            return NULL;
        }
      else if (strcmp (id, "OBX") == 0)
        read_obx (&m, i);
    }

  if (m.no_offset->len > 0)
    {
      g_autofree char *fields = NULL;
      g_autofree char *offset = NULL;

      g_ptr_array_add (m.no_offset, NULL);
      fields = g_strjoinv (", ", (char **) m.no_offset->pdata);
      offset = format_offset (m.no_offset_seconds);
      /* With the offset the sender states, this is how HL7 reads them;
       * with none stated anywhere, the time is a guess that could be
       * hours out, and the message says so.
       */
      if (m.zone_from != NULL)
        warn (&m, "timestamps without a UTC offset (%s) were read with the sender's offset "
              "from %s (%s)", fields, m.zone_from, offset);
      else
        problem (&m, "no timestamp states a UTC offset (%s): read as this station's local "
                 "time (%s)", fields, offset);
    }

  if (received_at > 0)
    for (guint i = 0; i < m.obs->len; i++)
      {
        const Obs *o = &g_array_index (m.obs, Obs, i);

        if (o->time > received_at + 5 * 60 * G_USEC_PER_SEC)
          {
            warn (&m, "OBX %u: observation time is more than 5 minutes after the message "
                  "was received (device clock?)", o->obx);
            break;
          }
      }

  return build_groups (&m);
}

static char *
truncate_text (const char *text,
               glong       max_chars)
{
  if (g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);

  return g_utf8_substring (text, 0, max_chars);
}

/* The message's character set, for the ACK: Latin-1 or ASCII when the
 * sender did not declare UTF-8.
 */
static char *
encode_for_charset (const char *utf8,
                    const char *charset)
{
  gunichar max;
  GString *out;

  if (charset != NULL && g_ascii_strcasecmp (charset, "UNICODE UTF-8") == 0)
    return g_strdup (utf8);

  max = charset != NULL && g_ascii_strcasecmp (charset, "8859/1") == 0 ? 0xff : 0x7f;
  out = g_string_sized_new (strlen (utf8));
  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      g_string_append_c (out, c <= max ? (char) c : '?');
    }

  return g_string_free (out, FALSE);
}

/* A code we echo into the ACK's MSH: only if it is a plain token. */
static const char *
plain_token (const char *s,
             const char *fallback)
{
  if (s == NULL || *s == '\0' || strlen (s) > 20)
    return fallback;

  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return fallback;

  return s;
}

static gboolean
version_at_least (const char *version,
                  int         major,
                  int         minor)
{
  guint64 v_major, v_minor = 0;
  char *end = NULL;

  if (version == NULL)
    return TRUE;

  v_major = g_ascii_strtoull (version, &end, 10);
  if (end == version)
    return TRUE;
  if (*end == '.')
    v_minor = g_ascii_strtoull (end + 1, NULL, 10);

  return v_major > (guint64) major || (v_major == (guint64) major && v_minor >= (guint64) minor);
}

char *
ward_hl7_build_ack (const WardHl7MessageInfo *info,
                    const char               *ack_code,
                    const char               *text,
                    gint64                    now)
{
  g_autofree char *timestamp = NULL;
  g_autofree char *control_id = NULL;
  g_autofree char *msa_text = NULL;
  g_autofree char *err_text = NULL;
  const char *error_code;
  const char *error_name;
  const char *charset = NULL;
  const char *version;
  GString *ack;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (ack_code != NULL, NULL);

  /* We answer in the sender's version; 2.6 (IHE PCD-01) when it gave none. */
  version = plain_token (info->version, "2.6");

  /* Echo only a character set we could have read. */
  if (info->charset != NULL &&
      (g_ascii_strcasecmp (info->charset, "8859/1") == 0 ||
       g_ascii_strcasecmp (info->charset, "UNICODE UTF-8") == 0 ||
       g_ascii_strcasecmp (info->charset, "ASCII") == 0))
    charset = info->charset;

  timestamp = ward_hl7_format_timestamp (now);
  if (info->control_id != NULL)
    {
      g_autofree char *escaped = ward_hl7_escape (info->control_id);

      control_id = g_strdup_printf ("ACK%s", escaped);
    }
  else
    control_id = g_strdup_printf ("ACK%" G_GINT64_FORMAT, now);

  ack = g_string_new ("MSH|^~\\&|");
  g_string_append_printf (ack, "%s|%s|%s|%s|%s||ACK^%s^ACK|%s|%s|%s",
                          info->receiving_application ? info->receiving_application : "WARDWATCH",
                          info->receiving_facility ? info->receiving_facility : "",
                          info->sending_application ? info->sending_application : "",
                          info->sending_facility ? info->sending_facility : "",
                          timestamp,
                          plain_token (info->trigger_event, "R01"),
                          control_id,
                          plain_token (info->processing_id, "P"),
                          version);
  if (charset != NULL)
    g_string_append_printf (ack, "||||||%s", charset);
  g_string_append_c (ack, '\r');

  if (text != NULL && *text != '\0')
    {
      g_autofree char *short_text = truncate_text (text, 80);
      g_autofree char *long_text = truncate_text (text, 250);

      msa_text = ward_hl7_escape (short_text);
      err_text = ward_hl7_escape (long_text);
    }

  g_string_append_printf (ack, "MSA|%s|", ack_code);
  if (info->control_id != NULL)
    {
      g_autofree char *escaped = ward_hl7_escape (info->control_id);

      g_string_append (ack, escaped);
    }
  /* MSA-3 is deprecated since 2.4 and withdrawn in 2.7, but older
   * receivers show nothing else.
   */
  if (msa_text != NULL && !version_at_least (version, 2, 7))
    g_string_append_printf (ack, "|%s", msa_text);
  g_string_append_c (ack, '\r');

  if (strcmp (ack_code, "AA") == 0 || strcmp (ack_code, "CA") == 0)
    {
      error_code = "0";
      error_name = "Message accepted";
    }
  else if (info->message_code != NULL && strcmp (info->message_code, "ORU") != 0)
    {
      error_code = "200";
      error_name = "Unsupported message type";
    }
  else if (info->message_code != NULL && g_strcmp0 (info->trigger_event, "R01") != 0)
    {
      error_code = "201";
      error_name = "Unsupported event code";
    }
  else
    {
      error_code = "207";
      error_name = "Application internal error";
    }

  if (err_text != NULL || (strcmp (ack_code, "AA") != 0 && strcmp (ack_code, "CA") != 0))
    {
      const char *severity = strcmp (ack_code, "AA") == 0 || strcmp (ack_code, "CA") == 0
                           ? "W" : "E";

      if (version_at_least (version, 2, 5))
        g_string_append_printf (ack, "ERR|||%s^%s^HL70357|%s||||%s\r",
                                error_code, error_name, severity, err_text ? err_text : "");
      else
        g_string_append_printf (ack, "ERR|^^^%s&%s&HL70357\r", error_code, error_name);
    }

  {
    g_autofree char *utf8 = g_string_free (ack, FALSE);

    return encode_for_charset (utf8, charset);
  }
}
