/* ward-patient-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-patient-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-patient-view.h"

struct _WardPatientView
{
  AdwBin        parent_instance;

  GtkLabel     *title;

  WardPipeline *pipeline;
  char         *user;
  char         *patient_id;
};

G_DEFINE_FINAL_TYPE (WardPatientView, ward_patient_view, ADW_TYPE_BIN)

static void
ward_patient_view_dispose (GObject *object)
{
  WardPatientView *self = WARD_PATIENT_VIEW (object);

  g_clear_object (&self->pipeline);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->patient_id, g_free);

  G_OBJECT_CLASS (ward_patient_view_parent_class)->dispose (object);
}

static void
ward_patient_view_class_init (WardPatientViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ward_patient_view_dispose;
}

static void
ward_patient_view_init (WardPatientView *self)
{
  self->title = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "title-1");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->title));
}

GtkWidget *
ward_patient_view_new (void)
{
  return g_object_new (WARD_TYPE_PATIENT_VIEW, NULL);
}

void
ward_patient_view_set_pipeline (WardPatientView *self,
                                WardPipeline    *pipeline)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));

  g_set_object (&self->pipeline, pipeline);
}

void
ward_patient_view_set_user (WardPatientView *self,
                            const char      *user)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));

  g_free (self->user);
  self->user = g_strdup (user);
}

void
ward_patient_view_set_patient (WardPatientView *self,
                               const char      *patient_id)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));

  g_free (self->patient_id);
  self->patient_id = g_strdup (patient_id);
  gtk_label_set_text (self->title, patient_id != NULL ? patient_id : "");
}

const char *
ward_patient_view_get_patient (WardPatientView *self)
{
  g_return_val_if_fail (WARD_IS_PATIENT_VIEW (self), NULL);

  return self->patient_id;
}

void
ward_patient_view_apply_snapshot (WardPatientView *self,
                                  WardSnapshot    *snapshot)
{
  g_return_if_fail (WARD_IS_PATIENT_VIEW (self));
  g_return_if_fail (snapshot != NULL);
}
