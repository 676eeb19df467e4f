/* ward-actions.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-actions"

#include "config.h"

#include "ward-actions.h"

#include <glib/gi18n.h>

#include "ward-staff.h"
#include "ward-tasks.h"

struct _WardActions
{
  GObject        parent_instance;

  /* Owned */
  WardPipeline  *pipeline;
  WardSession   *session;
  GCancellable  *cancellable;
};

enum {
  OUTCOME,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (WardActions, ward_actions, G_TYPE_OBJECT)

static const WardActionInfo actions[] = {
  { WARD_ACTION_SIGN_IN, WARD_ACTION_SIGN_IN_TYPE, TRUE },
  { WARD_ACTION_SIGN_OUT, NULL, TRUE },
  { WARD_ACTION_ACKNOWLEDGE, WARD_ACTION_ACKNOWLEDGE_TYPE, TRUE },
  { WARD_ACTION_CONFIRM, WARD_ACTION_CONFIRM_TYPE, TRUE },
  { WARD_ACTION_ACCEPT_TASK, WARD_ACTION_ACCEPT_TASK_TYPE, TRUE },
  { WARD_ACTION_REASSIGN_TASK, WARD_ACTION_REASSIGN_TASK_TYPE, TRUE },
  { WARD_ACTION_COMPLETE_TASK, WARD_ACTION_COMPLETE_TASK_TYPE, TRUE },
  { WARD_ACTION_ESCALATE, WARD_ACTION_ESCALATE_TYPE, TRUE },
  { WARD_ACTION_HAND_OVER, WARD_ACTION_HAND_OVER_TYPE, TRUE },
  { WARD_ACTION_ACCEPT_HANDOVER, WARD_ACTION_ACCEPT_HANDOVER_TYPE, TRUE },
};

typedef struct
{
  WardActions *self;
  char        *action;
  char        *message;
} Command;

static void
command_free (Command *command)
{
  g_clear_object (&command->self);
  g_free (command->action);
  g_free (command->message);
  g_free (command);
}

static void
emit_outcome (WardActions *self,
              const char  *action,
              gboolean     ok,
              const char  *message)
{
  if (ok)
    g_debug ("%s: %s", action, message);
  else
    g_message ("%s refused: %s", action, message);
  g_signal_emit (self, signals[OUTCOME], 0, action, ok, message);
}

/* The acting member's id, or NULL after saying why the action is refused. */
static const char *
require_acting (WardActions *self,
                const char  *action)
{
  const char *acting = ward_session_get_acting_id (self->session);

  if (self->pipeline == NULL)
    {
      emit_outcome (self, action, FALSE, _("The ward pipeline is not running"));
      return NULL;
    }

  if (acting == NULL)
    {
      emit_outcome (self, action, FALSE, _("Nobody is signed in: sign in with your PIN first"));
      return NULL;
    }

  ward_session_touch (self->session);
  return acting;
}

static void
command_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Command *command = user_data;
  g_autoptr(GError) error = NULL;

  if (ward_pipeline_command_finish (WARD_PIPELINE (source), result, &error))
    emit_outcome (command->self, command->action, TRUE, command->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    emit_outcome (command->self, command->action, FALSE, error->message);

  command_free (command);
}

static Command *
command_new (WardActions *self,
             const char  *action,
             char        *message)
{
  Command *command = g_new0 (Command, 1);

  command->self = g_object_ref (self);
  command->action = g_strdup (action);
  command->message = message;

  return command;
}

static void
sign_in_cb (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  WardActions *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  const char *staff_id;
  const char *pin;

  g_variant_get (parameter, "(&s&s)", &staff_id, &pin);
  if (!ward_session_sign_in (self->session, staff_id, pin, &error))
    {
      emit_outcome (self, WARD_ACTION_SIGN_IN, FALSE, error->message);
      return;
    }

  message = g_strdup_printf (_("%s is signed in"), ward_session_get_acting (self->session)->name);
  emit_outcome (self, WARD_ACTION_SIGN_IN, TRUE, message);
}

static void
sign_out_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  WardActions *self = user_data;

  ward_session_sign_out (self->session);
  emit_outcome (self, WARD_ACTION_SIGN_OUT, TRUE, _("Nobody is signed in"));
}

static void
acknowledge_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  WardActions *self = user_data;
  gint64 flag_id = g_variant_get_int64 (parameter);
  g_autofree char *number = NULL;
  const char *acting;

  if (!(acting = require_acting (self, WARD_ACTION_ACKNOWLEDGE)))
    return;

  if (flag_id <= 0)
    {
      emit_outcome (self, WARD_ACTION_ACKNOWLEDGE, FALSE, _("A flag id is a positive number"));
      return;
    }

  /* The number goes in as text: a G_GINT64_FORMAT inside a msgid would
   * not reach the translators whole.
   */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, flag_id);
  ward_pipeline_acknowledge_async (self->pipeline, flag_id, acting, self->cancellable,
                                   command_done_cb,
                                   command_new (self, WARD_ACTION_ACKNOWLEDGE,
                                                /* Translators: flag number, staff id */
                                                g_strdup_printf (_("Flag %s acknowledged by %s"),
                                                                 number, acting)));
}

static void
confirm_cb (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  WardActions *self = user_data;
  const char *patient_id = g_variant_get_string (parameter, NULL);
  const char *acting;

  if (!(acting = require_acting (self, WARD_ACTION_CONFIRM)))
    return;

  ward_pipeline_confirm_async (self->pipeline, patient_id, acting, self->cancellable,
                               command_done_cb,
                               command_new (self, WARD_ACTION_CONFIRM,
                                            g_strdup_printf (_("Score of %s confirmed by %s"),
                                                             patient_id, acting)));
}

static void
care_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Command *command = user_data;
  g_autoptr(GError) error = NULL;

  ward_pipeline_care_finish (WARD_PIPELINE (source), result, &error);
  if (error == NULL)
    emit_outcome (command->self, command->action, TRUE, command->message);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    emit_outcome (command->self, command->action, FALSE, error->message);

  command_free (command);
}

/* FALSE after saying why: task ids are the store's, positive. */
static gboolean
check_task_id (WardActions *self,
               const char  *action,
               gint64       task_id,
               char       **number)
{
  if (task_id <= 0)
    {
      emit_outcome (self, action, FALSE, _("A task id is a positive number"));
      return FALSE;
    }

  *number = g_strdup_printf ("%" G_GINT64_FORMAT, task_id);
  return TRUE;
}

static void
accept_task_cb (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  WardActions *self = user_data;
  gint64 task_id = g_variant_get_int64 (parameter);
  g_autofree char *number = NULL;
  const char *acting;

  if (!(acting = require_acting (self, WARD_ACTION_ACCEPT_TASK)) ||
      !check_task_id (self, WARD_ACTION_ACCEPT_TASK, task_id, &number))
    return;

  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_accept (task_id, acting,
                                                      ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, care_done_cb,
                            command_new (self, WARD_ACTION_ACCEPT_TASK,
                                         /* Translators: task number, staff id */
                                         g_strdup_printf (_("Task %s accepted by %s"), number, acting)));
}

/* to is a role ("doctor") or a staff member's id: a member takes the
 * task in the first of their roles, in escalation order.
 */
static gboolean
resolve_owner (WardActions  *self,
               const char   *to,
               WardRole     *role,
               const char  **staff)
{
  const WardStaffMember *member;

  if (ward_role_from_string (to, role))
    {
      *staff = NULL;
      return TRUE;
    }

  member = ward_staff_lookup (ward_session_get_staff (self->session), to);
  if (member == NULL)
    return FALSE;

  *staff = member->id;
  for (guint i = 0; i < WARD_N_ROLES; i++)
    if (member->roles & (1 << i))
      {
        *role = (WardRole) i;
        return TRUE;
      }

  return FALSE;
}

static void
reassign_task_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  WardActions *self = user_data;
  g_autofree char *number = NULL;
  const char *acting;
  const char *to;
  const char *staff = NULL;
  WardRole role = WARD_ROLE_BED_NURSE;
  gint64 task_id;

  g_variant_get (parameter, "(x&s)", &task_id, &to);
  if (!(acting = require_acting (self, WARD_ACTION_REASSIGN_TASK)) ||
      !check_task_id (self, WARD_ACTION_REASSIGN_TASK, task_id, &number))
    return;

  if (!resolve_owner (self, to, &role, &staff))
    {
      g_autofree char *message =
        /* Translators: a staff id or role name as typed */
        g_strdup_printf (_("“%s” is neither a care-team role nor a member of the ward staff with one"), to);

      emit_outcome (self, WARD_ACTION_REASSIGN_TASK, FALSE, message);
      return;
    }

  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_reassign (task_id, role, staff, acting,
                                                        ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, care_done_cb,
                            command_new (self, WARD_ACTION_REASSIGN_TASK,
                                         /* Translators: task number, new owner, staff id */
                                         g_strdup_printf (_("Task %s reassigned to %s by %s"),
                                                          number, to, acting)));
}

static void
complete_task_cb (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  WardActions *self = user_data;
  g_autofree char *number = NULL;
  const char *acting;
  const char *outcome_name;
  const char *note;
  WardTaskOutcome outcome;
  gint64 task_id;

  g_variant_get (parameter, "(x&s&s)", &task_id, &outcome_name, &note);
  if (!(acting = require_acting (self, WARD_ACTION_COMPLETE_TASK)) ||
      !check_task_id (self, WARD_ACTION_COMPLETE_TASK, task_id, &number))
    return;

  if (!ward_task_outcome_from_string (outcome_name, &outcome))
    {
      g_autoptr(GString) names = g_string_new (NULL);
      g_autofree char *message = NULL;

      for (guint i = 0; i < WARD_N_OUTCOMES; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", ward_task_outcome_to_string (i));
      /* Translators: the outcome as typed, then the list of known ones */
      message = g_strdup_printf (_("Unknown outcome “%s” (one of: %s)"), outcome_name, names->str);
      emit_outcome (self, WARD_ACTION_COMPLETE_TASK, FALSE, message);
      return;
    }

  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_complete (task_id, outcome, *note ? note : NULL, acting,
                                                        ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, care_done_cb,
                            command_new (self, WARD_ACTION_COMPLETE_TASK,
                                         /* Translators: task number, staff id */
                                         g_strdup_printf (_("Task %s completed by %s"), number, acting)));
}

static void
escalate_cb (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  WardActions *self = user_data;
  const char *acting;
  const char *patient_id;
  const char *reason;

  g_variant_get (parameter, "(&s&s)", &patient_id, &reason);
  if (!(acting = require_acting (self, WARD_ACTION_ESCALATE)))
    return;

  /* The care core refuses an empty reason: NEWS2's clinical concern is
   * escalated with what worries the nurse, in words.
   */
  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_raise_concern (patient_id, reason, acting,
                                                             ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, care_done_cb,
                            command_new (self, WARD_ACTION_ESCALATE,
                                         /* Translators: patient id, staff id */
                                         g_strdup_printf (_("Concern about %s escalated by %s"),
                                                          patient_id, acting)));
}

static void
hand_over_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Command *command = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id = ward_pipeline_care_finish (WARD_PIPELINE (source), result, &error);

  if (error == NULL)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);
      /* Translators: the handover's number, then who offered it to whom */
      g_autofree char *message = g_strdup_printf (_("Handover %s: %s"), number, command->message);

      emit_outcome (command->self, command->action, TRUE, message);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    emit_outcome (command->self, command->action, FALSE, error->message);

  command_free (command);
}

static const char * const sbar_keys[] = {
  "bed", "situation", "background", "assessment", "recommendation",
};

static void
handover_bed_clear (WardHandoverBed *bed)
{
  g_free (bed->bed_id);
  g_free (bed->situation);
  g_free (bed->background);
  g_free (bed->assessment);
  g_free (bed->recommendation);
}

/* One bed of hand-over's list: every key of sbar_keys, no other (a
 * misspelt key would otherwise lose its note without a word).  The
 * care core refuses an empty part, naming it.
 */
static gboolean
parse_handover_bed (GVariant         *dict,
                    guint             index,
                    WardHandoverBed  *bed,
                    char            **message)
{
  char **fields[] = { &bed->bed_id, &bed->situation, &bed->background, &bed->assessment,
                      &bed->recommendation };
  GVariantIter iter;
  const char *key;
  const char *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&s&s}", &key, &value))
    {
      guint i;

      for (i = 0; i < G_N_ELEMENTS (sbar_keys); i++)
        if (g_str_equal (key, sbar_keys[i]))
          break;
      if (i == G_N_ELEMENTS (sbar_keys))
        {
          /* Translators: a key as typed, the bed's position in the list, the known keys */
          *message = g_strdup_printf (_("Unknown key “%s” in bed %u of the handover (known: "
                                        "bed, situation, background, assessment, "
                                        "recommendation)"), key, index + 1);
          return FALSE;
        }
      g_free (*fields[i]);
      *fields[i] = g_strdup (value);
    }

  for (guint i = 0; i < G_N_ELEMENTS (sbar_keys); i++)
    if (*fields[i] == NULL)
      {
        /* Translators: the missing key, the bed's position in the list */
        *message = g_strdup_printf (_("Bed %u of the handover has no “%s”"), index + 1,
                                    sbar_keys[i]);
        return FALSE;
      }

  return TRUE;
}

static void
hand_over_cb (GSimpleAction *action,
              GVariant      *parameter,
              gpointer      user_data)
{
  WardActions *self = user_data;
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GArray) beds = NULL;
  const char *acting;
  const char *to;

  g_variant_get (parameter, "(&s@aa{ss})", &to, &list);
  if (!(acting = require_acting (self, WARD_ACTION_HAND_OVER)))
    return;

  beds = g_array_sized_new (FALSE, TRUE, sizeof (WardHandoverBed), g_variant_n_children (list));
  g_array_set_clear_func (beds, (GDestroyNotify) handover_bed_clear);
  for (guint i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (list, i);
      g_autofree char *message = NULL;
      WardHandoverBed bed = { 0 };

      if (!parse_handover_bed (dict, i, &bed, &message))
        {
          handover_bed_clear (&bed);
          emit_outcome (self, WARD_ACTION_HAND_OVER, FALSE, message);
          return;
        }
      g_array_append_val (beds, bed);
    }

  /* The core checks the rest before writing anything: the receiver is
   * somebody else, every part is written, each bed once and the acting
   * nurse's (or nobody's).
   */
  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_offer_handover (acting, to,
                                                              (const WardHandoverBed *) beds->data,
                                                              beds->len,
                                                              ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, hand_over_done_cb,
                            command_new (self, WARD_ACTION_HAND_OVER,
                                         /* Translators: staff ids: the outgoing, the incoming nurse */
                                         g_strdup_printf (_("offered by %s to %s"), acting, to)));
}

static void
accept_handover_cb (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  WardActions *self = user_data;
  gint64 handover_id = g_variant_get_int64 (parameter);
  g_autofree char *number = NULL;
  const char *acting;

  if (!(acting = require_acting (self, WARD_ACTION_ACCEPT_HANDOVER)))
    return;
  if (handover_id <= 0)
    {
      emit_outcome (self, WARD_ACTION_ACCEPT_HANDOVER, FALSE,
                    _("A handover id is a positive number"));
      return;
    }

  number = g_strdup_printf ("%" G_GINT64_FORMAT, handover_id);
  ward_pipeline_care_async (self->pipeline,
                            ward_care_command_accept_handover (handover_id, acting,
                                                               ward_pipeline_get_station (self->pipeline)),
                            self->cancellable, care_done_cb,
                            command_new (self, WARD_ACTION_ACCEPT_HANDOVER,
                                         /* Translators: handover number, staff id */
                                         g_strdup_printf (_("Handover %s accepted by %s"),
                                                          number, acting)));
}

static void
ward_actions_dispose (GObject *object)
{
  WardActions *self = WARD_ACTIONS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ward_actions_parent_class)->dispose (object);
}

static void
ward_actions_class_init (WardActionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_actions_dispose;

  signals[OUTCOME] =
    g_signal_new ("outcome",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
ward_actions_init (WardActions *self)
{
  self->cancellable = g_cancellable_new ();
}

const WardActionInfo *
ward_actions_get_info (guint *n_actions)
{
  if (n_actions != NULL)
    *n_actions = G_N_ELEMENTS (actions);
  return actions;
}

WardActions *
ward_actions_new (WardPipeline *pipeline,
                  WardSession  *session)
{
  WardActions *self;

  g_return_val_if_fail (pipeline == NULL || WARD_IS_PIPELINE (pipeline), NULL);
  g_return_val_if_fail (WARD_IS_SESSION (session), NULL);

  self = g_object_new (WARD_TYPE_ACTIONS, NULL);
  self->pipeline = pipeline ? g_object_ref (pipeline) : NULL;
  self->session = g_object_ref (session);

  return self;
}

void
ward_actions_set_pipeline (WardActions  *self,
                           WardPipeline *pipeline)
{
  g_return_if_fail (WARD_IS_ACTIONS (self));
  g_return_if_fail (pipeline == NULL || WARD_IS_PIPELINE (pipeline));

  g_set_object (&self->pipeline, pipeline);
}

void
ward_actions_add_to_map (WardActions *self,
                         GActionMap  *map)
{
  g_return_if_fail (WARD_IS_ACTIONS (self));
  g_return_if_fail (G_IS_ACTION_MAP (map));

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    {
      g_autoptr(GSimpleAction) action = NULL;
      const GVariantType *type = actions[i].parameter_type ? G_VARIANT_TYPE (actions[i].parameter_type) : NULL;
      GCallback callback = NULL;

      action = g_simple_action_new (actions[i].name, type);
      if (g_str_equal (actions[i].name, WARD_ACTION_SIGN_IN))
        callback = G_CALLBACK (sign_in_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_SIGN_OUT))
        callback = G_CALLBACK (sign_out_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_ACKNOWLEDGE))
        callback = G_CALLBACK (acknowledge_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_CONFIRM))
        callback = G_CALLBACK (confirm_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_ACCEPT_TASK))
        callback = G_CALLBACK (accept_task_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_REASSIGN_TASK))
        callback = G_CALLBACK (reassign_task_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_COMPLETE_TASK))
        callback = G_CALLBACK (complete_task_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_ESCALATE))
        callback = G_CALLBACK (escalate_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_HAND_OVER))
        callback = G_CALLBACK (hand_over_cb);
      else if (g_str_equal (actions[i].name, WARD_ACTION_ACCEPT_HANDOVER))
        callback = G_CALLBACK (accept_handover_cb);

      g_assert ((callback != NULL) == actions[i].wired);
      if (callback != NULL)
        g_signal_connect_object (action, "activate", callback, self, 0);
      g_simple_action_set_enabled (action, actions[i].wired);
      g_action_map_add_action (map, G_ACTION (action));
    }
}
