#!/usr/bin/python3
# Counts test cases in meson testlog.json files: each TAP line of a TAP test,
# or the whole test for the others.  Prints "N passed, N failed, N skipped",
# the sum over every file given, and names each failure on stderr.
#
# Usage: count-tests.py [STAGE=]TESTLOG.json...
# A STAGE= prefix (build-aux/run-tests.sh gives one per stage) names the
# stage in front of each failure: "failed: asan: test-store (FAIL)".
import json
import re
import sys

passed = failed = skipped = 0
for arg in sys.argv[1:]:
    stage, sep, path = arg.partition("=")
    if not sep:
        stage, path = "", arg
    prefix = f"{stage}: " if stage else ""
    with open(path, encoding="utf-8") as log:
        for line in log:
            if not line.strip():
                continue
            test = json.loads(line)
            result = test["result"]
            ok = nok = skip = 0
            if test.get("protocol") == "tap" or "TAP" in test.get("stdout", "")[:200] or \
                    re.search(r"^1\.\.\d+", test.get("stdout", ""), re.M):
                for out in test.get("stdout", "").splitlines():
                    if re.match(r"^ok \d+.*# SKIP", out):
                        skip += 1
                    elif re.match(r"^ok \d+", out):
                        ok += 1
                    elif re.match(r"^not ok \d+", out):
                        nok += 1
            if ok + nok + skip == 0:
                if result in ("OK", "EXPECTEDFAIL"):
                    ok = 1
                elif result == "SKIP":
                    skip = 1
                else:
                    nok = 1
            elif result not in ("OK", "EXPECTEDFAIL", "SKIP") and nok == 0:
                # The program failed outside any test case (a crash, a timeout,
                # or a sanitizer's report at exit).
                nok = 1
            if nok:
                print(f"failed: {prefix}{test['name']} ({result})", file=sys.stderr)
            passed += ok
            failed += nok
            skipped += skip

print(f"{passed} passed, {failed} failed, {skipped} skipped")
