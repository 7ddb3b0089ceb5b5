"""Enrich: fill in what an article does not state about itself.

* the publication date, from the date text the reader found, else from the file name;
* the language: the declared one as an ISO 639-1 code, else the one the text shows
  (:mod:`newssearch.enrich.language`);
* the people named, per article and per paragraph, found the way that suits the language
  (:mod:`newssearch.enrich.people`: the English model, the Romanian model, or only names
  confirmed by name lists);
* the dates mentioned in the text (:mod:`newssearch.enrich.dates`).

Runs on articles from :mod:`newssearch.ingest`; knows nothing about the index.
"""

from __future__ import annotations

import os

from ..model import Article


def enrich(article: Article) -> Article:
    """Fill ``published`` (when unknown), ``language``, ``people``, ``paragraph_people``
    and ``dates``, in place."""
    from . import dates as _dates
    from . import people as _people
    from .language import article_language

    if article.published is None and article.published_text:
        article.published = _dates.parse_date(article.published_text)
    if article.published is None and article.path:
        article.published = _dates.date_from_filename(os.path.basename(article.path))
    article.language = article_language(article)
    article.people, article.paragraph_people = _people.extract_people(article.title, article.paragraphs, article.language)
    article.dates = _dates.extract_dates(article.paragraphs, article.published, article.language)
    return article
