#!/usr/bin/python3
# check-profile.py: the build profile (-Dprofile) as a user meets it: the
# application id in `wardwatch --version`, the desktop file (its icon) and
# the AppStream metainfo (its id and launchable) all name the id meson
# configured, and the GSettings schema keeps the base id.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-profile.py PROFILE APP_ID WARDWATCH DESKTOP-FILE METAINFO-FILE SCHEMA-FILE

import re
import subprocess
import sys
import xml.etree.ElementTree as ET

profile, app_id, wardwatch, desktop, metainfo, schema = sys.argv[1:7]
n = 0
failed = 0


def check(ok, label, why):
    global n, failed
    n += 1
    if ok:
        print(f"ok {n} - {label}")
    else:
        failed += 1
        print(f"not ok {n} - {label}: {why}")


want_id = "io.github.wardwatch.Wardwatch" + (".Devel" if profile == "development" else "")
check(app_id == want_id, f"profile {profile} has the id {want_id}", f"meson says {app_id}")

version = subprocess.run([wardwatch, "--version"], check=True, capture_output=True,
                         text=True).stdout.splitlines()
check(len(version) == 2 and version[1] == f"build profile {profile} ({app_id})",
      "wardwatch --version names the profile", repr(version))

with open(desktop, encoding="utf-8") as f:
    icon = re.search(r"^Icon=(.*)$", f.read(), re.M)
check(icon is not None and icon.group(1) == app_id, "the desktop file's icon is the id",
      icon.group(1) if icon else "no Icon=")

root = ET.parse(metainfo).getroot()
check(root.findtext("id") == app_id, "the metainfo's id", root.findtext("id"))
check(root.findtext("launchable") == f"{app_id}.desktop", "the metainfo's launchable",
      root.findtext("launchable"))

ids = [s.get("id") for s in ET.parse(schema).getroot().iter("schema")]
check("io.github.wardwatch.Wardwatch" in ids and not any(i.endswith(".Devel") for i in ids),
      "the settings schema keeps the base id in every profile", repr(ids))

print(f"1..{n}")
sys.exit(1 if failed else 0)
