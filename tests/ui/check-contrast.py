#!/usr/bin/python3
# check-contrast.py: WCAG 2.1 contrast of every text colour in
# data/style.css against the background it is drawn on, in each palette.
#
# Copyright 2026 The Wardwatch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: check-contrast.py STYLE_CSS ADWAITA_LIBRARY
#
# The palettes are libadwaita's light and dark defaults (read from the
# installed library's resources with `gresource extract`, so they are the
# colours the window really uses) and every palette block of style.css: a
# rule on `window.NAME` (and its descendants `window.NAME SELECTOR`) or
# colours defined as `@define-color NAME_xxx` name a palette NAME, which
# starts from the dark or light defaults (whichever its own window
# background is closer to) and overrides them.
#
# A pair is a rule that sets a text colour (`color`) or a background
# (`background-color`, on which its text is drawn): its text colour, made
# opaque over its background, against that background made opaque over the
# surface under it (the card for bed tiles, else the window).  Every pair
# is printed; any under 4.5:1 fails the test.

import re
import subprocess
import sys

MIN_RATIO = 4.5

# The surface a selector's widget sits on, when its own rules do not set
# one: the bed tiles are Adwaita cards, the rest sits on the window.
SURFACES = [
    (re.compile(r'\.bed-tile\b|\.card\b'), 'card'),
    (re.compile(r'.'), 'window'),
]

# What style.css relies on from libadwaita's own stylesheet and may
# override: Adwaita draws .dim-label at 55 % opacity.
ADWAITA_RULES = [
    ('.dim-label', {'opacity': '0.55'}),
]


class Colour:
    def __init__(self, r, g, b, a=1.0):
        self.r, self.g, self.b, self.a = r, g, b, a

    def over(self, under):
        """This colour composited over an opaque one."""
        a = self.a
        return Colour(self.r * a + under.r * (1 - a),
                      self.g * a + under.g * (1 - a),
                      self.b * a + under.b * (1 - a), 1.0)

    def luminance(self):
        def channel(c):
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(self.r) + 0.7152 * channel(self.g)
                + 0.0722 * channel(self.b))

    def hex(self):
        return '#%02x%02x%02x' % tuple(round(c * 255) for c in (self.r, self.g, self.b))


def contrast(a, b):
    la, lb = a.luminance(), b.luminance()
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def strip_comments(css):
    return re.sub(r'/\*.*?\*/', '', css, flags=re.S)


def split_args(text):
    depth, args, start = 0, [], 0
    for i, c in enumerate(text):
        if c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
        elif c == ',' and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


NAMED = {
    'white': Colour(1, 1, 1), 'black': Colour(0, 0, 0),
    'transparent': Colour(0, 0, 0, 0),
}


def parse_colour(text, names, current):
    """A GTK CSS colour expression, with @names and currentColor."""
    text = text.strip()
    if text.lower() == 'currentcolor':
        return current
    if text.startswith('@'):
        name = text[1:]
        if name not in names:
            raise ValueError('unknown colour @%s' % name)
        return parse_colour(names[name], names, current)
    if text in NAMED:
        return NAMED[text]
    if text.startswith('#'):
        h = text[1:]
        if len(h) == 3:
            h = ''.join(c * 2 for c in h)
        return Colour(*(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)))
    m = re.match(r'^([a-z]+)\((.*)\)$', text, re.S)
    if not m:
        raise ValueError('cannot read colour %r' % text)
    func, args = m.group(1), split_args(m.group(2))
    if func in ('rgb', 'rgba'):
        rgb = [float(v.rstrip('%')) / (100 if v.endswith('%') else 255) for v in args[:3]]
        return Colour(*rgb, float(args[3]) if len(args) > 3 else 1.0)
    if func == 'alpha':
        c = parse_colour(args[0], names, current)
        return Colour(c.r, c.g, c.b, c.a * float(args[1]))
    if func == 'mix':
        a = parse_colour(args[0], names, current)
        b = parse_colour(args[1], names, current)
        f = float(args[2])
        return Colour(*(x + (y - x) * f for x, y in zip((a.r, a.g, a.b, a.a), (b.r, b.g, b.b, b.a))))
    if func == 'shade':
        c = parse_colour(args[0], names, current)
        f = float(args[1])
        return Colour(*(min(1.0, x * f) for x in (c.r, c.g, c.b)), c.a)
    raise ValueError('cannot read colour function %s()' % func)


def parse_stylesheet(css):
    """(@define-color names, [(selector, {property: value})]) in order."""
    css = strip_comments(css)
    names = dict(re.findall(r'@define-color\s+([\w-]+)\s+([^;]+);', css))
    css = re.sub(r'@define-color[^;]+;', '', css)
    rules = []
    pos = 0
    while True:
        open_brace = css.find('{', pos)
        if open_brace < 0:
            break
        head = css[pos:open_brace].strip()
        depth, i = 1, open_brace + 1
        while depth:
            depth += {'{': 1, '}': -1}.get(css[i], 0)
            i += 1
        body = css[open_brace + 1:i - 1]
        pos = i
        if head.startswith('@'):
            continue  # @keyframes: the flashes are checked by test-alarm-bar
        decls = {}
        for decl in body.split(';'):
            if ':' in decl:
                prop, value = decl.split(':', 1)
                decls[prop.strip()] = value.strip()
        for selector in head.split(','):
            rules.append((' '.join(selector.split()), decls))
    return names, rules


def adwaita_names(library, variant):
    names = {}
    for resource in ('base.css', 'defaults-%s.css' % variant):
        css = subprocess.run(['gresource', 'extract', library,
                              '/org/gnome/Adwaita/styles/' + resource],
                             check=True, capture_output=True, text=True).stdout
        names.update(parse_stylesheet(css)[0])
    if 'window_bg_color' not in names:
        sys.exit('%s: no Adwaita %s colours' % (library, variant))
    return names


def palettes(style_names, rules, library):
    """{palette name: (named colours, rules as the palette sees them)}."""
    light = dict(adwaita_names(library, 'light'), **style_names)
    dark = dict(adwaita_names(library, 'dark'), **style_names)
    found = {}

    blocks = set()
    for selector, _ in rules:
        m = re.match(r'^window\.([\w-]+)\b', selector)
        if m:
            blocks.add(m.group(1))
    for name in style_names:
        for block in re.findall(r'^([a-z]+)_', name):
            if block not in ('window', 'view', 'card', 'accent', 'error', 'warning',
                             'success', 'destructive', 'headerbar', 'dialog', 'popover'):
                blocks.add(block)

    base_rules = [(s, d) for s, d in rules if not re.match(r'^window\.[\w-]+', s)]
    found['light'] = (light, base_rules)
    found['dark'] = (dark, base_rules)

    for block in sorted(blocks):
        prefix = block + '_'
        overrides = {k[len(prefix):]: v for k, v in style_names.items() if k.startswith(prefix)}
        own = [(s, d) for s, d in rules if re.match(r'^window\.%s(?![\w-])' % re.escape(block), s)]
        block_rules = list(base_rules)
        for selector, decls in own:
            rest = re.sub(r'^window\.%s' % re.escape(block), '', selector).strip()
            if rest == '':
                # The window's own colours are the surfaces' colours.
                if 'background-color' in decls:
                    for surface in ('window', 'view'):
                        overrides[surface + '_bg_color'] = decls['background-color']
                if 'color' in decls:
                    for surface in ('window', 'view', 'card'):
                        overrides[surface + '_fg_color'] = decls['color']
            else:
                block_rules.append((rest, decls))
        probe = dict(dark, **overrides)
        bg = parse_colour(probe.get('window_bg_color', '#000'), probe, NAMED['black'])
        base = dark if bg.luminance() < 0.18 else light
        found[block] = (dict(base, **overrides), block_rules)
    return found


def surface_colours(selector, names):
    for pattern, surface in SURFACES:
        if pattern.search(selector):
            window_bg = parse_colour('@window_bg_color', names, NAMED['black'])
            bg = parse_colour('@%s_bg_color' % surface, names, NAMED['black']).over(window_bg)
            fg = parse_colour('@%s_fg_color' % surface, names, NAMED['black'])
            return bg, fg
    raise AssertionError('no surface')


def own_or_inherited(selector, prop, rules):
    """The value the last rule naming this selector (or its element as a
    whole, e.g. ".bed-tile .stale" for ".bed-tile .vital-age.stale") gives."""
    value = None
    for other, decls in rules:
        if prop in decls and (other == selector or selector.endswith(' ' + other)
                              or (other.startswith('.') and ' ' not in other
                                  and selector.endswith(other))):
            value = decls[prop]
    return value


def check_palette(palette, names, rules):
    failures = []
    seen = set()
    all_rules = ADWAITA_RULES + rules
    for selector, decls in all_rules:
        if 'color' not in decls and 'background-color' not in decls and 'opacity' not in decls:
            continue
        if selector in seen or ':' in selector:
            continue
        seen.add(selector)

        surface_bg, surface_fg = surface_colours(selector, names)
        fg_text = own_or_inherited(selector, 'color', all_rules) or 'inherit'
        if fg_text == 'inherit':
            fg = surface_fg
        else:
            fg = parse_colour(fg_text, names, surface_fg)
        opacity = own_or_inherited(selector, 'opacity', all_rules)
        if opacity is not None:
            fg = Colour(fg.r, fg.g, fg.b, fg.a * float(opacity))
        bg_text = own_or_inherited(selector, 'background-color', all_rules)
        # Translucent backgrounds tint with the text's colour (currentColor).
        bg = parse_colour(bg_text, names, fg).over(surface_bg) if bg_text else surface_bg
        ratio = contrast(fg.over(bg), bg)
        verdict = 'ok' if ratio >= MIN_RATIO else 'FAIL'
        print('%-6s %-48s text %s on %s  %5.2f:1  %s'
              % (palette, selector, fg.over(bg).hex(), bg.hex(), ratio, verdict))
        if ratio < MIN_RATIO:
            failures.append((palette, selector, ratio))
    return failures


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: check-contrast.py STYLE_CSS ADWAITA_LIBRARY')
    with open(sys.argv[1], encoding='utf-8') as f:
        style_names, rules = parse_stylesheet(f.read())

    failures = []
    found = palettes(style_names, rules, sys.argv[2])
    for palette, (names, palette_rules) in found.items():
        failures += check_palette(palette, names, palette_rules)

    print('palettes: %s' % ', '.join(found))
    for palette, selector, ratio in failures:
        print('%s: %s has %.2f:1, under %.1f:1' % (palette, selector, ratio, MIN_RATIO),
              file=sys.stderr)
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
