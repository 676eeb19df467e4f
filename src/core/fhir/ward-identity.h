/* ward-identity.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ward-fhir-auth.h"

G_BEGIN_DECLS

/* Device to patient, as the IoMT connector's identity modes define it:
 *
 * - lookup: GET {base}/Device?identifier=<device id>; the patient is
 *   Device.patient.  No Device, a Device without a patient, or several
 *   Devices is a definite answer (WARD_IDENTITY_FAILED, with a reason).
 * - create: the same lookup; when there is no Device, the Patient named
 *   by the message (its patient id, as Patient.identifier) and the Device
 *   (identifier = device id, patient = that Patient) are made with
 *   conditional creates (If-None-Exist), so repeated messages and
 *   restarts never make a second one.  A Device without a patient gets
 *   the message's patient.
 * - local: no server; the ward's own bed map (WardEngine) decides.  A
 *   resolver in local mode answers every device FAILED.
 *
 * The resolved Patient is read too (GET Patient/<id>): its id and the
 *   values of its identifiers are the keys a caller matches against its
 *   own patients, and birthDate is kept as patient context.  The answer
 *   carries the server's ids of the Patient and of the Device, which are
 *   what resources about them must reference.
 *
 * Answers are cached per device for a bounded lifetime (default 5 min)
 * and a bounded number of devices (default 4096; the entry closest to
 * expiry goes first).  A device re-assigned on the server is therefore
 * seen at the latest one lifetime later (plus one request).  A refresh of
 * an expired answer that fails on the network or with 5xx/429/401 keeps
 * the old answer (a FHIR outage does not blind the ward) and is retried
 * with backoff; a device never answered stays PENDING meanwhile.
 *
 * Requests never block: resolve() answers from the cache or returns
 * PENDING and schedules the request on the main context given to new(),
 * where the libsoup session and the WardFhirAuth live (the pipeline
 * thread).  All calls must come from the thread that runs that context,
 * or before it runs.
 */

typedef enum
{
  WARD_IDENTITY_MODE_LOCAL,
  WARD_IDENTITY_MODE_LOOKUP,
  WARD_IDENTITY_MODE_CREATE,
} WardIdentityMode;

typedef enum
{
  WARD_IDENTITY_PENDING,     /* asked; no answer yet (or the server is unreachable) */
  WARD_IDENTITY_RESOLVED,
  WARD_IDENTITY_FAILED,      /* a definite no: reason says why */
} WardIdentityState;

/* An answer; immutable and reference-counted. */
typedef struct
{
  /*< private >*/
  gint                ref_count;
  /*< public >*/
  WardIdentityState   state;
  char               *patient_id;   /* the FHIR id of the Patient, RESOLVED only */
  char               *device_resource_id; /* the FHIR id of the Device, RESOLVED only */
  char              **patient_keys; /* patient_id, then its identifier values */
  char               *birth_date;   /* Patient.birthDate, or NULL */
  char               *reason;       /* FAILED only */
} WardIdentityAnswer;

#define WARD_IDENTITY_DEFAULT_LIFETIME_USEC (5 * G_TIME_SPAN_MINUTE)
#define WARD_IDENTITY_DEFAULT_MAX_ENTRIES   4096

WardIdentityAnswer *ward_identity_answer_ref     (WardIdentityAnswer *answer);
void                ward_identity_answer_unref   (WardIdentityAnswer *answer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardIdentityAnswer, ward_identity_answer_unref)

/* "local", "lookup", "create"; FALSE for anything else. */
gboolean            ward_identity_mode_from_string (const char       *text,
                                                  WardIdentityMode *mode);
const char         *ward_identity_mode_to_string (WardIdentityMode    mode);

#define WARD_TYPE_IDENTITY (ward_identity_get_type ())
G_DECLARE_FINAL_TYPE (WardIdentity, ward_identity, WARD, IDENTITY, GObject)

/* context NULL: the thread-default main context.  auth NULL: none. */
WardIdentity       *ward_identity_new            (WardIdentityMode    mode,
                                                  const char         *base_url,
                                                  WardFhirAuth       *auth,
                                                  GMainContext       *context);
WardIdentityMode    ward_identity_get_mode       (WardIdentity       *self);
/* Lifetime of an answer (usec of the caller's clock, the now passed to
 * resolve) and the number of devices kept.
 */
void                ward_identity_set_cache      (WardIdentity       *self,
                                                  gint64              lifetime_usec,
                                                  guint               max_entries);
/* Retries after network errors: min_msec doubling up to max_msec, real
 * time.  Defaults 1 s and 30 s.
 */
void                ward_identity_set_retry      (WardIdentity       *self,
                                                  guint               min_msec,
                                                  guint               max_msec);
/* Called on the context whenever an answer arrives (to wake a caller
 * holding messages).
 */
void                ward_identity_set_notify     (WardIdentity       *self,
                                                  GCallback           func,
                                                  gpointer            user_data);

/* The state of the device at now.  With a non-NULL answer_out, a new
 * reference to the answer (RESOLVED or FAILED; also a stale RESOLVED one
 * while its refresh is failing), or NULL while PENDING.  patient_hint is
 * the patient id the message carries (create mode), or NULL.
 */
WardIdentityState   ward_identity_resolve        (WardIdentity       *self,
                                                  const char         *device_id,
                                                  const char         *patient_hint,
                                                  gint64              now,
                                                  WardIdentityAnswer **answer_out);
/* Forgets the device's answer: the next resolve asks the server again. */
void                ward_identity_forget         (WardIdentity       *self,
                                                  const char         *device_id);
/* Create mode: the identifiers (a FHIR Patient.identifier array, e.g.
 * the ward file's NHS and hospital numbers) a Patient made for this
 * patient id carries besides it; NULL forgets them.  Copied.
 */
void                ward_identity_set_patient_identifiers (WardIdentity *self,
                                                  const char         *patient_id,
                                                  JsonNode           *identifiers);
/* Cancels what is in flight; nothing is asked after this. */
void                ward_identity_stop           (WardIdentity       *self);

guint               ward_identity_get_n_entries  (WardIdentity       *self);
/* HTTP requests sent so far. */
guint               ward_identity_get_n_requests (WardIdentity       *self);

G_END_DECLS
