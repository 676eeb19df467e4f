/* ward-summary-view.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-summary-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ward-a11y.h"
#include "ward-clinical.h"
#include "ward-shift-report.h"
#include "ward-summary.h"
#include "ward-summary-print.h"
#include "ward-summary-view.h"

#define APP_ID             "io.github.wardwatch.Wardwatch"
#define HOUR_USEC          (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
#define DEFAULT_PERIOD_HOURS 12
#define DEFAULT_REFRESH_MIN 15

/* The periods offered: a shift of 8 or 12 hours, a day, a week. */
static const guint period_hours[] = { 8, 12, 24, 7 * 24 };
static const char * const period_titles[] = {
  N_("Last 8 Hours"), N_("Last 12 Hours"), N_("Last 24 Hours"), N_("Last 7 Days"),
};

struct _WardSummaryView
{
  AdwWindow        parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkDropDown     *period_dropdown;
  GtkStack        *stack;
  AdwStatusPage   *status_page;
  GtkLabel        *census_label;
  GtkDrawingArea  *census_chart;
  GtkLabel        *flags_label;
  GtkLabel        *response_label;
  GtkDrawingArea  *response_chart;
  GtkLabel        *overdue_label;
  GtkLabel        *technical_label;
  GtkLabel        *burden_label;
  GtkLabel        *issues_label;

  /* Owned */
  char            *db_path;
  char            *printed_by;
  gboolean         show_names;
  GSettings       *settings;        /* NULL without an installed schema */
  GCancellable    *cancellable;
  GCancellable    *print_cancellable;
  WardSummary     *summary;         /* the figures shown, or NULL */
  GtkNativeDialog *chooser;
  guint            refresh_source;
  guint            refresh_seconds;
  guint            period_hours;    /* the period: this many hours up to now */
  gint64           fixed_to;        /* tests: the period's end; 0: now */
  guint            n_printing;      /* print jobs being prepared or run */
  guint            printed_pages;   /* pages of the last print job (tests) */
};

G_DEFINE_FINAL_TYPE (WardSummaryView, ward_summary_view, ADW_TYPE_WINDOW)

static void schedule_refresh (WardSummaryView *self);

static gint64
period_end (WardSummaryView *self)
{
  return self->fixed_to != 0 ? self->fixed_to : g_get_real_time ();
}

static char *
local_time (gint64      usec,
            const char *format)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (time, format);
}

static const char *
column_title (guint column)
{
  return column == WARD_SUMMARY_NO_SCORE ? _("No score") : ward_clinical_band_title (column);
}

static char *
minutes (gint64 usec)
{
  return g_strdup_printf ("%.0f", (double) usec / (60 * G_USEC_PER_SEC));
}

static void
show_summary (WardSummaryView *self)
{
  const WardSummary *s = self->summary;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *from = local_time (s->from, "%a %H:%M");
  g_autofree char *to = local_time (s->to, "%a %H:%M");
  g_autofree char *subtitle = NULL;
  g_autofree char *at = local_time (s->to, "%H:%M");
  guint total = 0, opened = 0, closed = 0;

  /* Translators: the summary's period, "Mon 07:00 – Mon 19:00" */
  subtitle = g_strdup_printf (_("%s – %s"), from, to);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  if (s->ward_name != NULL)
    {
      /* Translators: the summary window's title, %s the ward's name ("Ward 7B") */
      g_autofree char *title = g_strdup_printf (_("%s — Ward Summary"), s->ward_name);

      adw_window_title_set_title (self->window_title, title);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }

  for (guint c = 0; c < WARD_SUMMARY_N_COLUMNS; c++)
    total += s->census[c];
  /* Translators: "Patients at 19:00: 12" */
  g_string_printf (text, _("Patients at %s: %u"), at, total);
  for (guint c = 0; c < WARD_SUMMARY_N_COLUMNS; c++)
    g_string_append_printf (text, " · %s %u", column_title (c), s->census[c]);
  gtk_label_set_text (self->census_label, text->str);

  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      opened += s->opened[b];
      closed += s->closed[b];
    }
  g_string_printf (text, _("Clinical flags: %u opened, %u closed, %u still open at the end"),
                   opened, closed, s->open_at_end);
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("%s: %u opened, %u closed"), column_title (b), s->opened[b],
                              s->closed[b]);
    }
  g_string_append_c (text, '\n');
  g_string_append_printf (text, _("Technical alerts: %u opened, %u closed"), s->technical_opened,
                          s->technical_closed);
  gtk_label_set_text (self->flags_label, text->str);

  g_string_truncate (text, 0);
  for (guint b = 0; b <= WARD_BAND_HIGH; b++)
    {
      const WardSummaryResponse *r = &s->response[b];
      g_autofree char *target = minutes (r->target_usec);

      if (b > 0)
        g_string_append_c (text, '\n');
      if (r->n_counted == 0)
        g_string_append_printf (text, _("%s (target %s min): no flags to respond to"), column_title (b),
                                target);
      else
        {
          g_autofree char *median = r->median_usec >= 0 ? minutes (r->median_usec) : g_strdup ("–");

          g_string_append_printf (text, _("%s (target %s min): median %s min, %.0f %% within target (%u of %u)"),
                                  column_title (b), target, median, 100.0 * r->n_within / r->n_counted,
                                  r->n_within, r->n_counted);
        }
    }
  gtk_label_set_text (self->response_label, text->str);

  g_string_printf (text, _("Observations overdue at %s: %u"), at, s->overdue->len);
  for (guint i = 0; i < s->overdue->len; i++)
    {
      const WardSummaryOverdue *o = g_ptr_array_index (s->overdue, i);
      g_autofree char *patient = ward_report_patient (o->patient_name, o->patient_id, self->show_names);

      g_string_append_printf (text, "\n%s — %s", o->bed_label ? o->bed_label : "?", patient);
    }
  gtk_label_set_text (self->overdue_label, text->str);

  g_string_truncate (text, 0);
  if (s->devices->len == 0)
    g_string_append (text, _("No technical alarms."));
  for (guint i = 0; i < s->devices->len; i++)
    {
      const WardSummaryDevice *d = g_ptr_array_index (s->devices, i);
      g_autofree char *mins = minutes (d->alarm_usec);
      g_autofree char *alerts = g_strdup_printf (ngettext ("%u alert", "%u alerts", d->n_alerts), d->n_alerts);

      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append_printf (text, _("%s (%s): %s, %s min"), d->device_id,
                              d->bed_label ? d->bed_label : _("no bed"), alerts, mins);
    }
  gtk_label_set_text (self->technical_label, text->str);

  g_string_printf (text, _("Per bed per 24 h: %.2f flags, %.2f notifications (%u beds, %.2f days)"),
                   s->flags_per_bed_day, s->notifications_per_bed_day, s->n_beds, s->days);
  for (guint i = 0; i < s->beds->len; i++)
    {
      const WardSummaryBed *b = g_ptr_array_index (s->beds, i);

      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("%s: flags %u, notifications %u; per 24 h %.2f and %.2f"),
                              b->bed_label ? b->bed_label : _("Not in a bed now"), b->n_flags,
                              b->n_notifications, b->flags_per_day, b->notifications_per_day);
    }
  gtk_label_set_text (self->burden_label, text->str);

  g_string_printf (text, _("Data issues: %u"), s->n_issues);
  for (guint i = 0; i < s->issues->len; i++)
    {
      const WardSummaryIssue *issue = g_ptr_array_index (s->issues, i);

      g_string_append_printf (text, "\n%s: %u", issue->stage, issue->count);
    }
  gtk_label_set_text (self->issues_label, text->str);

  gtk_widget_queue_draw (GTK_WIDGET (self->census_chart));
  gtk_widget_queue_draw (GTK_WIDGET (self->response_chart));
  gtk_stack_set_visible_child_name (self->stack, "figures");
}

static gboolean
is_dark (GtkWidget *widget)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
draw_census_cb (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  WardSummaryView *self = user_data;

  if (self->summary != NULL)
    ward_report_draw_census (cr, width, height, self->summary, is_dark (GTK_WIDGET (area)));
}

static void
draw_responses_cb (GtkDrawingArea *area,
                   cairo_t        *cr,
                   int             width,
                   int             height,
                   gpointer        user_data)
{
  WardSummaryView *self = user_data;

  if (self->summary != NULL)
    ward_report_draw_responses (cr, width, height, self->summary, is_dark (GTK_WIDGET (area)));
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  WardSummary *summary = ward_summary_load_finish (result, &error);
  WardSummaryView *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = WARD_SUMMARY_VIEW (user_data);
  g_clear_object (&self->cancellable);

  if (summary == NULL)
    {
      /* Keep the figures already shown; say why they are not new. */
      if (self->summary == NULL)
        {
          adw_status_page_set_title (self->status_page, _("Could Not Read the Summary"));
          adw_status_page_set_description (self->status_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "status");
        }
      else
        {
          /* Translators: %s is the store's error */
          g_autofree char *text = g_strdup_printf (_("Could not refresh the summary: %s"), error->message);

          adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
        }
      return;
    }

  g_clear_pointer (&self->summary, ward_summary_free);
  self->summary = summary;
  show_summary (self);
}

void
ward_summary_view_refresh (WardSummaryView *self)
{
  WardSummaryOptions options = { 0 };

  g_return_if_fail (WARD_IS_SUMMARY_VIEW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  options.to = period_end (self);
  options.from = options.to - self->period_hours * HOUR_USEC;
  ward_summary_load_async (self->db_path, &options, self->cancellable, loaded_cb, self);
  schedule_refresh (self);
}

static gboolean
refresh_timeout_cb (gpointer user_data)
{
  WardSummaryView *self = user_data;

  self->refresh_source = 0;
  ward_summary_view_refresh (self);
  return G_SOURCE_REMOVE;
}

/* The next refresh counts from the last, whether it came from the
 * timer, F5 or a changed setting.
 */
static void
schedule_refresh (WardSummaryView *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->refresh_source = g_timeout_add_seconds (self->refresh_seconds, refresh_timeout_cb, self);
}

static void
refresh_minutes_changed_cb (WardSummaryView *self)
{
  self->refresh_seconds = g_settings_get_uint (self->settings, "summary-refresh-minutes") * 60;
  schedule_refresh (self);
}

typedef struct
{
  WardSummaryView *self;     /* weak */
  char            *path;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_weak_pointer (&data->self);
  g_free (data->path);
  g_free (data);
}

static void
report_loaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SaveData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardSummary) summary = ward_summary_load_finish (result, &error);
  WardSummaryView *self = data->self;
  WardShiftReportInfo info = { 0 };
  g_autofree char *text = NULL;
  guint n_pages = 0;

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      save_data_free (data);
      return;
    }

  info.ward = summary != NULL && summary->ward_name != NULL ? summary->ward_name : _("Ward");
  info.printed_at = g_get_real_time ();
  info.printed_by = self->printed_by;
  info.show_names = self->show_names;
  if (summary == NULL || !ward_shift_report_write_pdf (summary, &info, data->path, &n_pages, &error))
    /* Translators: %s says why */
    text = g_strdup_printf (_("Could not save the shift report: %s"), error->message);
  else
    /* Translators: a toast once the report is saved */
    text = g_strdup_printf (ngettext ("Shift report saved (%u page)", "Shift report saved (%u pages)", n_pages),
                            n_pages);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
  save_data_free (data);
}

void
ward_summary_view_save_report (WardSummaryView *self,
                               const char      *path)
{
  WardSummaryOptions options = { 0 };
  SaveData *data;

  g_return_if_fail (WARD_IS_SUMMARY_VIEW (self));
  g_return_if_fail (path != NULL);

  /* The period shown, with each flag's timeline and the notes. */
  options.to = self->summary != NULL ? self->summary->to : period_end (self);
  options.from = self->summary != NULL ? self->summary->from
                                       : options.to - self->period_hours * HOUR_USEC;
  options.details = TRUE;
  data = g_new0 (SaveData, 1);
  g_set_weak_pointer (&data->self, self);
  data->path = g_strdup (path);
  ward_summary_load_async (self->db_path, &options, self->print_cancellable, report_loaded_cb, data);
}

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     gpointer         user_data)
{
  WardSummaryView *self = WARD_SUMMARY_VIEW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (path != NULL)
        ward_summary_view_save_report (self, path);
    }
  g_clear_object (&self->chooser);
}

void
ward_summary_view_save (WardSummaryView *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  g_return_if_fail (WARD_IS_SUMMARY_VIEW (self));

  if (self->chooser != NULL)
    return;

  /* GTK 4.8 has no GtkFileDialog. */
  chooser = gtk_file_chooser_native_new (_("Save Shift Report"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  name = local_time (period_end (self), "shift-report-%Y-%m-%d-%H%M.pdf");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

typedef struct
{
  WardSummaryView          *self;     /* weak */
  GtkPrintOperationAction   action;
  char                     *export_path;
} PrintData;

static void
print_data_free (PrintData *data)
{
  g_clear_weak_pointer (&data->self);
  g_free (data->export_path);
  g_free (data);
}

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               gpointer                 user_data)
{
  WardSummaryView *self = WARD_SUMMARY_VIEW (user_data);
  g_autoptr(GError) error = NULL;

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autofree char *text = NULL;

      gtk_print_operation_get_error (operation, &error);
      /* Translators: %s says why */
      text = g_strdup_printf (_("Could not print the shift report: %s"),
                              error != NULL ? error->message : _("unknown error"));
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
    }
  self->n_printing--;
}

static void
print_loaded_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PrintData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WardSummary) summary = ward_summary_load_finish (result, &error);
  g_autoptr(GtkPrintOperation) operation = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  WardSummaryView *self = data->self;
  WardShiftReportInfo info = { 0 };

  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      if (self != NULL)
        self->n_printing--;
      print_data_free (data);
      return;
    }

  if (summary == NULL)
    {
      /* Translators: %s says why */
      g_autofree char *text = g_strdup_printf (_("Could not print the shift report: %s"),
                                               error->message);

      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
      self->n_printing--;
      print_data_free (data);
      return;
    }

  /* The same pages as the saved PDF, drawn by the print dialog. */
  info.ward = summary->ward_name != NULL ? summary->ward_name : _("Ward");
  info.printed_at = g_get_real_time ();
  info.printed_by = self->printed_by;
  info.show_names = self->show_names;
  pages = ward_shift_report_record_pages (summary, &info);
  self->printed_pages = pages->len;

  operation = ward_summary_print_operation_new (pages, _("Shift report"));
  if (data->export_path != NULL)
    gtk_print_operation_set_export_filename (operation, data->export_path);
  gtk_print_operation_set_allow_async (operation, TRUE);
  g_signal_connect_object (operation, "done", G_CALLBACK (print_done_cb), self, 0);
  /* An error is reported by "done"; the result here says nothing more. */
  gtk_print_operation_run (operation, data->action, GTK_WINDOW (self), NULL);
  print_data_free (data);
}

static void
start_print (WardSummaryView         *self,
             GtkPrintOperationAction  action,
             const char              *export_path)
{
  WardSummaryOptions options = { 0 };
  PrintData *data;

  /* The period shown, with each flag's timeline and the notes. */
  options.to = self->summary != NULL ? self->summary->to : period_end (self);
  options.from = self->summary != NULL ? self->summary->from
                                       : options.to - self->period_hours * HOUR_USEC;
  options.details = TRUE;
  data = g_new0 (PrintData, 1);
  g_set_weak_pointer (&data->self, self);
  data->action = action;
  data->export_path = g_strdup (export_path);
  self->n_printing++;
  ward_summary_load_async (self->db_path, &options, self->print_cancellable, print_loaded_cb, data);
}

void
ward_summary_view_print (WardSummaryView *self)
{
  g_return_if_fail (WARD_IS_SUMMARY_VIEW (self));

  start_print (self, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, NULL);
}

static void
apply_period (WardSummaryView *self,
              guint            hours)
{
  if (hours == 0 || hours == self->period_hours)
    return;

  self->period_hours = hours;
  for (guint i = 0; i < G_N_ELEMENTS (period_hours); i++)
    if (period_hours[i] == hours && gtk_drop_down_get_selected (self->period_dropdown) != i)
      gtk_drop_down_set_selected (self->period_dropdown, i);
  if (self->db_path != NULL)
    ward_summary_view_refresh (self);
}

static void
period_selected_cb (WardSummaryView *self)
{
  guint i = gtk_drop_down_get_selected (self->period_dropdown);

  if (i >= G_N_ELEMENTS (period_hours))
    return;
  /* The setting keeps the choice for the next time. */
  if (self->settings != NULL)
    g_settings_set_uint (self->settings, "summary-period-hours", period_hours[i]);
  apply_period (self, period_hours[i]);
}

static void
period_hours_changed_cb (WardSummaryView *self)
{
  apply_period (self, g_settings_get_uint (self->settings, "summary-period-hours"));
}

static void
save_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ward_summary_view_save (WARD_SUMMARY_VIEW (widget));
}

static void
refresh_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ward_summary_view_refresh (WARD_SUMMARY_VIEW (widget));
}

static void
print_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ward_summary_view_print (WARD_SUMMARY_VIEW (widget));
}

static void
ward_summary_view_dispose (GObject *object)
{
  WardSummaryView *self = WARD_SUMMARY_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->print_cancellable != NULL)
    g_cancellable_cancel (self->print_cancellable);
  g_clear_object (&self->print_cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_SUMMARY_VIEW);

  G_OBJECT_CLASS (ward_summary_view_parent_class)->dispose (object);
}

static void
ward_summary_view_finalize (GObject *object)
{
  WardSummaryView *self = WARD_SUMMARY_VIEW (object);

  g_clear_pointer (&self->summary, ward_summary_free);
  g_free (self->db_path);
  g_free (self->printed_by);

  G_OBJECT_CLASS (ward_summary_view_parent_class)->finalize (object);
}

static void
ward_summary_view_class_init (WardSummaryViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_summary_view_dispose;
  object_class->finalize = ward_summary_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-summary-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, window_title);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, stack);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, status_page);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, census_label);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, census_chart);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, flags_label);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, response_label);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, response_chart);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, overdue_label);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, technical_label);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, burden_label);
  gtk_widget_class_bind_template_child (widget_class, WardSummaryView, issues_label);

  gtk_widget_class_install_action (widget_class, "summary.refresh", NULL, refresh_action_cb);
  gtk_widget_class_install_action (widget_class, "summary.print", NULL, print_action_cb);
  gtk_widget_class_install_action (widget_class, "summary.save", NULL, save_action_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "summary.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "summary.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "summary.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "summary.print", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
ward_summary_view_init (WardSummaryView *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  g_autoptr(GtkStringList) periods = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_name_buttons (GTK_WIDGET (self));

  self->print_cancellable = g_cancellable_new ();
  self->refresh_seconds = DEFAULT_REFRESH_MIN * 60;
  self->period_hours = DEFAULT_PERIOD_HOURS;
  for (guint i = 0; i < G_N_ELEMENTS (period_titles); i++)
    gtk_string_list_append (periods, _(period_titles[i]));
  gtk_drop_down_set_model (self->period_dropdown, G_LIST_MODEL (periods));
  gtk_drop_down_set_selected (self->period_dropdown, 1);
  g_signal_connect_object (self->period_dropdown, "notify::selected",
                           G_CALLBACK (period_selected_cb), self, G_CONNECT_SWAPPED);
  gtk_drawing_area_set_draw_func (self->census_chart, draw_census_cb, self, NULL);
  gtk_drawing_area_set_draw_func (self->response_chart, draw_responses_cb, self, NULL);

  /* Without an installed schema (a build run from its folder) the
   * default interval holds.
   */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema != NULL && g_settings_schema_has_key (schema, "summary-refresh-minutes"))
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      self->refresh_seconds = g_settings_get_uint (self->settings, "summary-refresh-minutes") * 60;
      g_signal_connect_object (self->settings, "changed::summary-refresh-minutes",
                               G_CALLBACK (refresh_minutes_changed_cb), self, G_CONNECT_SWAPPED);
    }
  if (self->settings != NULL && g_settings_schema_has_key (schema, "summary-period-hours"))
    {
      apply_period (self, g_settings_get_uint (self->settings, "summary-period-hours"));
      g_signal_connect_object (self->settings, "changed::summary-period-hours",
                               G_CALLBACK (period_hours_changed_cb), self, G_CONNECT_SWAPPED);
    }
}

WardSummaryView *
ward_summary_view_new (GtkWindow  *parent,
                       const char *db_path,
                       const char *printed_by,
                       gboolean    show_names)
{
  WardSummaryView *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (WARD_TYPE_SUMMARY_VIEW, NULL);
  if (parent != NULL)
    gtk_window_set_transient_for (GTK_WINDOW (self), parent);
  self->db_path = g_strdup (db_path);
  self->printed_by = g_strdup (printed_by);
  self->show_names = show_names;
  adw_status_page_set_title (self->status_page, _("Reading…"));
  ward_summary_view_refresh (self);

  return self;
}

gboolean
_ward_summary_view_is_loading (WardSummaryView *self)
{
  return self->cancellable != NULL;
}

const char *
_ward_summary_view_get_text (WardSummaryView *self,
                             const char      *section)
{
  struct { const char *name; GtkLabel *label; } labels[] = {
    { "census", self->census_label }, { "flags", self->flags_label },
    { "response", self->response_label }, { "overdue", self->overdue_label },
    { "technical", self->technical_label }, { "burden", self->burden_label },
    { "issues", self->issues_label },
  };

  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    if (g_strcmp0 (labels[i].name, section) == 0)
      return gtk_label_get_text (labels[i].label);

  g_return_val_if_reached (NULL);
}

guint
_ward_summary_view_get_refresh_seconds (WardSummaryView *self)
{
  return self->refresh_seconds;
}

void
_ward_summary_view_print_to_file (WardSummaryView *self,
                                  const char      *path)
{
  start_print (self, GTK_PRINT_OPERATION_ACTION_EXPORT, path);
}

gboolean
_ward_summary_view_is_printing (WardSummaryView *self)
{
  return self->n_printing > 0;
}

guint
_ward_summary_view_get_printed_pages (WardSummaryView *self)
{
  return self->printed_pages;
}

guint
_ward_summary_view_get_period_hours (WardSummaryView *self)
{
  return self->period_hours;
}

GtkWidget *
_ward_summary_view_get_period_dropdown (WardSummaryView *self)
{
  return GTK_WIDGET (self->period_dropdown);
}

void
_ward_summary_view_set_period_end (WardSummaryView *self,
                                   gint64           to)
{
  self->fixed_to = to;
}
