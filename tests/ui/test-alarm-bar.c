/* test-alarm-bar.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-alarm-bar"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "ward-alarm-bar.h"
#include "ward-alarm-bar-private.h"
#include "ward-patient-view.h"
#include "ward-snapshot.h"
#include "ward-window.h"
#include "ward-window-private.h"

/* 2026-11-22T10:00:00Z */
#define NOW (G_GINT64_CONSTANT (1795341600) * G_USEC_PER_SEC)

static WardBedState *
add_bed (GArray *beds)
{
  WardBedState bed = { 0 };
  guint number = beds->len + 1;

  bed.bed_id = g_strdup_printf ("bed-%02u", number);
  bed.bed_label = g_strdup_printf ("Bed %u", number);
  bed.patient_id = g_strdup_printf ("sim-patient-%02u", number);
  bed.patient_name = g_strdup_printf ("Patient Number%u", number);
  bed.patient_initials = g_strdup_printf ("P.N%u", number);
  bed.device_id = g_strdup_printf ("sim-monitor-%02u", number);
  bed.spo2_scale = 1;
  bed.has_score = TRUE;
  bed.score_total = 1;
  bed.score_band = WARD_BAND_LOW;
  bed.score_window_start = NOW - 30 * WARD_USEC_PER_MINUTE;
  bed.score_window_end = NOW;
  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    bed.score_points[i] = 0;

  g_array_append_val (beds, bed);

  return &g_array_index (beds, WardBedState, beds->len - 1);
}

static void
open_flag (WardBedState *bed,
           gint64        flag_id,
           WardBand      band,
           int           total,
           gint64        opened_ago)
{
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->flag_id = flag_id;
  bed->flag_band = band;
  bed->flag_opened_at = NOW - opened_ago;
  bed->score_total = total;
  bed->score_band = band;
}

/* Five beds:
 *   1: medium flag, open 10 min
 *   2: high flag, open 2 min
 *   3: a silent monitor (technical)
 *   4: high flag, open 5 min, acknowledged
 *   5: nothing
 */
static WardSnapshot *
make_snapshot (void)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  WardCounters counters = { 0 };
  WardBedState *bed;

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  open_flag (add_bed (beds), 21, WARD_BAND_MEDIUM, 5, 10 * WARD_USEC_PER_MINUTE);
  open_flag (add_bed (beds), 22, WARD_BAND_HIGH, 8, 2 * WARD_USEC_PER_MINUTE);
  bed = add_bed (beds);
  bed->technical_alert = TRUE;
  bed->technical_alert_since = NOW - 90 * G_USEC_PER_SEC;
  bed->technical_alert_id = 30;
  bed = add_bed (beds);
  open_flag (bed, 24, WARD_BAND_HIGH, 7, 5 * WARD_USEC_PER_MINUTE);
  bed->flag_acknowledged_by = g_strdup ("Sam Carter");
  bed->flag_acknowledged_at = NOW - WARD_USEC_PER_MINUTE;
  add_bed (beds);

  return _ward_snapshot_new (NOW, 1, beds, &counters);
}

static void
iterate_main_loop (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static WardAlarmBar *
create_bar (GtkWindow **window_out)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *bar = ward_alarm_bar_new ();

  gtk_window_set_child (GTK_WINDOW (window), bar);
  gtk_window_present (GTK_WINDOW (window));
  *window_out = GTK_WINDOW (window);

  return WARD_ALARM_BAR (bar);
}

static void
test_alarm_bar_order (void)
{
  g_autoptr(WardSnapshot) snapshot = make_snapshot ();
  static const struct {
    const char *text;
    const char *priority_class;
    gboolean    flashing;
    gboolean    can_ack;
  } expected[] = {
    { "*** No connection to the device broker", "alarm-high", TRUE, FALSE },
    { "*** Bed 4 · P.N4 · NEWS2 7 (high) · flag high", "alarm-high", FALSE, FALSE },
    { "*** Bed 2 · P.N2 · NEWS2 8 (high) · flag high", "alarm-high", TRUE, TRUE },
    { "** Bed 1 · P.N1 · NEWS2 5 (medium) · flag medium", "alarm-medium", TRUE, TRUE },
    { "* Bed 3 · P.N3 · device silent", "alarm-low", FALSE, TRUE },
  };
  GtkWindow *window;
  WardAlarmBar *bar = create_bar (&window);
  const char *patient_id = NULL;

  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 0);

  ward_alarm_bar_update (bar, snapshot, FALSE);
  ward_alarm_bar_set_source_alarm (bar, "No connection to the device broker");
  iterate_main_loop ();

  /* High first, then medium, then low; the oldest first within a
   * priority.  Markers say the priority in text, not only in colour.
   */
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      GtkWidget *entry = _ward_alarm_bar_get_entry (bar, i);

      g_assert_nonnull (entry);
      g_assert_cmpstr (_ward_alarm_bar_get_entry_text (entry), ==, expected[i].text);
      g_assert_true (gtk_widget_has_css_class (entry, expected[i].priority_class));
      g_assert_cmpint (gtk_widget_has_css_class (entry, "flashing"), ==, expected[i].flashing);
      g_assert_cmpint (gtk_widget_get_visible (_ward_alarm_bar_get_entry_ack_button (entry)), ==,
                       expected[i].can_ack);
    }
  g_assert_null (_ward_alarm_bar_get_entry (bar, G_N_ELEMENTS (expected)));

  /* An acknowledged flag stays, steady, saying who acknowledged it. */
  g_assert_true (gtk_widget_has_css_class (_ward_alarm_bar_get_entry (bar, 1), "acknowledged"));

  /* Screen readers hear the priority in words. */
  gtk_test_accessible_assert_property (_ward_alarm_bar_get_entry_open_button (_ward_alarm_bar_get_entry (bar, 2)),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "High priority alarm: *** Bed 2 · P.N2 · NEWS2 8 (high) · flag high, "
                                       "open 2 min, not acknowledged");

  /* The top alarm to acknowledge skips the acknowledged one. */
  g_assert_cmpint (ward_alarm_bar_get_top_unacknowledged (bar, &patient_id), ==, 22);
  g_assert_cmpstr (patient_id, ==, "sim-patient-02");

  /* The same alarms again keep their widgets. */
  {
    GtkWidget *entry = _ward_alarm_bar_get_entry (bar, 2);

    ward_alarm_bar_update (bar, snapshot, TRUE);
    g_assert_true (_ward_alarm_bar_get_entry (bar, 2) == entry);
    g_assert_cmpstr (_ward_alarm_bar_get_entry_text (entry), ==,
                     "*** Bed 2 · Patient Number2 · NEWS2 8 (high) · flag high");
  }

  ward_alarm_bar_set_source_alarm (bar, NULL);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, G_N_ELEMENTS (expected) - 1);
  ward_alarm_bar_update (bar, NULL, FALSE);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 0);

  gtk_window_destroy (window);
}

/* No flashing without animations; colour and marker stay. */
static void
test_alarm_bar_no_animations (void)
{
  g_autoptr(WardSnapshot) snapshot = make_snapshot ();
  GtkSettings *settings = gtk_settings_get_default ();
  GtkWindow *window;
  WardAlarmBar *bar = create_bar (&window);
  GtkWidget *entry;

  ward_alarm_bar_update (bar, snapshot, FALSE);
  entry = _ward_alarm_bar_get_entry (bar, 1);
  g_assert_true (gtk_widget_has_css_class (entry, "flashing"));

  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);
  g_assert_false (gtk_widget_has_css_class (entry, "flashing"));
  g_assert_true (gtk_widget_has_css_class (entry, "alarm-high"));
  g_assert_true (g_str_has_prefix (_ward_alarm_bar_get_entry_text (entry), "*** "));

  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);
  g_assert_true (gtk_widget_has_css_class (entry, "flashing"));

  gtk_window_destroy (window);
}

static void
parsing_error_cb (GtkCssProvider *provider,
                  GtkCssSection  *section,
                  const GError   *error,
                  gpointer        user_data)
{
  g_autofree char *where = gtk_css_section_to_string (section);

  g_error ("style.css: %s: %s", where, error->message);
}

/* The background colour of the rule whose selector is exactly @selector
 * (spaces as written), or NULL.
 */
static char *
get_rule_background (const char *css,
                     const char *selector)
{
  g_autoptr(GRegex) rule = g_regex_new ("([^{}]+)\\{([^{}]*)\\}", 0, 0, NULL);
  g_autoptr(GRegex) background = g_regex_new ("background-color:\\s*([^;]+);", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  char *found = NULL;

  g_regex_match (rule, css, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *head = g_match_info_fetch (match, 1);
      g_autofree char *body = g_match_info_fetch (match, 2);
      g_autoptr(GMatchInfo) b = NULL;

      /* The rule's head follows the comment before it, if any. */
      if (strstr (head, "*/") != NULL)
        memmove (head, strstr (head, "*/") + 2, strlen (strstr (head, "*/") + 2) + 1);
      g_strstrip (head);
      if (g_str_equal (head, selector) && g_regex_match (background, body, 0, &b))
        {
          g_free (found);
          found = g_match_info_fetch (b, 1);
        }
      g_match_info_next (match, NULL);
    }

  return found;
}

/* The rates are within IEC 60601-1-8's ranges; the dim half of high and
 * medium alarms has a colour of its own in the CSS the application loads
 * (data/style.css, compiled into the resource), and no CSS animation
 * runs the frame clock.
 */
static void
test_alarm_bar_flash_rates (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  static const char * const dim_rules[] = {
    "alarmbar .alarm.alarm-high.flashing.flash-dim",
    "alarmbar .alarm.alarm-medium.flashing.flash-dim",
    "window.night alarmbar .alarm.alarm-high.flashing.flash-dim",
    "window.night alarmbar .alarm.alarm-medium.flashing.flash-dim",
  };
  const char *css;
  double high, medium;

  bytes = g_resources_lookup_data ("/io/github/wardwatch/Wardwatch/style.css", 0, NULL);
  g_assert_nonnull (bytes);
  css = g_bytes_get_data (bytes, NULL);

  /* It parses without errors. */
  g_signal_connect (provider, "parsing-error", G_CALLBACK (parsing_error_cb), NULL);
  gtk_css_provider_load_from_data (provider, css, g_bytes_get_size (bytes));

  high = 1000.0 / _ward_alarm_bar_get_flash_period_msec (WARD_ALARM_PRIORITY_HIGH);
  medium = 1000.0 / _ward_alarm_bar_get_flash_period_msec (WARD_ALARM_PRIORITY_MEDIUM);
  g_test_message ("high %.2f Hz, medium %.2f Hz", high, medium);
  g_assert_cmpfloat (high, >=, 1.4);
  g_assert_cmpfloat (high, <=, 2.8);
  g_assert_cmpfloat (medium, >=, 0.4);
  g_assert_cmpfloat (medium, <=, 0.8);
  /* Low priority is steady. */
  g_assert_cmpuint (_ward_alarm_bar_get_flash_period_msec (WARD_ALARM_PRIORITY_LOW), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (dim_rules); i++)
    {
      g_autofree char *dim = get_rule_background (css, dim_rules[i]);
      g_autofree char *steady = NULL;
      g_autofree char *selector = g_strndup (dim_rules[i],
                                             strlen (dim_rules[i]) - strlen (".flashing.flash-dim"));

      steady = get_rule_background (css, selector);
      g_test_message ("%s: %s, dim %s", selector, steady, dim);
      g_assert_nonnull (dim);
      g_assert_nonnull (steady);
      g_assert_cmpstr (dim, !=, steady);
    }
  g_assert_null (get_rule_background (css, "alarmbar .alarm.alarm-low.flashing.flash-dim"));
  g_assert_null (strstr (css, "animation-name"));
}

static void
count_frame_cb (GdkFrameClock *clock,
                guint         *n_frames)
{
  (*n_frames)++;
}

/* A flashing alarm flips between its bright and dim halves at its rate,
 * all entries of one priority in step, and the window draws a frame per
 * flip, not sixty a second.  An acknowledged alarm stays steady.
 */
static void
test_alarm_bar_flash_timer (void)
{
  g_autoptr(WardSnapshot) snapshot = make_snapshot ();
  GtkWindow *window;
  WardAlarmBar *bar = create_bar (&window);
  GtkWidget *high, *medium, *acknowledged;
  GdkFrameClock *clock;
  gboolean seen_dim[2] = { FALSE, FALSE };
  gboolean seen_bright[2] = { FALSE, FALSE };
  guint flips = 0;
  guint n_frames = 0;
  gboolean last_high_dim;
  gulong handler;
  gint64 start, end;

  ward_alarm_bar_update (bar, snapshot, FALSE);
  high = medium = acknowledged = NULL;
  for (guint i = 0; _ward_alarm_bar_get_entry (bar, i) != NULL; i++)
    {
      GtkWidget *entry = _ward_alarm_bar_get_entry (bar, i);

      if (gtk_widget_has_css_class (entry, "acknowledged"))
        acknowledged = entry;
      else if (gtk_widget_has_css_class (entry, "alarm-medium"))
        medium = entry;
      else if (gtk_widget_has_css_class (entry, "alarm-high") &&
               !gtk_widget_has_css_class (entry, "technical"))
        high = entry;
    }
  g_assert_nonnull (high);
  g_assert_true (gtk_widget_has_css_class (high, "flashing"));
  g_assert_true (gtk_widget_has_css_class (medium, "flashing"));
  g_assert_false (gtk_widget_has_css_class (acknowledged, "flashing"));
  g_assert_nonnull (medium);
  g_assert_nonnull (acknowledged);

  while (!gtk_widget_get_mapped (GTK_WIDGET (bar)))
    g_main_context_iteration (NULL, TRUE);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame_cb), &n_frames);

  /* Two seconds: four high periods, more than one medium period. */
  last_high_dim = gtk_widget_has_css_class (high, "flash-dim");
  start = g_get_monotonic_time ();
  end = start + 2 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end)
    {
      gboolean high_dim, medium_dim;

      g_main_context_iteration (NULL, TRUE);
      high_dim = gtk_widget_has_css_class (high, "flash-dim");
      medium_dim = gtk_widget_has_css_class (medium, "flash-dim");
      seen_dim[0] |= high_dim;
      seen_bright[0] |= !high_dim;
      seen_dim[1] |= medium_dim;
      seen_bright[1] |= !medium_dim;
      flips += high_dim != last_high_dim;
      last_high_dim = high_dim;
      g_assert_false (gtk_widget_has_css_class (acknowledged, "flash-dim"));
    }
  g_signal_handler_disconnect (clock, handler);
  end = g_get_monotonic_time ();

  g_test_message ("%u flips of the high alarm and %u frames in 2 s", flips, n_frames);
  g_assert_true (seen_dim[0] && seen_bright[0]);
  g_assert_true (seen_dim[1] && seen_bright[1]);
  /* 2 Hz: a flip every 250 ms; a loaded machine may run late, never early. */
  g_assert_cmpuint (flips, >=, 2);
  g_assert_cmpuint (flips, <=, (end - start) / 250000 + 1);
  /* A frame or two per flip (the medium's too), not 60 a second. */
  g_assert_cmpuint (n_frames, <=, 40);

  /* Without animations nothing is dim, and no timer is left. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
  g_assert_false (gtk_widget_has_css_class (high, "flash-dim"));
  g_assert_false (gtk_widget_has_css_class (medium, "flash-dim"));
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", TRUE, NULL);

  gtk_window_destroy (window);
}

typedef struct
{
  char   *patient_id;
  gint64  flag_id;
} Received;

static void
open_patient_cb (WardAlarmBar *bar,
                 const char   *patient_id,
                 Received     *received)
{
  g_free (received->patient_id);
  received->patient_id = g_strdup (patient_id);
}

static void
acknowledge_cb (WardAlarmBar *bar,
                gint64        flag_id,
                const char   *patient_id,
                Received     *received)
{
  received->flag_id = flag_id;
  g_free (received->patient_id);
  received->patient_id = g_strdup (patient_id);
}

/* What a click does, for a button the user can see and use. */
static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Runs the main loop until the window has been laid out at its size and
 * the "+N more" button has followed that layout.
 */
static void
settle (GtkWindow *window G_GNUC_UNUSED)
{
  gint64 end = g_get_monotonic_time () + 500 * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE);
}

/* Twelve high flags, the bar 1280 px wide: the entries shown are whole,
 * the others (the last in priority order) are counted on "+N more",
 * whose popover lists them and opens their patient; with two alarms
 * left, both show and the button goes.
 */
static void
test_alarm_bar_overflow (void)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  g_autoptr(WardSnapshot) snapshot = NULL;
  WardCounters counters = { 0 };
  Received received = { 0 };
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  WardAlarmBar *bar = WARD_ALARM_BAR (ward_alarm_bar_new ());
  GtkWidget *more = _ward_alarm_bar_get_more_button (bar);
  g_autofree char *expected = NULL;
  GtkWidget *popover;
  GtkWidget *row;
  guint n_shown = 0;
  guint n_hidden = 0;
  guint n_rows = 0;
  int bar_width;

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  for (guint i = 0; i < 12; i++)
    open_flag (add_bed (beds), 100 + i, WARD_BAND_HIGH, 7 + (int) i % 3,
               (gint64) (i + 1) * WARD_USEC_PER_MINUTE);
  snapshot = _ward_snapshot_new (NOW, 1, beds, &counters);
  g_signal_connect (bar, "open-patient", G_CALLBACK (open_patient_cb), &received);

  /* As wide as the test's screen. */
  gtk_window_set_default_size (window, 1280, -1);
  gtk_window_set_child (window, GTK_WIDGET (bar));
  gtk_window_present (window);
  ward_alarm_bar_update (bar, snapshot, FALSE);
  settle (window);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 12);

  bar_width = gtk_widget_get_width (GTK_WIDGET (bar));
  g_assert_cmpint (bar_width, <=, 1280);
  for (guint i = 0; i < 12; i++)
    {
      GtkWidget *entry = _ward_alarm_bar_get_entry (bar, i);
      graphene_rect_t bounds;

      if (!gtk_widget_get_child_visible (entry))
        {
          n_hidden++;
          continue;
        }
      /* Hidden ones are the last: no entry shown after one left out. */
      g_assert_cmpuint (n_hidden, ==, 0);
      n_shown++;
      g_assert_true (gtk_widget_compute_bounds (entry, GTK_WIDGET (bar), &bounds));
      g_assert_cmpfloat (bounds.origin.x, >=, 0);
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, bar_width);
      /* Whole: as wide as it asks to be. */
      {
        int natural;

        gtk_widget_measure (entry, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
        g_assert_cmpint ((int) bounds.size.width, ==, natural);
      }
    }
  g_test_message ("%u entries shown, %u counted", n_shown, n_hidden);
  g_assert_cmpuint (n_shown, >=, 1);
  g_assert_cmpuint (n_hidden, >=, 1);

  /* The button says how many, is itself on screen, and lists them. */
  g_assert_true (gtk_widget_is_visible (more));
  expected = g_strdup_printf ("+%u more", n_hidden);
  g_assert_cmpstr (gtk_menu_button_get_label (GTK_MENU_BUTTON (more)), ==, expected);
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (more, GTK_WIDGET (bar), &bounds));
    g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, bar_width);
  }
  popover = GTK_WIDGET (gtk_menu_button_get_popover (GTK_MENU_BUTTON (more)));
  row = gtk_widget_get_first_child (gtk_popover_get_child (GTK_POPOVER (popover)));
  for (GtkWidget *r = row; r != NULL; r = gtk_widget_get_next_sibling (r))
    n_rows++;
  g_assert_cmpuint (n_rows, ==, n_hidden);
  gtk_menu_button_popup (GTK_MENU_BUTTON (more));
  settle (window);
  click (row);
  /* The first row is the first entry left out: it opens that patient. */
  {
    const char *title = _ward_alarm_bar_get_entry_text (_ward_alarm_bar_get_entry (bar, n_shown));
    g_autofree char *bed = NULL;

    g_assert_nonnull (received.patient_id);
    g_assert_true (g_str_has_prefix (received.patient_id, "sim-patient-"));
    bed = g_strdup_printf ("Bed %u ·", (guint) g_ascii_strtoull (received.patient_id + 12, NULL, 10));
    g_assert_nonnull (strstr (title, bed));
  }

  /* Two alarms left: room for both, no button. */
  g_array_set_size (beds, 2);
  g_clear_pointer (&snapshot, ward_snapshot_unref);
  snapshot = _ward_snapshot_new (NOW + G_USEC_PER_SEC, 2, beds, &counters);
  ward_alarm_bar_update (bar, snapshot, FALSE);
  settle (window);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 2);
  for (guint i = 0; i < 2; i++)
    g_assert_true (gtk_widget_get_child_visible (_ward_alarm_bar_get_entry (bar, i)));
  g_assert_false (gtk_widget_get_visible (more));

  g_free (received.patient_id);
  gtk_window_destroy (window);
}

static void
test_alarm_bar_click (void)
{
  g_autoptr(WardSnapshot) snapshot = make_snapshot ();
  GtkWindow *window;
  WardAlarmBar *bar = create_bar (&window);
  Received received = { 0 };

  g_signal_connect (bar, "open-patient", G_CALLBACK (open_patient_cb), &received);
  g_signal_connect (bar, "acknowledge", G_CALLBACK (acknowledge_cb), &received);

  ward_alarm_bar_update (bar, snapshot, FALSE);

  /* One click on an alarm opens its patient. */
  click (_ward_alarm_bar_get_entry_open_button (_ward_alarm_bar_get_entry (bar, 2)));
  g_assert_cmpstr (received.patient_id, ==, "sim-patient-01");
  g_assert_cmpint (received.flag_id, ==, 0);

  click (_ward_alarm_bar_get_entry_ack_button (_ward_alarm_bar_get_entry (bar, 1)));
  g_assert_cmpint (received.flag_id, ==, 22);
  g_assert_cmpstr (received.patient_id, ==, "sim-patient-02");

  /* The keyboard reaches the first alarm. */
  g_assert_true (ward_alarm_bar_focus_first (bar));
  g_assert_true (gtk_widget_has_focus (_ward_alarm_bar_get_entry_open_button (_ward_alarm_bar_get_entry (bar, 0))));

  g_free (received.patient_id);
  gtk_window_destroy (window);
}

static void
apply_snapshot (WardWindow   *window,
                WardSnapshot *snapshot)
{
  ward_window_apply_snapshot (window, snapshot);
  while (_ward_window_has_pending_snapshot (window))
    g_main_context_iteration (NULL, TRUE);
  iterate_main_loop ();
}

/* In the window: the bar opens the patient page, Escape goes back. */
static void
test_alarm_bar_window (void)
{
  g_autoptr(WardSnapshot) snapshot = make_snapshot ();
  WardWindow *window = ward_window_new (NULL);
  GtkStack *stack = GTK_STACK (gtk_widget_get_template_child (GTK_WIDGET (window), WARD_TYPE_WINDOW, "stack"));
  WardPatientView *view = WARD_PATIENT_VIEW (gtk_widget_get_template_child (GTK_WIDGET (window),
                                                                            WARD_TYPE_WINDOW,
                                                                            "patient_view"));
  WardAlarmBar *bar = _ward_window_get_alarm_bar (window);

  gtk_window_present (GTK_WINDOW (window));
  apply_snapshot (window, snapshot);
  g_assert_cmpuint (ward_alarm_bar_get_n_alarms (bar), ==, 4);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "beds");

  click (_ward_alarm_bar_get_entry_open_button (_ward_alarm_bar_get_entry (bar, 1)));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "patient");
  g_assert_cmpstr (ward_patient_view_get_patient (view), ==, "sim-patient-02");

  /* The focus-alarms and show-board actions are the F6 and Escape keys. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-board", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "beds");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.focus-alarms", NULL));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The colour the widget draws at (x, y), as the window renders it. */
static void
sample_pixel (GtkWidget *widget,
              int        x,
              int        y,
              guint     *red,
              guint     *green,
              guint     *blue)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  guint32 pixel;

  g_assert_cmpint (width, >, x);
  g_assert_cmpint (height, >, y);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  data = g_malloc (width * height * 4);
  gdk_texture_download (texture, data, width * 4);

  /* CAIRO_FORMAT_ARGB32, native-endian words. */
  memcpy (&pixel, data + (y * width + x) * 4, sizeof pixel);
  *red = (pixel >> 16) & 0xff;
  *green = (pixel >> 8) & 0xff;
  *blue = pixel & 0xff;
}

static gboolean
is_red (guint red,
        guint green,
        guint blue)
{
  return red > green + 60 && red > blue + 60;
}

static void
wait_for_layout (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (gtk_widget_get_width (widget) == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  iterate_main_loop ();
}

/* A flag whose score fell back (recovering) says so, and is not flashed
 * red: it keeps its marker and stays steady, outlined rather than filled.
 * When the score rises again it is an alarm again.
 */
static void
test_alarm_bar_recovering (void)
{
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardBedState));
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
  g_autoptr(WardSnapshot) recovering = NULL;
  g_autoptr(WardSnapshot) drawn = NULL;
  g_autoptr(WardSnapshot) worse_again = NULL;
  GtkSettings *settings = gtk_settings_get_default ();
  WardCounters counters = { 0 };
  WardBedState *bed;
  GtkWindow *window;
  WardAlarmBar *bar;
  GtkWidget *entry;
  guint red, green, blue;

  /* The shipped style, as the application loads it. */
  gtk_css_provider_load_from_resource (provider, "/io/github/wardwatch/Wardwatch/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);
  /* Bed 1: high flag, NEWS2 now 3; bed 2: high flag, NEWS2 8, for
   * comparison; bed 3: medium flag, NEWS2 5.
   */
  bed = add_bed (beds);
  open_flag (bed, 31, WARD_BAND_HIGH, 3, 40 * WARD_USEC_PER_MINUTE);
  bed->score_band = WARD_BAND_LOW;
  bed->flag_state = WARD_FLAG_STATE_RECOVERING;
  bed->flag_pending_at = NOW + 8 * WARD_USEC_PER_MINUTE;
  open_flag (add_bed (beds), 32, WARD_BAND_HIGH, 8, 30 * WARD_USEC_PER_MINUTE);
  open_flag (add_bed (beds), 33, WARD_BAND_MEDIUM, 5, 10 * WARD_USEC_PER_MINUTE);
  recovering = _ward_snapshot_new (NOW, 1, beds, &counters);

  /* As wide as the test's screen: the bar shows only whole entries. */
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (window, 1280, -1);
  bar = WARD_ALARM_BAR (ward_alarm_bar_new ());
  gtk_window_set_child (window, GTK_WIDGET (bar));
  gtk_window_present (window);
  ward_alarm_bar_update (bar, recovering, FALSE);

  /* The patients who are not better come first, the medium one too,
   * although the recovering flag is high and older; the recovering one
   * says it recovers, with the score now and when the flag closes.
   */
  entry = _ward_alarm_bar_get_entry (bar, 0);
  g_assert_cmpstr (_ward_alarm_bar_get_entry_text (entry), ==,
                   "*** Bed 2 · P.N2 · NEWS2 8 (high) · flag high");
  g_assert_true (gtk_widget_has_css_class (entry, "flashing"));
  g_assert_false (gtk_widget_has_css_class (entry, "recovering"));
  g_assert_cmpstr (_ward_alarm_bar_get_entry_text (_ward_alarm_bar_get_entry (bar, 1)), ==,
                   "** Bed 3 · P.N3 · NEWS2 5 (medium) · flag medium");
  /* The top alarm to acknowledge is one whose condition lasts. */
  g_assert_cmpint (ward_alarm_bar_get_top_unacknowledged (bar, NULL), ==, 32);

  entry = _ward_alarm_bar_get_entry (bar, 2);
  g_assert_cmpstr (_ward_alarm_bar_get_entry_text (entry), ==,
                   "*** Bed 1 · P.N1 · flag high · recovering, NEWS2 now 3 (low)");
  g_assert_true (gtk_widget_has_css_class (entry, "alarm-high"));
  g_assert_true (gtk_widget_has_css_class (entry, "recovering"));
  g_assert_false (gtk_widget_has_css_class (entry, "flashing"));
  gtk_test_accessible_assert_property (_ward_alarm_bar_get_entry_open_button (entry),
                                       GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "High priority alarm: *** Bed 1 · P.N1 · flag high · recovering, "
                                       "NEWS2 now 3 (low), open 40 min, closes in 8 min if NEWS2 stays "
                                       "this low, not acknowledged");
  /* Still a flag to acknowledge. */
  g_assert_true (gtk_widget_get_visible (_ward_alarm_bar_get_entry_ack_button (entry)));

  /* As drawn: the active high alarm is red (steady without animations,
   * so that the sample does not catch a flash), the recovering one is not.
   */
  g_object_set (settings, "gtk-enable-animations", FALSE, NULL);
  /* Without bed 3's medium flag, both entries are on screen. */
  g_array_index (beds, WardBedState, 2).flag_state = WARD_FLAG_STATE_NONE;
  drawn = _ward_snapshot_new (NOW, 1, beds, &counters);
  ward_alarm_bar_update (bar, drawn, FALSE);
  entry = _ward_alarm_bar_get_entry (bar, 1);
  g_assert_true (g_str_has_prefix (_ward_alarm_bar_get_entry_text (entry), "*** Bed 1 "));
  wait_for_layout (entry);
  sample_pixel (_ward_alarm_bar_get_entry (bar, 0), 12, 1, &red, &green, &blue);
  g_assert_true (is_red (red, green, blue));
  sample_pixel (entry, 12, 4, &red, &green, &blue);
  g_test_message ("recovering entry drawn as #%02x%02x%02x inside", red, green, blue);
  g_assert_false (is_red (red, green, blue));
  /* Its edge keeps the priority's colour. */
  sample_pixel (entry, 12, 1, &red, &green, &blue);
  g_assert_true (is_red (red, green, blue));
  g_object_set (settings, "gtk-enable-animations", TRUE, NULL);

  /* The score rises again: the same flag is an alarm again. */
  bed = &g_array_index (beds, WardBedState, 0);
  bed->flag_state = WARD_FLAG_STATE_OPEN;
  bed->score_total = 7;
  bed->score_band = WARD_BAND_HIGH;
  bed->flag_pending_at = 0;
  worse_again = _ward_snapshot_new (NOW + G_USEC_PER_SEC, 2, beds, &counters);
  ward_alarm_bar_update (bar, worse_again, FALSE);
  /* First again: high, and it has waited longest. */
  entry = _ward_alarm_bar_get_entry (bar, 0);
  g_assert_cmpstr (_ward_alarm_bar_get_entry_text (entry), ==,
                   "*** Bed 1 · P.N1 · NEWS2 7 (high) · flag high");
  g_assert_true (gtk_widget_has_css_class (entry, "flashing"));
  g_assert_false (gtk_widget_has_css_class (entry, "recovering"));

  gtk_window_destroy (window);
  gtk_style_context_remove_provider_for_display (gdk_display_get_default (),
                                                 GTK_STYLE_PROVIDER (provider));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/alarm-bar/order", test_alarm_bar_order);
  g_test_add_func ("/ui/alarm-bar/no-animations", test_alarm_bar_no_animations);
  g_test_add_func ("/ui/alarm-bar/flash-rates", test_alarm_bar_flash_rates);
  g_test_add_func ("/ui/alarm-bar/flash-timer", test_alarm_bar_flash_timer);
  g_test_add_func ("/ui/alarm-bar/click", test_alarm_bar_click);
  g_test_add_func ("/ui/alarm-bar/window", test_alarm_bar_window);
  g_test_add_func ("/ui/alarm-bar/recovering", test_alarm_bar_recovering);
  g_test_add_func ("/ui/alarm-bar/overflow", test_alarm_bar_overflow);

  return g_test_run ();
}
