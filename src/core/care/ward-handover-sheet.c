/* ward-handover-sheet.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-handover-sheet"

#include "config.h"

#include "ward-handover-sheet.h"

#include "ward-clinical.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include <string.h>

/* A4 in PostScript points, and the margins. */
#define PAGE_WIDTH    595.276
#define PAGE_HEIGHT   841.890
#define MARGIN        42.0
#define HEADER_HEIGHT 34.0
#define FOOTER_HEIGHT 26.0
#define BODY_TOP      (MARGIN + HEADER_HEIGHT)
#define BODY_BOTTOM   (PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT)
#define BODY_WIDTH    (PAGE_WIDTH - 2 * MARGIN)
#define INDENT        14.0
#define BED_GAP       14.0
#define PARA_GAP      3.0

#define FONT_BODY     "Sans 9.5"
#define FONT_HEADING  "Sans Bold 11"
#define FONT_PAGE     "Sans 8"

G_DEFINE_QUARK (ward-handover-sheet-error-quark, ward_handover_sheet_error)

/* One pass lays the sheet out.  The first counts the pages, without
 * drawing; the second draws, now knowing M for "Page N of M".
 */
typedef struct
{
  const WardHandoverSheet *sheet;
  cairo_t                 *cr;
  PangoContext            *context;
  gboolean                 draw;
  guint                    n_pages;   /* of the first pass, for the footer */
  guint                    page;      /* 1-based, the page being laid out */
  double                   y;
  char                    *header;
} Pass;

static void
draw_page_furniture (Pass *pass)
{
  g_autoptr(PangoLayout) header = NULL;
  g_autoptr(PangoLayout) footer = NULL;
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (FONT_PAGE);
  g_autofree char *page = NULL;
  int width, height;

  if (!pass->draw)
    return;

  header = pango_layout_new (pass->context);
  pango_layout_set_font_description (header, font);
  pango_layout_set_width (header, (int) (BODY_WIDTH * PANGO_SCALE));
  pango_layout_set_ellipsize (header, PANGO_ELLIPSIZE_END);
  pango_layout_set_markup (header, pass->header, -1);
  cairo_set_source_rgb (pass->cr, 0, 0, 0);
  cairo_move_to (pass->cr, MARGIN, MARGIN);
  pango_cairo_show_layout (pass->cr, header);

  cairo_set_line_width (pass->cr, 0.8);
  cairo_move_to (pass->cr, MARGIN, BODY_TOP - 10);
  cairo_line_to (pass->cr, PAGE_WIDTH - MARGIN, BODY_TOP - 10);
  cairo_stroke (pass->cr);

  /* Translators: the foot of each page of the handover sheet */
  page = g_strdup_printf (_("Page %u of %u"), pass->page, pass->n_pages);
  footer = pango_layout_new (pass->context);
  pango_layout_set_font_description (footer, font);
  pango_layout_set_text (footer, page, -1);
  pango_layout_get_size (footer, &width, &height);
  cairo_move_to (pass->cr, PAGE_WIDTH - MARGIN - (double) width / PANGO_SCALE,
                 PAGE_HEIGHT - MARGIN - (double) height / PANGO_SCALE);
  pango_cairo_show_layout (pass->cr, footer);
}

static void
new_page (Pass *pass)
{
  if (pass->draw)
    cairo_show_page (pass->cr);
  pass->page++;
  pass->y = BODY_TOP;
  draw_page_furniture (pass);
}

static PangoLayout *
make_layout (Pass       *pass,
             const char *font_name,
             double      width,
             const char *markup)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (font_name);
  PangoLayout *layout = pango_layout_new (pass->context);

  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, markup, -1);

  return layout;
}

static double
first_line_height (PangoLayout *layout)
{
  PangoRectangle logical;
  PangoLayoutIter *iter = pango_layout_get_iter (layout);

  pango_layout_iter_get_line_extents (iter, NULL, &logical);
  pango_layout_iter_free (iter);

  return (double) logical.height / PANGO_SCALE;
}

/* Places a layout line by line at x, going to a new page where the next
 * line does not fit.
 */
static void
place_layout (Pass        *pass,
              PangoLayout *layout,
              double       x)
{
  PangoLayoutIter *iter = pango_layout_get_iter (layout);

  do
    {
      PangoRectangle logical;
      double height;
      double baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      height = (double) logical.height / PANGO_SCALE;
      baseline = (double) (pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;

      if (pass->y + height > BODY_BOTTOM && pass->y > BODY_TOP)
        new_page (pass);

      if (pass->draw)
        {
          cairo_move_to (pass->cr, x + (double) logical.x / PANGO_SCALE, pass->y + baseline);
          pango_cairo_show_layout_line (pass->cr, pango_layout_iter_get_line_readonly (iter));
        }
      pass->y += height;
    }
  while (pango_layout_iter_next_line (iter));

  pango_layout_iter_free (iter);
}

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
place_bed (Pass                  *pass,
           const WardHandoverBed *bed)
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
  g_autofree char *heading_markup = bed_heading (pass->sheet, bed);
  g_autofree char *tasks_markup = NULL;

  heading = make_layout (pass, FONT_HEADING, BODY_WIDTH, heading_markup);
  tasks_markup = g_markup_printf_escaped ("<b>%s</b>", bed->n_tasks > 0 ? _("Open tasks") : _("No open tasks"));
  tasks_label = make_layout (pass, FONT_BODY, BODY_WIDTH - INDENT, tasks_markup);

  /* The heading keeps its first line of content with it. */
  if (pass->y > BODY_TOP &&
      pass->y + BED_GAP + first_line_height (heading) + first_line_height (tasks_label) > BODY_BOTTOM)
    new_page (pass);
  else if (pass->y > BODY_TOP)
    pass->y += BED_GAP;

  if (pass->draw)
    {
      cairo_set_line_width (pass->cr, 0.5);
      cairo_move_to (pass->cr, MARGIN, pass->y - BED_GAP / 2);
      cairo_line_to (pass->cr, PAGE_WIDTH - MARGIN, pass->y - BED_GAP / 2);
      cairo_stroke (pass->cr);
    }

  place_layout (pass, heading, MARGIN);
  pass->y += PARA_GAP;
  place_layout (pass, tasks_label, MARGIN + INDENT);

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
      layout = make_layout (pass, FONT_BODY, BODY_WIDTH - 2 * INDENT, markup);
      place_layout (pass, layout, MARGIN + 2 * INDENT);
    }

  pass->y += PARA_GAP;
  for (guint i = 0; i < G_N_ELEMENTS (sbar); i++)
    {
      g_autoptr(PangoLayout) layout = NULL;
      g_autofree char *markup = NULL;
      const char *text = sbar[i].text;

      if (text == NULL || text[0] == '\0')
        markup = g_markup_printf_escaped ("<b>%s:</b> <i>%s</i>", _(sbar[i].label), _("not written"));
      else
        markup = g_markup_printf_escaped ("<b>%s:</b> %s", _(sbar[i].label), text);
      layout = make_layout (pass, FONT_BODY, BODY_WIDTH - INDENT, markup);
      place_layout (pass, layout, MARGIN + INDENT);
      pass->y += PARA_GAP;
    }
}

static void
run_pass (Pass *pass)
{
  pass->page = 1;
  pass->y = BODY_TOP;
  draw_page_furniture (pass);

  if (pass->sheet->n_beds == 0)
    {
      g_autoptr(PangoLayout) layout = make_layout (pass, FONT_BODY, BODY_WIDTH, _("No beds to hand over."));

      place_layout (pass, layout, MARGIN);
    }

  for (guint i = 0; i < pass->sheet->n_beds; i++)
    place_bed (pass, &pass->sheet->beds[i]);

  if (pass->draw)
    cairo_show_page (pass->cr);
}

static cairo_status_t
discard_cb (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
check_status (cairo_status_t   status,
              const char      *path,
              GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;

  g_set_error (error, WARD_HANDOVER_SHEET_ERROR, WARD_HANDOVER_SHEET_ERROR_WRITE,
               _("Cannot write the handover sheet to %s: %s"), path, cairo_status_to_string (status));
  return FALSE;
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
  Pass pass = { 0 };
  cairo_surface_t *surface;
  cairo_status_t status;

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
  pass.sheet = sheet;
  pass.header = header;

  /* Counting pass: the same surface type, so the same font metrics. */
  surface = cairo_pdf_surface_create_for_stream (discard_cb, NULL, PAGE_WIDTH, PAGE_HEIGHT);
  pass.cr = cairo_create (surface);
  pass.context = pango_cairo_create_context (pass.cr);
  pass.draw = FALSE;
  run_pass (&pass);
  pass.n_pages = pass.page;
  g_clear_object (&pass.context);
  cairo_destroy (pass.cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  surface = cairo_pdf_surface_create (path, PAGE_WIDTH, PAGE_HEIGHT);
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      return check_status (status, path, error);
    }
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, _("Handover sheet"));
  pass.cr = cairo_create (surface);
  pass.context = pango_cairo_create_context (pass.cr);
  pass.draw = TRUE;
  run_pass (&pass);
  g_clear_object (&pass.context);
  status = cairo_status (pass.cr);
  cairo_destroy (pass.cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  g_assert (pass.page == pass.n_pages);
  if (n_pages != NULL)
    *n_pages = pass.n_pages;

  return check_status (status, path, error);
}
