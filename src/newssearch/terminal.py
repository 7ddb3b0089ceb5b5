"""Making text safe to print on a terminal.

File names, article fields and queries come from files and users; printed raw, control
characters in them act on the terminal instead of being shown: ``ESC [2J`` clears the
screen, ``ESC ]0;…BEL`` sets the window title, ``ESC ]8;;URL`` makes a hidden link, a C1
control (U+0080–U+009F; U+009B is a one-character CSI) does the same on terminals that honour
8-bit controls, a newline splits one output line in two, and bidirectional overrides and
isolates (U+202E and friends) make ``txt.exe`` look like ``exe.txt``.

:func:`safe` shows each such character escaped, Python-style (``\\x1b``, ``\\n``,
``\\u202e``), so it is visible and inert; everything else (letters of any script,
punctuation, emoji, the bidi *marks* U+200E/U+200F/U+061C that real Arabic and Hebrew text
uses, which cannot reorder text around them) is left alone. Lone surrogates (bytes of a file
name that are not UTF-8, as Python decodes them) are shown as the byte they stand for
(``\\xff``). Backslashes are not doubled: this is for reading, not a reversible encoding.

:func:`safe_json` does the same for JSON text made with ``ensure_ascii=False`` (which
escapes only U+0000–U+001F): the remaining unsafe characters become ``\\uXXXX`` escapes,
which decode to the same strings.

Used at the output edge (``cli``, ``render``); the readers also drop these characters from
article text when indexing (:func:`newssearch.ingest.cleaning.clean_line`).
"""

from __future__ import annotations

import re

#: Bidirectional embeddings, overrides and isolates (and their terminators): they reorder the
#: text that follows them.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: Every character :func:`safe` escapes: C0 controls, DEL, C1 controls, the bidi controls
#: above, the Unicode line and paragraph separators, and lone surrogates.
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch in _NAMED:
        return _NAMED[ch]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def safe(text: object) -> str:
    """``text`` (made a string) with every control, bidi control and lone surrogate shown
    escaped (``\\x1b``, ``\\n``, ``\\u202e``, ``\\xff``): one inert line, whatever it held."""
    string = text if isinstance(text, str) else str(text)
    return UNSAFE.sub(_escape, string)


#: :data:`UNSAFE` less line feeds, carriage returns and tabs.
_UNSAFE_IN_LINES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")


def safe_lines(text: str) -> str:
    """Like :func:`safe`, but line breaks and tabs are kept: for many lines of output
    (a CSV table printed on a terminal) whose layout is the point."""
    return _UNSAFE_IN_LINES.sub(_escape, text)


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")


def safe_json(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters that
    act on a terminal written as ``\\uXXXX`` escapes. These characters can only occur inside
    JSON strings, where the escape means the same character: ``json.loads`` gives back the
    same data."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
