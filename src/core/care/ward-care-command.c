/* ward-care-command.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-command.h"
#include "ward-store-private.h"

typedef enum
{
  ACTION_ACCEPT,
  ACTION_REASSIGN,
  ACTION_COMPLETE,
  ACTION_CONCERN,
  ACTION_ALLOCATE,
  ACTION_OFFER_HANDOVER,
  ACTION_ACCEPT_HANDOVER,
} Action;

struct _WardCareCommand
{
  Action           action;
  gint64           id;          /* task or handover */
  WardRole         role;
  WardTaskOutcome  outcome;
  char            *text;        /* note, or bed */
  char            *other;       /* patient, to_staff, nurse */
  char            *staff_id;
  char            *station_id;
  GArray          *beds;        /* WardHandoverBed, owned strings */
};

static WardCareCommand *
command_new (Action      action,
             const char *staff_id,
             const char *station_id)
{
  WardCareCommand *command = g_new0 (WardCareCommand, 1);

  command->action = action;
  command->staff_id = g_strdup (staff_id);
  command->station_id = g_strdup (station_id);
  return command;
}

WardCareCommand *
ward_care_command_accept (gint64      task_id,
                          const char *staff_id,
                          const char *station_id)
{
  WardCareCommand *command = command_new (ACTION_ACCEPT, staff_id, station_id);

  command->id = task_id;
  return command;
}

WardCareCommand *
ward_care_command_reassign (gint64      task_id,
                            WardRole    to_role,
                            const char *to_staff,
                            const char *staff_id,
                            const char *station_id)
{
  WardCareCommand *command = command_new (ACTION_REASSIGN, staff_id, station_id);

  command->id = task_id;
  command->role = to_role;
  command->other = g_strdup (to_staff);
  return command;
}

WardCareCommand *
ward_care_command_complete (gint64           task_id,
                            WardTaskOutcome  outcome,
                            const char      *note,
                            const char      *staff_id,
                            const char      *station_id)
{
  WardCareCommand *command = command_new (ACTION_COMPLETE, staff_id, station_id);

  command->id = task_id;
  command->outcome = outcome;
  command->text = g_strdup (note);
  return command;
}

WardCareCommand *
ward_care_command_raise_concern (const char *patient_id,
                                 const char *note,
                                 const char *staff_id,
                                 const char *station_id)
{
  WardCareCommand *command = command_new (ACTION_CONCERN, staff_id, station_id);

  command->other = g_strdup (patient_id);
  command->text = g_strdup (note);
  return command;
}

WardCareCommand *
ward_care_command_allocate (const char *bed_id,
                            const char *nurse_id,
                            const char *staff_id,
                            const char *station_id)
{
  WardCareCommand *command = command_new (ACTION_ALLOCATE, staff_id, station_id);

  command->text = g_strdup (bed_id);
  command->other = g_strdup (nurse_id);
  return command;
}

static void
handover_bed_clear (WardHandoverBed *bed)
{
  g_free (bed->bed_id);
  g_free (bed->patient_id);
  g_free (bed->situation);
  g_free (bed->background);
  g_free (bed->assessment);
  g_free (bed->recommendation);
}

WardCareCommand *
ward_care_command_offer_handover (const char             *from_staff,
                                  const char             *to_staff,
                                  const WardHandoverBed  *beds,
                                  guint                   n_beds,
                                  const char             *station_id)
{
  WardCareCommand *command = command_new (ACTION_OFFER_HANDOVER, from_staff, station_id);

  g_return_val_if_fail (beds != NULL || n_beds == 0, command);

  command->other = g_strdup (to_staff);
  command->beds = g_array_sized_new (FALSE, TRUE, sizeof (WardHandoverBed), n_beds);
  g_array_set_clear_func (command->beds, (GDestroyNotify) handover_bed_clear);
  for (guint i = 0; i < n_beds; i++)
    {
      WardHandoverBed copy = {
        g_strdup (beds[i].bed_id), g_strdup (beds[i].patient_id), g_strdup (beds[i].situation),
        g_strdup (beds[i].background), g_strdup (beds[i].assessment),
        g_strdup (beds[i].recommendation),
      };

      g_array_append_val (command->beds, copy);
    }

  return command;
}

WardCareCommand *
ward_care_command_accept_handover (gint64      handover_id,
                                   const char *staff_id,
                                   const char *station_id)
{
  WardCareCommand *command = command_new (ACTION_ACCEPT_HANDOVER, staff_id, station_id);

  command->id = handover_id;
  return command;
}

void
ward_care_command_free (WardCareCommand *command)
{
  if (command == NULL)
    return;

  g_free (command->text);
  g_free (command->other);
  g_free (command->staff_id);
  g_free (command->station_id);
  g_clear_pointer (&command->beds, g_array_unref);
  g_free (command);
}

static gint64
run_action (WardCare         *care,
            WardCareCommand  *c,
            gint64            now,
            GError          **error)
{
  switch (c->action)
    {
    case ACTION_ACCEPT:
      return ward_care_accept (care, c->id, c->staff_id, c->station_id, now, error) ? c->id : 0;
    case ACTION_REASSIGN:
      return ward_care_reassign (care, c->id, c->role, c->other, c->staff_id, c->station_id, now,
                                 error) ? c->id : 0;
    case ACTION_COMPLETE:
      return ward_care_complete (care, c->id, c->outcome, c->text, c->staff_id, c->station_id, now,
                                 error) ? c->id : 0;
    case ACTION_CONCERN:
      return ward_care_raise_concern (care, c->other, c->text, c->staff_id, c->station_id, now,
                                      error);
    case ACTION_ALLOCATE:
      return ward_care_allocate (care, c->text, c->other, c->staff_id, c->station_id, now, error)
             ? 1 : 0;
    case ACTION_OFFER_HANDOVER:
      return ward_care_offer_handover (care, c->staff_id, c->other,
                                       (const WardHandoverBed *) c->beds->data, c->beds->len,
                                       c->station_id, now, error);
    case ACTION_ACCEPT_HANDOVER:
      return ward_care_accept_handover (care, c->id, c->staff_id, c->station_id, now, error)
             ? c->id : 0;
    default:
      g_assert_not_reached ();
    }
}

gboolean
ward_care_command_run (WardCare         *care,
                       WardCareCommand  *command,
                       gint64            now,
                       gint64           *result,
                       GError          **error)
{
  WardStore *store;
  gint64 value;

  g_return_val_if_fail (WARD_IS_CARE (care), FALSE);
  g_return_val_if_fail (command != NULL, FALSE);

  store = ward_care_get_store (care);
  if (!_ward_store_exec (store, "SAVEPOINT care_command", error))
    return FALSE;

  value = run_action (care, command, now, error);
  if (value == 0)
    {
      /* The error is the action's; undoing it cannot fail in a way that
       * says more.
       */
      _ward_store_exec (store, "ROLLBACK TO care_command", NULL);
      _ward_store_exec (store, "RELEASE care_command", NULL);
      return FALSE;
    }

  if (!_ward_store_exec (store, "RELEASE care_command", error))
    return FALSE;

  if (result != NULL)
    *result = value;
  return TRUE;
}
