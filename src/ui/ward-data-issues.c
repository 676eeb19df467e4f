/* ward-data-issues.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-data-issues"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ward-a11y.h"
#include "ward-data-issues.h"
#include "ward-store.h"

/* One dead letter as the view keeps it: copies, since the store's strings
 * only live for the duration of its callback.
 */
typedef struct
{
  gint64   id;
  gint64   created_at;
  gint64   raw_message_id;
  gint64   received_at;
  char    *stage;
  char    *reason;
  char    *source;
  char    *content_type;
  char    *device_id;
  GBytes  *payload;          /* the first MAX_PAYLOAD_BYTES; NULL without payload */
  gsize    payload_length;   /* the whole payload's */
  gboolean payload_pruned;

  /* A resource the FHIR server rejected (stage "fhir"): its payload is the
   * resource's JSON, its reason the server's, and id the outbox row's
   * sequence number negated, so that it never equals a dead letter's.
   */
  char    *resource_type;
  char    *resource_id;
  gint64   version;
  int      attempts;
} Issue;

typedef struct
{
  GPtrArray *issues;         /* of Issue, newest first */
  guint64    total;          /* dead letters in the store, listed or not */
  guint64    n_rejected;     /* resources the FHIR server rejected, listed or not */
} LoadResult;

/* What the worker collects: the newest WARD_DATA_ISSUES_LIMIT in a ring. */
typedef struct
{
  GPtrArray *ring;
  guint64    total;
} Collector;

struct _WardDataIssues
{
  AdwWindow      parent_instance;

  /* Template widgets */
  GtkWidget     *refresh_spinner;
  GtkDropDown   *stage_dropdown;
  GtkStack      *stack;
  GtkSpinner    *loading_spinner;
  AdwStatusPage *error_page;
  GtkLabel      *count_label;
  GtkListBox    *list_box;
  GtkStack      *detail_stack;
  GtkLabel      *detail_title;
  GtkLabel      *detail_reason;
  GtkLabel      *detail_meta;
  GtkLabel      *warning_label;
  GtkTextView   *payload_view;

  /* Owned */
  char          *db_path;
  GPtrArray     *issues;          /* of Issue, newest first; NULL before the first load */
  GCancellable  *cancellable;     /* of the load under way, NULL when none is */
  guint64        total;
  guint64        n_rejected;

  /* Borrowed: one of stage_filters */
  const char    *stage_filter;
};

G_DEFINE_FINAL_TYPE (WardDataIssues, ward_data_issues, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_DB_PATH,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Indexed like the items of the stage drop-down in the template. */
static const char * const stage_filters[] = { NULL, "parse", "mapping", "identity", "validation", "fhir" };

/* Enough for any sensible device message; a larger one is cut there. */
#define MAX_PAYLOAD_BYTES (16 * 1024)
/* A hex dump is for a first look: where the text stops making sense. */
#define MAX_HEX_BYTES 1024
#define MAX_A11Y_REASON_CHARS 80

static void
issue_free (Issue *issue)
{
  g_free (issue->stage);
  g_free (issue->reason);
  g_free (issue->source);
  g_free (issue->content_type);
  g_free (issue->device_id);
  g_free (issue->resource_type);
  g_free (issue->resource_id);
  g_clear_pointer (&issue->payload, g_bytes_unref);
  g_free (issue);
}

static void
load_result_free (LoadResult *result)
{
  g_clear_pointer (&result->issues, g_ptr_array_unref);
  g_free (result);
}

static const char *
get_stage_title (const char *stage)
{
  if (g_strcmp0 (stage, "parse") == 0)
    return C_("pipeline stage", "Parse");
  if (g_strcmp0 (stage, "mapping") == 0)
    return C_("pipeline stage", "Mapping");
  if (g_strcmp0 (stage, "identity") == 0)
    return C_("pipeline stage", "Identity");
  if (g_strcmp0 (stage, "validation") == 0)
    return C_("pipeline stage", "Validation");
  if (g_strcmp0 (stage, "fhir") == 0)
    return C_("pipeline stage", "FHIR Server");
  if (g_strcmp0 (stage, "model") == 0)
    return C_("pipeline stage", "Model");

  /* A stage added after this view: its name is still better than nothing. */
  return stage != NULL ? stage : "";
}

static char *
get_stage_error (const char *stage)
{
  if (g_strcmp0 (stage, "parse") == 0)
    return g_strdup (_("Parse error"));
  if (g_strcmp0 (stage, "mapping") == 0)
    return g_strdup (_("Mapping error"));
  if (g_strcmp0 (stage, "identity") == 0)
    return g_strdup (_("Identity error"));
  if (g_strcmp0 (stage, "validation") == 0)
    return g_strdup (_("Validation error"));
  if (g_strcmp0 (stage, "fhir") == 0)
    return g_strdup (_("Rejected by the FHIR server"));
  if (g_strcmp0 (stage, "model") == 0)
    return g_strdup (_("Model not loaded: NEWS2 goes on without it"));

  /* Translators: %s is the name of a pipeline stage */
  return g_strdup_printf (_("Rejected at stage %s"), stage != NULL ? stage : "?");
}

static char *
format_time (gint64      usec,
             const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("—");

  return g_date_time_format (dt, format);
}

/* When the message arrived; a dead letter without its raw message only
 * knows when it was recorded.
 */
static gint64
get_issue_time (const Issue *issue)
{
  return issue->received_at != 0 ? issue->received_at : issue->created_at;
}

static char *
truncate_text (const char *text,
               glong       max_chars)
{
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  if (g_utf8_strlen (text, -1) <= max_chars)
    return g_strdup (text);

  end = g_utf8_offset_to_pointer (text, max_chars);

  return g_strdup_printf ("%.*s…", (int) (end - text), text);
}

static char *
build_accessible_label (const Issue *issue)
{
  g_autofree char *what = get_stage_error (issue->stage);
  g_autofree char *time = format_time (get_issue_time (issue), "%H:%M");
  g_autofree char *reason = truncate_text (issue->reason, MAX_A11Y_REASON_CHARS);

  if (issue->resource_type != NULL)
    /* Translators: the accessible name of a resource the FHIR server rejected,
     * "Flag 3f2a… rejected by the FHIR server, queued at 10:42: invalid code…"; the
     * first %s is the resource type, the second its id, the third the time and the last
     * the server's reason
     */
    return g_strdup_printf (_("%s %s rejected by the FHIR server, queued at %s: %s"),
                            issue->resource_type, issue->resource_id, time, reason);
  else if (issue->device_id != NULL)
    /* Translators: the accessible name of a rejected message, "Parse error from
     * sim-monitor-09 at 10:42: not JSON…"; the first %s is the kind of error, the second
     * the device, the third the time and the last the reason
     */
    return g_strdup_printf (_("%s from %s at %s: %s"), what, issue->device_id, time, reason);
  else
    /* Translators: the accessible name of a rejected message whose device is not known,
     * "Parse error from an unknown device at 10:42: not JSON…"
     */
    return g_strdup_printf (_("%s from an unknown device at %s: %s"), what, time, reason);
}

/* Text that a text view shows as it is: valid UTF-8 without control
 * characters other than tabs and line breaks (HL7 v2 ends segments with
 * a carriage return).
 */
static gboolean
is_displayable_text (const char *data,
                     gsize       length,
                     gboolean    truncated,
                     gsize      *text_length)
{
  const char *end = NULL;

  if (!g_utf8_validate_len (data, length, &end))
    {
      /* A payload cut at MAX_PAYLOAD_BYTES may end inside a character. */
      if (!truncated || (gsize) (end - data) + 4 <= length || *end == '\0')
        return FALSE;
    }

  for (const char *p = data; p < end; p++)
    {
      guchar c = *p;

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
        return FALSE;
    }

  *text_length = end - data;

  return TRUE;
}

static char *
build_hex_dump (const guchar *data,
                gsize         length,
                gsize         total_length)
{
  GString *dump = g_string_new (NULL);
  gsize shown = MIN (length, MAX_HEX_BYTES);

  for (gsize offset = 0; offset < shown; offset += 16)
    {
      gsize n = MIN (16, shown - offset);

      g_string_append_printf (dump, "%08" G_GSIZE_MODIFIER "x  ", offset);
      for (gsize i = 0; i < 16; i++)
        {
          if (i < n)
            g_string_append_printf (dump, "%02x ", data[offset + i]);
          else
            g_string_append (dump, "   ");
          if (i == 7)
            g_string_append_c (dump, ' ');
        }
      g_string_append (dump, " |");
      for (gsize i = 0; i < n; i++)
        {
          guchar c = data[offset + i];

          g_string_append_c (dump, c >= 0x20 && c < 0x7f ? c : '.');
        }
      g_string_append (dump, "|\n");
    }

  if (total_length > shown)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GSIZE_FORMAT, total_length - shown);

      /* Translators: %s is a number of bytes */
      g_string_append_printf (dump, ngettext ("… %s more byte not shown",
                                              "… %s more bytes not shown",
                                              total_length - shown),
                              n);
    }

  return g_string_free (dump, FALSE);
}

static gboolean
issue_matches (WardDataIssues *self,
               const Issue    *issue)
{
  return self->stage_filter == NULL || g_strcmp0 (issue->stage, self->stage_filter) == 0;
}

static const Issue *
get_row_issue (WardDataIssues *self,
               GtkListBoxRow  *row)
{
  int index = gtk_list_box_row_get_index (row);

  g_assert (self->issues != NULL);
  g_assert (index >= 0 && (guint) index < self->issues->len);

  return g_ptr_array_index (self->issues, index);
}

static GtkWidget *
create_label (const char *text,
              const char *css_class,
              gboolean    expand)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, expand);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

static GtkWidget *
create_row (const Issue *issue)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *bottom = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;
  g_autofree char *time = format_time (get_issue_time (issue), "%Y-%m-%d %H:%M:%S");
  g_autofree char *accessible = build_accessible_label (issue);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  label = create_label (get_stage_title (issue->stage), "heading", FALSE);
  gtk_widget_set_name (label, "stage");
  gtk_box_append (GTK_BOX (top), label);

  if (issue->resource_type != NULL)
    {
      g_autofree char *resource = g_strdup_printf ("%s/%s", issue->resource_type, issue->resource_id);

      label = create_label (resource, NULL, TRUE);
    }
  else
    label = create_label (issue->device_id != NULL ? issue->device_id : _("Unknown device"),
                          NULL, TRUE);
  gtk_widget_set_name (label, "device");
  gtk_box_append (GTK_BOX (top), label);

  label = create_label (time, "numeric", FALSE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_name (label, "time");
  gtk_box_append (GTK_BOX (top), label);

  label = create_label (issue->source != NULL ? issue->source : "—", "caption-heading", FALSE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_name (label, "source");
  gtk_box_append (GTK_BOX (bottom), label);

  label = create_label (issue->reason, "caption", TRUE);
  gtk_widget_set_name (label, "reason");
  gtk_widget_set_tooltip_text (label, issue->reason);
  gtk_box_append (GTK_BOX (bottom), label);

  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), bottom);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  /* The labels repeat what the name says. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);

  return row;
}

static guint
count_matching (WardDataIssues *self)
{
  guint n = 0;

  for (guint i = 0; self->issues != NULL && i < self->issues->len; i++)
    if (issue_matches (self, g_ptr_array_index (self->issues, i)))
      n++;

  return n;
}

static void
update_count (WardDataIssues *self)
{
  g_autofree char *count = NULL;
  g_autofree char *total = g_strdup_printf ("%" G_GUINT64_FORMAT, self->total);
  g_autofree char *text = NULL;
  guint n_loaded = self->issues != NULL ? self->issues->len : 0;

  if (self->stage_filter != NULL)
    count = g_strdup_printf (ngettext ("%u of %u rejected message",
                                       "%u of %u rejected messages",
                                       n_loaded),
                             count_matching (self), n_loaded);
  else
    /* Translators: %s is a number */
    count = g_strdup_printf (ngettext ("%s rejected message",
                                       "%s rejected messages",
                                       MIN (self->total, G_MAXULONG)),
                             total);

  if (self->n_rejected > 0)
    {
      g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT, self->n_rejected);
      g_autofree char *rejected = NULL;

      /* Translators: %s is a number; it follows "12 rejected messages" */
      rejected = g_strdup_printf (ngettext ("%s resource rejected by the FHIR server",
                                            "%s resources rejected by the FHIR server",
                                            MIN (self->n_rejected, G_MAXULONG)),
                                  n);
      /* Translators: "12 rejected messages, 3 resources rejected by the FHIR server" */
      text = g_strdup_printf (_("%s, %s"), count, rejected);
      g_free (count);
      count = g_steal_pointer (&text);
    }

  if (self->total + self->n_rejected > n_loaded)
    /* Translators: the first %s is the count, "1200 rejected messages", the %u the
     * number listed
     */
    text = g_strdup_printf (_("%s, the newest %u listed"), count, n_loaded);
  else
    /* Translators: %s is the count, "12 rejected messages" */
    text = g_strdup_printf (_("%s, newest first"), count);

  gtk_label_set_text (self->count_label, text);
}

static void
show_payload (WardDataIssues *self,
              const Issue    *issue)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->payload_view);
  g_autofree char *hex = NULL;
  const char *data = NULL;
  gsize length = 0;
  gsize text_length = 0;

  if (issue->payload != NULL)
    data = g_bytes_get_data (issue->payload, &length);

  gtk_text_view_set_wrap_mode (self->payload_view, GTK_WRAP_WORD_CHAR);

  if (issue->resource_type != NULL && issue->payload == NULL)
    gtk_text_buffer_set_text (buffer, _("The resource is no longer in the local store."), -1);
  else if (issue->resource_type != NULL)
    gtk_text_buffer_set_text (buffer, data, length);
  else if (issue->payload_pruned)
    gtk_text_buffer_set_text (buffer, _("Payload removed by retention."), -1);
  else if (issue->raw_message_id == 0 || issue->source == NULL)
    gtk_text_buffer_set_text (buffer, _("The raw message was not kept."), -1);
  else if (issue->payload_length == 0)
    gtk_text_buffer_set_text (buffer, _("The message was empty."), -1);
  else if (is_displayable_text (data, length, issue->payload_length > length, &text_length))
    {
      gtk_text_buffer_set_text (buffer, data, text_length);
      if (issue->payload_length > text_length)
        {
          g_autofree char *n = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                issue->payload_length - text_length);
          g_autofree char *more = g_strdup_printf (ngettext ("… %s more byte not shown",
                                                             "… %s more bytes not shown",
                                                             issue->payload_length - text_length),
                                                   n);
          GtkTextIter end;

          gtk_text_buffer_get_end_iter (buffer, &end);
          gtk_text_buffer_insert (buffer, &end, "\n\n", -1);
          gtk_text_buffer_insert (buffer, &end, more, -1);
        }
    }
  else
    {
      /* Columns line up only without wrapping. */
      gtk_text_view_set_wrap_mode (self->payload_view, GTK_WRAP_NONE);
      hex = build_hex_dump ((const guchar *) data, length, issue->payload_length);
      gtk_text_buffer_set_text (buffer, hex, -1);
    }
}

static void
show_issue (WardDataIssues *self,
            const Issue    *issue)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *title = get_stage_error (issue->stage);
  g_autofree char *time = format_time (get_issue_time (issue), "%Y-%m-%d %H:%M:%S");
  g_autofree char *meta = NULL;
  g_autofree char *n_bytes = g_strdup_printf ("%" G_GSIZE_FORMAT, issue->payload_length);
  g_autofree char *raw_id = g_strdup_printf ("%" G_GINT64_FORMAT, issue->raw_message_id);

  if (issue->resource_type != NULL)
    {
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, issue->version);

      /* Translators: %s is a local date and time, "2026-11-22 10:42:05" */
      g_ptr_array_add (parts, g_strdup_printf (_("Queued %s"), time));
      /* Translators: "Flag 3f2a… version 2"; the first %s is the resource type, the
       * second its id, the third its version
       */
      g_ptr_array_add (parts, g_strdup_printf (_("%s %s version %s"), issue->resource_type,
                                               issue->resource_id, version));
      g_ptr_array_add (parts, g_strdup (_("not retried; a newer version is sent again")));
    }
  else
    /* Translators: %s is a local date and time, "2026-11-22 10:42:05" */
    g_ptr_array_add (parts, g_strdup_printf (_("Received %s"), time));
  if (issue->resource_type != NULL)
    ;
  else if (issue->device_id != NULL)
    /* Translators: %s is a device id, "sim-monitor-09" */
    g_ptr_array_add (parts, g_strdup_printf (_("device %s"), issue->device_id));
  else
    g_ptr_array_add (parts, g_strdup (_("device unknown")));
  if (issue->source != NULL)
    /* Translators: %s is where the message came from: mqtt, mllp, simulator */
    g_ptr_array_add (parts, g_strdup_printf (_("via %s"), issue->source));
  if (issue->content_type != NULL)
    g_ptr_array_add (parts, g_strdup (issue->content_type));
  if (issue->source != NULL && issue->resource_type == NULL && !issue->payload_pruned)
    /* Translators: %s is a number of bytes */
    g_ptr_array_add (parts, g_strdup_printf (ngettext ("%s byte", "%s bytes", issue->payload_length),
                                             n_bytes));
  if (issue->raw_message_id != 0)
    /* Translators: %s is the number of the message in the archive */
    g_ptr_array_add (parts, g_strdup_printf (_("raw message %s"), raw_id));
  g_ptr_array_add (parts, NULL);
  meta = g_strjoinv (" · ", (char **) parts->pdata);

  gtk_label_set_text (self->detail_title, title);
  gtk_label_set_text (self->detail_reason, issue->reason != NULL ? issue->reason : "");
  gtk_label_set_text (self->detail_meta, meta);
  show_payload (self, issue);

  gtk_stack_set_visible_child_name (self->detail_stack, "message");
}

static void
clear_rows (WardDataIssues *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
}

static void
select_issue (WardDataIssues *self,
              gint64          id)
{
  for (guint i = 0; i < self->issues->len; i++)
    {
      const Issue *issue = g_ptr_array_index (self->issues, i);
      GtkListBoxRow *row;

      if (issue->id != id)
        continue;

      if (!issue_matches (self, issue))
        break;

      row = gtk_list_box_get_row_at_index (self->list_box, i);
      gtk_list_box_select_row (self->list_box, row);
      return;
    }

  gtk_list_box_unselect_all (self->list_box);
  gtk_stack_set_visible_child_name (self->detail_stack, "none");
}

static void
show_issues (WardDataIssues *self,
             LoadResult     *result)
{
  GtkListBoxRow *selected = gtk_list_box_get_selected_row (self->list_box);
  gint64 selected_id = 0;

  /* A refresh keeps the message being read selected, if it is still listed. */
  if (selected != NULL)
    selected_id = get_row_issue (self, selected)->id;

  clear_rows (self);
  g_clear_pointer (&self->issues, g_ptr_array_unref);
  self->issues = g_steal_pointer (&result->issues);
  self->total = result->total;
  self->n_rejected = result->n_rejected;

  for (guint i = 0; i < self->issues->len; i++)
    gtk_list_box_append (self->list_box, create_row (g_ptr_array_index (self->issues, i)));

  update_count (self);
  select_issue (self, selected_id);

  gtk_stack_set_visible_child_name (self->stack, self->issues->len > 0 ? "issues" : "empty");
}

static void
show_error (WardDataIssues *self,
            const GError   *error)
{
  g_autofree char *description = NULL;

  /* The status page description is markup; an error message is text. */
  description = g_markup_escape_text (error->message, -1);
  adw_status_page_set_description (self->error_page, description);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
update_actions (WardDataIssues *self)
{
  gboolean loading = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "issues.refresh", !loading);

  /* The first load has a page of its own; a refresh keeps the list. */
  gtk_widget_set_visible (self->refresh_spinner,
                          loading && g_strcmp0 (gtk_stack_get_visible_child_name (self->stack),
                                                "loading") != 0);
  gtk_spinner_set_spinning (GTK_SPINNER (self->refresh_spinner),
                            gtk_widget_get_visible (self->refresh_spinner));
  gtk_spinner_set_spinning (self->loading_spinner, loading);
}

static void
collect_cb (const WardDeadLetter *dead_letter,
            gpointer              user_data)
{
  Collector *collector = user_data;
  Issue *issue = g_new0 (Issue, 1);
  guint slot = collector->total % WARD_DATA_ISSUES_LIMIT;

  issue->id = dead_letter->id;
  issue->created_at = dead_letter->created_at;
  issue->raw_message_id = dead_letter->raw_message_id;
  issue->received_at = dead_letter->received_at;
  issue->stage = g_strdup (dead_letter->stage);
  issue->reason = g_strdup (dead_letter->reason);
  issue->source = g_strdup (dead_letter->source);
  issue->content_type = g_strdup (dead_letter->content_type);
  issue->device_id = g_strdup (dead_letter->device_id);
  issue->payload_length = dead_letter->payload_length;
  issue->payload_pruned = dead_letter->payload_pruned;
  if (dead_letter->payload != NULL)
    issue->payload = g_bytes_new (dead_letter->payload,
                                  MIN (dead_letter->payload_length, MAX_PAYLOAD_BYTES));

  /* Oldest first from the store; only the newest are kept. */
  if (slot < collector->ring->len)
    {
      issue_free (g_ptr_array_index (collector->ring, slot));
      g_ptr_array_index (collector->ring, slot) = issue;
    }
  else
    g_ptr_array_add (collector->ring, issue);

  collector->total++;
}

static void
collect_rejected_cb (const WardOutboxFailure *failure,
                     gpointer                 user_data)
{
  Collector *collector = user_data;
  Issue *issue = g_new0 (Issue, 1);
  guint slot = collector->total % WARD_DATA_ISSUES_LIMIT;

  issue->id = -failure->seq;
  issue->created_at = failure->created_at;
  issue->stage = g_strdup ("fhir");
  issue->reason = g_strdup (failure->last_error != NULL ? failure->last_error : "");
  issue->resource_type = g_strdup (failure->resource_type);
  issue->resource_id = g_strdup (failure->id);
  issue->version = failure->version;
  issue->attempts = failure->attempts;
  if (failure->json != NULL)
    {
      gsize length = strlen (failure->json);

      issue->payload_length = length;
      /* Cut on a character boundary: the text view takes valid UTF-8 only. */
      if (length > MAX_PAYLOAD_BYTES)
        length = g_utf8_find_prev_char (failure->json, failure->json + MAX_PAYLOAD_BYTES) - failure->json;
      issue->payload = g_bytes_new (failure->json, length);
    }

  if (slot < collector->ring->len)
    {
      issue_free (g_ptr_array_index (collector->ring, slot));
      g_ptr_array_index (collector->ring, slot) = issue;
    }
  else
    g_ptr_array_add (collector->ring, issue);

  collector->total++;
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const Issue *issue_a = *(const Issue * const *) a;
  const Issue *issue_b = *(const Issue * const *) b;
  gint64 time_a = get_issue_time (issue_a);
  gint64 time_b = get_issue_time (issue_b);

  if (time_a != time_b)
    return time_a < time_b ? 1 : -1;

  return issue_a->id < issue_b->id ? 1 : issue_a->id > issue_b->id ? -1 : 0;
}

/* Hands the newest of a ring (oldest first, possibly wrapped) to issues. */
static void
take_ring (GPtrArray *ring,
           guint64    total,
           GPtrArray *issues)
{
  guint len = ring->len;

  g_ptr_array_set_free_func (ring, NULL);
  for (guint i = 0; i < len; i++)
    g_ptr_array_add (issues, g_ptr_array_index (ring, (total - 1 - i) % WARD_DATA_ISSUES_LIMIT));
  g_ptr_array_set_size (ring, 0);
}

static void
load_issues_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *db_path = task_data;
  g_autoptr(WardStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ring = g_ptr_array_new_with_free_func ((GDestroyNotify) issue_free);
  g_autoptr(GPtrArray) rejected_ring = g_ptr_array_new_with_free_func ((GDestroyNotify) issue_free);
  Collector collector = { ring, 0 };
  Collector rejected = { rejected_ring, 0 };
  LoadResult *result;

  store = ward_store_open_readonly (db_path, &error);
  if (store == NULL ||
      !ward_store_foreach_dead_letter (store, G_MININT64, collect_cb, &collector, &error) ||
      !ward_store_foreach_outbox_failure (store, collect_rejected_cb, &rejected, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  /* The newest of each kind, merged by time and cut to the limit. */
  result = g_new0 (LoadResult, 1);
  result->total = collector.total;
  result->n_rejected = rejected.total;
  result->issues = g_ptr_array_new_full (ring->len + rejected_ring->len, (GDestroyNotify) issue_free);
  take_ring (ring, collector.total, result->issues);
  take_ring (rejected_ring, rejected.total, result->issues);
  g_ptr_array_sort (result->issues, compare_newest_first);
  if (result->issues->len > WARD_DATA_ISSUES_LIMIT)
    g_ptr_array_set_size (result->issues, WARD_DATA_ISSUES_LIMIT);

  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static LoadResult *
load_issues_finish (WardDataIssues  *self,
                    GAsyncResult    *result,
                    GError         **error)
{
  g_assert (g_task_is_valid (result, self));

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
load_issues_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  WardDataIssues *self = WARD_DATA_ISSUES (object);
  LoadResult *loaded = NULL;
  g_autoptr(GError) error = NULL;

  loaded = load_issues_finish (self, result, &error);

  /* Cancelled: the window is going away, or has gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);

  if (loaded != NULL)
    {
      show_issues (self, loaded);
      load_result_free (loaded);
    }
  else
    {
      g_debug ("Could not list dead letters: %s", error->message);
      show_error (self, error);
    }

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
load_issues (WardDataIssues *self)
{
  g_autoptr(GTask) task = NULL;

  g_assert (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();

  /* An error page gives way to the spinner; a list stays until replaced. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "issues") != 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, self->cancellable, load_issues_cb, NULL);
  g_task_set_source_tag (task, load_issues);
  g_task_set_task_data (task, g_strdup (self->db_path), g_free);
  g_task_run_in_thread (task, load_issues_worker);

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static gboolean
filter_row_cb (GtkListBoxRow *row,
               gpointer       user_data)
{
  WardDataIssues *self = user_data;

  return issue_matches (self, get_row_issue (self, row));
}

static void
row_selected_cb (WardDataIssues *self,
                 GtkListBoxRow  *row)
{
  /* Disposing the list box unselects its rows after the template
   * children are gone.
   */
  if (self->detail_stack == NULL)
    return;

  if (row == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }

  show_issue (self, get_row_issue (self, row));
}

static void
stage_changed_cb (WardDataIssues *self)
{
  guint selected = gtk_drop_down_get_selected (self->stage_dropdown);
  GtkListBoxRow *row;

  self->stage_filter = selected < G_N_ELEMENTS (stage_filters) ? stage_filters[selected] : NULL;
  gtk_list_box_invalidate_filter (self->list_box);

  /* A message of another stage is no longer listed, so it is not shown. */
  row = gtk_list_box_get_selected_row (self->list_box);
  if (row != NULL && !issue_matches (self, get_row_issue (self, row)))
    gtk_list_box_unselect_all (self->list_box);

  update_count (self);
}

static void
refresh_action_cb (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ward_data_issues_reload (WARD_DATA_ISSUES (widget));
}

static void
ward_data_issues_dispose (GObject *object)
{
  WardDataIssues *self = WARD_DATA_ISSUES (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), WARD_TYPE_DATA_ISSUES);

  G_OBJECT_CLASS (ward_data_issues_parent_class)->dispose (object);
}

static void
ward_data_issues_finalize (GObject *object)
{
  WardDataIssues *self = WARD_DATA_ISSUES (object);

  g_clear_pointer (&self->issues, g_ptr_array_unref);
  g_clear_pointer (&self->db_path, g_free);

  G_OBJECT_CLASS (ward_data_issues_parent_class)->finalize (object);
}

static void
ward_data_issues_constructed (GObject *object)
{
  WardDataIssues *self = WARD_DATA_ISSUES (object);

  G_OBJECT_CLASS (ward_data_issues_parent_class)->constructed (object);

  load_issues (self);
}

static void
ward_data_issues_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  WardDataIssues *self = WARD_DATA_ISSUES (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;

    case PROP_LOADING:
      g_value_set_boolean (value, ward_data_issues_get_loading (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_data_issues_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  WardDataIssues *self = WARD_DATA_ISSUES (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_assert (self->db_path == NULL);
      self->db_path = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ward_data_issues_class_init (WardDataIssuesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ward_data_issues_dispose;
  object_class->finalize = ward_data_issues_finalize;
  object_class->constructed = ward_data_issues_constructed;
  object_class->get_property = ward_data_issues_get_property;
  object_class->set_property = ward_data_issues_set_property;

  /**
   * WardDataIssues:db-path:
   *
   * The database whose dead letters are listed, read on a read-only
   * connection of the view's own.
   */
  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * WardDataIssues:loading:
   *
   * Whether the dead letters are being read.
   */
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/wardwatch/Wardwatch/ui/ward-data-issues.ui");
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, refresh_spinner);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, stage_dropdown);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, stack);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, error_page);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, count_label);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, list_box);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, detail_title);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, detail_reason);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, detail_meta);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, warning_label);
  gtk_widget_class_bind_template_child (widget_class, WardDataIssues, payload_view);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, stage_changed_cb);

  gtk_widget_class_install_action (widget_class, "issues.refresh", NULL, refresh_action_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "issues.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "issues.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK,
                                       "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ward_data_issues_init (WardDataIssues *self)
{
  GtkWidget *placeholder;

  gtk_widget_init_template (GTK_WIDGET (self));
  ward_a11y_name_buttons (GTK_WIDGET (self));

  placeholder = gtk_label_new (_("No rejected messages at this stage."));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 24);
  gtk_widget_set_margin_bottom (placeholder, 24);
  gtk_list_box_set_placeholder (self->list_box, placeholder);
  gtk_list_box_set_filter_func (self->list_box, filter_row_cb, self, NULL);
}

/**
 * ward_data_issues_new:
 * @parent: (nullable): the window it belongs to
 * @db_path: the database to read
 *
 * Creates the data issues window, which starts reading the dead letters
 * of @db_path in a worker thread at once.
 *
 * Returns: (transfer none): a new #WardDataIssues
 */
WardDataIssues *
ward_data_issues_new (GtkWindow  *parent,
                      const char *db_path)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);

  return g_object_new (WARD_TYPE_DATA_ISSUES,
                       "transient-for", parent,
                       "db-path", db_path,
                       NULL);
}

const char *
ward_data_issues_get_db_path (WardDataIssues *self)
{
  g_return_val_if_fail (WARD_IS_DATA_ISSUES (self), NULL);

  return self->db_path;
}

gboolean
ward_data_issues_get_loading (WardDataIssues *self)
{
  g_return_val_if_fail (WARD_IS_DATA_ISSUES (self), FALSE);

  return self->cancellable != NULL;
}

/**
 * ward_data_issues_get_n_issues:
 * @self: a #WardDataIssues
 *
 * Returns: how many dead letters are listed, whatever the stage filter
 */
guint
ward_data_issues_get_n_issues (WardDataIssues *self)
{
  g_return_val_if_fail (WARD_IS_DATA_ISSUES (self), 0);

  return self->issues != NULL ? self->issues->len : 0;
}

/**
 * ward_data_issues_reload:
 * @self: a #WardDataIssues
 *
 * Reads the dead letters again, unless a read is already under way.
 */
void
ward_data_issues_reload (WardDataIssues *self)
{
  g_return_if_fail (WARD_IS_DATA_ISSUES (self));

  if (self->cancellable != NULL)
    return;

  load_issues (self);
}
