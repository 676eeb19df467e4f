/* test-staff-live.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-staff-live"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-kiosk.h"
#include "ward-kiosk-pin.h"
#include "ward-session.h"
#include "ward-staff-pin-entry.h"
#include "ward-switch-user.h"

/* Issue #16: the PIN prompts follow the ward's staff list while they are
 * open.  When the directory reads a new CareTeam (the session's "staff"
 * changes), a member added shows in Switch User and in the kiosk's
 * prompt, one taken off disappears from both and can no longer unlock,
 * and whoever was picked stays picked when still there.
 */

#define SEC G_GINT64_CONSTANT (1000000)

typedef struct
{
  char        *dir;
  char        *db;
  WardSession *session;
  GtkWindow   *parent;
  gint64       now;
} Fixture;

static gint64
test_clock (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new_demo (&error);

  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("ward-staff-live-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->session = ward_session_new (staff, f->db, TRUE);
  f->parent = GTK_WINDOW (gtk_window_new ());
  f->now = 1000 * SEC;
  gtk_window_present (f->parent);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db, "-shm", NULL);

  gtk_window_destroy (f->parent);
  g_clear_object (&f->session);
  g_unlink (f->db);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->db);
  g_free (f->dir);
}

static GtkWidget *
find_by_type (GtkWidget *widget,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The demo staff without drop_id, with a new member "fran.okafor" who
 * has Ada's PIN hash (1111); as the directory would give after the
 * CareTeam changed on the server.
 */
static WardStaff *
changed_staff (const char *drop_id,
               gboolean    add_new)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) demo = ward_staff_new_demo (&error);
  WardStaff *staff = ward_staff_new ();

  g_assert_no_error (error);
  for (guint i = 0; i < ward_staff_get_n_members (demo); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (demo, i);

      if (g_strcmp0 (member->id, drop_id) == 0)
        continue;
      g_assert_true (ward_staff_add (staff, member, &error));
      g_assert_no_error (error);
    }
  if (add_new)
    {
      WardStaffMember fran = {
        .id = (char *) "fran.okafor",
        .name = (char *) "Fran Okafor",
        .roles = WARD_STAFF_ROLE_BED_NURSE,
        .pin_hash = ward_staff_lookup (demo, "ada.nwosu")->pin_hash,
        .source = WARD_STAFF_SOURCE_FHIR | WARD_STAFF_SOURCE_POLICY,
      };

      g_assert_true (ward_staff_add (staff, &fran, &error));
      g_assert_no_error (error);
    }

  return staff;
}

/* Whether the prompt's list of names has one starting with name. */
static gboolean
lists (GtkWidget  *dialog,
       const char *name)
{
  WardStaffPinEntry *entry = WARD_STAFF_PIN_ENTRY (find_by_type (dialog, WARD_TYPE_STAFF_PIN_ENTRY));
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (ward_staff_pin_entry_get_staff_row (entry)));

  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    if (g_str_has_prefix (gtk_string_list_get_string (GTK_STRING_LIST (model), i), name))
      return TRUE;

  return FALSE;
}

static const char *
picked (GtkWidget *dialog)
{
  return ward_staff_pin_entry_get_selected (WARD_STAFF_PIN_ENTRY (find_by_type (dialog,
                                                                                WARD_TYPE_STAFF_PIN_ENTRY)));
}

static GtkEditable *
pin_field (GtkWidget *dialog)
{
  return GTK_EDITABLE (find_by_type (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW));
}

static void
test_switch_user_follows (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WardSwitchUser) dialog = NULL;
  g_autoptr(WardStaff) with_fran = changed_staff ("ben.carter", TRUE);
  g_autoptr(WardStaff) without_fran = changed_staff ("ben.carter", FALSE);
  g_autoptr(GError) error = NULL;
  GtkWidget *widget;

  dialog = g_object_ref_sink (ward_switch_user_new (f->parent, f->session));
  widget = GTK_WIDGET (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (lists (widget, "Ben Carter"));
  g_assert_false (lists (widget, "Fran Okafor"));

  ward_switch_user_select (dialog, "chloe.martin");
  ward_session_set_staff (f->session, with_fran);
  g_assert_false (lists (widget, "Ben Carter"));
  g_assert_true (lists (widget, "Fran Okafor"));
  g_assert_true (lists (widget, "Chloé Martin"));
  /* The nurse who had picked her name keeps it. */
  g_assert_cmpstr (picked (widget), ==, "chloe.martin");

  /* Fran signs in with her PIN, without a restart. */
  ward_switch_user_select (dialog, "fran.okafor");
  g_assert_cmpstr (picked (widget), ==, "fran.okafor");
  gtk_editable_set_text (pin_field (widget), "11");

  /* Taken off the CareTeam while her name was picked: gone from the
   * list, nobody picked in her place, the half-typed PIN cleared.
   */
  ward_session_set_staff (f->session, without_fran);
  g_assert_false (lists (widget, "Fran Okafor"));
  g_assert_null (picked (widget));
  g_assert_cmpstr (gtk_editable_get_text (pin_field (widget)), ==, "");
  g_assert_false (ward_session_sign_in (f->session, "fran.okafor", "1111", &error));
  g_assert_nonnull (error);

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_kiosk_prompt_follows (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(WardKioskGuard) guard = ward_kiosk_guard_new (ward_session_get_staff (f->session), NULL);
  g_autoptr(WardKiosk) kiosk = ward_kiosk_new (NULL, f->session, guard);
  g_autoptr(WardStaff) with_fran = changed_staff ("ben.carter", TRUE);
  g_autoptr(WardKioskPin) prompt = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *widget;

  prompt = g_object_ref_sink (ward_kiosk_pin_new (f->parent, guard, test_clock, f));
  widget = GTK_WIDGET (prompt);
  gtk_window_present (GTK_WINDOW (prompt));
  g_assert_true (lists (widget, "Ben Carter"));
  g_assert_false (lists (widget, "Fran Okafor"));

  ward_kiosk_pin_select (prompt, "dev.patel");
  ward_session_set_staff (f->session, with_fran);
  g_assert_true (ward_kiosk_guard_get_staff (guard) == with_fran);
  g_assert_false (lists (widget, "Ben Carter"));
  g_assert_true (lists (widget, "Fran Okafor"));
  g_assert_cmpstr (picked (widget), ==, "dev.patel");

  /* Ben, off the CareTeam, can no longer unlock; Fran can. */
  g_assert_false (ward_kiosk_guard_check (guard, "ben.carter", "2222", f->now, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_true (ward_kiosk_guard_check (guard, "fran.okafor", "1111", f->now, &error));
  g_assert_no_error (error);

  gtk_window_destroy (GTK_WINDOW (prompt));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/staff-live/switch-user-follows", Fixture, NULL, fixture_set_up,
              test_switch_user_follows, fixture_tear_down);
  g_test_add ("/ui/staff-live/kiosk-prompt-follows", Fixture, NULL, fixture_set_up,
              test_kiosk_prompt_follows, fixture_tear_down);

  return g_test_run ();
}
