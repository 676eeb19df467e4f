/* test-staff.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-pin.h"
#include "ward-session.h"
#include "ward-staff.h"
#include "ward-store.h"
#include "ward-store-staff.h"

#define MINUTE (60 * G_USEC_PER_SEC)

static char *
source_path (const char *relative)
{
  const char *dir = g_getenv ("WARD_SOURCE_DIR");

  if (dir != NULL)
    return g_build_filename (dir, relative, NULL);
  return g_build_filename (WARD_TEST_SOURCE_DIR, "..", relative, NULL);
}

static void
assert_hex (const guint8 *bytes,
            gsize         length,
            const char   *expected)
{
  g_autoptr(GString) hex = g_string_new (NULL);

  for (gsize i = 0; i < length; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  g_assert_cmpstr (hex->str, ==, expected);
}

/* RFC 7914 section 11 (PBKDF2-HMAC-SHA256, 64-byte keys) and the
 * commonly published "password"/"salt" vectors (32-byte keys).
 */
static void
test_pbkdf2_vectors (void)
{
  static const struct
  {
    const char *password;
    const char *salt;
    guint       iterations;
    gsize       length;
    const char *hex;
  } vectors[] = {
    { "passwd", "salt", 1, 64,
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
      "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
    { "Password", "NaCl", 80000, 64,
      "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
      "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d" },
    { "password", "salt", 1, 32,
      "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
    { "password", "salt", 2, 32,
      "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
    { "password", "salt", 4096, 32,
      "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (vectors); i++)
    {
      guint8 out[64];

      ward_pbkdf2_hmac_sha256 ((const guint8 *) vectors[i].password, strlen (vectors[i].password),
                               (const guint8 *) vectors[i].salt, strlen (vectors[i].salt),
                               vectors[i].iterations, out, vectors[i].length);
      assert_hex (out, vectors[i].length, vectors[i].hex);
    }
}

static void
test_pin_hash_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *again = NULL;
  g_auto(GStrv) parts = NULL;
  gboolean matches = FALSE;
  gsize salt_length = 0;
  g_autofree guchar *salt = NULL;

  hash = ward_pin_hash ("0417", 1000, &error);
  g_assert_no_error (error);
  parts = g_strsplit (hash, "$", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 4);
  g_assert_cmpstr (parts[0], ==, "pbkdf2-sha256");
  /* Fewer rounds than the minimum are raised to it. */
  g_assert_cmpstr (parts[1], ==, "100000");
  salt = g_base64_decode (parts[2], &salt_length);
  g_assert_cmpuint (salt_length, ==, WARD_PIN_SALT_LENGTH);

  g_assert_true (ward_pin_verify (hash, "0417", &matches, &error));
  g_assert_no_error (error);
  g_assert_true (matches);
  g_assert_true (ward_pin_verify (hash, "0418", &matches, &error));
  g_assert_false (matches);
  g_assert_true (ward_pin_verify (hash, "417", &matches, &error));
  g_assert_false (matches);

  /* A fresh salt each time: the same PIN never gives the same line. */
  again = ward_pin_hash ("0417", WARD_PIN_MIN_ITERATIONS, &error);
  g_assert_cmpstr (hash, !=, again);
}

static void
test_pin_refusals (void)
{
  static const char *bad_hashes[] = {
    "",
    "0417",
    "sha256$100000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==",
    "pbkdf2-sha256$1000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==",
    "pbkdf2-sha256$x$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==",
    "pbkdf2-sha256$100000$not base64!$aGFzaGhhc2hoYXNoaGFzaA==",
    "pbkdf2-sha256$100000$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
    "pbkdf2-sha256$100000$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==$more",
  };
  static const char *bad_pins[] = { "", "123", "1234567890123", "12a4", "12 34" };

  for (guint i = 0; i < G_N_ELEMENTS (bad_hashes); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean matches = TRUE;

      g_assert_false (ward_pin_verify (bad_hashes[i], "1234", &matches, &error));
      g_assert_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_FORMAT);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_pins); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (ward_pin_hash (bad_pins[i], WARD_PIN_MIN_ITERATIONS, &error));
      g_assert_error (error, WARD_PIN_ERROR, WARD_PIN_ERROR_WEAK);
    }
}

static void
test_staff_example_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = source_path ("data/ward-staff.example.json");
  g_autoptr(WardStaff) staff = ward_staff_new_from_file (path, &error);
  const WardStaffMember *member;

  g_assert_no_error (error);
  g_assert_cmpuint (ward_staff_get_n_members (staff), ==, 4);

  member = ward_staff_lookup_os_account (staff, "nokafor");
  g_assert_nonnull (member);
  g_assert_cmpstr (member->id, ==, "n.okafor");
  g_assert_cmpint (member->roles, ==, WARD_STAFF_ROLE_BED_NURSE);
  g_assert_nonnull (member->pin_hash);

  member = ward_staff_lookup (staff, "s.dubois");
  g_assert_cmpint (member->roles, ==, WARD_STAFF_ROLE_NURSE_IN_CHARGE | WARD_STAFF_ROLE_BED_NURSE);
  g_assert_null (member->os_account);

  g_assert_null (ward_staff_lookup (staff, "nobody"));
}

static void
test_staff_demo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new_demo (&error);
  const WardStaffMember *member;
  gboolean matches = FALSE;

  g_assert_no_error (error);
  g_assert_cmpuint (ward_staff_get_n_members (staff), ==, 5);

  /* The PINs the documentation gives for the demo. */
  member = ward_staff_lookup (staff, "chloe.martin");
  g_assert_true (member->roles & WARD_STAFF_ROLE_NURSE_IN_CHARGE);
  g_assert_true (ward_pin_verify (member->pin_hash, "3333", &matches, &error));
  g_assert_true (matches);
}

/* Every refusal names where the file is wrong, and nothing is half read. */
static void
test_staff_strict (void)
{
  static const struct
  {
    const char *json;
    const char *names;
  } cases[] = {
    { "[]", "expected a JSON object" },
    { "{\"staf\": []}", "staf: unknown key" },
    { "{}", "no staff list" },
    { "{\"staff\": [{\"id\": \"a\", \"name\": \"A\", \"roles\": [\"nurse\"]}]}", "staff[0].roles[0]" },
    { "{\"staff\": [{\"id\": \"a\", \"name\": \"A\", \"roles\": []}]}", "staff[0].roles" },
    { "{\"staff\": [{\"id\": \"a\", \"name\": \"A\", \"roles\": [\"doctor\"], \"pin\": \"1234\"}]}",
      "staff[0].pin: unknown key" },
    { "{\"staff\": [{\"id\": \"a\", \"name\": \"A\", \"roles\": [\"doctor\"], \"pin_hash\": \"1234\"}]}",
      "staff[0].pin_hash" },
    { "{\"staff\": [{\"name\": \"A\", \"roles\": [\"doctor\"]}]}", "staff[0]: no id" },
    { "{\"staff\": [{\"id\": \"a b\", \"name\": \"A\", \"roles\": [\"doctor\"]}]}", "staff[0].id" },
    { "{\"staff\": [{\"id\": \"a\", \"roles\": [\"doctor\"]}]}", "no name" },
    { "{\"staff\": [{\"id\": \"a\", \"name\": \"A\", \"roles\": [\"doctor\"]},"
      " {\"id\": \"a\", \"name\": \"B\", \"roles\": [\"doctor\"]}]}", "staff[1]: a: the id is given twice" },
    { "{\"staff\": [{\"id\": \"a\", \"name\": \"A\", \"roles\": [\"doctor\"], \"os_account\": \"x\"},"
      " {\"id\": \"b\", \"name\": \"B\", \"roles\": [\"doctor\"], \"os_account\": \"x\"}]}",
      "OS account x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WardStaff) staff = ward_staff_new_from_data (cases[i].json, -1, "ward7b.json", &error);

      g_assert_null (staff);
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "ward7b.json: "));
      if (strstr (error->message, cases[i].names) == NULL)
        g_error ("case %u: \"%s\" does not name \"%s\"", i, error->message, cases[i].names);
    }
}

typedef struct
{
  char *dir;
  char *db_path;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ward-staff-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "ward.db", NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db_path, "-shm", NULL);

  g_unlink (f->db_path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->db_path);
  g_free (f->dir);
}

static gint64
count_events (const char *db_path,
              const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open_readonly (db_path, &error);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM events WHERE kind = '%s'", kind);
  gint64 n;

  g_assert_no_error (error);
  n = _ward_store_query_int (store, sql, &error);
  g_assert_no_error (error);
  return n;
}

/* Five wrong PINs lock the member out for five minutes, even with the
 * right PIN, and a restart (a new session on the same store) does not
 * lift it; another member is not affected.
 */
static void
test_lockout (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(WardStaff) staff = NULL;
  g_autoptr(WardSession) session = NULL;
  g_autoptr(WardSession) restarted = NULL;
  g_autoptr(GError) error = NULL;

  staff = ward_staff_new_demo (&error);
  g_assert_no_error (error);

  session = ward_session_new (staff, f->db_path, TRUE);
  ward_session_start (session, g_get_user_name ());
  g_assert_null (ward_session_get_acting_id (session));

  for (guint i = 1; i < WARD_SESSION_MAX_FAILURES; i++)
    {
      g_autofree char *left = g_strdup_printf ("%u more wrong tr", WARD_SESSION_MAX_FAILURES - i);

      g_assert_false (ward_session_sign_in (session, "ada.nwosu", "9999", &error));
      g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_WRONG_PIN);
      g_assert_nonnull (strstr (error->message, left));
      g_clear_error (&error);
    }

  g_assert_false (ward_session_sign_in (session, "ada.nwosu", "9999", &error));
  g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "Ada Nwosu"));
  g_clear_error (&error);

  g_assert_false (ward_session_sign_in (session, "ada.nwosu", "1111", &error));
  g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_null (ward_session_get_acting_id (session));

  g_clear_object (&session);
  restarted = ward_session_new (staff, f->db_path, TRUE);
  g_assert_false (ward_session_sign_in (restarted, "ada.nwosu", "1111", &error));
  g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_LOCKED);
  g_clear_error (&error);

  g_assert_true (ward_session_sign_in (restarted, "ben.carter", "2222", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (ward_session_get_acting_id (restarted), ==, "ben.carter");

  g_assert_cmpint (count_events (f->db_path, "staff-sign-in-refused"), ==, WARD_SESSION_MAX_FAILURES - 1);
  g_assert_cmpint (count_events (f->db_path, "staff-pin-locked"), ==, 1);
  g_assert_cmpint (count_events (f->db_path, "staff-sign-in-locked"), ==, 2);
  g_assert_cmpint (count_events (f->db_path, "staff-sign-in"), ==, 1);
}

/* The lock's clock, on the store's own terms. */
static void
test_lock_expiry (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStore) store = ward_store_open (f->db_path, &error);
  const gint64 t0 = G_GINT64_CONSTANT (1800000000) * G_USEC_PER_SEC;
  gint64 until = -1;
  guint failures = 0;

  g_assert_no_error (error);

  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (ward_store_add_pin_failure (store, "a", t0 + i * G_USEC_PER_SEC, 5, 5 * MINUTE,
                                                 &failures, &until, &error));
      g_assert_cmpuint (failures, ==, i + 1);
      g_assert_cmpint (until, ==, 0);
    }

  /* Four failures long ago no longer count. */
  g_assert_true (ward_store_add_pin_failure (store, "a", t0 + 20 * MINUTE, 5, 5 * MINUTE,
                                             &failures, &until, &error));
  g_assert_cmpuint (failures, ==, 1);
  g_assert_cmpint (until, ==, 0);

  for (guint i = 1; i < 5; i++)
    g_assert_true (ward_store_add_pin_failure (store, "a", t0 + 20 * MINUTE + i, 5, 5 * MINUTE,
                                               &failures, &until, &error));
  g_assert_cmpuint (failures, ==, 0);
  g_assert_cmpint (until, ==, t0 + 20 * MINUTE + 4 + 5 * MINUTE);

  g_assert_true (ward_store_get_pin_lock (store, "a", t0 + 24 * MINUTE, &until, &error));
  g_assert_cmpint (until, >, 0);
  g_assert_true (ward_store_get_pin_lock (store, "b", t0 + 24 * MINUTE, &until, &error));
  g_assert_cmpint (until, ==, 0);
  g_assert_true (ward_store_get_pin_lock (store, "a", t0 + 26 * MINUTE, &until, &error));
  g_assert_cmpint (until, ==, 0);

  /* A right PIN starts the count again. */
  g_assert_true (ward_store_add_pin_failure (store, "a", t0 + 27 * MINUTE, 5, 5 * MINUTE,
                                             &failures, &until, &error));
  g_assert_cmpuint (failures, ==, 1);
  g_assert_true (ward_store_clear_pin_failures (store, "a", &error));
  g_assert_true (ward_store_add_pin_failure (store, "a", t0 + 27 * MINUTE + 1, 5, 5 * MINUTE,
                                             &failures, &until, &error));
  g_assert_cmpuint (failures, ==, 1);
  g_assert_no_error (error);
}

static void
test_desktop_session (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = source_path ("data/ward-staff.example.json");
  g_autoptr(WardStaff) staff = ward_staff_new_from_file (path, &error);
  g_autoptr(WardStaff) empty = ward_staff_new ();
  g_autoptr(WardSession) session = NULL;
  g_autoptr(WardSession) legacy = NULL;
  g_autoptr(WardSession) station = NULL;

  session = ward_session_new (staff, f->db_path, FALSE);
  ward_session_start (session, "jkim");
  g_assert_cmpstr (ward_session_get_acting_id (session), ==, "j.kim");
  g_assert_cmpstr (ward_session_get_acting (session)->name, ==, "Dr Ji-woo Kim");

  /* A member without a PIN cannot switch in at all. */
  g_assert_false (ward_session_sign_in (session, "outreach.team", "1234", &error));
  g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_NO_PIN);
  g_clear_error (&error);
  g_assert_false (ward_session_sign_in (session, "nobody", "1234", &error));
  g_assert_error (error, WARD_SESSION_ERROR, WARD_SESSION_ERROR_UNKNOWN_STAFF);
  g_clear_error (&error);
  g_assert_cmpstr (ward_session_get_acting_id (session), ==, "j.kim");

  ward_session_sign_out (session);
  g_assert_null (ward_session_get_acting_id (session));

  /* Without a staff list the login is who acts, as before. */
  legacy = ward_session_new (empty, f->db_path, FALSE);
  ward_session_start (legacy, "sam");
  g_assert_cmpstr (ward_session_get_acting_id (legacy), ==, "sam");

  /* A station's login is nobody's. */
  station = ward_session_new (staff, f->db_path, TRUE);
  ward_session_start (station, "jkim");
  g_assert_null (ward_session_get_acting_id (station));
}

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  GMainLoop *loop = user_data;

  g_main_loop_quit (loop);
}

/* At a station, nobody stays signed in after the idle time. */
static void
test_idle_sign_out (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new_demo (&error);
  g_autoptr(WardSession) session = ward_session_new (staff, f->db_path, TRUE);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  ward_session_set_idle_seconds (session, 1);
  g_assert_true (ward_session_sign_in (session, "dev.patel", "4444", &error));
  g_assert_cmpstr (ward_session_get_acting_id (session), ==, "dev.patel");

  g_signal_connect (session, "notify::acting-id", G_CALLBACK (notify_cb), loop);
  g_main_loop_run (loop);
  g_assert_null (ward_session_get_acting_id (session));
  g_assert_cmpint (count_events (f->db_path, "staff-sign-out-idle"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/staff/pbkdf2-vectors", test_pbkdf2_vectors);
  g_test_add_func ("/staff/pin-hash-round-trip", test_pin_hash_round_trip);
  g_test_add_func ("/staff/pin-refusals", test_pin_refusals);
  g_test_add_func ("/staff/example-file", test_staff_example_file);
  g_test_add_func ("/staff/demo", test_staff_demo);
  g_test_add_func ("/staff/strict", test_staff_strict);
  g_test_add ("/staff/lockout", Fixture, NULL, fixture_set_up, test_lockout, fixture_tear_down);
  g_test_add ("/staff/lock-expiry", Fixture, NULL, fixture_set_up, test_lock_expiry, fixture_tear_down);
  g_test_add ("/staff/desktop-session", Fixture, NULL, fixture_set_up, test_desktop_session,
              fixture_tear_down);
  g_test_add ("/staff/idle-sign-out", Fixture, NULL, fixture_set_up, test_idle_sign_out,
              fixture_tear_down);

  return g_test_run ();
}
