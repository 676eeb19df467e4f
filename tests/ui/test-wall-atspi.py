#!/usr/bin/python3
# test-wall-atspi.py: the wall board at 1920x1080 with 64 beds, as the
# AT-SPI tree reports it.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A station screen: an Xvfb of exactly 1920x1080 with a real window
# manager (openbox), the real wardwatch as a kiosk (full screen, so the
# wall board) with 64 demo beds and GTK_A11Y=atspi.  Every bed's tile
# must be in the accessibility tree and its extents wholly on the screen
# and inside the window: no tile cut at an edge, none to scroll to.
# Skips (exit 77) when openbox cannot start.
#
# Usage: test-wall-atspi.py WARDWATCH

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

# The accessibility bus's socket goes in XDG_RUNTIME_DIR (meson.build
# gives each test its own); it must exist before pyatspi starts the bus.
if os.environ.get('XDG_RUNTIME_DIR'):
    os.makedirs(os.environ['XDG_RUNTIME_DIR'], mode=0o700, exist_ok=True)

import pyatspi  # noqa: E402

WIDTH, HEIGHT, BEDS = 1920, 1080, 64


def wait_for(what, predicate, timeout=90):
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
        time.sleep(0.3)
    raise TimeoutError('timed out waiting for ' + what)


def walk(node):
    try:
        yield node, node.getRole(), node.name or ''
        children = [c for c in node if c is not None]
    except Exception:
        return
    for child in children:
        yield from walk(child)


def start_display():
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(['Xvfb', '-displayfd', str(write_fd), '-screen', '0',
                               '%dx%dx24' % (WIDTH, HEIGHT), '-nolisten', 'tcp'],
                              pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
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
    if len(sys.argv) != 2:
        sys.exit('usage: test-wall-atspi.py WARDWATCH')
    wardwatch = sys.argv[1]
    print('TAP version 13', flush=True)
    tmp = tempfile.mkdtemp(prefix='test-wall-atspi-')
    display = start_display()
    wm = None
    process = None
    failed = False
    try:
        try:
            wm = subprocess.Popen(['openbox', '--sm-disable'], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        except OSError as error:
            print('1..0 # SKIP openbox cannot start: %s' % error, flush=True)
            return 77
        time.sleep(1)
        if wm.poll() is not None:
            print('1..0 # SKIP openbox exited with status %d' % wm.returncode, flush=True)
            return 77
        print('1..1', flush=True)

        env = dict(os.environ)
        env.pop('NO_AT_BRIDGE', None)
        env.update(GTK_A11Y='atspi', HOME=tmp, XDG_DATA_HOME=tmp + '/data',
                   XDG_CONFIG_HOME=tmp + '/config', XDG_CACHE_HOME=tmp + '/cache',
                   GTK_USE_PORTAL='0', GSETTINGS_BACKEND='memory', LANGUAGE='',
                   LC_ALL='C.UTF-8')
        process = subprocess.Popen([wardwatch, '--demo', '--kiosk', '--beds=%d' % BEDS,
                                    '--db=' + os.path.join(tmp, 'ward.sqlite')], env=env)

        def application():
            if process.poll() is not None:
                raise SystemError('wardwatch exited with status %d' % process.returncode)
            for app in pyatspi.Registry.getDesktop(0):
                if app is not None and app.get_process_id() == process.pid and app.childCount > 0:
                    return app
            return None

        app = wait_for('the application on the AT-SPI bus', application)

        def tiles():
            found = [n for n, r, name in walk(app)
                     if r == pyatspi.ROLE_TABLE_CELL and re.match(r'^Bed \d+\b', name)]
            return found if len(found) >= BEDS else None

        # The layout settles on the full-screen size before the extents are
        # read.  The tree changes while it is walked (a tile's name follows
        # its bed's news), so one walk can catch a tile twice or miss one:
        # the check is made on a walk that saw every bed once.
        wait_for('%d bed tiles' % BEDS, tiles)
        time.sleep(3)
        frame = next(n for n, r, _ in walk(app) if r == pyatspi.ROLE_FRAME)
        fx, fy, fw, fh = frame.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        # GTK reports the frame's content, inside the window's own edge.
        print('# the kiosk window: %dx%d at %d,%d on the %dx%d screen'
              % (fw, fh, fx, fy, WIDTH, HEIGHT), flush=True)

        def measure():
            bad = []
            names = set()
            for cell in tiles() or []:
                x, y, w, h = cell.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
                name = re.match(r'^Bed \d+', cell.name).group(0)
                names.add(name)
                if w <= 0 or h <= 0 or x < max(0, fx) or y < max(0, fy) or \
                   x + w > min(WIDTH, fx + fw) or y + h > min(HEIGHT, fy + fh):
                    bad.append('%s at %d,%d %dx%d' % (name, x, y, w, h))
            return names, bad

        for attempt in range(10):
            names, bad = measure()
            if len(names) == BEDS:
                break
            print('# walk %d saw %d distinct beds; walking again' % (attempt + 1, len(names)),
                  flush=True)
            time.sleep(1)
        ok = len(names) == BEDS and not bad
        print('%s 1 - %d beds, every tile wholly on the screen' % ('ok' if ok else 'not ok',
                                                                   len(names)), flush=True)
        for line in bad[:20]:
            print('# ' + line, flush=True)
        failed |= not ok
    except Exception as error:
        print('not ok - %s: %s' % (type(error).__name__, error), flush=True)
        failed = True
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        if wm is not None:
            wm.terminate()
            wm.wait(timeout=30)
        display.terminate()
        display.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
