/* test-staff-fhir.c: the staff file's "fhir" object, the role codes and
 * the merge of the file with the CareTeam's members.
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "ward-staff-fhir.h"

#define HASH \
  "pbkdf2-sha256$100000$N79uxfXPApqa/7IFjW0nWg==$IIgL/0frJwZ1RCtSm2bQKmOCQTjYMXCmyk98wVVwgWI="

static WardStaff *
load (const char  *fhir,
      GError     **error)
{
  g_autofree char *json = g_strdup_printf (
    "{\"staff\":[{\"id\":\"ada\",\"name\":\"Ada\",\"roles\":[\"bed-nurse\"],"
    "\"os_account\":\"ada\",\"pin_hash\":\"" HASH "\"},"
    "{\"id\":\"zed\",\"name\":\"Zed\",\"roles\":[\"doctor\"]}]%s%s}",
    fhir != NULL ? ",\"fhir\":" : "", fhir != NULL ? fhir : "");

  return ward_staff_new_from_data (json, -1, "staff.json", error);
}

static void
test_config_refused (void)
{
  static const struct
  {
    const char *fhir;
    const char *message;
  } cases[] = {
    { "[]", "staff.json: fhir: expected an object" },
    { "{\"care_team\":\"x\"}", "staff.json: fhir.care_team: unknown key (care_team_identifier, "
      "care_team_name, role_codes, staff_id_system, login_system, refresh_minutes)" },
    { "{}", "staff.json: fhir: name the ward's CareTeam by care_team_identifier or by "
      "care_team_name (one of the two)" },
    { "{\"care_team_identifier\":\"a|b\",\"care_team_name\":\"W7\"}", "(one of the two)" },
    { "{\"care_team_name\":\"\"}", "fhir.care_team_name: expected a non-empty string" },
    { "{\"care_team_name\":\"W7\",\"refresh_minutes\":0}",
      "fhir.refresh_minutes: expected 1 to 1440 minutes" },
    { "{\"care_team_name\":\"W7\",\"role_codes\":[{\"system\":\"s\",\"code\":\"c\","
      "\"role\":\"porter\"}]}", "fhir.role_codes[0].role: unknown role" },
    { "{\"care_team_name\":\"W7\",\"role_codes\":[{\"system\":\"s\",\"role\":\"doctor\"}]}",
      "fhir.role_codes[0]: needs a system, a code and a role" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WardStaff) staff = load (cases[i].fhir, &error);

      g_assert_null (staff);
      g_assert_error (error, WARD_STAFF_ERROR, WARD_STAFF_ERROR_INVALID);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %u: %s", i, error->message);
    }
}

static void
test_config_codes (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = NULL;
  g_autoptr(WardStaff) plain = NULL;
  const WardStaffFhirConfig *config;

  staff = load ("{\"care_team_identifier\":\"urn:h|w7\",\"refresh_minutes\":2,"
                "\"role_codes\":[{\"system\":\"" WARD_STAFF_FHIR_SNOMED "\",\"code\":\"224535009\","
                "\"role\":\"outreach\"},{\"system\":\"urn:h:roles\",\"code\":\"NIC\","
                "\"role\":\"nurse-in-charge\"}]}", &error);
  g_assert_no_error (error);
  config = ward_staff_get_fhir_config (staff);
  g_assert_nonnull (config);
  g_assert_cmpuint (config->refresh_seconds, ==, 120);
  g_assert_cmpstr (config->staff_id_system, ==, WARD_STAFF_FHIR_STAFF_ID_SYSTEM);

  /* The file's own code wins over the default of the same code. */
  g_assert_cmpint (ward_staff_fhir_map_coding (config, WARD_STAFF_FHIR_SNOMED, "224535009"), ==,
                   WARD_STAFF_ROLE_OUTREACH);
  g_assert_cmpint (ward_staff_fhir_map_coding (config, "urn:h:roles", "NIC"), ==,
                   WARD_STAFF_ROLE_NURSE_IN_CHARGE);
  g_assert_cmpint (ward_staff_fhir_map_coding (config, WARD_STAFF_FHIR_SNOMED, "158965000"), ==,
                   WARD_STAFF_ROLE_DOCTOR);
  g_assert_cmpint (ward_staff_fhir_map_coding (config, WARD_STAFF_FHIR_ROLE_SYSTEM, "outreach"),
                   ==, WARD_STAFF_ROLE_OUTREACH);
  g_assert_cmpint (ward_staff_fhir_map_coding (config, "urn:other", "NIC"), ==,
                   WARD_STAFF_ROLE_NONE);

  /* A file without the object names no team. */
  plain = load (NULL, &error);
  g_assert_no_error (error);
  g_assert_null (ward_staff_get_fhir_config (plain));
}

static void
test_team_matches (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) staff = load ("{\"care_team_identifier\":\"urn:h|w7\"}", &error);
  const WardStaffFhirConfig *config = ward_staff_get_fhir_config (staff);
  static const struct
  {
    const char *json;
    gboolean    matches;
  } teams[] = {
    { "{\"resourceType\":\"CareTeam\",\"identifier\":[{\"system\":\"urn:h\",\"value\":\"w7\"}]}", TRUE },
    { "{\"resourceType\":\"CareTeam\",\"status\":\"active\","
      "\"identifier\":[{\"system\":\"urn:x\",\"value\":\"w\"},{\"system\":\"urn:h\",\"value\":\"w7\"}]}", TRUE },
    { "{\"resourceType\":\"CareTeam\",\"status\":\"inactive\","
      "\"identifier\":[{\"system\":\"urn:h\",\"value\":\"w7\"}]}", FALSE },
    { "{\"resourceType\":\"CareTeam\",\"identifier\":[{\"system\":\"urn:hx\",\"value\":\"w7\"}]}", FALSE },
    { "{\"resourceType\":\"CareTeam\",\"identifier\":[{\"value\":\"w7\"}]}", FALSE },
    { "{\"resourceType\":\"Group\",\"identifier\":[{\"system\":\"urn:h\",\"value\":\"w7\"}]}", FALSE },
  };

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (teams); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (teams[i].json, &error);

      g_assert_no_error (error);
      g_assert_cmpint (ward_staff_fhir_team_matches (config, json_node_get_object (node)), ==,
                       teams[i].matches);
    }
}

static void
test_merge (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WardStaff) policy = load ("{\"care_team_name\":\"W7\"}", &error);
  g_autoptr(WardStaff) fhir = ward_staff_new ();
  g_autoptr(WardStaff) merged = NULL;
  g_autoptr(WardStaff) alone = NULL;
  g_autoptr(GPtrArray) notes = g_ptr_array_new_with_free_func (g_free);
  WardStaffMember ada = { (char *) "ada", (char *) "Ada Nwosu", WARD_STAFF_ROLE_NURSE_IN_CHARGE,
                          NULL, (char *) "not-from-the-server", WARD_STAFF_SOURCE_FHIR };
  WardStaffMember ben = { (char *) "ben", (char *) "Ben", WARD_STAFF_ROLE_DOCTOR, (char *) "bcarter",
                          NULL, WARD_STAFF_SOURCE_FHIR };
  const WardStaffMember *member;

  g_assert_no_error (error);
  g_assert_true (ward_staff_add (fhir, &ada, NULL));
  g_assert_true (ward_staff_add (fhir, &ben, NULL));

  /* Never read: the file alone. */
  alone = ward_staff_fhir_merge (policy, NULL, notes);
  g_assert_true (alone == policy);

  merged = ward_staff_fhir_merge (policy, fhir, notes);
  g_assert_cmpuint (ward_staff_get_n_members (merged), ==, 2);

  /* The server's name and roles, the file's PIN (never the server's) and
   * the file's login where the server has none.
   */
  member = ward_staff_lookup (merged, "ada");
  g_assert_cmpstr (member->name, ==, "Ada Nwosu");
  g_assert_cmpint (member->roles, ==, WARD_STAFF_ROLE_NURSE_IN_CHARGE);
  g_assert_cmpstr (member->pin_hash, ==, HASH);
  g_assert_cmpstr (member->os_account, ==, "ada");
  g_assert_cmpstr (ward_staff_source_to_string (member->source), ==, "policy+fhir");

  member = ward_staff_lookup (merged, "ben");
  g_assert_null (member->pin_hash);
  g_assert_cmpstr (member->os_account, ==, "bcarter");
  g_assert_cmpstr (ward_staff_source_to_string (member->source), ==, "fhir");

  /* In the file, not on the team: not on the list, and said so. */
  g_assert_null (ward_staff_lookup (merged, "zed"));
  g_assert_cmpuint (notes->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (notes, 0), "zed: not on the ward's CareTeam"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/staff/fhir/config-refused", test_config_refused);
  g_test_add_func ("/staff/fhir/config-codes", test_config_codes);
  g_test_add_func ("/staff/fhir/team-matches", test_team_matches);
  g_test_add_func ("/staff/fhir/merge", test_merge);

  return g_test_run ();
}
