/* ward-model-report.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "ward-model-report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  gint64 start;
  gint64 end;
} Episode;

void
ward_model_report_init (WardModelReport *report)
{
  memset (report, 0, sizeof *report);
  report->lead_minutes = g_array_new (FALSE, FALSE, sizeof (double));
  report->kappa = report->lead_median = report->lead_q1 = report->lead_q3 = NAN;
}

void
ward_model_report_clear (WardModelReport *report)
{
  g_clear_pointer (&report->lead_minutes, g_array_unref);
}

/* Runs of alert windows; a gap of more than a step ends one. */
static GArray *
episodes (const WardModelReportWindow *windows,
          gsize                        n,
          const gboolean              *alert,
          gint64                       step)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (Episode));
  Episode *open = NULL;

  for (gsize i = 0; i < n; i++)
    {
      if (!alert[i])
        {
          open = NULL;
          continue;
        }
      if (open != NULL && windows[i].window_end - open->end <= step)
        {
          open->end = windows[i].window_end;
          continue;
        }
      g_array_append_val (out, ((Episode) { windows[i].window_end, windows[i].window_end }));
      open = &g_array_index (out, Episode, out->len - 1);
    }

  return out;
}

void
ward_model_report_add (WardModelReport             *report,
                       const WardModelReportConfig *config,
                       const WardModelReportWindow *windows,
                       gsize                        n_windows)
{
  g_autofree gboolean *news2 = g_new0 (gboolean, MAX (n_windows, 1));
  g_autofree gboolean *model = g_new0 (gboolean, MAX (n_windows, 1));
  g_autoptr(GArray) news2_episodes = NULL;
  g_autoptr(GArray) model_episodes = NULL;
  guint run = 0;
  guint sustain = MAX (config->sustain, 1);

  report->n_patients++;
  for (gsize i = 0; i < n_windows; i++)
    {
      gboolean above = windows[i].probability >= config->threshold;

      /* A run needs consecutive windows: a gap restarts it. */
      if (i > 0 && windows[i].window_end - windows[i - 1].window_end > config->step_usec)
        run = 0;
      run = above ? run + 1 : 0;
      news2[i] = windows[i].news2_alert;
      model[i] = run >= sustain;

      report->n_windows++;
      if (news2[i] && model[i])
        report->both++;
      else if (model[i])
        report->model_only++;
      else if (news2[i])
        report->news2_only++;
      else
        report->neither++;
    }

  news2_episodes = episodes (windows, n_windows, news2, config->step_usec);
  model_episodes = episodes (windows, n_windows, model, config->step_usec);
  report->news2_episodes += news2_episodes->len;
  report->model_episodes += model_episodes->len;

  for (guint i = 0; i < news2_episodes->len; i++)
    {
      const Episode *e = &g_array_index (news2_episodes, Episode, i);

      for (guint j = 0; j < model_episodes->len; j++)
        {
          const Episode *m = &g_array_index (model_episodes, Episode, j);

          if (m->start >= e->start - config->horizon_usec && m->start <= e->end &&
              m->end >= e->start - config->horizon_usec)
            {
              double lead = (double) (e->start - m->start) / (60 * G_USEC_PER_SEC);

              report->news2_episodes_caught++;
              g_array_append_val (report->lead_minutes, lead);
              break;
            }
        }
    }

  for (guint j = 0; j < model_episodes->len; j++)
    {
      const Episode *m = &g_array_index (model_episodes, Episode, j);
      gboolean matched = FALSE;

      for (guint i = 0; i < news2_episodes->len && !matched; i++)
        {
          const Episode *e = &g_array_index (news2_episodes, Episode, i);

          matched = e->end >= m->start && e->start <= m->end + config->horizon_usec;
        }
      if (!matched)
        report->model_episodes_unmatched++;
    }
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Linear interpolation between order statistics (type 7). */
static double
quantile (const double *sorted,
          guint         n,
          double        q)
{
  double h = (n - 1) * q;
  guint lo = (guint) floor (h);
  guint hi = MIN (lo + 1, n - 1);

  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

void
ward_model_report_finish (WardModelReport *report)
{
  double n = report->n_windows;

  if (n > 0)
    {
      double po = (report->both + report->neither) / n;
      double model_yes = (report->both + report->model_only) / n;
      double news2_yes = (report->both + report->news2_only) / n;
      double pe = model_yes * news2_yes + (1 - model_yes) * (1 - news2_yes);

      report->kappa = pe < 1 ? (po - pe) / (1 - pe) : NAN;
    }

  if (report->lead_minutes->len > 0)
    {
      const double *v = (const double *) report->lead_minutes->data;

      g_array_sort (report->lead_minutes, compare_doubles);
      report->lead_median = quantile (v, report->lead_minutes->len, 0.5);
      report->lead_q1 = quantile (v, report->lead_minutes->len, 0.25);
      report->lead_q3 = quantile (v, report->lead_minutes->len, 0.75);
    }
}
