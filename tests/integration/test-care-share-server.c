/* test-care-share-server.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ward-care.h"
#include "ward-care-share.h"
#include "ward-store-private.h"
#include "ward-store-shared.h"
#include "ward-test-fhir-server.h"

/* Two stations of one ward, each with its own database, coordinator and
 * sharing layer, against the real test FHIR server: the care team's
 * rules over the wire.  What users rely on: an accept on one is on the
 * other within 10 s; two accepts at once end with one owner on both,
 * the other station told; a Task made and accepted while the server is
 * down arrives once when it returns.
 */

#define T0 G_GINT64_CONSTANT (1800000000000000)
#define MINUTE WARD_USEC_PER_MINUTE
#define SEEN_WITHIN_MSEC 10000
#define POLL_MSEC 200

static WardTestFhirServer *server;

typedef struct
{
  char           *name;
  char           *path;
  WardStore      *store;
  WardEngine     *engine;
  WardCare       *care;
  WardFhirShared *shared;
  GPtrArray      *notices;
} Station;

static void
notice_cb (const char *task_id,
           const char *notice,
           gpointer    user_data)
{
  Station *station = user_data;

  g_ptr_array_add (station->notices, g_strdup (notice));
}

static Station *
station_new (const char *dir,
             const char *name)
{
  g_autoptr(GError) error = NULL;
  Station *s = g_new0 (Station, 1);
  WardEngineConfig config;
  g_autofree char *file = g_strconcat (name, ".db", NULL);

  s->name = g_strdup (name);
  s->notices = g_ptr_array_new_with_free_func (g_free);
  s->path = g_build_filename (dir, file, NULL);
  s->store = ward_store_open (s->path, &error);
  g_assert_no_error (error);
  ward_engine_config_init (&config);
  s->engine = ward_engine_new (s->store, &config);
  g_assert_true (ward_engine_begin (s->engine, &error));
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *bed = g_strdup_printf ("bed-%02u", i);
      g_autofree char *label = g_strdup_printf ("Bed %u", i);
      g_autofree char *patient = g_strdup_printf ("p%u", i);
      g_autofree char *device = g_strdup_printf ("mon-%u", i);

      g_assert_true (ward_engine_register_bed (s->engine, bed, label, patient, patient, device, 1, &error));
    }
  g_assert_true (ward_engine_commit (s->engine, &error));
  g_assert_no_error (error);
  s->care = ward_care_new (s->engine, NULL, "ward-7", name);

  s->shared = ward_fhir_shared_new (s->store, ward_test_fhir_server_get_base_url (server), name);
  ward_fhir_shared_set_poll_interval (s->shared, POLL_MSEC);
  ward_fhir_shared_set_timeout (s->shared, 5);
  ward_care_share_attach (s->care, s->shared, notice_cb, s, NULL);
  return s;
}

static void
station_free (Station *s)
{
  g_autofree char *wal = g_strconcat (s->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (s->path, "-shm", NULL);

  ward_fhir_shared_stop (s->shared);
  g_clear_object (&s->shared);
  g_clear_object (&s->care);
  g_clear_object (&s->engine);
  g_clear_object (&s->store);
  g_unlink (s->path);
  g_unlink (wal);
  g_unlink (shm);
  g_ptr_array_unref (s->notices);
  g_free (s->path);
  g_free (s->name);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Station, station_free)

/* The same device data reaches both stations: the same flag opens. */
static void
open_flag (Station    *s,
           const char *patient,
           gint64      at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_store_begin (s->store, &error));
  g_assert_cmpint (ward_store_open_flag (s->store, patient, "clinical", NULL, WARD_BAND_HIGH, at, 0,
                                         "test", &error), >, 0);
  g_assert_true (ward_store_commit (s->store, &error));
  g_assert_no_error (error);
}

static void
tick (Station *s,
      gint64   now)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (s->engine, &error));
  g_assert_true (ward_engine_evaluate (s->engine, now, &error));
  g_assert_true (ward_care_tick (s->care, now, &error));
  g_assert_true (ward_engine_commit (s->engine, &error));
  g_assert_no_error (error);
}

static gint64
task_of (Station    *s,
         const char *patient)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce(min(id), 0) FROM care_tasks WHERE patient_id = '%s'",
                                          patient);
  gint64 id = _ward_store_query_int (s->store, sql, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static char *
accepted_by (Station    *s,
             const char *patient)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT accepted_by FROM care_tasks WHERE patient_id = '%s' "
                                          "AND status = 'accepted' ORDER BY id LIMIT 1", patient);
  char *who = _ward_store_query_text (s->store, sql, &error);

  g_assert_no_error (error);
  return who;
}

static void
accept (Station    *s,
        const char *patient,
        const char *staff,
        gint64      at)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (s->engine, &error));
  g_assert_true (ward_care_accept (s->care, task_of (s, patient), staff, s->name, at, &error));
  g_assert_true (ward_engine_commit (s->engine, &error));
  g_assert_no_error (error);
}

static gint64
n_pending (Station *s)
{
  g_autoptr(GError) error = NULL;
  gint64 n = ward_store_shared_get_n_pending (s->store, &error);

  g_assert_no_error (error);
  return n;
}

typedef gboolean (*Condition) (gpointer data);

typedef struct
{
  GMainLoop *loop;
  Condition  condition;
  gpointer   data;
  gboolean   met;
} Wait;

static gboolean
wait_check (gpointer user_data)
{
  Wait *wait = user_data;

  if (!wait->condition (wait->data))
    return G_SOURCE_CONTINUE;
  wait->met = TRUE;
  g_main_loop_quit (wait->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_timeout (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Runs the stations until condition holds; FALSE after timeout_msec. */
static gboolean
wait_for (Condition  condition,
          gpointer   data,
          guint      timeout_msec)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait wait = { loop, condition, data, FALSE };
  guint check, timeout;

  if (condition (data))
    return TRUE;
  check = g_timeout_add (20, wait_check, &wait);
  timeout = g_timeout_add (timeout_msec, wait_timeout, loop);
  g_main_loop_run (loop);
  if (wait.met)
    g_source_remove (timeout);
  else
    g_source_remove (check);
  return wait.met;
}

typedef struct
{
  Station    *a;
  Station    *b;
  const char *patient;
  const char *owner;   /* NULL: the same on both, whoever */
} Both;

static gboolean
both_settled (gpointer data)
{
  Both *both = data;

  return n_pending (both->a) == 0 && n_pending (both->b) == 0;
}

static gboolean
both_accepted (gpointer data)
{
  Both *both = data;
  g_autofree char *on_a = accepted_by (both->a, both->patient);
  g_autofree char *on_b = accepted_by (both->b, both->patient);

  return on_a != NULL && g_strcmp0 (on_a, on_b) == 0 &&
         (both->owner == NULL || g_str_equal (on_a, both->owner)) &&
         n_pending (both->a) == 0 && n_pending (both->b) == 0;
}

static JsonObject *
server_get (const char *path,
            guint       expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_assert_cmpuint (ward_test_fhir_server_request (server, "GET", path, NULL, NULL, NULL, &body, &error),
                    ==, expected);
  g_assert_no_error (error);
  node = json_from_string (body, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

static char *
task_id_on (Station    *s,
            const char *patient)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = ward_store_get_installation_id (s->store, &error);
  char *id = NULL;

  g_assert_no_error (error);
  g_assert_true (ward_care_share_task_ids (s->store, installation, task_of (s, patient), &id, NULL, &error));
  g_assert_no_error (error);
  return id;
}

static void
test_two_stations (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(Station) a = NULL;
  g_autoptr(Station) b = NULL;
  Both both;

  if (ward_test_fhir_server_skip_reason () != NULL)
    {
      g_test_skip (ward_test_fhir_server_skip_reason ());
      return;
    }
  /* Lax references: these stations run the coordinator and the sharing
   * layer without an engine or an outbox sync, so the Flags (opened
   * straight in the store) and Patients their Tasks name are never sent.
   * With the whole program on a strict server, test-fhir-crash checks
   * that a shared Task waits for the Flag and Patient the outbox sends.
   */
  {
    const char *args[] = { WARD_TEST_FHIR_LAX_REFERENCES, NULL };

    server = ward_test_fhir_server_new (args, &error);
  }
  g_assert_no_error (error);
  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);

  dir = g_dir_make_tmp ("ward-care-share-XXXXXX", &error);
  g_assert_no_error (error);
  a = station_new (dir, "nurse-station");
  b = station_new (dir, "doctors-office");
  ward_fhir_shared_start (a->shared);
  ward_fhir_shared_start (b->shared);

  /* The same two flags on both: one Task each on the server. */
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *patient = g_strdup_printf ("p%u", i);

      open_flag (a, patient, T0 + i * MINUTE);
      open_flag (b, patient, T0 + i * MINUTE);
    }
  tick (a, T0 + 5 * MINUTE);
  tick (b, T0 + 5 * MINUTE);
  both = (Both) { a, b, NULL, NULL };
  g_assert_true (wait_for (both_settled, &both, SEEN_WITHIN_MSEC));
  {
    g_autoptr(JsonObject) bundle = server_get ("/fhir/R4/Task?_summary=count", 200);

    g_assert_cmpint (json_object_get_int_member (bundle, "total"), ==, 2);
  }

  /* An accept on the nurse station is on the doctor's desk within 10 s. */
  accept (a, "p1", "chloe.martin", T0 + 6 * MINUTE);
  both = (Both) { a, b, "p1", "chloe.martin" };
  if (!wait_for (both_accepted, &both, SEEN_WITHIN_MSEC))
    g_error ("the accept on the nurse station was not seen on the doctor's desk within 10 s");

  /* Two accepts at once: one owner on both, the other station told. */
  accept (a, "p2", "ben.carter", T0 + 7 * MINUTE);
  accept (b, "p2", "dev.patel", T0 + 7 * MINUTE);
  both = (Both) { a, b, "p2", NULL };
  if (!wait_for (both_accepted, &both, 3 * SEEN_WITHIN_MSEC))
    g_error ("two accepts at once did not settle on one owner");
  {
    g_autofree char *owner = accepted_by (a, "p2");
    Station *loser = g_str_equal (owner, "ben.carter") ? b : a;
    Station *winner = loser == a ? b : a;
    g_autofree char *told = g_strdup_printf ("Already accepted by %s at %s", owner, winner->name);

    g_assert_cmpuint (loser->notices->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (loser->notices, 0), ==, told);
    g_assert_cmpuint (winner->notices->len, ==, 0);
  }

  /* Offline: a flag opens on both while the server is down, and is
   * accepted on the nurse station; the Task waits, and arrives once,
   * accepted, when the server is back (the test server comes back
   * empty).
   */
  ward_test_fhir_server_stop (server);
  open_flag (a, "p3", T0 + 8 * MINUTE);
  open_flag (b, "p3", T0 + 8 * MINUTE);
  tick (a, T0 + 9 * MINUTE);
  tick (b, T0 + 9 * MINUTE);
  accept (a, "p3", "ada.nwosu", T0 + 10 * MINUTE);
  {
    Both pending = { a, b, NULL, NULL };

    g_assert_false (wait_for (both_settled, &pending, 6 * POLL_MSEC));
  }
  g_assert_cmpint (n_pending (a), ==, 1);
  g_assert_cmpint (n_pending (b), ==, 1);
  g_assert_true (ward_test_fhir_server_start (server, &error));
  g_assert_no_error (error);
  both = (Both) { a, b, "p3", "ada.nwosu" };
  if (!wait_for (both_accepted, &both, 3 * SEEN_WITHIN_MSEC))
    {
      g_autofree char *on_a = accepted_by (a, "p3");
      g_autofree char *on_b = accepted_by (b, "p3");
      g_autofree char *a_error = ward_fhir_shared_dup_last_error (a->shared);
      g_autofree char *b_error = ward_fhir_shared_dup_last_error (b->shared);

      g_error ("the accept made offline did not arrive: accepted by %s here, %s there; "
               "%" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " pending; last errors: %s; %s",
               on_a, on_b, n_pending (a), n_pending (b), a_error, b_error);
    }
  {
    g_autofree char *id = task_id_on (a, "p3");
    g_autofree char *path = g_strdup_printf ("/fhir/R4/Task/%s/_history", id);
    g_autoptr(JsonObject) history = server_get (path, 200);
    JsonArray *entries = json_object_get_array_member (history, "entry");
    guint accepts = 0;

    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *resource = json_object_get_object_member (json_array_get_object_element (entries, i),
                                                              "resource");

        if (g_strcmp0 (json_object_get_string_member_with_default (resource, "status", ""), "accepted") == 0)
          accepts++;
      }
    g_assert_cmpuint (accepts, ==, 1);
  }

  g_clear_pointer (&a, station_free);
  g_clear_pointer (&b, station_free);
  g_rmdir (dir);
  ward_test_fhir_server_stop (server);
  g_clear_pointer (&server, ward_test_fhir_server_free);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/care-share/two-stations", test_two_stations);

  return g_test_run ();
}
