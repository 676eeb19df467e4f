/* ward-store-care.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-store.h"
#include "ward-tasks.h"

G_BEGIN_DECLS

/* The care team's tables (migration 11): tasks, the bed allocation,
 * handovers, communications, the audit trail.  Plain rows in and out;
 * the rules live in care/ward-care.c and care/ward-audit.c.
 */

/* A flag as the care coordinator sees it. */
typedef struct
{
  gint64        id;
  char         *patient_id;
  char         *bed_id;          /* the patient's bed now, or NULL */
  WardCareKind  kind;
  gboolean      has_band;
  WardBand      band;
  gint64        opened_at;
  gint64        closed_at;       /* 0 while open */
  char         *acknowledged_by;
  gint64        acknowledged_at;
  /* The score kind that raised it: "news2" for a clinical flag, the
   * model's ("model:NAME") for a model's own flag (flags.kind 'model',
   * which the care team handles as a clinical flag), NULL otherwise.
   */
  char         *score_kind;
} WardCareFlag;

typedef struct
{
  char   *bed_id;
  char   *staff_id;
  char   *allocated_by;
  gint64  allocated_at;
  char   *station;
} WardAllocation;

typedef enum
{
  WARD_HANDOVER_OFFERED,
  WARD_HANDOVER_ACCEPTED,
  WARD_HANDOVER_CANCELLED,
} WardHandoverState;

typedef struct
{
  gint64             id;
  char              *from_staff;
  char              *to_staff;
  WardHandoverState  state;
  gint64             offered_at;
  gint64             accepted_at;
  char              *station;
} WardHandover;

/* One bed of a handover, with its SBAR note. */
typedef struct
{
  char *bed_id;
  char *patient_id;
  char *situation;
  char *background;
  char *assessment;
  char *recommendation;
} WardHandoverBed;

typedef struct
{
  gint64  id;
  char   *kind;              /* notification, escalation, handover, concern, reassignment */
  gint64  task_id;           /* or 0 */
  char   *patient_id;
  char   *sender;
  char   *recipient_role;    /* or NULL */
  char   *recipient_staff;   /* or NULL */
  gint64  sent_at;
  char   *payload;
  char   *station;
} WardCommunication;

typedef struct
{
  gint64  id;
  gint64  at;
  char   *actor;
  char   *action;
  char   *patient_id;
  gint64  flag_id;
  gint64  task_id;
  char   *station;
  char   *detail;              /* JSON object text, or NULL */
  char   *prev_hash;
  char   *hash;
} WardAuditRow;

typedef struct
{
  gint64  id;
  gint64  at;
  char   *actor;
  char   *kind;
  char   *patient_id;
  char   *detail;
} WardStoreEvent;

typedef enum
{
  WARD_TASK_LIST_ALL,
  WARD_TASK_LIST_OPEN,
  WARD_TASK_LIST_OPEN_FOR_BED,     /* text: the bed */
  WARD_TASK_LIST_FOR_FLAG,         /* arg: the flag id */
  WARD_TASK_LIST_CHAIN,            /* arg: the first task; it and its escalations */
  WARD_TASK_LIST_REQUESTED_DUE,    /* arg: now; requested, due by now, not yet escalated */
} WardTaskList;

typedef gboolean (*WardStoreAuditFunc) (const WardAuditRow *row,
                                        gpointer            user_data,
                                        GError            **error);

void        ward_care_flag_clear            (WardCareFlag       *flag);
void        ward_allocation_free            (WardAllocation     *allocation);
void        ward_handover_clear             (WardHandover       *handover);
void        ward_handover_bed_free          (WardHandoverBed    *bed);
void        ward_communication_free         (WardCommunication  *communication);
void        ward_audit_row_clear            (WardAuditRow       *row);
void        ward_store_event_free           (WardStoreEvent     *event);

/* Tasks.  insert sets task->id and task->version (1); update writes every
 * field that can change and moves the version on, refusing with
 * WARD_STORE_ERROR_NOT_FOUND when the stored version is not task->version
 * (somebody else changed it first).
 */
gint64      ward_store_insert_task          (WardStore          *self,
                                             WardTask           *task,
                                             GError            **error);
gboolean    ward_store_update_task          (WardStore          *self,
                                             WardTask           *task,
                                             GError            **error);
/* NULL without error: no such task. */
WardTask   *ward_store_get_task             (WardStore          *self,
                                             gint64              id,
                                             GError            **error);
/* WardTask, oldest first; NULL on error. */
GPtrArray  *ward_store_list_tasks           (WardStore          *self,
                                             WardTaskList        list,
                                             gint64              arg,
                                             const char         *text,
                                             GError            **error);

/* Flags: the open ones that have no task yet (oldest first), and one by id
 * (found FALSE when there is none).
 */
GArray     *ward_store_list_untasked_flags  (WardStore          *self,
                                             GError            **error);
gboolean    ward_store_get_care_flag        (WardStore          *self,
                                             gint64              flag_id,
                                             gboolean           *found,
                                             WardCareFlag       *flag,
                                             GError            **error);
/* The bed the patient is in, or NULL. */
char       *ward_store_get_patient_bed      (WardStore          *self,
                                             const char         *patient_id,
                                             GError            **error);
gboolean    ward_store_has_bed              (WardStore          *self,
                                             const char         *bed_id,
                                             gboolean           *exists,
                                             GError            **error);
/* The patient in the bed, or NULL. */
char       *ward_store_get_bed_patient      (WardStore          *self,
                                             const char         *bed_id,
                                             GError            **error);

/* Bed allocation: staff_id NULL frees the bed. */
gboolean    ward_store_set_allocation       (WardStore          *self,
                                             const char         *bed_id,
                                             const char         *staff_id,
                                             const char         *allocated_by,
                                             gint64              at,
                                             const char         *station,
                                             GError            **error);
/* The staff id of the bed's nurse, or NULL (error set on failure only). */
char       *ward_store_get_allocation       (WardStore          *self,
                                             const char         *bed_id,
                                             GError            **error);
/* WardAllocation by bed; staff_id NULL: every bed. */
GPtrArray  *ward_store_list_allocations     (WardStore          *self,
                                             const char         *staff_id,
                                             GError            **error);

gint64      ward_store_add_handover         (WardStore          *self,
                                             const char         *from_staff,
                                             const char         *to_staff,
                                             gint64              at,
                                             const char         *station,
                                             GError            **error);
gboolean    ward_store_add_handover_bed     (WardStore          *self,
                                             gint64              handover_id,
                                             const WardHandoverBed *bed,
                                             GError            **error);
gboolean    ward_store_get_handover         (WardStore          *self,
                                             gint64              id,
                                             gboolean           *found,
                                             WardHandover       *handover,
                                             GError            **error);
GPtrArray  *ward_store_list_handover_beds   (WardStore          *self,
                                             gint64              handover_id,
                                             GError            **error);
/* Moves an offered handover on; NOT_FOUND when it is not offered. */
gboolean    ward_store_close_handover       (WardStore          *self,
                                             gint64              id,
                                             WardHandoverState   state,
                                             gint64              at,
                                             GError            **error);

gint64      ward_store_add_communication    (WardStore          *self,
                                             WardCommunication  *communication,
                                             GError            **error);
/* WardCommunication, oldest first; task_id 0: all. */
GPtrArray  *ward_store_list_communications  (WardStore          *self,
                                             gint64              task_id,
                                             GError            **error);

/* The audit trail's last row (id 0 and hash NULL when empty). */
gboolean    ward_store_audit_last           (WardStore          *self,
                                             gint64             *id,
                                             char              **hash,
                                             GError            **error);
/* Inserts row as it is, row->id included. */
gboolean    ward_store_audit_insert         (WardStore          *self,
                                             const WardAuditRow *row,
                                             GError            **error);
gboolean    ward_store_audit_foreach        (WardStore          *self,
                                             gint64              after_id,
                                             WardStoreAuditFunc  func,
                                             gpointer            user_data,
                                             GError            **error);

/* Events (ward_store_add_event()) after after_id, oldest first, at
 * most limit.
 */
GPtrArray  *ward_store_list_events_after    (WardStore          *self,
                                             gint64              after_id,
                                             guint               limit,
                                             GError            **error);

/* An integer in the settings table (default_value when absent). */
gboolean    ward_store_get_setting_int      (WardStore          *self,
                                             const char         *key,
                                             gint64              default_value,
                                             gint64             *value,
                                             GError            **error);
gboolean    ward_store_set_setting_int      (WardStore          *self,
                                             const char         *key,
                                             gint64              value,
                                             GError            **error);

G_END_DECLS
