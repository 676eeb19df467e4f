/* ward-care-view.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-pipeline.h"
#include "ward-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  WARD_CARE_FILTER_MINE,    /* owned by the acting member */
  WARD_CARE_FILTER_ROLE,    /* theirs, or waiting for one of their roles */
  WARD_CARE_FILTER_WARD,    /* every open task */
} WardCareFilter;

#define WARD_TYPE_CARE_VIEW (ward_care_view_get_type ())
G_DECLARE_FINAL_TYPE (WardCareView, ward_care_view, WARD, CARE_VIEW, AdwWindow)

WardCareView  *ward_care_view_new            (GtkWindow      *parent);
void           ward_care_view_set_pipeline   (WardCareView   *self,
                                              WardPipeline   *pipeline);
void           ward_care_view_set_user       (WardCareView   *self,
                                              const char     *user);
void           ward_care_view_set_show_patient_names (WardCareView *self,
                                                      gboolean      show);
void           ward_care_view_apply_snapshot (WardCareView   *self,
                                              WardSnapshot   *snapshot);
void           ward_care_view_set_filter     (WardCareView   *self,
                                              WardCareFilter  filter);
WardCareFilter ward_care_view_get_filter     (WardCareView   *self);

G_END_DECLS
