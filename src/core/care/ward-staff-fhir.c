/* ward-staff-fhir.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-staff"

#include "config.h"

#include "ward-staff-fhir.h"

#include "ward-json-strict.h"

#include <string.h>

#define MAX_ID_LENGTH 128
#define MAX_REFRESH_MINUTES (24 * 60)

#define set_invalid(error, origin, ...) \
  ward_json_strict_fail ((error), WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID, (origin), __VA_ARGS__)

/* Tried after the file's own codes.  SNOMED CT has occupations for a
 * registered nurse and a doctor, none for "nurse in charge" or an
 * outreach team: those need Wardwatch's own codes or a local code
 * system named in the file.
 */
static const struct
{
  const char     *system;
  const char     *code;
  WardStaffRoles  role;
} default_codes[] = {
  { WARD_STAFF_FHIR_SNOMED, "224535009", WARD_STAFF_ROLE_BED_NURSE },  /* registered nurse */
  { WARD_STAFF_FHIR_SNOMED, "158965000", WARD_STAFF_ROLE_DOCTOR },     /* medical practitioner */
  { WARD_STAFF_FHIR_SNOMED, "309343006", WARD_STAFF_ROLE_DOCTOR },     /* physician */
  { WARD_STAFF_FHIR_ROLE_SYSTEM, "bed-nurse", WARD_STAFF_ROLE_BED_NURSE },
  { WARD_STAFF_FHIR_ROLE_SYSTEM, "nurse-in-charge", WARD_STAFF_ROLE_NURSE_IN_CHARGE },
  { WARD_STAFF_FHIR_ROLE_SYSTEM, "doctor", WARD_STAFF_ROLE_DOCTOR },
  { WARD_STAFF_FHIR_ROLE_SYSTEM, "outreach", WARD_STAFF_ROLE_OUTREACH },
};

static void
role_code_clear (WardStaffRoleCode *code)
{
  g_clear_pointer (&code->system, g_free);
  g_clear_pointer (&code->code, g_free);
}

static void
add_role_code (GArray         *codes,
               const char     *system,
               const char     *code,
               WardStaffRoles  role)
{
  WardStaffRoleCode entry = { g_strdup (system), g_strdup (code), role };

  g_array_append_val (codes, entry);
}

static const char *
text_of (JsonNode *node)
{
  const char *text = ward_json_strict_get_string (node);

  return text != NULL && *text != '\0' ? text : NULL;
}

static gboolean
read_role_code (const WardJsonStrictContext  *context,
                const char                   *key,
                const char                   *path,
                JsonNode                     *value,
                gpointer                      user_data,
                GError                      **error)
{
  WardStaffRoleCode *code = user_data;
  const char *text = text_of (value);

  if (text == NULL)
    return set_invalid (error, context->origin, "%s: expected a non-empty string", path);

  if (g_str_equal (key, "system"))
    code->system = g_strdup (text);
  else if (g_str_equal (key, "code"))
    code->code = g_strdup (text);
  else if (!ward_staff_role_from_string (text, &code->role))
    return set_invalid (error, context->origin, "%s: unknown role (bed-nurse, nurse-in-charge, "
                        "doctor, outreach)", path);

  return TRUE;
}

static gboolean
read_config_member (const WardJsonStrictContext  *context,
                    const char                   *key,
                    const char                   *path,
                    JsonNode                     *value,
                    gpointer                      user_data,
                    GError                      **error)
{
  static const char * const code_keys[] = { "system", "code", "role", NULL };
  WardStaffFhirConfig *config = user_data;
  const char *origin = context->origin;

  if (g_str_equal (key, "refresh_minutes"))
    {
      double minutes;

      if (!ward_json_strict_is_number (value))
        return set_invalid (error, origin, "%s: expected a number of minutes", path);
      minutes = json_node_get_double (value);
      if (!(minutes >= 1 && minutes <= MAX_REFRESH_MINUTES))
        return set_invalid (error, origin, "%s: expected 1 to %d minutes", path,
                            MAX_REFRESH_MINUTES);
      config->refresh_seconds = (guint) (minutes * 60 + 0.5);
      return TRUE;
    }

  if (g_str_equal (key, "role_codes"))
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (value))
        return set_invalid (error, origin, "%s: expected a list of {system, code, role}", path);

      array = json_node_get_array (value);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *item_path = g_strdup_printf ("%s[%u]", path, i);
          WardStaffRoleCode code = { NULL, NULL, WARD_STAFF_ROLE_NONE };

          if (!ward_json_strict_read_object (context, json_array_get_element (array, i), item_path,
                                             code_keys, read_role_code, &code, error))
            {
              role_code_clear (&code);
              return FALSE;
            }
          if (code.system == NULL || code.code == NULL || code.role == WARD_STAFF_ROLE_NONE)
            {
              role_code_clear (&code);
              return set_invalid (error, origin, "%s: needs a system, a code and a role",
                                  item_path);
            }
          g_array_append_val (config->role_codes, code);
        }
      return TRUE;
    }

  if (text_of (value) == NULL)
    return set_invalid (error, origin, "%s: expected a non-empty string", path);

  if (g_str_equal (key, "care_team_identifier"))
    config->care_team_identifier = g_strdup (text_of (value));
  else if (g_str_equal (key, "care_team_name"))
    config->care_team_name = g_strdup (text_of (value));
  else if (g_str_equal (key, "staff_id_system"))
    {
      g_free (config->staff_id_system);
      config->staff_id_system = g_strdup (text_of (value));
    }
  else
    {
      g_assert (g_str_equal (key, "login_system"));
      g_free (config->login_system);
      config->login_system = g_strdup (text_of (value));
    }

  return TRUE;
}

WardStaffFhirConfig *
ward_staff_fhir_config_load (JsonNode    *node,
                             const char  *origin,
                             GError     **error)
{
  static const char * const keys[] = {
    "care_team_identifier", "care_team_name", "role_codes", "staff_id_system", "login_system",
    "refresh_minutes", NULL
  };
  WardJsonStrictContext context = { WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID, NULL };
  WardStaffFhirConfig *config;

  g_return_val_if_fail (node != NULL, NULL);

  context.origin = origin != NULL ? origin : "staff";

  config = g_new0 (WardStaffFhirConfig, 1);
  config->role_codes = g_array_new (FALSE, TRUE, sizeof (WardStaffRoleCode));
  g_array_set_clear_func (config->role_codes, (GDestroyNotify) role_code_clear);
  config->staff_id_system = g_strdup (WARD_STAFF_FHIR_STAFF_ID_SYSTEM);
  config->login_system = g_strdup (WARD_STAFF_FHIR_LOGIN_SYSTEM);
  config->refresh_seconds = WARD_STAFF_FHIR_DEFAULT_REFRESH_SECONDS;

  if (!ward_json_strict_read_object (&context, node, "fhir", keys, read_config_member, config,
                                     error))
    {
      ward_staff_fhir_config_free (config);
      return NULL;
    }

  if ((config->care_team_identifier == NULL) == (config->care_team_name == NULL))
    {
      set_invalid (error, context.origin, "fhir: name the ward's CareTeam by care_team_identifier "
                   "or by care_team_name (one of the two)");
      ward_staff_fhir_config_free (config);
      return NULL;
    }

  /* The file's own codes first: they may say otherwise than ours. */
  for (guint i = 0; i < G_N_ELEMENTS (default_codes); i++)
    add_role_code (config->role_codes, default_codes[i].system, default_codes[i].code,
                   default_codes[i].role);

  return config;
}

void
ward_staff_fhir_config_free (WardStaffFhirConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->care_team_identifier);
  g_free (config->care_team_name);
  g_clear_pointer (&config->role_codes, g_array_unref);
  g_free (config->staff_id_system);
  g_free (config->login_system);
  g_free (config);
}

WardStaffRoles
ward_staff_fhir_map_coding (const WardStaffFhirConfig *config,
                            const char                *system,
                            const char                *code)
{
  g_return_val_if_fail (config != NULL, WARD_STAFF_ROLE_NONE);

  if (system == NULL || code == NULL)
    return WARD_STAFF_ROLE_NONE;

  for (guint i = 0; i < config->role_codes->len; i++)
    {
      const WardStaffRoleCode *entry = &g_array_index (config->role_codes, WardStaffRoleCode, i);

      if (g_str_equal (entry->system, system) && g_str_equal (entry->code, code))
        return entry->role;
    }

  return WARD_STAFF_ROLE_NONE;
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static const char *
member_text (JsonObject *object,
             const char *name)
{
  return object != NULL ? text_of (json_object_get_member (object, name)) : NULL;
}

/* "system|value" matches an identifier with both; "value" any system. */
static gboolean
identifier_matches (JsonObject *identifier,
                    const char *token)
{
  const char *bar = strchr (token, '|');
  const char *system = member_text (identifier, "system");
  const char *value = member_text (identifier, "value");

  if (value == NULL)
    return FALSE;
  if (bar == NULL)
    return g_str_equal (value, token);

  return g_str_equal (value, bar + 1) && system != NULL &&
         strlen (system) == (gsize) (bar - token) && strncmp (system, token, bar - token) == 0;
}

static const char *
identifier_in_system (JsonObject *resource,
                      const char *system)
{
  JsonArray *identifiers = member_array (resource, "identifier");

  for (guint i = 0; system != NULL && identifiers != NULL && i < json_array_get_length (identifiers); i++)
    {
      JsonNode *node = json_array_get_element (identifiers, i);
      JsonObject *identifier = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (g_strcmp0 (member_text (identifier, "system"), system) == 0 &&
          member_text (identifier, "value") != NULL)
        return member_text (identifier, "value");
    }

  return NULL;
}

gboolean
ward_staff_fhir_team_matches (const WardStaffFhirConfig *config,
                              JsonObject                *care_team)
{
  const char *status;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (care_team != NULL, FALSE);

  if (g_strcmp0 (member_text (care_team, "resourceType"), "CareTeam") != 0)
    return FALSE;

  /* A suspended, inactive or mistaken team is nobody's ward. */
  status = member_text (care_team, "status");
  if (status != NULL && !g_str_equal (status, "active"))
    return FALSE;

  if (config->care_team_name != NULL)
    return g_strcmp0 (member_text (care_team, "name"), config->care_team_name) == 0;

  for (guint i = 0; member_array (care_team, "identifier") != NULL &&
                    i < json_array_get_length (member_array (care_team, "identifier")); i++)
    {
      JsonNode *node = json_array_get_element (member_array (care_team, "identifier"), i);

      if (JSON_NODE_HOLDS_OBJECT (node) &&
          identifier_matches (json_node_get_object (node), config->care_team_identifier))
        return TRUE;
    }

  return FALSE;
}

/* An ISO 8601 date or dateTime, or 0. */
static gint64
parse_time (const char *text)
{
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  if (text == NULL)
    return 0;

  time = g_date_time_new_from_iso8601 (text, utc);
  if (time == NULL && strlen (text) == 10)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00Z", NULL);

      time = g_date_time_new_from_iso8601 (midnight, utc);
    }

  return time != NULL ? g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time) : 0;
}

/* Whether a participant's period holds now (no period: always). */
static gboolean
participant_current (JsonObject *participant,
                     gint64      now)
{
  JsonObject *period = member_object (participant, "period");
  gint64 start = parse_time (member_text (period, "start"));
  gint64 end = parse_time (member_text (period, "end"));

  return (start == 0 || start <= now) && (end == 0 || now < end);
}

/* "Type/id" of a reference, also from an absolute URL; NULL for a
 * reference to anything but a PractitionerRole or a Practitioner.
 */
static char *
local_reference (JsonObject *reference)
{
  const char *text = member_text (reference, "reference");
  const char *types[] = { "PractitionerRole/", "Practitioner/" };

  for (guint i = 0; text != NULL && i < G_N_ELEMENTS (types); i++)
    {
      const char *at = text;

      if (!g_str_has_prefix (text, types[i]))
        {
          g_autofree char *needle = g_strconcat ("/", types[i], NULL);

          at = g_strrstr (text, needle);
          if (at == NULL)
            continue;
          at++;
        }

      /* "Practitioner/x/_history/2" is still Practitioner/x. */
      {
        const char *id = at + strlen (types[i]);
        const char *slash = strchr (id, '/');

        if (*id == '\0' || slash == id)
          return NULL;
        return slash != NULL ? g_strndup (at, slash - at) : g_strdup (at);
      }
    }

  return NULL;
}

GPtrArray *
ward_staff_fhir_participants (JsonObject *care_team,
                              gint64      now)
{
  GPtrArray *references = g_ptr_array_new_with_free_func (g_free);
  JsonArray *participants;

  g_return_val_if_fail (care_team != NULL, references);

  participants = member_array (care_team, "participant");
  for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
    {
      JsonNode *node = json_array_get_element (participants, i);
      JsonObject *participant = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autofree char *reference = NULL;

      if (participant == NULL || !participant_current (participant, now))
        continue;
      reference = local_reference (member_object (participant, "member"));
      if (reference != NULL &&
          !g_ptr_array_find_with_equal_func (references, reference, g_str_equal, NULL))
        g_ptr_array_add (references, g_steal_pointer (&reference));
    }

  return references;
}

/* The roles of a list of CodeableConcepts; the codings seen go to seen. */
static WardStaffRoles
map_concepts (const WardStaffFhirConfig *config,
              JsonArray                 *concepts,
              GString                   *seen)
{
  WardStaffRoles roles = WARD_STAFF_ROLE_NONE;

  for (guint i = 0; concepts != NULL && i < json_array_get_length (concepts); i++)
    {
      JsonNode *node = json_array_get_element (concepts, i);
      JsonArray *codings;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      codings = member_array (json_node_get_object (node), "coding");
      for (guint j = 0; codings != NULL && j < json_array_get_length (codings); j++)
        {
          JsonNode *coding_node = json_array_get_element (codings, j);
          JsonObject *coding;

          if (!JSON_NODE_HOLDS_OBJECT (coding_node))
            continue;
          coding = json_node_get_object (coding_node);
          roles |= ward_staff_fhir_map_coding (config, member_text (coding, "system"),
                                               member_text (coding, "code"));
          if (seen != NULL)
            g_string_append_printf (seen, "%s%s|%s", seen->len > 0 ? ", " : "",
                                    member_text (coding, "system") ?: "",
                                    member_text (coding, "code") ?: "");
        }
    }

  return roles;
}

/* A person's name as people read it: the official (or usual) name's
 * text, or its prefix, given names and family name.
 */
static char *
practitioner_name (JsonObject *practitioner)
{
  JsonArray *names = member_array (practitioner, "name");
  JsonObject *chosen = NULL;
  g_autoptr(GString) out = NULL;

  for (guint i = 0; names != NULL && i < json_array_get_length (names); i++)
    {
      JsonNode *node = json_array_get_element (names, i);
      JsonObject *name = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *use = member_text (name, "use");

      if (name == NULL || g_strcmp0 (use, "old") == 0 || g_strcmp0 (use, "maiden") == 0)
        continue;
      if (chosen == NULL || g_strcmp0 (use, "official") == 0 ||
          (g_strcmp0 (use, "usual") == 0 && g_strcmp0 (member_text (chosen, "use"), "official") != 0))
        chosen = name;
    }

  if (chosen == NULL)
    return NULL;
  if (member_text (chosen, "text") != NULL)
    return g_strstrip (g_strdup (member_text (chosen, "text")));

  out = g_string_new (NULL);
  for (guint part = 0; part < 2; part++)
    {
      JsonArray *array = member_array (chosen, part == 0 ? "prefix" : "given");

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        if (text_of (json_array_get_element (array, i)) != NULL)
          g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "",
                                  text_of (json_array_get_element (array, i)));
    }
  if (member_text (chosen, "family") != NULL)
    g_string_append_printf (out, "%s%s", out->len > 0 ? " " : "", member_text (chosen, "family"));

  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
usable_text (const char *text,
             gboolean    allow_spaces)
{
  gsize length;

  if (text == NULL)
    return FALSE;
  length = strlen (text);
  if (length == 0 || length > MAX_ID_LENGTH || !g_utf8_validate (text, length, NULL))
    return FALSE;
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || (!allow_spaces && *p == ' '))
      return FALSE;

  return TRUE;
}

static void
add_issue (GPtrArray  *issues,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
add_issue (GPtrArray  *issues,
           const char *format,
           ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("Staff from the FHIR server: %s", message);
  if (issues != NULL)
    g_ptr_array_add (issues, message);
  else
    g_free (message);
}

static JsonObject *
lookup_resource (GHashTable *resources,
                 const char *reference)
{
  JsonObject *resource = g_hash_table_lookup (resources, reference);
  const char *slash = strchr (reference, '/');

  /* The server answered with something else than was asked for. */
  if (resource != NULL && slash != NULL &&
      (member_text (resource, "resourceType") == NULL ||
       strncmp (member_text (resource, "resourceType"), reference, slash - reference) != 0 ||
       strlen (member_text (resource, "resourceType")) != (gsize) (slash - reference)))
    return NULL;

  return resource;
}

static gboolean
is_inactive (JsonObject *resource)
{
  JsonNode *active = json_object_get_member (resource, "active");

  return active != NULL && JSON_NODE_HOLDS_VALUE (active) &&
         json_node_get_value_type (active) == G_TYPE_BOOLEAN && !json_node_get_boolean (active);
}

/* One participant: the member it is, added to (or merged into) staff. */
static void
read_participant (const WardStaffFhirConfig *config,
                  JsonObject                *participant,
                  GHashTable                *resources,
                  WardStaff                 *staff,
                  GHashTable                *roles_by_id,
                  GPtrArray                 *issues)
{
  g_autofree char *reference = local_reference (member_object (participant, "member"));
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autofree char *practitioner_ref = NULL;
  g_autofree char *name = NULL;
  g_autoptr(GError) error = NULL;
  const char *staff_id;
  const char *os_account;
  JsonObject *practitioner;
  WardStaffMember member = { 0 };
  WardStaffRoles roles;

  if (reference == NULL)
    {
      const char *text = member_text (member_object (participant, "member"), "reference");

      /* A patient or an organisation in the team is not ward staff. */
      if (text == NULL)
        add_issue (issues, "CareTeam participant: no member reference");
      return;
    }

  roles = map_concepts (config, member_array (participant, "role"), seen);

  if (g_str_has_prefix (reference, "PractitionerRole/"))
    {
      JsonObject *role = lookup_resource (resources, reference);

      if (role == NULL)
        {
          add_issue (issues, "%s: could not be read from the server", reference);
          return;
        }
      if (is_inactive (role))
        return;

      practitioner_ref = local_reference (member_object (role, "practitioner"));
      if (practitioner_ref == NULL || !g_str_has_prefix (practitioner_ref, "Practitioner/"))
        {
          add_issue (issues, "%s: no practitioner reference (PractitionerRole.practitioner)",
                     reference);
          return;
        }
      roles |= map_concepts (config, member_array (role, "code"), seen);
      if (roles == WARD_STAFF_ROLE_NONE)
        {
          add_issue (issues, "%s: no code maps to a ward role (codes: %s); map them in the staff "
                     "file's fhir.role_codes", reference, seen->len > 0 ? seen->str : "none");
          return;
        }
    }
  else
    {
      practitioner_ref = g_strdup (reference);
      if (roles == WARD_STAFF_ROLE_NONE)
        {
          add_issue (issues, "%s: in the CareTeam without a role that maps to a ward role "
                     "(codes: %s)", reference, seen->len > 0 ? seen->str : "none");
          return;
        }
    }

  practitioner = lookup_resource (resources, practitioner_ref);
  if (practitioner == NULL)
    {
      add_issue (issues, "%s: could not be read from the server (named by %s)", practitioner_ref,
                 reference);
      return;
    }
  if (is_inactive (practitioner))
    return;

  name = practitioner_name (practitioner);
  if (name == NULL || !usable_text (name, TRUE))
    {
      add_issue (issues, "%s: no usable name", practitioner_ref);
      return;
    }

  staff_id = identifier_in_system (practitioner, config->staff_id_system);
  if (staff_id == NULL)
    staff_id = practitioner_ref + strlen ("Practitioner/");
  if (!usable_text (staff_id, FALSE))
    {
      add_issue (issues, "%s: its staff id is not usable (1 to %d characters, no spaces)",
                 practitioner_ref, MAX_ID_LENGTH);
      return;
    }

  /* The same person in two roles (or two teams) is one member. */
  if (ward_staff_lookup (staff, staff_id) != NULL)
    {
      WardStaffRoles *known = g_hash_table_lookup (roles_by_id, staff_id);

      *known |= roles;
      return;
    }

  os_account = identifier_in_system (practitioner, config->login_system);
  if (os_account != NULL && ward_staff_lookup_os_account (staff, os_account) != NULL)
    {
      add_issue (issues, "%s: OS account %s is already someone else's; left without one",
                 practitioner_ref, os_account);
      os_account = NULL;
    }

  member.id = (char *) staff_id;
  member.name = name;
  member.roles = roles;
  member.os_account = (char *) os_account;
  member.source = WARD_STAFF_SOURCE_FHIR;
  if (!ward_staff_add (staff, &member, &error))
    {
      add_issue (issues, "%s: %s", practitioner_ref, error->message);
      return;
    }

  {
    WardStaffRoles *stored = g_new (WardStaffRoles, 1);

    *stored = roles;
    g_hash_table_insert (roles_by_id, g_strdup (staff_id), stored);
  }
}

WardStaff *
ward_staff_fhir_read (const WardStaffFhirConfig *config,
                      GPtrArray                 *care_teams,
                      GHashTable                *resources,
                      gint64                     now,
                      GPtrArray                 *issues)
{
  g_autoptr(GHashTable) roles_by_id = NULL;
  g_autoptr(WardStaff) staff = ward_staff_new ();
  g_autoptr(WardStaff) result = ward_staff_new ();

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (care_teams != NULL, NULL);
  g_return_val_if_fail (resources != NULL, NULL);

  roles_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint t = 0; t < care_teams->len; t++)
    {
      JsonObject *team = g_ptr_array_index (care_teams, t);
      JsonArray *participants = member_array (team, "participant");

      for (guint i = 0; participants != NULL && i < json_array_get_length (participants); i++)
        {
          JsonNode *node = json_array_get_element (participants, i);

          if (JSON_NODE_HOLDS_OBJECT (node) &&
              participant_current (json_node_get_object (node), now))
            read_participant (config, json_node_get_object (node), resources, staff, roles_by_id,
                              issues);
        }
    }

  /* Again with the roles gathered from every role a person holds. */
  for (guint i = 0; i < ward_staff_get_n_members (staff); i++)
    {
      WardStaffMember member = *ward_staff_get_member (staff, i);
      WardStaffRoles *roles = g_hash_table_lookup (roles_by_id, member.id);

      gboolean added;

      member.roles = *roles;
      added = ward_staff_add (result, &member, NULL);
      g_assert (added);
    }

  return g_steal_pointer (&result);
}

WardStaff *
ward_staff_fhir_merge (WardStaff *policy,
                       WardStaff *fhir,
                       GPtrArray *notes)
{
  g_autoptr(WardStaff) merged = ward_staff_new ();

  g_return_val_if_fail (WARD_IS_STAFF (policy), NULL);
  g_return_val_if_fail (fhir == NULL || WARD_IS_STAFF (fhir), NULL);

  if (fhir == NULL)
    return g_object_ref (policy);

  for (guint i = 0; i < ward_staff_get_n_members (fhir); i++)
    {
      WardStaffMember member = *ward_staff_get_member (fhir, i);
      const WardStaffMember *local = ward_staff_lookup (policy, member.id);
      g_autoptr(GError) error = NULL;

      member.source = WARD_STAFF_SOURCE_FHIR;
      member.pin_hash = NULL;
      if (local != NULL)
        {
          member.source |= WARD_STAFF_SOURCE_POLICY;
          member.pin_hash = local->pin_hash;
          if (member.os_account == NULL &&
              ward_staff_lookup_os_account (merged, local->os_account) == NULL)
            member.os_account = local->os_account;
        }

      if (!ward_staff_add (merged, &member, &error))
        add_issue (notes, "%s: %s", member.id, error->message);
    }

  for (guint i = 0; i < ward_staff_get_n_members (policy); i++)
    {
      const WardStaffMember *local = ward_staff_get_member (policy, i);

      if (ward_staff_lookup (fhir, local->id) == NULL)
        add_issue (notes, "staff file entry %s: not on the ward's CareTeam, so not on the list",
                   local->id);
    }

  return g_steal_pointer (&merged);
}
