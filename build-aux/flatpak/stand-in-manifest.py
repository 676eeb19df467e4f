#!/usr/bin/python3
# stand-in-manifest.py: the Flatpak manifest build-aux/flatpak-test.sh
# builds, made from the real one (flatpak/io.github.wardwatch.Wardwatch.json)
# by swapping only what must differ on the Debian stand-in runtime:
#
#   - runtime, sdk and runtime-version name the stand-in;
#   - local sources (the app's "dir", files next to the manifest) are
#     named by absolute path: the generated file lives in the cache, not
#     next to the real one.
#
# Every module, option and pinned source stays as it is.
#
# Usage:
#   stand-in-manifest.py MANIFEST OUTPUT PLATFORM SDK BRANCH
#       writes the stand-in manifest
#   stand-in-manifest.py --sources MANIFEST
#       prints each archive or file source as "SHA256 BASENAME MODULE URL",
#       one a line, for the script to bring in; exits 1 when a source has no
#       sha256 pin (git sources must name a commit)
#   stand-in-manifest.py --modules MANIFEST
#       prints the name of each top-level module, in build order

import json
import os
import sys
import urllib.parse


def strip_comments(text):
    """The manifest's /* */ and // comments (json-glib reads them, Python's
    json does not), leaving strings alone."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('/*', i):
            end = text.find('*/', i + 2)
            if end < 0:
                raise ValueError('unterminated comment')
            i = end + 2
        elif text.startswith('//', i):
            end = text.find('\n', i)
            i = n if end < 0 else end
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def load(path):
    with open(path, encoding='utf-8') as f:
        return json.loads(strip_comments(f.read()))


def walk_modules(modules):
    for module in modules:
        if isinstance(module, str):
            # A module in its own file: not used by this manifest.
            raise ValueError('module file "%s" is not supported' % module)
        yield module
        yield from walk_modules(module.get('modules', []))


def list_sources(manifest):
    ok = True
    for module in walk_modules(manifest['modules']):
        for source in module.get('sources', []):
            kind = source.get('type')
            if kind in ('archive', 'file') and 'url' in source:
                sha = source.get('sha256')
                if not sha:
                    print('%s: %s has no sha256' % (module['name'], source['url']),
                          file=sys.stderr)
                    ok = False
                    continue
                base = source.get('dest-filename') or os.path.basename(
                    urllib.parse.urlparse(source['url']).path)
                print(sha, base, module['name'], source['url'])
            elif kind == 'git' and not source.get('commit'):
                print('%s: git source without a commit' % module['name'], file=sys.stderr)
                ok = False
    return ok


def stand_in(manifest, manifest_dir, platform, sdk, branch):
    manifest['runtime'] = platform
    manifest['sdk'] = sdk
    manifest['runtime-version'] = branch
    for module in walk_modules(manifest['modules']):
        for source in module.get('sources', []):
            if source.get('type') in ('dir', 'file', 'patch') and 'path' in source:
                source['path'] = os.path.normpath(os.path.join(manifest_dir, source['path']))
    return manifest


def main(argv):
    if len(argv) == 3 and argv[1] == '--sources':
        return 0 if list_sources(load(argv[2])) else 1
    if len(argv) == 3 and argv[1] == '--modules':
        for module in load(argv[2])['modules']:
            if isinstance(module, str):
                raise ValueError('module file "%s" is not supported' % module)
            print(module['name'])
        return 0
    if len(argv) != 6:
        print(__doc__ if __doc__ else 'usage: see the header', file=sys.stderr)
        return 2
    path, output, platform, sdk, branch = argv[1:]
    manifest = stand_in(load(path), os.path.dirname(os.path.abspath(path)),
                        platform, sdk, branch)
    with open(output + '.tmp', 'w', encoding='utf-8') as f:
        json.dump(manifest, f, indent=4)
        f.write('\n')
    os.replace(output + '.tmp', output)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
