/* ward-hl7.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WARD_HL7_ERROR (ward_hl7_error_quark ())

/* Errors of the HL7 v2 parser and of the HL7 mapper. */
typedef enum
{
  WARD_HL7_ERROR_TOO_LARGE,      /* beyond WARD_HL7_MAX_MESSAGE_SIZE or _MAX_SEGMENTS */
  WARD_HL7_ERROR_SYNTAX,         /* empty, no MSH, bad separators, malformed segment */
  WARD_HL7_ERROR_CHARSET,        /* MSH-18 unsupported, or bytes not in that set */
  WARD_HL7_ERROR_UNSUPPORTED,    /* a message type or structure the mapper does not take */
  WARD_HL7_ERROR_BAD_TIME,       /* an unparsable HL7 timestamp */
  WARD_HL7_ERROR_BAD_UNIT,       /* a unit that does not fit a scored code */
  WARD_HL7_ERROR_INCOMPLETE,     /* required content missing (no observation time) */
} WardHl7Error;

/* Limits: an MLLP frame is refused beyond 4 MiB anyway; the parser
 * refuses the same, whatever the transport, rather than allocate for it.
 */
#define WARD_HL7_MAX_MESSAGE_SIZE (4 * 1024 * 1024)
#define WARD_HL7_MAX_SEGMENTS     20000

/* A parsed HL7 v2 message (ER7, "pipe and hat" encoding).
 *
 * The parser reads the field separator from MSH-1 and the encoding
 * characters from MSH-2 (component, repetition, escape, subcomponent and,
 * from v2.7, truncation; any may be missing), and the character set from
 * MSH-18: empty or "ASCII" (7-bit; bytes above 0x7f are refused with
 * ASCII, and must be UTF-8 when MSH-18 is empty), "8859/1" (Latin-1,
 * converted to UTF-8) or "UNICODE UTF-8".  Any other character set is
 * refused.  The text it keeps is UTF-8.
 *
 * Segments end with \r; a message without any \r is split on \n, and the
 * \n of a \r\n pair is dropped.  Blank lines are skipped.  A UTF-8 byte
 * order mark and MLLP framing bytes around the message are tolerated.
 *
 * Numbering follows HL7: fields, repetitions, components and
 * subcomponents count from 1, and MSH-1 is the field separator itself.
 * Values are split first, then unescaped: \F\ \S\ \T\ \R\ \E\ (and \P\)
 * give the separators, \Xhh..\ gives bytes in the message's character
 * set, \.br\ and \.sp\ give line breaks, the other formatting and
 * highlighting sequences (\H\ \N\ \.in\ \.fi\ ...) and character-set
 * switches (\C..\ \M..\) are dropped, and unknown or unterminated
 * sequences are kept as they are.
 */
typedef struct _WardHl7Message WardHl7Message;

#define WARD_TYPE_HL7_MESSAGE (ward_hl7_message_get_type ())

GType           ward_hl7_message_get_type            (void) G_GNUC_CONST;
GQuark          ward_hl7_error_quark                 (void);

WardHl7Message *ward_hl7_message_parse               (const char      *data,
                                                      gsize            length,
                                                      GError         **error);
WardHl7Message *ward_hl7_message_ref                 (WardHl7Message  *self);
void            ward_hl7_message_unref               (WardHl7Message  *self);

/* MSH-18 as declared (first repetition), or NULL when empty. */
const char     *ward_hl7_message_get_charset         (WardHl7Message  *self);
char            ward_hl7_message_get_field_separator (WardHl7Message  *self);
/* MSH-2 as given, e.g. "^~\\&". */
const char     *ward_hl7_message_get_encoding_characters (WardHl7Message *self);

guint           ward_hl7_message_get_n_segments      (WardHl7Message  *self);
/* "MSH", "PID", "OBX"... */
const char     *ward_hl7_message_get_segment_id      (WardHl7Message  *self,
                                                      guint            segment);
/* The segment as received (converted to UTF-8), separators included. */
const char     *ward_hl7_message_get_segment_text    (WardHl7Message  *self,
                                                      guint            segment);
/* The index of the first segment with that id at or after from, or -1. */
int             ward_hl7_message_find_segment        (WardHl7Message  *self,
                                                      const char      *segment_id,
                                                      guint            from);

/* The highest field number present in the segment (MSH counts MSH-1). */
guint           ward_hl7_message_get_n_fields        (WardHl7Message  *self,
                                                      guint            segment);
/* 0 when the field is absent or empty. */
guint           ward_hl7_message_get_n_repetitions   (WardHl7Message  *self,
                                                      guint            segment,
                                                      guint            field);
/* 0 when the repetition is absent or empty. */
guint           ward_hl7_message_get_n_components    (WardHl7Message  *self,
                                                      guint            segment,
                                                      guint            field,
                                                      guint            repetition);

/* One unescaped value, or NULL when the message does not have it (a
 * missing field, repetition, component or subcomponent); "" when it is
 * there but empty.  The HL7 null "" (two double quotes) is returned as
 * it is.  Free with g_free().
 */
char           *ward_hl7_message_get_value           (WardHl7Message  *self,
                                                      guint            segment,
                                                      guint            field,
                                                      guint            repetition,
                                                      guint            component,
                                                      guint            subcomponent);
/* Shorthand: first repetition, first subcomponent. */
char           *ward_hl7_message_get_component       (WardHl7Message  *self,
                                                      guint            segment,
                                                      guint            field,
                                                      guint            component);
/* The whole field re-encoded with the standard separators |^~\& (so it
 * can be copied into a message of our own), or NULL when absent.
 */
char           *ward_hl7_message_get_field_er7       (WardHl7Message  *self,
                                                      guint            segment,
                                                      guint            field);

/* Unescapes text with this message's separators and character set. */
char           *ward_hl7_message_unescape            (WardHl7Message  *self,
                                                      const char      *text,
                                                      gssize           length);

/* Escapes text for a message with the standard separators |^~\&. */
char           *ward_hl7_escape                      (const char      *text);

/* An HL7 TS/DTM: YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ], to UTC
 * microseconds.  Missing parts are the start of the period.  *has_offset
 * says whether it carried a UTC offset; without one it is read as UTC.
 */
gboolean        ward_hl7_parse_timestamp             (const char      *text,
                                                      gint64          *usec,
                                                      gboolean        *has_offset,
                                                      GError         **error);
/* The same; without a UTC offset the time is read in zone (UTC when
 * NULL).  *offset_seconds (may be NULL) is the offset it was read with.
 */
gboolean        ward_hl7_parse_timestamp_in_zone     (const char      *text,
                                                      GTimeZone       *zone,
                                                      gint64          *usec,
                                                      gboolean        *has_offset,
                                                      int             *offset_seconds,
                                                      GError         **error);
/* YYYYMMDDHHMMSS+0000 */
char           *ward_hl7_format_timestamp            (gint64           usec);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WardHl7Message, ward_hl7_message_unref)

G_END_DECLS
