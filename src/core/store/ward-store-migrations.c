/* ward-store-migrations.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store.h"
#include "ward-store-private.h"

#include <sqlite3.h>

/* Numbered migrations.  Migration N takes a database from version N - 1
 * to N.  Never edit one that has shipped: add the next, at the end, and
 * raise WARD_STORE_SCHEMA_VERSION (ward-store.h).  Opening a store runs
 * the ones its database has not had yet (_ward_store_migrate() below).
 */
static const char * const migrations[] = {
  /* 1: ingest: who is where, what arrived, what was measured. */
  "CREATE TABLE patients ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT,"
  "  spo2_scale INTEGER NOT NULL DEFAULT 1 CHECK (spo2_scale IN (1, 2)),"
  "  spo2_scale_set_by TEXT,"
  "  spo2_scale_set_at INTEGER"
  ");"
  "CREATE TABLE beds ("
  "  id TEXT PRIMARY KEY,"
  "  label TEXT NOT NULL,"
  "  patient_id TEXT REFERENCES patients (id)"
  ");"
  "CREATE TABLE devices ("
  "  id TEXT PRIMARY KEY,"
  "  bed_id TEXT REFERENCES beds (id),"
  "  patient_id TEXT REFERENCES patients (id)"
  ");"
  "CREATE TABLE raw_messages ("
  "  id INTEGER PRIMARY KEY,"
  "  received_at INTEGER NOT NULL,"
  "  source TEXT NOT NULL,"
  "  device_id TEXT,"
  "  payload BLOB NOT NULL"
  ");"
  "CREATE INDEX raw_messages_received_at ON raw_messages (received_at);"
  "CREATE TABLE dead_letters ("
  "  id INTEGER PRIMARY KEY,"
  "  raw_message_id INTEGER REFERENCES raw_messages (id),"
  "  stage TEXT NOT NULL,"
  "  reason TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE measurements ("
  "  id INTEGER PRIMARY KEY,"
  "  patient_id TEXT NOT NULL REFERENCES patients (id),"
  "  device_id TEXT,"
  "  source TEXT NOT NULL CHECK (source IN ('device', 'nurse')),"
  "  entered_by TEXT,"
  "  kind TEXT NOT NULL,"
  "  value REAL NOT NULL,"
  "  observed_at INTEGER NOT NULL,"
  "  received_at INTEGER NOT NULL,"
  "  raw_message_id INTEGER REFERENCES raw_messages (id)"
  ");"
  "CREATE INDEX measurements_patient_kind_time ON measurements (patient_id, kind, observed_at);",

  /* 2: scoring and care: window scores, flags and alerts, the audit log. */
  "CREATE TABLE scores ("
  "  id INTEGER PRIMARY KEY,"
  "  patient_id TEXT NOT NULL REFERENCES patients (id),"
  "  window_start INTEGER NOT NULL,"
  "  window_end INTEGER NOT NULL,"
  "  computed_at INTEGER NOT NULL,"
  "  total INTEGER NOT NULL CHECK (total BETWEEN 0 AND 20),"
  "  band TEXT NOT NULL CHECK (band IN ('low', 'low-medium', 'medium', 'high')),"
  "  complete INTEGER NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('preliminary', 'final')),"
  "  confirmed_by TEXT,"
  "  confirmed_at INTEGER,"
  "  inputs TEXT NOT NULL,"
  "  UNIQUE (patient_id, window_end)"
  ");"
  "CREATE TABLE flags ("
  "  id INTEGER PRIMARY KEY,"
  "  patient_id TEXT REFERENCES patients (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('clinical', 'technical')),"
  "  subject TEXT,"
  "  band TEXT,"
  "  opened_at INTEGER NOT NULL,"
  "  escalated_at INTEGER,"
  "  closed_at INTEGER,"
  "  score_id INTEGER REFERENCES scores (id),"
  "  reason TEXT,"
  "  acknowledged_by TEXT,"
  "  acknowledged_at INTEGER"
  ");"
  "CREATE INDEX flags_patient ON flags (patient_id, opened_at);"
  "CREATE TABLE events ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  patient_id TEXT,"
  "  detail TEXT"
  ");"
  "CREATE INDEX events_at ON events (at);",

  /* 3: sources that archive before mapping (MQTT): a raw message records
   * its content type and when it was mapped; one archived but not yet
   * mapped when Wardwatch stopped is mapped at the next start.
   */
  "ALTER TABLE raw_messages ADD COLUMN content_type TEXT;"
  "ALTER TABLE raw_messages ADD COLUMN processed_at INTEGER;"
  "ALTER TABLE raw_messages ADD COLUMN pruned_at INTEGER;"
  "UPDATE raw_messages SET processed_at = received_at;"
  "CREATE INDEX raw_messages_pending ON raw_messages (id) WHERE processed_at IS NULL;",

  /* 4: the local FHIR resource store and its outbox.  Every resource is
   * kept here as FHIR JSON under its deterministic id, newest version
   * only, and queued for the FHIR server.  A resource has at most one
   * pending outbox row: a newer version moves that row's version on, so
   * a resource updated many times before it is sent is sent once, with
   * its newest content.  Sent and parked (failed) rows stay as the
   * record of what went out.  settings holds this installation's id.
   */
  "CREATE TABLE settings ("
  "  key TEXT PRIMARY KEY,"
  "  value TEXT NOT NULL"
  ");"
  "CREATE TABLE fhir_resources ("
  "  resource_type TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  json TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL,"
  "  PRIMARY KEY (resource_type, id)"
  ");"
  "CREATE TABLE outbox ("
  "  seq INTEGER PRIMARY KEY,"
  "  resource_type TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  version INTEGER NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  last_error TEXT,"
  "  operation_outcome TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  sent_at INTEGER"
  ");"
  "CREATE UNIQUE INDEX outbox_one_pending ON outbox (resource_type, id) WHERE state = 'pending';"
  "CREATE INDEX outbox_due ON outbox (next_attempt_at, seq) WHERE state = 'pending';"
  "CREATE INDEX outbox_state ON outbox (state);",

  /* 5: patient context.  A patient's birth date (a FHIR date: from the
   * ward file or the FHIR server's Patient.birthDate), and with each
   * score the patient's age at the window's end (NULL: unknown) and
   * whether NEWS2 applied to them (not under 16): a child's score is
   * kept for the record but claims no risk.
   */
  "ALTER TABLE patients ADD COLUMN birth_date TEXT;"
  "ALTER TABLE scores ADD COLUMN age INTEGER CHECK (age >= 0);"
  "ALTER TABLE scores ADD COLUMN news2_applicable INTEGER NOT NULL DEFAULT 1 "
  "  CHECK (news2_applicable IN (0, 1));",

  /* 6: the first answer to each message a sender identified (MLLP: MSH-10
   * of MSH-4 and MSH-3), so that a message sent again after a lost ACK
   * is stored once and answered as the first time, across restarts
   * (store/ward-store-answers.c).  digest tells a resend from another
   * message under a reused id.  Pruned by age.
   */
  "CREATE TABLE message_answers ("
  "  source TEXT NOT NULL,"
  "  facility TEXT NOT NULL,"
  "  application TEXT NOT NULL,"
  "  control_id TEXT NOT NULL,"
  "  digest TEXT NOT NULL,"
  "  outcome INTEGER NOT NULL CHECK (outcome IN (0, 1, 2)),"
  "  reason TEXT,"
  "  raw_message_id INTEGER REFERENCES raw_messages (id),"
  "  answered_at INTEGER NOT NULL,"
  "  PRIMARY KEY (source, facility, application, control_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX message_answers_answered_at ON message_answers (answered_at);",

  /* 7: MQTT redelivery (ward-store-archive.c).  A QoS 1 message that was
   * committed but whose PUBACK never reached the broker comes again after
   * the reconnection, with the same MQTT message id.  Each MQTT row keeps
   * the SHA-256 of its payload and its message id; a redelivered copy is
   * kept in the archive (it is what arrived) with duplicate_of naming the
   * first copy, and is never mapped.
   */
  "ALTER TABLE raw_messages ADD COLUMN payload_digest BLOB;"
  "ALTER TABLE raw_messages ADD COLUMN mqtt_mid INTEGER;"
  "ALTER TABLE raw_messages ADD COLUMN duplicate_of INTEGER REFERENCES raw_messages (id);"
  "CREATE INDEX raw_messages_redelivery ON raw_messages (payload_digest, mqtt_mid) "
  "  WHERE payload_digest IS NOT NULL;",

  /* 8: who is acting (store/ward-store-staff.c).  Failed PIN switch-ins
   * per staff member, and until when that member's PIN is locked, so
   * that restarting Wardwatch does not give an attacker five more
   * guesses.  Sign-ins, refusals and lockouts also go to events.
   */
  "CREATE TABLE pin_attempts ("
  "  staff_id TEXT PRIMARY KEY,"
  "  failures INTEGER NOT NULL CHECK (failures >= 0),"
  "  last_failure_at INTEGER NOT NULL,"
  "  locked_until INTEGER NOT NULL DEFAULT 0"
  ") WITHOUT ROWID;",
  /* 9: resources shared between stations through the FHIR server
   * (store/ward-store-shared.c, fhir/ward-fhir-shared.c).  shared_known
   * is, per resource, the server's version this station last saw (its own
   * write answered, or another station's read back by polling): the base
   * of its next write, and what tells a change already applied from a new
   * one.  shared_outbox holds local writes in order until the server has
   * them, at most one pending per resource (a later local write replaces
   * the pending one's content and keeps its base version); write_id, also
   * sent in meta.source, recognises a write that reached the server just
   * before a crash.  Done rows stay as the record: sent, merged (dropped
   * for the server's copy after a conflict) or failed (refused).
   */
  "CREATE TABLE shared_known ("
  "  resource_type TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  version_id TEXT NOT NULL,"
  "  last_updated TEXT,"
  "  json TEXT NOT NULL,"
  "  PRIMARY KEY (resource_type, id)"
  ") WITHOUT ROWID;"
  "CREATE TABLE shared_outbox ("
  "  seq INTEGER PRIMARY KEY,"
  "  resource_type TEXT NOT NULL,"
  "  id TEXT NOT NULL,"
  "  base_version TEXT,"
  "  write_id TEXT NOT NULL,"
  "  json TEXT NOT NULL,"
  "  merged INTEGER NOT NULL DEFAULT 0 CHECK (merged IN (0, 1)),"
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'merged', 'failed')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  created_at INTEGER NOT NULL,"
  "  done_at INTEGER,"
  "  server_version TEXT,"
  "  last_error TEXT"
  ");"
  "CREATE UNIQUE INDEX shared_outbox_one_pending ON shared_outbox (resource_type, id) "
  "  WHERE state = 'pending';",
  /* 10: scores of any scorer (store/ward-store-scores.c).  A score has a
   * kind ('news2', 'model:...') and its scorer's version; value is the
   * score as a number, total and band only for an integer score (NEWS2),
   * probability (0 to 1) only for a risk model, contributions a JSON
   * array of each input's part.  One row per patient, kind and window.
   * The table is rebuilt (the uniqueness and NOT NULL of total and band
   * change); rows keep their ids, so flags.score_id still names them,
   * and every existing row is a NEWS2 score.  news2_applicable is, for
   * any kind, whether the scorer applied to the patient.
   */
  "CREATE TABLE scores_v8 ("
  "  id INTEGER PRIMARY KEY,"
  "  patient_id TEXT NOT NULL REFERENCES patients (id),"
  "  kind TEXT NOT NULL DEFAULT 'news2',"
  "  scorer_version TEXT,"
  "  window_start INTEGER NOT NULL,"
  "  window_end INTEGER NOT NULL,"
  "  computed_at INTEGER NOT NULL,"
  "  value REAL,"
  "  total INTEGER CHECK (total >= 0),"
  "  band TEXT CHECK (band IN ('low', 'low-medium', 'medium', 'high')),"
  "  probability REAL CHECK (probability BETWEEN 0 AND 1),"
  "  complete INTEGER NOT NULL,"
  "  status TEXT NOT NULL CHECK (status IN ('preliminary', 'final')),"
  "  confirmed_by TEXT,"
  "  confirmed_at INTEGER,"
  "  inputs TEXT NOT NULL,"
  "  contributions TEXT,"
  "  age INTEGER CHECK (age >= 0),"
  "  news2_applicable INTEGER NOT NULL DEFAULT 1 CHECK (news2_applicable IN (0, 1)),"
  "  CHECK (kind <> 'news2' OR (total BETWEEN 0 AND 20 AND band IS NOT NULL)),"
  "  UNIQUE (patient_id, kind, window_end)"
  ");"
  "INSERT INTO scores_v8 (id, patient_id, kind, window_start, window_end, computed_at, value, "
  "  total, band, complete, status, confirmed_by, confirmed_at, inputs, age, news2_applicable) "
  "SELECT id, patient_id, 'news2', window_start, window_end, computed_at, total, total, band, "
  "  complete, status, confirmed_by, confirmed_at, inputs, age, news2_applicable FROM scores;"
  "DROP TABLE scores;"
  "ALTER TABLE scores_v8 RENAME TO scores;",
  /* 11: the care team (store/ward-store-care.c, care/ward-care.c).  A task
   * per flag (FHIR Task life cycle), escalations partOf the task they
   * escalate; the bed allocation of the shift; handovers with an SBAR
   * note per bed; communications (who was told what, when); and the
   * audit trail, append-only (the triggers refuse an UPDATE or DELETE)
   * and chained by SHA-256 so that an edit behind the app's back shows.
   * Self-contained: it only adds tables.
   */
  "CREATE TABLE care_tasks ("
  "  id INTEGER PRIMARY KEY,"
  "  flag_id INTEGER REFERENCES flags (id),"
  "  patient_id TEXT,"
  "  bed_id TEXT,"
  "  kind TEXT NOT NULL CHECK (kind IN ('clinical', 'technical', 'concern')),"
  "  band TEXT CHECK (band IN ('low', 'low-medium', 'medium', 'high')),"
  "  status TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'completed', 'cancelled')),"
  "  priority TEXT NOT NULL CHECK (priority IN ('routine', 'urgent', 'asap', 'stat')),"
  "  owner_role TEXT NOT NULL,"
  "  owner_staff TEXT,"
  "  requester TEXT NOT NULL,"
  "  requested_at INTEGER NOT NULL,"
  "  due_at INTEGER NOT NULL,"
  "  accepted_by TEXT,"
  "  accepted_at INTEGER,"
  "  part_of INTEGER REFERENCES care_tasks (id),"
  "  escalated_at INTEGER,"
  "  outcome TEXT,"
  "  note TEXT,"
  "  status_reason TEXT,"
  "  closed_by TEXT,"
  "  closed_at INTEGER,"
  "  station TEXT NOT NULL,"
  "  version INTEGER NOT NULL DEFAULT 1,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX care_tasks_flag ON care_tasks (flag_id);"
  "CREATE INDEX care_tasks_open ON care_tasks (status, due_at) "
  "  WHERE status IN ('requested', 'accepted');"
  "CREATE TABLE care_allocations ("
  "  bed_id TEXT PRIMARY KEY,"
  "  staff_id TEXT NOT NULL,"
  "  allocated_by TEXT NOT NULL,"
  "  allocated_at INTEGER NOT NULL,"
  "  station TEXT NOT NULL"
  ");"
  "CREATE TABLE care_handovers ("
  "  id INTEGER PRIMARY KEY,"
  "  from_staff TEXT NOT NULL,"
  "  to_staff TEXT NOT NULL,"
  "  state TEXT NOT NULL CHECK (state IN ('offered', 'accepted', 'cancelled')),"
  "  offered_at INTEGER NOT NULL,"
  "  accepted_at INTEGER,"
  "  station TEXT NOT NULL"
  ");"
  "CREATE TABLE care_handover_beds ("
  "  handover_id INTEGER NOT NULL REFERENCES care_handovers (id),"
  "  bed_id TEXT NOT NULL,"
  "  patient_id TEXT,"
  "  situation TEXT NOT NULL,"
  "  background TEXT NOT NULL,"
  "  assessment TEXT NOT NULL,"
  "  recommendation TEXT NOT NULL,"
  "  PRIMARY KEY (handover_id, bed_id)"
  ");"
  "CREATE TABLE care_communications ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL CHECK (kind IN ('notification', 'escalation', 'handover', 'concern', "
  "    'reassignment')),"
  "  task_id INTEGER REFERENCES care_tasks (id),"
  "  patient_id TEXT,"
  "  sender TEXT NOT NULL,"
  "  recipient_role TEXT,"
  "  recipient_staff TEXT,"
  "  sent_at INTEGER NOT NULL,"
  "  payload TEXT NOT NULL,"
  "  station TEXT NOT NULL"
  ");"
  "CREATE TABLE audit_log ("
  "  id INTEGER PRIMARY KEY,"
  "  at INTEGER NOT NULL,"
  "  actor TEXT NOT NULL,"
  "  action TEXT NOT NULL,"
  "  patient_id TEXT,"
  "  flag_id INTEGER,"
  "  task_id INTEGER,"
  "  station TEXT NOT NULL,"
  "  detail TEXT,"
  "  prev_hash TEXT NOT NULL,"
  "  hash TEXT NOT NULL"
  ");"
  "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
  "  BEGIN SELECT RAISE (ABORT, 'the audit trail is append-only'); END;"
  "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
  "  BEGIN SELECT RAISE (ABORT, 'the audit trail is append-only'); END;",
  /* 12: a model's own flag (store/ward-store-model-flag.c).  A flag of
   * kind 'model' names the scorer that raised it ('model:NAME'), the
   * scorer's version and the probability that raised it.  The CHECK on
   * kind cannot be widened in place, so the table is rebuilt with every
   * row and id kept: care_tasks.flag_id and audit_log.flag_id still name
   * the same flags (foreign keys are checked before the commit).
   */
  "CREATE TABLE flags_v12 ("
  "  id INTEGER PRIMARY KEY,"
  "  patient_id TEXT REFERENCES patients (id),"
  "  kind TEXT NOT NULL CHECK (kind IN ('clinical', 'technical', 'model')),"
  "  subject TEXT,"
  "  band TEXT,"
  "  opened_at INTEGER NOT NULL,"
  "  escalated_at INTEGER,"
  "  closed_at INTEGER,"
  "  score_id INTEGER REFERENCES scores (id),"
  "  reason TEXT,"
  "  acknowledged_by TEXT,"
  "  acknowledged_at INTEGER,"
  "  scorer TEXT,"
  "  scorer_version TEXT,"
  "  probability REAL CHECK (probability BETWEEN 0 AND 1),"
  "  CHECK (kind <> 'model' OR (scorer IS NOT NULL AND probability IS NOT NULL))"
  ");"
  "INSERT INTO flags_v12 (id, patient_id, kind, subject, band, opened_at, escalated_at, "
  "  closed_at, score_id, reason, acknowledged_by, acknowledged_at) "
  "SELECT id, patient_id, kind, subject, band, opened_at, escalated_at, closed_at, score_id, "
  "  reason, acknowledged_by, acknowledged_at FROM flags;"
  "DROP TABLE flags;"
  "ALTER TABLE flags_v12 RENAME TO flags;"
  "CREATE INDEX flags_patient ON flags (patient_id, opened_at);",
  /* 13:
   * the warm and cold paths.  measurement_rollups holds, per patient,
   * kind and bucket of a minute or an hour (span, in seconds), the
   * count, minimum, maximum and sum of the values measured in it; the
   * rows are kept beyond the raw measurements' retention
   * (store/ward-store-rollups.c).  They are filled here from what is
   * stored, and the settings key rollup-mark names the last measurement
   * counted, so that each measurement is counted once.
   * fhir_resources.change_seq orders the changes of the resource store
   * for the incremental NDJSON export (wardwatch-cli export); existing
   * rows take their rowid.  A partial index finds the nurse entries a
   * long-span chart shows beside the roll-ups.
   */
  "CREATE TABLE measurement_rollups ("
  "  patient_id TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  span INTEGER NOT NULL CHECK (span IN (60, 3600)),"
  "  bucket INTEGER NOT NULL,"
  "  n INTEGER NOT NULL CHECK (n > 0),"
  "  value_min REAL NOT NULL,"
  "  value_max REAL NOT NULL,"
  "  value_sum REAL NOT NULL,"
  "  PRIMARY KEY (patient_id, kind, span, bucket)"
  ") WITHOUT ROWID;"
  "INSERT INTO measurement_rollups (patient_id, kind, span, bucket, n, value_min, value_max, value_sum) "
  "  SELECT patient_id, kind, 60, observed_at - observed_at % 60000000, count(*), "
  "    min(value), max(value), sum(value) FROM measurements "
  "  GROUP BY patient_id, kind, observed_at - observed_at % 60000000;"
  "INSERT INTO measurement_rollups (patient_id, kind, span, bucket, n, value_min, value_max, value_sum) "
  "  SELECT patient_id, kind, 3600, observed_at - observed_at % 3600000000, count(*), "
  "    min(value), max(value), sum(value) FROM measurements "
  "  GROUP BY patient_id, kind, observed_at - observed_at % 3600000000;"
  "INSERT OR REPLACE INTO settings (key, value) "
  "  SELECT 'rollup-mark', coalesce (max (id), 0) FROM measurements;"
  "ALTER TABLE fhir_resources ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;"
  "UPDATE fhir_resources SET change_seq = rowid;"
  "CREATE INDEX fhir_resources_change ON fhir_resources (change_seq);"
  "CREATE INDEX measurements_nurse ON measurements (patient_id, kind, observed_at) "
  "  WHERE source = 'nurse';",
  /* 14: staff from the FHIR server (store/ward-store-staff-fhir.c).
   * staff_fhir caches the CareTeam's members as last read, so that a
   * station starts with them while the server is down; staff_fhir_state
   * says when (a row: read at least once, even an empty team);
   * staff_fhir_issues are the last read's problems (a PractitionerRole
   * that maps to no role...).  staff_roster is the merged list in use,
   * with where each member came from: routing sends tasks only to
   * members on it (when it has any).
   */
  "CREATE TABLE staff_fhir ("
  "  staff_id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  roles INTEGER NOT NULL,"
  "  os_account TEXT"
  ");"
  "CREATE TABLE staff_fhir_state ("
  "  id INTEGER PRIMARY KEY CHECK (id = 1),"
  "  care_teams TEXT NOT NULL,"
  "  read_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE staff_fhir_issues ("
  "  id INTEGER PRIMARY KEY,"
  "  message TEXT NOT NULL,"
  "  read_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE staff_roster ("
  "  staff_id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  roles INTEGER NOT NULL,"
  "  source TEXT NOT NULL CHECK (source IN ('policy', 'fhir', 'policy+fhir')),"
  "  has_pin INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");",
  /* 15: care-team Tasks made on another station
   * (store/ward-store-care-inbound.c): each Task the sharing layer
   * brought that this station had no task for, by its FHIR id, with the
   * local task it became (applied) or why it was not taken (ignored).
   * focus is the Flag id the Task is about, for a flag this station has
   * not opened yet.
   */
  "CREATE TABLE care_tasks_inbound ("
  "  fhir_id TEXT PRIMARY KEY,"
  "  task_id INTEGER REFERENCES care_tasks (id),"
  "  focus TEXT,"
  "  station TEXT,"
  "  received_at INTEGER NOT NULL,"
  "  outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'ignored')),"
  "  reason TEXT,"
  "  CHECK ((outcome = 'applied') = (task_id IS NOT NULL))"
  ");"
  "CREATE UNIQUE INDEX care_tasks_inbound_task ON care_tasks_inbound (task_id);"
  "CREATE INDEX care_tasks_inbound_focus ON care_tasks_inbound (focus) WHERE focus IS NOT NULL;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == WARD_STORE_SCHEMA_VERSION);

/* No row references a row that is not there. */
static gboolean
check_foreign_keys (WardStore  *self,
                    GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (_ward_store_get_db (self), "PRAGMA foreign_key_check", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_DAMAGED,
                   "Table %s references a missing row after the migration",
                   (const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _ward_store_set_sql_error (self, rc, "checking foreign keys", error);

  return TRUE;
}

gboolean
_ward_store_migrate (WardStore  *self,
                     int         target,
                     GError    **error)
{
  int version = _ward_store_read_user_version (self);

  if (version < 0)
    return _ward_store_set_sql_error (self, SQLITE_ERROR, "reading the schema version", error);

  if (version > WARD_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_TOO_NEW,
                   "The database %s has schema version %d; this Wardwatch knows up to %d",
                   ward_store_get_path (self), version, WARD_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  for (int v = version + 1; v <= target; v++)
    {
      g_autofree char *set_version = g_strdup_printf ("PRAGMA user_version = %d", v);

      /* Each migration and its version number commit together, so a
       * crash leaves the database at one version or the next.
       */
      /* A migration may rebuild a table others reference (8: scores):
       * foreign keys are off while it runs, as SQLite asks for schema
       * changes, and checked before it commits.
       */
      if (!_ward_store_exec (self, "PRAGMA foreign_keys = OFF", error) ||
          !_ward_store_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      if (!_ward_store_exec (self, migrations[v - 1], error) ||
          !_ward_store_exec (self, set_version, error) ||
          !check_foreign_keys (self, error))
        {
          _ward_store_exec (self, "ROLLBACK", NULL);
          _ward_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
          g_prefix_error (error, "Migration %d of %s failed: ", v, ward_store_get_path (self));
          return FALSE;
        }

      if (!_ward_store_exec (self, "COMMIT", error) ||
          !_ward_store_exec (self, "PRAGMA foreign_keys = ON", error))
        return FALSE;

      g_debug ("Migrated %s to schema version %d", ward_store_get_path (self), v);
    }

  return TRUE;
}
