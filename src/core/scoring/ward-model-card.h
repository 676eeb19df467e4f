/* ward-model-card.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define WARD_MODEL_ERROR (ward_model_error_quark ())

typedef enum
{
  WARD_MODEL_ERROR_NOT_FOUND,      /* the model file or its card is missing or unreadable */
  WARD_MODEL_ERROR_CARD_INVALID,   /* the card is not JSON, or a field is missing or wrong */
  WARD_MODEL_ERROR_CHECKSUM,       /* the model file's SHA-256 is not the card's */
  WARD_MODEL_ERROR_CORRUPT,        /* XGBoost cannot read the model file */
  WARD_MODEL_ERROR_FEATURES,       /* the model's feature names are not the card's */
  WARD_MODEL_ERROR_OBJECTIVE,      /* not a binary:logistic model */
  WARD_MODEL_ERROR_INPUT,          /* a feature row the model cannot score */
  WARD_MODEL_ERROR_PREDICT,        /* XGBoost failed while predicting */
} WardModelError;

/* A model card: what a model predicts, from which features in which
 * order, for what use, trained and validated on which data, and the
 * SHA-256 of the exact model file it describes.  It is the JSON file
 * NAME.card.json beside the model NAME.json or NAME.ubj; the format is in
 * docs/ARCHITECTURE.md ("The model runtime").
 */
typedef struct
{
  char        *name;
  char        *version;
  char        *model_file;        /* a file name in the card's directory */
  char        *sha256;            /* 64 lower-case hex digits */
  GStrv        features;          /* in the order a row gives them */
  guint        n_features;

  char        *outcome_text;      /* "NEWS2 total reaches 7 or more" */
  char        *outcome_system;    /* optional coding, or NULL */
  char        *outcome_code;
  char        *outcome_display;
  gint64       horizon_minutes;

  char        *intended_use;
  char        *training_data;
  JsonObject  *validation;        /* figures and on which data, as written */

  gboolean     not_for_clinical_use;
  char        *notice;            /* shown to users beside every prediction */

  /* flag_policy: whether the model may open a flag of its own, and from
   * which probability.  Absent means it may not.
   */
  gboolean     may_flag;
  double       flag_probability;
  /* flag_policy.hysteresis, optional: an open flag starts to close below
   * flag_probability - flag_hysteresis.  -1 when the card gives none.
   */
  double       flag_hysteresis;
} WardModelCard;

GQuark          ward_model_error_quark  (void);
/* A WardModelError as a short stable word ("checksum"), for logs and
 * data issues; the UI writes its own words from the code.
 */
const char     *ward_model_error_to_string (int  code);

/* Parses a card.  @origin names it in errors (a file name).  An invalid
 * card is refused whole, the message naming the field.
 */
WardModelCard  *ward_model_card_parse   (const char     *data,
                                         gssize          length,
                                         const char     *origin,
                                         GError        **error);
WardModelCard  *ward_model_card_load    (const char     *path,
                                         GError        **error);
void            ward_model_card_free    (WardModelCard  *card);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardModelCard, ward_model_card_free)

G_END_DECLS
