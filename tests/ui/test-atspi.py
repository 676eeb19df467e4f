#!/usr/bin/python3
# test-atspi.py: what a screen reader hears, read from the real AT-SPI tree.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Runs the real wardwatch (--demo) with GTK_A11Y=atspi on an Xvfb of its
# own and the session bus the harness gives (dbus-run-session: the bus
# starts at-spi-bus-launcher and at-spi2-registryd on demand), walks the
# accessible tree with pyatspi and fails on a control a screen reader
# cannot name: a button, toggle, menu item, check box or radio button (or
# a window) with no name, with a GType name as its name (what GTK says when it has
# nothing else, "GtkMenuButton"), or with a mnemonic's underscore in it
# ("_Confirm Score").  It walks the board, a patient's view, the care-team
# view and the ward summary, opened as a user would: the patient as a
# notification's Open Patient does, the care view from the header bar's
# button, the summary from the main menu.
#
# Then it brings up each banner (the FHIR sync strip, the store alarm,
# the watchdog's) and checks that a screen reader hears an alert named by
# the banner's title, not "GtkBox".
#
# Then it starts the window in French and in Korean (LANGUAGE with the
# C.UTF-8 locale, the build's own catalogues through WARDWATCH_LOCALEDIR)
# and checks that a tile names its bed in that language.
#
# Usage: test-atspi.py WARDWATCH APP_ID

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

# The accessibility bus's socket goes in XDG_RUNTIME_DIR (meson.build
# gives each test its own); it must exist before pyatspi starts the bus.
if os.environ.get('XDG_RUNTIME_DIR'):
    os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)

import pyatspi  # noqa: E402
from gi.repository import Gio, GLib

ACTIONABLE = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_CHECK_MENU_ITEM,
    pyatspi.ROLE_RADIO_MENU_ITEM, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_LINK,
}
# A window is announced by its title.
WINDOWS = {pyatspi.ROLE_FRAME, pyatspi.ROLE_DIALOG}
TYPE_NAME = re.compile(r'^(Gtk|Adw|Ward)[A-Z]\w*$')
MNEMONIC = re.compile(r'_[^\W_]')

tap_n = 0
tap_failed = 0


def tap(ok, what, details=()):
    global tap_n, tap_failed
    tap_n += 1
    if not ok:
        tap_failed += 1
    print('%s %d - %s' % ('ok' if ok else 'not ok', tap_n, what), flush=True)
    for line in details:
        print('# ' + line, flush=True)


def wait_for(what, predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except SystemError:
            raise
        except Exception:  # the tree changes under us: try again
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError('timed out waiting for ' + what)


def children(node):
    try:
        return [c for c in node if c is not None]
    except Exception:
        return []


def walk(node, path=()):
    try:
        role, name = node.getRole(), node.name or ''
    except Exception:
        return
    yield node, role, name, path
    for child in children(node):
        yield from walk(child, path + (name or node.getRoleName(),))


def find(root, role=None, name=None, pattern=None):
    for node, r, n, _ in walk(root):
        if role is not None and r != role:
            continue
        if name is not None and n != name:
            continue
        if pattern is not None and not re.search(pattern, n):
            continue
        return node
    return None


def activate_action(app_id, name, parameter):
    """Runs one of the application's actions over the session bus, as
    `gapplication action` does."""
    bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
    path = '/' + app_id.replace('.', '/')
    bus.call_sync(app_id, path, 'org.gtk.Actions', 'Activate',
                  GLib.Variant('(sava{sv})', (name, [parameter], {})),
                  None, Gio.DBusCallFlags.NONE, 10000, None)


def click(node):
    """Clicks @node, or the first control inside it that can be clicked
    (a GtkMenuButton's toggle button)."""
    for candidate, _, _, _ in walk(node):
        try:
            action = candidate.queryAction()
        except NotImplementedError:
            continue
        if action.nActions > 0:
            action.doAction(0)
            return
    raise AssertionError('%s %r cannot be clicked' % (node.getRoleName(), node.name))


def start(wardwatch, tmp, language=None, extra=()):
    env = dict(os.environ)
    env.pop('NO_AT_BRIDGE', None)
    env.update(GTK_A11Y='atspi', HOME=tmp, XDG_DATA_HOME=tmp + '/data',
               XDG_CONFIG_HOME=tmp + '/config', XDG_CACHE_HOME=tmp + '/cache',
               GTK_USE_PORTAL='0', GSETTINGS_BACKEND='memory')
    if language is not None:
        env.update(LANGUAGE=language, LC_ALL='C.UTF-8')
    else:
        env.update(LANGUAGE='', LC_ALL='C.UTF-8')
    db = os.path.join(tmp, 'ward-%s.sqlite' % (language or 'C'))
    return subprocess.Popen([wardwatch, '--demo', '--beds=4', '--db=' + db] + list(extra), env=env)


def application(process, timeout=60):
    def found():
        if process.poll() is not None:
            raise SystemError('wardwatch exited with status %d before its window '
                              'reached the AT-SPI bus' % process.returncode)
        for app in children(pyatspi.Registry.getDesktop(0)):
            try:
                if app.get_process_id() == process.pid and app.childCount > 0:
                    return app
            except Exception:
                pass
        return None
    return wait_for('the application on the AT-SPI bus', found, timeout)


def check_names(app, where):
    bad = []
    n = 0
    for node, role, name, path in walk(app):
        if role not in ACTIONABLE and role not in WINDOWS:
            continue
        n += 1
        problem = None
        if name.strip() == '':
            problem = 'no name'
        elif TYPE_NAME.match(name):
            problem = 'a type name'
        elif MNEMONIC.search(name):
            problem = 'a mnemonic underscore'
        if problem:
            bad.append('%s %r has %s (in %s)' % (node.getRoleName(), name, problem,
                                                  ' > '.join(p for p in path[-4:] if p)))
    tap(n > 0 and not bad, '%s: %u controls, each named for a screen reader' % (where, n), bad)


def walk_views(wardwatch, app_id, tmp):
    process = start(wardwatch, tmp)
    try:
        app = application(process)
        frame = wait_for('the main window', lambda: find(app, pyatspi.ROLE_FRAME))
        tile = wait_for('a bed tile', lambda: find(frame, pyatspi.ROLE_TABLE_CELL, pattern=r'^Bed 1\b'))
        check_names(app, 'the ward board')

        # A patient's view, opened as a notification's Open Patient does
        # (GTK 4.8 gives a flow box child no AT-SPI action to click).
        activate_action(app_id, 'open-patient', GLib.Variant('s', 'sim-patient-01'))
        wait_for('the patient view', lambda: find(frame, pyatspi.ROLE_PUSH_BUTTON,
                                                  name='Back to the Ward Board'))
        check_names(app, 'a patient view')

        # The care-team view, from the header bar's button.
        click(find(frame, pyatspi.ROLE_PUSH_BUTTON, name='Care Team'))
        wait_for('the care-team view', lambda: find(app, pyatspi.ROLE_FRAME, name='Care Team'))
        check_names(app, 'the care-team view')

        # The ward summary, from the main menu.
        click(find(frame, pyatspi.ROLE_PUSH_BUTTON, name='Main Menu')
              or find(frame, pyatspi.ROLE_TOGGLE_BUTTON, name='Main Menu'))
        item = wait_for('the main menu', lambda: find(app, pyatspi.ROLE_MENU_ITEM,
                                                      pattern=r'^Ward Summary'))
        click(item)
        wait_for('the ward summary', lambda: find(app, pyatspi.ROLE_FRAME, name='Ward Summary'))
        check_names(app, 'the ward summary')
    finally:
        process.terminate()
        process.wait(timeout=30)


# GTK maps GTK_ACCESSIBLE_ROLE_ALERT to AT-SPI's notification role; an
# "alert" is also what a screen reader announces at once.
ALERTS = {pyatspi.ROLE_NOTIFICATION, pyatspi.ROLE_ALERT}


def check_banner(app, what, pattern, timeout=60):
    """The banner is an alert whose name is its title (what a screen
    reader says first), not a type name and not empty."""
    try:
        node = wait_for(what, lambda: find(app, name=None, pattern=pattern), timeout=timeout)
    except TimeoutError:
        tap(False, '%s: shown' % what)
        return
    alerts = [n for _, r, n, _ in walk(app) if r in ALERTS]
    named = [n for n in alerts if re.search(pattern, n)]
    # A banner not shown is not in the tree: no alert is a type name.
    unnamed = [n for n in alerts if n.strip() == '' or TYPE_NAME.match(n)]
    tap(len(named) == 1 and not unnamed,
        '%s: an alert named %r' % (what, named[0] if named else None),
        ['alerts: %r' % alerts, 'the text was found on a %s' % node.getRoleName()])


def force_banners(wardwatch, tmp):
    """Each banner brought up by what brings it up at a ward: no FHIR
    server and an outbox over its limit (the sync strip), another program
    holding the database's write lock (the store alarm), and the whole
    process stopped for a few seconds (the watchdog's "was not updating")."""
    tmp = os.path.join(tmp, 'banners')
    os.makedirs(tmp)
    process = start(wardwatch, tmp, extra=['--outbox-limit=1'])
    db = os.path.join(tmp, 'ward-C.sqlite')
    checks = ['the FHIR sync strip', 'the store alarm', 'the watchdog banner']
    try:
        # A loaded machine (the whole suite on two cores) can take long to
        # start a second instance.
        app = application(process, timeout=150)
        frame = wait_for('the main window', lambda: find(app, pyatspi.ROLE_FRAME))
        wait_for('a bed tile', lambda: find(frame, pyatspi.ROLE_TABLE_CELL, pattern=r'^Bed 1\b'))
        checks.pop(0)
        check_banner(app, 'the FHIR sync strip', r'^No FHIR server is configured')

        locker = sqlite3.connect(db, timeout=30, isolation_level=None)
        try:
            locker.execute('BEGIN EXCLUSIVE')
            checks.pop(0)
            check_banner(app, 'the store alarm', r'^Cannot write: the database has been locked',
                         timeout=90)
        finally:
            locker.execute('ROLLBACK')
            locker.close()

        os.kill(process.pid, signal.SIGSTOP)
        time.sleep(4)
        os.kill(process.pid, signal.SIGCONT)
        checks.pop(0)
        check_banner(app, 'the watchdog banner', r'^Display was not updating from')
    except Exception as error:  # the languages are still checked after
        for what in checks:
            tap(False, '%s: %s: %s' % (what, type(error).__name__, error))
    finally:
        process.terminate()
        process.wait(timeout=30)


def check_language(wardwatch, tmp, language, bed_word):
    process = start(wardwatch, tmp, language)
    try:
        app = application(process)
        label = '%s 1' % bed_word
        try:
            wait_for('a tile named %r' % label,
                     lambda: find(app, pyatspi.ROLE_LABEL, name=label), timeout=60)
            tap(True, 'LANGUAGE=%s: the board names its beds "%s N"' % (language, bed_word))
        except TimeoutError:
            seen = sorted({n for _, r, n, _ in walk(app) if r == pyatspi.ROLE_LABEL and n})[:20]
            tap(False, 'LANGUAGE=%s: the board names its beds "%s N"' % (language, bed_word),
                ['labels: ' + ', '.join(seen)])
    finally:
        process.terminate()
        process.wait(timeout=30)


def start_display():
    """An Xvfb of our own.  It picks a free display itself (-displayfd), so
    that tests running side by side never race for one as `xvfb-run -a`
    can."""
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(['Xvfb', '-displayfd', str(write_fd), '-screen', '0', '1280x1024x24',
                               '-nolisten', 'tcp'], pass_fds=(write_fd,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        server.kill()
        sys.exit('Xvfb did not start')
    os.environ['DISPLAY'] = ':' + number
    os.environ.pop('XAUTHORITY', None)
    return server


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: test-atspi.py WARDWATCH APP_ID')
    wardwatch, app_id = sys.argv[1:]
    print('TAP version 13', flush=True)
    print('1..9', flush=True)
    tmp = tempfile.mkdtemp(prefix='test-atspi-')
    display = start_display()
    try:
        walk_views(wardwatch, app_id, tmp)
        force_banners(wardwatch, tmp)
        check_language(wardwatch, tmp, 'fr', 'Lit')
        check_language(wardwatch, tmp, 'ko', '병상')
    except Exception as error:  # a view that did not open, an AT-SPI error
        tap(False, '%s: %s' % (type(error).__name__, error))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        display.terminate()
        display.wait()
    sys.exit(1 if tap_failed or tap_n != 9 else 0)


if __name__ == '__main__':
    main()
