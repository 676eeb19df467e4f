/* ward-store.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-store"

#include "config.h"

#include "ward-store.h"
#include "ward-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

/* The warm-path store.  One writing connection, owned by the pipeline
 * thread; readers (the UI, the CLI) open their own read-only connections,
 * which WAL lets run beside the writer.  Statements are prepared once and
 * cached by the address of their SQL literal.
 */

struct _WardStore
{
  GObject      parent_instance;

  sqlite3     *db;
  char        *path;
  GHashTable  *statements;   /* const char *sql -> sqlite3_stmt */
  gboolean     readonly;
  gboolean     in_transaction;
  gint64       n_pending;    /* outbox rows pending, or -1 until counted */
  gint64       n_failed;     /* outbox rows parked, or -1 until counted */
};

G_DEFINE_FINAL_TYPE (WardStore, ward_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-store-error-quark, ward_store_error)

/* Numbered migrations.  Migration N takes a database from version N - 1
 * to N.  Never edit one that has shipped: add the next.
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
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == WARD_STORE_SCHEMA_VERSION);

/* Conditions of the disk or the file get codes of their own, so that
 * the pipeline can tell "retry later" from a statement that is wrong.
 */
static int
error_code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return WARD_STORE_ERROR_FULL;
    case SQLITE_READONLY:
      return WARD_STORE_ERROR_READ_ONLY;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
      return WARD_STORE_ERROR_IO;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return WARD_STORE_ERROR_BUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return WARD_STORE_ERROR_DAMAGED;
    default:
      return WARD_STORE_ERROR_SQL;
    }
}

static gboolean
set_sql_error (WardStore   *self,
               int          rc,
               const char  *what,
               GError     **error)
{
  g_set_error (error, WARD_STORE_ERROR, error_code_for (rc),
               "%s: %s (%s)", what,
               self->db ? sqlite3_errmsg (self->db) : "no database",
               sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec_sql (WardStore   *self,
          const char  *sql,
          GError     **error)
{
  char *errmsg = NULL;
  int rc;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, WARD_STORE_ERROR, error_code_for (rc),
                   "%s", errmsg ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }

  return TRUE;
}

/* Returns a reset statement, prepared on first use. */
static sqlite3_stmt *
get_statement (WardStore   *self,
               const char  *sql,
               GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, "prepare", error);
      return NULL;
    }

  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

/* The helpers below are shared with the store's files split by concern
 * through ward-store-private.h.
 */
void
_ward_store_bind_text (sqlite3_stmt *stmt,
                       int           index,
                       const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

void
_ward_store_bind_int64 (sqlite3_stmt *stmt,
                        int           index,
                        gint64        value)
{
  if (value != 0)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}

char *
_ward_store_column_text (sqlite3_stmt *stmt,
                         int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

gboolean
_ward_store_step_done (WardStore     *self,
                       sqlite3_stmt  *stmt,
                       const char    *what,
                       GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, what, error);

  return TRUE;
}

gint64
_ward_store_step_insert (WardStore     *self,
                         sqlite3_stmt  *stmt,
                         const char    *what,
                         GError       **error)
{
  if (!_ward_store_step_done (self, stmt, what, error))
    return 0;

  return sqlite3_last_insert_rowid (self->db);
}

static int
read_user_version (WardStore *self)
{
  sqlite3_stmt *stmt = NULL;
  int version = -1;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int (stmt, 0);

  sqlite3_finalize (stmt);
  return version;
}

/* No row references a row that is not there. */
static gboolean
check_foreign_keys (WardStore  *self,
                    GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
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
    return set_sql_error (self, rc, "checking foreign keys", error);

  return TRUE;
}

static gboolean
migrate (WardStore  *self,
         int         target,
         GError    **error)
{
  int version = read_user_version (self);

  if (version < 0)
    return set_sql_error (self, SQLITE_ERROR, "reading the schema version", error);

  if (version > WARD_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_TOO_NEW,
                   "The database %s has schema version %d; this Wardwatch knows up to %d",
                   self->path, version, WARD_STORE_SCHEMA_VERSION);
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
      if (!exec_sql (self, "PRAGMA foreign_keys = OFF", error) ||
          !exec_sql (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      if (!exec_sql (self, migrations[v - 1], error) ||
          !exec_sql (self, set_version, error) ||
          !check_foreign_keys (self, error))
        {
          exec_sql (self, "ROLLBACK", NULL);
          exec_sql (self, "PRAGMA foreign_keys = ON", NULL);
          g_prefix_error (error, "Migration %d of %s failed: ", v, self->path);
          return FALSE;
        }

      if (!exec_sql (self, "COMMIT", error) ||
          !exec_sql (self, "PRAGMA foreign_keys = ON", error))
        return FALSE;

      g_debug ("Migrated %s to schema version %d", self->path, v);
    }

  return TRUE;
}

/* The file holds patient data: create it readable by its owner only, and
 * tighten one that is not.  SQLite gives the -wal and -shm files the
 * database file's permissions.
 */
static gboolean
prepare_private_file (const char  *path,
                      GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  struct stat st;
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "Cannot create the folder %s: %s", dir, g_strerror (errsv));
      return FALSE;
    }

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "Cannot open %s: %s", path, g_strerror (errsv));
      return FALSE;
    }

  if (fstat (fd, &st) == 0 && (st.st_mode & 0077) != 0)
    {
      if (fchmod (fd, 0600) != 0)
        g_debug ("Could not make %s private: %s", path, g_strerror (errno));
    }

  close (fd);
  return TRUE;
}

/* Before anything writes to it (WAL, migrations): the file is a sound
 * SQLite database, and an empty one or Wardwatch's.  A damaged file or
 * another application's database is refused, saying so, and left
 * exactly as it is: migrating it would add our tables to someone
 * else's data.
 */
static gboolean
check_is_ours (WardStore  *self,
               GError    **error)
{
  static const char sql[] =
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "ORDER BY name = 'patients' DESC, name";
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) names = g_string_new (NULL);
  gboolean has_patients = FALSE;
  guint n_tables = 0;
  int version;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  while (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      if (g_strcmp0 (name, "patients") == 0)
        has_patients = TRUE;
      else if (n_tables < 3)
        g_string_append_printf (names, "%s%s", names->len > 0 ? ", " : "", name);
      n_tables++;
      rc = SQLITE_OK;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_DAMAGED,
                   "%s is not a sound database (%s): Wardwatch left it as it is. "
                   "Restore it from a backup, or give --db a new file",
                   self->path, sqlite3_errmsg (self->db));
      return FALSE;
    }

  version = read_user_version (self);
  if (n_tables > 0 && (version <= 0 || !has_patients))
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "%s is another application's database (tables %s%s), not Wardwatch's: "
                   "Wardwatch left it as it is. Give --db a Wardwatch database or a new file",
                   self->path, names->str, n_tables > 3 ? ", ..." : "");
      return FALSE;
    }

  return TRUE;
}

static WardStore *
open_store (const char  *path,
            gboolean     readonly,
            int          target_version,
            GError     **error)
{
  g_autoptr(WardStore) self = NULL;
  guint side_files = 0;
  int flags;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  /* ":memory:" is SQLite's private in-memory database (a replay): no
   * file to prepare.
   */
  if (!readonly && g_strcmp0 (path, WARD_STORE_IN_MEMORY) != 0 &&
      !prepare_private_file (path, error))
    return NULL;

  self = g_object_new (WARD_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->readonly = readonly;

  flags = (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        | SQLITE_OPEN_NOMUTEX;
  if (g_strcmp0 (path, WARD_STORE_IN_MEMORY) != 0)
    side_files = _ward_store_side_files_present (path);
  rc = sqlite3_open_v2 (path, &self->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                   "Cannot open the database %s: %s", path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }

  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (g_strcmp0 (path, WARD_STORE_IN_MEMORY) != 0 && !check_is_ours (self, error))
    {
      /* Refused: what the read made beside the file goes too. */
      if (sqlite3_close (self->db) == SQLITE_OK)
        {
          self->db = NULL;
          _ward_store_remove_new_side_files (path, side_files);
        }
      return NULL;
    }

  if (readonly)
    {
      int version = read_user_version (self);

      if (version > WARD_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_TOO_NEW,
                       "The database %s has schema version %d; this Wardwatch knows up to %d",
                       path, version, WARD_STORE_SCHEMA_VERSION);
          return NULL;
        }
      if (version < WARD_STORE_SCHEMA_VERSION)
        {
          g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_OPEN,
                       "The database %s is at schema version %d, not %d: open it once "
                       "with Wardwatch to migrate it", path, version, WARD_STORE_SCHEMA_VERSION);
          return NULL;
        }
      return g_steal_pointer (&self);
    }

  /* WAL lets readers run beside the writer.  synchronous=FULL makes each
   * commit durable against power loss, which acknowledgements rely on;
   * the pipeline commits once per tick, so the cost is a few fsyncs a
   * second.
   */
  if (!exec_sql (self, "PRAGMA journal_mode = WAL;"
                       "PRAGMA synchronous = FULL;"
                       "PRAGMA foreign_keys = ON;", error))
    {
      g_prefix_error (error, "Cannot set up %s: ", path);
      return NULL;
    }

  if (!migrate (self, target_version, error))
    return NULL;

  return g_steal_pointer (&self);
}

static void
ward_store_finalize (GObject *object)
{
  WardStore *self = (WardStore *) object;

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      sqlite3_close (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ward_store_parent_class)->finalize (object);
}

static void
ward_store_class_init (WardStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_store_finalize;
}

static void
ward_store_init (WardStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL,
                                            (GDestroyNotify) sqlite3_finalize);
  self->n_pending = -1;
  self->n_failed = -1;
}

WardStore *
ward_store_open (const char  *path,
                 GError     **error)
{
  return open_store (path, FALSE, WARD_STORE_SCHEMA_VERSION, error);
}

WardStore *
ward_store_open_readonly (const char  *path,
                          GError     **error)
{
  return open_store (path, TRUE, WARD_STORE_SCHEMA_VERSION, error);
}

WardStore *
_ward_store_open_at_version (const char  *path,
                             int          version,
                             GError     **error)
{
  g_return_val_if_fail (version >= 0 && version <= WARD_STORE_SCHEMA_VERSION, NULL);

  return open_store (path, FALSE, version, error);
}

int
ward_store_get_schema_version (WardStore *self)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  return read_user_version (self);
}

const char *
ward_store_get_path (WardStore *self)
{
  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return self->path;
}

gboolean
ward_store_begin (WardStore  *self,
                  GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  self->in_transaction = TRUE;
  return TRUE;
}

sqlite3 *
_ward_store_get_db (WardStore *self)
{
  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return self->db;
}

gboolean
ward_store_commit (WardStore  *self,
                   GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!exec_sql (self, "COMMIT", error))
    return FALSE;

  self->in_transaction = FALSE;
  return TRUE;
}

void
ward_store_rollback (WardStore *self)
{
  g_return_if_fail (WARD_IS_STORE (self));

  if (!self->in_transaction)
    return;

  exec_sql (self, "ROLLBACK", NULL);
  self->in_transaction = FALSE;
  /* Count the outbox again: the rolled-back rows are gone. */
  self->n_pending = -1;
  self->n_failed = -1;
}

gboolean
ward_store_upsert_patient (WardStore   *self,
                           const char  *patient_id,
                           const char  *name,
                           int          spo2_scale,
                           GError     **error)
{
  static const char sql[] =
    "INSERT INTO patients (id, name, spo2_scale) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, name);
  sqlite3_bind_int (stmt, 3, spo2_scale == 2 ? 2 : 1);

  return _ward_store_step_done (self, stmt, "upsert patient", error);
}

/* Runs an UPDATE of one patient row: NOT_FOUND when there is none. */
static gboolean
finish_patient_update (WardStore     *self,
                       sqlite3_stmt  *stmt,
                       const char    *what,
                       const char    *patient_id,
                       GError       **error)
{
  if (!_ward_store_step_done (self, stmt, what, error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No patient %s", patient_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_store_set_spo2_scale (WardStore   *self,
                           const char  *patient_id,
                           int          spo2_scale,
                           const char  *set_by,
                           gint64       at,
                           GError     **error)
{
  static const char sql[] =
    "UPDATE patients SET spo2_scale = ?2, spo2_scale_set_by = ?3, spo2_scale_set_at = ?4 "
    "WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (spo2_scale == 1 || spo2_scale == 2, FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, spo2_scale);
  _ward_store_bind_text (stmt, 3, set_by);
  sqlite3_bind_int64 (stmt, 4, at);

  return finish_patient_update (self, stmt, "set SpO2 scale", patient_id, error);
}

gboolean
ward_store_set_birth_date (WardStore   *self,
                           const char  *patient_id,
                           const char  *birth_date,
                           GError     **error)
{
  static const char sql[] = "UPDATE patients SET birth_date = ?2 WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (birth_date == NULL || ward_birth_date_is_valid (birth_date), FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, birth_date);

  return finish_patient_update (self, stmt, "set birth date", patient_id, error);
}

gboolean
ward_store_get_birth_date (WardStore   *self,
                           const char  *patient_id,
                           char       **birth_date,
                           GError     **error)
{
  static const char sql[] = "SELECT birth_date FROM patients WHERE id = ?1";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (birth_date != NULL, FALSE);

  *birth_date = NULL;
  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *birth_date = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No patient %s", patient_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_sql_error (self, rc, "read birth date", error);

  return TRUE;
}

gboolean
ward_store_upsert_bed (WardStore   *self,
                       const char  *bed_id,
                       const char  *label,
                       const char  *patient_id,
                       GError     **error)
{
  static const char sql[] =
    "INSERT INTO beds (id, label, patient_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET label = excluded.label, patient_id = excluded.patient_id";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (bed_id != NULL && label != NULL, FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, bed_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, label, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, patient_id);

  return _ward_store_step_done (self, stmt, "upsert bed", error);
}

gboolean
ward_store_upsert_device (WardStore   *self,
                          const char  *device_id,
                          const char  *bed_id,
                          const char  *patient_id,
                          GError     **error)
{
  static const char sql[] =
    "INSERT INTO devices (id, bed_id, patient_id) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (id) DO UPDATE SET bed_id = excluded.bed_id, patient_id = excluded.patient_id";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, bed_id);
  _ward_store_bind_text (stmt, 3, patient_id);

  return _ward_store_step_done (self, stmt, "upsert device", error);
}

gint64
ward_store_add_raw_message (WardStore   *self,
                            gint64       received_at,
                            const char  *source,
                            const char  *content_type,
                            const char  *device_id,
                            const char  *payload,
                            gsize        length,
                            GError     **error)
{
  static const char sql[] =
    "INSERT INTO raw_messages (received_at, source, content_type, device_id, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (source != NULL, 0);
  g_return_val_if_fail (payload != NULL || length == 0, 0);

  if (!(stmt = get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, received_at);
  sqlite3_bind_text (stmt, 2, source, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, content_type);
  _ward_store_bind_text (stmt, 4, device_id);
  /* A blob, not text: raw bytes are kept exactly as they arrived. */
  sqlite3_bind_blob64 (stmt, 5, payload ? payload : "", length, SQLITE_TRANSIENT);

  return _ward_store_step_insert (self, stmt, "archive raw message", error);
}

gboolean
ward_store_mark_processed (WardStore   *self,
                           gint64       raw_message_id,
                           gint64       at,
                           GError     **error)
{
  static const char sql[] = "UPDATE raw_messages SET processed_at = ?2 WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, raw_message_id);
  sqlite3_bind_int64 (stmt, 2, at);

  return _ward_store_step_done (self, stmt, "mark raw message processed", error);
}

gboolean
ward_store_foreach_pending (WardStore           *self,
                            WardStoreRawFunc     func,
                            gpointer             user_data,
                            GError             **error)
{
  static const char sql[] =
    "SELECT id, received_at, source, content_type, device_id, payload FROM raw_messages "
    "WHERE processed_at IS NULL ORDER BY id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Not the cached statement: func may use the store while it runs. */
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return set_sql_error (self, rc, "list pending raw messages", error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (!func (sqlite3_column_int64 (stmt, 0),
                 sqlite3_column_int64 (stmt, 1),
                 (const char *) sqlite3_column_text (stmt, 2),
                 (const char *) sqlite3_column_text (stmt, 3),
                 (const char *) sqlite3_column_text (stmt, 4),
                 sqlite3_column_blob (stmt, 5),
                 sqlite3_column_bytes (stmt, 5),
                 user_data, error))
        {
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list pending raw messages", error);

  return TRUE;
}

gboolean
ward_store_foreach_dead_letter (WardStore              *self,
                                gint64                  since,
                                WardStoreDeadLetterFunc func,
                                gpointer                user_data,
                                GError                **error)
{
  static const char sql[] =
    "SELECT d.id, d.created_at, d.stage, d.reason, d.raw_message_id, r.received_at, r.source, "
    "r.content_type, r.device_id, r.payload, r.pruned_at IS NOT NULL "
    "FROM dead_letters d LEFT JOIN raw_messages r ON r.id = d.raw_message_id "
    "WHERE d.created_at >= ?1 ORDER BY d.id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return set_sql_error (self, rc, "list dead letters", error);

  sqlite3_bind_int64 (stmt, 1, since);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardDeadLetter dl = {
        .id = sqlite3_column_int64 (stmt, 0),
        .created_at = sqlite3_column_int64 (stmt, 1),
        .stage = (const char *) sqlite3_column_text (stmt, 2),
        .reason = (const char *) sqlite3_column_text (stmt, 3),
        .raw_message_id = sqlite3_column_int64 (stmt, 4),
        .received_at = sqlite3_column_int64 (stmt, 5),
        .source = (const char *) sqlite3_column_text (stmt, 6),
        .content_type = (const char *) sqlite3_column_text (stmt, 7),
        .device_id = (const char *) sqlite3_column_text (stmt, 8),
        .payload = sqlite3_column_blob (stmt, 9),
        .payload_length = sqlite3_column_bytes (stmt, 9),
        .payload_pruned = sqlite3_column_int (stmt, 10) != 0,
      };

      func (&dl, user_data);
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list dead letters", error);

  return TRUE;
}

gint64
ward_store_prune_raw (WardStore   *self,
                      gint64       older_than,
                      gint64       now,
                      GError     **error)
{
  /* The row stays, so measurements and dead letters keep pointing at
   * the record of what arrived; only the bytes go.  Unmapped messages
   * keep theirs whatever their age.
   */
  static const char sql[] =
    "UPDATE raw_messages SET payload = x'', pruned_at = ?2 "
    "WHERE received_at < ?1 AND pruned_at IS NULL AND processed_at IS NOT NULL";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = get_statement (self, sql, error)))
    return -1;

  sqlite3_bind_int64 (stmt, 1, older_than);
  sqlite3_bind_int64 (stmt, 2, now);

  if (!_ward_store_step_done (self, stmt, "prune raw archive", error))
    return -1;

  return sqlite3_changes (self->db);
}

void
ward_store_set_sync_full (WardStore *self,
                          gboolean   full)
{
  g_return_if_fail (WARD_IS_STORE (self));

  exec_sql (self, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", NULL);
}

gint64
ward_store_add_dead_letter (WardStore   *self,
                            gint64       raw_message_id,
                            const char  *stage,
                            const char  *reason,
                            gint64       at,
                            GError     **error)
{
  static const char sql[] =
    "INSERT INTO dead_letters (raw_message_id, stage, reason, created_at) VALUES (?1, ?2, ?3, ?4)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (stage != NULL && reason != NULL, 0);

  if (!(stmt = get_statement (self, sql, error)))
    return 0;

  _ward_store_bind_int64 (stmt, 1, raw_message_id);
  sqlite3_bind_text (stmt, 2, stage, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, at);

  return _ward_store_step_insert (self, stmt, "record dead letter", error);
}

gint64
ward_store_add_measurement (WardStore              *self,
                            const WardMeasurement  *m,
                            gint64                  received_at,
                            GError                **error)
{
  static const char sql[] =
    "INSERT INTO measurements (patient_id, device_id, source, entered_by, kind, value, "
    "observed_at, received_at, raw_message_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (m != NULL && m->patient_id != NULL, 0);

  if (!(stmt = get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_text (stmt, 1, m->patient_id, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 2, m->device_id);
  sqlite3_bind_text (stmt, 3, ward_source_to_string (m->source), -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 4, m->entered_by);
  sqlite3_bind_text (stmt, 5, ward_meas_kind_to_string (m->kind), -1, SQLITE_STATIC);
  sqlite3_bind_double (stmt, 6, m->value);
  sqlite3_bind_int64 (stmt, 7, m->observed_at);
  sqlite3_bind_int64 (stmt, 8, received_at);
  _ward_store_bind_int64 (stmt, 9, m->raw_message_id);

  return _ward_store_step_insert (self, stmt, "store measurement", error);
}

gint64
ward_store_upsert_score (WardStore              *self,
                         const WardScoreRecord  *score,
                         gboolean               *inserted,
                         GError                **error)
{
  static const char find_sql[] =
    "SELECT id FROM scores WHERE patient_id = ?1 AND kind = 'news2' AND window_end = ?2";
  static const char insert_sql[] =
    "INSERT INTO scores (patient_id, window_start, window_end, computed_at, total, band, "
    "complete, status, confirmed_by, confirmed_at, inputs, age, news2_applicable, kind, value) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?13, ?14, 'news2', ?5)";
  static const char update_sql[] =
    "UPDATE scores SET window_start = ?2, computed_at = ?4, total = ?5, value = ?5, band = ?6, "
    "complete = ?7, status = ?8, confirmed_by = ?9, confirmed_at = ?10, inputs = ?11, "
    "age = ?13, news2_applicable = ?14 "
    "WHERE id = ?12";
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (score != NULL && score->patient_id != NULL, 0);
  g_return_val_if_fail (score->inputs_json != NULL, 0);

  /* A re-scored window updates its row: one row per patient and window. */
  if (!(stmt = get_statement (self, find_sql, error)))
    return 0;
  sqlite3_bind_text (stmt, 1, score->patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, score->window_end);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sql_error (self, rc, "find score", error);
      return 0;
    }

  if (!(stmt = get_statement (self, id ? update_sql : insert_sql, error)))
    return 0;

  sqlite3_bind_text (stmt, 1, score->patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, score->window_start);
  sqlite3_bind_int64 (stmt, 3, score->window_end);
  sqlite3_bind_int64 (stmt, 4, score->computed_at);
  sqlite3_bind_int (stmt, 5, score->total);
  sqlite3_bind_text (stmt, 6, ward_band_to_string (score->band), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 7, score->complete ? 1 : 0);
  sqlite3_bind_text (stmt, 8, score->final ? "final" : "preliminary", -1, SQLITE_STATIC);
  _ward_store_bind_text (stmt, 9, score->confirmed_by);
  _ward_store_bind_int64 (stmt, 10, score->confirmed_at);
  sqlite3_bind_text (stmt, 11, score->inputs_json, -1, SQLITE_TRANSIENT);
  if (id != 0)
    sqlite3_bind_int64 (stmt, 12, id);
  if (score->age_known)
    sqlite3_bind_int (stmt, 13, score->age);
  else
    sqlite3_bind_null (stmt, 13);
  sqlite3_bind_int (stmt, 14, score->news2_not_applicable ? 0 : 1);

  if (!_ward_store_step_done (self, stmt, "store score", error))
    return 0;

  if (inserted != NULL)
    *inserted = (id == 0);

  return id ? id : sqlite3_last_insert_rowid (self->db);
}

gboolean
ward_store_get_score_inputs (WardStore   *self,
                             const char  *patient_id,
                             gint64       window_end,
                             char       **inputs_json,
                             GError     **error)
{
  static const char sql[] =
    "SELECT inputs FROM scores WHERE patient_id = ?1 AND kind = 'news2' AND window_end = ?2";
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (patient_id != NULL, FALSE);
  g_return_val_if_fail (inputs_json != NULL, FALSE);

  *inputs_json = NULL;
  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, patient_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, window_end);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *inputs_json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No score of patient %s for the window ending %" G_GINT64_FORMAT,
                   patient_id, window_end);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_sql_error (self, rc, "read score inputs", error);

  return TRUE;
}

gint64
ward_store_open_flag (WardStore   *self,
                      const char  *patient_id,
                      const char  *kind,
                      const char  *subject,
                      WardBand     band,
                      gint64       opened_at,
                      gint64       score_id,
                      const char  *reason,
                      GError     **error)
{
  static const char sql[] =
    "INSERT INTO flags (patient_id, kind, subject, band, opened_at, score_id, reason) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (kind != NULL, 0);

  if (!(stmt = get_statement (self, sql, error)))
    return 0;

  _ward_store_bind_text (stmt, 1, patient_id);
  sqlite3_bind_text (stmt, 2, kind, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 3, subject);
  if (g_strcmp0 (kind, "clinical") == 0)
    sqlite3_bind_text (stmt, 4, ward_band_to_string (band), -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, 4);
  sqlite3_bind_int64 (stmt, 5, opened_at);
  _ward_store_bind_int64 (stmt, 6, score_id);
  _ward_store_bind_text (stmt, 7, reason);

  return _ward_store_step_insert (self, stmt, "open flag", error);
}

static gboolean
update_flag (WardStore   *self,
             const char  *sql,
             gint64       flag_id,
             const char  *text,
             gint64       at,
             GError     **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, flag_id);
  _ward_store_bind_text (stmt, 2, text);
  sqlite3_bind_int64 (stmt, 3, at);

  if (!_ward_store_step_done (self, stmt, "update flag", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No open flag %" G_GINT64_FORMAT, flag_id);
      return FALSE;
    }

  return TRUE;
}

gboolean
ward_store_escalate_flag (WardStore   *self,
                          gint64       flag_id,
                          WardBand     band,
                          gint64       at,
                          GError     **error)
{
  static const char sql[] =
    "UPDATE flags SET band = ?2, escalated_at = ?3 WHERE id = ?1 AND closed_at IS NULL";

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return update_flag (self, sql, flag_id, ward_band_to_string (band), at, error);
}

gboolean
ward_store_close_flag (WardStore   *self,
                       gint64       flag_id,
                       gint64       at,
                       GError     **error)
{
  /* ?2 stays unused: SQLite numbers parameters up to the highest, so the
   * slot exists and update_flag() can bind it for every statement.
   */
  static const char sql[] =
    "UPDATE flags SET closed_at = ?3 WHERE id = ?1 AND closed_at IS NULL";

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return update_flag (self, sql, flag_id, NULL, at, error);
}

gboolean
ward_store_acknowledge_flag (WardStore   *self,
                             gint64       flag_id,
                             const char  *user,
                             gint64       at,
                             char       **patient_id,
                             GError     **error)
{
  static const char sql[] =
    "UPDATE flags SET acknowledged_by = ?2, acknowledged_at = ?3 "
    "WHERE id = ?1 AND closed_at IS NULL";
  static const char patient_sql[] = "SELECT patient_id FROM flags WHERE id = ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!update_flag (self, sql, flag_id, user, at, error))
    return FALSE;

  if (patient_id != NULL)
    {
      if (!(stmt = get_statement (self, patient_sql, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, flag_id);
      *patient_id = NULL;
      if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
        *patient_id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
    }

  return TRUE;
}

gint64
ward_store_add_event (WardStore   *self,
                      gint64       at,
                      const char  *actor,
                      const char  *kind,
                      const char  *patient_id,
                      const char  *detail_json,
                      GError     **error)
{
  static const char sql[] =
    "INSERT INTO events (at, actor, kind, patient_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), 0);
  g_return_val_if_fail (actor != NULL && kind != NULL, 0);

  if (!(stmt = get_statement (self, sql, error)))
    return 0;

  sqlite3_bind_int64 (stmt, 1, at);
  sqlite3_bind_text (stmt, 2, actor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, kind, -1, SQLITE_TRANSIENT);
  _ward_store_bind_text (stmt, 4, patient_id);
  _ward_store_bind_text (stmt, 5, detail_json);

  return _ward_store_step_insert (self, stmt, "record event", error);
}

gint64
_ward_store_query_int (WardStore   *self,
                       const char  *sql,
                       GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, sql, error);
      return -1;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else
    set_sql_error (self, rc, sql, error);

  sqlite3_finalize (stmt);
  return value;
}

char *
_ward_store_query_text (WardStore   *self,
                        const char  *sql,
                        GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sql_error (self, rc, sql, error);
      return NULL;
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    set_sql_error (self, rc, sql, error);

  sqlite3_finalize (stmt);
  return value;
}

sqlite3_stmt *
_ward_store_get_statement (WardStore   *self,
                           const char  *sql,
                           GError     **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  return get_statement (self, sql, error);
}

gboolean
_ward_store_set_sql_error (WardStore   *self,
                           int          rc,
                           const char  *what,
                           GError     **error)
{
  return set_sql_error (self, rc, what, error);
}

gboolean
_ward_store_exec (WardStore   *self,
                  const char  *sql,
                  GError     **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  return exec_sql (self, sql, error);
}

gboolean
ward_store_get_counts (WardStore        *self,
                       WardStoreCounts  *counts,
                       GError          **error)
{
  static const struct {
    const char *sql;
    gsize       offset;
  } queries[] = {
    { "SELECT count(*) FROM patients", G_STRUCT_OFFSET (WardStoreCounts, patients) },
    { "SELECT count(*) FROM beds", G_STRUCT_OFFSET (WardStoreCounts, beds) },
    { "SELECT count(*) FROM devices", G_STRUCT_OFFSET (WardStoreCounts, devices) },
    { "SELECT count(*) FROM raw_messages", G_STRUCT_OFFSET (WardStoreCounts, raw_messages) },
    { "SELECT count(*) FROM raw_messages WHERE processed_at IS NULL",
      G_STRUCT_OFFSET (WardStoreCounts, raw_messages_pending) },
    { "SELECT count(*) FROM measurements", G_STRUCT_OFFSET (WardStoreCounts, measurements) },
    { "SELECT count(*) FROM dead_letters", G_STRUCT_OFFSET (WardStoreCounts, dead_letters) },
    { "SELECT count(*) FROM scores", G_STRUCT_OFFSET (WardStoreCounts, scores) },
    { "SELECT count(*) FROM flags WHERE kind = 'clinical' AND closed_at IS NULL",
      G_STRUCT_OFFSET (WardStoreCounts, flags_open) },
    { "SELECT count(*) FROM flags WHERE kind = 'clinical'",
      G_STRUCT_OFFSET (WardStoreCounts, flags_total) },
    { "SELECT count(*) FROM flags WHERE kind = 'technical' AND closed_at IS NULL",
      G_STRUCT_OFFSET (WardStoreCounts, technical_alerts_open) },
    { "SELECT count(*) FROM flags WHERE kind = 'technical'",
      G_STRUCT_OFFSET (WardStoreCounts, technical_alerts_total) },
    { "SELECT count(*) FROM events", G_STRUCT_OFFSET (WardStoreCounts, events) },
    { "SELECT count(*) FROM fhir_resources", G_STRUCT_OFFSET (WardStoreCounts, fhir_resources) },
    { "SELECT count(*) FROM outbox WHERE state = 'pending'",
      G_STRUCT_OFFSET (WardStoreCounts, outbox_pending) },
    { "SELECT count(*) FROM outbox WHERE state = 'sent'",
      G_STRUCT_OFFSET (WardStoreCounts, outbox_sent) },
    { "SELECT count(*) FROM outbox WHERE state = 'failed'",
      G_STRUCT_OFFSET (WardStoreCounts, outbox_failed) },
  };

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      sqlite3_stmt *stmt;
      int rc;

      if (!(stmt = get_statement (self, queries[i].sql, error)))
        return FALSE;

      rc = sqlite3_step (stmt);
      if (rc != SQLITE_ROW)
        {
          sqlite3_reset (stmt);
          return set_sql_error (self, rc, queries[i].sql, error);
        }

      G_STRUCT_MEMBER (gint64, counts, queries[i].offset) = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
    }

  return TRUE;
}

/* A count of outbox rows kept by this connection: counted once, then
 * kept up to date; -1 means "count again".
 */
static gboolean
ensure_count (WardStore   *self,
              const char  *sql,
              gint64      *count,
              const char  *what,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (*count >= 0)
    return TRUE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return set_sql_error (self, rc, what, error);

  return TRUE;
}

static gboolean
ensure_n_pending (WardStore  *self,
                  GError    **error)
{
  return ensure_count (self, "SELECT count(*) FROM outbox WHERE state = 'pending'",
                       &self->n_pending, "count pending outbox rows", error);
}

static gboolean
ensure_n_failed (WardStore  *self,
                 GError    **error)
{
  return ensure_count (self, "SELECT count(*) FROM outbox WHERE state = 'failed'",
                       &self->n_failed, "count parked outbox rows", error);
}

gint64
ward_store_outbox_get_n_failed (WardStore  *self,
                                GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_n_failed (self, error))
    return -1;

  return self->n_failed;
}

gint64
ward_store_outbox_get_n_pending (WardStore  *self,
                                 GError    **error)
{
  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!ensure_n_pending (self, error))
    return -1;

  return self->n_pending;
}

gboolean
ward_store_put_resource (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         const char  *json,
                         gint64       at,
                         gboolean    *changed,
                         GError     **error)
{
  static const char find_sql[] =
    "SELECT version, json = ?3, EXISTS (SELECT 1 FROM outbox o WHERE o.resource_type = ?1 "
    "AND o.id = ?2 AND o.state = 'pending') "
    "FROM fhir_resources WHERE resource_type = ?1 AND id = ?2";
  static const char put_sql[] =
    "INSERT INTO fhir_resources (resource_type, id, json, version, updated_at, change_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, (SELECT coalesce (max (change_seq), 0) + 1 FROM fhir_resources)) "
    "ON CONFLICT (resource_type, id) DO UPDATE SET json = excluded.json, "
    "version = excluded.version, updated_at = excluded.updated_at, "
    "change_seq = excluded.change_seq";
  /* The partial unique index keeps one pending row per resource; a row
   * waiting for a retry keeps its schedule and its attempts.
   */
  static const char queue_sql[] =
    "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
    "VALUES (?1, ?2, ?3, 'pending', ?4, ?4) "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' DO UPDATE SET version = excluded.version";
  sqlite3_stmt *stmt;
  gint64 version = 0;
  gboolean same = FALSE;
  gboolean queued = FALSE;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL && json != NULL, FALSE);

  if (changed != NULL)
    *changed = FALSE;

  if (!ensure_n_pending (self, error))
    return FALSE;

  if (!(stmt = get_statement (self, find_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      version = sqlite3_column_int64 (stmt, 0);
      same = sqlite3_column_int (stmt, 1) != 0;
      queued = sqlite3_column_int (stmt, 2) != 0;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sql_error (self, rc, "find FHIR resource", error);

  if (same)
    return TRUE;

  version++;

  if (!(stmt = get_statement (self, put_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, version);
  sqlite3_bind_int64 (stmt, 5, at);
  if (!_ward_store_step_done (self, stmt, "store FHIR resource", error))
    return FALSE;

  if (!(stmt = get_statement (self, queue_sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_int64 (stmt, 4, at);
  if (!_ward_store_step_done (self, stmt, "queue FHIR resource", error))
    return FALSE;
  if (!queued)
    self->n_pending++;

  if (changed != NULL)
    *changed = TRUE;

  return TRUE;
}

gboolean
ward_store_outbox_requeue (WardStore   *self,
                           const char  *resource_type,
                           const char  *id,
                           gint64       at,
                           gboolean    *queued,
                           GError     **error)
{
  static const char sql[] =
    "INSERT INTO outbox (resource_type, id, version, state, next_attempt_at, created_at) "
    "SELECT resource_type, id, version, 'pending', ?3, ?3 FROM fhir_resources "
    "WHERE resource_type = ?1 AND id = ?2 "
    "ON CONFLICT (resource_type, id) WHERE state = 'pending' DO NOTHING";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL, FALSE);

  if (queued != NULL)
    *queued = FALSE;
  if (!ensure_n_pending (self, error))
    return FALSE;
  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "queue FHIR resource again", error))
    return FALSE;
  if (sqlite3_changes (self->db) > 0)
    {
      self->n_pending++;
      if (queued != NULL)
        *queued = TRUE;
    }

  return TRUE;
}

char *
ward_store_get_resource (WardStore   *self,
                         const char  *resource_type,
                         const char  *id,
                         gint64      *version,
                         GError     **error)
{
  static const char sql[] =
    "SELECT json, version FROM fhir_resources WHERE resource_type = ?1 AND id = ?2";
  sqlite3_stmt *stmt;
  char *json = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);
  g_return_val_if_fail (resource_type != NULL && id != NULL, NULL);

  if (version != NULL)
    *version = 0;

  if (!(stmt = get_statement (self, sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      json = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      if (version != NULL)
        *version = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    set_sql_error (self, rc, "read FHIR resource", error);

  return json;
}

gboolean
ward_store_replace_resource_json (WardStore   *self,
                                  const char  *resource_type,
                                  const char  *id,
                                  gint64       version,
                                  const char  *json,
                                  gboolean    *replaced,
                                  GError     **error)
{
  static const char sql[] =
    "UPDATE fhir_resources SET json = ?4, "
    "change_seq = (SELECT max (change_seq) + 1 FROM fhir_resources) "
    "WHERE resource_type = ?1 AND id = ?2 AND version = ?3";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (resource_type != NULL && id != NULL && json != NULL, FALSE);

  if (replaced != NULL)
    *replaced = FALSE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, resource_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, version);
  sqlite3_bind_text (stmt, 4, json, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "replace FHIR resource", error))
    return FALSE;

  if (replaced != NULL)
    *replaced = sqlite3_changes (self->db) > 0;

  return TRUE;
}

gboolean
ward_store_foreach_resource (WardStore              *self,
                             const char             *resource_type,
                             WardStoreResourceFunc   func,
                             gpointer                user_data,
                             GError                **error)
{
  static const char sql[] =
    "SELECT resource_type, id, version, json FROM fhir_resources "
    "WHERE ?1 IS NULL OR resource_type = ?1 ORDER BY resource_type, id";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Not the cached statement: func may use the store while it runs. */
  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return set_sql_error (self, rc, "list FHIR resources", error);

  _ward_store_bind_text (stmt, 1, resource_type);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func ((const char *) sqlite3_column_text (stmt, 0),
          (const char *) sqlite3_column_text (stmt, 1),
          sqlite3_column_int64 (stmt, 2),
          (const char *) sqlite3_column_text (stmt, 3),
          user_data);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list FHIR resources", error);

  return TRUE;
}

typedef struct
{
  gint64  seq;
  char   *resource_type;
  char   *id;
  gint64  version;
  int     attempts;
  gint64  next_attempt_at;
  char   *last_error;
  char   *json;
} OutboxRow;

static void
outbox_row_clear (gpointer data)
{
  OutboxRow *row = data;

  g_free (row->resource_type);
  g_free (row->id);
  g_free (row->last_error);
  g_free (row->json);
}

gboolean
ward_store_outbox_next (WardStore            *self,
                        gint64                now,
                        guint                 limit,
                        WardStoreOutboxFunc   func,
                        gpointer              user_data,
                        GError              **error)
{
  static const char sql[] =
    "SELECT o.seq, o.resource_type, o.id, o.version, o.attempts, o.next_attempt_at, "
    "o.last_error, r.json FROM outbox o "
    "JOIN fhir_resources r ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'pending' AND o.next_attempt_at <= ?1 "
    "ORDER BY o.next_attempt_at, o.seq LIMIT ?2";
  g_autoptr(GArray) rows = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rows = g_array_new (FALSE, TRUE, sizeof (OutboxRow));
  g_array_set_clear_func (rows, outbox_row_clear);

  /* Read every row first: func marks them, which moves them out of the
   * index this query walks.
   */
  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      OutboxRow row = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .resource_type = g_strdup ((const char *) sqlite3_column_text (stmt, 1)),
        .id = g_strdup ((const char *) sqlite3_column_text (stmt, 2)),
        .version = sqlite3_column_int64 (stmt, 3),
        .attempts = sqlite3_column_int (stmt, 4),
        .next_attempt_at = sqlite3_column_int64 (stmt, 5),
        .last_error = g_strdup ((const char *) sqlite3_column_text (stmt, 6)),
        .json = g_strdup ((const char *) sqlite3_column_text (stmt, 7)),
      };

      g_array_append_val (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list due outbox rows", error);

  for (guint i = 0; i < rows->len; i++)
    {
      const OutboxRow *row = &g_array_index (rows, OutboxRow, i);
      WardOutboxEntry entry = {
        .seq = row->seq,
        .resource_type = row->resource_type,
        .id = row->id,
        .version = row->version,
        .attempts = row->attempts,
        .next_attempt_at = row->next_attempt_at,
        .last_error = row->last_error,
        .json = row->json,
      };

      func (&entry, user_data);
    }

  return TRUE;
}

/* Finishes an UPDATE of one pending outbox row: NOT_FOUND when seq names
 * no pending row.
 */
static gboolean
finish_outbox_update (WardStore     *self,
                      sqlite3_stmt  *stmt,
                      gint64         seq,
                      gboolean       leaves_pending,
                      GError       **error)
{
  if (!_ward_store_step_done (self, stmt, "update outbox row", error))
    return FALSE;

  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "No pending outbox row %" G_GINT64_FORMAT, seq);
      return FALSE;
    }

  if (!leaves_pending && self->n_pending > 0)
    self->n_pending--;

  return TRUE;
}

gboolean
ward_store_outbox_mark_sent (WardStore   *self,
                             gint64       seq,
                             gint64       version,
                             gint64       at,
                             gboolean    *sent,
                             GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = 'sent', sent_at = ?3, attempts = attempts + 1, last_error = NULL "
    "WHERE seq = ?1 AND state = 'pending' AND version = ?2";
  /* The resource changed while its older version was on the wire: the
   * row stays pending with the newer version.
   */
  static const char stale_sql[] =
    "UPDATE outbox SET attempts = attempts + 1 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (sent != NULL)
    *sent = FALSE;

  if (!ensure_n_pending (self, error))
    return FALSE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, version);
  sqlite3_bind_int64 (stmt, 3, at);
  if (!_ward_store_step_done (self, stmt, "mark outbox row sent", error))
    return FALSE;

  if (sqlite3_changes (self->db) > 0)
    {
      if (self->n_pending > 0)
        self->n_pending--;
      if (sent != NULL)
        *sent = TRUE;
      return TRUE;
    }

  if (!(stmt = get_statement (self, stale_sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);

  return finish_outbox_update (self, stmt, seq, TRUE, error);
}

gint64
ward_store_outbox_make_due (WardStore  *self,
                            gint64      at,
                            GError    **error)
{
  static const char sql[] =
    "UPDATE outbox SET next_attempt_at = ?1 WHERE state = 'pending' AND next_attempt_at > ?1";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), -1);

  if (!(stmt = get_statement (self, sql, error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, at);
  if (!_ward_store_step_done (self, stmt, "make outbox rows due", error))
    return -1;

  return sqlite3_changes (self->db);
}

gboolean
ward_store_outbox_mark_retry (WardStore   *self,
                              gint64       seq,
                              gint64       next_at,
                              const char  *error_text,
                              GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
    "WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_int64 (stmt, 2, next_at);
  _ward_store_bind_text (stmt, 3, error_text);

  return finish_outbox_update (self, stmt, seq, TRUE, error);
}

gboolean
ward_store_outbox_mark_failed (WardStore   *self,
                               gint64       seq,
                               const char  *error_text,
                               const char  *operation_outcome_json,
                               GError     **error)
{
  static const char sql[] =
    "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?2, "
    "operation_outcome = ?3 WHERE seq = ?1 AND state = 'pending'";
  sqlite3_stmt *stmt;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);

  if (!ensure_n_pending (self, error) || !ensure_n_failed (self, error))
    return FALSE;

  if (!(stmt = get_statement (self, sql, error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  _ward_store_bind_text (stmt, 2, error_text);
  _ward_store_bind_text (stmt, 3, operation_outcome_json);

  if (!finish_outbox_update (self, stmt, seq, FALSE, error))
    return FALSE;
  self->n_failed++;

  return TRUE;
}

gboolean
ward_store_foreach_outbox_failure (WardStore                 *self,
                                   WardStoreOutboxFailureFunc func,
                                   gpointer                   user_data,
                                   GError                   **error)
{
  static const char sql[] =
    "SELECT o.seq, o.resource_type, o.id, o.version, o.attempts, o.created_at, o.last_error, "
    "o.operation_outcome, r.json "
    "FROM outbox o LEFT JOIN fhir_resources r ON r.resource_type = o.resource_type AND r.id = o.id "
    "WHERE o.state = 'failed' ORDER BY o.seq";
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return set_sql_error (self, rc, "list rejected FHIR resources", error);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WardOutboxFailure failure = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .resource_type = (const char *) sqlite3_column_text (stmt, 1),
        .id = (const char *) sqlite3_column_text (stmt, 2),
        .version = sqlite3_column_int64 (stmt, 3),
        .attempts = sqlite3_column_int (stmt, 4),
        .created_at = sqlite3_column_int64 (stmt, 5),
        .last_error = (const char *) sqlite3_column_text (stmt, 6),
        .operation_outcome = (const char *) sqlite3_column_text (stmt, 7),
        .json = (const char *) sqlite3_column_text (stmt, 8),
      };

      func (&failure, user_data);
    }

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return set_sql_error (self, rc, "list rejected FHIR resources", error);

  return TRUE;
}

char *
ward_store_get_installation_id (WardStore  *self,
                                GError    **error)
{
  static const char get_sql[] = "SELECT value FROM settings WHERE key = 'installation-id'";
  static const char set_sql[] =
    "INSERT INTO settings (key, value) VALUES ('installation-id', ?1)";
  g_autofree char *uuid = NULL;
  sqlite3_stmt *stmt;
  char *value = NULL;
  int rc;

  g_return_val_if_fail (WARD_IS_STORE (self), NULL);

  if (!(stmt = get_statement (self, get_sql, error)))
    return NULL;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sql_error (self, rc, "read the installation id", error);
      return NULL;
    }
  if (value != NULL)
    return value;

  if (self->readonly)
    {
      g_set_error (error, WARD_STORE_ERROR, WARD_STORE_ERROR_NOT_FOUND,
                   "%s has no installation id yet", self->path);
      return NULL;
    }

  uuid = g_uuid_string_random ();
  if (!(stmt = get_statement (self, set_sql, error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  if (!_ward_store_step_done (self, stmt, "store the installation id", error))
    return NULL;

  return g_steal_pointer (&uuid);
}
