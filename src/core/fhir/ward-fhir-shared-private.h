/* ward-fhir-shared-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ward-fhir-shared.h"
#include "ward-store.h"

G_BEGIN_DECLS

/* ward-fhir-shared-json.c: reading what a server sends, whose shape is
 * not trusted, and comparing versions.
 */

JsonObject *_ward_fhir_shared_parse_object     (const char  *text,
                                                gsize        length,
                                                GError     **error);
/* A member that holds an object (or an array), else NULL. */
JsonObject *_ward_fhir_shared_object_member    (JsonObject  *object,
                                                const char  *name);
JsonArray  *_ward_fhir_shared_array_member     (JsonObject  *object,
                                                const char  *name);
JsonObject *_ward_fhir_shared_array_object     (JsonArray   *array,
                                                guint        index);
const char *_ward_fhir_shared_string_member    (JsonObject  *object,
                                                const char  *name);
char       *_ward_fhir_shared_object_to_string (JsonObject  *object);
/* meta.member of the resource, a string, or NULL. */
const char *_ward_fhir_shared_meta_string      (JsonObject  *resource,
                                                const char  *member);
/* Whether version is newer than known (NULL: nothing known). */
gboolean    _ward_fhir_shared_version_is_newer (const char  *version,
                                                const char  *known);

/* The state of a WardFhirShared, shared by its files: ward-fhir-shared.c
 * (the object, its public API and the cycle), ward-fhir-shared-write.c
 * (the write path), ward-fhir-shared-poll.c (the read path) and
 * ward-fhir-shared-http.c (the requests).
 */
typedef struct
{
  WardFhirSharedMergeFunc  merge;
  WardFhirSharedApplyFunc  apply;
  gpointer                 user_data;
  GDestroyNotify           destroy;
  gboolean                 merge_on_write;
} SharedType;

struct _WardFhirShared
{
  GObject       parent_instance;

  WardStore    *store;
  char         *base_url;
  char         *station;
  char         *authorization;
  GHashTable   *types;          /* resource type -> SharedType */
  GPtrArray    *type_names;     /* in registration order */

  guint         poll_interval_msec;
  guint         page_size;
  guint         overlap_msec;
  guint         timeout_sec;

  SoupSession  *session;
  GMainContext *context;
  GSource      *timer;
  GSource      *idle;
  GCancellable *cancellable;
  gboolean      started;
  gboolean      busy;
  gboolean      again;
  gboolean      cycle_failed;
  gboolean      flushing;       /* flush_and_stop(): writes only, no polling */
  guint         merges;
  guint         n_in_flight;    /* requests not completed yet (also cancelled ones) */

  /* The write in flight. */
  gint64        seq;
  char         *resource_type;
  char         *id;
  char         *base_version;
  char         *write_id;
  char         *json;
  gboolean      merged;

  /* The poll in flight. */
  guint         poll_index;
  GDateTime    *poll_mark;      /* the newest lastUpdated seen of this type */
  GDateTime    *page_since;     /* the lower bound of the page asked for */

  guint64       n_sent;
  guint64       n_conflicts;
  guint64       n_applied;
  guint64       n_polls;
  guint64       n_clean_cycles;
  char         *last_error;

  /* Pruning the done writes (ward-fhir-shared.c). */
  GTimeSpan     retention;
  gint64        pruned_at;      /* monotonic; 0: not yet */
  gboolean      prune_backlog;  /* the last batch was full */
  guint64       n_pruned;
};

typedef void (*ResponseHandler) (WardFhirShared  *self,
                                 guint            status,
                                 SoupMessage     *msg,
                                 JsonObject      *body,
                                 const GError    *error);

/* ward-fhir-shared-http.c */
void      _ward_fhir_shared_set_last_error      (WardFhirShared  *self,
                                                 const char      *format,
                                                 ...) G_GNUC_PRINTF (2, 3);
gboolean  _ward_fhir_shared_status_is_transient (guint            status);
void      _ward_fhir_shared_send_request        (WardFhirShared  *self,
                                                 const char      *method,
                                                 const char      *url,
                                                 const char      *if_match,
                                                 gboolean         if_none_match,
                                                 GBytes          *body,
                                                 ResponseHandler  handler);
char     *_ward_fhir_shared_resource_url        (WardFhirShared  *self,
                                                 const char      *resource_type,
                                                 const char      *id);
/* "HTTP 400: the outcome's first diagnostics" */
char     *_ward_fhir_shared_describe_failure    (guint            status,
                                                 JsonObject      *body,
                                                 const GError    *error);

/* ward-fhir-shared.c: the cycle */
void      _ward_fhir_shared_end_cycle           (WardFhirShared  *self);
void      _ward_fhir_shared_fail_cycle          (WardFhirShared  *self,
                                                 const char      *what,
                                                 guint            status,
                                                 JsonObject      *body,
                                                 const GError    *error);

/* ward-fhir-shared-write.c */
void      _ward_fhir_shared_clear_write         (WardFhirShared  *self);
/* Sends the next pending write, or goes on to polling when none is left. */
void      _ward_fhir_shared_send_next           (WardFhirShared  *self);
void      _ward_fhir_shared_apply               (WardFhirShared  *self,
                                                 const char      *resource_type,
                                                 JsonObject      *resource);
gboolean  _ward_fhir_shared_remember            (WardFhirShared  *self,
                                                 const char      *resource_type,
                                                 JsonObject      *resource,
                                                 GError         **error);

/* ward-fhir-shared-poll.c: polls type poll_index; url is a next page,
 * or NULL for the first.
 */
void      _ward_fhir_shared_poll_type           (WardFhirShared  *self,
                                                 const char      *url);
/* Applies a polled (or re-read) resource if it is newer than the known
 * copy and no write of it is pending.
 */
void      _ward_fhir_shared_handle_polled       (WardFhirShared  *self,
                                                 const char      *resource_type,
                                                 JsonObject      *resource);

G_END_DECLS
