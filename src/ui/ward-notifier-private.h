/* ward-notifier-private.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-notifier.h"

G_BEGIN_DECLS

/* For benchmarks and tests only: not part of the notifier's API. */

/**
 * WardNotifierSentHook:
 * @self: the notifier
 * @flag_ids: the flags the notification is about: one for a flag's own
 *   notification, every flag listed for a storm's summary
 * @n_flag_ids: how many
 * @delivered: whether the notification server took it (libnotify's
 *   call returned without an error)
 * @user_data: what the hook was set with
 *
 * Called right after a notification was handed to libnotify (shown, or
 * shown again when its flag escalated): the end of the way from a
 * monitor's value to the desktop notification.
 */
typedef void (*WardNotifierSentHook) (WardNotifier *self,
                                      const gint64 *flag_ids,
                                      guint         n_flag_ids,
                                      gboolean      delivered,
                                      gpointer      user_data);

void  _ward_notifier_set_sent_hook  (WardNotifier         *self,
                                     WardNotifierSentHook  hook,
                                     gpointer              user_data);

G_END_DECLS
