/* ward-a11y.c
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ward-a11y"

#include "config.h"

#include "ward-a11y.h"

#include <string.h>

/*
 * Names for screen readers where GTK 4.8 gives a wrong one.
 *
 *  - gtk_button_set_label() copies the label, mnemonic underscore and all,
 *    into the button's accessible label, and AT-SPI then reads the label
 *    and the text inside: "_Confirm Score Confirm Score".  A button with a
 *    mnemonic gets the label without its underscore as its name, again
 *    each time its label changes (code that names a button itself, as the
 *    tiles do, "Acknowledge the flag of Bed 4", does so after setting the
 *    label, so its name stays).
 *  - A GtkMenuButton with only an icon has no name, and neither has the
 *    toggle button inside it that AT-SPI shows: both were heard as
 *    "GtkMenuButton".  They take the menu button's tooltip, which says
 *    what the menu is ("Main Menu", "Sort and Filter").
 *
 * Icon-only plain buttons are named in their .ui files.
 */

#define NAMED_KEY "ward-a11y-named"

/**
 * ward_a11y_strip_mnemonic:
 * @label: a label with mnemonics, "_Confirm Score"
 *
 * Returns: (transfer full): the label as shown, "Confirm Score"; a
 *   doubled underscore is a literal one
 */
char *
ward_a11y_strip_mnemonic (const char *label)
{
  GString *text;

  g_return_val_if_fail (label != NULL, NULL);

  text = g_string_sized_new (strlen (label));
  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == '_')
        {
          if (p[1] != '_')
            continue;
          p++;
        }
      g_string_append_c (text, *p);
    }

  return g_string_free (text, FALSE);
}

static void
update_button_name (GtkButton *button)
{
  const char *label = gtk_button_get_label (button);
  g_autofree char *name = NULL;

  if (label == NULL || !gtk_button_get_use_underline (button))
    return;

  name = ward_a11y_strip_mnemonic (label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
}

static void
button_label_changed_cb (GtkButton  *button,
                         GParamSpec *pspec,
                         gpointer    user_data)
{
  update_button_name (button);
}

/**
 * ward_a11y_name_button:
 * @button: a button whose label may have a mnemonic
 *
 * Names @button for screen readers by its label without the mnemonic's
 * underscore, now and whenever the label changes.
 */
void
ward_a11y_name_button (GtkButton *button)
{
  g_return_if_fail (GTK_IS_BUTTON (button));

  if (g_object_get_data (G_OBJECT (button), NAMED_KEY) != NULL)
    return;

  g_object_set_data (G_OBJECT (button), NAMED_KEY, GINT_TO_POINTER (TRUE));
  g_signal_connect (button, "notify::label", G_CALLBACK (button_label_changed_cb), NULL);
  g_signal_connect (button, "notify::use-underline", G_CALLBACK (button_label_changed_cb), NULL);
  update_button_name (button);
}

/* A menu button, or a drop-down (which GTK 4.8 names by its type, as
 * its toggle inside), takes its label without the mnemonic, else its
 * tooltip.
 */
static void
name_popup_button (GtkWidget *menu_button)
{
  const char *label = NULL;
  g_autofree char *name = NULL;

  if (GTK_IS_MENU_BUTTON (menu_button))
    label = gtk_menu_button_get_label (GTK_MENU_BUTTON (menu_button));
  if (label != NULL)
    name = ward_a11y_strip_mnemonic (label);
  else
    name = g_strdup (gtk_widget_get_tooltip_text (menu_button));

  if (name == NULL || name[0] == '\0')
    return;

  gtk_accessible_update_property (GTK_ACCESSIBLE (menu_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                  -1);
  /* AT-SPI shows the toggle button inside, the one that takes the focus. */
  for (GtkWidget *inner = gtk_widget_get_first_child (menu_button);
       inner != NULL;
       inner = gtk_widget_get_next_sibling (inner))
    if (GTK_IS_BUTTON (inner))
      gtk_accessible_update_property (GTK_ACCESSIBLE (inner),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
}

/**
 * ward_a11y_name_buttons:
 * @root: a widget, usually a window or a view just built from its template
 *
 * Names every button with a mnemonic (ward_a11y_name_button()), every
 * menu button and every drop-down under @root, @root included.
 */
void
ward_a11y_name_buttons (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_MENU_BUTTON (root) || GTK_IS_DROP_DOWN (root))
    {
      name_popup_button (root);
      return;
    }

  if (GTK_IS_BUTTON (root) && gtk_button_get_use_underline (GTK_BUTTON (root)))
    ward_a11y_name_button (GTK_BUTTON (root));

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ward_a11y_name_buttons (child);
}

static void
banner_revealed_cb (GtkRevealer *revealer)
{
  GtkWidget *child = gtk_revealer_get_child (revealer);

  if (child == NULL)
    return;

  if (gtk_revealer_get_reveal_child (revealer))
    gtk_widget_set_visible (child, TRUE);
  else if (!gtk_revealer_get_child_revealed (revealer))
    gtk_widget_set_visible (child, FALSE);
}

/**
 * ward_a11y_banner_revealer:
 * @revealer: the revealer of a banner (an alert labelled by its title)
 *
 * A concealed revealer's child stays in the accessibility tree, where a
 * banner with no title yet is an alert named "GtkLabel".  This hides the
 * child while the revealer conceals it (after the slide has ended) and
 * shows it before it slides in, so that assistive technologies meet the
 * banner only while it is on screen, and meet it new each time.
 */
void
ward_a11y_banner_revealer (GtkRevealer *revealer)
{
  g_return_if_fail (GTK_IS_REVEALER (revealer));

  g_signal_connect (revealer, "notify::reveal-child", G_CALLBACK (banner_revealed_cb), NULL);
  g_signal_connect (revealer, "notify::child-revealed", G_CALLBACK (banner_revealed_cb), NULL);
  banner_revealed_cb (revealer);
}
