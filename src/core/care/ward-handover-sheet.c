/* ward-handover-sheet.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-handover-sheet"

#include "config.h"

#include "ward-handover-sheet.h"

#include "ward-clinical.h"
#include "ward-pdf-pages.h"

#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include <string.h>

#define INDENT        14.0
#define BED_GAP       14.0
#define PARA_GAP      3.0

G_DEFINE_QUARK (ward-handover-sheet-error-quark, ward_handover_sheet_error)

/* The page furniture (header, "Page N of M", line placement and the two
 * passes) is report/ward-pdf-pages.c, shared with the shift report.
 */

static char *
format_time (gint64      usec,
             const char *format)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (time, format);
}

static char *
bed_heading (const WardHandoverSheet *sheet,
             const WardHandoverBed   *bed)
{
  g_autofree char *patient = NULL;
  g_autofree char *score = NULL;

  if (bed->patient_name == NULL)
    patient = g_strdup (_("No patient"));
  else if (sheet->show_names)
    patient = g_strdup (bed->patient_name);
  else
    patient = ward_handover_initials (bed->patient_name);

  if (bed->news2 < 0)
    score = g_strdup (_("NEWS2: no score"));
  else
    /* Translators: "NEWS2 7 (High)" on the handover sheet */
    score = g_strdup_printf (_("NEWS2 %d (%s)"), bed->news2, ward_clinical_band_title (bed->band));

  return g_markup_printf_escaped ("%s — %s — %s", bed->bed ? bed->bed : "?", patient, score);
}

static void
place_bed (WardPdfPages            *pages,
           const WardHandoverSheet *sheet,
           const WardHandoverBed   *bed)
{
  struct
  {
    const char *label;
    const char *text;
  } sbar[] = {
    /* Translators: the four parts of an SBAR note */
    { N_("Situation"), bed->situation },
    { N_("Background"), bed->background },
    { N_("Assessment"), bed->assessment },
    { N_("Recommendation"), bed->recommendation },
  };
  g_autoptr(PangoLayout) heading = NULL;
  g_autoptr(PangoLayout) tasks_label = NULL;
  g_autofree char *heading_markup = bed_heading (sheet, bed);
  g_autofree char *tasks_markup = NULL;

  heading = ward_pdf_pages_make_layout (pages, WARD_PDF_FONT_HEADING, WARD_PDF_BODY_WIDTH, heading_markup);
  tasks_markup = g_markup_printf_escaped ("<b>%s</b>", bed->n_tasks > 0 ? _("Open tasks") : _("No open tasks"));
  tasks_label = ward_pdf_pages_make_layout (pages, WARD_PDF_FONT_BODY, WARD_PDF_BODY_WIDTH - INDENT, tasks_markup);

  /* The heading keeps its first line of content with it. */
  if (!ward_pdf_pages_at_top (pages) &&
      ward_pdf_pages_get_y (pages) + BED_GAP + ward_pdf_pages_first_line_height (heading) +
      ward_pdf_pages_first_line_height (tasks_label) > WARD_PDF_BODY_BOTTOM)
    ward_pdf_pages_new_page (pages);
  else if (!ward_pdf_pages_at_top (pages))
    ward_pdf_pages_add_y (pages, BED_GAP);

  ward_pdf_pages_rule (pages, ward_pdf_pages_get_y (pages) - BED_GAP / 2, 0.5);

  ward_pdf_pages_place (pages, heading, WARD_PDF_MARGIN);
  ward_pdf_pages_add_y (pages, PARA_GAP);
  ward_pdf_pages_place (pages, tasks_label, WARD_PDF_MARGIN + INDENT);

  for (guint i = 0; i < bed->n_tasks; i++)
    {
      const WardHandoverTask *task = &bed->tasks[i];
      g_autoptr(PangoLayout) layout = NULL;
      g_autofree char *due = NULL;
      g_autofree char *markup = NULL;

      if (task->due > 0)
        {
          g_autofree char *when = format_time (task->due, "%H:%M");

          /* Translators: when a task on the handover sheet is due, "due 14:30" */
          due = g_strdup_printf (_("due %s"), when);
        }
      else
        due = g_strdup (_("no due time"));

      markup = g_markup_printf_escaped ("• %s — %s, %s", task->description ? task->description : "",
                                        task->owner ? task->owner : _("nobody yet"), due);
      layout = ward_pdf_pages_make_layout (pages, WARD_PDF_FONT_BODY, WARD_PDF_BODY_WIDTH - 2 * INDENT, markup);
      ward_pdf_pages_place (pages, layout, WARD_PDF_MARGIN + 2 * INDENT);
    }

  ward_pdf_pages_add_y (pages, PARA_GAP);
  for (guint i = 0; i < G_N_ELEMENTS (sbar); i++)
    {
      g_autoptr(PangoLayout) layout = NULL;
      g_autofree char *markup = NULL;
      const char *text = sbar[i].text;

      if (text == NULL || text[0] == '\0')
        markup = g_markup_printf_escaped ("<b>%s:</b> <i>%s</i>", _(sbar[i].label), _("not written"));
      else
        markup = g_markup_printf_escaped ("<b>%s:</b> %s", _(sbar[i].label), text);
      layout = ward_pdf_pages_make_layout (pages, WARD_PDF_FONT_BODY, WARD_PDF_BODY_WIDTH - INDENT, markup);
      ward_pdf_pages_place (pages, layout, WARD_PDF_MARGIN + INDENT);
      ward_pdf_pages_add_y (pages, PARA_GAP);
    }
}

static void
layout_sheet (WardPdfPages *pages,
              gpointer      user_data)
{
  const WardHandoverSheet *sheet = user_data;

  if (sheet->n_beds == 0)
    {
      g_autoptr(PangoLayout) layout = ward_pdf_pages_make_layout (pages, WARD_PDF_FONT_BODY,
                                                                  WARD_PDF_BODY_WIDTH,
                                                                  _("No beds to hand over."));

      ward_pdf_pages_place (pages, layout, WARD_PDF_MARGIN);
    }

  for (guint i = 0; i < sheet->n_beds; i++)
    place_bed (pages, sheet, &sheet->beds[i]);
}

char *
ward_handover_initials (const char *name)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_auto(GStrv) words = NULL;

  if (name == NULL)
    return g_strdup ("");

  words = g_strsplit_set (name, " \t-", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gunichar c;

      if (words[i][0] == '\0' || !g_utf8_validate (words[i], -1, NULL))
        continue;
      c = g_unichar_toupper (g_utf8_get_char (words[i]));
      if (!g_unichar_isalpha (c))
        continue;
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_unichar (out, c);
      g_string_append_c (out, '.');
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

gboolean
ward_handover_sheet_write_pdf (const WardHandoverSheet  *sheet,
                               const char               *path,
                               guint                    *n_pages,
                               GError                  **error)
{
  g_autofree char *printed = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (sheet != NULL, FALSE);
  g_return_val_if_fail (sheet->n_beds == 0 || sheet->beds != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  printed = format_time (sheet->printed_at, "%a %-d %b %Y %H:%M %Z");
  if (sheet->printed_by != NULL)
    /* Translators: the head of each page: ward, when, who printed it */
    header = g_markup_printf_escaped (_("<b>%s</b> — handover sheet — printed %s by %s"),
                                      sheet->ward ? sheet->ward : "", printed, sheet->printed_by);
  else
    /* Translators: the head of each page: ward and when */
    header = g_markup_printf_escaped (_("<b>%s</b> — handover sheet — printed %s"),
                                      sheet->ward ? sheet->ward : "", printed);

  if (!ward_pdf_pages_write (path, _("Handover sheet"), header, layout_sheet, (gpointer) sheet,
                             n_pages, &local_error))
    {
      g_set_error (error, WARD_HANDOVER_SHEET_ERROR, WARD_HANDOVER_SHEET_ERROR_WRITE,
                   _("Cannot write the handover sheet to %s: %s"), path, local_error->message);
      return FALSE;
    }

  return TRUE;
}
