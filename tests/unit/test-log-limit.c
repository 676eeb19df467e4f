/* test-log-limit.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-log-limit"

#include "config.h"

#include <string.h>

#include "ward-log-limit.h"

static GPtrArray *lines;

static void
collect_cb (const char     *log_domain,
            GLogLevelFlags  log_level,
            const char     *message,
            gpointer        user_data)
{
  g_ptr_array_add (lines, g_strdup (message));
}

static void
reset_lines (void)
{
  g_ptr_array_set_size (lines, 0);
}

/* The decision: the first at once, the rest counted until the interval
 * is over, then the count with the next one.  Conditions are apart.
 */
static void
test_check (void)
{
  g_autoptr(WardLogLimit) limit = ward_log_limit_new (60 * G_USEC_PER_SEC);
  guint64 suppressed = 99;

  g_assert_true (ward_log_limit_check (limit, "a", 1000, &suppressed));
  g_assert_cmpuint (suppressed, ==, 0);
  for (guint i = 0; i < 500; i++)
    g_assert_false (ward_log_limit_check (limit, "a", 1000 + i * G_USEC_PER_SEC / 10, NULL));
  /* Another condition is not held back by the first. */
  g_assert_true (ward_log_limit_check (limit, "b", 2000, &suppressed));
  g_assert_cmpuint (suppressed, ==, 0);
  /* Just short of the minute: still held. */
  g_assert_false (ward_log_limit_check (limit, "a", 1000 + 60 * G_USEC_PER_SEC - 1, NULL));
  g_assert_true (ward_log_limit_check (limit, "a", 1000 + 60 * G_USEC_PER_SEC, &suppressed));
  g_assert_cmpuint (suppressed, ==, 501);
  g_assert_cmpuint (ward_log_limit_get_count (limit, "a"), ==, 503);
  g_assert_cmpuint (ward_log_limit_get_count (limit, "b"), ==, 1);
  g_assert_cmpuint (ward_log_limit_get_count (limit, "c"), ==, 0);
  /* The next minute starts from that line. */
  g_assert_false (ward_log_limit_check (limit, "a", 1000 + 61 * G_USEC_PER_SEC, NULL));
}

/* A flood of 100,000 in well under a minute: one line. */
static void
test_flood_one_line (void)
{
  g_autoptr(WardLogLimit) limit = ward_log_limit_new (0);

  g_assert_cmpint (ward_log_limit_get_interval (limit), ==, 60 * G_USEC_PER_SEC);
  reset_lines ();
  for (guint i = 0; i < 100000; i++)
    ward_log_limited (limit, "accept-failed", G_LOG_LEVEL_MESSAGE,
                      "Cannot accept: Too many open files (%u)", i);
  ward_log_limited (limit, "refused", G_LOG_LEVEL_MESSAGE, "Refused one");

  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 0), ==, "Cannot accept: Too many open files (0)");
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==, "Refused one");
}

/* With a short interval: the next line after it carries the count, and
 * flush reports a burst that stopped.
 */
static void
test_count_and_flush (void)
{
  g_autoptr(WardLogLimit) limit = ward_log_limit_new (50 * 1000);

  reset_lines ();
  for (guint i = 0; i < 10; i++)
    ward_log_limited (limit, "x", G_LOG_LEVEL_MESSAGE, "full %u", i);
  g_assert_cmpuint (lines->len, ==, 1);
  g_usleep (60 * 1000);
  ward_log_limited (limit, "x", G_LOG_LEVEL_MESSAGE, "full %u", 10);
  g_assert_cmpuint (lines->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (lines, 1), ==,
                   "full 10 (9 more suppressed in the last 1 s)");

  /* A burst, then nothing: flush before the interval says nothing... */
  for (guint i = 11; i < 15; i++)
    ward_log_limited (limit, "x", G_LOG_LEVEL_MESSAGE, "full %u", i);
  ward_log_limit_flush (limit, g_get_monotonic_time ());
  g_assert_cmpuint (lines->len, ==, 2);
  /* ...after it, the last with the count, once. */
  g_usleep (60 * 1000);
  ward_log_limit_flush (limit, g_get_monotonic_time ());
  g_assert_cmpuint (lines->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (lines, 2), ==,
                   "full 14 (the last of 4 suppressed in the last 1 s)");
  ward_log_limit_flush (limit, g_get_monotonic_time () + G_USEC_PER_SEC);
  g_assert_cmpuint (lines->len, ==, 3);

  /* flush_all does not wait for the interval. */
  ward_log_limited (limit, "y", G_LOG_LEVEL_MESSAGE, "y 1");
  ward_log_limited (limit, "y", G_LOG_LEVEL_MESSAGE, "y 2");
  g_assert_cmpuint (lines->len, ==, 4);
  ward_log_limit_flush_all (limit);
  g_assert_cmpuint (lines->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (lines, 4), ==, "y 2 (the last of 1 suppressed in the last 1 s)");
}

/* Several threads at once: every occurrence counted, one line. */
static gpointer
flood_thread (gpointer data)
{
  WardLogLimit *limit = data;

  for (guint i = 0; i < 20000; i++)
    ward_log_limited (limit, "threads", G_LOG_LEVEL_MESSAGE, "from a thread");
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(WardLogLimit) limit = ward_log_limit_new (0);
  GThread *threads[4];

  reset_lines ();
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("flood", flood_thread, limit);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  g_assert_cmpuint (ward_log_limit_get_count (limit, "threads"), ==, 80000);
  g_assert_cmpuint (lines->len, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lines = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler (G_LOG_DOMAIN, G_LOG_LEVEL_MASK, collect_cb, NULL);

  g_test_add_func ("/core/log-limit/check", test_check);
  g_test_add_func ("/core/log-limit/flood-one-line", test_flood_one_line);
  g_test_add_func ("/core/log-limit/count-and-flush", test_count_and_flush);
  g_test_add_func ("/core/log-limit/threads", test_threads);

  return g_test_run ();
}
