/* ward-test-scorer.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-test-scorer.h"

struct _WardTestScorer
{
  GObject   parent_instance;
  char     *kind;
  gboolean  fail;
  guint     n_scored;
  guint     n_with_news2;
};

static void ward_test_scorer_iface_init (WardScorerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WardTestScorer, ward_test_scorer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WARD_TYPE_SCORER, ward_test_scorer_iface_init))

static const char *
get_kind (WardScorer *scorer)
{
  return WARD_TEST_SCORER (scorer)->kind;
}

static const char *
get_label (WardScorer *scorer)
{
  return "Test deterioration model";
}

static const char *
get_version (WardScorer *scorer)
{
  return "0.1.0";
}

static gboolean
score (WardScorer             *scorer,
       const WardScorerInput  *input,
       WardScore              *out,
       GError                **error)
{
  WardTestScorer *self = WARD_TEST_SCORER (scorer);
  g_autoptr(GArray) pulse = ward_scorer_points_new ();
  const WardScore *news2 = ward_scorer_input_get_earlier (input, "news2");
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (self->fail)
    {
      g_set_error_literal (error, WARD_SCORER_ERROR, WARD_SCORER_ERROR_FAILED, "test failure");
      return FALSE;
    }

  if (!ward_scorer_input_get_history (input, WARD_MEAS_HR, input->window_end - 4 * WARD_USEC_PER_HOUR,
                                      input->window_end, pulse, error))
    return FALSE;

  self->n_scored++;
  if (input->news2 != NULL && input->news2 == news2)
    self->n_with_news2++;
  if (news2 == NULL)
    return TRUE;

  ward_score_init (out);
  out->kind = g_strdup (self->kind);
  out->has_probability = TRUE;
  out->probability = CLAMP (news2->total / 20.0, 0.0, 1.0);
  out->value = out->probability;
  out->complete = news2->complete;
  ward_score_add_contribution (out, "news2_total", TRUE, news2->total, out->probability);
  ward_score_add_contribution (out, "pulse_n_4h", TRUE, pulse->len, 0.0);
  out->detail_json = g_strdup_printf ("{\"pulse_readings_4h\":%u}", pulse->len);
  g_assert_true (json_parser_load_from_data (parser, "{\"text\":\"Unplanned critical care admission "
                                                     "within 24 hours\"}", -1, NULL));
  out->outcome = json_node_copy (json_parser_get_root (parser));
  return TRUE;
}

static void
ward_test_scorer_iface_init (WardScorerInterface *iface)
{
  iface->get_kind = get_kind;
  iface->get_label = get_label;
  iface->get_version = get_version;
  iface->score = score;
}

static void
ward_test_scorer_finalize (GObject *object)
{
  WardTestScorer *self = WARD_TEST_SCORER (object);

  g_free (self->kind);
  G_OBJECT_CLASS (ward_test_scorer_parent_class)->finalize (object);
}

static void
ward_test_scorer_class_init (WardTestScorerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ward_test_scorer_finalize;
}

static void
ward_test_scorer_init (WardTestScorer *self)
{
}

WardTestScorer *
ward_test_scorer_new (const char *kind)
{
  WardTestScorer *self = g_object_new (WARD_TYPE_TEST_SCORER, NULL);

  self->kind = g_strdup (kind ? kind : WARD_TEST_SCORER_KIND);
  return self;
}

void
ward_test_scorer_set_fail (WardTestScorer *self,
                           gboolean        fail)
{
  self->fail = fail;
}

guint
ward_test_scorer_get_n_scored (WardTestScorer *self)
{
  return self->n_scored;
}

guint
ward_test_scorer_get_n_with_news2 (WardTestScorer *self)
{
  return self->n_with_news2;
}
