/* ward-care-share-flags.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-care-share-flags.h"
#include "ward-care-fhir.h"
#include "ward-care-share.h"
#include "ward-fhir-resources.h"
#include "ward-store-care-inbound.h"
#include "ward-store-shared.h"
#include "ward-fhir-model-flag.h"

#include <string.h>

/* -- JSON helpers --------------------------------------------------------- */

static JsonObject *
object_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
array_object (JsonArray *array,
              guint      index)
{
  JsonNode *node;

  if (array == NULL || index >= json_array_get_length (array))
    return NULL;
  node = json_array_get_element (array, index);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* A deep copy, without the server's bookkeeping. */
static JsonObject *
copy_without_meta (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autofree char *text = json_to_string (node, FALSE);
  g_autoptr(JsonNode) copy = json_from_string (text, NULL);
  JsonObject *result;

  g_assert (copy != NULL && JSON_NODE_HOLDS_OBJECT (copy));
  result = json_object_ref (json_node_get_object (copy));
  json_object_remove_member (result, "meta");
  return result;
}

static gint64
parse_time (const char *text)
{
  gint64 usec = 0;

  if (text == NULL || !ward_time_parse_iso8601 (text, &usec))
    return 0;
  return usec;
}

/* The extension with that url in object's extension array, and its index. */
static JsonObject *
find_extension (JsonObject *object,
                const char *url,
                guint      *index)
{
  JsonArray *extensions = array_member (object, "extension");

  for (guint i = 0; extensions != NULL && i < json_array_get_length (extensions); i++)
    {
      JsonObject *extension = array_object (extensions, i);

      if (g_strcmp0 (string_member (extension, "url"), url) == 0)
        {
          if (index != NULL)
            *index = i;
          return extension;
        }
    }

  return NULL;
}

/* Puts a copy of extension (from another resource) in place of the one
 * with its url in target, or at the end.
 */
static void
replace_extension (JsonObject *target,
                   JsonObject *extension)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), extension);
  JsonArray *extensions = array_member (target, "extension");
  guint index = 0;

  if (extensions == NULL)
    {
      json_object_set_array_member (target, "extension", json_array_new ());
      extensions = array_member (target, "extension");
    }
  if (find_extension (target, string_member (extension, "url"), &index) != NULL)
    json_array_remove_element (extensions, index);
  json_array_add_element (extensions, json_node_copy (node));
}

/* -- Flags ---------------------------------------------------------------- */

static gboolean
flag_is_closed (JsonObject *flag)
{
  const char *status = string_member (flag, "status");

  return status != NULL && !g_str_equal (status, "active");
}

/* 0 (none) to 4 (high), from the flag-priority extension. */
static int
flag_priority_rank (JsonObject *flag)
{
  static const char * const codes[] = { "PN", "PL", "PM", "PH" };
  JsonObject *extension = find_extension (flag, WARD_FHIR_EXTENSION_FLAG_PRIORITY, NULL);
  JsonArray *coding = array_member (object_member (extension, "valueCodeableConcept"), "coding");
  const char *code = string_member (array_object (coding, 0), "code");

  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (codes); i++)
    if (g_str_equal (code, codes[i]))
      return (int) i + 1;

  return 0;
}

gboolean
ward_care_share_flag_acknowledgement (JsonObject  *flag,
                                      const char **by,
                                      gint64      *at)
{
  JsonObject *extension;
  JsonArray *parts;
  const char *who = NULL;
  gint64 when = 0;

  g_return_val_if_fail (flag != NULL, FALSE);

  extension = find_extension (flag, WARD_FHIR_EXTENSION_FLAG_ACKNOWLEDGEMENT, NULL);
  parts = array_member (extension, "extension");
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = array_object (parts, i);
      const char *url = string_member (part, "url");

      if (g_strcmp0 (url, "by") == 0)
        who = string_member (part, "valueString");
      else if (g_strcmp0 (url, "at") == 0)
        when = parse_time (string_member (part, "valueDateTime"));
    }

  if (who == NULL || *who == '\0' || when == 0)
    return FALSE;
  if (by != NULL)
    *by = who;
  if (at != NULL)
    *at = when;
  return TRUE;
}

WardFhirMergeResult
ward_care_share_merge_flag (JsonObject  *local,
                            JsonObject  *server,
                            JsonObject **merged)
{
  g_autoptr(JsonObject) result = NULL;
  g_autoptr(JsonObject) server_content = NULL;
  g_autoptr(JsonNode) a = NULL;
  g_autoptr(JsonNode) b = NULL;
  const char *local_by = NULL;
  const char *server_by = NULL;
  gint64 local_at = 0;
  gint64 server_at = 0;
  gboolean local_ack;
  gboolean server_ack;

  g_return_val_if_fail (local != NULL && server != NULL, WARD_FHIR_MERGE_TAKE_SERVER);

  *merged = NULL;
  result = copy_without_meta (server);

  /* Closed wins over active; of two closings the server's stands. */
  if (flag_is_closed (local) && !flag_is_closed (server))
    {
      JsonObject *period = object_member (local, "period");

      json_object_set_string_member (result, "status", string_member (local, "status"));
      if (period != NULL)
        json_object_set_object_member (result, "period", json_object_ref (period));
    }

  /* A person's acknowledgement is kept; of two, the earlier. */
  local_ack = ward_care_share_flag_acknowledgement (local, &local_by, &local_at);
  server_ack = ward_care_share_flag_acknowledgement (server, &server_by, &server_at);
  if (local_ack && (!server_ack || local_at < server_at))
    replace_extension (result, find_extension (local, WARD_FHIR_EXTENSION_FLAG_ACKNOWLEDGEMENT, NULL));

  /* The higher band, with the assessment behind it. */
  if (flag_priority_rank (local) > flag_priority_rank (server))
    {
      JsonObject *priority = find_extension (local, WARD_FHIR_EXTENSION_FLAG_PRIORITY, NULL);
      JsonObject *detail = find_extension (local, WARD_FHIR_EXTENSION_FLAG_DETAIL, NULL);

      replace_extension (result, priority);
      if (detail != NULL)
        replace_extension (result, detail);
    }

  server_content = copy_without_meta (server);
  a = json_node_init_object (json_node_alloc (), result);
  b = json_node_init_object (json_node_alloc (), server_content);
  if (json_node_equal (a, b))
    return WARD_FHIR_MERGE_TAKE_SERVER;

  *merged = g_steal_pointer (&result);
  return WARD_FHIR_MERGE_WRITE;
}

/* The FHIR id of a local flag: a NEWS2 flag's, or a model's own. */
char *
ward_care_share_local_flag_id (const WardPatientFlag *flag)
{
  g_return_val_if_fail (flag != NULL && flag->patient_id != NULL, NULL);

  if (g_strcmp0 (flag->kind, "model") == 0 && flag->scorer != NULL)
    return ward_fhir_model_flag_id (flag->patient_id, flag->scorer, flag->opened_at);
  return ward_fhir_flag_id (flag->patient_id, flag->opened_at);
}

gboolean
ward_care_share_apply_flag (WardEngine  *engine,
                            JsonObject  *resource,
                            const char  *station,
                            gint64      *flag_id,
                            GError     **error)
{
  WardStore *store;
  g_autoptr(GArray) open = NULL;
  const char *id;
  const char *by = NULL;
  const char *from = station != NULL ? station : "another station";
  gint64 at = 0;
  gboolean acknowledged;
  gboolean closed;

  g_return_val_if_fail (WARD_IS_ENGINE (engine), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);

  *flag_id = 0;
  store = ward_engine_get_store (engine);
  id = string_member (resource, "id");
  acknowledged = ward_care_share_flag_acknowledgement (resource, &by, &at);
  closed = flag_is_closed (resource);
  if (id == NULL || (!acknowledged && !closed))
    return TRUE;

  if (!(open = ward_store_inbound_list_open_flags (store, error)))
    return FALSE;
  for (guint i = 0; i < open->len; i++)
    {
      WardPatientFlag *flag = &g_array_index (open, WardPatientFlag, i);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *fhir_id = ward_care_share_local_flag_id (flag);
      gboolean changed = FALSE;

      if (!g_str_equal (fhir_id, id))
        continue;

      /* Acknowledged here already (by whoever came first here): kept. */
      if (acknowledged && flag->acknowledged_by == NULL)
        {
          if (!ward_engine_acknowledge_shared (engine, flag->id, at, by, from, &local_error) &&
              !g_error_matches (local_error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_NO_FLAG))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          changed = local_error == NULL;
          g_clear_error (&local_error);
        }

      /* Closed there: closed here, at the time it closed there (never
       * before it opened; now when it says no time), and not raised
       * again for the same data (ward_engine_close_shared()).
       */
      if (closed)
        {
          gint64 closed_at = parse_time (string_member (object_member (resource, "period"), "end"));

          if (closed_at == 0)
            closed_at = g_get_real_time ();
          closed_at = MAX (closed_at, flag->opened_at);
          if (!ward_engine_close_shared (engine, flag->id, closed_at, from, &local_error) &&
              !g_error_matches (local_error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_NO_FLAG))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          changed = changed || local_error == NULL;
        }

      if (changed)
        *flag_id = flag->id;
      return TRUE;
    }

  return TRUE;
}

/* -- Communications ------------------------------------------------------- */

char *
ward_care_share_communication_id (const char *task_fhir_id,
                                  const char *kind)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (kind != NULL, NULL);

  if (task_fhir_id == NULL ||
      (!g_str_equal (kind, "notification") && !g_str_equal (kind, "escalation")))
    return NULL;

  key = g_strdup_printf ("%s|%s", task_fhir_id, kind);
  return ward_fhir_resource_id_for ("communication", key);
}

static gboolean
communication_kind_is_known (const char *kind)
{
  static const char * const kinds[] = {
    "notification", "escalation", "handover", "concern", "reassignment",
  };

  for (guint i = 0; kind != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (g_str_equal (kind, kinds[i]))
      return TRUE;

  return FALSE;
}

/* "Type/id" of a reference, the id part when the type is type. */
static const char *
reference_id (JsonObject *reference,
              const char *type)
{
  const char *text = string_member (reference, "reference");
  gsize length = strlen (type);

  if (text == NULL || strncmp (text, type, length) != 0 || text[length] != '/')
    return NULL;
  return text + length + 1;
}

/* The staff id of an identifier reference, or NULL. */
static const char *
staff_of (JsonObject *reference)
{
  JsonObject *identifier = object_member (reference, "identifier");

  if (g_strcmp0 (string_member (identifier, "system"), WARD_FHIR_SYSTEM_STAFF_ID) != 0)
    return NULL;
  return string_member (identifier, "value");
}

/* The ward's patient id behind a Patient reference: the identifier of
 * the Patient this station wrote with that id (in local identity the
 * connector's id, made from the patient id alike on every station), else
 * the id itself (a server's identity answer, or the ward's own id).
 */
gboolean
ward_care_share_patient_for_subject (WardStore   *store,
                                     const char  *subject_id,
                                     char       **patient_id,
                                     GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *value = NULL;

  *patient_id = NULL;
  if (subject_id == NULL)
    return TRUE;
  json = ward_store_get_resource (store, "Patient", subject_id, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (json != NULL && (node = json_from_string (json, NULL)) != NULL && JSON_NODE_HOLDS_OBJECT (node))
    value = string_member (array_object (array_member (json_node_get_object (node), "identifier"), 0),
                           "value");
  *patient_id = g_strdup (value != NULL ? value : subject_id);
  return TRUE;
}

/* The local task a Task id names (open tasks only: a ward has few). */
static gboolean
find_task (WardStore   *store,
           const char  *installation_id,
           const char  *task_fhir_id,
           WardTask   **found,
           GError     **error)
{
  g_autoptr(GPtrArray) open = NULL;

  *found = NULL;
  if (task_fhir_id == NULL)
    return TRUE;
  if (!(open = ward_store_list_tasks (store, WARD_TASK_LIST_OPEN, 0, NULL, error)))
    return FALSE;
  for (guint i = 0; i < open->len; i++)
    {
      WardTask *task = g_ptr_array_index (open, i);
      g_autofree char *fhir_id = NULL;

      if (!ward_care_share_task_ids (store, installation_id, task->id, &fhir_id, NULL, error))
        return FALSE;
      if (g_str_equal (fhir_id, task_fhir_id))
        {
          *found = ward_task_copy (task);
          return TRUE;
        }
    }

  return TRUE;
}

gboolean
ward_care_share_apply_communication (WardStore   *store,
                                     const char  *installation_id,
                                     JsonObject  *resource,
                                     const char  *station,
                                     gboolean    *inserted,
                                     GError     **error)
{
  g_autoptr(WardTask) task = NULL;
  g_autoptr(GPtrArray) known = NULL;
  g_autofree char *task_fhir_id = NULL;
  g_autofree char *subject_patient = NULL;
  JsonObject *recipient;
  JsonObject *sender;
  const char *id;
  const char *kind;
  const char *payload;
  const char *patient_id;
  gint64 sent_at;
  WardCommunication c = { 0 };

  g_return_val_if_fail (WARD_IS_STORE (store), FALSE);
  g_return_val_if_fail (resource != NULL, FALSE);

  *inserted = FALSE;
  id = string_member (resource, "id");
  kind = string_member (array_object (array_member (resource, "category"), 0), "text");
  payload = string_member (array_object (array_member (resource, "payload"), 0), "contentString");
  sent_at = parse_time (string_member (resource, "sent"));
  if (id == NULL || !communication_kind_is_known (kind) || payload == NULL || sent_at == 0)
    {
      /* Not one of ours (another system's message): not for the timeline. */
      g_debug ("Communication %s is not a care-team message Wardwatch reads", id ? id : "?");
      return TRUE;
    }

  task_fhir_id = g_strdup (reference_id (array_object (array_member (resource, "about"), 0), "Task"));
  if (!find_task (store, installation_id, task_fhir_id, &task, error))
    return FALSE;

  /* Made here too (both stations saw the flag): recorded once. */
  if (task != NULL)
    {
      if (!(known = ward_store_list_communications (store, task->id, error)))
        return FALSE;
      for (guint i = 0; i < known->len; i++)
        {
          WardCommunication *mine = g_ptr_array_index (known, i);
          g_autofree char *mine_id = ward_care_share_communication_id (task_fhir_id, mine->kind);

          if (mine_id == NULL)
            mine_id = ward_care_fhir_communication_id (installation_id, mine->id);
          if (g_str_equal (mine_id, id))
            return TRUE;
        }
    }

  recipient = array_object (array_member (resource, "recipient"), 0);
  sender = object_member (resource, "sender");
  if (task == NULL &&
      !ward_care_share_patient_for_subject (store,
                                            reference_id (object_member (resource, "subject"),
                                                          "Patient"),
                                            &subject_patient, error))
    return FALSE;
  patient_id = task != NULL ? task->patient_id : subject_patient;

  c.kind = (char *) kind;
  c.task_id = task != NULL ? task->id : 0;
  c.patient_id = (char *) patient_id;
  c.sender = (char *) (staff_of (sender) != NULL ? staff_of (sender) : "wardwatch");
  c.recipient_staff = (char *) staff_of (recipient);
  c.recipient_role = c.recipient_staff == NULL ? (char *) string_member (recipient, "display") : NULL;
  c.sent_at = sent_at;
  c.payload = (char *) payload;
  c.station = (char *) (station != NULL ? station : "another station");

  if (ward_store_add_communication (store, &c, error) == 0)
    return FALSE;
  *inserted = TRUE;
  return TRUE;
}

/* -- Attaching ------------------------------------------------------------ */

typedef struct
{
  WardCare       *care;
  WardFhirShared *shared;   /* weak: it owns us */
} Attached;

static void
attached_free (gpointer data)
{
  Attached *attached = data;

  g_clear_object (&attached->care);
  g_free (attached);
}

static WardFhirMergeResult
flag_merge_cb (const char  *resource_type,
               JsonObject  *local,
               JsonObject  *server,
               JsonObject **merged,
               gpointer     user_data)
{
  return ward_care_share_merge_flag (local, server, merged);
}

static void
flag_apply_cb (const char *resource_type,
               JsonObject *resource,
               const char *station,
               gpointer    user_data)
{
  Attached *attached = user_data;
  WardEngine *engine = ward_care_get_engine (attached->care);
  g_autoptr(GError) error = NULL;
  gint64 flag_id = 0;

  /* Only an acknowledgement or a closing changes anything here: no
   * write lock for the other Flags.
   */
  if (!ward_care_share_flag_acknowledgement (resource, NULL, NULL) && !flag_is_closed (resource))
    return;
  if (!ward_engine_begin (engine, &error))
    {
      g_warning ("Cannot apply a Flag from %s: %s", station ? station : "the server", error->message);
      return;
    }
  /* The acknowledgement or the closing rewrites the Flag here: claimed
   * at once, so that it goes out through the sharing layer only.
   */
  if (!ward_care_share_apply_flag (engine, resource, station, &flag_id, &error) ||
      !ward_fhir_shared_claim_outbox (attached->shared, g_get_real_time (), &error) ||
      !ward_engine_commit (engine, &error))
    {
      g_warning ("Cannot apply a Flag from %s: %s", station ? station : "the server", error->message);
      ward_engine_rollback (engine);
      return;
    }
  if (flag_id != 0)
    g_message ("Flag %" G_GINT64_FORMAT " %s at %s", flag_id,
               flag_is_closed (resource) ? "closed" : "acknowledged",
               station ? station : "another station");
}

static WardFhirMergeResult
communication_merge_cb (const char  *resource_type,
                        JsonObject  *local,
                        JsonObject  *server,
                        JsonObject **merged,
                        gpointer     user_data)
{
  /* Written once: the same id is the same message (both stations told
   * the owner of one Task); the first one the server took stands.
   */
  *merged = NULL;
  return WARD_FHIR_MERGE_TAKE_SERVER;
}

static void
communication_apply_cb (const char *resource_type,
                        JsonObject *resource,
                        const char *station,
                        gpointer    user_data)
{
  Attached *attached = user_data;
  WardStore *store = ward_care_get_store (attached->care);
  g_autoptr(GError) error = NULL;
  g_autofree char *installation = NULL;
  gboolean inserted = FALSE;

  if (!(installation = ward_store_get_installation_id (store, &error)) ||
      !ward_store_begin (store, &error))
    {
      g_warning ("Cannot record a Communication from %s: %s", station ? station : "the server",
                 error->message);
      return;
    }
  if (!ward_care_share_apply_communication (store, installation, resource, station, &inserted,
                                            &error) ||
      !ward_store_commit (store, &error))
    {
      g_warning ("Cannot record a Communication from %s: %s", station ? station : "the server",
                 error->message);
      ward_store_rollback (store);
      return;
    }
}

void
ward_care_share_attach_flags (WardCare       *care,
                              WardFhirShared *shared)
{
  Attached *flags;
  Attached *communications;

  g_return_if_fail (WARD_IS_CARE (care));
  g_return_if_fail (WARD_IS_FHIR_SHARED (shared));

  flags = g_new0 (Attached, 1);
  flags->care = g_object_ref (care);
  flags->shared = shared;
  ward_fhir_shared_register_type (shared, "Flag", flag_merge_cb, flag_apply_cb, flags,
                                  attached_free);
  ward_fhir_shared_set_merge_on_write (shared, "Flag", TRUE);

  communications = g_new0 (Attached, 1);
  communications->care = g_object_ref (care);
  communications->shared = shared;
  ward_fhir_shared_register_type (shared, "Communication", communication_merge_cb,
                                  communication_apply_cb, communications, attached_free);
}
