"""Units of indexing work and running them in this process.

A :class:`Task` is a whole file to read, or a chunk of a JSON/JSONL file's articles already
read (their ids assigned in this process); :func:`work` reads (if needed), enriches and
prepares it into a :class:`Done`. :func:`file_tasks` makes the tasks of a run in file order,
:func:`run_here` runs them in this process with a :class:`CommitPoint` at file boundaries.
Worker processes run the same :func:`work` (:mod:`newssearch.indexing.workers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ..enrich import enrich
from ..errors import InputError
from ..ids import IdLedger
from ..ingest import Deferred, SourceFile, content_digest, iter_file, read_bytes, read_file, resolve, stream_digest
from ..model import Article
from ..skips import Skips
from ..store.writer import PreparedArticle, prepare

#: Articles per task when a JSON/JSONL file is split among workers.
CHUNK = 64


@dataclass
class Task:
    """Work for a worker: a whole file to read, or a chunk of articles already read."""

    file: SourceFile
    size: int
    known_digest: str | None = None
    #: Articles already read (or web archive pages to read here: see :class:`~newssearch.ingest.Deferred`).
    articles: list[Article | Deferred] | None = None
    digest: str | None = None
    last: bool = True


@dataclass
class Done:
    """A worker's answer: prepared articles of (part of) a file."""

    file: SourceFile
    size: int
    digest: str | None
    prepared: list[PreparedArticle] = field(default_factory=list)
    errors: Skips = field(default_factory=Skips)
    unchanged: bool = False
    last: bool = True
    #: Articles whose numeric date reads either way, no order given (see ReadSettings.ambiguous), and one such date.
    ambiguous: int = 0
    ambiguous_example: str | None = None


def work(task: Task) -> Done:
    """Read (if needed), enrich and prepare; never raises for bad input."""
    errors = Skips()
    digest = task.digest
    articles: list[Article] | None = None
    if task.articles is not None:
        articles = []
        for item in task.articles:
            try:
                articles.append(resolve(item, task.file))
            except InputError as err:
                errors.append(err)
            except (ValueError, TypeError, LookupError, RecursionError) as exc:  # a parser that gave up on one record
                errors.append(InputError(task.file.path, f"cannot read record {item.id}: {exc}"))
    if articles is None:
        try:
            data = read_bytes(task.file)
        except InputError as err:
            return Done(task.file, task.size, None, errors=Skips([err]))
        digest = content_digest(task.file, data)
        if digest == task.known_digest:
            return Done(task.file, task.size, digest, unchanged=True)
        result = read_file(task.file, data=data, digest=digest)
        articles, errors = result.articles, result.errors
    prepared = []
    ambiguous, example = _ambiguous(task.file, articles)
    for article in articles:
        try:
            prepared.append(prepare(enrich(article), digest or ""))
        except (ValueError, TypeError, LookupError, RecursionError) as exc:  # a bug must not cost the other articles
            errors.append(InputError(article.path or task.file.path, f"cannot process article {article.id}: {exc}"))
    return Done(task.file, task.size, digest, prepared=prepared, errors=errors, last=task.last, ambiguous=ambiguous,
                ambiguous_example=example)


def _ambiguous(file: SourceFile, articles: list[Article]) -> tuple[int, str | None]:
    """How many of ``articles`` have a date that reads either way (no order given), and one of them."""
    found = [a for a in articles if file.settings.ambiguous(a)]
    return len(found), (f"{found[0].path or file.path}: {found[0].published_text}" if found else None)


def file_tasks(
    files: list[tuple[SourceFile, int]], known: dict[str, tuple[str, int]], ledger: IdLedger, only: set[str] | None, warnings: Skips,
) -> Iterator[Task | Done]:
    """Tasks in file order (of the files in ``only``, if given); JSON/JSONL files are read
    here, as streams, their ids assigned by ``ledger`` (its warnings go to ``warnings``), and
    sent in chunks of :data:`CHUNK` articles as they come (a file is never whole in memory).
    A file the ledger forced to be read again is read whatever its digest."""
    for file, size in files:
        if only is not None and file.path not in only and file.path not in ledger.forced:
            continue
        ledger.position = file.path
        known_digest = None if file.path in ledger.forced else known.get(file.path, (None, 0))[0]
        if not file.batch:
            yield Task(file, size, known_digest)
            continue
        try:
            digest = stream_digest(file)
        except InputError as err:
            yield Done(file, size, None, errors=Skips([err]))
            continue
        if digest == known_digest:
            yield Done(file, size, digest, unchanged=True)
            continue
        yield from _batch_tasks(file, size, digest, ledger, warnings)


def _batch_tasks(file: SourceFile, size: int, digest: str, ledger: IdLedger, warnings: Skips) -> Iterator[Task | Done]:
    """A JSON/JSONL file's articles in chunks, their ids assigned by ``ledger``; then a last
    answer with the file's errors.

    Each chunk counts (for progress) about the bytes of its text, the last answer the rest
    of the file's bytes (for a gzipped file, all of them)."""
    errors = Skips()
    chunk: list[Article | Deferred] = []
    sent = 0  # chunks sent
    left = 0 if file.path.lower().endswith(".gz") else size  # bytes the chunks may still count
    counted = left

    def task(articles: list[Article | Deferred]) -> Task:
        nonlocal left
        warnings.extend(ledger.assign(file.path, articles))  # type: ignore[arg-type]  # (it sets ids, which deferred records have)
        nbytes = min(left, sum(_text_bytes(a) for a in articles))
        left -= nbytes
        return Task(file, nbytes, articles=articles, digest=digest, last=False)

    for item in iter_file(file, deferred=True):
        if isinstance(item, InputError):
            errors.append(item)
            continue
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield task(chunk)
            chunk, sent = [], sent + 1
    if not chunk and not sent:
        ledger.finish(file.path)
        yield Done(file, size, digest, errors=errors)  # no article at all
        return
    if chunk:
        yield task(chunk)
    ledger.finish(file.path)
    yield Done(file, size - (counted - left), digest, errors=errors, last=True)


def _text_bytes(item: Article | Deferred) -> int:
    """About the bytes of input an item stands for (for progress)."""
    if isinstance(item, Article):
        return len(item.title) + sum(len(p) + 2 for p in item.paragraphs)
    return len(getattr(item, "payload", b""))


class CommitPoint:
    """Marks a file boundary where the work so far should be committed."""


def articles_in(task: Task | Done) -> int:
    if isinstance(task, Done):
        return 0
    return len(task.articles) if task.articles is not None else 1


def run_here(tasks: Iterable[Task | Done], commit_every: int) -> Iterator[Done | CommitPoint]:
    """Work in this process, in task order, with a commit point every ``commit_every`` articles."""
    pending = 0
    for task in tasks:
        done = task if isinstance(task, Done) else work(task)
        yield done
        pending += len(done.prepared)
        if done.last and pending >= commit_every:
            yield CommitPoint()
            pending = 0
