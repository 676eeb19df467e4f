#!/usr/bin/python3
# check-man.py: the man pages the build made say what the programs do.
#
#   check-man.py PAGE PROGRAM [--commands] [PAGE PROGRAM [--commands]...]
#
# For each page (TAP, one line a check):
#   - groff formats it without a warning;
#   - its title line carries the version `PROGRAM --version` prints;
#   - it names every long option `PROGRAM --help-all` prints (an entry of
#     its option lists or one its text mentions);
#   - with --commands: it has a subsection for each command of the
#     "Commands:" list, naming every long option `PROGRAM COMMAND --help`
#     prints (a few commands lay out their help by hand).

import os
import re
import shutil
import subprocess
import sys

LONG_OPTION_RE = re.compile(r'(?<![\w-])(--[a-z][a-z0-9-]*)')


def run(argv):
    env = dict(os.environ, LC_ALL='C.UTF-8', LANGUAGE='', ASAN_OPTIONS='detect_leaks=0')
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, check=False)
    return result.returncode, result.stdout, result.stderr


def options_of(help_text):
    """Every long option the help names: its option list's entries
    ("  --db=PATH   ...", "  -h, --help   ...") and those a hand-written
    usage or description mentions ("hash-pin [--iterations=N]")."""
    found = []
    for option in LONG_OPTION_RE.findall(help_text):
        if option not in found:
            found.append(option)
    return found


def plain(roff):
    """The page's words: hyphens unescaped, font changes dropped."""
    text = roff.replace('\\-', '-').replace('\\(hy', '-')
    return re.sub(r'\\f(?:[BIRP]|\[\w*\])', '', text)


def commands_of(help_text):
    commands = []
    in_list = False
    for line in help_text.splitlines():
        if line.startswith('Commands:'):
            in_list = True
        elif in_list and not line.strip():
            break
        elif in_list:
            commands.append(line.split()[0])
    return commands


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = False

    def check(self, ok, name, detail=''):
        self.n += 1
        self.failed |= not ok
        print('%s %d - %s' % ('ok' if ok else 'not ok', self.n, name))
        if not ok and detail:
            for line in detail.splitlines():
                print('#   ' + line)

    def skip(self, name, why):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, name, why))


def check_page(tap, page, program, with_commands):
    name = os.path.basename(page)
    with open(page, encoding='utf-8') as f:
        roff = f.read()
    text = plain(roff)

    groff = shutil.which('groff')
    if groff:
        status, _, err = run([groff, '-man', '-Tutf8', '-ww', '-z', page])
        tap.check(status == 0 and not err.strip(), '%s: groff formats it without a warning' % name,
                  err)
    else:
        tap.skip('%s: groff formats it' % name, 'groff is not installed (groff-base)')

    status, out, err = run([program, '--version'])
    version = out.split()[1] if status == 0 and len(out.split()) > 1 else None
    title = next((l for l in roff.splitlines() if l.startswith('.TH ')), '')
    tap.check(version is not None and version in title,
              '%s: the title carries version %s' % (name, version),
              'title line: %r; --version: %r %r' % (title, out, err))

    status, out, err = run([program, '--help-all'])
    options = options_of(out)
    missing = [o for o in options if not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(o), text)]
    tap.check(status == 0 and options and not missing,
              '%s: names all %d long options of --help-all' % (name, len(options)),
              'missing: %s\n%s' % (' '.join(missing), err))

    if not with_commands:
        return
    commands = commands_of(out)
    tap.check(len(commands) > 0, '%s: %s --help-all lists commands' % (name, os.path.basename(program)))
    # Each command's subsection runs from its .SS to the next.
    sections = re.split(r'^\.SS ', text, flags=re.M)
    by_name = {}
    for section in sections[1:]:
        heading, _, body = section.partition('\n')
        by_name[heading.strip().strip('"')] = body
    for command in commands:
        status, out, err = run([program, command, '--help'])
        options = options_of(out)
        body = by_name.get(command)
        missing = [o for o in options
                   if body is None or not re.search(r'(?<![\w-])%s(?![\w-])' % re.escape(o), body)]
        tap.check(status == 0 and body is not None and not missing,
                  '%s: command %s with its %d options' % (name, command, len(options)),
                  'subsection: %s; missing: %s\n%s' % ('present' if body is not None else 'absent',
                                                       ' '.join(missing), err))


def main(argv):
    tap = Tap()
    args = argv[1:]
    while args:
        page, program = args[0], args[1]
        args = args[2:]
        with_commands = bool(args) and args[0] == '--commands'
        if with_commands:
            args = args[1:]
        check_page(tap, page, program, with_commands)
    print('1..%d' % tap.n)
    return 1 if tap.failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
