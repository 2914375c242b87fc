"""The bundled fonts of PDF reports, and user text made safe for reportlab's Paragraph markup.

Reports are set in DejaVu Sans (Latin, Greek, Cyrillic, Arabic, many symbols), bundled in
`incident_desk/resources/fonts` with its licence. A character DejaVu Sans lacks is drawn with the
bundled Symbola font (emoji, pictographs; loaded only when a report needs it), and a character neither
font has is shown as a visible `[U+XXXX]` marker: never a silent blank box.

`markup(text)` is the only way user text reaches a Paragraph: it escapes `& < >` (so `<img src=...>`,
`<a href=...>` or `<font>` typed into an incident is printed, never interpreted: reportlab would load an
image from a URL), drops control characters, and switches font for the characters that need it. Words
too long to wrap are cut into 80-character pieces.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
REGULAR, BOLD, ITALIC, MONO, FALLBACK = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSansMono", "Symbola"
FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf",
         MONO: "DejaVuSansMono.ttf", FALLBACK: "Symbola.ttf"}
_lock = threading.Lock()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


#: split words longer than this into pieces so wrapping stays linear (reportlab splits long words
#: character by character, which takes minutes for a 1 MB word)
LONG_WORD = 80
_LONG = re.compile(r"\S{%d,}" % (LONG_WORD + 1))
_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 surrogate pairs.

    reportlab writes `<%04X>`, which turns U+1F600 into a five-digit code that text extractors read as
    U+1F60: emoji would be copied and searched as the wrong characters.
    """
    cmap = _reportlab_to_unicode(fontname, [v if v <= 0xFFFF else 0 for v in subset])
    for index, value in enumerate(subset):
        if value > 0xFFFF:
            cmap = cmap.replace("<%02X> <0000>" % index, "<%02X> <%s>" % (index, chr(value).encode("utf-16-be").hex().upper()), 1)
    return cmap


ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def _register(name: str) -> TTFont:
    with _lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONTS_DIR / FILES[name])))
            if name != REGULAR:  # <b> inside a bold paragraph (or a fallback run) stays in the same face
                pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        return pdfmetrics.getFont(name)


def register_fonts() -> None:
    """Register the main family (cheap); the fallback font is registered on first need."""
    for name in (REGULAR, BOLD, ITALIC, MONO):
        _register(name)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC, boldItalic=BOLD)


@lru_cache(maxsize=1)
def _main_glyphs() -> frozenset[int]:
    register_fonts()
    bold = set(_register(BOLD).face.charToGlyph)
    return frozenset(set(_register(REGULAR).face.charToGlyph) & bold)


@lru_cache(maxsize=1)
def _fallback_glyphs() -> frozenset[int]:
    return frozenset(_register(FALLBACK).face.charToGlyph)


def _covered(code: int) -> bool:
    return code in _main_glyphs() or code in (0x0A, 0x0D, 0x09)


def _runs(text: str) -> str:
    """Escaped text with font switches for characters the main font lacks."""
    if all(_covered(ord(char)) for char in text):
        return escape(text)
    out: list[str] = []
    fallback_run: list[str] = []

    def flush() -> None:
        if fallback_run:
            out.append(f'<font name="{FALLBACK}">{escape("".join(fallback_run))}</font>')
            fallback_run.clear()

    for char in text:
        code = ord(char)
        if _covered(code) or 0xFE00 <= code <= 0xFE0F or code == 0x200D:  # variation selectors, joiners
            if 0xFE00 <= code <= 0xFE0F or code == 0x200D:
                continue  # invisible modifiers of emoji: no glyph needed, none drawn
            flush()
            out.append(escape(char))
        elif code in _fallback_glyphs():
            fallback_run.append(char)
        else:
            flush()
            out.append(f'<font color="#b00020">[U+{code:04X}]</font>')
    flush()
    return "".join(out)


def markup(text: object) -> str:
    """User text as safe Paragraph markup: escaped, wrappable, every character visible."""
    cleaned = _CONTROL.sub("", str(text))
    if len(cleaned) > LONG_WORD:
        cleaned = _LONG.sub(lambda m: " ".join(m.group(0)[i:i + LONG_WORD]
                                               for i in range(0, len(m.group(0)), LONG_WORD)), cleaned)
    return _runs(cleaned)


def plain(text: object) -> str:
    """User text for canvas drawing (headers, charts): control characters removed, length bounded."""
    cleaned = _CONTROL.sub("", str(text)).replace("\n", " ")
    return cleaned if len(cleaned) <= 120 else cleaned[:119] + "…"


def drawable(text: object) -> str:
    """User text for a one-line canvas cell: control characters and line breaks removed, and any
    character the main font lacks shown as `[U+XXXX]` (no fallback font on a bare canvas line)."""
    cleaned = _CONTROL.sub("", str(text)).replace("\n", " ").replace("\r", " ").replace("\t", " ")
    if cleaned.isascii():
        return cleaned
    glyphs = _main_glyphs()
    return "".join(char if ord(char) in glyphs else f"[U+{ord(char):04X}]" for char in cleaned)
