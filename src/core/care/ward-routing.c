/* ward-routing.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-care"

#include "config.h"

#include "ward-routing.h"
#include "ward-policy.h"
#include "ward-json-strict.h"

/* A target longer than a shift is a unit mistaken, not a policy. */
#define MAX_RESPONSE_MINUTES (24 * 60)

static void
rule_free (WardRoutingRule *rule)
{
  g_free (rule->ward);
  g_free (rule->bed);
  g_free (rule->score_kind);
  g_free (rule);
}

static WardRoutingRule *
rule_copy (const WardRoutingRule *rule)
{
  WardRoutingRule *copy = g_new (WardRoutingRule, 1);

  *copy = *rule;
  copy->ward = g_strdup (rule->ward);
  copy->bed = g_strdup (rule->bed);
  copy->score_kind = g_strdup (rule->score_kind);
  return copy;
}

WardCarePolicy *
ward_care_policy_new (void)
{
  WardCarePolicy *policy = g_new0 (WardCarePolicy, 1);

  policy->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  policy->response_usec[WARD_BAND_LOW] = 60 * WARD_USEC_PER_MINUTE;
  policy->response_usec[WARD_BAND_LOW_MEDIUM] = 60 * WARD_USEC_PER_MINUTE;
  policy->response_usec[WARD_BAND_MEDIUM] = 60 * WARD_USEC_PER_MINUTE;
  policy->response_usec[WARD_BAND_HIGH] = 30 * WARD_USEC_PER_MINUTE;
  policy->concern_response_usec = 30 * WARD_USEC_PER_MINUTE;
  for (guint r = 0; r < WARD_N_ROLES; r++)
    policy->chain[r] = (WardRole) r;
  policy->chain_len = WARD_N_ROLES;

  return policy;
}

WardCarePolicy *
ward_care_policy_copy (const WardCarePolicy *policy)
{
  WardCarePolicy *copy;

  g_return_val_if_fail (policy != NULL, NULL);

  copy = g_new (WardCarePolicy, 1);
  *copy = *policy;
  copy->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) rule_free);
  for (guint i = 0; i < policy->rules->len; i++)
    g_ptr_array_add (copy->rules, rule_copy (g_ptr_array_index (policy->rules, i)));

  return copy;
}

void
ward_care_policy_free (WardCarePolicy *policy)
{
  if (policy == NULL)
    return;

  g_ptr_array_unref (policy->rules);
  g_free (policy);
}

/* Refuses the file: "origin: message" in this reader's error domain. */
#define set_invalid(error, origin, ...) \
  ward_json_strict_fail ((error), WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID, (origin), __VA_ARGS__)

static const char *
node_string (JsonNode *node)
{
  const char *text = ward_json_strict_get_string (node);

  return text != NULL && *text != '\0' ? text : NULL;
}

static gboolean
read_role (JsonNode    *node,
           const char  *origin,
           const char  *key,
           WardRole    *role,
           GError     **error)
{
  if (!ward_role_from_string (node_string (node), role))
    return set_invalid (error, origin, "%s: expected bed-nurse, nurse-in-charge, doctor or "
                        "outreach", key);

  return TRUE;
}

static gboolean
read_chain (JsonNode        *node,
            const char      *origin,
            WardCarePolicy  *policy,
            GError         **error)
{
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_invalid (error, origin, "care.escalation: expected an array of roles");

  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0 || n > WARD_N_ROLES)
    return set_invalid (error, origin, "care.escalation: expected 1 to %d roles", WARD_N_ROLES);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("care.escalation[%u]", i);
      WardRole role;

      if (!read_role (json_array_get_element (array, i), origin, key, &role, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        {
          if (policy->chain[j] == role)
            return set_invalid (error, origin, "%s: %s is in the chain twice", key,
                                ward_role_to_string (role));
        }
      policy->chain[i] = role;
    }
  policy->chain_len = n;

  return TRUE;
}

static gboolean
read_minutes (JsonNode    *node,
              const char  *origin,
              const char  *key,
              gint64      *usec,
              GError     **error)
{
  double v;

  if (!ward_json_strict_is_number (node))
    return set_invalid (error, origin, "%s: expected a number of minutes", key);

  v = json_node_get_double (node);
  if (!(v > 0) || v > MAX_RESPONSE_MINUTES)
    return set_invalid (error, origin, "%s: %g minutes is out of range (more than 0, %d at most)",
                        key, v, MAX_RESPONSE_MINUTES);

  *usec = (gint64) (v * WARD_USEC_PER_MINUTE + 0.5);
  return TRUE;
}

static gboolean
read_response_member (const WardJsonStrictContext  *context,
                      const char                   *key,
                      const char                   *path,
                      JsonNode                     *value,
                      gpointer                      user_data,
                      GError                      **error)
{
  WardCarePolicy *policy = user_data;
  WardBand band;

  if (g_str_equal (key, "concern"))
    return read_minutes (value, context->origin, path, &policy->concern_response_usec, error);

  if (!ward_band_from_string (key, &band))
    g_assert_not_reached ();

  return read_minutes (value, context->origin, path, &policy->response_usec[band], error);
}

/* g_set_str() is GLib 2.76. */
static void
replace_string (char       **field,
                const char  *text)
{
  g_free (*field);
  *field = g_strdup (text);
}

typedef struct
{
  WardRoutingRule  *rule;
  gboolean          has_role;
} RuleRead;

static gboolean
read_rule_member (const WardJsonStrictContext  *context,
                  const char                   *name,
                  const char                   *key,
                  JsonNode                     *member,
                  gpointer                      user_data,
                  GError                      **error)
{
  RuleRead *read = user_data;
  WardRoutingRule *rule = read->rule;
  const char *origin = context->origin;
  const char *text = node_string (member);

  if (g_str_equal (name, "role"))
    {
      if (!read_role (member, origin, key, &rule->role, error))
        return FALSE;
      read->has_role = TRUE;
      return TRUE;
    }

  if (text == NULL)
    return set_invalid (error, origin, "%s: expected a non-empty string", key);

  if (g_str_equal (name, "ward"))
    replace_string (&rule->ward, text);
  else if (g_str_equal (name, "bed"))
    replace_string (&rule->bed, text);
  else if (g_str_equal (name, "score_kind"))
    replace_string (&rule->score_kind, text);
  else if (g_str_equal (name, "band"))
    {
      if (!ward_band_from_string (text, &rule->band))
        return set_invalid (error, origin, "%s: expected low, low-medium, medium or high", key);
      rule->has_band = TRUE;
    }
  else
    {
      g_assert (g_str_equal (name, "flag_kind"));
      if (!ward_care_kind_from_string (text, &rule->flag_kind))
        return set_invalid (error, origin, "%s: expected clinical, technical or concern", key);
      rule->has_flag_kind = TRUE;
    }

  return TRUE;
}

static gboolean
read_rule (JsonNode         *node,
           const char       *origin,
           guint             index,
           WardRoutingRule  *rule,
           GError          **error)
{
  static const char * const keys[] = {
    "ward", "bed", "band", "score_kind", "flag_kind", "role", NULL
  };
  WardJsonStrictContext context = { WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID, origin };
  g_autofree char *path = g_strdup_printf ("care.routing[%u]", index);
  RuleRead read = { rule, FALSE };

  if (!ward_json_strict_read_object (&context, node, path, keys, read_rule_member, &read, error))
    return FALSE;

  if (!read.has_role)
    return set_invalid (error, origin, "care.routing[%u]: a rule needs a role", index);

  return TRUE;
}

static gboolean
read_rules (JsonNode        *node,
            const char      *origin,
            WardCarePolicy  *policy,
            GError         **error)
{
  JsonArray *array;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return set_invalid (error, origin, "care.routing: expected an array of rules");

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      WardRoutingRule *rule = g_new0 (WardRoutingRule, 1);

      g_ptr_array_add (policy->rules, rule);
      if (!read_rule (json_array_get_element (array, i), origin, i, rule, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
read_care_member (const WardJsonStrictContext  *context,
                  const char                   *name,
                  const char                   *path,
                  JsonNode                     *node,
                  gpointer                      user_data,
                  GError                      **error)
{
  static const char * const bands[] = { "low", "low-medium", "medium", "high", "concern", NULL };
  WardCarePolicy *result = user_data;

  if (g_str_equal (name, "escalation"))
    return read_chain (node, context->origin, result, error);

  if (g_str_equal (name, "response_minutes"))
    return ward_json_strict_read_object (context, node, path, bands, read_response_member, result,
                                         error);

  /* The file's rules replace any there were. */
  g_assert (g_str_equal (name, "routing"));
  g_ptr_array_set_size (result->rules, 0);
  return read_rules (node, context->origin, result, error);
}

gboolean
ward_care_policy_load_json (WardCarePolicy  *policy,
                            JsonNode        *care,
                            const char      *origin,
                            GError         **error)
{
  static const char * const keys[] = { "escalation", "response_minutes", "routing", NULL };
  WardJsonStrictContext context = { WARD_POLICY_ERROR, WARD_POLICY_ERROR_INVALID, NULL };
  g_autoptr(WardCarePolicy) result = NULL;

  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (care != NULL, FALSE);

  context.origin = origin != NULL ? origin : "policy";

  /* Read into a copy: a refused object changes nothing. */
  result = ward_care_policy_copy (policy);
  if (!ward_json_strict_read_object (&context, care, "care", keys, read_care_member, result, error))
    return FALSE;

  g_ptr_array_unref (policy->rules);
  *policy = *result;
  g_clear_pointer (&result, g_free);
  return TRUE;
}

gboolean
ward_care_policy_load_file (WardCarePolicy  *policy,
                            const char      *path,
                            GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!json_parser_load_from_file (parser, path, &local_error))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_PARSE, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WARD_POLICY_ERROR, WARD_POLICY_ERROR_PARSE,
                   "%s: expected a JSON object", path);
      return FALSE;
    }

  if (!json_object_has_member (json_node_get_object (root), "care"))
    return TRUE;

  return ward_care_policy_load_json (policy, json_object_get_member (json_node_get_object (root),
                                                                     "care"),
                                     path, error);
}

static gboolean
rule_matches (const WardRoutingRule  *rule,
              const WardRoutingQuery *query)
{
  if (rule->ward != NULL && g_strcmp0 (rule->ward, query->ward) != 0)
    return FALSE;
  if (rule->bed != NULL && g_strcmp0 (rule->bed, query->bed) != 0)
    return FALSE;
  if (rule->has_band && (!query->has_band || rule->band != query->band))
    return FALSE;
  /* "score_kind": "model" matches every model's flag; any other value
   * one score kind exactly ("news2", "model:demo-deterioration").
   */
  if (rule->score_kind != NULL && g_strcmp0 (rule->score_kind, query->score_kind) != 0 &&
      !(g_str_equal (rule->score_kind, "model") && ward_care_score_kind_is_model (query->score_kind)))
    return FALSE;
  if (rule->has_flag_kind && rule->flag_kind != query->kind)
    return FALSE;

  /* A technical flag is routed only by a rule that names the kind. */
  if (query->kind == WARD_CARE_KIND_TECHNICAL && !rule->has_flag_kind)
    return FALSE;

  return TRUE;
}

gboolean
ward_care_policy_route (const WardCarePolicy    *policy,
                        const WardRoutingQuery  *query,
                        WardRole                *role)
{
  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (query != NULL && role != NULL, FALSE);

  for (guint i = 0; i < policy->rules->len; i++)
    {
      const WardRoutingRule *rule = g_ptr_array_index (policy->rules, i);

      if (rule_matches (rule, query))
        {
          *role = rule->role;
          return TRUE;
        }
    }

  switch (query->kind)
    {
    case WARD_CARE_KIND_CLINICAL:
      /* A model's alert goes to the nurse in charge (the role after the
       * bed nurse in the chain) by default: it is advice about risk
       * beside NEWS2, not an escalation the NEWS2 chart asks for; the
       * nurse in charge sees the whole ward and decides who reviews it.
       * A ward that wants otherwise says so with a score_kind rule.
       */
      if (ward_care_score_kind_is_model (query->score_kind))
        {
          if (!ward_care_policy_next_role (policy, WARD_ROLE_BED_NURSE, role))
            *role = WARD_ROLE_NURSE_IN_CHARGE;
          return TRUE;
        }
      *role = WARD_ROLE_BED_NURSE;
      return TRUE;
    case WARD_CARE_KIND_CONCERN:
      if (!ward_care_policy_next_role (policy, WARD_ROLE_BED_NURSE, role))
        *role = WARD_ROLE_NURSE_IN_CHARGE;
      return TRUE;
    case WARD_CARE_KIND_TECHNICAL:
    case WARD_CARE_N_KINDS:
    default:
      return FALSE;
    }
}

gboolean
ward_care_policy_next_role (const WardCarePolicy *policy,
                            WardRole              role,
                            WardRole             *next)
{
  g_return_val_if_fail (policy != NULL && next != NULL, FALSE);

  for (guint i = 0; i + 1 < policy->chain_len; i++)
    {
      if (policy->chain[i] == role)
        {
          *next = policy->chain[i + 1];
          return TRUE;
        }
    }

  return FALSE;
}

gint64
ward_care_policy_response (const WardCarePolicy *policy,
                           WardCareKind          kind,
                           gboolean              has_band,
                           WardBand              band)
{
  g_return_val_if_fail (policy != NULL, 0);

  if (kind == WARD_CARE_KIND_CONCERN || !has_band || (guint) band > WARD_BAND_HIGH)
    return policy->concern_response_usec;

  return policy->response_usec[band];
}

WardTaskPriority
ward_care_priority_for (WardCareKind kind,
                        gboolean     has_band,
                        WardBand     band)
{
  if (kind == WARD_CARE_KIND_CONCERN || !has_band)
    return WARD_TASK_URGENT;

  switch (band)
    {
    case WARD_BAND_LOW:
      return WARD_TASK_ROUTINE;
    case WARD_BAND_LOW_MEDIUM:
    case WARD_BAND_MEDIUM:
      return WARD_TASK_URGENT;
    case WARD_BAND_HIGH:
    default:
      return WARD_TASK_ASAP;
    }
}

gboolean
ward_care_score_kind_is_model (const char *score_kind)
{
  return score_kind != NULL && g_str_has_prefix (score_kind, "model:");
}
