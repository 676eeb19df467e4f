/* ward-cli-staff.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-staff"

#include "config.h"

#include "ward-cli.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ward-pin.h"
#include "ward-staff.h"
#include "ward-store.h"
#include "ward-store-staff-fhir.h"

static const char usage[] =
  "Usage: wardwatch-cli staff hash-pin [--iterations=N]   (the PIN on standard input)\n"
  "       wardwatch-cli staff check FILE\n"
  "       wardwatch-cli staff --db=PATH\n"
  "\n"
  "hash-pin prints the pin_hash line of a ward staff file for a PIN of 4 to 12\n"
  "digits read from standard input (never an argument: it would show in the\n"
  "process list): PBKDF2-HMAC-SHA256 with a random salt, 200000 iterations\n"
  "unless --iterations says more (100000 at least).\n"
  "check reads a ward staff file as wardwatch --staff does and lists its members.\n"
  "--db lists the staff a station uses (the staff file merged with the FHIR\n"
  "server's CareTeam), one JSON object a line with where each came from\n"
  "(policy, fhir or policy+fhir), then the last server read's issues on\n"
  "standard error.\n";

static int
hash_pin (guint iterations)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = NULL;
  char line[64] = { 0 };
  gsize length;

  if (fgets (line, sizeof line, stdin) == NULL)
    {
      g_printerr ("wardwatch-cli staff: no PIN on standard input\n");
      return 1;
    }

  length = strlen (line);
  while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
    line[--length] = '\0';

  hash = ward_pin_hash (line, iterations, &error);
  memset (line, 0, sizeof line);
  if (hash == NULL)
    {
      g_printerr ("wardwatch-cli staff: %s\n", error->message);
      return 1;
    }

  g_print ("%s\n", hash);
  return 0;
}

static int
check_file (const char *path)
{
  g_autoptr(WardStaff) staff = NULL;
  g_autoptr(GError) error = NULL;

  staff = ward_staff_new_from_file (path, &error);
  if (staff == NULL)
    {
      g_printerr ("wardwatch-cli staff: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < ward_staff_get_n_members (staff); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (staff, i);
      g_autofree char *roles = ward_staff_roles_describe (member->roles);

      g_print ("%s\t%s\t%s\t%s\t%s\n", member->id, member->name, roles,
               member->os_account ? member->os_account : "-",
               member->pin_hash ? "PIN" : "no PIN");
    }

  return 0;
}

static int
list_roster (const char *db_path)
{
  g_autoptr(WardStore) store = NULL;
  g_autoptr(WardStaff) roster = NULL;
  g_autoptr(GPtrArray) issues = NULL;
  g_autoptr(GError) error = NULL;
  gint64 read_at = 0;
  g_autoptr(WardStaff) cached = NULL;

  store = ward_store_open_readonly (db_path, &error);
  if (store == NULL ||
      !(roster = ward_store_load_staff_roster (store, &error)) ||
      !(issues = ward_store_list_fhir_staff_issues (store, &error)))
    {
      g_printerr ("wardwatch-cli staff: %s\n", error->message);
      return 1;
    }
  cached = ward_store_load_fhir_staff (store, &read_at, &error);
  if (error != NULL)
    {
      g_printerr ("wardwatch-cli staff: %s\n", error->message);
      return 1;
    }

  for (guint i = 0; i < ward_staff_get_n_members (roster); i++)
    {
      const WardStaffMember *member = ward_staff_get_member (roster, i);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *line = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, member->id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, member->name);
      json_builder_set_member_name (builder, "roles");
      json_builder_begin_array (builder);
      for (WardStaffRoles role = WARD_STAFF_ROLE_BED_NURSE; role <= WARD_STAFF_ROLE_OUTREACH;
           role <<= 1)
        if (member->roles & role)
          json_builder_add_string_value (builder, ward_staff_role_to_string (role));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "source");
      json_builder_add_string_value (builder, ward_staff_source_to_string (member->source));
      json_builder_set_member_name (builder, "pin");
      json_builder_add_boolean_value (builder, member->pin_hash != NULL);
      json_builder_end_object (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      line = json_generator_to_data (generator, NULL);
      g_print ("%s\n", line);
    }

  if (cached != NULL)
    {
      g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (read_at / G_USEC_PER_SEC);
      g_autofree char *text = g_date_time_format_iso8601 (when);

      g_printerr ("Last read from the FHIR server: %s, %u members\n", text,
                  ward_staff_get_n_members (cached));
    }
  for (guint i = 0; i < issues->len; i++)
    g_printerr ("issue: %s\n", (const char *) g_ptr_array_index (issues, i));

  return 0;
}

int
ward_cli_staff (int    argc,
                char **argv)
{
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s", usage);
      return 0;
    }

  if (argc >= 2 && g_str_equal (argv[1], "hash-pin"))
    {
      guint64 iterations = WARD_PIN_DEFAULT_ITERATIONS;

      if (argc == 3 && g_str_has_prefix (argv[2], "--iterations="))
        {
          const char *text = argv[2] + strlen ("--iterations=");
          char *end = NULL;

          iterations = g_ascii_strtoull (text, &end, 10);
          if (text[0] == '\0' || *end != '\0' || iterations < WARD_PIN_MIN_ITERATIONS ||
              iterations > 10000000)
            {
              g_printerr ("wardwatch-cli staff: --iterations takes %d to 10000000\n",
                          WARD_PIN_MIN_ITERATIONS);
              return 2;
            }
        }
      else if (argc != 2)
        {
          g_printerr ("%s", usage);
          return 2;
        }

      return hash_pin ((guint) iterations);
    }

  if (argc == 3 && g_str_equal (argv[1], "check"))
    return check_file (argv[2]);

  if (argc == 2 && g_str_has_prefix (argv[1], "--db="))
    return list_roster (argv[1] + strlen ("--db="));

  g_printerr ("%s", usage);
  return 2;
}
