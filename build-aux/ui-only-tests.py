#!/usr/bin/env python3
# ui-only-tests.py: what the ui-asan stage of run-tests.sh builds and runs.
#
# Usage: ui-only-tests.py tests|targets UI-BUILD-DIR NOUI-BUILD-DIR
#
#   tests    the names of the tests the UI build has and the -Dui=false
#            build does not (tests/ui: the window's, the alarm logic's,
#            the AT-SPI runs), one a line: with the noui stage's suite,
#            every test of the project once
#   targets  what those tests need built, as ninja paths relative to
#            UI-BUILD-DIR: the programs they run and depend on, and the
#            data every test reads (compiled schemas, translations, the
#            man pages); not the unit and integration tests, which the
#            noui stage builds and runs
#
# Both build folders must be configured (meson setup); neither needs to
# be built.
import json
import os
import subprocess
import sys


def introspect(build_dir, what):
    out = subprocess.run(['meson', 'introspect', '--' + what, build_dir],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ('tests', 'targets'):
        sys.stderr.write('usage: ui-only-tests.py tests|targets UI-BUILD-DIR NOUI-BUILD-DIR\n')
        return 2
    what, ui_dir, noui_dir = sys.argv[1:]
    noui_names = {t['name'] for t in introspect(noui_dir, 'tests')}
    tests = [t for t in introspect(ui_dir, 'tests') if t['name'] not in noui_names]
    if not tests:
        sys.stderr.write('ui-only-tests: no test in %s that %s lacks\n' % (ui_dir, noui_dir))
        return 1
    if what == 'tests':
        for t in tests:
            print(t['name'])
        return 0

    targets = {t['id']: t for t in introspect(ui_dir, 'targets')}
    wanted = set()
    for t in tests:
        wanted.update(t['depends'])
        # A test whose command is a built program depends on it without
        # naming it.
        for target in targets.values():
            if t['cmd'] and t['cmd'][0] in target['filename']:
                wanted.add(target['id'])
    for target in targets.values():
        if target['type'] == 'custom' and target['build_by_default']:
            wanted.add(target['id'])
    root = os.path.realpath(ui_dir)
    for tid in sorted(wanted):
        for path in targets[tid]['filename']:
            print(os.path.relpath(os.path.realpath(path), root))
    return 0


if __name__ == '__main__':
    sys.exit(main())
