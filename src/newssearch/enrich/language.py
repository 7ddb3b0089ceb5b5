"""The language of an article: the one its file declares, else the one its text shows.

* :func:`normalise_language` turns what files declare ("en-US", "ro_RO", "English",
  "Deutsch", "ger", "fr-FR,fr;q=0.9") into an ISO 639-1 code ("en", "ro", "de"), or
  ``None`` when it names no language it knows;
* :func:`detect_language` guesses the language of a text with py3langid (a naive Bayes
  model over byte n-grams that ships inside that package: no download, offline), and
  answers ``None`` when the text is too short or the guess too uncertain;
* :func:`article_language` combines both: a declared language wins.

The detector's model takes a few seconds to load (an LZMA-compressed 68 MB table), so it
is loaded once per process, on the first article that declares no language: corpora whose
files all declare one never pay for it.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..model import Article

__all__ = ["DETECT_CHARS", "article_language", "detect_language", "normalise_language"]

#: How much text the detector reads: the title and the first paragraphs up to this many
#: characters (enough for a sure guess, and detection stays far below a millisecond per
#: kilobyte). Measured on the Romanian and BBC news and the German pages: see
#: ``newssearch.evals.language``.
DETECT_CHARS = 800
#: Texts with fewer letters than this are not guessed (a headline alone is too little).
MIN_LETTERS = 40
#: The detector's probability (length-normalised, see py3langid) below which a guess is
#: not trusted.
MIN_CONFIDENCE = 0.5

#: Language names (English and native, lower case, accents kept and dropped) and ISO
#: 639-2/3 codes of the languages news archives most often hold → ISO 639-1.
_NAMES: dict[str, str] = {}
for _code, _names in {
    "en": "english eng",
    "ro": "romanian română romana româna rumanian moldovan ron rum mo",
    "de": "german deutsch deu ger",
    "fr": "french français francais fra fre",
    "es": "spanish español espanol castellano spa",
    "it": "italian italiano ita",
    "pt": "portuguese português portugues por",
    "nl": "dutch nederlands flemish nld dut",
    "pl": "polish polski pol",
    "cs": "czech čeština cestina ces cze",
    "sk": "slovak slovenčina slovencina slk slo",
    "hu": "hungarian magyar hun",
    "bg": "bulgarian български bul",
    "ru": "russian русский rus",
    "uk": "ukrainian українська ukr",
    "sr": "serbian srpski српски srp",
    "hr": "croatian hrvatski hrv",
    "sl": "slovenian slovene slovenščina slv",
    "el": "greek ελληνικά ell gre",
    "tr": "turkish türkçe turkce tur",
    "sv": "swedish svenska swe",
    "da": "danish dansk dan",
    "no": "norwegian norsk nor nob nno nb nn",
    "fi": "finnish suomi fin",
    "et": "estonian eesti est",
    "lv": "latvian latviešu lav",
    "lt": "lithuanian lietuvių lit",
    "ca": "catalan català cat",
    "ar": "arabic العربية ara",
    "he": "hebrew עברית heb iw",
    "zh": "chinese 中文 zho chi",
    "ja": "japanese 日本語 jpn",
    "ko": "korean 한국어 kor",
}.items():
    for _name in _names.split():
        _NAMES[_name] = _code
_NAMES["in"] = "id"  # old ISO 639-1 codes still found in metadata
_NAMES["ji"] = "yi"

_SPLIT = re.compile(r"[-_\s,;.]")


def normalise_language(value: str | None) -> str | None:
    """An ISO 639-1 code for a declared language, or ``None``.

    Accepts language tags ("en", "en-US", "ro_RO", "pt-BR", "zh-Hant-TW", an HTTP
    ``Accept-Language``-like list: its first entry), ISO 639-2/3 codes ("deu", "ger",
    "ron"), and language names in English or in the language itself ("English",
    "Română", "Deutsch"). A two-letter code is taken as it is; a code or name it does
    not know gives ``None`` (so the text decides).
    """
    if not value or not isinstance(value, str):
        return None
    text = value.strip().lower()
    if not text:
        return None
    if text in _NAMES:
        return _NAMES[text]
    first = _SPLIT.split(text, 1)[0]
    if first in _NAMES:
        return _NAMES[first]
    if re.fullmatch(r"[a-z]{2}", first) and first not in ("un", "xx", "zz"):
        return first
    return None


_lock = threading.Lock()
_identifier: Any = None


def _get_identifier() -> Any:
    """py3langid's identifier with probabilities, loaded once per process."""
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str, min_confidence: float = MIN_CONFIDENCE) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or ``None`` when the
    text is too short (fewer than :data:`MIN_LETTERS` letters) or the detector's
    confidence is below ``min_confidence``. Reads at most :data:`DETECT_CHARS` characters."""
    sample = text[:DETECT_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    code, confidence = _get_identifier().classify(sample)
    if confidence < min_confidence or not isinstance(code, str) or len(code) != 2:
        return None
    return code


def _sample(article: Article) -> str:
    """The title and the first paragraphs, up to :data:`DETECT_CHARS` characters."""
    parts = [article.title or ""]
    size = len(parts[0])
    for para in article.paragraphs:
        if size >= DETECT_CHARS:
            break
        parts.append(para)
        size += len(para) + 1
    return "\n".join(parts)


#: A web page's declared language is overruled by a detection at least this sure.
HTML_OVERRULE = 0.95
_HTML = re.compile(r"\.x?html?(?:\.gz)?$", re.IGNORECASE)


def article_language(article: Article) -> str | None:
    """The article's language: the declared one (normalised), else the detected one.

    One exception: a web page's ``lang`` attribute is often a template's default (16 of
    the 172 pages of the trafilatura evaluation set that declare English are German), so
    for an article read from an HTML file a detection with a confidence of at least
    :data:`HTML_OVERRULE` wins over the declared language.
    """
    declared = normalise_language(article.language)
    if declared is not None and not (article.path and _HTML.search(article.path)):
        return declared
    detected = detect_language(_sample(article), HTML_OVERRULE if declared else MIN_CONFIDENCE)
    return detected or declared
