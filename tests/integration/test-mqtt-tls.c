/* test-mqtt-tls.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ward-mqtt-source.h"
#include "ward-pipeline.h"
#include "ward-store.h"
#include "ward-test-broker.h"
#include "ward-test-util.h"

/* mqtts:// against a real mosquitto TLS listener on 127.0.0.1, with a CA
 * and a server certificate made by openssl at test time.  Without
 * --mqtt-ca-file the source trusts the system's store: here a private
 * store given through SSL_CERT_FILE, as OpenSSL programs take it.  A
 * broker the store does not vouch for, and a store that is not there,
 * each give an error that says so.
 */

#define CONNECT_TIMEOUT_MSEC 15000

typedef struct
{
  WardTestBroker *broker;
  char           *certs;      /* folder of the generated CA and certificates */
  char           *dir;
  char           *db;
  guint16         tls_port;
  char           *tls_url;
  WardPipeline   *pipeline;
} Fixture;

static void
run_openssl (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (gpointer) "openssl");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  process = ward_test_spawnv ((const char * const *) argv->pdata,
                              G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                              &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_test_message ("openssl %s: %s", args[0], err);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
}

/* A CA (name.pem, name.key) that signs nothing yet. */
static void
make_ca (Fixture    *f,
         const char *name)
{
  g_autofree char *key = g_strdup_printf ("%s/%s.key", f->certs, name);
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", f->certs, name);
  g_autofree char *subject = g_strdup_printf ("/CN=Wardwatch test %s", name);
  const char *args[] = {
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
    "-days", "2", "-subj", subject, NULL
  };

  run_openssl (args);
}

/* The broker's key and certificate for 127.0.0.1 and localhost, signed by ca. */
static void
make_server_cert (Fixture    *f,
                  const char *ca)
{
  g_autofree char *key = g_build_filename (f->certs, "server.key", NULL);
  g_autofree char *csr = g_build_filename (f->certs, "server.csr", NULL);
  g_autofree char *cert = g_build_filename (f->certs, "server.pem", NULL);
  g_autofree char *ext = g_build_filename (f->certs, "server.ext", NULL);
  g_autofree char *ca_cert = g_strdup_printf ("%s/%s.pem", f->certs, ca);
  g_autofree char *ca_key = g_strdup_printf ("%s/%s.key", f->certs, ca);
  g_autofree char *serial = g_build_filename (f->certs, "ca.srl", NULL);
  const char *req[] = {
    "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
    "-subj", "/CN=127.0.0.1", NULL
  };
  const char *sign[] = {
    "x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAserial", serial,
    "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", ext, NULL
  };

  g_assert_true (g_file_set_contents (ext, "subjectAltName = IP:127.0.0.1, DNS:localhost\n"
                                           "extendedKeyUsage = serverAuth\n", -1, NULL));
  run_openssl (req);
  run_openssl (sign);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *text = NULL;
  g_autofree char *listener = NULL;

  if (g_find_program_in_path ("openssl") == NULL)
    g_error ("openssl is not installed (build-aux/debian-packages.txt lists it)");

  f->dir = g_dir_make_tmp ("ward-mqtt-tls-XXXXXX", &error);
  g_assert_no_error (error);
  f->db = g_build_filename (f->dir, "ward.db", NULL);
  f->certs = g_build_filename (f->dir, "certs", NULL);
  g_assert_cmpint (g_mkdir (f->certs, 0700), ==, 0);

  make_ca (f, "ward-ca");
  make_ca (f, "other-ca");
  make_server_cert (f, "ward-ca");

  /* The harness's broker, with a TLS listener beside its plain one. */
  f->broker = ward_test_broker_new (&error);
  g_assert_no_error (error);
  f->tls_port = ward_test_free_port (&error);
  g_assert_no_error (error);
  conf = g_build_filename (ward_test_broker_get_dir (f->broker), "mosquitto.conf", NULL);
  g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
  listener = g_strdup_printf ("%slistener %u 127.0.0.1\n"
                              "certfile %s/server.pem\n"
                              "keyfile %s/server.key\n",
                              text, f->tls_port, f->certs, f->certs);
  g_assert_true (g_file_set_contents (conf, listener, -1, NULL));
  ward_test_broker_stop (f->broker);
  ward_test_broker_start (f->broker, &error);
  g_assert_no_error (error);
  g_assert_true (ward_test_wait_for_port (f->tls_port, 10000));
  f->tls_url = g_strdup_printf ("mqtts://127.0.0.1:%u", f->tls_port);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_unsetenv ("SSL_CERT_FILE");
  g_unsetenv ("SSL_CERT_DIR");

  if (f->pipeline != NULL)
    ward_pipeline_stop (f->pipeline);
  g_clear_object (&f->pipeline);

  if (f->broker != NULL && g_test_failed ())
    {
      g_autofree char *log = ward_test_broker_dup_log (f->broker);

      g_test_message ("Broker log:\n%s", log);
    }
  g_clear_pointer (&f->broker, ward_test_broker_free);

  remove_tree (f->dir);
  g_free (f->tls_url);
  g_free (f->certs);
  g_free (f->db);
  g_free (f->dir);
}

static WardMqttSource *
new_source (Fixture    *f,
            const char *ca_file)
{
  g_auto(WardMqttSourceConfig) mqtt = { 0 };

  /* Started after the test has set its environment. */
  if (f->pipeline == NULL)
    {
      g_auto(WardPipelineConfig) config = { 0 };
      g_autoptr(GError) error = NULL;

      ward_pipeline_config_init (&config);
      config.db_path = g_strdup (f->db);
      config.demo = TRUE;
      config.simulate = FALSE;
      config.n_beds = 2;
      config.tick_msec = 20;
      f->pipeline = ward_pipeline_new (&config);
      g_assert_true (ward_pipeline_start (f->pipeline, NULL, NULL, &error));
      g_assert_no_error (error);
    }

  ward_mqtt_source_config_init (&mqtt);
  mqtt.url = g_strdup (f->tls_url);
  mqtt.client_id = g_strdup ("wardwatch-tls-test");
  mqtt.ca_file = g_strdup (ca_file);
  mqtt.reconnect_delay_max = 1;

  return ward_mqtt_source_new (f->pipeline, &mqtt);
}

static void
iterate (guint msec)
{
  gint64 end = g_get_monotonic_time () + msec * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
}

static gboolean
wait_connected (WardMqttSource *source)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (CONNECT_TIMEOUT_MSEC) * (gint64) 1000;

  while (!ward_mqtt_source_get_connected (source) && g_get_monotonic_time () < deadline)
    iterate (20);

  return ward_mqtt_source_get_connected (source);
}

/* Waits for the source's first failed attempt and returns its error. */
static char *
wait_error (WardMqttSource *source)
{
  gint64 deadline = g_get_monotonic_time () + ward_test_timeout_msec (CONNECT_TIMEOUT_MSEC) * (gint64) 1000;
  char *message = NULL;

  while (message == NULL && g_get_monotonic_time () < deadline)
    {
      iterate (20);
      message = ward_mqtt_source_dup_last_error (source);
    }

  return message;
}

/* The private store names our CA: connected over TLS, and a message
 * published on the broker arrives through it.
 */
static void
test_store_from_env (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *ca = g_build_filename (f->certs, "ward-ca.pem", NULL);
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = g_strdup_printf ("%u", ward_test_broker_get_port (f->broker));
  const char *pub[] = {
    "mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-q", "1",
    "-t", "devices/sim-monitor-01/messages/events/", "-m", "{\"heartRate\":71}", NULL
  };
  g_autoptr(GSubprocess) publisher = NULL;
  gint64 deadline;

  g_setenv ("SSL_CERT_FILE", ca, TRUE);
  source = new_source (f, NULL);
  g_assert_true (ward_mqtt_source_start (source, &error));
  g_assert_no_error (error);
  g_assert_true (wait_connected (source));
  iterate (300);

  publisher = ward_test_spawnv (pub, G_SUBPROCESS_FLAGS_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (ward_test_wait_process (publisher, 10000));

  deadline = g_get_monotonic_time () + ward_test_timeout_msec (CONNECT_TIMEOUT_MSEC) * (gint64) 1000;
  while (ward_mqtt_source_get_n_archived (source) < 1 && g_get_monotonic_time () < deadline)
    iterate (20);
  g_assert_cmpuint (ward_mqtt_source_get_n_archived (source), ==, 1);

  ward_mqtt_source_stop (source);
}

/* The private store names another CA: the broker is not trusted, the
 * source says why and keeps trying, and nothing is received.
 */
static void
test_untrusted_broker (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *other = g_build_filename (f->certs, "other-ca.pem", NULL);
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_setenv ("SSL_CERT_FILE", other, TRUE);
  source = new_source (f, NULL);
  g_assert_true (ward_mqtt_source_start (source, &error));
  g_assert_no_error (error);

  message = wait_error (source);
  g_test_message ("last error: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "certificate verify failed"));
  g_assert_false (ward_mqtt_source_get_connected (source));
  ward_mqtt_source_stop (source);
}

/* No variable: the system's store is used (it does not know our test
 * CA, so the handshake is refused for the certificate), where the setup
 * used to fail with "Invalid function arguments provided".
 */
static void
test_system_store (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_unsetenv ("SSL_CERT_FILE");
  g_unsetenv ("SSL_CERT_DIR");
  if (!g_file_test ("/etc/ssl/certs", G_FILE_TEST_IS_DIR))
    {
      /* A clear setup error instead; checked, not skipped. */
      source = new_source (f, NULL);
      g_assert_false (ward_mqtt_source_start (source, &error));
      g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_TLS);
      g_assert_nonnull (strstr (error->message, "SSL_CERT_FILE"));
      return;
    }

  source = new_source (f, NULL);
  g_assert_true (ward_mqtt_source_start (source, &error));
  g_assert_no_error (error);
  message = wait_error (source);
  g_test_message ("last error: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "certificate verify failed"));
  ward_mqtt_source_stop (source);
}

/* A store that is not there is named in the error, at start. */
static void
test_missing_store (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (f->certs, "no-such-ca.pem", NULL);
  g_autofree char *not_pem = g_build_filename (f->certs, "server.ext", NULL);
  g_autoptr(WardMqttSource) source = NULL;
  g_autoptr(WardMqttSource) garbage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  g_setenv ("SSL_CERT_FILE", missing, TRUE);
  source = new_source (f, NULL);
  g_assert_false (ward_mqtt_source_start (source, &error));
  g_assert_error (error, WARD_MQTT_SOURCE_ERROR, WARD_MQTT_SOURCE_ERROR_TLS);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_nonnull (strstr (error->message, "SSL_CERT_FILE"));
  g_clear_error (&error);

  /* A file that holds no certificate: named when the library loads it. */
  g_unsetenv ("SSL_CERT_FILE");
  garbage = new_source (f, not_pem);
  g_assert_true (ward_mqtt_source_start (garbage, &error));
  g_assert_no_error (error);
  message = wait_error (garbage);
  g_test_message ("last error: %s", message);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, not_pem));
  ward_mqtt_source_stop (garbage);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/mqtt/tls/store-from-env", Fixture, NULL,
              fixture_set_up, test_store_from_env, fixture_tear_down);
  g_test_add ("/mqtt/tls/untrusted-broker", Fixture, NULL,
              fixture_set_up, test_untrusted_broker, fixture_tear_down);
  g_test_add ("/mqtt/tls/system-store", Fixture, NULL,
              fixture_set_up, test_system_store, fixture_tear_down);
  g_test_add ("/mqtt/tls/missing-store", Fixture, NULL,
              fixture_set_up, test_missing_store, fixture_tear_down);

  return g_test_run ();
}
