/* test-switch-user.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-switch-user"

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-session.h"
#include "ward-switch-user.h"
#include "ward-switch-user-private.h"

/* The Switch User dialog at a shared station, with the demo staff and a
 * real store for the lockout: what a nurse sees after a wrong PIN and
 * after too many, and what a screen reader is told.
 */

typedef struct
{
  char           *dir;
  char           *db;
  WardSession    *session;
  GtkWindow      *parent;
  WardSwitchUser *dialog;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new_demo (&error);

  g_assert_no_error (error);
  f->dir = g_dir_make_tmp ("ward-switch-user-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->session = ward_session_new (staff, f->db, TRUE);
  f->parent = GTK_WINDOW (gtk_window_new ());
  gtk_window_present (f->parent);
  f->dialog = g_object_ref_sink (ward_switch_user_new (f->parent, f->session));
  gtk_window_present (GTK_WINDOW (f->dialog));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->db, "-shm", NULL);

  gtk_window_destroy (GTK_WINDOW (f->dialog));
  g_clear_object (&f->dialog);
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

static void
type_pin (Fixture    *f,
          const char *pin)
{
  GtkWidget *row = find_by_type (GTK_WIDGET (f->dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), pin);
  /* Enter in the PIN field signs in, as the Sign In button does. */
  g_signal_emit_by_name (row, "entry-activated");
}

static void
test_wrong_pin_then_lock (Fixture       *f,
                          gconstpointer  data)
{
  GtkWidget *row = find_by_type (GTK_WIDGET (f->dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);

  ward_switch_user_select (f->dialog, "ben.carter");

  type_pin (f, "0000");
  g_assert_nonnull (ward_switch_user_get_error (f->dialog));
  g_assert_nonnull (strstr (ward_switch_user_get_error (f->dialog), "Wrong PIN. 4 more wrong tries"));
  /* The wrong PIN does not stay in the field. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (row)), ==, "");
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                       ward_switch_user_get_error (f->dialog));
  g_assert_null (ward_session_get_acting_id (f->session));

  for (guint i = 0; i < 4; i++)
    type_pin (f, "0000");
  g_assert_nonnull (strstr (ward_switch_user_get_error (f->dialog), "is locked until"));
  g_assert_nonnull (strstr (ward_switch_user_get_error (f->dialog), "Ben Carter"));

  /* Locked: the right PIN does not help now. */
  type_pin (f, "2222");
  g_assert_nonnull (strstr (ward_switch_user_get_error (f->dialog), "locked after too many wrong tries"));
  g_assert_null (ward_session_get_acting_id (f->session));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));
}

static void
test_sign_in_closes (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GtkWidget) button = g_object_ref_sink (ward_acting_button_new (f->session));

  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Nobody is signed in: sign in to acknowledge, enter or confirm");

  /* Keyboard first: the PIN field has the focus when the dialog opens. */
  {
    GtkWidget *row = find_by_type (GTK_WIDGET (f->dialog), ADW_TYPE_PASSWORD_ENTRY_ROW);
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (f->dialog));

    g_assert_nonnull (focus);
    g_assert_true (focus == row || gtk_widget_is_ancestor (focus, row));
  }

  ward_switch_user_select (f->dialog, "ada.nwosu");
  type_pin (f, "");
  g_assert_cmpstr (ward_switch_user_get_error (f->dialog), ==, "Type your PIN.");

  type_pin (f, "1111");
  g_assert_cmpstr (ward_session_get_acting_id (f->session), ==, "ada.nwosu");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (f->dialog)));

  /* The header bar says who is signed in. */
  gtk_test_accessible_assert_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Signed in: Ada Nwosu. Switch user");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add ("/ui/switch-user/wrong-pin-then-lock", Fixture, NULL, fixture_set_up,
              test_wrong_pin_then_lock, fixture_tear_down);
  g_test_add ("/ui/switch-user/sign-in-closes", Fixture, NULL, fixture_set_up, test_sign_in_closes,
              fixture_tear_down);

  return g_test_run ();
}
