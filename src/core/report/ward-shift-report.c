/* ward-shift-report.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-shift-report"

#include "config.h"

#include "ward-shift-report.h"

#include "ward-clinical.h"
#include "ward-handover-sheet.h"
#include "ward-pdf-pages.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#define INDENT      14.0
#define SECTION_GAP 12.0
#define PARA_GAP    3.0
#define CHART_H     150.0

G_DEFINE_QUARK (ward-shift-report-error-quark, ward_shift_report_error)

typedef struct
{
  const WardSummary         *summary;
  const WardShiftReportInfo *info;
} Report;

char *
ward_report_patient (const char *name,
                     const char *patient_id,
                     gboolean    show_names)
{
  if (name == NULL)
    return g_strdup (patient_id ? patient_id : "");
  if (show_names)
    return g_strdup (name);

  return ward_handover_initials (name);
}

static char *
format_local (gint64      usec,
              const char *format)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (time, format);
}

static char *
format_utc (gint64 usec)
{
  g_autoptr(GDateTime) time = NULL;

  if (usec == 0)
    return g_strdup ("");
  time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

static char *
format_minutes (gint64 usec)
{
  return g_strdup_printf ("%.0f", (double) usec / (60 * G_USEC_PER_SEC));
}

static const char *
column_title (guint column)
{
  if (column == WARD_SUMMARY_NO_SCORE)
    return _("No score");

  return ward_clinical_band_title (column);
}

/* The PDF. */

static void
para (WardPdfPages *pages,
      const char   *font,
      double        indent,
      const char   *markup)
{
  g_autoptr(PangoLayout) layout = ward_pdf_pages_make_layout (pages, font, WARD_PDF_BODY_WIDTH - indent,
                                                              markup);

  ward_pdf_pages_place (pages, layout, WARD_PDF_MARGIN + indent);
  ward_pdf_pages_add_y (pages, PARA_GAP);
}

static void
heading (WardPdfPages *pages,
         const char   *text)
{
  g_autofree char *markup = g_markup_escape_text (text, -1);
  g_autoptr(PangoLayout) layout = NULL;

  if (!ward_pdf_pages_at_top (pages))
    ward_pdf_pages_add_y (pages, SECTION_GAP);
  layout = ward_pdf_pages_make_layout (pages, WARD_PDF_FONT_HEADING, WARD_PDF_BODY_WIDTH, markup);
  /* A heading keeps two lines of what follows with it. */
  ward_pdf_pages_ensure (pages, 3 * ward_pdf_pages_first_line_height (layout));
  ward_pdf_pages_place (pages, layout, WARD_PDF_MARGIN);
  ward_pdf_pages_add_y (pages, PARA_GAP);
}

typedef void (*ChartFunc) (cairo_t *, double, double, const WardSummary *, gboolean);

static void
chart (WardPdfPages      *pages,
       ChartFunc          draw,
       const WardSummary *summary)
{
  ward_pdf_pages_ensure (pages, CHART_H);
  if (ward_pdf_pages_is_drawing (pages))
    {
      cairo_t *cr = ward_pdf_pages_get_cairo (pages);

      cairo_save (cr);
      cairo_translate (cr, WARD_PDF_MARGIN, ward_pdf_pages_get_y (pages));
      draw (cr, WARD_PDF_BODY_WIDTH, CHART_H, summary, FALSE);
      cairo_restore (cr);
    }
  ward_pdf_pages_add_y (pages, CHART_H + PARA_GAP);
}

static void
layout_figures (WardPdfPages *pages,
                Report       *report)
{
  const WardSummary *s = report->summary;
  g_autofree char *at = format_local (s->to, "%H:%M");
  g_autoptr(GString) line = g_string_new (NULL);
  guint opened = 0, closed = 0, census_total = 0;

  /* Census */
  heading (pages, _("Census"));
  for (guint c = 0; c < WARD_SUMMARY_N_COLUMNS; c++)
    census_total += s->census[c];
  /* Translators: "Patients at 07:00: 12" */
  g_string_printf (line, _("Patients at %s: %u"), at, census_total);
  for (guint c = 0; c < WARD_SUMMARY_N_COLUMNS; c++)
    g_string_append_printf (line, " · %s %u", column_title (c), s->census[c]);
  {
    g_autofree char *markup = g_markup_escape_text (line->str, -1);

    para (pages, WARD_PDF_FONT_BODY, 0, markup);
  }
  para (pages, WARD_PDF_FONT_SMALL, 0, _("Patients by NEWS2 band over the last 24 hours"));
  chart (pages, ward_report_draw_census, s);

  /* Flags */
  heading (pages, _("Flags"));
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      opened += s->opened[b];
      closed += s->closed[b];
    }
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      /* Translators: "High: 3 opened, 2 closed" */
      g_autofree char *text = g_strdup_printf (_("%s: %u opened, %u closed"), column_title (b),
                                               s->opened[b], s->closed[b]);
      g_autofree char *markup = g_markup_escape_text (text, -1);

      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }
  {
    g_autofree char *text = g_strdup_printf (_("Clinical flags: %u opened, %u closed, %u still open at the end"),
                                             opened, closed, s->open_at_end);
    g_autofree char *text2 = g_strdup_printf (_("Technical alerts: %u opened, %u closed"),
                                              s->technical_opened, s->technical_closed);
    g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", text);
    g_autofree char *markup2 = g_markup_escape_text (text2, -1);

    para (pages, WARD_PDF_FONT_BODY, 0, markup);
    para (pages, WARD_PDF_FONT_BODY, 0, markup2);
  }

  /* Response times */
  heading (pages, _("Response times"));
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      const WardSummaryResponse *r = &s->response[b];
      g_autofree char *target = format_minutes (r->target_usec);
      g_autofree char *text = NULL;
      g_autofree char *markup = NULL;

      if (r->n_counted == 0)
        /* Translators: "High (target 30 min): no flags to respond to" */
        text = g_strdup_printf (_("%s (target %s min): no flags to respond to"), column_title (b), target);
      else
        {
          g_autofree char *median = r->median_usec >= 0 ? format_minutes (r->median_usec) : g_strdup ("–");

          /* Translators: "High (target 30 min): median 12 min, 80 % within target (4 of 5)" */
          text = g_strdup_printf (_("%s (target %s min): median %s min, %.0f %% within target (%u of %u)"),
                                  column_title (b), target, median,
                                  100.0 * r->n_within / r->n_counted, r->n_within, r->n_counted);
        }
      markup = g_markup_escape_text (text, -1);
      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }
  para (pages, WARD_PDF_FONT_SMALL, 0, _("Minutes from a flag's task to its acceptance"));
  chart (pages, ward_report_draw_responses, s);

  /* Observations overdue */
  heading (pages, _("Observations overdue"));
  {
    /* Translators: "Observations overdue at 07:00: 2" */
    g_autofree char *text = g_strdup_printf (_("Observations overdue at %s: %u"), at, s->overdue->len);
    g_autofree char *markup = g_markup_escape_text (text, -1);

    para (pages, WARD_PDF_FONT_BODY, 0, markup);
  }
  for (guint i = 0; i < s->overdue->len; i++)
    {
      const WardSummaryOverdue *o = g_ptr_array_index (s->overdue, i);
      g_autofree char *patient = ward_report_patient (o->patient_name, o->patient_id, report->info->show_names);
      g_autofree char *markup = g_markup_printf_escaped ("%s — %s", o->bed_label ? o->bed_label : "?", patient);

      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }

  /* Technical alarms */
  heading (pages, _("Technical alarm time per device"));
  if (s->devices->len == 0)
    para (pages, WARD_PDF_FONT_BODY, 0, _("No technical alarms."));
  for (guint i = 0; i < s->devices->len; i++)
    {
      const WardSummaryDevice *d = g_ptr_array_index (s->devices, i);
      g_autofree char *minutes = format_minutes (d->alarm_usec);
      /* Translators: "2 alerts" of a device in the shift report */
      g_autofree char *alerts = g_strdup_printf (ngettext ("%u alert", "%u alerts", d->n_alerts),
                                                 d->n_alerts);
      /* Translators: "mon-3 (Bed 3): 2 alerts, 45 min" */
      g_autofree char *text = g_strdup_printf (_("%s (%s): %s, %s min"), d->device_id,
                                               d->bed_label ? d->bed_label : _("no bed"), alerts, minutes);
      g_autofree char *markup = g_markup_escape_text (text, -1);

      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }

  /* Alarm burden */
  heading (pages, _("Alarm burden"));
  {
    /* Translators: the ward's alarm burden */
    g_autofree char *text = g_strdup_printf (_("Per bed per 24 h: %.2f flags, %.2f notifications (%u beds, %.2f days)"),
                                             s->flags_per_bed_day, s->notifications_per_bed_day, s->n_beds,
                                             s->days);
    g_autofree char *markup = g_markup_printf_escaped ("<b>%s</b>", text);

    para (pages, WARD_PDF_FONT_BODY, 0, markup);
  }
  for (guint i = 0; i < s->beds->len; i++)
    {
      const WardSummaryBed *b = g_ptr_array_index (s->beds, i);
      /* Translators: "Bed 3: flags 4, notifications 6; per 24 h 2.00 and 3.00" */
      g_autofree char *text = g_strdup_printf (_("%s: flags %u, notifications %u; per 24 h %.2f and %.2f"),
                                               b->bed_label ? b->bed_label : _("Not in a bed now"),
                                               b->n_flags, b->n_notifications, b->flags_per_day,
                                               b->notifications_per_day);
      g_autofree char *markup = g_markup_escape_text (text, -1);

      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }

  /* Data issues */
  heading (pages, _("Data issues"));
  {
    g_autofree char *text = g_strdup_printf (_("Data issues: %u"), s->n_issues);
    g_autofree char *markup = g_markup_escape_text (text, -1);

    para (pages, WARD_PDF_FONT_BODY, 0, markup);
  }
  for (guint i = 0; i < s->issues->len; i++)
    {
      const WardSummaryIssue *issue = g_ptr_array_index (s->issues, i);
      g_autofree char *markup = g_markup_printf_escaped ("%s: %u", issue->stage, issue->count);

      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }
}

static void
layout_flags (WardPdfPages *pages,
              Report       *report)
{
  const WardSummary *s = report->summary;

  heading (pages, _("Flags and their timelines"));
  if (s->flags == NULL || s->flags->len == 0)
    para (pages, WARD_PDF_FONT_BODY, 0, _("No flags in this period."));

  for (guint i = 0; s->flags != NULL && i < s->flags->len; i++)
    {
      const WardSummaryFlag *f = g_ptr_array_index (s->flags, i);
      g_autofree char *patient = ward_report_patient (f->patient_name, f->patient_id, report->info->show_names);
      g_autofree char *opened = format_local (f->opened_at, "%a %H:%M");
      g_autoptr(GString) line = g_string_new (NULL);
      g_autofree char *title = NULL;
      g_autofree char *markup = NULL;
      WardBand band;
      const char *what;

      if (g_strcmp0 (f->kind, "technical") == 0)
        what = _("technical alert");
      else if (ward_band_from_string (f->band, &band))
        what = ward_clinical_band_title (band);
      else
        what = f->band ? f->band : "";

      title = g_markup_printf_escaped ("<b>%s — %s — %s</b>%s%s", f->bed_label ? f->bed_label : _("no bed"),
                                       patient, what, f->subject && g_strcmp0 (f->kind, "technical") == 0 ? " — " : "",
                                       f->subject && g_strcmp0 (f->kind, "technical") == 0 ? f->subject : "");
      para (pages, WARD_PDF_FONT_BODY, 0, title);

      /* Translators: a flag's timeline: "opened Mon 14:02" */
      g_string_append_printf (line, _("opened %s"), opened);
      if (f->accepted_at != 0)
        {
          g_autofree char *when = format_local (f->accepted_at, "%H:%M");

          /* Translators: "; accepted by ada at 14:10" */
          g_string_append_printf (line, _("; accepted by %s at %s"), f->accepted_by ? f->accepted_by : "?", when);
        }
      else if (f->acknowledged_at != 0)
        {
          g_autofree char *when = format_local (f->acknowledged_at, "%H:%M");

          g_string_append_printf (line, _("; acknowledged by %s at %s"),
                                  f->acknowledged_by ? f->acknowledged_by : "?", when);
        }
      else
        g_string_append (line, _("; not accepted"));
      if (f->escalated_at != 0)
        {
          g_autofree char *when = format_local (f->escalated_at, "%H:%M");

          if (f->escalated_to != NULL)
            g_string_append_printf (line, _("; escalated at %s to %s"), when, f->escalated_to);
          else
            g_string_append_printf (line, _("; escalated at %s"), when);
        }
      if (f->closed_at != 0)
        {
          g_autofree char *when = format_local (f->closed_at, "%a %H:%M");

          g_string_append_printf (line, _("; closed %s"), when);
        }
      else
        g_string_append (line, _("; open at the end of the period"));
      if (f->outcome != NULL)
        g_string_append_printf (line, _("; outcome: %s"), f->outcome);
      if (f->note != NULL && f->note[0] != '\0')
        g_string_append_printf (line, " — %s", f->note);

      markup = g_markup_escape_text (line->str, -1);
      para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
    }
}

static void
layout_notes (WardPdfPages *pages,
              Report       *report)
{
  const WardSummary *s = report->summary;

  heading (pages, _("Handover notes"));
  if (s->notes == NULL || s->notes->len == 0)
    para (pages, WARD_PDF_FONT_BODY, 0, _("No handover notes in this period."));

  for (guint i = 0; s->notes != NULL && i < s->notes->len; i++)
    {
      const WardSummaryNote *n = g_ptr_array_index (s->notes, i);
      struct
      {
        const char *label;
        const char *text;
      } sbar[] = {
        { N_("Situation"), n->situation },
        { N_("Background"), n->background },
        { N_("Assessment"), n->assessment },
        { N_("Recommendation"), n->recommendation },
      };
      g_autofree char *patient = ward_report_patient (n->patient_name, n->patient_id, report->info->show_names);
      g_autofree char *offered = format_local (n->offered_at, "%a %H:%M");
      g_autofree char *title = NULL;

      /* Translators: "Bed 3 — J. S. — from ada to ben, offered Mon 19:00" */
      title = g_markup_printf_escaped (_("<b>%s — %s</b> — from %s to %s, offered %s"),
                                       n->bed_label ? n->bed_label : "?", patient, n->from_staff,
                                       n->to_staff, offered);
      para (pages, WARD_PDF_FONT_BODY, 0, title);
      for (guint j = 0; j < G_N_ELEMENTS (sbar); j++)
        {
          g_autofree char *markup = g_markup_printf_escaped ("<b>%s:</b> %s", _(sbar[j].label),
                                                             sbar[j].text ? sbar[j].text : "");

          para (pages, WARD_PDF_FONT_BODY, INDENT, markup);
        }
    }
}

static void
layout_report (WardPdfPages *pages,
               gpointer      user_data)
{
  Report *report = user_data;

  layout_figures (pages, report);
  layout_flags (pages, report);
  layout_notes (pages, report);
}

static char *
page_header (const WardSummary         *summary,
             const WardShiftReportInfo *info)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *printed = NULL;
  char *header;

  from = format_local (summary->from, "%-d %b %Y %H:%M");
  to = format_local (summary->to, "%-d %b %Y %H:%M %Z");
  printed = format_local (info->printed_at, "%-d %b %H:%M");
  if (info->printed_by != NULL)
    /* Translators: the head of each page of the shift report: ward, period, when and who printed it */
    header = g_markup_printf_escaped (_("<b>%s</b> — shift report %s – %s — printed %s by %s"),
                                      info->ward ? info->ward : "", from, to, printed, info->printed_by);
  else
    header = g_markup_printf_escaped (_("<b>%s</b> — shift report %s – %s — printed %s"),
                                      info->ward ? info->ward : "", from, to, printed);

  return header;
}

GPtrArray *
ward_shift_report_record_pages (const WardSummary          *summary,
                                const WardShiftReportInfo  *info)
{
  g_autofree char *header = NULL;
  Report report = { summary, info };

  g_return_val_if_fail (summary != NULL, NULL);
  g_return_val_if_fail (info != NULL, NULL);

  header = page_header (summary, info);
  return ward_pdf_pages_record (header, layout_report, &report);
}

gboolean
ward_shift_report_write_pdf (const WardSummary          *summary,
                             const WardShiftReportInfo  *info,
                             const char                 *path,
                             guint                      *n_pages,
                             GError                    **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *header = NULL;
  Report report = { summary, info };

  g_return_val_if_fail (summary != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  header = page_header (summary, info);

  if (!ward_pdf_pages_write (path, _("Shift report"), header, layout_report, &report, n_pages,
                             &local_error))
    {
      g_set_error (error, WARD_SHIFT_REPORT_ERROR, WARD_SHIFT_REPORT_ERROR_WRITE,
                   _("Cannot write the shift report to %s: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* The CSV files. */

static void
csv_text (GString    *out,
          const char *text)
{
  if (text == NULL)
    text = "";

  /* A spreadsheet runs a cell starting with these as a formula. */
  if (strchr ("=+-@\t\r", text[0]) != NULL && text[0] != '\0')
    {
      g_autofree char *guarded = g_strconcat ("'", text, NULL);

      csv_text (out, guarded);
      return;
    }

  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

/* Appends a row: each field a text ('s'), an unsigned ('u'), a double with
 * two decimals ('f') or a time in ISO 8601 UTC, empty for 0 ('t').
 */
static void
csv_row (GString    *out,
         const char *types,
         ...)
{
  va_list args;

  va_start (args, types);
  for (const char *t = types; *t != '\0'; t++)
    {
      if (t != types)
        g_string_append_c (out, ',');
      switch (*t)
        {
        case 's':
          csv_text (out, va_arg (args, const char *));
          break;
        case 'u':
          g_string_append_printf (out, "%u", va_arg (args, guint));
          break;
        case 'f':
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.2f", va_arg (args, double)));
          }
          break;
        case 't':
          {
            g_autofree char *time = format_utc (va_arg (args, gint64));

            g_string_append (out, time);
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  va_end (args);
  g_string_append (out, "\r\n");
}

static gboolean
write_file (const char  *dir,
            const char  *name,
            GString     *content,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) local_error = NULL;

  if (!g_file_set_contents_full (path, content->str, content->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, &local_error))
    {
      g_set_error (error, WARD_SHIFT_REPORT_ERROR, WARD_SHIFT_REPORT_ERROR_WRITE,
                   _("Cannot write the shift report to %s: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_shift_report_write_csv (const WardSummary          *summary,
                             const WardShiftReportInfo  *info,
                             const char                 *dir,
                             GError                    **error)
{
  const WardSummary *s = summary;
  g_autoptr(GString) out = g_string_new (NULL);
  guint total;

  g_return_val_if_fail (summary != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, WARD_SHIFT_REPORT_ERROR, WARD_SHIFT_REPORT_ERROR_WRITE,
                   _("Cannot write the shift report to %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  /* census.csv: one row per hour mark, the last at the period's end. */
  g_string_assign (out, "");
  csv_row (out, "sssssss", "at", "low", "low-medium", "medium", "high", "no-score", "total");
  for (guint i = 0; i < WARD_SUMMARY_CENSUS_HOURS; i++)
    {
      const guint *c = s->census_series[i];

      csv_row (out, "tuuuuuu", s->census_at[i], c[0], c[1], c[2], c[3], c[4],
               c[0] + c[1] + c[2] + c[3] + c[4]);
    }
  if (!write_file (dir, "census.csv", out, error))
    return FALSE;

  /* flags.csv */
  g_string_assign (out, "");
  csv_row (out, "sss", "band", "opened", "closed");
  {
    guint opened = 0, closed = 0;

    for (guint b = 0; b <= WARD_BAND_HIGH; b++)
      {
        csv_row (out, "suu", ward_summary_column_name (b), s->opened[b], s->closed[b]);
        opened += s->opened[b];
        closed += s->closed[b];
      }
    csv_row (out, "suu", "clinical-total", opened, closed);
    csv_row (out, "suu", "technical", s->technical_opened, s->technical_closed);
  }
  if (!write_file (dir, "flags.csv", out, error))
    return FALSE;

  /* response.csv */
  g_string_assign (out, "");
  csv_row (out, "ssssssss", "band", "target_minutes", "counted", "accepted", "within_target", "missed",
           "share_within_target_percent", "median_minutes");
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      const WardSummaryResponse *r = &s->response[b];
      g_autofree char *target = format_minutes (r->target_usec);
      char share[G_ASCII_DTOSTR_BUF_SIZE] = "";
      char median[G_ASCII_DTOSTR_BUF_SIZE] = "";

      if (r->n_counted > 0)
        g_ascii_formatd (share, sizeof share, "%.1f", 100.0 * r->n_within / r->n_counted);
      if (r->median_usec >= 0)
        g_ascii_formatd (median, sizeof median, "%.1f", (double) r->median_usec / (60 * G_USEC_PER_SEC));
      csv_row (out, "ssuuuuss", ward_summary_column_name (b), target, r->n_counted, r->n_accepted,
               r->n_within, r->n_missed, share, median);
    }
  if (!write_file (dir, "response.csv", out, error))
    return FALSE;

  /* response-distribution.csv */
  g_string_assign (out, "");
  csv_row (out, "ss", "minutes", "count");
  for (guint i = 0; i < WARD_SUMMARY_N_RESPONSE_BINS; i++)
    {
      g_autofree char *label = NULL;

      if (i == WARD_SUMMARY_N_RESPONSE_BINS - 1)
        label = g_strdup ("missed");
      else if (i == WARD_SUMMARY_N_RESPONSE_BINS - 2)
        label = g_strdup_printf ("%d+", ward_summary_response_bin_start[i]);
      else
        label = g_strdup_printf ("%d-%d", ward_summary_response_bin_start[i],
                                 ward_summary_response_bin_start[i + 1]);
      csv_row (out, "su", label, s->response_bins[i]);
    }
  if (!write_file (dir, "response-distribution.csv", out, error))
    return FALSE;

  /* overdue.csv */
  g_string_assign (out, "");
  csv_row (out, "ss", "bed", "patient");
  for (guint i = 0; i < s->overdue->len; i++)
    {
      const WardSummaryOverdue *o = g_ptr_array_index (s->overdue, i);
      g_autofree char *patient = ward_report_patient (o->patient_name, o->patient_id, info->show_names);

      csv_row (out, "ss", o->bed_label, patient);
    }
  if (!write_file (dir, "overdue.csv", out, error))
    return FALSE;

  /* technical.csv */
  g_string_assign (out, "");
  csv_row (out, "ssss", "device", "bed", "alerts", "alarm_minutes");
  total = 0;
  {
    gint64 total_usec = 0;
    char minutes[G_ASCII_DTOSTR_BUF_SIZE];

    for (guint i = 0; i < s->devices->len; i++)
      {
        const WardSummaryDevice *d = g_ptr_array_index (s->devices, i);

        g_ascii_formatd (minutes, sizeof minutes, "%.1f", (double) d->alarm_usec / (60 * G_USEC_PER_SEC));
        csv_row (out, "ssus", d->device_id, d->bed_label, d->n_alerts, minutes);
        total += d->n_alerts;
        total_usec += d->alarm_usec;
      }
    g_ascii_formatd (minutes, sizeof minutes, "%.1f", (double) total_usec / (60 * G_USEC_PER_SEC));
    csv_row (out, "ssus", "total", "", total, minutes);
  }
  if (!write_file (dir, "technical.csv", out, error))
    return FALSE;

  /* burden.csv: per bed, then the ward per bed per 24 h. */
  g_string_assign (out, "");
  csv_row (out, "sssss", "bed", "flags", "notifications", "flags_per_24h", "notifications_per_24h");
  for (guint i = 0; i < s->beds->len; i++)
    {
      const WardSummaryBed *b = g_ptr_array_index (s->beds, i);

      csv_row (out, "suuff", b->bed_label ? b->bed_label : "not in a bed now", b->n_flags,
               b->n_notifications, b->flags_per_day, b->notifications_per_day);
    }
  csv_row (out, "suuff", "ward per bed", s->n_flags, s->n_notifications, s->flags_per_bed_day,
           s->notifications_per_bed_day);
  if (!write_file (dir, "burden.csv", out, error))
    return FALSE;

  /* data-issues.csv */
  g_string_assign (out, "");
  csv_row (out, "ss", "stage", "count");
  for (guint i = 0; i < s->issues->len; i++)
    {
      const WardSummaryIssue *issue = g_ptr_array_index (s->issues, i);

      csv_row (out, "su", issue->stage, issue->count);
    }
  csv_row (out, "su", "total", s->n_issues);
  if (!write_file (dir, "data-issues.csv", out, error))
    return FALSE;

  /* flag-timeline.csv */
  g_string_assign (out, "");
  csv_row (out, "ssssssssssssssss", "flag", "kind", "band", "bed", "patient", "device", "opened_at",
           "acknowledged_at", "acknowledged_by", "accepted_at", "accepted_by", "escalated_at",
           "escalated_to", "closed_at", "outcome", "note");
  for (guint i = 0; s->flags != NULL && i < s->flags->len; i++)
    {
      const WardSummaryFlag *f = g_ptr_array_index (s->flags, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, f->id);
      g_autofree char *patient = ward_report_patient (f->patient_name, f->patient_id, info->show_names);

      csv_row (out, "ssssssttstststss", id, f->kind, f->band, f->bed_label, patient,
               g_strcmp0 (f->kind, "technical") == 0 ? f->subject : NULL, f->opened_at,
               f->acknowledged_at, f->acknowledged_by, f->accepted_at, f->accepted_by, f->escalated_at,
               f->escalated_to, f->closed_at, f->outcome, f->note);
    }
  if (!write_file (dir, "flag-timeline.csv", out, error))
    return FALSE;

  /* handover-notes.csv */
  g_string_assign (out, "");
  csv_row (out, "ssssssssss", "offered_at", "accepted_at", "from", "to", "bed", "patient", "situation",
           "background", "assessment", "recommendation");
  for (guint i = 0; s->notes != NULL && i < s->notes->len; i++)
    {
      const WardSummaryNote *n = g_ptr_array_index (s->notes, i);
      g_autofree char *patient = ward_report_patient (n->patient_name, n->patient_id, info->show_names);

      csv_row (out, "ttssssssss", n->offered_at, n->accepted_at, n->from_staff, n->to_staff,
               n->bed_label, patient, n->situation, n->background, n->assessment, n->recommendation);
    }

  return write_file (dir, "handover-notes.csv", out, error);
}
