"""Text helpers shared by the readers: decoding bytes, tidying whitespace, splitting paragraphs."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from ..errors import InputError

_PARA_SPLIT = re.compile(r"\n[ \t\u00a0]*\n")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # imported only when UTF-8 fails

    matches = from_bytes(data[:200_000])
    best = matches.best()
    if best is None or best.encoding is None:
        raise InputError(path, "not text in any known encoding")
    encoding = _prefer_western(data, best, list(matches))
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        text = data.decode(encoding, errors="replace")
    if _looks_binary(text):
        raise InputError(path, "binary file, not text")
    return text


#: Letters that Central European (cp1250) text turns into when read as cp1252: s/t with comma
#: or cedilla become º ª þ Þ inside words.
_CP1250_AS_1252 = re.compile(r"\w[ºªþÞ]|[ºªþÞ]\w")


def _prefer_western(data: bytes, best: Any, matches: list[Any]) -> str:
    """Break charset-normalizer's frequent tie between cp1250 and cp1252 on short texts.

    When both decode the bytes equally well, take cp1252 (Western European) unless reading the
    bytes as cp1252 puts º/ª/þ inside words, the mark of Romanian or other cp1250 text.
    """
    tied = {m.encoding for m in matches if abs(m.chaos - best.chaos) < 0.01 and abs(m.coherence - best.coherence) < 0.05}
    if best.encoding not in ("cp1250", "cp1252") or not {"cp1250", "cp1252"} <= tied:
        return str(best.encoding)
    western = data.decode("cp1252", errors="replace")
    return "cp1250" if _CP1250_AS_1252.search(western) else "cp1252"


def _looks_binary(text: str) -> bool:
    sample = text[:5000]
    if not sample:
        return False
    bad = sum(1 for ch in sample if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\n\r\t")
    return bad / len(sample) > 0.05


def clean_line(text: str) -> str:
    """One line of text: Unicode NFC, control characters dropped, runs of spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
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
