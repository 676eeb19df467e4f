/* ward-summary-print.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-summary-print"

#include "config.h"

#include "ward-summary-print.h"
#include "ward-pdf-pages.h"

static void
draw_page_cb (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page_nr,
              gpointer           user_data)
{
  GPtrArray *pages = user_data;
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double sx, sy, scale;

  g_return_if_fail (page_nr >= 0 && (guint) page_nr < pages->len);

  /* The printer's page may be Letter rather than A4: the A4 page is
   * scaled to fit whole, never cut.
   */
  sx = gtk_print_context_get_width (context) / WARD_PDF_PAGE_WIDTH;
  sy = gtk_print_context_get_height (context) / WARD_PDF_PAGE_HEIGHT;
  scale = MIN (sx, sy);

  cairo_save (cr);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, g_ptr_array_index (pages, page_nr), 0, 0);
  cairo_paint (cr);
  cairo_restore (cr);
}

static void
pages_unref_cb (gpointer  data,
                GClosure *closure)
{
  g_ptr_array_unref (data);
}

GtkPrintOperation *
ward_summary_print_operation_new (GPtrArray  *pages,
                                  const char *job_name)
{
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  GtkPrintOperation *operation;

  g_return_val_if_fail (pages != NULL && pages->len > 0, NULL);

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_PORTRAIT);

  operation = gtk_print_operation_new ();
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_n_pages (operation, (int) pages->len);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  if (job_name != NULL)
    gtk_print_operation_set_job_name (operation, job_name);

  g_signal_connect_data (operation, "draw-page", G_CALLBACK (draw_page_cb),
                         g_ptr_array_ref (pages), pages_unref_cb, 0);

  return operation;
}
