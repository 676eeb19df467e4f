/* mqtt-control-subscriber.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "mqtt-control-subscriber"

#include "config.h"

#include <glib.h>
#include <mosquitto.h>
#include <sqlite3.h>
#include <stdlib.h>

/* The control for the SIGKILL test (test-mqtt-sigkill): the smallest
 * subscriber that does what the library's documentation suggests for
 * "acknowledged means committed" — a persistent session (fixed client
 * id, clean_session false, QoS 1, subscribed again in every connect
 * callback) that commits each message to SQLite (WAL, autocommit, one
 * transaction per message) inside the message callback, before it
 * returns.  Nothing else: no pipeline, no threads of its own.
 *
 * --threaded drives libmosquitto the way the product did before the fix
 * (mosquitto_threaded_set (true), the loop called by the application);
 * without it the library is left in its default mode.  The harness kills
 * it with SIGKILL at the same points as Wardwatch and counts what the
 * table holds: the same schema subset as Wardwatch's raw archive.
 */

static sqlite3      *db;
static sqlite3_stmt *insert;

static void
connect_cb (struct mosquitto *mosq,
            void             *user_data,
            int               rc)
{
  const char *topic = user_data;

  if (rc != 0)
    {
      g_printerr ("control: connection refused: %s\n", mosquitto_connack_string (rc));
      exit (2);
    }

  mosquitto_subscribe (mosq, NULL, topic, 1);
}

static void
message_cb (struct mosquitto               *mosq,
            void                           *user_data,
            const struct mosquitto_message *message)
{
  if (message->retain)
    return;

  sqlite3_reset (insert);
  sqlite3_bind_blob (insert, 1, message->payload, message->payloadlen, SQLITE_TRANSIENT);
  if (sqlite3_step (insert) != SQLITE_DONE)
    {
      g_printerr ("control: insert failed: %s\n", sqlite3_errmsg (db));
      exit (3);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *host = g_strdup ("127.0.0.1");
  g_autofree char *client_id = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *topic = g_strdup ("devices/+/messages/events/#");
  gboolean threaded = FALSE;
  int port = 1883;
  GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Broker port on 127.0.0.1", "PORT" },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &client_id, "Client id", "ID" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "SQLite database", "FILE" },
    { "topic", 0, 0, G_OPTION_ARG_STRING, &topic, "Topic filter", "FILTER" },
    { "threaded", 0, 0, G_OPTION_ARG_NONE, &threaded, "mosquitto_threaded_set (true)", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  struct mosquitto *mosq;
  int rc;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      client_id == NULL || db_path == NULL)
    {
      g_printerr ("control: %s\n", error ? error->message : "--client-id and --db are needed");
      return 2;
    }

  if (sqlite3_open (db_path, &db) != SQLITE_OK ||
      sqlite3_busy_timeout (db, 10000) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA journal_mode = WAL;"
                        "PRAGMA synchronous = NORMAL;"
                        "CREATE TABLE IF NOT EXISTS raw_messages ("
                        "  id INTEGER PRIMARY KEY,"
                        "  source TEXT NOT NULL DEFAULT 'mqtt',"
                        "  payload BLOB NOT NULL,"
                        "  processed_at INTEGER DEFAULT 0);",
                    NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db, "INSERT INTO raw_messages (payload) VALUES (?1)", -1, &insert,
                          NULL) != SQLITE_OK)
    {
      g_printerr ("control: %s: %s\n", db_path, sqlite3_errmsg (db));
      return 1;
    }

  mosquitto_lib_init ();
  mosq = mosquitto_new (client_id, false, topic);
  if (threaded)
    mosquitto_threaded_set (mosq, true);
  mosquitto_int_option (mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_max_inflight_messages_set (mosq, 100);
  mosquitto_connect_callback_set (mosq, connect_cb);
  mosquitto_message_callback_set (mosq, message_cb);

  rc = mosquitto_connect (mosq, host, port, 30);
  if (rc != MOSQ_ERR_SUCCESS)
    {
      g_printerr ("control: connect: %s\n", mosquitto_strerror (rc));
      return 1;
    }

  /* Until killed: the harness ends it with SIGKILL or SIGTERM. */
  rc = mosquitto_loop_forever (mosq, 1000, 1);
  g_printerr ("control: loop ended: %s\n", mosquitto_strerror (rc));

  return rc == MOSQ_ERR_SUCCESS ? 0 : 1;
}
