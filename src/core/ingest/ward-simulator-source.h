/* ward-simulator-source.h
 *
 * Copyright 2026 The Wardwatch authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "ward-device-source.h"
#include "ward-sink.h"

G_BEGIN_DECLS

/* The in-process demo simulator as a WardDeviceSource, a stepped one.
 * The pipeline owns the WardSimulator (it registers the demo ward from
 * its beds) and steps it inside each tick, so that its events land in
 * the same transaction as the scores they lead to and a seed gives the
 * same run.  start() lets the simulated monitors' messages into those
 * ticks, stop() unplugs them: what they measure meanwhile is never sent,
 * and the pipeline, its clock and the simulated nurses go on.
 *
 * The durability point of this source is the tick's commit: there is no
 * sender to acknowledge to.  Its status counts the device messages
 * stepped in (received) and those of them committed.  Status from any
 * thread.
 */
#define WARD_TYPE_SIMULATOR_SOURCE (ward_simulator_source_get_type ())
G_DECLARE_FINAL_TYPE (WardSimulatorSource, ward_simulator_source, WARD, SIMULATOR_SOURCE, GObject)

/* sink: made on a demo pipeline with simulate on; start() fails otherwise. */
WardSimulatorSource *ward_simulator_source_new (WardSink *sink);

G_END_DECLS
