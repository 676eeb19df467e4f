/* ward-pipeline-models.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-pipeline"

#include "config.h"

#include "ward-pipeline-private.h"

#include "ward-model-config.h"

/* Where the demo model is: $WARDWATCH_MODEL_DIR (an uninstalled build,
 * `meson devenv`), else the installed data.
 */
static char *
demo_model_path (void)
{
  const char *dir = g_getenv ("WARDWATCH_MODEL_DIR");

  return g_build_filename (dir != NULL && *dir != '\0' ? dir : PKGDATADIR "/models",
                           "demo-deterioration.card.json", NULL);
}

gboolean
_ward_pipeline_load_models (WardEngine         *engine,
                            const char         *policy_file,
                            const char * const *options,
                            gboolean            demo,
                            gint64              now,
                            GError            **error)
{
  g_autoptr(GPtrArray) specs = ward_model_specs_new ();

  if (policy_file != NULL && !ward_model_specs_load_policy (policy_file, specs, error))
    return FALSE;
  for (guint i = 0; options != NULL && options[i] != NULL; i++)
    {
      WardModelSpec *spec = ward_model_spec_parse_option (options[i], error);

      if (spec == NULL)
        return FALSE;
      g_ptr_array_add (specs, spec);
    }

  /* The demo ward shows a model score, its explanation and its
   * RiskAssessment: the demo model, active, labelled as such on screen
   * (its card says it is not for clinical use).
   */
  if (demo && specs->len == 0)
    {
      g_autofree char *path = demo_model_path ();

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_debug ("No demo model at %s: the demo runs with NEWS2 alone", path);
          return TRUE;
        }
      g_ptr_array_add (specs, g_new0 (WardModelSpec, 1));
      ((WardModelSpec *) specs->pdata[0])->card_path = g_steal_pointer (&path);
      ((WardModelSpec *) specs->pdata[0])->mode = WARD_SCORER_MODE_ACTIVE;
    }

  if (specs->len == 0)
    return TRUE;

  if (!ward_engine_begin (engine, error))
    return FALSE;
  for (guint i = 0; i < specs->len; i++)
    {
      const WardModelSpec *spec = specs->pdata[i];

      if (!ward_engine_load_model (engine, spec->card_path, spec->mode, now, NULL, error))
        {
          ward_engine_rollback (engine);
          return FALSE;
        }
    }

  return ward_engine_commit (engine, error);
}
