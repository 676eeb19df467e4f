/* test-kiosk-guard.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-kiosk-guard"

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-kiosk-guard.h"
#include "ward-pin.h"
#include "ward-policy.h"
#include "ward-store-kiosk.h"
#include "ward-store-staff.h"

/* The kiosk's guard on its own clock: which PINs open it, how five wrong
 * ones lock it for a minute and when that minute is over, and when the
 * auto-lock falls due; the store's copy of the lockout.  No display.
 */

#define SEC G_GINT64_CONSTANT (1000000)

static WardKioskGuard *
new_demo_guard (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new_demo (&error);

  g_assert_no_error (error);
  return ward_kiosk_guard_new (staff, NULL);
}

static void
test_staff_pin (void)
{
  g_autoptr(WardKioskGuard) guard = new_demo_guard ();
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_kiosk_guard_has_pin (guard));
  g_assert_true (ward_kiosk_guard_uses_staff (guard));

  /* Each member's own PIN, not another's. */
  g_assert_true (ward_kiosk_guard_check (guard, "ada.nwosu", "1111", 1000, &error));
  g_assert_no_error (error);
  g_assert_true (ward_kiosk_guard_check (guard, "chloe.martin", "3333", 1000, &error));
  g_assert_no_error (error);
  g_assert_false (ward_kiosk_guard_check (guard, "ada.nwosu", "3333", 1000, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_WRONG_PIN);
  g_assert_nonnull (strstr (error->message, "4 more wrong tries"));
  g_clear_error (&error);

  /* Nobody on the list, and no ward PIN to fall back on. */
  g_assert_false (ward_kiosk_guard_check (guard, "nobody", "1111", 1000, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_NO_PIN);
  g_clear_error (&error);
  g_assert_false (ward_kiosk_guard_check (guard, NULL, "1111", 1000, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_NO_PIN);
  g_clear_error (&error);

  /* Neither counted as a wrong PIN: only the one above. */
  g_assert_cmpuint (ward_kiosk_guard_get_failures (guard), ==, 1);
  /* A right PIN starts the count again. */
  g_assert_true (ward_kiosk_guard_check (guard, "ben.carter", "2222", 1000, &error));
  g_assert_cmpuint (ward_kiosk_guard_get_failures (guard), ==, 0);
}

static void
test_ward_pin (void)
{
  g_autoptr(WardKioskGuard) guard = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = ward_pin_hash ("482916", WARD_PIN_MIN_ITERATIONS, &error);

  g_assert_no_error (error);

  /* No staff list and no ward PIN: nobody could ever leave the kiosk. */
  guard = ward_kiosk_guard_new (staff, NULL);
  g_assert_false (ward_kiosk_guard_has_pin (guard));
  g_clear_object (&guard);

  guard = ward_kiosk_guard_new (staff, hash);
  g_assert_true (ward_kiosk_guard_has_pin (guard));
  g_assert_false (ward_kiosk_guard_uses_staff (guard));
  g_assert_false (ward_kiosk_guard_check (guard, NULL, "482917", 0, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_WRONG_PIN);
  g_clear_error (&error);
  g_assert_true (ward_kiosk_guard_check (guard, NULL, "482916", 0, &error));
  g_assert_no_error (error);
}

static void
test_lockout (void)
{
  g_autoptr(WardKioskGuard) guard = new_demo_guard ();
  g_autoptr(GError) error = NULL;
  gint64 now = 500 * SEC;

  for (guint i = 1; i < WARD_KIOSK_MAX_FAILURES; i++)
    {
      g_assert_false (ward_kiosk_guard_check (guard, "ada.nwosu", "9999", now, &error));
      g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_WRONG_PIN);
      g_clear_error (&error);
      g_assert_cmpint (ward_kiosk_guard_get_locked_until (guard, now), ==, 0);
      now += SEC;
    }

  /* The fifth wrong PIN, from anyone, locks the prompt for 60 s. */
  g_assert_false (ward_kiosk_guard_check (guard, "ben.carter", "9999", now, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "60 seconds"));
  g_clear_error (&error);
  g_assert_cmpint (ward_kiosk_guard_get_locked_until (guard, now), ==, now + 60 * SEC);

  /* Locked, even the right PIN is not checked, and the wait is said. */
  g_assert_false (ward_kiosk_guard_check (guard, "ada.nwosu", "1111", now + 18 * SEC, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "42 seconds"));
  g_clear_error (&error);
  g_assert_false (ward_kiosk_guard_check (guard, "ada.nwosu", "1111", now + 60 * SEC - 1, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "1 second."));
  g_clear_error (&error);

  /* After the minute, a fresh count: one wrong PIN does not lock again. */
  now += 60 * SEC;
  g_assert_cmpint (ward_kiosk_guard_get_locked_until (guard, now), ==, 0);
  g_assert_false (ward_kiosk_guard_check (guard, "ada.nwosu", "9999", now, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_WRONG_PIN);
  g_clear_error (&error);
  g_assert_cmpuint (ward_kiosk_guard_get_failures (guard), ==, 1);
  g_assert_true (ward_kiosk_guard_check (guard, "ada.nwosu", "1111", now, &error));
  g_assert_no_error (error);
}

static void
count_cb (WardKioskGuard *guard,
          guint          *count)
{
  (*count)++;
}

/* What the kiosk keeps across a restart: each change of the count or the
 * lockout is signalled, and a restored lockout refuses every PIN until
 * its end, as the original did.
 */
static void
test_lockout_restore (void)
{
  g_autoptr(WardKioskGuard) guard = new_demo_guard ();
  g_autoptr(WardKioskGuard) again = new_demo_guard ();
  g_autoptr(GError) error = NULL;
  gint64 now = 500 * SEC;
  guint changes = 0;

  g_signal_connect (guard, "lockout-changed", G_CALLBACK (count_cb), &changes);
  g_assert_false (ward_kiosk_guard_check (guard, "ada.nwosu", "9999", now, &error));
  g_clear_error (&error);
  g_assert_cmpuint (changes, ==, 1);
  /* The right PIN clears the count: a change. */
  g_assert_true (ward_kiosk_guard_check (guard, "ada.nwosu", "1111", now, &error));
  g_assert_cmpuint (changes, ==, 2);
  g_assert_cmpuint (ward_kiosk_guard_get_failures (guard), ==, 0);
  /* The right PIN again: nothing changed, nothing to write. */
  g_assert_true (ward_kiosk_guard_check (guard, "ada.nwosu", "1111", now, &error));
  g_assert_cmpuint (changes, ==, 2);

  /* Four wrong PINs kept: the next wrong one locks. */
  ward_kiosk_guard_restore (again, 4, 0);
  g_assert_false (ward_kiosk_guard_check (again, "ada.nwosu", "9999", now, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpint (ward_kiosk_guard_get_raw_locked_until (again), ==, now + 60 * SEC);

  /* A lockout kept until now + 30 s. */
  ward_kiosk_guard_restore (again, 0, now + 30 * SEC);
  g_assert_cmpint (ward_kiosk_guard_get_locked_until (again, now), ==, now + 30 * SEC);
  g_assert_false (ward_kiosk_guard_check (again, "ada.nwosu", "1111", now + 29 * SEC, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_true (ward_kiosk_guard_check (again, "ada.nwosu", "1111", now + 30 * SEC, &error));
  g_assert_no_error (error);

  /* A count past the limit without a lockout is one short of it. */
  ward_kiosk_guard_restore (again, 99, 0);
  g_assert_cmpuint (ward_kiosk_guard_get_failures (again), ==, WARD_KIOSK_MAX_FAILURES - 1);
}

/* The store keeps the kiosk's count apart from every staff member's. */
static void
test_lockout_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-kiosk-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autoptr(WardStore) store = NULL;
  gint64 until = -1;
  guint failures = 99;

  g_assert_no_error (error);
  store = ward_store_open (path, &error);
  g_assert_no_error (error);

  g_assert_true (ward_store_get_kiosk_lockout (store, &failures, &until, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpint (until, ==, 0);

  /* Three wrong PINs, then the fifth locks: the row is overwritten. */
  g_assert_true (ward_store_set_kiosk_lockout (store, 3, 0, 1000 * SEC, &error));
  g_assert_no_error (error);
  g_assert_true (ward_store_set_kiosk_lockout (store, 5, 1234 * SEC, 1174 * SEC, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Read back through a new connection, as after a restart. */
  store = ward_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ward_store_get_kiosk_lockout (store, &failures, &until, &error));
  g_assert_cmpuint (failures, ==, 5);
  g_assert_cmpint (until, ==, 1234 * SEC);
  /* A staff member's own lockout is another row. */
  g_assert_true (ward_store_get_pin_lock (store, "ada.nwosu", 1200 * SEC, &until, &error));
  g_assert_cmpint (until, ==, 0);
  g_clear_object (&store);

  for (guint i = 0; i < 3; i++)
    {
      static const char *suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      g_unlink (file);
    }
  g_rmdir (dir);
}

static void
test_idle (void)
{
  g_autoptr(WardKioskGuard) guard = new_demo_guard ();
  gint64 now = 1000 * SEC;

  g_assert_cmpuint (ward_kiosk_guard_get_auto_lock_seconds (guard), ==, 300);
  ward_kiosk_guard_touch (guard, now);
  g_assert_false (ward_kiosk_guard_idle_expired (guard, now + 299 * SEC));
  /* Input at 4 minutes starts the five minutes again. */
  ward_kiosk_guard_touch (guard, now + 240 * SEC);
  g_assert_false (ward_kiosk_guard_idle_expired (guard, now + 300 * SEC));
  g_assert_false (ward_kiosk_guard_idle_expired (guard, now + 539 * SEC));
  g_assert_true (ward_kiosk_guard_idle_expired (guard, now + 540 * SEC));

  /* 0: never. */
  ward_kiosk_guard_set_auto_lock_seconds (guard, 0);
  g_assert_false (ward_kiosk_guard_idle_expired (guard, now + 100000 * SEC));
}

static void
test_policy (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = ward_pin_hash ("482916", WARD_PIN_MIN_ITERATIONS, &error);
  g_autofree char *good = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_auto(WardKioskPolicy) policy = { 0 };
  WardEngineConfig config;
  static const char *bad[] = {
    "{\"kiosk\": {\"pin\": \"1234\"}}",
    "{\"kiosk\": {\"pin_hash\": \"1234\"}}",
    "{\"kiosk\": {\"pin_hash\": 1234}}",
    "{\"kiosk\": {\"auto_lock_minutes\": -1}}",
    "{\"kiosk\": {\"auto_lock_minutes\": \"5\"}}",
    "{\"kiosk\": {\"auto_lock_minutes\": 721}}",
    "{\"kiosk\": []}",
  };

  g_assert_no_error (error);
  good = g_strdup_printf ("{\"kiosk\": {\"pin_hash\": \"%s\", \"auto_lock_minutes\": 2.5}}", hash);

  /* The pipeline's reader takes the kiosk object and refuses a bad one,
   * naming the key, as it does for the rest of the file.
   */
  ward_engine_config_init (&config);
  g_assert_true (ward_policy_load_data (good, -1, "p.json", &config, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (ward_policy_load_data (bad[i], -1, "p.json", &config, &error));
      g_assert_nonnull (error);
      g_assert_nonnull (strstr (error->message, "p.json: kiosk"));
      g_clear_error (&error);
    }

  dir = g_dir_make_tmp ("ward-kiosk-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "policy.json", NULL);

  /* A policy without a kiosk object changes nothing. */
  ward_kiosk_policy_init (&policy);
  g_assert_true (g_file_set_contents (path, "{\"description\": \"x\"}", -1, &error));
  g_assert_true (ward_kiosk_policy_load_file (&policy, path, &error));
  g_assert_null (policy.pin_hash);
  g_assert_cmpint (policy.auto_lock_seconds, ==, -1);

  g_assert_true (g_file_set_contents (path, good, -1, &error));
  g_assert_true (ward_kiosk_policy_load_file (&policy, path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (policy.pin_hash, ==, hash);
  g_assert_cmpint (policy.auto_lock_seconds, ==, 150);

  /* A bad one is refused and leaves what was read before. */
  g_assert_true (g_file_set_contents (path, bad[3], -1, &error));
  g_assert_false (ward_kiosk_policy_load_file (&policy, path, &error));
  g_assert_error (error, WARD_KIOSK_ERROR, WARD_KIOSK_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpstr (policy.pin_hash, ==, hash);
  g_assert_cmpint (policy.auto_lock_seconds, ==, 150);

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/kiosk/staff-pin", test_staff_pin);
  g_test_add_func ("/core/kiosk/ward-pin", test_ward_pin);
  g_test_add_func ("/core/kiosk/lockout", test_lockout);
  g_test_add_func ("/core/kiosk/lockout-restore", test_lockout_restore);
  g_test_add_func ("/core/kiosk/lockout-store", test_lockout_store);
  g_test_add_func ("/core/kiosk/idle", test_idle);
  g_test_add_func ("/core/kiosk/policy", test_policy);

  return g_test_run ();
}
