/* ward-fhir-references.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* Reading a referential-integrity refusal.  A server that enforces
 * referential integrity refuses an Observation whose Patient it does not
 * have yet.  Wardwatch sends the Patients and Devices it writes before
 * what references them, but a transient failure of the Patient's write
 * (a 503, a timeout) lets the Observation arrive first: that refusal is
 * not the Observation's fault, and the sync retries it rather than park
 * it, when the missing resource is one Wardwatch itself will send.
 */

#include "config.h"

#include "ward-fhir-references.h"

#include <json-glib/json-glib.h>
#include <string.h>

static gboolean
parse_text (const char  *text,
            char       **resource_type,
            char       **id)
{
  g_autoptr(GRegex) regex = NULL;
  g_autoptr(GMatchInfo) match = NULL;

  /* The test server's and HAPI's words ("HAPI-1094: Resource Patient/1
   * not found, specified in path: Observation.subject").  Rare: compiled
   * when needed.
   */
  regex = g_regex_new ("Resource ([A-Z][A-Za-z]+)/([A-Za-z0-9.-]{1,64})(/_history/[^ ]+)? "
                       "(was )?not found", 0, 0, NULL);
  if (text == NULL || !g_regex_match (regex, text, 0, &match))
    return FALSE;

  *resource_type = g_match_info_fetch (match, 1);
  *id = g_match_info_fetch (match, 2);
  return TRUE;
}

gboolean
ward_fhir_outcome_missing_reference (const char  *outcome_json,
                                     char       **resource_type,
                                     char       **id)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *outcome;
  JsonArray *issues;

  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);

  *resource_type = NULL;
  *id = NULL;
  if (outcome_json == NULL || (root = json_from_string (outcome_json, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    return FALSE;

  outcome = json_node_get_object (root);
  if (g_strcmp0 (json_object_get_string_member_with_default (outcome, "resourceType", NULL),
                 "OperationOutcome") != 0 ||
      !json_object_has_member (outcome, "issue") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (outcome, "issue")))
    return FALSE;

  issues = json_object_get_array_member (outcome, "issue");
  for (guint i = 0; i < json_array_get_length (issues); i++)
    {
      JsonNode *node = json_array_get_element (issues, i);
      JsonObject *issue;
      JsonNode *details;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      issue = json_node_get_object (node);
      if (parse_text (json_object_get_string_member_with_default (issue, "diagnostics", NULL),
                      resource_type, id))
        return TRUE;
      details = json_object_get_member (issue, "details");
      if (details != NULL && JSON_NODE_HOLDS_OBJECT (details) &&
          parse_text (json_object_get_string_member_with_default (json_node_get_object (details),
                                                                  "text", NULL),
                      resource_type, id))
        return TRUE;
    }

  return FALSE;
}

/* What Wardwatch writes references (ward-fhir-resources.c,
 * care/ward-care-fhir.c, fhir/ward-fhir-model-flag.c): an Observation its
 * Patient and Device (and the NEWS2 Observation the vital signs'
 * Observations, within the type, in the order they were queued); a
 * RiskAssessment its basis Observations; a Flag its RiskAssessment; a
 * Task its Flag and Patient; a Communication its Task; an AuditEvent the
 * Task, Flag and Patient it is about.
 */
static const char * const type_order[] = {
  "Patient", "Device", "Observation", "RiskAssessment", "Flag", "Task", "Communication",
  "AuditEvent",
};

guint
ward_fhir_resource_type_rank (const char *resource_type)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_order); i++)
    if (g_strcmp0 (resource_type, type_order[i]) == 0)
      return i;

  return G_N_ELEMENTS (type_order);
}
