#!/usr/bin/python3
# check-elf.py: holds the installed programs to the hardening meson.build
# asks for, by reading their ELF with readelf (binutils), as checksec does.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-elf.py [--fortified] [--fortify-level=PROGRAM] PROGRAM...
# Prints TAP, one test case per property and program:
#   pie        ELF type DYN with the PIE flag (ASLR for the program too)
#   relro      a GNU_RELRO segment (the GOT read-only after relocation)
#   bind-now   BIND_NOW (all symbols bound at start: "full RELRO")
#   nx-stack   a GNU_STACK segment that is not executable
#   canary     __stack_chk_fail is called (-fstack-protector-strong)
#   fortified  the programs call the checked __*_chk functions
#              (_FORTIFY_SOURCE); only with --fortified, which meson passes
#              in optimised, unsanitized builds.  Like checksec, per program
#              it counts what is there: a program whose calls the compiler
#              proved safe (wardwatch-cli today) has none, so the case holds
#              the programs together to at least one
#   fortify-level  PROGRAM (fortify-level.c, compiled with the project's
#              arguments) prints _FORTIFY_SOURCE: 3 with --fortified

import os
import re
import shutil
import subprocess
import sys


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], check=True,
                          capture_output=True, text=True,
                          env=dict(os.environ, LC_ALL="C")).stdout


def properties(path):
    header = readelf("-h", path)
    dynamic = readelf("-d", path)
    segments = readelf("-l", path)
    symbols = readelf("--dyn-syms", path)

    elf_type = re.search(r"^\s*Type:\s+(\S+)", header, re.M)
    yield ("pie", elf_type is not None and elf_type.group(1) == "DYN"
           and re.search(r"\(FLAGS_1\).*\bPIE\b", dynamic) is not None,
           f"ELF type {elf_type.group(1) if elf_type else '?'}")
    yield ("relro", re.search(r"^\s*GNU_RELRO\s", segments, re.M) is not None,
           "no GNU_RELRO segment")
    yield ("bind-now", re.search(r"\(BIND_NOW\)|\(FLAGS\).*\bBIND_NOW\b|\(FLAGS_1\).*\bNOW\b",
                                 dynamic) is not None,
           "neither BIND_NOW nor the NOW flag")
    stack = re.search(r"^\s*GNU_STACK\s.*\s(R?W?E?)\s+0x[0-9a-f]+$", segments, re.M)
    yield ("nx-stack", stack is not None and "E" not in stack.group(1),
           f"GNU_STACK {stack.group(1) if stack else 'missing'}")
    yield ("canary", "__stack_chk_fail" in symbols, "no __stack_chk_fail")


def checked_functions(path):
    symbols = readelf("--dyn-syms", path)
    return sorted(set(re.findall(r"\b(__\w+_chk)\b", symbols)) - {"__stack_chk_fail"})


def main():
    args = sys.argv[1:]
    fortified = "--fortified" in args
    programs = [a for a in args if not a.startswith("--")]
    level_program = next((a.split("=", 1)[1] for a in args
                          if a.startswith("--fortify-level=")), None)

    if shutil.which("readelf") is None:
        print("1..0 # SKIP readelf (binutils) is not installed")
        return 0

    n = 0
    failed = 0
    for path in programs:
        for name, ok, why in properties(path):
            n += 1
            label = f"{os.path.basename(path)}: {name}"
            if ok:
                print(f"ok {n} - {label}")
            else:
                failed += 1
                print(f"not ok {n} - {label} ({why})")
    if fortified:
        n += 1
        counts = {os.path.basename(p): checked_functions(p) for p in programs}
        words = ", ".join(f"{name} {len(funcs)} ({' '.join(funcs)})" for name, funcs in counts.items())
        if any(counts.values()):
            print(f"ok {n} - fortified: {words}")
        else:
            failed += 1
            print(f"not ok {n} - fortified: no program calls a __*_chk function")
    if level_program is not None:
        n += 1
        level = subprocess.run([level_program], check=True, capture_output=True,
                               text=True).stdout.strip()
        want = "3" if fortified else "0"
        if level == want:
            print(f"ok {n} - _FORTIFY_SOURCE is {level}")
        else:
            failed += 1
            print(f"not ok {n} - _FORTIFY_SOURCE is {level}, not {want}")
    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
