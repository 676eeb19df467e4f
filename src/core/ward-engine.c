/* ward-engine.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-engine"

#include "config.h"

#include "ward-engine.h"

#include "ward-device-mapping.h"
#include "ward-device-template.h"
#include "ward-fhir-resources.h"
#include "ward-fhir-template.h"
#include "ward-hl7-mapper.h"
#include "ward-identity.h"
#include "ward-normalized.h"
#include "ward-store-restore.h"

#include <json-glib/json-glib.h>

#include <string.h>

#define SYSTEM_ACTOR "wardwatch"
#define MAX_CLOCK_SKEW_USEC (5 * WARD_USEC_PER_MINUTE)

typedef struct
{
  char            *patient_id;
  char            *name;
  char            *initials;
  char            *bed_id;
  char            *bed_label;
  char            *device_id;
  int              spo2_scale;
  char            *birth_date;      /* a FHIR date, or NULL: unknown */
  char            *hospital_number; /* from the ward file's identifiers, or NULL */
  char            *nhs_number;
  JsonNode        *fhir_identifiers; /* the ward file's Patient.identifier array, or NULL */
  /* The patient's FHIR id, which every resource Wardwatch writes about
   * them references (see patient_fhir_id()): the connector's Create-mode
   * id in local identity, the server's Patient id once an identity answer
   * named this patient.
   */
  char            *create_mode_id;
  char            *server_id;
  gint64           age_at;          /* the window end age was computed for, or G_MININT64 */
  int              age;             /* full years at age_at, -1 unknown */

  WardLatestValue  latest[WARD_MEAS_N_KINDS];
  /* The newest nurse-entered value of each kind, kept apart from the
   * newest of any source so that monitor values do not hide it.
   */
  WardLatestValue  nurse_latest[WARD_MEAS_N_KINDS];
  gboolean         dirty;
  /* Confirmed, or a full round entered, since the last evaluation. */
  gboolean         nurse_validated;
  gint64           first_scored_at;
  gint64           last_full_set_at; /* the newest full set's time (its oldest value), 0 if none */
  gint64           rescore_at;       /* when a value starts or stops counting */

  gboolean         has_score;
  WardWindowScore  score;
  gint64           score_id;
  gboolean         score_final;

  gint64           confirmed_at;
  char            *confirmed_by;

  WardFlagTracker  tracker;
  gint64           flag_id;
  gint64           flag_opened_at;
  WardBand         flag_band;
  char            *flag_ack_by;
  gint64           flag_ack_at;
  gint64           flag_escalated_at;

  WardTrendHistory trend;           /* the windows' totals, for the fitted trend */
} Patient;

typedef struct
{
  char    *device_id;
  Patient *patient;
  Patient *named;       /* not in the bed map: the patient the FHIR server names */
  char    *server_id;   /* the FHIR server's Device id, from an identity answer */
  gint64   last_seen;
  gint64   alert_id;
  gint64   alert_since;
  char    *alert_ack_by;
  gint64   alert_ack_at;
} Device;

struct _WardEngine
{
  GObject            parent_instance;

  WardStore         *store;
  WardDeviceTemplate *device_template;
  WardEngineConfig   config;

  GPtrArray         *patients;      /* Patient, in bed order */
  GHashTable        *by_patient;    /* patient id -> Patient (borrowed) */
  GHashTable        *devices;       /* device id -> Device */
  GArray            *scratch;       /* WardMeasurement, reused per message */

  WardCounters       counters;
  guint64            serial;
  gint64             last_window_end;

  /* The local FHIR store (see ward_engine_evaluate()). */
  WardFhirTemplate  *fhir_template;
  GPtrArray         *fhir_pending;  /* WardNormalized, stored since the last evaluate */
  char              *fhir_device_id;
  gboolean           outbox_warned;

  /* Identity from a FHIR server (lookup, create), or NULL: the bed map. */
  WardIdentity      *identity;
  GQueue             held;          /* HeldMessage, waiting for an identity answer, in order */
  GHashTable        *held_devices;  /* device id -> number of its held messages */
  gboolean           held_ready;    /* an answer or an assignment since the last look */

  /* The vital-signs Observations written lately, for the derivedFrom of
   * the NEWS2 Observations: "patient|type" -> GArray of VitalsRef, the
   * newest last, at most VITALS_REFS_KEPT.
   */
  GHashTable        *vitals_refs;

  /* The state in memory as of the open batch's begin (see
   * take_checkpoint()): put back when the batch rolls back.
   */
  gboolean           has_checkpoint;
  GArray            *saved_patients;  /* SavedPatient */
  GArray            *saved_devices;   /* SavedDevice */
  WardCounters       saved_counters;
  gint64             saved_window_end;
  gboolean           saved_outbox_warned;
  gboolean           saved_fhir_device;
};

typedef struct
{
  gint64  start_ticks;
  gint64  end_ticks;
  char    id[65];
} VitalsRef;

#define VITALS_REFS_KEPT 8

/* An archived message whose device's patient is not known yet: kept
 * (unprocessed in the store) until the identity answer arrives.
 */
typedef struct
{
  gint64     raw_id;
  GPtrArray *items;         /* WardNormalized, shared with the mapping */
  gint64     received_at;
  char      *device_id;     /* the device it waits for */
} HeldMessage;

G_DEFINE_FINAL_TYPE (WardEngine, ward_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-engine-error-quark, ward_engine_error)

static void
patient_free (gpointer data)
{
  Patient *p = data;

  g_free (p->patient_id);
  g_free (p->name);
  g_free (p->initials);
  g_free (p->bed_id);
  g_free (p->bed_label);
  g_free (p->device_id);
  g_free (p->birth_date);
  g_free (p->hospital_number);
  g_free (p->nhs_number);
  g_clear_pointer (&p->fhir_identifiers, json_node_unref);
  g_free (p->create_mode_id);
  g_free (p->server_id);
  g_free (p->confirmed_by);
  g_free (p->flag_ack_by);
  g_free (p);
}

static void
device_free (gpointer data)
{
  Device *d = data;

  g_free (d->device_id);
  g_free (d->server_id);
  g_free (d->alert_ack_by);
  g_free (d);
}

static char *
make_initials (const char *name)
{
  g_auto(GStrv) words = NULL;
  GString *str = g_string_new (NULL);

  if (name == NULL)
    return g_string_free (str, FALSE);

  words = g_strsplit (name, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      gunichar c = g_utf8_get_char_validated (words[i], -1);

      if (words[i][0] == '\0' || c == (gunichar) -1 || c == (gunichar) -2)
        continue;
      g_string_append_unichar (str, g_unichar_toupper (c));
      g_string_append_c (str, '.');
    }

  return g_string_free (str, FALSE);
}

static Patient *
lookup_patient (WardEngine  *self,
                const char  *patient_id,
                GError     **error)
{
  Patient *p = patient_id ? g_hash_table_lookup (self->by_patient, patient_id) : NULL;

  if (p == NULL)
    g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_UNKNOWN_PATIENT,
                 "No patient %s on this ward", patient_id ? patient_id : "(none)");

  return p;
}

/* The patient's age in full years at a window's end (-1: unknown),
 * computed once per window.
 */
static int
patient_age_at (Patient *p,
                gint64   window_end)
{
  if (p->age_at != window_end)
    {
      p->age = ward_age_in_years (p->birth_date, window_end);
      p->age_at = window_end;
    }

  return p->age;
}

static gboolean
record_event (WardEngine  *self,
              gint64       at,
              const char  *actor,
              const char  *kind,
              const char  *patient_id,
              const char  *detail_json,
              GError     **error)
{
  return ward_store_add_event (self->store, at, actor, kind, patient_id, detail_json, error) != 0;
}

static gboolean
dead_letter (WardEngine  *self,
             gint64       raw_id,
             const char  *stage,
             const char  *reason,
             gint64       at,
             GError     **error)
{
  /* The reason may quote the message, which may hold patient data: it
   * goes to the 0600 store, never to the log.
   */
  g_debug ("Dead letter for raw message %" G_GINT64_FORMAT " at stage %s", raw_id, stage);

  if (ward_store_add_dead_letter (self->store, raw_id, stage, reason, at, error) == 0)
    return FALSE;

  self->counters.dead_letters++;
  return TRUE;
}

static void
update_latest (Patient               *p,
               const WardMeasurement *m)
{
  WardLatestValue *v = &p->latest[m->kind];

  WardLatestValue value = {
    .valid = TRUE,
    .value = m->value,
    .observed_at = m->observed_at,
    .source = m->source,
    .entered_by = m->source == WARD_SOURCE_NURSE ? g_intern_string (m->entered_by) : NULL,
  };

  if (m->source == WARD_SOURCE_NURSE &&
      !(p->nurse_latest[m->kind].valid && p->nurse_latest[m->kind].observed_at > m->observed_at))
    {
      p->nurse_latest[m->kind] = value;
      p->dirty = TRUE;
    }

  /* Spot values (NIBP, temperature) may arrive late and out of order:
   * the newest observation wins, whatever the order of arrival.
   */
  if (v->valid && v->observed_at > m->observed_at)
    return;

  *v = value;
  p->dirty = TRUE;
}

/* The FHIR id of a patient, the one id by which the NEWS2 Observation,
 * the RiskAssessment, the Flag and the vital-signs Observations all
 * reference them.  With identity from a FHIR server, the server's
 * Patient (Device.patient of an answer that named this patient), or,
 * before any answer named them, the patient id as it is: in those modes
 * the ward lists the server's patients.  In local identity there is no
 * server to ask, so it is the id the connector gives the Patient it
 * creates in its Create mode, which the vital-signs Observations have
 * always used: the MedTech service running beside Wardwatch in Create
 * mode then writes to the same Patient and the same Observations.
 */
static const char *
patient_fhir_id (WardEngine *self,
                 Patient    *p)
{
  if (self->identity == NULL)
    return p->create_mode_id;

  return p->server_id != NULL ? p->server_id : p->patient_id;
}

/* The FHIR id of a device: the server's Device when an identity answer
 * gave it; otherwise (local identity, or a device of the bed map, which
 * the server is never asked about) the connector's Create-mode id.
 */
static char *
device_fhir_id (WardEngine *self,
                const char *device_id)
{
  Device *d = g_hash_table_lookup (self->devices, device_id);

  if (self->identity != NULL && d != NULL && d->server_id != NULL)
    return g_strdup (d->server_id);

  return ward_fhir_template_resource_id (NULL, device_id);
}

/* The patient a device's technical alerts belong to, or NULL. */
static const char *
device_patient_id (const Device *d)
{
  if (d->patient != NULL)
    return d->patient->patient_id;
  if (d->named != NULL)
    return d->named->patient_id;
  return NULL;
}

static void
held_message_free (gpointer data)
{
  HeldMessage *held = data;

  g_ptr_array_unref (held->items);
  g_free (held->device_id);
  g_free (held);
}

static void
ward_engine_finalize (GObject *object)
{
  WardEngine *self = (WardEngine *) object;

  g_clear_pointer (&self->devices, g_hash_table_unref);
  g_clear_pointer (&self->by_patient, g_hash_table_unref);
  g_clear_pointer (&self->patients, g_ptr_array_unref);
  g_clear_pointer (&self->scratch, g_array_unref);
  g_clear_object (&self->device_template);
  g_clear_object (&self->fhir_template);
  g_clear_pointer (&self->fhir_pending, g_ptr_array_unref);
  g_clear_pointer (&self->fhir_device_id, g_free);
  g_queue_clear_full (&self->held, held_message_free);
  g_clear_pointer (&self->held_devices, g_hash_table_unref);
  g_clear_pointer (&self->vitals_refs, g_hash_table_unref);
  g_clear_pointer (&self->saved_patients, g_array_unref);
  g_clear_pointer (&self->saved_devices, g_array_unref);
  /* The resolver may outlive the engine (requests in flight). */
  if (self->identity != NULL)
    ward_identity_set_notify (self->identity, NULL, NULL);
  g_clear_object (&self->identity);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ward_engine_parent_class)->finalize (object);
}

static void
ward_engine_class_init (WardEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_engine_finalize;
}

static void
ward_engine_init (WardEngine *self)
{
  self->patients = g_ptr_array_new_with_free_func (patient_free);
  self->by_patient = g_hash_table_new (g_str_hash, g_str_equal);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, device_free);
  self->scratch = g_array_new (FALSE, TRUE, sizeof (WardMeasurement));
  g_array_set_clear_func (self->scratch, (GDestroyNotify) ward_measurement_clear);
  self->fhir_pending = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  g_queue_init (&self->held);
  self->held_devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->vitals_refs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
}

void
ward_engine_config_init (WardEngineConfig *config)
{
  g_return_if_fail (config != NULL);

  ward_window_policy_init (&config->window);
  ward_flag_policy_init (&config->flags);
  ward_obs_policy_init (&config->obs);
  config->device_silence_usec = 60 * WARD_USEC_PER_SEC;
  config->outbox_limit = WARD_ENGINE_DEFAULT_OUTBOX_LIMIT;
  /* Off for the engine alone (tests and benchmarks that count
   * resources); the pipeline, and so the application, turns them on:
   * grouped by hour (data/mappings/wardwatch-fhir-hourly.json) they cost
   * little (docs/ARCHITECTURE.md).
   */
  config->vitals_observations = FALSE;
}

WardEngine *
ward_engine_new (WardStore              *store,
                 const WardEngineConfig *config)
{
  WardEngine *self;

  g_return_val_if_fail (WARD_IS_STORE (store), NULL);

  self = g_object_new (WARD_TYPE_ENGINE, NULL);
  self->store = g_object_ref (store);

  /* The built-in mapping of the Wardwatch monitor format, until a user's
   * mapping replaces it.  It is part of the program: failing to load it
   * is a bug.
   */
  {
    g_autoptr(GError) template_error = NULL;

    self->device_template = ward_device_template_new_default (&template_error);
    if (self->device_template == NULL)
      g_error ("The built-in device mapping does not load: %s", template_error->message);
    /* Vital signs grouped per patient, device, type and hour (the
     * newest value of the hour), so continuous monitoring makes one
     * Observation per parameter and hour, updated as values come.
     */
    self->fhir_template = ward_fhir_template_new_from_resource (WARD_ENGINE_VITALS_MAPPING_RESOURCE,
                                                                &template_error);
    if (self->fhir_template == NULL)
      g_error ("The built-in FHIR mapping does not load: %s", template_error->message);
  }
  if (config != NULL)
    self->config = *config;
  else
    ward_engine_config_init (&self->config);

  return self;
}

void
ward_engine_set_device_template (WardEngine         *self,
                                 WardDeviceTemplate *device_template)
{
  g_return_if_fail (WARD_IS_ENGINE (self));
  g_return_if_fail (WARD_IS_DEVICE_TEMPLATE (device_template));

  g_set_object (&self->device_template, device_template);
}

WardStore *
ward_engine_get_store (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  return self->store;
}

gboolean
ward_engine_register_bed (WardEngine  *self,
                          const char  *bed_id,
                          const char  *bed_label,
                          const char  *patient_id,
                          const char  *patient_name,
                          const char  *device_id,
                          int          spo2_scale,
                          GError     **error)
{
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (bed_id != NULL && bed_label != NULL && patient_id != NULL, FALSE);

  if (g_hash_table_lookup (self->by_patient, patient_id) != NULL)
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "Patient %s is already in a bed on this ward", patient_id);
      return FALSE;
    }

  if (!ward_store_upsert_patient (self->store, patient_id, patient_name, spo2_scale, error) ||
      !ward_store_upsert_bed (self->store, bed_id, bed_label, patient_id, error))
    return FALSE;

  if (device_id != NULL && !ward_store_upsert_device (self->store, device_id, bed_id, patient_id, error))
    return FALSE;

  p = g_new0 (Patient, 1);
  /* Patient context the store already has (a FHIR server's answer of an
   * earlier run); the ward file, when it names one, comes after.
   */
  if (!ward_store_get_birth_date (self->store, patient_id, &p->birth_date, error))
    {
      g_free (p);
      return FALSE;
    }
  if (p->birth_date != NULL && !ward_birth_date_is_valid (p->birth_date))
    g_clear_pointer (&p->birth_date, g_free);
  p->age = -1;
  p->age_at = G_MININT64;
  p->patient_id = g_strdup (patient_id);
  p->create_mode_id = ward_fhir_template_resource_id (NULL, patient_id);
  p->name = g_strdup (patient_name);
  p->initials = make_initials (patient_name);
  p->bed_id = g_strdup (bed_id);
  p->bed_label = g_strdup (bed_label);
  p->device_id = g_strdup (device_id);
  p->spo2_scale = spo2_scale == 2 ? 2 : 1;
  g_ptr_array_add (self->patients, p);
  g_hash_table_insert (self->by_patient, p->patient_id, p);

  if (device_id != NULL)
    {
      Device *d = g_new0 (Device, 1);

      d->device_id = g_strdup (device_id);
      d->patient = p;
      g_hash_table_replace (self->devices, d->device_id, d);
    }

  return TRUE;
}

static void
restore_measurement (const char *kind_name,
                     double      value,
                     gint64      observed_at,
                     const char *source,
                     const char *entered_by,
                     gpointer    user_data)
{
  Patient *p = user_data;
  WardMeasKind kind;
  WardLatestValue v = { 0, };

  /* A kind this version does not know is left in the store. */
  if (kind_name == NULL || !ward_meas_kind_from_string (kind_name, &kind))
    return;

  v.valid = TRUE;
  v.value = value;
  v.observed_at = observed_at;
  v.source = g_strcmp0 (source, "nurse") == 0 ? WARD_SOURCE_NURSE : WARD_SOURCE_DEVICE;
  v.entered_by = v.source == WARD_SOURCE_NURSE ? g_intern_string (entered_by) : NULL;

  /* Rows come oldest first, so the last one of a kind is the newest. */
  if (!p->latest[kind].valid || p->latest[kind].observed_at <= observed_at)
    p->latest[kind] = v;
  if (v.source == WARD_SOURCE_NURSE &&
      (!p->nurse_latest[kind].valid || p->nurse_latest[kind].observed_at <= observed_at))
    p->nurse_latest[kind] = v;
}

/**
 * ward_engine_restore:
 * @now: the clock's time at start
 *
 * Reads back from the store what the engine kept in memory before a
 * restart: for each registered patient the newest value of each kind
 * (and the newest nurse-entered one, with who entered it) observed within
 * the longest validity of the configuration, and the open clinical flag,
 * which the flag rules then continue instead of opening another.  Call it
 * once, after the ward is registered and before the first evaluation.
 */
gboolean
ward_engine_restore (WardEngine  *self,
                     gint64       now,
                     GError     **error)
{
  gint64 longest = 0;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  for (int kind = 0; kind < WARD_MEAS_N_KINDS; kind++)
    {
      longest = MAX (longest, ward_window_kind_validity (&self->config.window, kind,
                                                         WARD_SOURCE_DEVICE));
      longest = MAX (longest, ward_window_kind_validity (&self->config.window, kind,
                                                         WARD_SOURCE_NURSE));
    }

  for (guint i = 0; i < self->patients->len; i++)
    {
      Patient *p = g_ptr_array_index (self->patients, i);
      g_autofree char *band = NULL;
      g_autofree char *ack_by = NULL;
      gint64 flag_id, opened_at, escalated_at, ack_at;
      WardBand flag_band;

      if (!ward_store_foreach_measurement_since (self->store, p->patient_id, now - longest,
                                                 restore_measurement, p, error) ||
          !ward_store_get_open_clinical_flag (self->store, p->patient_id, &flag_id, &band,
                                              &opened_at, &escalated_at, &ack_by, &ack_at,
                                              error))
        return FALSE;

      if (flag_id != 0 && band != NULL && ward_band_from_string (band, &flag_band))
        {
          memset (&p->tracker, 0, sizeof p->tracker);
          p->tracker.state = WARD_FLAG_STATE_OPEN;
          p->tracker.open_band = flag_band;
          p->flag_id = flag_id;
          p->flag_band = flag_band;
          p->flag_opened_at = opened_at;
          p->flag_escalated_at = escalated_at;
          g_free (p->flag_ack_by);
          p->flag_ack_by = g_steal_pointer (&ack_by);
          p->flag_ack_at = ack_at;
        }

      p->dirty = TRUE;
    }

  return TRUE;
}

static gboolean
update_birth_date (WardEngine  *self,
                   Patient     *p,
                   const char  *birth_date,
                   GError     **error)
{
  if (g_strcmp0 (p->birth_date, birth_date) == 0)
    return TRUE;

  if (!ward_store_set_birth_date (self->store, p->patient_id, birth_date, error))
    return FALSE;

  g_free (p->birth_date);
  p->birth_date = g_strdup (birth_date);
  p->age_at = G_MININT64;
  /* The open window is scored again: NEWS2 may no longer apply, or may
   * apply again.
   */
  p->dirty = TRUE;
  return TRUE;
}

gboolean
ward_engine_set_birth_date (WardEngine  *self,
                            const char  *patient_id,
                            const char  *birth_date,
                            GError     **error)
{
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!(p = lookup_patient (self, patient_id, error)))
    return FALSE;

  if (birth_date != NULL && !ward_birth_date_is_valid (birth_date))
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "birth date “%s” is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", birth_date);
      return FALSE;
    }

  return update_birth_date (self, p, birth_date, error);
}

gboolean
ward_engine_set_identifiers (WardEngine  *self,
                             const char  *patient_id,
                             const char  *hospital_number,
                             const char  *nhs_number,
                             JsonNode    *fhir_identifiers,
                             GError     **error)
{
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (fhir_identifiers == NULL || JSON_NODE_HOLDS_ARRAY (fhir_identifiers), FALSE);

  if (!(p = lookup_patient (self, patient_id, error)))
    return FALSE;

  g_free (p->hospital_number);
  p->hospital_number = g_strdup (hospital_number);
  g_free (p->nhs_number);
  p->nhs_number = g_strdup (nhs_number);
  g_clear_pointer (&p->fhir_identifiers, json_node_unref);
  if (fhir_identifiers != NULL)
    p->fhir_identifiers = json_node_copy (fhir_identifiers);
  if (self->identity != NULL)
    ward_identity_set_patient_identifiers (self->identity, p->patient_id, p->fhir_identifiers);
  return TRUE;
}

gboolean
ward_engine_assign_device (WardEngine  *self,
                           const char  *device_id,
                           const char  *patient_id,
                           GError     **error)
{
  Patient *p = NULL;
  Device *d;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);

  if (patient_id != NULL && !(p = lookup_patient (self, patient_id, error)))
    return FALSE;

  if (!ward_store_upsert_device (self->store, device_id, p ? p->bed_id : NULL,
                                 p ? p->patient_id : NULL, error))
    return FALSE;

  /* From the next message on: the bed map comes before the FHIR
   * server's answer, and that answer is asked again when needed.
   */
  if (self->identity != NULL)
    ward_identity_forget (self->identity, device_id);
  self->held_ready = TRUE;
  d = g_hash_table_lookup (self->devices, device_id);
  if (d == NULL)
    {
      d = g_new0 (Device, 1);
      d->device_id = g_strdup (device_id);
      g_hash_table_insert (self->devices, d->device_id, d);
    }
  d->patient = p;
  d->named = NULL;

  return TRUE;
}

/* No state in memory that the store does not have.  A batch changes the
 * engine's memory as it writes (a flag opened, acknowledged or closed, a
 * value, a score, a confirmation); when the store cannot commit it (disk
 * full, read-only, I/O error), the memory must go back with the store,
 * or the board would show a flag whose row was never written and an
 * acknowledgement of it would fail ("Flag N is not open").  So each
 * begin saves what a batch may change, and a rollback puts it back; the
 * messages of the batch are not acknowledged and come again.  Only the
 * fields below are saved: a new field a batch changes belongs here too.
 * Not covered: messages held for an identity answer and the ids of the
 * vital-signs Observations written lately (a redelivered message writes
 * them again under the same ids).
 */
typedef struct
{
  Patient          *p;
  int               spo2_scale;
  char             *birth_date;
  char             *server_id;
  WardLatestValue   latest[WARD_MEAS_N_KINDS];
  WardLatestValue   nurse_latest[WARD_MEAS_N_KINDS];
  gboolean          dirty;
  gboolean          nurse_validated;
  gint64            first_scored_at;
  gint64            last_full_set_at;
  gint64            rescore_at;
  gboolean          has_score;
  WardWindowScore   score;
  gint64            score_id;
  gboolean          score_final;
  gint64            confirmed_at;
  char             *confirmed_by;
  WardFlagTracker   tracker;
  gint64            flag_id;
  gint64            flag_opened_at;
  WardBand          flag_band;
  char             *flag_ack_by;
  gint64            flag_ack_at;
  gint64            flag_escalated_at;
  WardTrendHistory  trend;
} SavedPatient;

typedef struct
{
  Device  *d;
  Patient *patient;
  Patient *named;
  char    *server_id;
  gint64   last_seen;
  gint64   alert_id;
  gint64   alert_since;
  char    *alert_ack_by;
  gint64   alert_ack_at;
} SavedDevice;

static void
saved_patient_clear (SavedPatient *s)
{
  g_clear_pointer (&s->birth_date, g_free);
  g_clear_pointer (&s->server_id, g_free);
  g_clear_pointer (&s->confirmed_by, g_free);
  g_clear_pointer (&s->flag_ack_by, g_free);
}

static void
saved_device_clear (SavedDevice *s)
{
  g_clear_pointer (&s->server_id, g_free);
  g_clear_pointer (&s->alert_ack_by, g_free);
}

static void
take_checkpoint (WardEngine *self)
{
  GHashTableIter iter;
  gpointer value;

  if (self->saved_patients == NULL)
    {
      self->saved_patients = g_array_new (FALSE, TRUE, sizeof (SavedPatient));
      g_array_set_clear_func (self->saved_patients, (GDestroyNotify) saved_patient_clear);
      self->saved_devices = g_array_new (FALSE, TRUE, sizeof (SavedDevice));
      g_array_set_clear_func (self->saved_devices, (GDestroyNotify) saved_device_clear);
    }
  g_array_set_size (self->saved_patients, 0);
  g_array_set_size (self->saved_devices, 0);

  g_array_set_size (self->saved_patients, self->patients->len);
  for (guint i = 0; i < self->patients->len; i++)
    {
      Patient *p = g_ptr_array_index (self->patients, i);
      SavedPatient *s = &g_array_index (self->saved_patients, SavedPatient, i);

      s->p = p;
      s->spo2_scale = p->spo2_scale;
      s->birth_date = g_strdup (p->birth_date);
      s->server_id = g_strdup (p->server_id);
      memcpy (s->latest, p->latest, sizeof s->latest);
      memcpy (s->nurse_latest, p->nurse_latest, sizeof s->nurse_latest);
      s->dirty = p->dirty;
      s->nurse_validated = p->nurse_validated;
      s->first_scored_at = p->first_scored_at;
      s->last_full_set_at = p->last_full_set_at;
      s->rescore_at = p->rescore_at;
      s->has_score = p->has_score;
      s->score = p->score;
      s->score_id = p->score_id;
      s->score_final = p->score_final;
      s->confirmed_at = p->confirmed_at;
      s->confirmed_by = g_strdup (p->confirmed_by);
      s->tracker = p->tracker;
      s->flag_id = p->flag_id;
      s->flag_opened_at = p->flag_opened_at;
      s->flag_band = p->flag_band;
      s->flag_ack_by = g_strdup (p->flag_ack_by);
      s->flag_ack_at = p->flag_ack_at;
      s->flag_escalated_at = p->flag_escalated_at;
      s->trend = p->trend;
    }

  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Device *d = value;
      SavedDevice s = {
        .d = d,
        .patient = d->patient,
        .named = d->named,
        .server_id = g_strdup (d->server_id),
        .last_seen = d->last_seen,
        .alert_id = d->alert_id,
        .alert_since = d->alert_since,
        .alert_ack_by = g_strdup (d->alert_ack_by),
        .alert_ack_at = d->alert_ack_at,
      };

      g_array_append_val (self->saved_devices, s);
    }

  self->saved_counters = self->counters;
  self->saved_window_end = self->last_window_end;
  self->saved_outbox_warned = self->outbox_warned;
  self->saved_fhir_device = self->fhir_device_id != NULL;
  self->has_checkpoint = TRUE;
}

static void
restore_checkpoint (WardEngine *self)
{
  g_autoptr(GHashTable) saved = NULL;
  GHashTableIter iter;
  gpointer value;

  if (!self->has_checkpoint)
    return;
  self->has_checkpoint = FALSE;

  /* Patients are only added at start, in a batch whose failure ends the
   * start: the saved ones are all there.
   */
  for (guint i = 0; i < self->saved_patients->len; i++)
    {
      SavedPatient *s = &g_array_index (self->saved_patients, SavedPatient, i);
      Patient *p = s->p;

      p->spo2_scale = s->spo2_scale;
      g_free (p->birth_date);
      p->birth_date = g_steal_pointer (&s->birth_date);
      p->age_at = G_MININT64;
      g_free (p->server_id);
      p->server_id = g_steal_pointer (&s->server_id);
      memcpy (p->latest, s->latest, sizeof p->latest);
      memcpy (p->nurse_latest, s->nurse_latest, sizeof p->nurse_latest);
      p->dirty = s->dirty;
      p->nurse_validated = s->nurse_validated;
      p->first_scored_at = s->first_scored_at;
      p->last_full_set_at = s->last_full_set_at;
      p->rescore_at = s->rescore_at;
      p->has_score = s->has_score;
      p->score = s->score;
      p->score_id = s->score_id;
      p->score_final = s->score_final;
      p->confirmed_at = s->confirmed_at;
      g_free (p->confirmed_by);
      p->confirmed_by = g_steal_pointer (&s->confirmed_by);
      p->tracker = s->tracker;
      p->flag_id = s->flag_id;
      p->flag_opened_at = s->flag_opened_at;
      p->flag_band = s->flag_band;
      g_free (p->flag_ack_by);
      p->flag_ack_by = g_steal_pointer (&s->flag_ack_by);
      p->flag_ack_at = s->flag_ack_at;
      p->flag_escalated_at = s->flag_escalated_at;
      p->trend = s->trend;
    }

  /* Devices first seen in the batch go; the others get their state back. */
  saved = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < self->saved_devices->len; i++)
    {
      SavedDevice *s = &g_array_index (self->saved_devices, SavedDevice, i);

      g_hash_table_insert (saved, s->d, s);
    }
  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Device *d = value;
      SavedDevice *s = g_hash_table_lookup (saved, d);

      if (s == NULL)
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      d->patient = s->patient;
      d->named = s->named;
      g_free (d->server_id);
      d->server_id = g_steal_pointer (&s->server_id);
      d->last_seen = s->last_seen;
      d->alert_id = s->alert_id;
      d->alert_since = s->alert_since;
      g_free (d->alert_ack_by);
      d->alert_ack_by = g_steal_pointer (&s->alert_ack_by);
      d->alert_ack_at = s->alert_ack_at;
    }

  self->counters = self->saved_counters;
  self->last_window_end = self->saved_window_end;
  self->outbox_warned = self->saved_outbox_warned;
  /* Its Device resource was in the batch: written again next time. */
  if (!self->saved_fhir_device)
    g_clear_pointer (&self->fhir_device_id, g_free);

  g_array_set_size (self->saved_patients, 0);
  g_array_set_size (self->saved_devices, 0);
}

gboolean
ward_engine_begin (WardEngine  *self,
                   GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!ward_store_begin (self->store, error))
    return FALSE;

  take_checkpoint (self);
  return TRUE;
}

gboolean
ward_engine_commit (WardEngine  *self,
                    GError     **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!ward_store_commit (self->store, error))
    return FALSE;

  self->has_checkpoint = FALSE;
  return TRUE;
}

void
ward_engine_rollback (WardEngine *self)
{
  g_return_if_fail (WARD_IS_ENGINE (self));

  ward_store_rollback (self->store);
  restore_checkpoint (self);
  /* What was queued for FHIR in the batch is gone with it. */
  g_ptr_array_set_size (self->fhir_pending, 0);
}

static gboolean
close_technical_alert (WardEngine  *self,
                       Device      *d,
                       gint64       at,
                       GError     **error)
{
  g_autofree char *detail = NULL;

  if (d->alert_id == 0)
    return TRUE;

  if (!ward_store_close_flag (self->store, d->alert_id, at, error))
    return FALSE;

  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"device\":\"%s\"}",
                            d->alert_id, d->device_id);
  if (!record_event (self, at, SYSTEM_ACTOR, "technical-alert-cleared",
                     device_patient_id (d), detail, error))
    return FALSE;

  d->alert_id = 0;
  d->alert_since = 0;
  g_clear_pointer (&d->alert_ack_by, g_free);
  d->alert_ack_at = 0;
  return TRUE;
}

/* Sets the outcome and its reason, keeping the worst of the message. */
static void
set_outcome (WardIngestOutcome *outcome,
             char             **reason_out,
             WardIngestOutcome  value,
             const char        *reason)
{
  if (outcome != NULL)
    *outcome = value;
  if (reason_out != NULL)
    {
      g_free (*reason_out);
      *reason_out = g_strdup (reason);
    }
}

/* Keeps a copy of an assigned measurement, with its patient, for the
 * vital-signs Observations the next evaluate writes.
 */
static void
queue_vitals (WardEngine           *self,
              const WardNormalized *item,
              Patient              *p)
{
  WardNormalized *copy = ward_normalized_new (item->type, item->occurrence_time, item->device_id);

  copy->patient_id = g_strdup (p->patient_id);
  copy->encounter_id = g_strdup (item->encounter_id);
  copy->correlation_id = g_strdup (item->correlation_id);
  for (guint i = 0; i < item->properties->len; i++)
    {
      const WardNormalizedValue *v = &g_array_index (item->properties, WardNormalizedValue, i);

      ward_normalized_add_value (copy, v->name, v->value);
    }
  g_ptr_array_add (self->fhir_pending, copy);
}

/* Writes a resource to the local FHIR store, which queues it. */
static gboolean
put_resource (WardEngine  *self,
              const char  *resource_type,
              JsonNode    *node,
              const char  *json,
              gint64       at,
              GError     **error)
{
  g_autofree char *owned = NULL;
  const char *id;
  gboolean changed = FALSE;

  id = json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL);
  g_assert (id != NULL);
  if (json == NULL)
    json = owned = ward_fhir_to_json (node);

  if (!ward_store_put_resource (self->store, resource_type, id, json, at, &changed, error))
    return FALSE;

  if (changed)
    self->counters.fhir_resources++;

  return TRUE;
}

/* A resource builder refusing our own input is a bug, not bad input: it
 * is logged and the pipeline goes on without that resource.
 */
static void
report_unbuilt (const char   *resource_type,
                const GError *error)
{
  g_critical ("Could not build a %s: %s", resource_type, error->message);
}

/* The Device resource of this installation, written once per engine (a
 * put of the same JSON changes nothing).
 */
static gboolean
ensure_fhir_device (WardEngine  *self,
                    gint64       now,
                    GError     **error)
{
  g_autofree char *installation_id = NULL;
  g_autoptr(JsonNode) device = NULL;
  g_autoptr(GError) local_error = NULL;

  if (self->fhir_device_id != NULL)
    return TRUE;

  installation_id = ward_store_get_installation_id (self->store, error);
  if (installation_id == NULL)
    return FALSE;

  device = ward_fhir_wardwatch_device (installation_id, &local_error);
  if (device == NULL)
    {
      report_unbuilt ("Device", local_error);
      return TRUE;
    }

  if (!put_resource (self, "Device", device, NULL, now, error))
    return FALSE;

  self->fhir_device_id = ward_fhir_device_id (installation_id);
  return TRUE;
}

/* Keeps the id of a vital-signs Observation with its period, for the
 * NEWS2 Observations derived from its values.
 */
static void
remember_vitals (WardEngine                 *self,
                 const WardObservationGroup *group,
                 const char                 *id)
{
  g_autofree char *key = NULL;
  GArray *refs;
  VitalsRef ref = { group->start_ticks, group->end_ticks, { 0 } };

  if (group->patient_id == NULL || strlen (id) >= sizeof ref.id)
    return;

  key = g_strconcat (group->patient_id, "|", group->type, NULL);
  refs = g_hash_table_lookup (self->vitals_refs, key);
  if (refs == NULL)
    {
      refs = g_array_new (FALSE, FALSE, sizeof (VitalsRef));
      g_hash_table_insert (self->vitals_refs, g_steal_pointer (&key), refs);
    }
  for (guint i = 0; i < refs->len; i++)
    {
      if (strcmp (g_array_index (refs, VitalsRef, i).id, id) == 0)
        {
          g_array_remove_index (refs, i);
          break;
        }
    }
  g_strlcpy (ref.id, id, sizeof ref.id);
  g_array_append_val (refs, ref);
  if (refs->len > VITALS_REFS_KEPT)
    g_array_remove_index (refs, 0);
}

/* "Observation/<id>" of the vital-signs Observation holding a value
 * observed at a time, or NULL.
 */
static char *
find_vitals (WardEngine *self,
             const char *patient_id,
             const char *type,
             gint64      observed_at)
{
  g_autofree char *key = g_strconcat (patient_id, "|", type, NULL);
  GArray *refs = g_hash_table_lookup (self->vitals_refs, key);
  gint64 ticks = observed_at * WARD_FHIR_TICKS_PER_USEC;

  for (guint i = refs ? refs->len : 0; i > 0; i--)
    {
      const VitalsRef *ref = &g_array_index (refs, VitalsRef, i - 1);

      if (ref->start_ticks <= ticks && ticks <= ref->end_ticks)
        return g_strconcat ("Observation/", ref->id, NULL);
    }

  return NULL;
}

/* Stage 5c: the measurements stored since the last evaluate, grouped by
 * the built-in FHIR destination mapping into vital-signs Observations
 * with the connector's deterministic ids; a group whose Observation is
 * already stored is merged into it.  One pass per tick.
 */
static gboolean
flush_vitals (WardEngine  *self,
              gint64       now,
              GError     **error)
{
  g_autoptr(GPtrArray) groups = NULL;

  if (self->fhir_pending->len == 0)
    return TRUE;

  groups = ward_fhir_template_group (self->fhir_template, self->fhir_pending, NULL);

  for (guint i = 0; i < groups->len; i++)
    {
      WardObservationGroup *group = g_ptr_array_index (groups, i);
      Patient *p = group->patient_id ? g_hash_table_lookup (self->by_patient, group->patient_id) : NULL;
      g_autofree char *device = NULL;
      g_autofree char *identifier = NULL;
      g_autofree char *id = NULL;
      g_autofree char *stored = NULL;
      g_autofree char *json = NULL;
      g_autoptr(JsonNode) existing = NULL;
      g_autoptr(JsonNode) observation = NULL;
      g_autoptr(GError) local_error = NULL;

      /* The same Patient as the NEWS2 resources, and the Device the
       * identity mode gives the monitor.
       */
      if (group->device_id != NULL)
        device = device_fhir_id (self, group->device_id);
      ward_observation_group_set_resource_ids (group, p ? patient_fhir_id (self, p) : NULL, device);

      identifier = ward_fhir_template_get_identifier (self->fhir_template, group);
      if (identifier == NULL)
        continue;
      id = ward_fhir_template_resource_id (WARD_FHIR_SERVICE_SYSTEM, identifier);

      if (!(stored = ward_store_get_resource (self->store, "Observation", id, NULL, &local_error)) &&
          local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (stored != NULL)
        existing = json_from_string (stored, NULL);

      observation = ward_fhir_template_build_observation (self->fhir_template, group, existing,
                                                          &local_error);
      if (observation == NULL)
        {
          /* Values the template cannot take were stored and scored; the
           * Observation is what is missing, and the log says which type.
           */
          g_debug ("No Observation for a %s group: %s", group->type, local_error->message);
          continue;
        }

      json = ward_fhir_template_to_json (observation);
      if (!put_resource (self, "Observation", observation, json, now, error))
        return FALSE;
      remember_vitals (self, group, id);
    }

  g_ptr_array_set_size (self->fhir_pending, 0);
  return TRUE;
}

static gboolean
check_outbox (WardEngine  *self,
              GError     **error)
{
  gint64 n_pending = ward_store_outbox_get_n_pending (self->store, error);
  gint64 n_failed;
  gboolean over;

  if (n_pending < 0)
    return FALSE;
  n_failed = ward_store_outbox_get_n_failed (self->store, error);
  if (n_failed < 0)
    return FALSE;

  over = self->config.outbox_limit > 0 && n_pending > self->config.outbox_limit;
  if (over && !self->outbox_warned)
    g_message ("The FHIR outbox holds %" G_GINT64_FORMAT " resources, more than its limit of %"
               G_GINT64_FORMAT ": they are kept and will be sent, but no FHIR server is taking them",
               n_pending, self->config.outbox_limit);
  self->outbox_warned = over;
  self->counters.outbox_pending = n_pending;
  self->counters.outbox_over_limit = over;
  self->counters.outbox_failed = n_failed;

  return TRUE;
}

/* Stage 5 with a FHIR server (identity lookup or create): a message
 * waits while the server has not answered for one of its devices, or
 * while earlier messages of that device wait, so that a device's
 * messages are stored in the order they came.  Devices in the bed map
 * never wait.
 */
static gboolean
hold_for_identity (WardEngine *self,
                   gint64      raw_id,
                   GPtrArray  *items,
                   gint64      received_at)
{
  const char *waiting = NULL;
  HeldMessage *held;

  if (self->identity == NULL)
    return FALSE;

  for (guint i = 0; i < items->len && waiting == NULL; i++)
    {
      const WardNormalized *item = g_ptr_array_index (items, i);
      Device *d;

      if (item->device_id == NULL)
        continue;
      d = g_hash_table_lookup (self->devices, item->device_id);
      if (d != NULL && d->patient != NULL)
        continue;
      if (g_hash_table_contains (self->held_devices, item->device_id) ||
          ward_identity_resolve (self->identity, item->device_id, item->patient_id, received_at,
                                 NULL) == WARD_IDENTITY_PENDING)
        waiting = item->device_id;
    }

  if (waiting == NULL)
    return FALSE;

  held = g_new0 (HeldMessage, 1);
  held->raw_id = raw_id;
  held->items = g_ptr_array_ref (items);
  held->received_at = received_at;
  held->device_id = g_strdup (waiting);
  g_queue_push_tail (&self->held, held);
  g_hash_table_insert (self->held_devices, g_strdup (waiting),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (self->held_devices,
                                                                                waiting)) + 1));
  return TRUE;
}

/* The patient the FHIR server names for a device not in the bed map, if
 * that patient is on this ward: matched by the Patient's id or any of
 * its identifier values.  Otherwise NULL, and why.
 */
static Patient *
identity_patient (WardEngine           *self,
                  const WardNormalized *item,
                  gint64                now,
                  char                **birth_date,
                  char                **device_server_id,
                  char                **why)
{
  g_autoptr(WardIdentityAnswer) answer = NULL;
  WardIdentityState state;

  state = ward_identity_resolve (self->identity, item->device_id, item->patient_id, now, &answer);
  if (state == WARD_IDENTITY_RESOLVED)
    {
      for (guint i = 0; answer->patient_keys != NULL && answer->patient_keys[i] != NULL; i++)
        {
          Patient *p = g_hash_table_lookup (self->by_patient, answer->patient_keys[i]);

          if (p != NULL)
            {
              /* Patient context from the server; a value that is not a
               * date is no context.
               */
              if (ward_birth_date_is_valid (answer->birth_date))
                *birth_date = g_strdup (answer->birth_date);
              /* The server's ids are what our resources reference; the
               * open window is scored again to carry the Patient's.
               */
              if (answer->patient_id != NULL && g_strcmp0 (p->server_id, answer->patient_id) != 0)
                {
                  g_free (p->server_id);
                  p->server_id = g_strdup (answer->patient_id);
                  p->dirty = TRUE;
                }
              *device_server_id = g_strdup (answer->device_resource_id);
              return p;
            }
        }
      *why = g_strdup_printf ("device %s belongs to Patient/%s on the FHIR server, "
                              "who is not in a bed on this ward", item->device_id,
                              answer->patient_id);
    }
  else if (state == WARD_IDENTITY_FAILED && answer != NULL)
    *why = g_strdup (answer->reason);
  else
    *why = g_strdup_printf ("device %s: no answer from the FHIR server", item->device_id);

  return NULL;
}

/* Stages 5 to 9 for what device mapping made of one raw message: each
 * normalised measurement goes to its device's patient (or to the patient
 * the message names, when that patient is on this ward and the device is
 * not), is bound to the kinds Wardwatch scores and stored.
 */
static gboolean
store_normalized (WardEngine         *self,
                  gint64              raw_id,
                  GPtrArray          *items,
                  gint64              received_at,
                  WardIngestOutcome  *outcome,
                  char              **reason,
                  GError            **error)
{
  g_autoptr(GString) unassigned = g_string_new (NULL);
  g_autoptr(GString) rejected = g_string_new (NULL);
  guint n_assigned = 0;

  set_outcome (outcome, reason, WARD_INGEST_ACCEPTED, NULL);

  if (items->len == 0)
    {
      static const char why[] = "no template of the device mapping matched this message";

      set_outcome (outcome, reason, WARD_INGEST_REJECTED, why);
      return dead_letter (self, raw_id, "mapping", why, received_at, error);
    }

  for (guint i = 0; i < items->len; i++)
    {
      const WardNormalized *item = g_ptr_array_index (items, i);
      Device *d = item->device_id ? g_hash_table_lookup (self->devices, item->device_id) : NULL;
      Patient *p = d ? d->patient : NULL;
      g_autofree char *identity_why = NULL;
      g_autofree char *birth_date = NULL;
      g_autofree char *device_server_id = NULL;

      /* With a FHIR server for identity, it decides for devices not in
       * the bed map; the patient the message names does not count (the
       * connector's Lookup ignores it too).  The server's birth date of
       * the Patient updates ours.
       */
      if (p == NULL && self->identity != NULL && item->device_id != NULL)
        {
          p = identity_patient (self, item, received_at, &birth_date, &device_server_id,
                                &identity_why);
          if (p != NULL && birth_date != NULL && !update_birth_date (self, p, birth_date, error))
            return FALSE;
          /* Watched for silence like the bed map's devices. */
          if (p != NULL && d == NULL)
            {
              d = g_new0 (Device, 1);
              d->device_id = g_strdup (item->device_id);
              g_hash_table_insert (self->devices, d->device_id, d);
            }
          if (d != NULL)
            {
              d->named = p;
              if (device_server_id != NULL)
                {
                  g_free (d->server_id);
                  d->server_id = g_steal_pointer (&device_server_id);
                }
              /* Now someone else's (or no one's): not ours to watch. */
              if (p == NULL)
                {
                  d->last_seen = 0;
                  if (!close_technical_alert (self, d, received_at, error))
                    return FALSE;
                }
            }
        }
      else if (p == NULL && item->patient_id != NULL)
        p = g_hash_table_lookup (self->by_patient, item->patient_id);

      /* A device clock a little ahead is tolerated; more is an error. */
      if (item->occurrence_time > received_at + MAX_CLOCK_SKEW_USEC)
        {
          g_autofree char *when = ward_time_format_iso8601 (item->occurrence_time);

          g_string_append_printf (rejected, "%s%s: occurrence time %s is more than 5 minutes in the future",
                                  rejected->len ? "; " : "", item->type, when);
          continue;
        }

      if (p == NULL)
        {
          g_autofree char *why = identity_why ? g_steal_pointer (&identity_why)
                                 : g_strdup_printf ("device %s is not assigned to a patient",
                                                    item->device_id ? item->device_id : "(none)");

          if (strstr (unassigned->str, why) == NULL)
            g_string_append_printf (unassigned, "%s%s", unassigned->len ? "; " : "", why);
          continue;
        }

      n_assigned++;
      if (self->config.vitals_observations)
        queue_vitals (self, item, p);
      g_array_set_size (self->scratch, 0);
      ward_normalized_bind (item, self->scratch, rejected);

      for (guint k = 0; k < self->scratch->len; k++)
        {
          WardMeasurement *m = &g_array_index (self->scratch, WardMeasurement, k);

          g_free (m->patient_id);
          m->patient_id = g_strdup (p->patient_id);
          m->raw_message_id = raw_id;
          if (ward_store_add_measurement (self->store, m, received_at, error) == 0)
            return FALSE;
          self->counters.measurements++;
          update_latest (p, m);
        }

      if (d != NULL)
        {
          d->last_seen = MAX (d->last_seen, received_at);
          if (!close_technical_alert (self, d, received_at, error))
            return FALSE;
        }
    }

  if (unassigned->len > 0)
    {
      set_outcome (outcome, reason, n_assigned ? WARD_INGEST_PARTIAL : WARD_INGEST_REJECTED,
                   unassigned->str);
      if (!dead_letter (self, raw_id, "identity", unassigned->str, received_at, error))
        return FALSE;
    }

  if (rejected->len > 0)
    {
      set_outcome (outcome, reason, WARD_INGEST_PARTIAL, rejected->str);
      if (!dead_letter (self, raw_id, "validation", rejected->str, received_at, error))
        return FALSE;
    }

  return TRUE;
}

struct _WardMapped
{
  GPtrArray  *items;   /* WardNormalized */
  const char *stage;   /* of the error */
  GError     *error;
  char       *problems; /* HL7: OBX skipped or times guessed, or NULL */
};

void
ward_mapped_free (WardMapped *mapped)
{
  if (mapped == NULL)
    return;

  g_clear_pointer (&mapped->items, g_ptr_array_unref);
  g_clear_error (&mapped->error);
  g_clear_pointer (&mapped->problems, g_free);
  g_free (mapped);
}

/* Stage 4, device mapping by content type: the IoMT device template for
 * JSON, the HL7 mapper for HL7 v2.  It touches no store, so the pipeline
 * can run it before it takes the write lock.
 */
WardMapped *
ward_engine_map_message (WardEngine *self,
                         const char *content_type,
                         const char *device_id_hint,
                         const char *payload,
                         gsize       length,
                         gint64      received_at)
{
  WardMapped *mapped;

  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  mapped = g_new0 (WardMapped, 1);
  mapped->items = g_ptr_array_new_with_free_func ((GDestroyNotify) ward_normalized_free);
  mapped->stage = "mapping";

  if (content_type == NULL || g_strcmp0 (content_type, WARD_CONTENT_TYPE_JSON) == 0)
    {
      g_autoptr(JsonNode) message = NULL;
      g_autoptr(JsonNode) wrapped = NULL;

      message = ward_device_template_parse_message (payload, length, &mapped->error);
      if (message == NULL)
        mapped->stage = "parse";
      else
        {
          /* As the MedTech service does with every Event Hub message. */
          wrapped = ward_device_template_wrap_message (message);
          ward_device_template_map (self->device_template, wrapped, device_id_hint, received_at,
                                    mapped->items, &mapped->error);
        }
    }
  else if (g_strcmp0 (content_type, WARD_CONTENT_TYPE_HL7V2) == 0)
    {
      g_auto(WardHl7MessageInfo) info = { 0 };
      g_autoptr(GString) warnings = g_string_new (NULL);
      g_autoptr(GString) problems = g_string_new (NULL);
      GPtrArray *hl7_items;

      hl7_items = ward_hl7_map_message_full (payload, length, received_at, &info, warnings,
                                             problems, &mapped->error);
      if (hl7_items == NULL)
        {
          if (g_error_matches (mapped->error, WARD_HL7_ERROR, WARD_HL7_ERROR_TOO_LARGE) ||
              g_error_matches (mapped->error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX) ||
              g_error_matches (mapped->error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET))
            mapped->stage = "parse";
        }
      else
        {
          g_ptr_array_unref (mapped->items);
          mapped->items = hl7_items;
        }
      /* Unknown and vendor-private codes are expected: logged, skipped. */
      if (warnings->len > 0)
        g_debug ("HL7 message skipped codes: %s", warnings->str);
      /* What it lost or guessed is recorded on the message. */
      if (problems->len > 0)
        {
          g_string_truncate (problems, problems->len - 1);
          mapped->problems = g_string_free (g_steal_pointer (&problems), FALSE);
        }
    }
  else
    {
      g_set_error (&mapped->error, WARD_MAPPING_ERROR, WARD_MAPPING_ERROR_PARSE,
                   "no device mapping for content type %s", content_type);
    }

  return mapped;
}

/* What device mapping skipped or guessed in a message it mapped: the
 * message is partial, and the reason is kept as a dead letter at stage
 * mapping, as values refused at validation are.
 */
static gboolean
record_problems (WardEngine         *self,
                 gint64              raw_id,
                 const WardMapped   *mapped,
                 gint64              received_at,
                 WardIngestOutcome  *outcome,
                 char              **reason,
                 GError            **error)
{
  g_autofree char *text = NULL;

  if (mapped->problems == NULL)
    return TRUE;

  text = reason != NULL && *reason != NULL ? g_strdup_printf ("%s\n%s", *reason, mapped->problems)
                                           : g_strdup (mapped->problems);
  set_outcome (outcome, reason,
               outcome == NULL || *outcome == WARD_INGEST_ACCEPTED ? WARD_INGEST_PARTIAL : *outcome,
               text);

  return dead_letter (self, raw_id, "mapping", mapped->problems, received_at, error);
}

/* Stages 5 to 9 for what mapping made of one archived raw message. */
static gboolean
store_mapped (WardEngine         *self,
              gint64              raw_id,
              const WardMapped   *mapped,
              gint64              received_at,
              WardIngestOutcome  *outcome,
              char              **reason,
              GError            **error)
{
  if (mapped->error != NULL)
    {
      set_outcome (outcome, reason, WARD_INGEST_REJECTED, mapped->error->message);
      return dead_letter (self, raw_id, mapped->stage, mapped->error->message, received_at, error);
    }

  /* Every OBX of an HL7 message skipped: what was wrong with them is
   * the reason.
   */
  if (mapped->problems != NULL && mapped->items->len == 0)
    {
      set_outcome (outcome, reason, WARD_INGEST_REJECTED, mapped->problems);
      return dead_letter (self, raw_id, "mapping", mapped->problems, received_at, error);
    }

  return store_normalized (self, raw_id, mapped->items, received_at, outcome, reason, error) &&
         record_problems (self, raw_id, mapped, received_at, outcome, reason, error);
}

gboolean
ward_engine_process_mapped (WardEngine         *self,
                            gint64              raw_id,
                            const WardMapped   *mapped,
                            gint64              received_at,
                            WardIngestOutcome  *outcome,
                            char              **reason,
                            GError            **error)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (raw_id > 0, FALSE);
  g_return_val_if_fail (mapped != NULL, FALSE);

  self->counters.messages++;

  /* Kept archived and unprocessed until the FHIR server names the
   * device's patient (a restart maps it again).
   */
  if (mapped->error == NULL && hold_for_identity (self, raw_id, mapped->items, received_at))
    {
      set_outcome (outcome, reason, WARD_INGEST_ACCEPTED,
                   "archived; waiting for the FHIR server to name the device's patient");
      return record_problems (self, raw_id, mapped, received_at, outcome, reason, error);
    }

  return store_mapped (self, raw_id, mapped, received_at, outcome, reason, error) &&
         ward_store_mark_processed (self->store, raw_id, received_at, error);
}

/* Held messages whose devices have their answer now, in the order they
 * came; the others wait on.
 */
static gboolean
release_held (WardEngine  *self,
              GError     **error)
{
  GQueue waiting = self->held;
  HeldMessage *held;

  /* Nothing can have changed for them without an answer or an
   * assignment: no need to look through a long queue at every tick.
   */
  if (g_queue_is_empty (&self->held) || !self->held_ready)
    return TRUE;

  self->held_ready = FALSE;
  g_queue_init (&self->held);
  g_hash_table_remove_all (self->held_devices);

  while ((held = g_queue_pop_head (&waiting)) != NULL)
    {
      if (!hold_for_identity (self, held->raw_id, held->items, held->received_at))
        {
          if (!store_normalized (self, held->raw_id, held->items, held->received_at, NULL, NULL,
                                 error) ||
              !ward_store_mark_processed (self->store, held->raw_id, held->received_at, error))
            {
              /* The batch rolls back: this message and the rest wait on
               * (and are in the store, unprocessed, for the next start).
               */
              g_queue_push_head (&waiting, held);
              while ((held = g_queue_pop_head (&waiting)) != NULL)
                g_queue_push_tail (&self->held, held);
              return FALSE;
            }
        }
      held_message_free (held);
    }

  return TRUE;
}

static void
identity_answered_cb (gpointer user_data)
{
  WardEngine *self = user_data;

  self->held_ready = TRUE;
}

void
ward_engine_set_identity (WardEngine   *self,
                          WardIdentity *identity)
{
  g_return_if_fail (WARD_IS_ENGINE (self));
  g_return_if_fail (identity == NULL || WARD_IS_IDENTITY (identity));

  if (identity != NULL && ward_identity_get_mode (identity) == WARD_IDENTITY_MODE_LOCAL)
    identity = NULL;
  if (self->identity != NULL)
    ward_identity_set_notify (self->identity, NULL, NULL);
  g_set_object (&self->identity, identity);
  if (identity != NULL)
    ward_identity_set_notify (identity, G_CALLBACK (identity_answered_cb), self);
  /* The identifiers a Patient created on the server carries. */
  for (guint i = 0; identity != NULL && i < self->patients->len; i++)
    {
      Patient *p = g_ptr_array_index (self->patients, i);

      if (p->fhir_identifiers != NULL)
        ward_identity_set_patient_identifiers (identity, p->patient_id, p->fhir_identifiers);
    }
  self->held_ready = TRUE;
}

guint
ward_engine_get_n_held (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), 0);

  return g_queue_get_length (&self->held);
}

gboolean
ward_engine_process_archived (WardEngine         *self,
                              gint64              raw_id,
                              const char         *content_type,
                              const char         *device_id_hint,
                              const char         *payload,
                              gsize               length,
                              gint64              received_at,
                              WardIngestOutcome  *outcome,
                              char              **reason,
                              GError            **error)
{
  g_autoptr(WardMapped) mapped = NULL;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (raw_id > 0, FALSE);

  mapped = ward_engine_map_message (self, content_type, device_id_hint, payload, length, received_at);
  return ward_engine_process_mapped (self, raw_id, mapped, received_at, outcome, reason, error);
}

gboolean
ward_engine_ingest (WardEngine         *self,
                    const char         *source,
                    const char         *content_type,
                    const char         *device_id_hint,
                    const char         *payload,
                    gsize               length,
                    gint64              received_at,
                    WardIngestOutcome  *outcome,
                    char              **reason,
                    GError            **error)
{
  gint64 raw_id;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  /* Stage 3: the raw copy first, so nothing that arrived is ever lost. */
  raw_id = ward_store_add_raw_message (self->store, received_at, source, content_type,
                                       device_id_hint, payload, length, error);
  if (raw_id == 0)
    return FALSE;

  return ward_engine_process_archived (self, raw_id, content_type, device_id_hint, payload,
                                       length, received_at, outcome, reason, error);
}

gboolean
ward_engine_ingest_rejected (WardEngine   *self,
                             const char   *source,
                             const char   *content_type,
                             const char   *payload,
                             gsize         length,
                             gint64        received_at,
                             const char   *stage,
                             const char   *reason,
                             GError      **error)
{
  gint64 raw_id;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (stage != NULL && reason != NULL, FALSE);

  /* Archived as it came, and marked mapped: there is nothing to map, and
   * a restart must not take it for a message still to be mapped.
   */
  raw_id = ward_store_add_raw_message (self->store, received_at, source, content_type, NULL,
                                       payload, length, error);
  if (raw_id == 0 ||
      !dead_letter (self, raw_id, stage, reason, received_at, error) ||
      !ward_store_mark_processed (self->store, raw_id, received_at, error))
    return FALSE;

  return TRUE;
}

typedef struct
{
  WardEngine *engine;
  guint       n;
} ReplayData;

static gboolean
replay_cb (gint64       id,
           gint64       received_at,
           const char  *source,
           const char  *content_type,
           const char  *device_id,
           const void  *payload,
           gsize        length,
           gpointer     user_data,
           GError     **error)
{
  ReplayData *data = user_data;

  data->n++;
  return ward_engine_process_archived (data->engine, id, content_type, device_id, payload, length,
                                       received_at, NULL, NULL, error);
}

gboolean
ward_engine_process_pending (WardEngine  *self,
                             guint       *n_processed,
                             GError     **error)
{
  ReplayData data = { self, 0 };

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  if (!ward_store_foreach_pending (self->store, replay_cb, &data, error))
    return FALSE;

  if (n_processed != NULL)
    *n_processed = data.n;

  return TRUE;
}

gboolean
ward_engine_nurse_entry (WardEngine    *self,
                         const char    *patient_id,
                         WardMeasKind   kind,
                         double         value,
                         gint64         at,
                         const char    *user,
                         GError       **error)
{
  g_autofree char *detail = NULL;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  WardMeasurement m = { 0 };
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (kind < WARD_MEAS_N_KINDS, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!(p = lookup_patient (self, patient_id, error)))
    return FALSE;

  if (!ward_measurement_is_plausible (kind, value))
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "%s: impossible value %s", ward_meas_kind_to_string (kind),
                   g_ascii_dtostr (buf, sizeof buf, value));
      return FALSE;
    }

  m.kind = kind;
  m.value = value;
  m.observed_at = at;
  m.source = WARD_SOURCE_NURSE;
  m.patient_id = p->patient_id;
  m.entered_by = (char *) user;

  if (ward_store_add_measurement (self->store, &m, at, error) == 0)
    return FALSE;
  self->counters.measurements++;
  update_latest (p, &m);

  detail = g_strdup_printf ("{\"kind\":\"%s\",\"value\":%s}", ward_meas_kind_to_string (kind),
                            g_ascii_dtostr (buf, sizeof buf, value));
  return record_event (self, at, user, "nurse-entry", p->patient_id, detail, error);
}

gboolean
ward_engine_nurse_entries (WardEngine            *self,
                           const char            *patient_id,
                           const WardNurseEntry  *entries,
                           guint                  n_entries,
                           gint64                 at,
                           const char            *user,
                           GError               **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (entries != NULL || n_entries == 0, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (lookup_patient (self, patient_id, error) == NULL)
    return FALSE;

  for (guint i = 0; i < n_entries; i++)
    {
      g_return_val_if_fail (entries[i].kind < WARD_MEAS_N_KINDS, FALSE);

      if (!ward_measurement_is_plausible (entries[i].kind, entries[i].value))
        {
          g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                       "%s: impossible value %s; nothing of this round was recorded",
                       ward_meas_kind_to_string (entries[i].kind),
                       g_ascii_dtostr (buf, sizeof buf, entries[i].value));
          return FALSE;
        }
    }

  for (guint i = 0; i < n_entries; i++)
    {
      if (!ward_engine_nurse_entry (self, patient_id, entries[i].kind, entries[i].value, at, user,
                                    error))
        return FALSE;
    }

  /* A full round (all seven NEWS2 parameters) is the nurse's own score:
   * it needs no sustain delay to open a flag.
   */
  {
    guint n_covered = 0;

    for (guint k = 0; k < WARD_NEWS2_N_PARAMS; k++)
      {
        for (guint i = 0; i < n_entries; i++)
          {
            if (entries[i].kind == ward_window_param_kind (k))
              {
                n_covered++;
                break;
              }
          }
      }
    if (n_covered == WARD_NEWS2_N_PARAMS)
      lookup_patient (self, patient_id, NULL)->nurse_validated = TRUE;
  }

  return TRUE;
}

gboolean
ward_engine_set_spo2_scale (WardEngine  *self,
                            const char  *patient_id,
                            int          scale,
                            gint64       at,
                            const char  *user,
                            GError     **error)
{
  return ward_engine_set_spo2_scale_full (self, patient_id, scale, user, at, user, error);
}

gboolean
ward_engine_set_spo2_scale_full (WardEngine  *self,
                                 const char  *patient_id,
                                 int          scale,
                                 const char  *decided_by,
                                 gint64       at,
                                 const char  *user,
                                 GError     **error)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *detail = NULL;
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (decided_by != NULL, FALSE);

  if (!(p = lookup_patient (self, patient_id, error)))
    return FALSE;

  if (scale != 1 && scale != 2)
    {
      g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_INVALID,
                   "spo2_scale: %d is not 1 or 2", scale);
      return FALSE;
    }

  if (!ward_store_set_spo2_scale (self->store, p->patient_id, scale, decided_by, at, error))
    return FALSE;

  p->spo2_scale = scale;
  p->dirty = TRUE;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "spo2_scale");
  json_builder_add_int_value (builder, scale);
  json_builder_set_member_name (builder, "decided_by");
  json_builder_add_string_value (builder, decided_by);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  detail = json_to_string (root, FALSE);

  return record_event (self, at, user, "spo2-scale", p->patient_id, detail, error);
}

gboolean
ward_engine_confirm (WardEngine  *self,
                     const char  *patient_id,
                     gint64       at,
                     const char  *user,
                     GError     **error)
{
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!(p = lookup_patient (self, patient_id, error)))
    return FALSE;

  p->confirmed_at = at;
  g_free (p->confirmed_by);
  p->confirmed_by = g_strdup (user);
  p->dirty = TRUE;
  p->nurse_validated = TRUE;

  return record_event (self, at, user, "confirm", p->patient_id, NULL, error);
}

gboolean
ward_engine_acknowledge (WardEngine  *self,
                         gint64       flag_id,
                         gint64       at,
                         const char  *user,
                         GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *patient_id = NULL;
  Patient *p;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!ward_store_acknowledge_flag (self->store, flag_id, user, at, &patient_id, &local_error))
    {
      if (g_error_matches (local_error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND))
        g_set_error (error, WARD_ENGINE_ERROR, WARD_ENGINE_ERROR_NO_FLAG,
                     "Flag %" G_GINT64_FORMAT " is not open", flag_id);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  p = patient_id ? g_hash_table_lookup (self->by_patient, patient_id) : NULL;
  if (p != NULL && p->flag_id == flag_id)
    {
      g_free (p->flag_ack_by);
      p->flag_ack_by = g_strdup (user);
      p->flag_ack_at = at;
    }
  else
    {
      GHashTableIter iter;
      gpointer value;

      /* A technical alert (a silent device) is a flag too. */
      g_hash_table_iter_init (&iter, self->devices);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Device *d = value;

          if (d->alert_id == flag_id)
            {
              g_free (d->alert_ack_by);
              d->alert_ack_by = g_strdup (user);
              d->alert_ack_at = at;
              break;
            }
        }
    }

  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT "}", flag_id);
  return record_event (self, at, user, "acknowledge", patient_id, detail, error);
}

/* The snapshot's nurse values that still count, the score's inputs, the
 * next observations due and the flag's pending change.
 */
static void
fill_nurse_and_due (WardEngine   *self,
                    Patient      *p,
                    gint64        now,
                    WardBedState *bed)
{
  for (guint kind = 0; kind < WARD_MEAS_N_KINDS; kind++)
    {
      const WardLatestValue *v = &p->nurse_latest[kind];

      if (v->valid && v->observed_at <= now &&
          now - v->observed_at < ward_window_kind_validity (&self->config.window, kind, v->source))
        bed->nurse_latest[kind] = *v;
    }
  for (guint k = 0; k < WARD_NEWS2_N_PARAMS && p->has_score; k++)
    {
      if (p->score.result.points[k] >= 0)
        bed->score_inputs[k] = p->score.used[k];
    }

  if (p->has_score && ward_news2_applies_to_age (patient_age_at (p, p->score.window_end)))
    ward_obs_due (&self->config.obs, p->score.result.total, p->score.result.band,
                  p->last_full_set_at, p->first_scored_at, &bed->obs_due_at, &bed->obs_continuous);

  if (!ward_flag_tracker_get_pending (&p->tracker, &self->config.flags, &bed->flag_pending_band,
                                      &bed->flag_pending_at))
    bed->flag_pending_at = 0;
}

static gboolean
score_patient (WardEngine  *self,
               Patient     *p,
               gint64       now,
               GError     **error)
{
  g_autofree char *inputs = NULL;
  WardWindowScore score;
  WardScoreRecord record = { 0 };
  gboolean any = FALSE;
  gboolean inserted = FALSE;
  gboolean final;
  gboolean applicable;
  gint64 id;
  int age;

  ward_window_score_full (&self->config.window, p->latest, p->nurse_latest, p->spo2_scale, now,
                          &score);
  p->rescore_at = score.expires_at;

  for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
    any |= score.result.points[i] >= 0;

  if (!any)
    {
      p->has_score = FALSE;
      return TRUE;
    }

  /* Final once a nurse has confirmed the inputs while this window was
   * the open one.  Windows overlap (each covers window_usec and a new
   * one opens every step_usec), so "while it was open" is the step that
   * ends the window; the next window is device data again, preliminary
   * until confirmed.
   */
  final = p->confirmed_at > score.window_end - self->config.window.step_usec &&
          p->confirmed_at <= score.window_end;

  /* Under 16 the score is computed and kept for the record, but NEWS2
   * is not validated for them: it claims no risk (and raises no flag).
   */
  age = patient_age_at (p, score.window_end);
  applicable = ward_news2_applies_to_age (age);

  inputs = ward_window_score_to_json (&score);
  record.patient_id = p->patient_id;
  record.window_start = score.window_start;
  record.window_end = score.window_end;
  record.computed_at = now;
  record.total = score.result.total;
  record.band = score.result.band;
  record.complete = score.result.complete;
  record.final = final;
  record.confirmed_by = final ? p->confirmed_by : NULL;
  record.confirmed_at = final ? p->confirmed_at : 0;
  record.inputs_json = inputs;
  record.age_known = age >= 0;
  record.age = age;
  record.news2_not_applicable = !applicable;

  id = ward_store_upsert_score (self->store, &record, &inserted, error);
  if (id == 0)
    return FALSE;

  if (inserted)
    self->counters.scores++;

  /* The window's FHIR resources, under ids made from (patient,
   * window_end) like the score row: a re-scored window updates them.
   * derivedFrom names the vital-signs Observations of the device values
   * that went into the score (when they are written).
   */
  {
    g_autoptr(JsonNode) observation = NULL;
    g_autoptr(JsonNode) assessment = NULL;
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GPtrArray) derived_from = g_ptr_array_new_with_free_func (g_free);
    WardFhirScoreInput input;

    ward_fhir_score_input_from_window (&score, p->patient_id, now, final, &input);
    /* The ids of the resources stay keyed by the patient id; their
     * subject is the patient's FHIR id, as in the vital signs.
     */
    input.subject_id = patient_fhir_id (self, p);
    input.device_id = self->fhir_device_id;
    input.news2_not_applicable = !applicable;
    for (guint i = 0; i < WARD_NEWS2_N_PARAMS; i++)
      {
        const char *type = ward_fhir_news2_param_vitals_type (i);
        char *reference;

        if (type == NULL || !input.params[i].present ||
            input.params[i].source != WARD_SOURCE_DEVICE)
          continue;
        reference = find_vitals (self, p->patient_id, type, input.params[i].observed_at);
        if (reference != NULL &&
            !g_ptr_array_find_with_equal_func (derived_from, reference, g_str_equal, NULL))
          g_ptr_array_add (derived_from, reference);
        else
          g_free (reference);
      }
    g_ptr_array_add (derived_from, NULL);
    input.derived_from = derived_from->len > 1 ? (const char * const *) derived_from->pdata : NULL;

    if (!(observation = ward_fhir_news2_observation (&input, &local_error)))
      report_unbuilt ("NEWS2 Observation", local_error);
    else if (!put_resource (self, "Observation", observation, NULL, now, error))
      return FALSE;

    g_clear_error (&local_error);
    if (!(assessment = ward_fhir_risk_assessment (&input, &local_error)))
      report_unbuilt ("RiskAssessment", local_error);
    else if (!put_resource (self, "RiskAssessment", assessment, NULL, now, error))
      return FALSE;
  }

  p->score = score;
  p->score_id = id;
  p->score_final = final;
  p->has_score = TRUE;
  if (p->first_scored_at == 0)
    p->first_scored_at = now;
  p->last_full_set_at = MAX (p->last_full_set_at, ward_window_score_full_set_at (&score));
  ward_trend_history_add (&p->trend, score.window_end, score.result.total);
  return TRUE;
}

/* Flags follow monitor data: a window with none of RR, SpO2 or pulse
 * (a silent device) neither opens nor closes a flag.  Closing a flag
 * because the data stopped would be unsafe; the technical alert covers
 * the silence.
 */
static gboolean
score_has_monitor_data (const WardWindowScore *score)
{
  return score->result.points[WARD_NEWS2_RR] >= 0 ||
         score->result.points[WARD_NEWS2_SPO2] >= 0 ||
         score->result.points[WARD_NEWS2_HR] >= 0;
}

/* The Flag of the patient's flag episode: active while it is open,
 * inactive once closed, one id (patient, opened_at) for its whole life.
 */
static gboolean
put_flag (WardEngine  *self,
          Patient     *p,
          gint64       closed_at,
          gint64       now,
          GError     **error)
{
  g_autoptr(JsonNode) flag = NULL;
  g_autoptr(GError) local_error = NULL;
  WardFhirFlagInput input = {
    .patient_id = p->patient_id,
    .subject_id = patient_fhir_id (self, p),
    .device_id = self->fhir_device_id,
    .opened_at = p->flag_opened_at,
    .closed_at = closed_at,
    .band = p->flag_band,
    .assessment_window_end = p->score.window_end,
  };

  if (!(flag = ward_fhir_flag (&input, &local_error)))
    {
      report_unbuilt ("Flag", local_error);
      return TRUE;
    }

  return put_resource (self, "Flag", flag, NULL, now, error);
}

/* A patient known to be under 16: NEWS2 raises no flag for them.  A flag
 * raised before the age was known (or before a birth date was corrected)
 * is closed at once, with the reason, rather than left open with no rule
 * that could ever close it; a pending one is forgotten.
 */
static gboolean
stand_down_flag (WardEngine  *self,
                 Patient     *p,
                 gint64       now,
                 GError     **error)
{
  g_autofree char *detail = NULL;
  gint64 flag_id = p->flag_id;

  memset (&p->tracker, 0, sizeof p->tracker);
  if (flag_id == 0)
    return TRUE;

  if (!ward_store_close_flag (self->store, flag_id, now, error) ||
      !put_flag (self, p, now, now, error))
    return FALSE;

  p->flag_id = 0;
  p->flag_opened_at = 0;
  g_clear_pointer (&p->flag_ack_by, g_free);
  p->flag_ack_at = 0;
  p->flag_escalated_at = 0;
  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"reason\":\"news2-not-applicable\"}",
                            flag_id);
  return record_event (self, now, SYSTEM_ACTOR, "flag-closed", p->patient_id, detail, error);
}

static gboolean
run_flag_rules (WardEngine  *self,
                Patient     *p,
                gint64       now,
                GError     **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;
  WardFlagAction action;
  WardBand band = WARD_BAND_LOW;

  if (!p->has_score || !score_has_monitor_data (&p->score))
    return TRUE;

  if (!ward_news2_applies_to_age (patient_age_at (p, p->score.window_end)))
    return stand_down_flag (self, p, now, error);

  action = ward_flag_tracker_update_full (&p->tracker, &self->config.flags, p->score.result.band,
                                          p->nurse_validated, now, &band);

  switch (action)
    {
    case WARD_FLAG_ACTION_NONE:
      return TRUE;

    case WARD_FLAG_ACTION_OPEN:
      reason = g_strdup_printf ("NEWS2 %d (%s)%s%s", p->score.result.total,
                                ward_band_to_string (p->score.result.band),
                                p->score.result.complete ? "" : ", partial",
                                p->nurse_validated ? ", nurse-validated" : "");
      p->flag_id = ward_store_open_flag (self->store, p->patient_id, "clinical", NULL, band,
                                         now, p->score_id, reason, error);
      if (p->flag_id == 0)
        return FALSE;
      p->flag_opened_at = now;
      p->flag_band = band;
      g_clear_pointer (&p->flag_ack_by, g_free);
      p->flag_ack_at = 0;
      p->flag_escalated_at = 0;
      self->counters.flags_raised++;
      if (!put_flag (self, p, 0, now, error))
        return FALSE;
      /* nurse_validated: opened without the sustain delay. */
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"band\":\"%s\",\"score_id\":%"
                                G_GINT64_FORMAT ",\"nurse_validated\":%s}", p->flag_id,
                                ward_band_to_string (band), p->score_id,
                                p->nurse_validated ? "true" : "false");
      return record_event (self, now, SYSTEM_ACTOR, "flag-raised", p->patient_id, detail, error);

    case WARD_FLAG_ACTION_ESCALATE:
      if (!ward_store_escalate_flag (self->store, p->flag_id, band, now, error))
        return FALSE;
      self->counters.flags_escalated++;
      p->flag_band = band;
      p->flag_escalated_at = now;
      if (!put_flag (self, p, 0, now, error))
        return FALSE;
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"band\":\"%s\","
                                "\"nurse_validated\":%s}", p->flag_id, ward_band_to_string (band),
                                p->nurse_validated ? "true" : "false");
      return record_event (self, now, SYSTEM_ACTOR, "flag-escalated", p->patient_id, detail, error);

    case WARD_FLAG_ACTION_CLOSE:
      if (!ward_store_close_flag (self->store, p->flag_id, now, error))
        return FALSE;
      if (!put_flag (self, p, now, now, error))
        return FALSE;
      detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT "}", p->flag_id);
      p->flag_id = 0;
      p->flag_opened_at = 0;
      g_clear_pointer (&p->flag_ack_by, g_free);
      p->flag_ack_at = 0;
      p->flag_escalated_at = 0;
      return record_event (self, now, SYSTEM_ACTOR, "flag-closed", p->patient_id, detail, error);

    default:
      g_assert_not_reached ();
    }

  return TRUE;
}

static gboolean
check_silence (WardEngine  *self,
               Device      *d,
               gint64       now,
               GError     **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *reason = NULL;
  gint64 silent_for;

  /* A device that never sent is not yet "silent": it may not be in use. */
  if (d->last_seen == 0 || d->alert_id != 0)
    return TRUE;

  silent_for = now - d->last_seen;
  if (silent_for <= self->config.device_silence_usec)
    return TRUE;

  reason = g_strdup_printf ("no data from %s for %" G_GINT64_FORMAT " s", d->device_id,
                            silent_for / WARD_USEC_PER_SEC);
  d->alert_id = ward_store_open_flag (self->store, device_patient_id (d),
                                      "technical", d->device_id, WARD_BAND_LOW, now, 0,
                                      reason, error);
  if (d->alert_id == 0)
    return FALSE;
  d->alert_since = now;
  self->counters.technical_alerts++;

  detail = g_strdup_printf ("{\"flag_id\":%" G_GINT64_FORMAT ",\"device\":\"%s\",\"last_seen\":%"
                            G_GINT64_FORMAT "}", d->alert_id, d->device_id, d->last_seen);
  return record_event (self, now, SYSTEM_ACTOR, "technical-alert", device_patient_id (d),
                       detail, error);
}

gboolean
ward_engine_evaluate (WardEngine  *self,
                      gint64       now,
                      GError     **error)
{
  GHashTableIter iter;
  gpointer value;
  gint64 window_end;
  gboolean new_window;

  g_return_val_if_fail (WARD_IS_ENGINE (self), FALSE);

  /* When time crosses into a new window, every patient is re-scored:
   * values age out of windows even when nothing new arrives.
   */
  /* Everything made here goes to the local FHIR store first; the
   * measurements' Observations before the scores derived from them.
   */
  if (!release_held (self, error) ||
      !ensure_fhir_device (self, now, error) ||
      !flush_vitals (self, now, error))
    return FALSE;

  ward_window_bounds (&self->config.window, now, NULL, &window_end);
  new_window = window_end != self->last_window_end;
  self->last_window_end = window_end;

  for (guint i = 0; i < self->patients->len; i++)
    {
      Patient *p = g_ptr_array_index (self->patients, i);

      /* And when a value stops counting (its validity ends). */
      if (p->dirty || new_window || now >= p->rescore_at)
        {
          if (!score_patient (self, p, now, error))
            return FALSE;
          p->dirty = FALSE;
        }

      if (!run_flag_rules (self, p, now, error))
        return FALSE;
      p->nurse_validated = FALSE;
    }

  g_hash_table_iter_init (&iter, self->devices);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      if (!check_silence (self, value, now, error))
        return FALSE;
    }

  return check_outbox (self, error);
}

WardSnapshot *
ward_engine_snapshot (WardEngine *self,
                      gint64      now)
{
  g_autoptr(GArray) beds = NULL;
  gint64 window_end;

  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  ward_window_bounds (&self->config.window, now, NULL, &window_end);
  beds = g_array_sized_new (FALSE, TRUE, sizeof (WardBedState), self->patients->len);
  g_array_set_clear_func (beds, (GDestroyNotify) _ward_bed_state_clear);

  for (guint i = 0; i < self->patients->len; i++)
    {
      Patient *p = g_ptr_array_index (self->patients, i);
      Device *d = p->device_id ? g_hash_table_lookup (self->devices, p->device_id) : NULL;
      WardBedState bed = { 0 };
      int age = patient_age_at (p, window_end);

      bed.bed_id = g_strdup (p->bed_id);
      bed.bed_label = g_strdup (p->bed_label);
      bed.patient_id = g_strdup (p->patient_id);
      bed.patient_name = g_strdup (p->name);
      bed.patient_initials = g_strdup (p->initials);
      bed.device_id = g_strdup (p->device_id);
      bed.spo2_scale = p->spo2_scale;
      bed.age = age;
      bed.news2_not_applicable = !ward_news2_applies_to_age (age);
      bed.hospital_number = g_strdup (p->hospital_number);
      bed.nhs_number = g_strdup (p->nhs_number);
      bed.birth_date = g_strdup (p->birth_date);
      memcpy (bed.latest, p->latest, sizeof bed.latest);
      fill_nurse_and_due (self, p, now, &bed);

      bed.has_score = p->has_score;
      for (guint k = 0; k < WARD_NEWS2_N_PARAMS; k++)
        bed.score_points[k] = -1;
      if (p->has_score)
        {
          bed.score_total = p->score.result.total;
          bed.score_band = p->score.result.band;
          bed.score_complete = p->score.result.complete;
          bed.score_final = p->score_final;
          memcpy (bed.score_points, p->score.result.points, sizeof bed.score_points);
          bed.score_window_start = p->score.window_start;
          bed.score_window_end = p->score.window_end;
        }

      bed.flag_state = p->tracker.state;
      bed.flag_id = p->flag_id;
      bed.flag_band = p->tracker.open_band;
      bed.flag_opened_at = p->flag_opened_at;
      bed.flag_acknowledged_by = g_strdup (p->flag_ack_by);
      bed.flag_acknowledged_at = p->flag_ack_at;
      bed.flag_escalated_at = p->flag_escalated_at;
      if (p->has_score)
        ward_trend_history_fit (&p->trend, now, &bed.trend);

      if (d != NULL && d->alert_id != 0)
        {
          bed.technical_alert = TRUE;
          bed.technical_alert_since = d->alert_since;
          bed.technical_alert_id = d->alert_id;
          bed.technical_alert_acknowledged_by = g_strdup (d->alert_ack_by);
        }

      g_array_append_val (beds, bed);
    }

  return _ward_snapshot_new (now, ++self->serial, beds, &self->counters);
}

const WardCounters *
ward_engine_get_counters (WardEngine *self)
{
  g_return_val_if_fail (WARD_IS_ENGINE (self), NULL);

  return &self->counters;
}
