/* ward-ward-file.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-ward-file"

#include "config.h"

#include "ward-ward-file.h"
#include "ward-store-shared.h"
#include "ward-summary.h"

#include <json-glib/json-glib.h>

#include <string.h>

/* The ward file, format in docs/ARCHITECTURE.md:
 *
 *   {"name": "Ward 7B", "hospitalNumberSystem": "https://trust.example/Id/mrn",
 *    "beds": [{"id": "bed-01", "label": "Bed 1",
 *              "patient": {"id": "p-100987654", "name": "Daniel Okafor", "spo2_scale": 1,
 *                          "birthDate": "1971-04-12",
 *                          "identifier": [
 *                            {"system": "https://fhir.nhs.uk/Id/nhs-number",
 *                             "value": "9434765919"},
 *                            {"type": {"coding": [{"system":
 *                               "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
 *                             "system": "https://trust.example/Id/mrn", "value": "RX1234567"}]},
 *              "devices": ["00A0C9FFFE445566", "mon-bay2-4"]}]}
 *
 * Everything is checked before anything is registered: a start that
 * stops on the file leaves the ward as it was.  A device or a patient in
 * two beds is refused with both beds named: silently letting the last
 * bed win would score one patient with another's monitor.
 */

struct _WardWardFile
{
  GObject    parent_instance;

  char      *origin;
  char      *hospital_number_system;   /* the local MRN system the file names, or NULL */
  char      *name;                     /* the ward's name, on its summary and reports, or NULL */
  GPtrArray *beds;                     /* WardWardBed */
  GHashTable *by_patient;              /* patient id -> WardWardBed (borrowed) */
};

G_DEFINE_FINAL_TYPE (WardWardFile, ward_ward_file, G_TYPE_OBJECT)

G_DEFINE_QUARK (ward-ward-file-error-quark, ward_ward_file_error)

static void
identifier_free (gpointer data)
{
  WardPatientIdentifier *id = data;

  g_free (id->system);
  g_free (id->value);
  g_free (id->type_code);
  g_free (id);
}

static void
bed_free (gpointer data)
{
  WardWardBed *bed = data;

  g_free (bed->bed_id);
  g_free (bed->bed_label);
  g_free (bed->patient_id);
  g_free (bed->patient_name);
  g_free (bed->birth_date);
  g_clear_pointer (&bed->identifiers, g_ptr_array_unref);
  g_clear_pointer (&bed->fhir_identifiers, json_node_unref);
  g_free (bed->hospital_number);
  g_free (bed->nhs_number);
  g_strfreev (bed->device_ids);
  g_free (bed);
}

/* Configuration is typed by people: a member of the wrong type is an
 * error to report, and json-glib's getters would warn instead.
 */
static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

static JsonObject *
member_object (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
member_array (JsonObject *obj,
              const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static gboolean G_GNUC_PRINTF (4, 5)
bad_bed (GError     **error,
         const char  *origin,
         guint        index,
         const char  *format,
         ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID,
               "%s: beds[%u]: %s", origin, index, what);
  return FALSE;
}

/* "Bay 2 Bed 4 (bed-04)", or the id alone when it is its own label. */
static char *
describe_bed (const WardWardBed *bed)
{
  if (g_strcmp0 (bed->bed_label, bed->bed_id) == 0)
    return g_strdup (bed->bed_id);

  return g_strdup_printf ("%s (%s)", bed->bed_label, bed->bed_id);
}

static gboolean
refuse_twice (GError           **error,
              const char        *origin,
              const char        *what,
              const WardWardBed *first,
              const WardWardBed *second)
{
  g_autofree char *a = describe_bed (first);
  g_autofree char *b = describe_bed (second);

  g_set_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE,
               "%s: %s is listed for %s and %s", origin, what, a, b);
  return FALSE;
}

gboolean
ward_nhs_number_is_valid (const char *value)
{
  guint sum = 0;
  guint check;

  if (value == NULL || strlen (value) != 10)
    return FALSE;

  for (guint i = 0; i < 10; i++)
    if (!g_ascii_isdigit (value[i]))
      return FALSE;

  /* Weights 10 down to 2 over the first nine digits; the check digit is
   * 11 minus the remainder mod 11, 11 meaning 0 and 10 never issued.
   */
  for (guint i = 0; i < 9; i++)
    sum += (guint) (value[i] - '0') * (10 - i);

  check = 11 - (sum % 11);
  if (check == 11)
    check = 0;
  if (check == 10)
    return FALSE;

  return check == (guint) (value[9] - '0');
}

/* The v2-0203 code of an identifier's type (a CodeableConcept), or NULL
 * when it has none.  FALSE when the type is not shaped as FHIR says.
 */
static gboolean
read_type_code (JsonObject  *identifier,
                char       **type_code)
{
  JsonNode *node = json_object_get_member (identifier, "type");
  JsonArray *coding;

  *type_code = NULL;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  if (!json_object_has_member (json_node_get_object (node), "coding"))
    return TRUE;
  if (!(coding = member_array (json_node_get_object (node), "coding")))
    return FALSE;

  for (guint i = 0; i < json_array_get_length (coding); i++)
    {
      JsonNode *c = json_array_get_element (coding, i);
      const char *system, *code;

      if (!JSON_NODE_HOLDS_OBJECT (c))
        return FALSE;
      system = member_string (json_node_get_object (c), "system");
      code = member_string (json_node_get_object (c), "code");
      if (g_strcmp0 (system, WARD_IDENTIFIER_SYSTEM_V2_0203) == 0 && code != NULL &&
          *type_code == NULL)
        *type_code = g_strdup (code);
    }

  return TRUE;
}

/* Reads patient.identifier and picks the NHS number and the hospital
 * number among them.  The hospital number is the identifier of the
 * system the file names in hospitalNumberSystem when it names one (MRNs
 * of other hospitals are kept, not shown), else the one typed MR.
 */
static gboolean
read_identifiers (WardWardFile  *self,
                  guint          index,
                  JsonObject    *patient,
                  WardWardBed   *bed,
                  GError       **error)
{
  JsonArray *list;

  bed->identifiers = g_ptr_array_new_with_free_func (identifier_free);

  if (!json_object_has_member (patient, "identifier"))
    return TRUE;
  if (!(list = member_array (patient, "identifier")))
    return bad_bed (error, self->origin, index,
                    "patient.identifier must be a list of identifiers, as FHIR Patient.identifier");
  bed->fhir_identifiers = json_node_copy (json_object_get_member (patient, "identifier"));

  for (guint k = 0; k < json_array_get_length (list); k++)
    {
      JsonNode *node = json_array_get_element (list, k);
      WardPatientIdentifier *id;
      JsonObject *obj;
      const char *system = NULL, *value;
      gboolean is_mrn;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_bed (error, self->origin, index, "patient.identifier[%u]: not an object", k);
      obj = json_node_get_object (node);
      if (!(value = member_string (obj, "value")) || *value == '\0')
        return bad_bed (error, self->origin, index,
                        "patient.identifier[%u].value (a string) is required", k);
      if (json_object_has_member (obj, "system") && !(system = member_string (obj, "system")))
        return bad_bed (error, self->origin, index,
                        "patient.identifier[%u].system must be a string (a URI)", k);

      id = g_new0 (WardPatientIdentifier, 1);
      id->system = g_strdup (system);
      id->value = g_strdup (value);
      g_ptr_array_add (bed->identifiers, id);
      if (!read_type_code (obj, &id->type_code))
        return bad_bed (error, self->origin, index,
                        "patient.identifier[%u].type must be a CodeableConcept "
                        "({\"coding\": [{\"system\": …, \"code\": …}]})", k);

      if (g_strcmp0 (system, WARD_IDENTIFIER_SYSTEM_NHS_NUMBER) == 0)
        {
          if (!ward_nhs_number_is_valid (value))
            return bad_bed (error, self->origin, index,
                            "patient.identifier[%u]: not a valid NHS number (ten digits, "
                            "no spaces, the last the modulus-11 check digit of the others)", k);
          if (bed->nhs_number != NULL && strcmp (bed->nhs_number, value) != 0)
            return bad_bed (error, self->origin, index,
                            "patient.identifier[%u]: a second, different NHS number", k);
          g_free (bed->nhs_number);
          bed->nhs_number = g_strdup (value);
          continue;
        }

      if (self->hospital_number_system != NULL)
        is_mrn = g_strcmp0 (system, self->hospital_number_system) == 0;
      else
        is_mrn = g_strcmp0 (id->type_code, WARD_IDENTIFIER_TYPE_MRN) == 0;

      if (!is_mrn)
        continue;
      if (bed->hospital_number != NULL && strcmp (bed->hospital_number, value) != 0)
        return bad_bed (error, self->origin, index,
                        "patient.identifier[%u]: a second, different hospital number%s", k,
                        self->hospital_number_system != NULL ? "" :
                        " (type MR); name your hospital's system in \"hospitalNumberSystem\"");
      g_free (bed->hospital_number);
      bed->hospital_number = g_strdup (value);
    }

  return TRUE;
}

static gboolean
read_bed (WardWardFile  *self,
          guint          index,
          JsonNode      *node,
          WardWardBed  **bed_out,
          GError       **error)
{
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_free);
  WardWardBed *bed;
  JsonObject *obj, *patient;
  JsonArray *list = NULL;
  const char *bed_id, *label, *patient_id, *birth_date = NULL;
  int scale = 1;

  *bed_out = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return bad_bed (error, self->origin, index, "not an object");
  obj = json_node_get_object (node);
  if (!(bed_id = member_string (obj, "id")))
    return bad_bed (error, self->origin, index, "\"id\" (a string) is required");
  if (!(label = member_string (obj, "label")))
    label = bed_id;
  if (!(patient = member_object (obj, "patient")))
    return bad_bed (error, self->origin, index, "\"patient\" (an object) is required");
  if (!(patient_id = member_string (patient, "id")))
    return bad_bed (error, self->origin, index, "patient.id (a string) is required");
  if (json_object_has_member (patient, "spo2_scale"))
    {
      JsonNode *scale_node = json_object_get_member (patient, "spo2_scale");

      if (!JSON_NODE_HOLDS_VALUE (scale_node) ||
          json_node_get_value_type (scale_node) != G_TYPE_INT64)
        return bad_bed (error, self->origin, index, "patient.spo2_scale must be 1 or 2");
      scale = (int) json_node_get_int (scale_node);
    }
  if (scale != 1 && scale != 2)
    return bad_bed (error, self->origin, index, "patient.spo2_scale must be 1 or 2");
  if (json_object_has_member (patient, "birthDate") &&
      !ward_birth_date_is_valid (birth_date = member_string (patient, "birthDate")))
    return bad_bed (error, self->origin, index,
                    "patient.birthDate must be a date: \"YYYY-MM-DD\" (or \"YYYY-MM\", \"YYYY\")");
  if (json_object_has_member (obj, "devices") && !(list = member_array (obj, "devices")))
    return bad_bed (error, self->origin, index, "\"devices\" must be an array of device ids");

  for (guint k = 0; list != NULL && k < json_array_get_length (list); k++)
    {
      JsonNode *dev = json_array_get_element (list, k);

      if (!JSON_NODE_HOLDS_VALUE (dev) || json_node_get_value_type (dev) != G_TYPE_STRING ||
          *json_node_get_string (dev) == '\0')
        return bad_bed (error, self->origin, index, "devices[%u]: not a device id (a string)", k);
      g_ptr_array_add (devices, g_strdup (json_node_get_string (dev)));
    }
  g_ptr_array_add (devices, NULL);

  bed = g_new0 (WardWardBed, 1);
  bed->bed_id = g_strdup (bed_id);
  bed->bed_label = g_strdup (label);
  bed->patient_id = g_strdup (patient_id);
  bed->patient_name = g_strdup (member_string (patient, "name"));
  bed->spo2_scale = scale;
  bed->birth_date = g_strdup (birth_date);
  bed->device_ids = (GStrv) g_ptr_array_steal (devices, NULL);

  if (!read_identifiers (self, index, patient, bed, error))
    {
      bed_free (bed);
      return FALSE;
    }

  *bed_out = bed;
  return TRUE;
}

/* One bed, one patient, one device each: every id, and every NHS and
 * hospital number, in one place only.
 */
static gboolean
check_unique (WardWardFile  *self,
              GError       **error)
{
  g_autoptr(GHashTable) bed_ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) devices = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) nhs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) mrn = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->beds->len; i++)
    {
      WardWardBed *bed = g_ptr_array_index (self->beds, i);
      WardWardBed *other;

      if (g_hash_table_contains (bed_ids, bed->bed_id))
        {
          guint first = GPOINTER_TO_UINT (g_hash_table_lookup (bed_ids, bed->bed_id));

          g_set_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_DUPLICATE,
                       "%s: bed %s is listed twice (beds[%u] and beds[%u])", self->origin,
                       bed->bed_id, first, i);
          return FALSE;
        }
      g_hash_table_insert (bed_ids, bed->bed_id, GUINT_TO_POINTER (i));

      if ((other = g_hash_table_lookup (self->by_patient, bed->patient_id)) != NULL)
        {
          g_autofree char *what = g_strdup_printf ("Patient %s", bed->patient_id);

          return refuse_twice (error, self->origin, what, other, bed);
        }
      g_hash_table_insert (self->by_patient, bed->patient_id, bed);

      /* The same person under two patient ids is a patient in two beds
       * too.  The numbers themselves stay out of the message.
       */
      if (bed->nhs_number != NULL)
        {
          if ((other = g_hash_table_lookup (nhs, bed->nhs_number)) != NULL)
            {
              g_autofree char *what = g_strdup_printf ("The same NHS number (patients %s and %s)",
                                                       other->patient_id, bed->patient_id);

              return refuse_twice (error, self->origin, what, other, bed);
            }
          g_hash_table_insert (nhs, bed->nhs_number, bed);
        }
      if (bed->hospital_number != NULL)
        {
          if ((other = g_hash_table_lookup (mrn, bed->hospital_number)) != NULL)
            {
              g_autofree char *what = g_strdup_printf ("The same hospital number (patients %s and %s)",
                                                       other->patient_id, bed->patient_id);

              return refuse_twice (error, self->origin, what, other, bed);
            }
          g_hash_table_insert (mrn, bed->hospital_number, bed);
        }

      for (guint k = 0; bed->device_ids[k] != NULL; k++)
        {
          const char *device_id = bed->device_ids[k];

          other = g_hash_table_lookup (devices, device_id);
          if (other == bed)
            continue;  /* listed twice in the same bed: harmless */
          if (other != NULL)
            {
              g_autofree char *what = g_strdup_printf ("Device %s", device_id);

              return refuse_twice (error, self->origin, what, other, bed);
            }
          g_hash_table_insert (devices, (gpointer) device_id, bed);
        }
    }

  return TRUE;
}

static gboolean
load (WardWardFile  *self,
      JsonParser    *parser,
      GError       **error)
{
  JsonNode *root_node = json_parser_get_root (parser);
  JsonObject *root;
  JsonArray *beds;

  if (root_node == NULL || !JSON_NODE_HOLDS_OBJECT (root_node) ||
      !(root = json_node_get_object (root_node)) ||
      !(beds = member_array (root, "beds")))
    {
      g_set_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID,
                   "%s: expected an object with a \"beds\" array", self->origin);
      return FALSE;
    }

  if (json_object_has_member (root, "name"))
    {
      const char *name = member_string (root, "name");

      if (name == NULL || *name == '\0' || g_utf8_strlen (name, -1) > WARD_WARD_FILE_MAX_NAME ||
          !g_utf8_validate (name, -1, NULL))
        {
          g_set_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID,
                       "%s: \"name\" must be the ward's name, 1 to %d characters",
                       self->origin, WARD_WARD_FILE_MAX_NAME);
          return FALSE;
        }
      self->name = g_strdup (name);
    }

  if (json_object_has_member (root, "hospitalNumberSystem"))
    {
      const char *system = member_string (root, "hospitalNumberSystem");

      if (system == NULL || *system == '\0')
        {
          g_set_error (error, WARD_WARD_FILE_ERROR, WARD_WARD_FILE_ERROR_INVALID,
                       "%s: \"hospitalNumberSystem\" must be a string (the URI of the "
                       "hospital's identifier system)", self->origin);
          return FALSE;
        }
      self->hospital_number_system = g_strdup (system);
    }

  for (guint i = 0; i < json_array_get_length (beds); i++)
    {
      WardWardBed *bed;

      if (!read_bed (self, i, json_array_get_element (beds, i), &bed, error))
        return FALSE;
      g_ptr_array_add (self->beds, bed);
    }

  return check_unique (self, error);
}

static void
ward_ward_file_finalize (GObject *object)
{
  WardWardFile *self = (WardWardFile *) object;

  g_clear_pointer (&self->by_patient, g_hash_table_unref);
  g_clear_pointer (&self->beds, g_ptr_array_unref);
  g_clear_pointer (&self->hospital_number_system, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->origin, g_free);

  G_OBJECT_CLASS (ward_ward_file_parent_class)->finalize (object);
}

static void
ward_ward_file_class_init (WardWardFileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ward_ward_file_finalize;
}

static void
ward_ward_file_init (WardWardFile *self)
{
  self->beds = g_ptr_array_new_with_free_func (bed_free);
  self->by_patient = g_hash_table_new (g_str_hash, g_str_equal);
}

WardWardFile *
ward_ward_file_new_from_data (const char  *data,
                              gssize       length,
                              const char  *origin,
                              GError     **error)
{
  g_autoptr(WardWardFile) self = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (origin != NULL, NULL);

  self = g_object_new (WARD_TYPE_WARD_FILE, NULL);
  self->origin = g_strdup (origin);

  if (!json_parser_load_from_data (parser, data, length, error))
    {
      g_prefix_error (error, "%s: ", origin);
      return NULL;
    }

  if (!load (self, parser, error))
    return NULL;

  return g_steal_pointer (&self);
}

WardWardFile *
ward_ward_file_new_from_file (const char  *path,
                              GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  return ward_ward_file_new_from_data (data, (gssize) length, path, error);
}

const char *
ward_ward_file_get_name (WardWardFile *self)
{
  g_return_val_if_fail (WARD_IS_WARD_FILE (self), NULL);

  return self->name;
}

guint
ward_ward_file_get_n_beds (WardWardFile *self)
{
  g_return_val_if_fail (WARD_IS_WARD_FILE (self), 0);

  return self->beds->len;
}

const WardWardBed *
ward_ward_file_get_bed (WardWardFile *self,
                        guint         index)
{
  g_return_val_if_fail (WARD_IS_WARD_FILE (self), NULL);
  g_return_val_if_fail (index < self->beds->len, NULL);

  return g_ptr_array_index (self->beds, index);
}

const WardWardBed *
ward_ward_file_find_patient (WardWardFile *self,
                             const char   *patient_id)
{
  g_return_val_if_fail (WARD_IS_WARD_FILE (self), NULL);

  if (patient_id == NULL)
    return NULL;

  return g_hash_table_lookup (self->by_patient, patient_id);
}

gboolean
ward_ward_file_register (WardWardFile  *self,
                         WardEngine    *engine,
                         GError       **error)
{
  g_return_val_if_fail (WARD_IS_WARD_FILE (self), FALSE);
  g_return_val_if_fail (WARD_IS_ENGINE (engine), FALSE);

  /* The summary view and the shift report name the ward by it. */
  if (self->name != NULL &&
      !ward_store_set_setting (ward_engine_get_store (engine), WARD_SUMMARY_WARD_NAME_KEY,
                               self->name, error))
    return FALSE;

  for (guint i = 0; i < self->beds->len; i++)
    {
      const WardWardBed *bed = g_ptr_array_index (self->beds, i);

      if (!ward_engine_register_bed (engine, bed->bed_id, bed->bed_label, bed->patient_id,
                                     bed->patient_name, NULL, bed->spo2_scale, error))
        return FALSE;
      if (bed->birth_date != NULL &&
          !ward_engine_set_birth_date (engine, bed->patient_id, bed->birth_date, error))
        return FALSE;
      if (bed->fhir_identifiers != NULL &&
          !ward_engine_set_identifiers (engine, bed->patient_id, bed->hospital_number,
                                        bed->nhs_number, bed->fhir_identifiers, error))
        return FALSE;

      for (guint k = 0; bed->device_ids[k] != NULL; k++)
        {
          if (!ward_engine_assign_device (engine, bed->device_ids[k], bed->patient_id, error))
            return FALSE;
        }
    }

  return TRUE;
}
