/* ward-fhir-sync-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ward-fhir-auth.h"
#include "ward-fhir-sync.h"
#include "ward-fhir-template.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* What the files of WardFhirSync share: its state, the outbox rows taken
 * in a cycle (Item), the answers waiting to be written (Mark) and the
 * requests in flight (Request).  Functions used across these files start
 * with _ward_fhir_sync_; each file says which concern it holds.
 */

/* Rows taken from the outbox per cycle when they go one PUT at a time; a
 * full take starts the next cycle at once.  A cycle ends when its last
 * request is answered, which empties the pipeline of requests in flight:
 * a take of 64 does that less often than one of 32 did.
 */
#define SINGLE_TAKE 64
/* Single answers whose marks are written together, in one transaction.
 * The marks are also written before each refill (see
 * ward-fhir-sync-take.c), so at most a take's rows are sent again after
 * a crash.
 */
#define MARKS_PER_FLUSH 32
/* Entries per batch Bundle (and rows taken per cycle) by default. */
#define DEFAULT_BATCH_SIZE 100
#define STATUS_TOO_MANY_REQUESTS 429
#define STATUS_PRECONDITION_FAILED 412
/* 412 answers for one row in one cycle before it waits for a retry: each
 * means another writer changed the Observation between our read and our
 * write.
 */
#define MAX_CONFLICTS 3
/* Server versions kept per session; past this they are forgotten and
 * read again (a GET per Observation), which bounds the memory.
 */
#define MAX_VERSIONS_KEPT 65536
/* Single requests in flight at once (and connections to the server):
 * the server works on one while the answer to another is handled, the
 * marks are written and the next row is made ready.
 */
#define MAX_IN_FLIGHT 3

typedef enum
{
  REQUEST_METADATA,   /* GET metadata: is batch offered? */
  REQUEST_DEVICE,     /* PUT of the Wardwatch Device, first in a session */
  REQUEST_SINGLE,     /* PUT of one outbox row */
  REQUEST_BATCH,      /* POST of a batch Bundle of PUTs */
  REQUEST_READ,       /* GET of one connector Observation, to merge into */
  REQUEST_READ_BATCH, /* POST of a batch Bundle of such GETs */
} RequestKind;

typedef struct
{
  gint64        seq;
  char         *resource_type;
  char         *id;
  gint64        version;
  int           attempts;
  char         *json;             /* what is sent */

  /* An Observation in the connector's format, which the connector (or
   * anyone) may write too: it is merged into the server's copy and
   * written with If-Match.
   */
  gboolean      merge;
  char         *local_json;       /* as stored; json may be it merged into the server's copy */
  gboolean      read;             /* the server's version is known, or it has none */
  gboolean      merged;           /* json is a merge: stored locally once the server has it */
  char         *if_match;         /* the server's versionId it was merged into, or NULL */
  int           conflicts;        /* 412 answers this cycle */
  guint         order;            /* its place in the take */
} Item;

typedef enum
{
  MARK_SENT,
  MARK_RETRY,
  MARK_FAILED,
} MarkKind;

/* An answer, to be written to the outbox. */
typedef struct
{
  MarkKind      kind;
  gint64        seq;
  gint64        version;
  gint64        at;               /* sent at, or retry at */
  char         *reason;
  char         *outcome_json;
  char         *id;               /* MARK_SENT of a merge: the Observation ... */
  char         *merged_json;      /* ... as the server now has it */
} Mark;

typedef struct
{
  WardFhirSync *self;
  RequestKind   kind;
  GPtrArray    *items;            /* Item: one for DEVICE, SINGLE and READ, n for the batches */
  gboolean      reauthenticated;  /* after a 401, once */
  GBytes       *body;
  SoupMessage  *msg;
} Request;

struct _WardFhirSync
{
  GObject            parent_instance;

  WardStore         *store;
  char              *base_url;
  char              *authorization;
  WardFhirAuth      *auth;           /* bearer or SMART, or NULL */
  WardFhirTemplate  *template;       /* the rules to merge Observations by, or NULL */
  WardFhirSyncClock  clock;
  gpointer           clock_data;
  guint              backoff_min_msec;
  guint              backoff_max_msec;
  guint              interval_msec;
  guint              timeout_sec;
  guint              batch_size;

  SoupSession       *session;
  GMainContext      *context;
  GSource           *timer;
  GSource           *kick_source;
  GCancellable      *cancellable;
  GQueue             queue;          /* Item, taken this cycle, not yet sent */
  GPtrArray         *in_flight;      /* Request (borrowed): started, not answered yet */
  GArray            *marks;          /* Mark: answers not yet written */
  gboolean           busy;
  gboolean           taken;          /* this cycle took its rows */
  gboolean           bundle_due;     /* ... and sends them as a batch Bundle */
  gboolean           reads_sent;     /* ... after reading the Observations to merge into */
  gboolean           take_full;
  guint              next_order;     /* the order of the next row taken, this cycle */
  gint64             last_pending;

  /* Per session (start to stop). */
  gboolean           caps_known;     /* the CapabilityStatement was read */
  gboolean           caps_tried;     /* ... or failed, this cycle */
  gboolean           batch_allowed;  /* it offers batch, and no Bundle was refused */
  char              *device_id;
  gboolean           device_done;    /* registered (or refused) */
  gint64             device_version; /* registered version, or 0 */
  int                setup_attempts;
  gint64             setup_next_at;
  GHashTable        *versions;       /* connector Observation id -> the server's versionId */

  guint64            n_sent;
  guint64            n_retried;
  guint64            n_parked;
  guint64            n_bundles;
  guint64            n_reads;
  guint64            n_conflicts;
  char              *last_error;
  gint64             failing_since;  /* first transient failure since the last answer, or 0 */
};

/* ward-fhir-sync.c: the object, its sessions and cycles */
gint64      _ward_fhir_sync_now                      (WardFhirSync *self);
void        _ward_fhir_sync_set_last_error           (WardFhirSync *self,
                                                      char         *text);
JsonNode   *_ward_fhir_sync_parse_json               (const char *json);

/* ward-fhir-sync-take.c: the outbox take, its order, the steps of a cycle */
void        _ward_fhir_sync_item_free                (Item *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Item, _ward_fhir_sync_item_free)

void        _ward_fhir_sync_advance                  (WardFhirSync *self);
void        _ward_fhir_sync_finish_cycle             (WardFhirSync *self);
void        _ward_fhir_sync_abandon_cycle            (WardFhirSync *self);
void        _ward_fhir_sync_queue_insert             (WardFhirSync *self,
                                                      Item         *item);

/* ward-fhir-sync-request.c: requests and their answers */
Request    *_ward_fhir_sync_request_new              (WardFhirSync *self,
                                                      RequestKind   kind);
void        _ward_fhir_sync_request_free             (Request *req);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Request, _ward_fhir_sync_request_free)

void        _ward_fhir_sync_start_request            (WardFhirSync *self,
                                                      Request      *req);
void        _ward_fhir_sync_request_done             (Request *req);
gboolean    _ward_fhir_sync_is_resource              (JsonNode *root);
gboolean    _ward_fhir_sync_is_transient             (guint status);
char       *_ward_fhir_sync_outcome_reason           (JsonNode *root);
char       *_ward_fhir_sync_status_reason            (guint     status,
                                                      JsonNode *outcome);
gint64      _ward_fhir_sync_retry_after_sec          (Request *req,
                                                      guint    status);
void        _ward_fhir_sync_retry_or_park            (WardFhirSync *self,
                                                      Request      *req,
                                                      Item         *item,
                                                      guint         status,
                                                      JsonNode     *root,
                                                      const char   *data,
                                                      gsize         len);

/* ward-fhir-sync-marks.c: answers become outbox marks */
void        _ward_fhir_sync_mark_clear               (Mark *mark);
void        _ward_fhir_sync_mark_sent                (WardFhirSync *self,
                                                      Item         *item);
void        _ward_fhir_sync_mark_retry               (WardFhirSync *self,
                                                      Item         *item,
                                                      gint64        retry_after_sec,
                                                      const char   *reason);
void        _ward_fhir_sync_mark_failed              (WardFhirSync *self,
                                                      Item         *item,
                                                      const char   *reason,
                                                      const char   *outcome_json);
void        _ward_fhir_sync_retry_all                (WardFhirSync *self,
                                                      GPtrArray    *items,
                                                      gint64        retry_after_sec,
                                                      const char   *reason);
void        _ward_fhir_sync_setup_failed             (WardFhirSync *self,
                                                      char         *reason);
void        _ward_fhir_sync_flush_marks              (WardFhirSync *self);

/* ward-fhir-sync-merge.c: connector Observations, merged into the server's copy */
gboolean    _ward_fhir_sync_is_connector_observation (WardFhirSync          *self,
                                                      const WardOutboxEntry *entry);
const char *_ward_fhir_sync_response_etag            (SoupMessage *msg);
char       *_ward_fhir_sync_answer_version           (JsonNode   *resource,
                                                      const char *etag);
void        _ward_fhir_sync_remember_version         (WardFhirSync *self,
                                                      Item         *item,
                                                      char         *version);
gboolean    _ward_fhir_sync_server_has_ours          (Item     *item,
                                                      JsonNode *server_copy);
gboolean    _ward_fhir_sync_merge_into               (WardFhirSync  *self,
                                                      Item          *item,
                                                      JsonNode      *server_copy,
                                                      const char    *etag,
                                                      GError       **error);
gboolean    _ward_fhir_sync_requeue_conflict         (WardFhirSync *self,
                                                      Item         *item);
void        _ward_fhir_sync_handle_read              (WardFhirSync *self,
                                                      Request      *req,
                                                      guint         status,
                                                      JsonNode     *root,
                                                      const char   *data,
                                                      gsize         len);

/* ward-fhir-sync-batch.c: batch mode */
GBytes     *_ward_fhir_sync_batch_body               (WardFhirSync *self,
                                                      GPtrArray    *items);
GBytes     *_ward_fhir_sync_read_batch_body          (GPtrArray *items);
void        _ward_fhir_sync_handle_batch             (WardFhirSync *self,
                                                      Request      *req,
                                                      guint         status,
                                                      JsonNode     *root);
void        _ward_fhir_sync_handle_read_batch        (WardFhirSync *self,
                                                      Request      *req,
                                                      guint         status,
                                                      JsonNode     *root);
G_END_DECLS
