/* ward-staff.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-staff"

#include "config.h"

#include "ward-staff.h"

#include "ward-core-resources.h"
#include "ward-json-strict.h"
#include "ward-pin.h"
#include "ward-staff-fhir.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#define DEMO_STAFF_RESOURCE "/io/github/wardwatch/Wardwatch/core/staff/demo-staff.json"
#define MAX_ID_LENGTH   128
#define MAX_NAME_LENGTH 256

struct _WardStaff
{
  GObject  parent_instance;

  /* Owned */
  GArray               *members;   /* of WardStaffMember */
  WardStaffFhirConfig  *fhir;      /* NULL: the file names no CareTeam */
};

G_DEFINE_FINAL_TYPE (WardStaff, ward_staff, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-staff-error-quark, ward_staff_error)

static const struct
{
  WardStaffRoles  role;
  const char     *name;
  const char     *words;
} roles[] = {
  { WARD_STAFF_ROLE_BED_NURSE, "bed-nurse", N_("Bed nurse") },
  { WARD_STAFF_ROLE_NURSE_IN_CHARGE, "nurse-in-charge", N_("Nurse in charge") },
  { WARD_STAFF_ROLE_DOCTOR, "doctor", N_("Doctor") },
  { WARD_STAFF_ROLE_OUTREACH, "outreach", N_("Outreach / rapid response") },
};

static void
member_clear (WardStaffMember *member)
{
  g_clear_pointer (&member->id, g_free);
  g_clear_pointer (&member->name, g_free);
  g_clear_pointer (&member->os_account, g_free);
  g_clear_pointer (&member->pin_hash, g_free);
}

/* Refuses the file: "origin: message" in this reader's error domain. */
#define set_invalid(error, origin, ...) \
  ward_json_strict_fail ((error), WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID, (origin), __VA_ARGS__)

/* Printable text of 1 to max bytes, no control characters. */
static gboolean
read_text (JsonNode    *node,
           gsize        max,
           const char **text)
{
  const char *value;
  gsize length;

  if (!(value = ward_json_strict_get_string (node)))
    return FALSE;

  length = strlen (value);
  if (length == 0 || length > max || !g_utf8_validate (value, length, NULL))
    return FALSE;
  for (const char *p = value; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;

  *text = value;
  return TRUE;
}

static gboolean
read_member (JsonNode         *node,
             const char       *origin,
             guint             index,
             WardStaffMember  *member,
             GError          **error)
{
  g_autoptr(GList) keys = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return set_invalid (error, origin, "staff[%u]: expected an object", index);

  object = json_node_get_object (node);
  keys = json_object_get_members (object);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (object, key);
      const char *text = NULL;

      if (strcmp (key, "id") == 0)
        {
          if (!read_text (value, MAX_ID_LENGTH, &text) || strchr (text, ' ') != NULL)
            return set_invalid (error, origin, "staff[%u].id: expected text without spaces, "
                                "1 to %d bytes", index, MAX_ID_LENGTH);
          member->id = g_strdup (text);
        }
      else if (strcmp (key, "name") == 0)
        {
          if (!read_text (value, MAX_NAME_LENGTH, &text))
            return set_invalid (error, origin, "staff[%u].name: expected text", index);
          member->name = g_strdup (text);
        }
      else if (strcmp (key, "os_account") == 0)
        {
          if (!read_text (value, MAX_ID_LENGTH, &text))
            return set_invalid (error, origin, "staff[%u].os_account: expected a login name",
                                index);
          member->os_account = g_strdup (text);
        }
      else if (strcmp (key, "pin_hash") == 0)
        {
          g_autoptr(GError) pin_error = NULL;

          if (!read_text (value, 512, &text))
            return set_invalid (error, origin, "staff[%u].pin_hash: expected text", index);
          if (!ward_pin_hash_is_valid (text, &pin_error))
            return set_invalid (error, origin, "staff[%u].pin_hash: %s", index, pin_error->message);
          member->pin_hash = g_strdup (text);
        }
      else if (strcmp (key, "roles") == 0)
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (value) ||
              json_array_get_length (array = json_node_get_array (value)) == 0)
            return set_invalid (error, origin, "staff[%u].roles: expected a list of roles "
                                "(bed-nurse, nurse-in-charge, doctor, outreach)", index);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);
              WardStaffRoles role;

              if (!read_text (element, 64, &text) || !ward_staff_role_from_string (text, &role))
                return set_invalid (error, origin, "staff[%u].roles[%u]: unknown role (bed-nurse, "
                                    "nurse-in-charge, doctor, outreach)", index, i);
              member->roles |= role;
            }
        }
      else
        return set_invalid (error, origin, "staff[%u].%s: unknown key (id, name, roles, "
                            "os_account, pin_hash)", index, key);
    }

  if (member->id == NULL)
    return set_invalid (error, origin, "staff[%u]: no id", index);
  if (member->name == NULL)
    return set_invalid (error, origin, "staff[%u] (%s): no name", index, member->id);
  if (member->roles == WARD_STAFF_ROLE_NONE)
    return set_invalid (error, origin, "staff[%u] (%s): no roles", index, member->id);

  return TRUE;
}

static void
ward_staff_finalize (GObject *object)
{
  WardStaff *self = WARD_STAFF (object);

  g_clear_pointer (&self->members, g_array_unref);
  g_clear_pointer (&self->fhir, ward_staff_fhir_config_free);

  G_OBJECT_CLASS (ward_staff_parent_class)->finalize (object);
}

static void
ward_staff_class_init (WardStaffClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_staff_finalize;
}

static void
ward_staff_init (WardStaff *self)
{
  self->members = g_array_new (FALSE, TRUE, sizeof (WardStaffMember));
  g_array_set_clear_func (self->members, (GDestroyNotify) member_clear);
}

const char *
ward_staff_role_to_string (WardStaffRoles role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return roles[i].name;

  return NULL;
}

gboolean
ward_staff_role_from_string (const char     *text,
                             WardStaffRoles *role)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (role != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (strcmp (roles[i].name, text) == 0)
      {
        *role = roles[i].role;
        return TRUE;
      }

  return FALSE;
}

const char *
ward_staff_source_to_string (WardStaffSource source)
{
  if ((source & WARD_STAFF_SOURCE_FHIR) == 0)
    return "policy";
  if ((source & WARD_STAFF_SOURCE_POLICY) == 0)
    return "fhir";
  return "policy+fhir";
}

char *
ward_staff_roles_describe (WardStaffRoles staff_roles)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (staff_roles & roles[i].role)
      {
        if (out->len > 0)
          /* Translators: between two roles of one person, "Bed nurse, Nurse in charge" */
          g_string_append (out, _(", "));
        g_string_append (out, _(roles[i].words));
      }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

WardStaff *
ward_staff_new (void)
{
  return g_object_new (WARD_TYPE_STAFF, NULL);
}

gboolean
ward_staff_add (WardStaff              *self,
                const WardStaffMember  *member,
                GError                **error)
{
  WardStaffMember copy = { 0 };

  g_return_val_if_fail (WARD_IS_STAFF (self), FALSE);
  g_return_val_if_fail (member != NULL, FALSE);

  if (member->id == NULL || member->id[0] == '\0' || member->name == NULL)
    {
      g_set_error (error, WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID,
                   "a staff member needs an id and a name");
      return FALSE;
    }

  if (ward_staff_lookup (self, member->id) != NULL)
    {
      g_set_error (error, WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID,
                   "%s: the id is given twice", member->id);
      return FALSE;
    }

  if (member->os_account != NULL && ward_staff_lookup_os_account (self, member->os_account) != NULL)
    {
      g_set_error (error, WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID,
                   "%s: OS account %s is already someone else's", member->id, member->os_account);
      return FALSE;
    }

  copy.id = g_strdup (member->id);
  copy.name = g_strdup (member->name);
  copy.roles = member->roles;
  copy.os_account = g_strdup (member->os_account);
  copy.pin_hash = g_strdup (member->pin_hash);
  copy.source = member->source != 0 ? member->source : WARD_STAFF_SOURCE_POLICY;
  g_array_append_val (self->members, copy);

  return TRUE;
}

WardStaff *
ward_staff_new_from_data (const char  *data,
                          gssize       length,
                          const char  *origin,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WardStaff) self = ward_staff_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GList) keys = NULL;
  JsonObject *root;
  JsonArray *staff = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  if (origin == NULL)
    origin = "staff";

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, WARD_STAFF_ERROR, WARD_STAFF_ERROR_PARSE, "%s: not JSON: %s", origin,
                   local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, WARD_STAFF_ERROR, WARD_STAFF_ERROR_PARSE,
                   "%s: expected a JSON object", origin);
      return NULL;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  keys = json_object_get_members (root);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (root, key);

      if (strcmp (key, "description") == 0)
        {
          if (ward_json_strict_get_string (value) == NULL)
            {
              set_invalid (error, origin, "description: expected text");
              return NULL;
            }
        }
      else if (strcmp (key, "fhir") == 0)
        {
          g_clear_pointer (&self->fhir, ward_staff_fhir_config_free);
          self->fhir = ward_staff_fhir_config_load (value, origin, error);
          if (self->fhir == NULL)
            return NULL;
        }
      else if (strcmp (key, "staff") == 0)
        {
          if (!JSON_NODE_HOLDS_ARRAY (value))
            {
              set_invalid (error, origin, "staff: expected a list of staff members");
              return NULL;
            }
          staff = json_node_get_array (value);
        }
      else
        {
          set_invalid (error, origin, "%s: unknown key (description, staff, fhir)", key);
          return NULL;
        }
    }

  if (staff == NULL)
    {
      set_invalid (error, origin, "no staff list");
      return NULL;
    }

  for (guint i = 0; i < json_array_get_length (staff); i++)
    {
      WardStaffMember member = { 0 };
      gboolean ok;

      ok = read_member (json_array_get_element (staff, i), origin, i, &member, error) &&
           ward_staff_add (self, &member, &local_error);
      member_clear (&member);
      if (local_error != NULL)
        {
          set_invalid (error, origin, "staff[%u]: %s", i, local_error->message);
          return NULL;
        }
      if (!ok)
        return NULL;
    }

  return g_steal_pointer (&self);
}

WardStaff *
ward_staff_new_from_file (const char  *path,
                          GError     **error)
{
  g_autofree char *data = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  return ward_staff_new_from_data (data, length, path, error);
}

WardStaff *
ward_staff_new_demo (GError **error)
{
  g_autoptr(GBytes) bytes = NULL;

  bytes = g_resource_lookup_data (ward_core_get_resource (), DEMO_STAFF_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;

  return ward_staff_new_from_data (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   "demo staff", error);
}

guint
ward_staff_get_n_members (WardStaff *self)
{
  g_return_val_if_fail (WARD_IS_STAFF (self), 0);

  return self->members->len;
}

const WardStaffMember *
ward_staff_get_member (WardStaff *self,
                       guint      index)
{
  g_return_val_if_fail (WARD_IS_STAFF (self), NULL);
  g_return_val_if_fail (index < self->members->len, NULL);

  return &g_array_index (self->members, WardStaffMember, index);
}

const WardStaffMember *
ward_staff_lookup (WardStaff  *self,
                   const char *id)
{
  g_return_val_if_fail (WARD_IS_STAFF (self), NULL);

  if (id == NULL)
    return NULL;

  for (guint i = 0; i < self->members->len; i++)
    {
      const WardStaffMember *member = &g_array_index (self->members, WardStaffMember, i);

      if (strcmp (member->id, id) == 0)
        return member;
    }

  return NULL;
}

const WardStaffMember *
ward_staff_lookup_os_account (WardStaff  *self,
                              const char *os_account)
{
  g_return_val_if_fail (WARD_IS_STAFF (self), NULL);

  if (os_account == NULL)
    return NULL;

  for (guint i = 0; i < self->members->len; i++)
    {
      const WardStaffMember *member = &g_array_index (self->members, WardStaffMember, i);

      if (g_strcmp0 (member->os_account, os_account) == 0)
        return member;
    }

  return NULL;
}

const WardStaffFhirConfig *
ward_staff_get_fhir_config (WardStaff *self)
{
  g_return_val_if_fail (WARD_IS_STAFF (self), NULL);

  return self->fhir;
}
