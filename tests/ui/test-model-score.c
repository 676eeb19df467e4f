/* test-model-score.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-model-score"

#include "config.h"

#include <adwaita.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-bed-tile.h"
#include "ward-bed-tile-private.h"
#include "ward-engine.h"
#include "ward-model-card-texts.h"
#include "ward-model-score.h"
#include "ward-model-score-private.h"

/* A model score on screen, from a real engine running the shipped demo
 * model: active, the tile says "Demo model N %" and the patient view's
 * section explains it; shadow, nothing of the model appears anywhere.
 */

/* 2027-01-15T08:00:00Z */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC
#define MINUTE WARD_USEC_PER_MINUTE

static void
ingest_at (WardEngine *engine,
           gint64      at,
           const char *values)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *iso = ward_time_format_iso8601 (at);
  g_autofree char *msg = NULL;
  static guint serial;

  msg = g_strdup_printf ("{\"deviceId\":\"mon-1\",\"messageId\":\"m-%u\",\"kind\":\"vitals\","
                         "\"measuredAt\":\"%s\",%s}", ++serial, iso, values);
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_ingest (engine, "test", WARD_CONTENT_TYPE_JSON, NULL, msg,
                                     strlen (msg), at, NULL, NULL, &error));
  g_assert_true (ward_engine_evaluate (engine, at, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
}

/* A snapshot of one bed, twenty minutes of a worsening patient, with
 * the demo model in mode.
 */
static WardSnapshot *
run_engine (WardScorerMode mode)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ward-model-score-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ward.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autofree char *card = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models",
                                            "demo-deterioration.card.json", NULL);
  g_autoptr(WardStore) store = ward_store_open (path, &error);
  g_autoptr(WardEngine) engine = NULL;
  WardSnapshot *snapshot;
  WardEngineConfig config;
  gboolean loaded = FALSE;

  g_assert_no_error (error);
  ward_engine_config_init (&config);
  engine = ward_engine_new (store, &config);
  g_assert_true (ward_engine_begin (engine, &error));
  g_assert_true (ward_engine_register_bed (engine, "bed-01", "Bed 1", "p1", "Ada Obi", "mon-1", 1,
                                           &error));
  g_assert_true (ward_engine_load_model (engine, card, mode, T0, &loaded, &error));
  g_assert_true (ward_engine_commit (engine, &error));
  g_assert_no_error (error);
  g_assert_true (loaded);

  for (int i = 0; i < 40; i++)
    {
      g_autofree char *values = g_strdup_printf ("\"heartRate\":%d,\"respiratoryRate\":%d,"
                                                 "\"spo2\":%d", 105 + i, 22 + i / 5, 95 - i / 10);

      ingest_at (engine, T0 + 10 * SEC + i * 30 * SEC, values);
    }

  snapshot = ward_engine_snapshot (engine, T0 + 21 * MINUTE);
  g_clear_object (&engine);
  g_clear_object (&store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
  return snapshot;
}

static void
test_active (void)
{
  g_autoptr(WardSnapshot) snapshot = run_engine (WARD_SCORER_MODE_ACTIVE);
  const WardBedState *bed = ward_snapshot_get_bed (snapshot, 0);
  WardBedTile *tile = WARD_BED_TILE (g_object_ref_sink (ward_bed_tile_new ()));
  WardModelScore *section = WARD_MODEL_SCORE (g_object_ref_sink (ward_model_score_new ()));
  const char *explanation;

  ward_bed_tile_update (tile, bed, T0 + 21 * MINUTE, TRUE);
  g_assert_true (g_str_has_prefix (_ward_bed_tile_get_model_text (tile), "Demo model "));
  g_assert_true (g_str_has_suffix (_ward_bed_tile_get_model_text (tile), "%"));

  ward_model_score_update (section, bed);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (section)));
  g_assert_true (g_str_has_suffix (_ward_model_score_get_probability_text (section), "%"));
  explanation = _ward_model_score_get_explanation_text (section);
  /* Five contributions in words, signed, comma separated. */
  {
    g_auto(GStrv) parts = g_strsplit (explanation, ", ", -1);

    g_assert_cmpuint (g_strv_length (parts), ==, 5);
    for (guint i = 0; parts[i] != NULL; i++)
      g_assert_true (strchr (parts[i], '+') != NULL || strchr (parts[i], '-') != NULL);
    g_assert_null (strchr (explanation, '_'));
  }

  g_object_unref (tile);
  g_object_unref (section);
}

static void
test_shadow (void)
{
  g_autoptr(WardSnapshot) snapshot = run_engine (WARD_SCORER_MODE_SHADOW);
  const WardBedState *bed = ward_snapshot_get_bed (snapshot, 0);
  WardBedTile *tile = WARD_BED_TILE (g_object_ref_sink (ward_bed_tile_new ()));
  WardModelScore *section = WARD_MODEL_SCORE (g_object_ref_sink (ward_model_score_new ()));

  g_assert_true (bed->has_score);
  ward_bed_tile_update (tile, bed, T0 + 21 * MINUTE, TRUE);
  g_assert_cmpstr (_ward_bed_tile_get_model_text (tile), ==, "");
  ward_model_score_update (section, bed);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (section)));

  g_object_unref (tile);
  g_object_unref (section);
}

/* Every text of a shipped model card the view shows is offered to the
 * translators, word for word: a card edited without its table would
 * silently show in English again.
 */
static void
test_card_texts (void)
{
  static const char * const members[] = { "intended_use", "training_data", "notice" };
  g_autofree char *dir = g_build_filename (WARD_TEST_SOURCE_DIR, "..", "data", "models", NULL);
  g_autoptr(GDir) models = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n_cards = 0;

  g_assert_nonnull (models);
  while ((name = g_dir_read_name (models)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *card;
      JsonObject *outcome;
      const char *texts[G_N_ELEMENTS (members) + 1];

      if (!g_str_has_suffix (name, ".card.json"))
        continue;
      path = g_build_filename (dir, name, NULL);
      g_assert_true (json_parser_load_from_file (parser, path, &error));
      g_assert_no_error (error);
      card = json_node_get_object (json_parser_get_root (parser));
      outcome = json_object_get_object_member (card, "outcome");
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        texts[i] = json_object_get_string_member_with_default (card, members[i], NULL);
      texts[G_N_ELEMENTS (members)] = json_object_get_string_member (outcome, "text");

      for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
        {
          if (texts[i] == NULL)
            continue;
          if (!g_strv_contains (_ward_model_card_texts, texts[i]))
            g_error ("%s: “%s” is not in src/ui/ward-model-card-texts.c", name, texts[i]);
        }
      n_cards++;
    }

  g_assert_cmpuint (n_cards, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("TZ", "UTC", TRUE);
  g_setenv ("LC_ALL", "C", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/model-score/active", test_active);
  g_test_add_func ("/ui/model-score/shadow", test_shadow);
  g_test_add_func ("/ui/model-score/card-texts", test_card_texts);

  return g_test_run ();
}
