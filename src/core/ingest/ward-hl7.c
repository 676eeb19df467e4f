/* ward-hl7.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-hl7"

#include "config.h"

#include "ward-hl7.h"

#include <string.h>

typedef enum
{
  CHARSET_ASCII,     /* MSH-18 empty (read as UTF-8) or ASCII */
  CHARSET_LATIN1,
  CHARSET_UTF8,
} Charset;

typedef struct
{
  const char *text;     /* NUL-terminated, inside WardHl7Message.text */
  gsize       length;
  char        id[4];
} Segment;

struct _WardHl7Message
{
  gatomicrefcount  ref_count;

  char            *text;        /* UTF-8; segments are cut in place */
  GArray          *segments;    /* Segment */
  char            *charset;     /* MSH-18 as declared, or NULL */
  Charset          charset_kind;

  char             field_sep;
  char             comp_sep;    /* '\0' when MSH-2 does not define it */
  char             rep_sep;
  char             escape;
  char             sub_sep;
  char             trunc;
  char             encoding[6]; /* MSH-2 as given */
};

G_DEFINE_BOXED_TYPE (WardHl7Message, ward_hl7_message, ward_hl7_message_ref, ward_hl7_message_unref)

G_DEFINE_QUARK (ward-hl7-error-quark, ward_hl7_error)

/* The standard encoding characters, for what we write. */
#define STD_FIELD '|'
#define STD_COMP  '^'
#define STD_REP   '~'
#define STD_ESC   '\\'
#define STD_SUB   '&'

/* A formatting escape (\.sp n\) may ask for this many line breaks at most. */
#define MAX_SPACE_LINES 10

static gboolean
is_separator_char (char c)
{
  /* Printable ASCII, not a letter, digit or space. */
  return c > 0x20 && c < 0x7f && !g_ascii_isalnum (c);
}

/* Finds part number index (from 0) of s[0..len) split on sep.  A '\0'
 * separator (one MSH-2 does not define) never splits.
 */
static gboolean
find_part (const char  *s,
           gsize        len,
           char         sep,
           guint        index,
           const char **part,
           gsize       *part_len)
{
  gsize start = 0;
  guint n = 0;

  if (sep == '\0')
    {
      if (index != 0)
        return FALSE;
      *part = s;
      *part_len = len;
      return TRUE;
    }

  for (gsize i = 0; i <= len; i++)
    {
      if (i == len || s[i] == sep)
        {
          if (n == index)
            {
              *part = s + start;
              *part_len = i - start;
              return TRUE;
            }
          n++;
          start = i + 1;
        }
    }

  return FALSE;
}

static guint
count_parts (const char *s,
             gsize       len,
             char        sep)
{
  guint n = 1;

  if (sep == '\0')
    return 1;

  for (gsize i = 0; i < len; i++)
    if (s[i] == sep)
      n++;

  return n;
}

static const Segment *
get_segment (WardHl7Message *self,
             guint           segment)
{
  if (segment >= self->segments->len)
    return NULL;

  return &g_array_index (self->segments, Segment, segment);
}

static gboolean
is_msh (const Segment *seg)
{
  return strcmp (seg->id, "MSH") == 0;
}

/* The raw text of a field (fields count from 1).  MSH-1 and MSH-2 are
 * not fields like the others: see get_value.
 */
static gboolean
find_field (WardHl7Message  *self,
            const Segment   *seg,
            guint            field,
            const char     **text,
            gsize           *len)
{
  guint index;

  if (field == 0)
    return FALSE;

  if (is_msh (seg))
    {
      if (field < 2)
        return FALSE;
      index = field - 1;
    }
  else
    index = field;

  return find_part (seg->text, seg->length, self->field_sep, index, text, len);
}

static void
append_latin1 (GString *out,
               guchar   byte)
{
  g_string_append_unichar (out, byte);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* \Xhhhh\: bytes in the message's character set.  FALSE if the sequence
 * is not well formed (then it is kept literally).
 */
static gboolean
append_hex (WardHl7Message *self,
            GString        *out,
            const char     *hex,
            gsize           len)
{
  if (len == 0 || len % 2 != 0)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    if (hex_value (hex[i]) < 0)
      return FALSE;

  for (gsize i = 0; i < len; i += 2)
    {
      guchar byte = (hex_value (hex[i]) << 4) | hex_value (hex[i + 1]);

      /* A NUL cannot live in a C string; nothing legitimate needs one. */
      if (byte == 0)
        continue;

      if (self->charset_kind == CHARSET_LATIN1)
        append_latin1 (out, byte);
      else
        g_string_append_c (out, (char) byte);
    }

  return TRUE;
}

/* The separator an escape names, or '\0'. */
static char
escape_separator (WardHl7Message *self,
                  char            code)
{
  switch (code)
    {
    case 'F':
      return self->field_sep;
    case 'S':
      return self->comp_sep;
    case 'T':
      return self->sub_sep;
    case 'R':
      return self->rep_sep;
    case 'E':
      return self->escape;
    case 'P':
      return self->trunc ? self->trunc : '#';
    default:
      return '\0';
    }
}

/* One escape sequence, seq[0..len) between the escape characters.
 * FALSE when it is not one we know: the caller keeps it literally.
 */
static gboolean
append_escape (WardHl7Message *self,
               GString        *out,
               const char     *seq,
               gsize           len)
{
  if (len == 1 && escape_separator (self, seq[0]) != '\0')
    {
      g_string_append_c (out, escape_separator (self, seq[0]));
      return TRUE;
    }

  if (len >= 1 && seq[0] == 'X')
    return append_hex (self, out, seq + 1, len - 1);

  /* Highlighting on/off. */
  if (len == 1 && (seq[0] == 'H' || seq[0] == 'N'))
    return TRUE;

  /* Character set switches (ISO 2022) and locally defined escapes: we
   * cannot honour them, and dropping the sequence keeps the text around it.
   */
  if (len >= 1 && (seq[0] == 'C' || seq[0] == 'M' || seq[0] == 'Z'))
    return TRUE;

  if (len >= 3 && seq[0] == '.')
    {
      if (len == 3 && memcmp (seq, ".br", 3) == 0)
        {
          g_string_append_c (out, '\n');
          return TRUE;
        }

      if (memcmp (seq, ".sp", 3) == 0)
        {
          guint n = 0;

          for (gsize i = 3; i < len; i++)
            {
              if (seq[i] == ' ' || seq[i] == '+')
                continue;
              if (!g_ascii_isdigit (seq[i]))
                return FALSE;
              n = MIN (n * 10 + (seq[i] - '0'), MAX_SPACE_LINES);
            }
          for (guint i = 0; i < MAX (n, 1); i++)
            g_string_append_c (out, '\n');
          return TRUE;
        }

      /* Indentation, centring, fill and skip: layout we do not do. */
      if (memcmp (seq, ".in", 3) == 0 || memcmp (seq, ".ti", 3) == 0 ||
          memcmp (seq, ".ce", 3) == 0 || memcmp (seq, ".fi", 3) == 0 ||
          memcmp (seq, ".nf", 3) == 0 || memcmp (seq, ".sk", 3) == 0)
        return TRUE;
    }

  return FALSE;
}

static char *
unescape (WardHl7Message *self,
          const char     *text,
          gsize           len)
{
  GString *out;

  if (self->escape == '\0' || memchr (text, self->escape, len) == NULL)
    out = g_string_new_len (text, len);
  else
    {
      gsize i = 0;

      out = g_string_sized_new (len);
      while (i < len)
        {
          const char *end;

          if (text[i] != self->escape)
            {
              g_string_append_c (out, text[i++]);
              continue;
            }

          end = memchr (text + i + 1, self->escape, len - i - 1);
          if (end == NULL)
            {
              /* Unterminated: a lone escape character is text. */
              g_string_append_len (out, text + i, len - i);
              break;
            }

          if (!append_escape (self, out, text + i + 1, end - (text + i + 1)))
            g_string_append_len (out, text + i, end - (text + i) + 1);
          i = end - text + 1;
        }
    }

  /* \X..\ can make bytes that are not UTF-8. */
  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      char *valid = g_utf8_make_valid (out->str, out->len);

      g_string_free (out, TRUE);
      return valid;
    }

  return g_string_free (out, FALSE);
}

static gboolean
set_encoding (WardHl7Message  *self,
              const char      *msh,
              gsize            len,
              GError         **error)
{
  gsize n = 0;

  if (len < 4 || !is_separator_char (msh[3]))
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                   "MSH-1 (the field separator) is missing or not a separator character");
      return FALSE;
    }
  self->field_sep = msh[3];

  while (4 + n < len && msh[4 + n] != self->field_sep)
    {
      char c = msh[4 + n];

      if (n == 5 || !is_separator_char (c) || memchr (self->encoding, c, n) != NULL)
        {
          g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                       "MSH-2 (the encoding characters) is not 1 to 5 distinct separator characters");
          return FALSE;
        }
      self->encoding[n++] = c;
    }
  self->encoding[n] = '\0';

  if (n == 0)
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                   "MSH-2 (the encoding characters) is empty");
      return FALSE;
    }

  self->comp_sep = self->encoding[0];
  self->rep_sep = n > 1 ? self->encoding[1] : '\0';
  self->escape = n > 2 ? self->encoding[2] : '\0';
  self->sub_sep = n > 3 ? self->encoding[3] : '\0';
  self->trunc = n > 4 ? self->encoding[4] : '\0';

  return TRUE;
}

/* MSH-18, read from the raw bytes: it decides how to read them. */
static char *
read_raw_charset (WardHl7Message *self,
                  const char     *msh,
                  gsize           len)
{
  const char *field;
  gsize field_len;
  const char *end;

  if (!find_part (msh, len, self->field_sep, 17, &field, &field_len))
    return NULL;

  end = field;
  while (end < field + field_len && *end != self->rep_sep && *end != self->comp_sep)
    end++;

  return g_strstrip (g_strndup (field, end - field));
}

static gboolean
set_charset (WardHl7Message  *self,
             char            *charset,
             GError         **error)
{
  if (charset == NULL || *charset == '\0')
    {
      g_free (charset);
      self->charset = NULL;
      self->charset_kind = CHARSET_ASCII;
      return TRUE;
    }

  self->charset = charset;
  if (g_ascii_strcasecmp (charset, "ASCII") == 0)
    self->charset_kind = CHARSET_ASCII;
  else if (g_ascii_strcasecmp (charset, "8859/1") == 0)
    self->charset_kind = CHARSET_LATIN1;
  else if (g_ascii_strcasecmp (charset, "UNICODE UTF-8") == 0)
    self->charset_kind = CHARSET_UTF8;
  else
    {
      g_autofree char *shown = g_utf8_make_valid (charset, MIN (strlen (charset), 40));

      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET,
                   "unsupported character set \"%s\" in MSH-18 "
                   "(supported: ASCII, 8859/1, UNICODE UTF-8)", shown);
      return FALSE;
    }

  return TRUE;
}

/* The message text in UTF-8. */
static char *
convert_text (WardHl7Message  *self,
              const char      *data,
              gsize            len,
              GError         **error)
{
  const char *bad = NULL;

  switch (self->charset_kind)
    {
    case CHARSET_LATIN1:
      {
        GString *out = g_string_sized_new (len + len / 8 + 1);

        for (gsize i = 0; i < len; i++)
          {
            if ((guchar) data[i] < 0x80)
              g_string_append_c (out, data[i]);
            else
              append_latin1 (out, (guchar) data[i]);
          }
        return g_string_free (out, FALSE);
      }

    case CHARSET_ASCII:
      if (self->charset != NULL)
        {
          for (gsize i = 0; i < len; i++)
            if ((guchar) data[i] >= 0x80)
              {
                g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET,
                             "byte 0x%02x at offset %" G_GSIZE_FORMAT " is not ASCII, "
                             "as MSH-18 declares", (guchar) data[i], i);
                return NULL;
              }
          return g_strndup (data, len);
        }
      /* No character set declared: ASCII, and UTF-8 in practice. */
      if (!g_utf8_validate_len (data, len, &bad))
        {
          g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET,
                       "byte 0x%02x at offset %" G_GSIZE_FORMAT " is neither ASCII nor UTF-8, "
                       "and MSH-18 declares no character set (Latin-1 must say 8859/1)",
                       (guchar) *bad, (gsize) (bad - data));
          return NULL;
        }
      return g_strndup (data, len);

    case CHARSET_UTF8:
      if (!g_utf8_validate_len (data, len, &bad))
        {
          g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_CHARSET,
                       "invalid UTF-8 at offset %" G_GSIZE_FORMAT " (MSH-18 UNICODE UTF-8)",
                       (gsize) (bad - data));
          return NULL;
        }
      return g_strndup (data, len);

    default:
      g_assert_not_reached ();
    }
}

static gboolean
is_blank (const char *s,
          gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return FALSE;
  return TRUE;
}

static gboolean
split_segments (WardHl7Message  *self,
                GError         **error)
{
  char terminator = strchr (self->text, '\r') != NULL ? '\r' : '\n';
  char *p = self->text;

  while (*p != '\0')
    {
      char *end = strchr (p, terminator);
      Segment seg = { 0 };
      gsize len;

      if (end != NULL)
        *end = '\0';
      len = strlen (p);

      /* The \n of \r\n (or of \n\r). */
      if (terminator == '\r')
        {
          if (len > 0 && p[0] == '\n')
            {
              p++;
              len--;
            }
          if (len > 0 && p[len - 1] == '\n')
            p[--len] = '\0';
        }

      if (!is_blank (p, len))
        {
          if (self->segments->len >= WARD_HL7_MAX_SEGMENTS)
            {
              g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_TOO_LARGE,
                           "more than %d segments", WARD_HL7_MAX_SEGMENTS);
              return FALSE;
            }

          if (len < 3 ||
              !g_ascii_isupper (p[0]) ||
              !(g_ascii_isupper (p[1]) || g_ascii_isdigit (p[1])) ||
              !(g_ascii_isupper (p[2]) || g_ascii_isdigit (p[2])) ||
              (len > 3 && p[3] != self->field_sep))
            {
              g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                           "segment %u does not start with a segment id and the field separator",
                           self->segments->len + 1);
              return FALSE;
            }

          seg.text = p;
          seg.length = len;
          memcpy (seg.id, p, 3);
          seg.id[3] = '\0';

          if (self->segments->len > 0 && is_msh (&seg))
            {
              g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                           "segment %u is a second MSH: one message per frame",
                           self->segments->len + 1);
              return FALSE;
            }

          g_array_append_val (self->segments, seg);
        }

      if (end == NULL)
        break;
      p = end + 1;
    }

  return TRUE;
}

static void
message_free (WardHl7Message *self)
{
  g_free (self->text);
  g_array_unref (self->segments);
  g_free (self->charset);
  g_free (self);
}

WardHl7Message *
ward_hl7_message_ref (WardHl7Message *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ward_hl7_message_unref (WardHl7Message *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    message_free (self);
}

WardHl7Message *
ward_hl7_message_parse (const char  *data,
                        gsize        length,
                        GError     **error)
{
  WardHl7Message *self;
  const char *nul;
  gsize msh_len;
  char terminator;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length > WARD_HL7_MAX_MESSAGE_SIZE)
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_TOO_LARGE,
                   "message of %" G_GSIZE_FORMAT " bytes is larger than the limit of %d",
                   length, WARD_HL7_MAX_MESSAGE_SIZE);
      return NULL;
    }

  /* Tolerate a byte order mark, MLLP framing and blank lines around it. */
  for (;;)
    {
      if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
        {
          data += 3;
          length -= 3;
        }
      else if (length > 0 && (data[0] == 0x0b || g_ascii_isspace (data[0])))
        {
          data++;
          length--;
        }
      else
        break;
    }
  while (length > 0 && (data[length - 1] == 0x1c || data[length - 1] == '\r' ||
                        data[length - 1] == '\n'))
    length--;

  if (length == 0)
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX, "empty message");
      return NULL;
    }

  nul = memchr (data, '\0', length);
  if (nul != NULL)
    {
      g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                   "NUL byte at offset %" G_GSIZE_FORMAT, (gsize) (nul - data));
      return NULL;
    }

  if (length < 3 || memcmp (data, "MSH", 3) != 0)
    {
      if (length >= 3 && (memcmp (data, "FHS", 3) == 0 || memcmp (data, "BHS", 3) == 0))
        g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_UNSUPPORTED,
                     "batch messages (FHS/BHS) are not supported; send one message per frame");
      else
        g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_SYNTAX,
                     "not an HL7 v2 message: it does not start with MSH");
      return NULL;
    }

  self = g_new0 (WardHl7Message, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->segments = g_array_new (FALSE, FALSE, sizeof (Segment));

  /* The MSH line ends where split_segments() will end it. */
  terminator = memchr (data, '\r', length) != NULL ? '\r' : '\n';
  msh_len = 0;
  while (msh_len < length && data[msh_len] != terminator)
    msh_len++;

  if (!set_encoding (self, data, msh_len, error) ||
      !set_charset (self, read_raw_charset (self, data, msh_len), error))
    {
      message_free (self);
      return NULL;
    }

  self->text = convert_text (self, data, length, error);
  if (self->text == NULL || !split_segments (self, error))
    {
      message_free (self);
      return NULL;
    }

  return self;
}

const char *
ward_hl7_message_get_charset (WardHl7Message *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->charset;
}

char
ward_hl7_message_get_field_separator (WardHl7Message *self)
{
  g_return_val_if_fail (self != NULL, '\0');

  return self->field_sep;
}

const char *
ward_hl7_message_get_encoding_characters (WardHl7Message *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->encoding;
}

guint
ward_hl7_message_get_n_segments (WardHl7Message *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->segments->len;
}

const char *
ward_hl7_message_get_segment_id (WardHl7Message *self,
                                 guint           segment)
{
  const Segment *seg;

  g_return_val_if_fail (self != NULL, NULL);

  seg = get_segment (self, segment);
  return seg ? seg->id : NULL;
}

const char *
ward_hl7_message_get_segment_text (WardHl7Message *self,
                                   guint           segment)
{
  const Segment *seg;

  g_return_val_if_fail (self != NULL, NULL);

  seg = get_segment (self, segment);
  return seg ? seg->text : NULL;
}

int
ward_hl7_message_find_segment (WardHl7Message *self,
                               const char     *segment_id,
                               guint           from)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (segment_id != NULL, -1);

  for (guint i = from; i < self->segments->len; i++)
    if (strcmp (g_array_index (self->segments, Segment, i).id, segment_id) == 0)
      return (int) i;

  return -1;
}

guint
ward_hl7_message_get_n_fields (WardHl7Message *self,
                               guint           segment)
{
  const Segment *seg;
  guint parts;

  g_return_val_if_fail (self != NULL, 0);

  seg = get_segment (self, segment);
  if (seg == NULL)
    return 0;

  parts = count_parts (seg->text, seg->length, self->field_sep);
  return is_msh (seg) ? parts : parts - 1;
}

guint
ward_hl7_message_get_n_repetitions (WardHl7Message *self,
                                    guint           segment,
                                    guint           field)
{
  const Segment *seg;
  const char *text;
  gsize len;

  g_return_val_if_fail (self != NULL, 0);

  seg = get_segment (self, segment);
  if (seg == NULL)
    return 0;

  if (is_msh (seg) && (field == 1 || field == 2))
    return 1;

  if (!find_field (self, seg, field, &text, &len) || len == 0)
    return 0;

  return count_parts (text, len, self->rep_sep);
}

guint
ward_hl7_message_get_n_components (WardHl7Message *self,
                                   guint           segment,
                                   guint           field,
                                   guint           repetition)
{
  const Segment *seg;
  const char *text;
  gsize len;

  g_return_val_if_fail (self != NULL, 0);

  seg = get_segment (self, segment);
  if (seg == NULL || repetition == 0)
    return 0;

  if (is_msh (seg) && (field == 1 || field == 2))
    return repetition == 1 ? 1 : 0;

  if (!find_field (self, seg, field, &text, &len) ||
      !find_part (text, len, self->rep_sep, repetition - 1, &text, &len) ||
      len == 0)
    return 0;

  return count_parts (text, len, self->comp_sep);
}

char *
ward_hl7_message_get_value (WardHl7Message *self,
                            guint           segment,
                            guint           field,
                            guint           repetition,
                            guint           component,
                            guint           subcomponent)
{
  const Segment *seg;
  const char *text;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field >= 1 && repetition >= 1, NULL);
  g_return_val_if_fail (component >= 1 && subcomponent >= 1, NULL);

  seg = get_segment (self, segment);
  if (seg == NULL)
    return NULL;

  if (is_msh (seg) && field <= 2)
    {
      if (repetition != 1 || component != 1 || subcomponent != 1)
        return NULL;
      return field == 1 ? g_strndup (&self->field_sep, 1) : g_strdup (self->encoding);
    }

  if (!find_field (self, seg, field, &text, &len) ||
      !find_part (text, len, self->rep_sep, repetition - 1, &text, &len) ||
      !find_part (text, len, self->comp_sep, component - 1, &text, &len) ||
      !find_part (text, len, self->sub_sep, subcomponent - 1, &text, &len))
    return NULL;

  return unescape (self, text, len);
}

char *
ward_hl7_message_get_component (WardHl7Message *self,
                                guint           segment,
                                guint           field,
                                guint           component)
{
  g_return_val_if_fail (self != NULL, NULL);

  return ward_hl7_message_get_value (self, segment, field, 1, component, 1);
}

static void
append_escaped (GString    *out,
                const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      switch (*p)
        {
        case STD_FIELD:
          g_string_append (out, "\\F\\");
          break;
        case STD_COMP:
          g_string_append (out, "\\S\\");
          break;
        case STD_SUB:
          g_string_append (out, "\\T\\");
          break;
        case STD_REP:
          g_string_append (out, "\\R\\");
          break;
        case STD_ESC:
          g_string_append (out, "\\E\\");
          break;
        case '\n':
          g_string_append (out, "\\.br\\");
          break;
        default:
          /* Control characters (\r, and MLLP's 0x0b and 0x1c) never go out raw. */
          if ((guchar) *p < 0x20 || *p == 0x7f)
            g_string_append_printf (out, "\\X%02X\\", (guchar) *p);
          else
            g_string_append_c (out, *p);
          break;
        }
    }
}

char *
ward_hl7_escape (const char *text)
{
  GString *out;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_sized_new (strlen (text));
  append_escaped (out, text);
  return g_string_free (out, FALSE);
}

char *
ward_hl7_message_get_field_er7 (WardHl7Message *self,
                                guint           segment,
                                guint           field)
{
  const Segment *seg;
  const char *text;
  gsize len;
  GString *out;
  guint n_reps;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (field >= 1, NULL);

  seg = get_segment (self, segment);
  if (seg == NULL)
    return NULL;

  if (is_msh (seg) && field <= 2)
    return g_strdup (field == 1 ? "|" : "^~\\&");

  if (!find_field (self, seg, field, &text, &len))
    return NULL;

  out = g_string_sized_new (len);
  n_reps = count_parts (text, len, self->rep_sep);
  for (guint r = 0; r < n_reps; r++)
    {
      const char *rep = NULL;
      gsize rep_len = 0;
      guint n_comps;

      find_part (text, len, self->rep_sep, r, &rep, &rep_len);
      if (r > 0)
        g_string_append_c (out, STD_REP);

      n_comps = count_parts (rep, rep_len, self->comp_sep);
      for (guint c = 0; c < n_comps; c++)
        {
          const char *comp = NULL;
          gsize comp_len = 0;
          guint n_subs;

          find_part (rep, rep_len, self->comp_sep, c, &comp, &comp_len);
          if (c > 0)
            g_string_append_c (out, STD_COMP);

          n_subs = count_parts (comp, comp_len, self->sub_sep);
          for (guint s = 0; s < n_subs; s++)
            {
              g_autofree char *value = NULL;
              const char *sub = NULL;
              gsize sub_len = 0;

              find_part (comp, comp_len, self->sub_sep, s, &sub, &sub_len);
              if (s > 0)
                g_string_append_c (out, STD_SUB);

              value = unescape (self, sub, sub_len);
              append_escaped (out, value);
            }
        }
    }

  return g_string_free (out, FALSE);
}

char *
ward_hl7_message_unescape (WardHl7Message *self,
                           const char     *text,
                           gssize          length)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (text != NULL, NULL);

  return unescape (self, text, length < 0 ? strlen (text) : (gsize) length);
}

static gboolean
read_digits (const char **p,
             guint        n,
             int         *value)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }

  *p += n;
  *value = v;
  return TRUE;
}

gboolean
ward_hl7_parse_timestamp (const char  *text,
                          gint64      *usec,
                          gboolean    *has_offset,
                          GError     **error)
{
  return ward_hl7_parse_timestamp_in_zone (text, NULL, usec, has_offset, NULL, error);
}

gboolean
ward_hl7_parse_timestamp_in_zone (const char  *text,
                                  GTimeZone   *zone,
                                  gint64      *usec,
                                  gboolean    *has_offset,
                                  int         *offset_seconds,
                                  GError     **error)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *shown = NULL;
  int year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int fraction = 0, fraction_digits = 0;
  int offset_sign = 0, offset_hours = 0, offset_minutes = 0;
  const char *p;
  gsize n_digits = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (usec != NULL, FALSE);

  while (*text == ' ')
    text++;
  p = text;

  while (g_ascii_isdigit (p[n_digits]))
    n_digits++;

  if (n_digits < 4 || n_digits > 14 || n_digits % 2 != 0)
    goto bad;

  read_digits (&p, 4, &year);
  if (n_digits >= 6)
    read_digits (&p, 2, &month);
  if (n_digits >= 8)
    read_digits (&p, 2, &day);
  if (n_digits >= 10)
    read_digits (&p, 2, &hour);
  if (n_digits >= 12)
    read_digits (&p, 2, &minute);
  if (n_digits >= 14)
    read_digits (&p, 2, &second);

  if (*p == '.')
    {
      if (n_digits != 14)
        goto bad;
      p++;
      while (g_ascii_isdigit (*p))
        {
          if (fraction_digits == 6)
            goto bad;
          fraction = fraction * 10 + (*p - '0');
          fraction_digits++;
          p++;
        }
      if (fraction_digits == 0)
        goto bad;
      for (int i = fraction_digits; i < 6; i++)
        fraction *= 10;
    }

  if (*p == '+' || *p == '-')
    {
      offset_sign = *p == '-' ? -1 : 1;
      p++;
      if (!read_digits (&p, 2, &offset_hours) || !read_digits (&p, 2, &offset_minutes) ||
          offset_hours > 14 || offset_minutes > 59)
        goto bad;
    }

  while (*p == ' ')
    p++;
  if (*p != '\0')
    goto bad;

  if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 ||
      hour > 23 || minute > 59 || second > 59)
    goto bad;

  if (offset_sign != 0 || zone == NULL)
    tz = g_time_zone_new_offset (offset_sign * (offset_hours * 3600 + offset_minutes * 60));
  else
    tz = g_time_zone_ref (zone);
  dt = g_date_time_new (tz, year, month, day, hour, minute, second);
  if (dt == NULL)
    goto bad;

  *usec = g_date_time_to_unix (dt) * G_USEC_PER_SEC + fraction;
  if (has_offset != NULL)
    *has_offset = offset_sign != 0;
  if (offset_seconds != NULL)
    *offset_seconds = (int) (g_date_time_get_utc_offset (dt) / G_USEC_PER_SEC);
  return TRUE;

bad:
  shown = g_utf8_make_valid (text, MIN (strlen (text), 40));
  g_set_error (error, WARD_HL7_ERROR, WARD_HL7_ERROR_BAD_TIME,
               "\"%s\" is not an HL7 timestamp (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])", shown);
  return FALSE;
}

char *
ward_hl7_format_timestamp (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (dt == NULL)
    return g_strdup ("");

  return g_date_time_format (dt, "%Y%m%d%H%M%S+0000");
}
