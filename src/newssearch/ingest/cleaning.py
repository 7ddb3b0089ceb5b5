"""Text cleaning shared by the readers: decoding bytes, dropping control characters, tidying whitespace, splitting paragraphs."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import IO, Any

from ..errors import InputError

_PARA_SPLIT = re.compile(r"\n[ \t\u00a0]*\n")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
#: Dropped from text: C0 controls but for whitespace, DEL, C1 controls (U+0080-U+009F: U+009B
#: is a one-character terminal escape), and the bidirectional embeddings, overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069), which reorder what a terminal or browser shows
#: ("txt.exe" shown as "exe.txt"). The bidi *marks* (U+200E, U+200F, U+061C) stay: Arabic and
#: Hebrew text uses them, and they reorder nothing.
#: Line breaks (every one str.splitlines knows) within a line: spaces, so that a value read as
#: one line (a title, an id, an author) stays one line of output and "a\nb" stays two words
#: (NEL is a C1 control, dropped otherwise).
_LINE_BREAKS = str.maketrans(dict.fromkeys("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", " "))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def decode_bytes(data: bytes, path: str) -> str:
    """Decode file contents: UTF-8 (with or without BOM) first, else a charset detector.

    Raises :class:`InputError` when the bytes do not look like text at all (binary junk).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(path, f"invalid UTF-16 text ({exc.reason})") from None
    if b"\x00" in data[:8192]:
        raise InputError(path, "binary file, not text")
    text = decode_utf8_lenient(data)
    if text is not None:
        return text
    from charset_normalizer import from_bytes  # imported only when UTF-8 fails

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise InputError(path, "not text in any known encoding")
    encoding = _choose_encoding(data[:200_000], best)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = data.decode(encoding, errors="replace")
    if _looks_binary(text):
        raise InputError(path, "binary file, not text")
    return text


#: Bytes at the start of a stream that decide its encoding (as :func:`decode_bytes` looks at).
SNIFF_BYTES = 200_000


def text_stream(stream: IO[bytes], path: str) -> IO[str]:
    """A text reader over a binary stream, decoded as :func:`decode_bytes` would decode the
    whole (the encoding is chosen from its first :data:`SNIFF_BYTES`; bytes that are not of
    that encoding become U+FFFD). Lines end at ``\\n``, ``\\r\\n`` or ``\\r``.

    Raises :class:`InputError` when the start does not look like text (binary junk).
    """
    sample = stream.read(SNIFF_BYTES)
    encoding = _stream_encoding(sample, path)
    whole = io.BufferedReader(_Chained(sample, stream), buffer_size=1 << 16)
    return io.TextIOWrapper(whole, encoding=encoding, errors="replace", newline=None)


def _stream_encoding(sample: bytes, path: str) -> str:
    """The codec for a stream starting with ``sample``."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in sample[:8192]:
        raise InputError(path, "binary file, not text")
    if decode_utf8_lenient(sample) is not None:
        return "utf-8"
    from charset_normalizer import from_bytes  # imported only when UTF-8 fails

    best = from_bytes(sample).best()
    if best is None or best.encoding is None:
        raise InputError(path, "not text in any known encoding")
    encoding = _choose_encoding(sample, best)
    if _looks_binary(sample.decode(encoding, errors="replace")):
        raise InputError(path, "binary file, not text")
    return encoding


class _Chained(io.RawIOBase):
    """``head`` (bytes already read) followed by the rest of ``stream``, as one raw stream."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def legacy_encoding(data: bytes) -> str:
    """The 8-bit (or CJK) encoding of ``data``, text that is not UTF-8: charset-normalizer's
    guess, checked as :func:`decode_bytes` does (windows-1252 when there is no guess)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        return "cp1252"
    return _choose_encoding(data[:200_000], best)


def decode_utf8_lenient(data: bytes) -> str | None:
    """``data`` as UTF-8 when it is UTF-8: exactly, cut inside its last character, or with
    a few bad bytes among many good sequences (replaced). None when it is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")  # cut inside its last character
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace")
    return None


def _mostly_utf8(data: bytes) -> bool:
    """True when the non-ASCII bytes are valid UTF-8 sequences but for a few bad ones."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 127) - bad
    return good >= 3 and bad <= max(2, good // 50)


#: Non-ASCII characters of running text in Western, Central and Northern European languages
#: (letters and typographic punctuation). Legacy 8-bit text decoded with the wrong code page
#: shows other characters (º ª þ ³ ¹ ¾ ...), so the share of these says which page is right.
_EUROPEAN = frozenset(
    "àâæçéèêëîïôœùûüÿÀÂÆÇÉÈÊËÎÏÔŒÙÛÜŸäöüßÄÖÜáíóúñãõÁÍÓÚÑÃÕòÒåÅ"
    "ăşţșțĂŞŢȘȚąćęłńśźżĄĆĘŁŃŚŹŻčďěňřšťůýžČĎĚŇŘŠŤŮÝŽőűŐŰ"
    "ğıİĞėįųūĖĮŲŪ"
    "\u00a0“”„‘’‚«»–—…°€£§©®™•·¡¿"
)
#: Letters of one language that are also what Czech or Polish turns into in the wrong code
#: page (ø for ř, ì for ě): they count half.
_AMBIGUOUS = frozenset("øØìÌ")
#: Scripts whose letters are right when the detector recognised a language in them.
_OTHER_SCRIPTS = ("CYRILLIC", "GREEK", "HEBREW", "ARABIC", "THAI")


def _choose_encoding(data: bytes, best: Any) -> str:
    """The 8-bit code page of ``data``: windows-1252, windows-1250 or the detector's guess.

    charset-normalizer is unreliable on short texts (French Latin-1 comes out as Baltic
    cp1257, a few stray bytes as Urdu cp1006, Romanian cp1250 ties with cp1252), so the
    candidates are scored by the share of their non-ASCII characters that are usual in
    European text; windows-1252, then windows-1250, win ties. Letters of another script
    (Cyrillic, Greek, ...) count for the detector's guess only when it recognised a
    language in them (coherence).
    """
    guess = str(best.encoding)
    if not _single_byte(guess):
        return guess  # CJK and Unicode encodings: the detector knows them well
    candidates = ["cp1252", "cp1250"] + ([guess] if guess not in ("cp1252", "cp1250") else [])
    other_ok = float(getattr(best, "coherence", 0.0) or 0.0) >= 0.1
    high = bytes(b for b in data if b > 127)
    if not high:
        return guess
    scores: dict[str, float] = {}
    for enc in candidates:
        try:
            chars = high.decode(enc, errors="replace")
        except LookupError:
            continue
        good = 0.0
        for ch in chars:
            if ch in _EUROPEAN:
                good += 1
            elif ch in _AMBIGUOUS:
                good += 0.5
            elif enc == guess and other_ok and ch.isalpha() and unicodedata.name(ch, "").startswith(_OTHER_SCRIPTS):
                good += 1
        scores[enc] = good / max(len(chars), 1)
    if not scores:
        return guess
    top = max(scores.values())
    return next(enc for enc in candidates if scores.get(enc) == top)


def _single_byte(encoding: str) -> bool:
    try:
        return len(bytes(range(256)).decode(encoding, errors="replace")) == 256
    except LookupError:
        return False


def _looks_binary(text: str) -> bool:
    sample = text[:5000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\r\t")
    return bad / len(sample) > 0.05


def clean_line(text: str) -> str:
    """One line of text: Unicode NFC, control characters (C0, DEL, C1) and bidi overrides
    dropped, runs of spaces collapsed."""
    text = unicodedata.normalize("NFC", text).translate(_LINE_BREAKS)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines; lines within a paragraph are joined with spaces."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = []
    for block in _PARA_SPLIT.split(text):
        para = clean_line(" ".join(block.split("\n")))
        if para:
            paragraphs.append(para)
    return paragraphs


def first_sentence(text: str, max_words: int = 14) -> str:
    """A title made from the start of ``text``: its first sentence, cut to ``max_words``."""
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    sentence = match.group(1) if match else text
    words = sentence.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + "…"
    return sentence.rstrip(".")
