#!/usr/bin/python3
# check-kiosk-unit.py: the kiosk's systemd user unit, as systemd reads it.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-kiosk-unit.py UNIT.in WARDWATCH
#
# Makes the unit with ExecStart pointing at the built wardwatch, has
# `systemd-analyze --user verify` read it (any complaint fails: an
# unknown key or a bad value is ignored by systemd, silently, on the
# station), and checks what docs/KIOSK.md promises: restarted always,
# never given up on, started with --kiosk on one fixed --db, stopped with
# SIGTERM.  Skipped (77) without systemd-analyze.

import os
import shutil
import subprocess
import sys
import tempfile


def main():
    unit_in, wardwatch = sys.argv[1], sys.argv[2]
    analyze = shutil.which('systemd-analyze')
    if analyze is None:
        print('systemd-analyze not found: skipped')
        return 77

    with open(unit_in, encoding='utf-8') as f:
        text = f.read()
    text = text.replace('@BINDIR@/wardwatch', wardwatch)

    keys = {}
    for line in text.splitlines():
        if '=' in line and not line.startswith('#'):
            key, value = line.split('=', 1)
            keys.setdefault(key, []).append(value)

    failures = []

    def expect(key, value):
        if value not in keys.get(key, []):
            failures.append(f'{key}={value} missing (has {keys.get(key)})')

    expect('Restart', 'always')
    expect('StartLimitIntervalSec', '0')
    expect('KillSignal', 'SIGTERM')
    expect('WantedBy', 'graphical-session.target')
    exec_start = keys.get('ExecStart', [''])[0].split()
    if '--kiosk' not in exec_start:
        failures.append('ExecStart has no --kiosk')
    if '--db=${WARDWATCH_DB}' not in exec_start:
        failures.append('ExecStart has no fixed --db')
    if not any(v.startswith('WARDWATCH_DB=') for v in keys.get('Environment', [])):
        failures.append('no WARDWATCH_DB given')

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'wardwatch-kiosk.service')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        runtime = os.path.join(tmp, 'runtime')
        os.mkdir(runtime, 0o700)
        env = dict(os.environ, XDG_RUNTIME_DIR=runtime, HOME=tmp)
        result = subprocess.run([analyze, '--user', 'verify', path], env=env, cwd=tmp,
                                capture_output=True, text=True)
        output = (result.stdout + result.stderr).strip()
        print(output)
        if result.returncode != 0 or output:
            failures.append(f'systemd-analyze verify: exit {result.returncode}: {output}')

    for failure in failures:
        print('FAIL:', failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
