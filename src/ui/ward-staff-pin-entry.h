/* ward-staff-pin-entry.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "ward-staff.h"

G_BEGIN_DECLS

#define WARD_TYPE_STAFF_PIN_ENTRY (ward_staff_pin_entry_get_type ())
G_DECLARE_FINAL_TYPE (WardStaffPinEntry, ward_staff_pin_entry, WARD, STAFF_PIN_ENTRY, GtkWidget)

/* The staff PIN entry of the Switch User dialog and the kiosk's PIN
 * prompt: the staff who can switch in (members with a PIN, "Ada Nwosu
 * (Bed nurse)"), the PIN field and the message under it, which a screen
 * reader says at once.  "activate" is emitted when Enter is pressed in
 * the PIN field; what a PIN opens is the dialog's business.
 */
GtkWidget  *ward_staff_pin_entry_new            (void);
/* Lists the members of staff (may be NULL) who have a PIN; the list
 * hides itself when there are none.  Returns how many.
 */
guint       ward_staff_pin_entry_set_staff      (WardStaffPinEntry *self,
                                                 WardStaff         *staff);
void        ward_staff_pin_entry_select         (WardStaffPinEntry *self,
                                                 const char        *staff_id);
/* The id of the member picked, or NULL. */
const char *ward_staff_pin_entry_get_selected   (WardStaffPinEntry *self);
const char *ward_staff_pin_entry_get_pin        (WardStaffPinEntry *self);
/* The PIN is never left in the field for the next person to see. */
void        ward_staff_pin_entry_clear_pin      (WardStaffPinEntry *self);
void        ward_staff_pin_entry_set_pin_title  (WardStaffPinEntry *self,
                                                 const char        *title);
/* message NULL hides it. */
void        ward_staff_pin_entry_show_error     (WardStaffPinEntry *self,
                                                 const char        *message);
/* The message shown, or NULL. */
const char *ward_staff_pin_entry_get_error      (WardStaffPinEntry *self);
GtkWidget  *ward_staff_pin_entry_get_pin_row    (WardStaffPinEntry *self);
GtkWidget  *ward_staff_pin_entry_get_staff_row  (WardStaffPinEntry *self);

G_END_DECLS
