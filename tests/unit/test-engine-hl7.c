/* test-engine-hl7.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* HL7 v2 messages of real monitors' shapes through the engine: what is
 * stored, what the outcome says, what is recorded on the message.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ward-engine.h"
#include "ward-identity.h"
#include "ward-test-store.h"

/* 2027-01-15T08:00:00Z */
#define T0 G_GINT64_CONSTANT (1800000000000000)
#define SEC WARD_USEC_PER_SEC

typedef struct
{
  char       *dir;
  char       *path;
  WardStore  *store;
  WardEngine *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static const char * const names[] = { "Ada Obi", "Lee Min-jun", "Sam Roy" };
  /* Each monitor is known by the id the mapper reads from its messages. */
  static const char * const devices[] = {
    "00A037009A0B1C2D", "080019FFFE134535", "0009FBFFFF9B42B3",
  };

  f->path = ward_test_db_new ("ward-engine-hl7", &f->dir);
  f->store = ward_test_store_open (f->path);
  f->engine = ward_test_engine_new (f->store, NULL, 3, names, devices);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  ward_test_db_remove (&f->dir, &f->path);
}

static void
ingest_hl7 (Fixture           *f,
            const char        *message,
            gint64             at,
            WardIngestOutcome *outcome,
            char             **reason)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ward_engine_begin (f->engine, &error));
  g_assert_true (ward_engine_ingest (f->engine, "mllp", WARD_CONTENT_TYPE_HL7V2, NULL, message,
                                     strlen (message), at, outcome, reason, &error));
  g_assert_true (ward_engine_commit (f->engine, &error));
  g_assert_no_error (error);
}

static gint64
query (Fixture    *f,
       const char *sql)
{
  return ward_test_query_int (f->store, sql);
}

static char *
query_text (Fixture    *f,
            const char *sql)
{
  return ward_test_query_text (f->store, sql);
}

/* A Mindray-style PCD-01 message (UTC+08:00, MDC codes beside
 * 99MNDRY private ones) with a temperature in a unit we do not know.
 */
#define MINDRAY_HEAD \
  "MSH|^~\\&|MINDRAY_D^00A037009A0B1C2D^EUI-64|MINDRAY|WARDWATCH||20270115160005+0800||" \
  "ORU^R01^ORU_R01|MR20270115160005|P|2.6|||AL|NE||UNICODE UTF-8|||" \
  "IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r" \
  "PID|||P1^^^HOSP^MR\r" \
  "PV1||I|W1^^3\r" \
  "OBR|1||MR20270115160005^MINDRAY_D^00A037009A0B1C2D^EUI-64|182777000^monitoring of patient^SCT|||" \
  "20270115160000+0800\r" \
  "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"

static void
test_unreadable_obx_is_partial (Fixture       *f,
                                gconstpointer  data)
{
  static const char message[] =
    MINDRAY_HEAD
    "OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.1.147842|88|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||"
    "20270115160000+0800\r"
    "OBX|3|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.150456|94|262688^MDC_DIM_PERCENT^MDC|||||R|||"
    "20270115160000+0800\r"
    "OBX|4|NM|151562^MDC_RESP_RATE^MDC|1.7.1.151562|22|264928^MDC_DIM_RESP_PER_MIN^MDC|||||R|||"
    "20270115160000+0800\r"
    "OBX|5|NM|150344^MDC_TEMP^MDC|1.2.1.150344|100.9|266433^MDC_DIM_X_UNKNOWN^MDC|||||R|||"
    "20270115160000+0800\r"
    "OBX|6|NM|108^MNDRY_ECG_PAUSE_RATE^99MNDRY|1.7.2.108|0|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||"
    "20270115160000+0800\r";
  static const char all_bad[] =
    MINDRAY_HEAD
    "OBX|2|NM|150344^MDC_TEMP^MDC|1.2.1.150344|100.9|266433^MDC_DIM_X_UNKNOWN^MDC|||||R|||"
    "20270115160000+0800\r";
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  g_autofree char *reason = NULL;
  g_autofree char *dead_reason = NULL;

  ingest_hl7 (f, message, T0 + 10 * SEC, &outcome, &reason);

  /* The HR, SpO2 and RR beside the unreadable OBX are stored, at 08:00Z. */
  g_assert_cmpint (outcome, ==, WARD_INGEST_PARTIAL);
  g_assert_nonnull (strstr (reason, "OBX 5 (150344^MDC_TEMP^MDC) has an unknown unit"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p1'"), ==, 3);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p1' "
                             "AND kind = 'hr' AND value = 88 AND observed_at = 1800000000000000"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE kind = 'temp'"), ==, 0);

  /* The skipped OBX is recorded on the archived message, as the values
   * refused at validation are; the private code is not a problem.
   */
  g_assert_cmpint (query (f, "SELECT count(*) FROM raw_messages"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters d JOIN raw_messages r "
                             "ON r.id = d.raw_message_id WHERE d.stage = 'mapping'"), ==, 1);
  dead_reason = query_text (f, "SELECT reason FROM dead_letters");
  g_assert_nonnull (strstr (dead_reason, "OBX 5 (150344^MDC_TEMP^MDC) has an unknown unit"));
  g_assert_null (strstr (dead_reason, "MNDRY"));

  /* Nothing readable at all: rejected, with the same reason. */
  g_clear_pointer (&reason, g_free);
  ingest_hl7 (f, all_bad, T0 + 20 * SEC, &outcome, &reason);
  g_assert_cmpint (outcome, ==, WARD_INGEST_REJECTED);
  g_assert_nonnull (strstr (reason, "OBX 2 (150344^MDC_TEMP^MDC) has an unknown unit"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters WHERE stage = 'mapping' "
                             "AND instr(reason, 'OBX 2 (150344') > 0"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements"), ==, 3);
}

/* GE-style: the sender's offset only in MSH-7.  Its local times are
 * stored as the UTC times they are, and nothing is recorded against the
 * message; a sender that states no offset anywhere is read in this
 * station's time (UTC in this test) and the guess is recorded.
 */
static void
test_times_in_sender_zone (Fixture       *f,
                           gconstpointer  data)
{
  static const char ge[] =
    "MSH|^~\\&|VSP^080019FFFE134535^EUI-64|GE Healthcare|||20270115030005-0500||ORU^R01^ORU_R01|"
    "080019FFFE13453520270115030005|P|2.6|||NE|AL||UNICODE UTF-8|||"
    "PCD_DEC_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r"
    "PID|||P2^^^PID^MR\r"
    "OBR|1|080019FFFE13453520270115030005^VSP^080019FFFE134535^EUI-64|"
    "080019FFFE13453520270115030005^VSP^080019FFFE134535^EUI-64|182777000^monitoring of patient^SCT|||"
    "20270115030000\r"
    "OBX|1||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X\r"
    "OBX|2|NM|147842^MDC_ECG_HEART_RATE^MDC|1.5.1.1|72|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||||||"
    "080019FFFE134535^B40_GE\r";
  static const char no_offset[] =
    "MSH|^~\\&|VSP^080019FFFE134535^EUI-64|GE Healthcare|||20270115080105||ORU^R01^ORU_R01|"
    "NO-OFFSET-1|P|2.6|||NE|AL\r"
    "OBR|1||||||20270115080100\r"
    "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.5.1.1|74|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R\r";
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  g_autofree char *reason = NULL;

  ingest_hl7 (f, ge, T0 + 10 * SEC, &outcome, &reason);
  g_assert_cmpint (outcome, ==, WARD_INGEST_ACCEPTED);
  /* 03:00:00 at -05:00 is 08:00:00Z, T0. */
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p2' "
                             "AND kind = 'hr' AND value = 72 AND observed_at = 1800000000000000"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters"), ==, 0);

  g_clear_pointer (&reason, g_free);
  ingest_hl7 (f, no_offset, T0 + 70 * SEC, &outcome, &reason);
  g_assert_cmpint (outcome, ==, WARD_INGEST_PARTIAL);
  g_assert_nonnull (strstr (reason, "no timestamp states a UTC offset"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p2' "
                             "AND kind = 'hr' AND value = 74 AND observed_at = 1800000060000000"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters WHERE stage = 'mapping' "
                             "AND instr(reason, 'local time (UTC+00:00)') > 0"), ==, 1);
}

/* Philips IntelliVue: the monitor's EUI-64 in OBR-3 names the bed's
 * device; the ECG module's serial in its VMD row does not.
 */
static void
test_philips_monitor_is_the_device (Fixture       *f,
                                    gconstpointer  data)
{
  static const char philips[] =
    "MSH|^~\\&|PIC|PHILIPS|WARDWATCH|HOSP|20270115090005.000+0100||ORU^R01^ORU_R01|HP0115090005PIC01|P|"
    "2.6|||AL|NE||8859/1|EN^English^ISO639||IHE_PCD_001^IHE PCD^1.3.6.1.4.1.19376.1.6.1.1.1^ISO\r"
    "PID|1||P3^^^Philips^MR\r"
    "OBR|1||0009FBFFFF9B42B3^^^EUI-64|69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|||"
    "20270115090000.000+0100\r"
    "OBX|2||69965^MDC_DEV_MON_PHYSIO_MULTI_PARAM_MDS^MDC|1.0.0.0|||||||X|||||||IntelliVue MX750 - 123456\r"
    "OBX|3||70666^MDC_DEV_ECG_RESP_VMD^MDC|1.2.0.0|||||||X|||||||DE12345678\r"
    "OBX|4||70739^MDC_DEV_CARD_RATE_CHAN^MDC|1.2.1.0|||||||X\r"
    "OBX|5|NM|147842^MDC_ECG_CARD_BEAT_RATE^MDC|1.2.1.1|64|264864^MDC_DIM_BEAT_PER_MIN^MDC|50-120||||F\r";
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  g_autofree char *reason = NULL;

  ingest_hl7 (f, philips, T0 + 10 * SEC, &outcome, &reason);
  g_assert_cmpstr (reason, ==, NULL);
  g_assert_cmpint (outcome, ==, WARD_INGEST_ACCEPTED);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements WHERE patient_id = 'p3' "
                             "AND device_id = '0009FBFFFF9B42B3' AND kind = 'hr' AND value = 64 "
                             "AND observed_at = 1800000000000000"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters"), ==, 0);
}

/* A message held until the FHIR server names its device's patient: the
 * OBX it could not read are recorded now, on the archived message.
 */
static void
test_held_message_keeps_problems (Fixture       *f,
                                  gconstpointer  data)
{
  /* Nothing listens there, and the test never runs the main context:
   * every answer stays pending.
   */
  g_autoptr(WardIdentity) identity = ward_identity_new (WARD_IDENTITY_MODE_LOOKUP,
                                                        "http://127.0.0.1:9/fhir", NULL, NULL);
  static const char message[] =
    "MSH|^~\\&|MON^AABBCCFFFE0000FF^EUI-64|W|||20270115080000+0000||ORU^R01|H-1|P|2.6|||AL|NE\r"
    "OBX|1|NM|147842^MDC_ECG_HEART_RATE^MDC|1.7.1.1|70|264864^MDC_DIM_BEAT_PER_MIN^MDC|||||R|||"
    "20270115080000+0000\r"
    "OBX|2|NM|150456^MDC_PULS_OXIM_SAT_O2^MDC|1.3.1.1|96|furlongs^^UCUM|||||R|||20270115080000+0000\r";
  WardIngestOutcome outcome = WARD_INGEST_REJECTED;
  g_autofree char *reason = NULL;

  ward_engine_set_identity (f->engine, identity);
  ingest_hl7 (f, message, T0 + 10 * SEC, &outcome, &reason);

  g_assert_cmpuint (ward_engine_get_n_held (f->engine), ==, 1);
  g_assert_cmpint (outcome, ==, WARD_INGEST_PARTIAL);
  g_assert_nonnull (strstr (reason, "waiting for the FHIR server"));
  g_assert_nonnull (strstr (reason, "OBX 2 (150456^MDC_PULS_OXIM_SAT_O2^MDC) has an unknown unit"));
  g_assert_cmpint (query (f, "SELECT count(*) FROM dead_letters WHERE stage = 'mapping' "
                             "AND instr(reason, 'OBX 2 (150456') > 0"), ==, 1);
  g_assert_cmpint (query (f, "SELECT count(*) FROM measurements"), ==, 0);
  ward_engine_set_identity (f->engine, NULL);
}

int
main (int   argc,
      char *argv[])
{
  /* Times without any offset are read in local time: UTC here. */
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/core/engine/hl7/unreadable-obx-is-partial", test_unreadable_obx_is_partial);
  ADD ("/core/engine/hl7/times-in-sender-zone", test_times_in_sender_zone);
  ADD ("/core/engine/hl7/philips-monitor-is-the-device", test_philips_monitor_is_the_device);
  ADD ("/core/engine/hl7/held-message-keeps-problems", test_held_message_keeps_problems);
#undef ADD

  return g_test_run ();
}
