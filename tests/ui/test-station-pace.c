/* test-station-pace.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "ward-board-pace.h"
#include "ward-renderer.h"
#include "ward-snapshot.h"

/* What keeps a station cheap to run: the renderer it draws with when GL
 * is software, and the pace a live board is updated at.
 */

#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)
#define T0  (G_GINT64_CONSTANT (1000) * G_USEC_PER_SEC)   /* a monotonic time */

static void
test_software_names (void)
{
  g_assert_true (ward_renderer_is_software_gl ("llvmpipe (LLVM 15.0.6, 256 bits)"));
  g_assert_true (ward_renderer_is_software_gl ("Gallium 0.4 on softpipe"));
  g_assert_true (ward_renderer_is_software_gl ("Software Rasterizer"));
  g_assert_false (ward_renderer_is_software_gl ("Mesa Intel(R) UHD Graphics 620 (KBL GT2)"));
  g_assert_false (ward_renderer_is_software_gl ("AMD Radeon RX 6600 (navi23, LLVM 15.0.6, DRM 3.49)"));
  g_assert_false (ward_renderer_is_software_gl (NULL));
}

/* Xvfb has no GPU: GL there is Mesa's software rasteriser, so the
 * application draws with cairo, unless the user chose a renderer.
 */
static void
test_choose_under_xvfb (void)
{
  GdkDisplay *display = gdk_display_get_default ();

  g_unsetenv ("GSK_RENDERER");
  ward_renderer_choose (display);
  if (g_getenv ("GSK_RENDERER") == NULL)
    {
      /* Left unset only where GL cannot be had at all: GTK then draws
       * with cairo by itself.
       */
      g_autoptr(GdkGLContext) context = gdk_display_create_gl_context (display, NULL);

      g_assert_true (context == NULL || !gdk_gl_context_realize (context, NULL));
    }
  else
    {
      g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "cairo");
    }

  g_setenv ("GSK_RENDERER", "gl", TRUE);
  ward_renderer_choose (display);
  g_assert_cmpstr (g_getenv ("GSK_RENDERER"), ==, "gl");

  g_setenv ("GSK_RENDERER", "cairo", TRUE);
}

static void
add_bed (GArray *beds,
         guint   number,
         int     total,
         double  hr)
{
  WardBedState bed = { 0 };

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("sim-patient-%02u", number);
  bed.has_score = TRUE;
  bed.score_total = total;
  bed.score_band = total >= 7 ? WARD_BAND_HIGH : total >= 5 ? WARD_BAND_MEDIUM : WARD_BAND_LOW;
  bed.latest[WARD_MEAS_HR].valid = TRUE;
  bed.latest[WARD_MEAS_HR].value = hr;
  bed.latest[WARD_MEAS_HR].observed_at = NOW;
  g_array_append_val (beds, bed);
}

/* Three beds; bed 2 with @total and @hr, and a flag when @flag_id. */
static WardSnapshot *
make_snapshot (guint64     serial,
               int         total,
               double      hr,
               gint64      flag_id,
               const char *acknowledged_by)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardBedState *bed;

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  add_bed (beds, 1, 1, 80);
  add_bed (beds, 2, total, hr);
  add_bed (beds, 3, 0, 70);
  bed = &g_array_index (beds, WardBedState, 1);
  if (flag_id != 0)
    {
      bed->flag_state = WARD_FLAG_STATE_OPEN;
      bed->flag_id = flag_id;
      bed->flag_band = bed->score_band;
      bed->flag_opened_at = NOW;
      bed->flag_acknowledged_by = g_strdup (acknowledged_by);
    }

  /* A snapshot every 50 ms of the ward's clock, as at real time. */
  return _ward_snapshot_new (NOW + serial * G_USEC_PER_SEC / 20, serial, beds, &counters);
}

/* A value that changed, or only the time (ages): the board waits for a
 * second after its last update; the first snapshot and any after a
 * second are shown at once.
 */
static void
test_pace_ordinary (void)
{
  g_autoptr(WardSnapshot) shown = make_snapshot (1, 2, 90, 0, NULL);
  g_autoptr(WardSnapshot) value = make_snapshot (2, 2, 95, 0, NULL);

  g_assert_cmpint (_ward_board_pace_get_delay (NULL, shown, 0, T0), ==, 0);
  g_assert_false (_ward_board_pace_is_urgent (shown, value));
  g_assert_cmpint (_ward_board_pace_get_delay (shown, value, T0, T0 + 50000), ==,
                   WARD_BOARD_PACE_INTERVAL_USEC - 50000);
  g_assert_cmpint (_ward_board_pace_get_delay (shown, value, T0, T0 + 999999), ==, 1);
  g_assert_cmpint (_ward_board_pace_get_delay (shown, value, T0, T0 + G_USEC_PER_SEC), ==, 0);
}

/* A score that moves, within its band or out of it, waits for the pace
 * like any value; the flag it raises does not (test_pace_urgent()).
 */
static void
test_pace_scores (void)
{
  g_autoptr(WardSnapshot) shown = make_snapshot (1, 2, 90, 0, NULL);
  g_autoptr(WardSnapshot) moved = make_snapshot (2, 3, 91, 0, NULL);
  g_autoptr(WardSnapshot) banded = make_snapshot (3, 5, 91, 0, NULL);

  g_assert_false (_ward_board_pace_is_urgent (shown, moved));
  g_assert_cmpint (_ward_board_pace_get_delay (shown, moved, T0, T0 + 50000), ==,
                   WARD_BOARD_PACE_INTERVAL_USEC - 50000);
  g_assert_false (_ward_board_pace_is_urgent (moved, banded));
  g_assert_cmpint (_ward_board_pace_get_delay (moved, banded, T0, T0 + 50000), ==,
                   WARD_BOARD_PACE_INTERVAL_USEC - 50000);
}

/* A demo at 120 times real time: ten simulated seconds in 50 ms of the
 * wall clock is shown at once.
 */
static void
test_pace_fast_demo (void)
{
  g_autoptr(WardSnapshot) shown = make_snapshot (1, 2, 90, 0, NULL);
  g_autoptr(WardSnapshot) later = make_snapshot (201, 2, 95, 0, NULL);

  g_assert_false (_ward_board_pace_is_urgent (shown, later));
  g_assert_cmpint (_ward_board_pace_get_delay (shown, later, T0, T0 + 50000), ==, 0);
}

/* A flag raised or acknowledged, a bed that came or went: at the next
 * frame, whatever the pace.
 */
static void
test_pace_urgent (void)
{
  g_autoptr(WardSnapshot) shown = make_snapshot (1, 2, 90, 0, NULL);
  g_autoptr(WardSnapshot) flag = make_snapshot (3, 5, 90, 42, NULL);
  g_autoptr(WardSnapshot) acknowledged = make_snapshot (4, 5, 90, 42, "nurse-1");
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  g_autoptr(WardSnapshot) fewer = NULL;

  g_assert_true (_ward_board_pace_is_urgent (shown, flag));
  g_assert_cmpint (_ward_board_pace_get_delay (shown, flag, T0, T0 + 1000), ==, 0);
  g_assert_true (_ward_board_pace_is_urgent (flag, acknowledged));
  g_assert_false (_ward_board_pace_is_urgent (acknowledged, acknowledged));

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  add_bed (beds, 1, 1, 80);
  fewer = _ward_snapshot_new (NOW, 5, beds, &counters);
  g_assert_true (_ward_board_pace_is_urgent (shown, fewer));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/station/renderer/software-names", test_software_names);
  g_test_add_func ("/station/renderer/choose-under-xvfb", test_choose_under_xvfb);
  g_test_add_func ("/station/pace/ordinary", test_pace_ordinary);
  g_test_add_func ("/station/pace/urgent", test_pace_urgent);
  g_test_add_func ("/station/pace/scores", test_pace_scores);
  g_test_add_func ("/station/pace/fast-demo", test_pace_fast_demo);

  return g_test_run ();
}
