/* ward-cli-handover.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-cli-handover"

#include "config.h"

#include "ward-cli.h"

#include <stdio.h>
#include <string.h>

#include "ward-handover-sheet.h"

static const char usage[] =
  "Usage: wardwatch-cli handover-sheet OUT.pdf < SHEET.json\n"
  "\n"
  "Draws a handover sheet (A4 PDF) from JSON on standard input:\n"
  "  {\"ward\": \"Ward 7B\", \"printed_by\": \"...\", \"show_names\": false,\n"
  "   \"beds\": [{\"bed\": \"Bed 1\", \"patient\": \"...\", \"news2\": 7, \"band\": \"high\",\n"
  "             \"tasks\": [{\"description\": \"...\", \"owner\": \"...\",\n"
  "                        \"due\": \"2026-12-07T14:30:00Z\"}],\n"
  "             \"situation\": \"...\", \"background\": \"...\",\n"
  "             \"assessment\": \"...\", \"recommendation\": \"...\"}]}\n"
  "Every key is optional but beds; an unknown key is refused, naming it.\n";

/* What the borrowed strings of the sheet point into lives as long as the
 * parser does.
 */
typedef struct
{
  GArray *beds;    /* of WardHandoverBed */
  GArray *tasks;   /* of GArray of WardHandoverTask, one per bed */
} Sheet;

static gboolean
get_text (JsonObject  *object,
          const char  *key,
          const char  *where,
          const char **out,
          GError     **error)
{
  JsonNode *node = json_object_get_member (object, key);

  if (JSON_NODE_HOLDS_NULL (node))
    {
      *out = NULL;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT, "%s.%s: expected text",
                   where, key);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
read_task (JsonNode          *node,
           const char        *where,
           WardHandoverTask  *task,
           GError           **error)
{
  g_autoptr(GList) keys = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT, "%s: expected an object", where);
      return FALSE;
    }

  object = json_node_get_object (node);
  keys = json_object_get_members (object);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;

      if (strcmp (key, "description") == 0)
        {
          if (!get_text (object, key, where, &task->description, error))
            return FALSE;
        }
      else if (strcmp (key, "owner") == 0)
        {
          if (!get_text (object, key, where, &task->owner, error))
            return FALSE;
        }
      else if (strcmp (key, "due") == 0)
        {
          g_autoptr(GDateTime) due = NULL;
          const char *text = NULL;

          if (!get_text (object, key, where, &text, error))
            return FALSE;
          if (text != NULL && (due = g_date_time_new_from_iso8601 (text, NULL)) == NULL)
            {
              g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "%s.due: expected an ISO 8601 time with its offset", where);
              return FALSE;
            }
          task->due = due ? g_date_time_to_unix (due) * G_USEC_PER_SEC : 0;
        }
      else
        {
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "%s.%s: unknown key (description, owner, due)", where, key);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
read_bed (JsonNode         *node,
          guint             index,
          WardHandoverBed  *bed,
          GArray           *tasks,
          GError          **error)
{
  g_autofree char *where = g_strdup_printf ("beds[%u]", index);
  g_autoptr(GList) keys = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT, "%s: expected an object", where);
      return FALSE;
    }

  bed->news2 = -1;
  object = json_node_get_object (node);
  keys = json_object_get_members (object);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (object, key);
      const char **text = NULL;

      if (strcmp (key, "bed") == 0)
        text = &bed->bed;
      else if (strcmp (key, "patient") == 0)
        text = &bed->patient_name;
      else if (strcmp (key, "situation") == 0)
        text = &bed->situation;
      else if (strcmp (key, "background") == 0)
        text = &bed->background;
      else if (strcmp (key, "assessment") == 0)
        text = &bed->assessment;
      else if (strcmp (key, "recommendation") == 0)
        text = &bed->recommendation;
      else if (strcmp (key, "news2") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_INT64 ||
              json_node_get_int (value) < 0 || json_node_get_int (value) > 20)
            {
              g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "%s.news2: expected a score from 0 to 20", where);
              return FALSE;
            }
          bed->news2 = (int) json_node_get_int (value);
          continue;
        }
      else if (strcmp (key, "band") == 0)
        {
          const char *band = NULL;

          if (!get_text (object, key, where, &band, error))
            return FALSE;
          if (band == NULL || !ward_band_from_string (band, &bed->band))
            {
              g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "%s.band: expected low, low-medium, medium or high", where);
              return FALSE;
            }
          continue;
        }
      else if (strcmp (key, "tasks") == 0)
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (value))
            {
              g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "%s.tasks: expected a list", where);
              return FALSE;
            }
          array = json_node_get_array (value);
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              g_autofree char *task_where = g_strdup_printf ("%s.tasks[%u]", where, i);
              WardHandoverTask task = { 0 };

              if (!read_task (json_array_get_element (array, i), task_where, &task, error))
                return FALSE;
              g_array_append_val (tasks, task);
            }
          continue;
        }
      else
        {
          g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                       "%s.%s: unknown key (bed, patient, news2, band, tasks, situation, "
                       "background, assessment, recommendation)", where, key);
          return FALSE;
        }

      if (!get_text (object, key, where, text, error))
        return FALSE;
    }

  if (bed->news2 >= 0 && !json_object_has_member (object, "band"))
    {
      g_set_error (error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                   "%s: a score needs its band", where);
      return FALSE;
    }

  return TRUE;
}

int
ward_cli_handover_sheet (int    argc,
                         char **argv)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  char buf[4096];
  size_t n;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) keys = NULL;
  g_autoptr(GArray) beds = g_array_new (FALSE, TRUE, sizeof (WardHandoverBed));
  g_autoptr(GPtrArray) task_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  WardHandoverSheet sheet = { 0 };
  JsonObject *root;
  guint n_pages = 0;

  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s", usage);
      return 0;
    }
  if (argc != 2)
    {
      g_printerr ("%s", usage);
      return 2;
    }

  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    g_string_append_len (text, buf, (gssize) n);
  if (ferror (stdin))
    {
      g_printerr ("wardwatch-cli handover-sheet: cannot read standard input\n");
      return 1;
    }

  if (!json_parser_load_from_data (parser, text->str, (gssize) text->len, &error))
    {
      g_printerr ("wardwatch-cli handover-sheet: not JSON: %s\n", error->message);
      return 1;
    }
  if (json_parser_get_root (parser) == NULL || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_printerr ("wardwatch-cli handover-sheet: expected a JSON object\n");
      return 1;
    }

  root = json_node_get_object (json_parser_get_root (parser));
  keys = json_object_get_members (root);
  for (GList *l = keys; l != NULL && error == NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (root, key);

      if (strcmp (key, "ward") == 0)
        get_text (root, key, "sheet", &sheet.ward, &error);
      else if (strcmp (key, "printed_by") == 0)
        get_text (root, key, "sheet", &sheet.printed_by, &error);
      else if (strcmp (key, "show_names") == 0)
        {
          if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_BOOLEAN)
            g_set_error (&error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                         "sheet.show_names: expected true or false");
          else
            sheet.show_names = json_node_get_boolean (value);
        }
      else if (strcmp (key, "beds") == 0)
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (value))
            {
              g_set_error (&error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                           "sheet.beds: expected a list");
              break;
            }
          array = json_node_get_array (value);
          for (guint i = 0; i < json_array_get_length (array) && error == NULL; i++)
            {
              GArray *tasks = g_array_new (FALSE, TRUE, sizeof (WardHandoverTask));
              WardHandoverBed bed = { 0 };

              g_ptr_array_add (task_lists, tasks);
              if (read_bed (json_array_get_element (array, i), i, &bed, tasks, &error))
                g_array_append_val (beds, bed);
            }
        }
      else
        g_set_error (&error, WARD_CLI_ERROR, WARD_CLI_ERROR_INVALID_INPUT,
                     "sheet.%s: unknown key (ward, printed_by, show_names, beds)", key);
    }

  if (error != NULL)
    {
      g_printerr ("wardwatch-cli handover-sheet: %s\n", error->message);
      return 1;
    }

  /* The task arrays are complete now: point the beds at them. */
  for (guint i = 0; i < beds->len; i++)
    {
      WardHandoverBed *bed = &g_array_index (beds, WardHandoverBed, i);
      GArray *tasks = g_ptr_array_index (task_lists, i);

      bed->tasks = (const WardHandoverTask *) tasks->data;
      bed->n_tasks = tasks->len;
    }

  sheet.printed_at = g_get_real_time ();
  sheet.beds = (const WardHandoverBed *) beds->data;
  sheet.n_beds = beds->len;

  if (!ward_handover_sheet_write_pdf (&sheet, argv[1], &n_pages, &error))
    {
      g_printerr ("wardwatch-cli handover-sheet: %s\n", error->message);
      return 1;
    }

  g_print ("%s: %u %s\n", argv[1], n_pages, n_pages == 1 ? "page" : "pages");
  return 0;
}
