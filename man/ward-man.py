#!/usr/bin/env python3
# ward-man.py: a man page from a built program's own --help-all and
# --version, through help2man, with the hand-written sections of an
# include file (NAME, DESCRIPTION, FILES, ...).
#
#   ward-man.py --help2man=PATH --include=FILE --output=PAGE [--commands] PROGRAM
#
# With --commands (wardwatch-cli), the page also gets a COMMANDS section:
# each command of the "Commands:" list with its own `PROGRAM COMMAND
# --help`, its options as the page's other options are.  The programs
# run in the C locale, so that the page is English whatever the build
# machine's language.

import argparse
import os
import re
import subprocess
import sys
import tempfile

OPTION_RE = re.compile(r'^\s+((?:-\w, )?--[\w-]+(?:=\S+)?)(?:\s{2,}(.*))?$')


def program_env():
    env = dict(os.environ)
    env.update(LC_ALL='C.UTF-8', LANGUAGE='', LANG='C.UTF-8',
               # A sanitizer build's leak report at exit is not the help.
               ASAN_OPTIONS='detect_leaks=0')
    return env


def run(argv):
    result = subprocess.run(argv, env=program_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, check=False)
    if result.returncode != 0:
        sys.exit('%s failed (%d): %s' % (' '.join(argv), result.returncode,
                                         result.stderr.strip()))
    return result.stdout


def roff_text(line):
    """One line of plain text as roff: backslashes and hyphens escaped, no
    line taken for a request."""
    line = line.replace('\\', '\\e').replace('-', '\\-')
    if line.startswith(('.', "'")):
        line = '\\&' + line
    return non_ascii(line)


def non_ascii(text):
    """Characters beyond ASCII as roff's \\[uXXXX], whatever the locale
    the page is read in."""
    return ''.join(c if ord(c) < 128 else '\\[u%04X]' % ord(c) for c in text)


def roff_option(spec):
    """--name=ARG as bold name and italic argument."""
    name, _, arg = spec.partition('=')
    out = '\\fB%s\\fR' % name.replace('-', '\\-')
    if arg:
        out += '=\\fI%s\\fR' % arg.replace('-', '\\-')
    return non_ascii(out)


def commands_of(help_text):
    commands = []
    in_list = False
    for line in help_text.splitlines():
        if line.startswith('Commands:'):
            in_list = True
        elif in_list and not line.strip():
            break
        elif in_list:
            name, _, description = line.strip().partition(' ')
            commands.append((name, description.strip()))
    return commands


def command_section(program, name, description):
    out = ['.SS "%s"' % name, roff_text(description) + '.']
    # --help: every command knows it (a few parse their arguments by hand
    # and know no --help-all).
    text = run([program, name, '--help'])
    verbatim = []
    mode = 'text'

    def flush():
        if verbatim:
            while verbatim and not verbatim[-1].strip():
                verbatim.pop()
            out.extend(['.PP', '.nf'] + [roff_text(v) for v in verbatim] + ['.fi'])
            verbatim.clear()

    for line in text.splitlines():
        if line.startswith('Usage:'):
            mode = 'usage'
            continue
        if mode == 'usage':
            out.extend(['.PP', 'Usage: ' + roff_text(line.strip())])
            mode = 'text'
            continue
        if re.match(r'^\S.*Options:$', line):
            flush()
            mode = 'options'
            continue
        if mode == 'options':
            match = OPTION_RE.match(line)
            if match:
                # "-h, --help": the long form names the entry.
                out.extend(['.TP', roff_option(match.group(1).split(', ')[-1])])
                if match.group(2):
                    out.append(roff_text(match.group(2)))
                continue
            if not line.strip():
                mode = 'text'
                continue
            # A description that goes on.
            out.append(roff_text(line.strip()))
            continue
        verbatim.append(line)
    flush()
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--help2man', required=True)
    parser.add_argument('--include', required=True)
    parser.add_argument('--output', required=True)
    parser.add_argument('--commands', action='store_true')
    parser.add_argument('program')
    args = parser.parse_args()

    program = os.path.abspath(args.program)
    with open(args.include, encoding='utf-8') as f:
        include = f.read()

    # The version is the first line of --version ("wardwatch 0.1.0"); the
    # build profile line after it is no part of a man page.
    version = run([program, '--version']).splitlines()[0]

    if args.commands:
        lines = ['', '[COMMANDS]']
        for name, description in commands_of(run([program, '--help-all'])):
            lines.extend(command_section(program, name, description))
        include += '\n'.join(lines) + '\n'

    with tempfile.NamedTemporaryFile('w', suffix='.h2m', encoding='utf-8') as inc:
        inc.write(include)
        inc.flush()
        result = subprocess.run([args.help2man, '--no-info', '--help-option=--help-all',
                                 '--version-string=' + version, '--include=' + inc.name,
                                 '--output=' + args.output + '.tmp', program],
                                env=program_env(), stderr=subprocess.PIPE, text=True,
                                check=False)
    if result.returncode != 0:
        sys.exit('help2man failed: ' + result.stderr.strip())
    os.replace(args.output + '.tmp', args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
