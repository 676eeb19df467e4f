/* ward-hl7-mapper.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "ward-hl7.h"
#include "ward-normalized.h"

G_BEGIN_DECLS

/* What the header (MSH) of a message says: enough to acknowledge it.
 * Strings are NULL when the field is empty.  Composite fields are kept
 * in ER7 with the standard separators ^~\&, ready to copy into an ACK.
 */
typedef struct
{
  char    *control_id;            /* MSH-10 */
  char    *accept_ack_type;       /* MSH-15: AL, NE, ER, SU; NULL: original mode */
  char    *application_ack_type;  /* MSH-16 */
  char    *sending_application;   /* MSH-3, "VSM_GATEWAY^0060B0FFFE112233^EUI-64" */
  char    *sending_facility;      /* MSH-4 */
  char    *receiving_application; /* MSH-5 */
  char    *receiving_facility;    /* MSH-6 */
  char    *message_type;          /* MSH-9, "ORU^R01^ORU_R01" */
  char    *message_code;          /* MSH-9.1, "ORU" */
  char    *trigger_event;         /* MSH-9.2, "R01" */
  char    *processing_id;         /* MSH-11.1, "P" */
  char    *version;               /* MSH-12.1, "2.6" */
  char    *charset;               /* MSH-18 (first repetition) */
  gint64   message_time;          /* MSH-7, UTC usec (without offset: in local time);
                                   * 0 when empty or unparsable */
} WardHl7MessageInfo;

void       ward_hl7_message_info_clear (WardHl7MessageInfo *info);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WardHl7MessageInfo, ward_hl7_message_info_clear)

/* Reads only the header: for a listener that must acknowledge a message
 * whatever becomes of it.  FALSE with error when there is no usable MSH
 * (then info holds nothing).
 */
gboolean   ward_hl7_read_message_info  (const char          *data,
                                        gsize                length,
                                        WardHl7MessageInfo  *info,
                                        GError             **error);

/* Maps an ORU^R01 (IHE PCD-01, LOINC-coded results, or the Philips
 * IntelliVue MDIL dialect) to WardNormalized measurements: an array of
 * WardNormalized* with free func ward_normalized_free (possibly empty:
 * a message of containment rows only maps to nothing).
 *
 * info (may be NULL) is filled from MSH as far as it parses, even when
 * the mapping fails, so that the caller can acknowledge; clear it with
 * ward_hl7_message_info_clear().  warnings (may be NULL) gets one line,
 * ending with \n, per thing skipped or assumed: unknown or vendor-private
 * codes, withdrawn values, duplicates, a timestamp without a UTC offset
 * (read as UTC)...  Warnings never contain patient names.
 *
 * Types and value names (the scored ones are those of
 * ward_normalized_bind()):
 *
 *   heartrate        hr (/min), method (ecg, unspecified, pulse-oximetry,
 *                    pulse, nibp)
 *   respiratoryrate  rr (/min), method (impedance, unspecified, airway,
 *                    ventilator)
 *   spo2             spo2 (%)
 *   bloodpressure    systolic, diastolic, mean (mm[Hg]); NIBP only
 *   temperature      temperature (Cel), site (body, axillary, oral, ...)
 *   pulserate        pulse (/min), source (spo2, nibp, unspecified)
 *   arterialpressure systolic, diastolic, mean (mm[Hg]); invasive, not scored
 *   oxygenflow       flow (L/min)
 *   inspiredoxygen   fio2 (%)
 *   consciousness    acvpu (A, C, V, P or U, from the SNOMED CT answer)
 *
 * Rules:
 * - Times: OBX-14 of each OBX; only when it is empty, OBR-7, then MSH-7.
 *   A spot value (OBX-17 APERIODIC) is never stamped with the message
 *   time without a warning.  A timestamp without a UTC offset is read,
 *   as HL7 says, in the sender's time zone: with the offset the message
 *   states first (MSH-7, else the first OBR-7 or OBX-14 that has one;
 *   a warning), or, when no timestamp of the message states one, in
 *   this station's local time zone (a problem: the guess is recorded
 *   on the message).
 * - Heart rate: per message, the best source present gives "heartrate":
 *   ECG (MDC 147842) over an unspecified heart rate (LOINC 8867-4) over
 *   oximeter or generic pulse (149530, 149514, LOINC 8889-8) over NIBP
 *   pulse (149546).  Pulse rates are also always given as "pulserate".
 * - Respiratory rate: measured (impedance 151578, 151562, airway 151570,
 *   LOINC 9279-1) over derived or ventilator rates (151586 and the
 *   Philips ventilator/spirometry rates), which are then skipped with a
 *   warning.
 * - Values: OBX-11 X (and N, D, W, I) or an empty OBX-5 means absent.
 *   Numbers are kept as sent unless converted; a value that is not a
 *   number is passed on as it is, for ward_normalized_bind() to reject.
 * - Codes (OBX-3): MDC numbers, Philips MDIL (partition-term in hex) or
 *   LOINC; an MDC reference id (MDC_ECG_HEART_RATE) alone, or in CE.2
 *   when CE.1 is a number we do not know (a vendor's own, or 0), is the
 *   code, with a warning.  Unknown and vendor-private codes are skipped
 *   with a warning.
 * - Units (OBX-6, MDC, MDIL or UCUM) are checked against the code; degF
 *   (MDC_DIM_FAHR, 266560) and K become Cel, kPa and hPa become mm[Hg].
 *   A unit number we do not know with a unit name we do is read by the
 *   name, with a warning.
 * - An OBX that cannot be read (a missing, unknown or unfitting unit; a
 *   code number and an MDC name that are two different codes; an
 *   unparsable OBX-14; no time at all; an unknown ACVPU answer) is
 *   skipped with a problem, and the other OBX of the message are kept:
 *   a number whose unit we do not know must not be scored, and it must
 *   not cost the values beside it.  Only a message that is itself
 *   malformed (parser errors, MSH-7 or OBR-7 unparsable, not ORU^R01)
 *   fails as a whole.
 * - Values of the same type, time, device and patient are grouped into
 *   one WardNormalized (blood pressure: systolic, diastolic, mean).
 * - Device id: the monitor, never one of its modules.  With IHE PCD
 *   containment in OBX-4 (MDS.VMD.CHAN.METRIC), the MDS that holds the
 *   metric: the EUI-64 in its MDS row's OBX-18, else the metric's own
 *   OBX-18 EUI-64, the EUI-64 in OBR-3, the EUI-64 in MSH-3, the first
 *   id of the MDS row's OBX-18, the metric's, MSH-3.1.  OBX-18 of VMD
 *   and channel rows (Philips IntelliVue: the module's serial number)
 *   is never used.  Without containment: the EUI-64 in OBX-18
 *   (inherited by the OBX that follow it in the same OBR group), else
 *   the EUI-64 in OBR-3, then in MSH-3, else OBX-18.1, else MSH-3.1.
 *   EUI-64: EI.3 of an EI typed "EUI-64" in EI.4, else its EI.1.
 *   Patient id: PID-3.1 of the first repetition; encounter id:
 *   PV1-19.1.  PV1-3 is not used.
 *
 * Errors (WARD_HL7_ERROR): parser errors, not ORU^R01 (UNSUPPORTED), an
 * unparsable MSH-7 or OBR-7 (BAD_TIME).
 *
 * ward_hl7_map_message() writes problems (below) to warnings too.
 */
GPtrArray *ward_hl7_map_message        (const char          *data,
                                        gsize                length,
                                        gint64               received_at,
                                        WardHl7MessageInfo  *info,
                                        GString             *warnings,
                                        GError             **error);
/* The same, with the problems apart: one line, ending with \n, per OBX
 * skipped because it could not be read and per time read on a guess.
 * Unlike warnings, these are something the message lost or may have
 * wrong: the pipeline records them on the message (a partial outcome
 * and a dead letter at stage "mapping").
 */
GPtrArray *ward_hl7_map_message_full   (const char          *data,
                                        gsize                length,
                                        gint64               received_at,
                                        WardHl7MessageInfo  *info,
                                        GString             *warnings,
                                        GString             *problems,
                                        GError             **error);

/* An ACK to the message described by info (which may be all empty, for
 * input that was not HL7 at all): MSH, MSA|code|MSH-10, and for AE and
 * AR (or AA with text) the text in MSA-3 and an ERR segment.  The MSH
 * echoes MSH-3..6 swapped, MSH-11, MSH-12 and MSH-18; the ACK is encoded
 * in the message's character set (Latin-1 for 8859/1; characters it
 * cannot hold become '?').  Segments end with \r; no MLLP framing.
 */
char      *ward_hl7_build_ack          (const WardHl7MessageInfo *info,
                                        const char          *ack_code,
                                        const char          *text,
                                        gint64               now);

G_END_DECLS
