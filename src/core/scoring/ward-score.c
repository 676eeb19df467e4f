/* ward-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-scorer"

#include "config.h"

#include "ward-score.h"

#include <string.h>

static void
contribution_clear (WardScoreContribution *c)
{
  g_clear_pointer (&c->name, g_free);
}

void
ward_score_init (WardScore *score)
{
  g_return_if_fail (score != NULL);

  memset (score, 0, sizeof *score);
  score->contributions = g_array_new (FALSE, TRUE, sizeof (WardScoreContribution));
  g_array_set_clear_func (score->contributions, (GDestroyNotify) contribution_clear);
}

void
ward_score_clear (WardScore *score)
{
  g_return_if_fail (score != NULL);

  g_clear_pointer (&score->kind, g_free);
  g_clear_pointer (&score->label, g_free);
  g_clear_pointer (&score->version, g_free);
  g_clear_pointer (&score->contributions, g_array_unref);
  g_clear_pointer (&score->detail_json, g_free);
  g_clear_pointer (&score->outcome, json_node_unref);
  memset (score, 0, sizeof *score);
}

void
ward_score_copy (const WardScore *src,
                 WardScore       *dest)
{
  g_return_if_fail (src != NULL && dest != NULL);

  ward_score_init (dest);
  {
    GArray *contributions = dest->contributions;

    *dest = *src;
    dest->contributions = contributions;
  }
  dest->kind = g_strdup (src->kind);
  dest->label = g_strdup (src->label);
  dest->version = g_strdup (src->version);
  dest->detail_json = g_strdup (src->detail_json);
  dest->outcome = src->outcome ? json_node_copy (src->outcome) : NULL;
  for (guint i = 0; src->contributions != NULL && i < src->contributions->len; i++)
    {
      const WardScoreContribution *c = &g_array_index (src->contributions, WardScoreContribution, i);

      ward_score_add_contribution (dest, c->name, c->has_value, c->value, c->contribution);
    }
}

void
ward_score_add_contribution (WardScore  *score,
                             const char *name,
                             gboolean    has_value,
                             double      value,
                             double      contribution)
{
  WardScoreContribution c = { 0 };

  g_return_if_fail (score != NULL && name != NULL);

  if (score->contributions == NULL)
    {
      score->contributions = g_array_new (FALSE, TRUE, sizeof (WardScoreContribution));
      g_array_set_clear_func (score->contributions, (GDestroyNotify) contribution_clear);
    }
  c.name = g_strdup (name);
  c.has_value = has_value;
  c.value = has_value ? value : 0.0;
  c.contribution = contribution;
  g_array_append_val (score->contributions, c);
}

const WardScoreContribution *
ward_score_get_contribution (const WardScore *score,
                             const char      *name)
{
  g_return_val_if_fail (score != NULL && name != NULL, NULL);

  for (guint i = 0; score->contributions != NULL && i < score->contributions->len; i++)
    {
      const WardScoreContribution *c = &g_array_index (score->contributions, WardScoreContribution, i);

      if (g_strcmp0 (c->name, name) == 0)
        return c;
    }

  return NULL;
}

char *
ward_score_contributions_to_json (const WardScore *score)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (score != NULL, NULL);

  json_builder_begin_array (builder);
  for (guint i = 0; score->contributions != NULL && i < score->contributions->len; i++)
    {
      const WardScoreContribution *c = &g_array_index (score->contributions, WardScoreContribution, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, c->name);
      json_builder_set_member_name (builder, "value");
      if (c->has_value)
        json_builder_add_double_value (builder, c->value);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "contribution");
      json_builder_add_double_value (builder, c->contribution);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}
