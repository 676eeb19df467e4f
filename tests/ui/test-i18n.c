/* test-i18n.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-i18n"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ward-i18n.h"
#include "ward-model-card-texts.h"
#include "ward-window.h"

/* Korean as a Korean nurse's desktop shows it: the build's catalogue is
 * found (ward_i18n_init() with WARDWATCH_LOCALEDIR, as the uninstalled
 * app does), and every Hangul glyph of the window has a font (Debian's
 * fonts-noto-cjk): Pango counts no unknown glyph, the boxes Korean showed
 * before.
 */

static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
test_korean_glyphs (void)
{
  WardWindow *window = ward_window_new (NULL);
  g_autofree char *bed = g_strdup_printf (_("Bed %u"), 4);
  const char *empty = _("No open alarms");
  GtkWidget *other;
  GtkWidget *label;

  /* The catalogue is the build's, in Korean. */
  g_assert_cmpstr (bed, ==, "병상 4");
  g_assert_cmpstr (empty, ==, "열린 경보 없음");

  gtk_window_present (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* The alarm bar's words, shaped with the fonts the window has. */
  label = find_label (GTK_WIDGET (window), empty);
  g_assert_nonnull (label);
  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 0);

  /* A bed's name, on a window of its own. */
  other = gtk_window_new ();
  label = gtk_label_new (bed);
  gtk_window_set_child (GTK_WINDOW (other), label);
  gtk_window_present (GTK_WINDOW (other));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (pango_layout_get_unknown_glyphs_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 0);

  gtk_window_destroy (GTK_WINDOW (other));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The shipped model card reads in Korean; another card as its authors
 * wrote it.
 */
static void
test_model_card (void)
{
  g_autofree char *notice = NULL;
  g_autofree char *other = NULL;

  notice = _ward_model_card_text_translate ("Trained on simulated data from the Wardwatch "
                                            "simulator. Not for clinical use.");
  g_assert_cmpstr (notice, ==, "Wardwatch 시뮬레이터의 시뮬레이션 데이터로 학습했습니다. "
                               "임상용이 아닙니다.");
  other = _ward_model_card_text_translate ("Validated on 12 000 admissions at St Elsewhere.");
  g_assert_cmpstr (other, ==, "Validated on 12 000 admissions at St Elsewhere.");
}

int
main (int   argc,
      char *argv[])
{
  /* Korean with a UTF-8 locale: C.UTF-8 exists everywhere, and glibc
   * follows LANGUAGE with any locale but C. */
  g_setenv ("LANGUAGE", "ko", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  ward_i18n_init ();

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/i18n/korean-glyphs", test_korean_glyphs);
  g_test_add_func ("/ui/i18n/model-card", test_model_card);

  return g_test_run ();
}
