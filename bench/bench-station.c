/* bench-station.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <gio/gio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ward-bench.h"

/* What a station costs as it runs on a ward: the real wardwatch program
 * with the demo ward at real time (--demo --time-scale=1), 16 and 64
 * beds, under the X server it is given (Xvfb here: no GPU), for
 * SECONDS after a warm-up.  Per run: the process's CPU time over the
 * wall time (a share of one core, from /proc/PID/stat), the frames its
 * window rendered per second (each GdkSurface::render, which the
 * program logs with G_MESSAGES_DEBUG=ward-renderer-frames, on stdout
 * as GLib writes debug messages), and its
 * peak resident memory (VmHWM).
 *
 * The window runs three ways: as the program chooses its renderer
 * (GSK_RENDERER unset: cairo when GL is software, see ward-renderer.c),
 * forced to cairo, and forced to GL (what GTK picks by itself; on a
 * machine without a GPU, Mesa's llvmpipe).  The headless pipeline alone
 * (--headless) is the reference the window's cost adds to.
 *
 * Limits, with the renderer the program chooses: under 10 % of one core
 * and under 200 MB at 64 beds; the headless pipeline under 2 %.  The
 * ratio is the worst of those figures over its limit, and passes at or
 * below 1.  CPU shares on a loaded machine include nothing of the other
 * processes' work: they are the process's own time.
 */

#define SECONDS            40.0    /* WARD_BENCH_STATION_SECONDS=120 for 2 minutes */
#define WARMUP_SECONDS     10.0
#define QUICK_SECONDS      3.0
#define QUICK_WARMUP       4.0
#define LIMIT_GUI_SHARE    0.10
#define LIMIT_GUI_RSS_MB   200.0
#define LIMIT_HEADLESS     0.02

typedef struct
{
  const char *key;        /* in the JSON line */
  guint       beds;
  gboolean    headless;
  const char *renderer;   /* GSK_RENDERER, or NULL for the program's choice */
  gboolean    limited;    /* held to the limits */
  gboolean    quick;      /* run under WARD_BENCH_QUICK too */
} Run;

typedef struct
{
  double share;
  double fps;
  double rss_mb;
  gboolean ok;
} Figures;

static const Run runs[] = {
  { "headless64", 64, TRUE, NULL, TRUE, TRUE },
  { "app16", 16, FALSE, NULL, TRUE, FALSE },
  { "app64", 64, FALSE, NULL, TRUE, TRUE },
  { "cairo16", 16, FALSE, "cairo", FALSE, FALSE },
  { "cairo64", 64, FALSE, "cairo", FALSE, FALSE },
  { "gl64", 64, FALSE, "gl", FALSE, FALSE },
};

/* utime + stime of @pid in clock ticks, or -1. */
static gint64
read_cpu_ticks (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;

  /* The command name is in parentheses and may hold spaces. */
  after = strrchr (contents, ')');
  if (after == NULL)
    return -1;
  fields = g_strsplit (after + 2, " ", 0);
  if (g_strv_length (fields) < 13)
    return -1;

  /* Fields 14 and 15 of the line; the 12th and 13th after the name. */
  return g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10);
}

/* VmHWM of @pid in MB, or NAN. */
static double
read_peak_rss_mb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", (int) pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NAN;
  line = strstr (contents, "VmHWM:");
  if (line == NULL)
    return NAN;

  return g_ascii_strtod (line + strlen ("VmHWM:"), NULL) / 1024.0;
}

static gboolean
still_running (GSubprocess *process)
{
  return g_subprocess_get_identifier (process) != NULL;
}

static void
sleep_while_running (GSubprocess *process,
                     double       seconds)
{
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < end && still_running (process))
    {
      g_usleep (100 * 1000);
      /* The subprocess's exit is seen through the main context. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

/* The frames the log says were rendered between @from and @to. */
static guint
count_frames (const char *log_path,
              gint64      from,
              gint64      to)
{
  g_autofree char *contents = NULL;
  const char *p;
  guint n = 0;

  if (!g_file_get_contents (log_path, &contents, NULL, NULL))
    return 0;

  for (p = strstr (contents, "frame rendered at "); p != NULL;
       p = strstr (p + 1, "frame rendered at "))
    {
      gint64 at = g_ascii_strtoll (p + strlen ("frame rendered at "), NULL, 10);

      if (at >= from && at < to)
        n++;
    }

  return n;
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static Figures
measure (const char *program,
         const char *schema_dir,
         const Run  *run,
         double      warmup,
         double      seconds)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bench-station-XXXXXX", &error);
  g_autofree char *log_path = NULL;
  g_autofree char *err_path = NULL;
  g_autofree char *beds = g_strdup_printf ("--beds=%u", run->beds);
  g_autofree char *data = NULL;
  g_autofree char *config = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *state = NULL;
  const char *argv[8];
  Figures figures = { NAN, NAN, NAN, FALSE };
  gint64 ticks0, ticks1, t0, t1;
  long hz = sysconf (_SC_CLK_TCK);
  GPid pid;
  guint n = 0;

  g_assert_no_error (error);
  log_path = g_build_filename (dir, "stdout.log", NULL);
  err_path = g_build_filename (dir, "stderr.log", NULL);
  data = g_build_filename (dir, "data", NULL);
  config = g_build_filename (dir, "config", NULL);
  cache = g_build_filename (dir, "cache", NULL);
  state = g_build_filename (dir, "state", NULL);

  /* A station of its own: a fresh store, settings in memory. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_STATE_HOME", state, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  if (schema_dir != NULL)
    g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "ward-renderer-frames", TRUE);
  g_subprocess_launcher_setenv (launcher, "GTK_A11Y", "none", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "WARD_BENCH_QUICK");
  if (run->renderer != NULL)
    g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", run->renderer, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "GSK_RENDERER");
  /* GLib writes debug messages to stdout: the frames are there. */
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, err_path);

  n = 0;
  argv[n++] = program;
  if (run->headless)
    argv[n++] = "--headless";
  argv[n++] = "--demo";
  argv[n++] = "--time-scale=1";
  argv[n++] = beds;
  argv[n++] = NULL;

  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (process == NULL)
    {
      printf ("  %-11s could not start %s: %s\n", run->key, program, error->message);
      remove_tree (dir);
      return figures;
    }
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (process), NULL, 10);

  sleep_while_running (process, warmup);
  t0 = g_get_monotonic_time ();
  ticks0 = read_cpu_ticks (pid);
  sleep_while_running (process, seconds);
  t1 = g_get_monotonic_time ();
  ticks1 = read_cpu_ticks (pid);
  figures.rss_mb = read_peak_rss_mb (pid);

  if (!still_running (process) || ticks0 < 0 || ticks1 < 0)
    {
      g_autofree char *log = NULL;

      g_file_get_contents (err_path, &log, NULL, NULL);
      printf ("  %-11s wardwatch stopped early:\n%s\n", run->key, log ? log : "");
      g_subprocess_force_exit (process);
      remove_tree (dir);
      return figures;
    }

  g_subprocess_send_signal (process, SIGTERM);
  if (!g_subprocess_wait (process, NULL, &error))
    g_clear_error (&error);

  figures.share = (ticks1 - ticks0) / (double) hz / ((t1 - t0) / (double) G_USEC_PER_SEC);
  figures.fps = run->headless ? 0 : count_frames (log_path, t0, t1) / ((t1 - t0) / (double) G_USEC_PER_SEC);
  figures.ok = TRUE;

  printf ("  %-11s %2u beds, %-8s %5.1f %% of one core, %5.1f frames/s, peak RSS %5.0f MB\n",
          run->key, run->beds,
          run->headless ? "headless" : run->renderer ? run->renderer : "chosen",
          100 * figures.share, figures.fps, figures.rss_mb);
  fflush (stdout);

  remove_tree (dir);

  return figures;
}

int
main (int   argc,
      char *argv[])
{
  const char *program = g_getenv ("WARDWATCH");
  const char *schema_dir = g_getenv ("WARD_SCHEMA_DIR");
  g_autofree char *loadavg = NULL;
  gboolean quick = ward_bench_quick ();
  double seconds = quick ? QUICK_SECONDS : SECONDS;
  double warmup = quick ? QUICK_WARMUP : WARMUP_SECONDS;
  Figures figures[G_N_ELEMENTS (runs)];
  double worst = 0;

  G_STATIC_ASSERT (G_N_ELEMENTS (runs) == 6);
  gboolean all_ran = TRUE;
  gboolean pass;

  if (g_getenv ("WARD_BENCH_STATION_SECONDS") != NULL)
    seconds = g_ascii_strtod (g_getenv ("WARD_BENCH_STATION_SECONDS"), NULL);

  if (program == NULL)
    {
      printf ("bench-station: WARDWATCH is not set: run it through meson test --benchmark\n");
      return 77;
    }
  if (g_getenv ("DISPLAY") == NULL)
    {
      printf ("bench-station: no display; run it under xvfb-run -a\n");
      return 77;
    }

  printf ("bench-station: wardwatch --demo at real time, %.0f s after %.0f s of warm-up per run\n",
          seconds, warmup);
  if (g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL))
    printf ("  load average before the run: %s", loadavg);
  fflush (stdout);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      /* Quick: the two held to limits at 64 beds, to keep it running. */
      if (quick && !runs[i].quick)
        {
          figures[i] = (Figures) { NAN, NAN, NAN, TRUE };
          continue;
        }
      figures[i] = measure (program, schema_dir, &runs[i], warmup, seconds);
      all_ran &= figures[i].ok;
      if (!runs[i].limited || isnan (figures[i].share))
        continue;
      if (runs[i].headless)
        worst = MAX (worst, figures[i].share / LIMIT_HEADLESS);
      else
        worst = MAX (worst, MAX (figures[i].share / LIMIT_GUI_SHARE,
                                 figures[i].rss_mb / LIMIT_GUI_RSS_MB));
    }
  if (!all_ran)
    worst = NAN;

  printf ("  limits with the renderer the program chooses: CPU < %.0f %% of one core, "
          "peak RSS < %.0f MB; headless < %.0f %%\n",
          100 * LIMIT_GUI_SHARE, LIMIT_GUI_RSS_MB, 100 * LIMIT_HEADLESS);
  printf ("  ratio (worst figure over its limit) %.3f (limit <= 1): %s\n", worst,
          ward_bench_passes (WARD_BENCH_AT_MOST, worst, 1.0) ? "PASS" : "FAIL");

  pass = ward_bench_report ("station", WARD_BENCH_AT_MOST, 1.0, worst,
                            "headless64_cpu", figures[0].share,
                            "headless64_rss_mb", figures[0].rss_mb,
                            "app16_cpu", figures[1].share,
                            "app16_fps", figures[1].fps,
                            "app16_rss_mb", figures[1].rss_mb,
                            "app64_cpu", figures[2].share,
                            "app64_fps", figures[2].fps,
                            "app64_rss_mb", figures[2].rss_mb,
                            "cairo16_cpu", figures[3].share,
                            "cairo64_cpu", figures[4].share,
                            "cairo64_fps", figures[4].fps,
                            "cairo64_rss_mb", figures[4].rss_mb,
                            "gl64_cpu", figures[5].share,
                            "gl64_fps", figures[5].fps,
                            "gl64_rss_mb", figures[5].rss_mb,
                            NULL);

  return all_ran ? ward_bench_exit_status (pass) : 2;
}
