/* ward-pdf-pages.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pdf-pages"

#include "config.h"

#include "ward-pdf-pages.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

struct _WardPdfPages
{
  const char   *header;
  cairo_t      *cr;
  PangoContext *context;
  gboolean      draw;
  guint         n_pages;   /* of the first pass, for the footer */
  guint         page;      /* 1-based, the page being laid out */
  double        y;
  GPtrArray    *recordings; /* recording mode: a cairo recording surface per page */
};

/* Recording mode: the page just laid out is kept, the next one begins
 * on a new recording surface of A4's extents.
 */
static void
begin_recording (WardPdfPages *pages)
{
  cairo_rectangle_t extents = { 0, 0, WARD_PDF_PAGE_WIDTH, WARD_PDF_PAGE_HEIGHT };
  cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);

  g_ptr_array_add (pages->recordings, surface);
  g_clear_pointer (&pages->cr, cairo_destroy);
  pages->cr = cairo_create (surface);
}

static void
end_page (WardPdfPages *pages)
{
  if (pages->recordings != NULL)
    g_clear_pointer (&pages->cr, cairo_destroy);
  else
    cairo_show_page (pages->cr);
}

static void
draw_page_furniture (WardPdfPages *pages)
{
  g_autoptr(PangoLayout) header = NULL;
  g_autoptr(PangoLayout) footer = NULL;
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (WARD_PDF_FONT_SMALL);
  g_autofree char *page = NULL;
  int width, height;

  if (!pages->draw)
    return;

  header = pango_layout_new (pages->context);
  pango_layout_set_font_description (header, font);
  pango_layout_set_width (header, (int) (WARD_PDF_BODY_WIDTH * PANGO_SCALE));
  pango_layout_set_ellipsize (header, PANGO_ELLIPSIZE_END);
  pango_layout_set_markup (header, pages->header, -1);
  cairo_set_source_rgb (pages->cr, 0, 0, 0);
  cairo_move_to (pages->cr, WARD_PDF_MARGIN, WARD_PDF_MARGIN);
  pango_cairo_show_layout (pages->cr, header);

  cairo_set_line_width (pages->cr, 0.8);
  cairo_move_to (pages->cr, WARD_PDF_MARGIN, WARD_PDF_BODY_TOP - 10);
  cairo_line_to (pages->cr, WARD_PDF_PAGE_WIDTH - WARD_PDF_MARGIN, WARD_PDF_BODY_TOP - 10);
  cairo_stroke (pages->cr);

  /* Translators: the foot of each page of a printed sheet or report */
  page = g_strdup_printf (_("Page %u of %u"), pages->page, pages->n_pages);
  footer = pango_layout_new (pages->context);
  pango_layout_set_font_description (footer, font);
  pango_layout_set_text (footer, page, -1);
  pango_layout_get_size (footer, &width, &height);
  cairo_move_to (pages->cr, WARD_PDF_PAGE_WIDTH - WARD_PDF_MARGIN - (double) width / PANGO_SCALE,
                 WARD_PDF_PAGE_HEIGHT - WARD_PDF_MARGIN - (double) height / PANGO_SCALE);
  pango_cairo_show_layout (pages->cr, footer);
}

static void
run_pass (WardPdfPages      *pages,
          WardPdfLayoutFunc  layout,
          gpointer           user_data)
{
  pages->page = 1;
  pages->y = WARD_PDF_BODY_TOP;
  draw_page_furniture (pages);

  layout (pages, user_data);

  if (pages->draw)
    end_page (pages);
}

static cairo_status_t
discard_cb (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  return CAIRO_STATUS_SUCCESS;
}

gboolean
ward_pdf_pages_write (const char         *path,
                      const char         *title,
                      const char         *header_markup,
                      WardPdfLayoutFunc   layout,
                      gpointer            user_data,
                      guint              *n_pages,
                      GError            **error)
{
  WardPdfPages pages = { 0 };
  cairo_surface_t *surface;
  cairo_status_t status;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (header_markup != NULL, FALSE);
  g_return_val_if_fail (layout != NULL, FALSE);

  pages.header = header_markup;

  /* Counting pass: the same surface type, so the same font metrics. */
  surface = cairo_pdf_surface_create_for_stream (discard_cb, NULL, WARD_PDF_PAGE_WIDTH,
                                                 WARD_PDF_PAGE_HEIGHT);
  pages.cr = cairo_create (surface);
  pages.context = pango_cairo_create_context (pages.cr);
  pages.draw = FALSE;
  run_pass (&pages, layout, user_data);
  pages.n_pages = pages.page;
  g_clear_object (&pages.context);
  cairo_destroy (pages.cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  surface = cairo_pdf_surface_create (path, WARD_PDF_PAGE_WIDTH, WARD_PDF_PAGE_HEIGHT);
  status = cairo_surface_status (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      cairo_surface_destroy (surface);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, cairo_status_to_string (status));
      return FALSE;
    }
  if (title != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, title);
  pages.cr = cairo_create (surface);
  pages.context = pango_cairo_create_context (pages.cr);
  pages.draw = TRUE;
  run_pass (&pages, layout, user_data);
  g_clear_object (&pages.context);
  status = cairo_status (pages.cr);
  cairo_destroy (pages.cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  /* Both passes must lay out alike, or "of M" would be wrong. */
  g_assert (pages.page == pages.n_pages);
  if (n_pages != NULL)
    *n_pages = pages.n_pages;

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}

GPtrArray *
ward_pdf_pages_record (const char         *header_markup,
                       WardPdfLayoutFunc   layout,
                       gpointer            user_data)
{
  g_autoptr(GPtrArray) recordings = g_ptr_array_new_with_free_func ((GDestroyNotify) cairo_surface_destroy);
  WardPdfPages pages = { 0 };
  cairo_surface_t *surface;
  cairo_t *metrics;

  g_return_val_if_fail (header_markup != NULL, NULL);
  g_return_val_if_fail (layout != NULL, NULL);

  pages.header = header_markup;

  /* Both passes measure text on a PDF surface, as the PDF does: the
   * same line breaks and page breaks, only drawn elsewhere.
   */
  surface = cairo_pdf_surface_create_for_stream (discard_cb, NULL, WARD_PDF_PAGE_WIDTH,
                                                 WARD_PDF_PAGE_HEIGHT);
  metrics = cairo_create (surface);
  pages.context = pango_cairo_create_context (metrics);
  pages.cr = metrics;
  pages.draw = FALSE;
  run_pass (&pages, layout, user_data);
  pages.n_pages = pages.page;

  pages.cr = NULL;
  pages.recordings = recordings;
  pages.draw = TRUE;
  begin_recording (&pages);
  run_pass (&pages, layout, user_data);
  g_clear_pointer (&pages.cr, cairo_destroy);
  g_clear_object (&pages.context);
  cairo_destroy (metrics);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  g_assert (recordings->len == pages.n_pages);

  return g_steal_pointer (&recordings);
}

gboolean
ward_pdf_pages_is_drawing (WardPdfPages *pages)
{
  g_return_val_if_fail (pages != NULL, FALSE);

  return pages->draw;
}

cairo_t *
ward_pdf_pages_get_cairo (WardPdfPages *pages)
{
  g_return_val_if_fail (pages != NULL, NULL);

  return pages->cr;
}

double
ward_pdf_pages_get_y (WardPdfPages *pages)
{
  g_return_val_if_fail (pages != NULL, 0);

  return pages->y;
}

void
ward_pdf_pages_add_y (WardPdfPages *pages,
                      double        dy)
{
  g_return_if_fail (pages != NULL);

  pages->y += dy;
}

gboolean
ward_pdf_pages_at_top (WardPdfPages *pages)
{
  g_return_val_if_fail (pages != NULL, FALSE);

  return pages->y <= WARD_PDF_BODY_TOP;
}

void
ward_pdf_pages_new_page (WardPdfPages *pages)
{
  g_return_if_fail (pages != NULL);

  if (pages->draw)
    end_page (pages);
  pages->page++;
  pages->y = WARD_PDF_BODY_TOP;
  if (pages->draw && pages->recordings != NULL)
    begin_recording (pages);
  draw_page_furniture (pages);
}

void
ward_pdf_pages_ensure (WardPdfPages *pages,
                       double        height)
{
  g_return_if_fail (pages != NULL);

  if (pages->y + height > WARD_PDF_BODY_BOTTOM && !ward_pdf_pages_at_top (pages))
    ward_pdf_pages_new_page (pages);
}

PangoLayout *
ward_pdf_pages_make_layout (WardPdfPages *pages,
                            const char   *font_name,
                            double        width,
                            const char   *markup)
{
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string (font_name);
  PangoLayout *layout;

  g_return_val_if_fail (pages != NULL, NULL);

  layout = pango_layout_new (pages->context);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_markup (layout, markup, -1);

  return layout;
}

double
ward_pdf_pages_first_line_height (PangoLayout *layout)
{
  PangoRectangle logical;
  PangoLayoutIter *iter = pango_layout_get_iter (layout);

  pango_layout_iter_get_line_extents (iter, NULL, &logical);
  pango_layout_iter_free (iter);

  return (double) logical.height / PANGO_SCALE;
}

void
ward_pdf_pages_place (WardPdfPages *pages,
                      PangoLayout  *layout,
                      double        x)
{
  PangoLayoutIter *iter;

  g_return_if_fail (pages != NULL);
  g_return_if_fail (PANGO_IS_LAYOUT (layout));

  iter = pango_layout_get_iter (layout);
  do
    {
      PangoRectangle logical;
      double height;
      double baseline;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      height = (double) logical.height / PANGO_SCALE;
      baseline = (double) (pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;

      if (pages->y + height > WARD_PDF_BODY_BOTTOM && pages->y > WARD_PDF_BODY_TOP)
        ward_pdf_pages_new_page (pages);

      if (pages->draw)
        {
          cairo_move_to (pages->cr, x + (double) logical.x / PANGO_SCALE, pages->y + baseline);
          pango_cairo_show_layout_line (pages->cr, pango_layout_iter_get_line_readonly (iter));
        }
      pages->y += height;
    }
  while (pango_layout_iter_next_line (iter));

  pango_layout_iter_free (iter);
}

void
ward_pdf_pages_rule (WardPdfPages *pages,
                     double        y,
                     double        width)
{
  g_return_if_fail (pages != NULL);

  if (!pages->draw)
    return;

  cairo_set_line_width (pages->cr, width);
  cairo_move_to (pages->cr, WARD_PDF_MARGIN, y);
  cairo_line_to (pages->cr, WARD_PDF_PAGE_WIDTH - WARD_PDF_MARGIN, y);
  cairo_stroke (pages->cr);
}
