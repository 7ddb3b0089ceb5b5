"""The JSON API under ``/api/``.

* ``/api/search``: the options of ``newssearch query`` as parameters (``q`` the query text;
  ``limit``, ``page``, ``paragraphs``, ``person``, ``source``, ``lang``, ``since``,
  ``until``, ``sort``, ``facet``, ``facets-only``, ``facet-limit``, ``histogram``,
  ``snippets``; repeat a parameter for several values), read by the CLI command itself, and
  returning exactly what ``query --json`` prints.
* ``/api/article/{id}``: what ``show --json`` prints.
* ``/api/people``: the people of the archive (``q`` a part of a name, ``limit``).
* ``/api/histogram``: matches per interval of one or several queries (``q`` repeated,
  ``interval``, the filters of ``/api/search``), with every article's count per interval.
* ``/api/openapi.json``: this description as OpenAPI 3.
"""

from __future__ import annotations

import json
from typing import Any

import click
from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import Response

from ..errors import QueryError
from ..search.request import SearchRequest
from .service import IndexService

#: Parameters of ``/api/search`` that are not options of ``newssearch query``.
_NOT_OPTIONS = {"index_dir", "as_json", "text"}
#: The most people ``/api/people`` lists.
MAX_PEOPLE = 1000


def json_response(data: Any, status: int = 200) -> Response:
    """``data`` encoded as the CLI encodes JSON (``ensure_ascii=False``, ``default=str``)."""
    return Response(json.dumps(data, ensure_ascii=False, default=str), status_code=status, media_type="application/json")


def _query_command() -> click.Command:
    from ..cli import query

    return query


def cli_args(params: Any) -> list[str]:
    """The ``newssearch query`` arguments of an API query string (QueryError for a
    parameter the command does not have)."""
    command = _query_command()
    options: dict[str, click.Option] = {}
    for p in command.params:
        if isinstance(p, click.Option) and p.name not in _NOT_OPTIONS:
            for opt in p.opts:
                if opt.startswith("--"):
                    options[opt[2:]] = p
                    options[opt[2:].replace("-", "_")] = p
    args: list[str] = []
    text = None
    for key, value in params.multi_items():
        if key == "q":
            text = value
            continue
        option = options.get(key)
        if option is None:
            raise QueryError(f"unknown parameter {key!r}; use q or one of: {', '.join(sorted({k for k in options if '_' not in k}))}")
        long = next(o for o in option.opts if o.startswith("--"))
        if option.is_flag:
            if value.lower() in ("", "1", "true", "yes", "on"):
                args.append(long)
            elif value.lower() not in ("0", "false", "no", "off"):
                raise QueryError(f"{key} takes true or false, not {value!r}")
        else:
            args += [long, value]
    if text is not None:
        args += ["--", text]
    return args


def search_params(params: Any) -> dict[str, Any]:
    """The options ``newssearch query`` parses from the API query string ``params``."""
    command = _query_command()
    try:
        ctx = command.make_context("query", cli_args(params), resilient_parsing=False)
    except click.ClickException as err:
        raise QueryError(err.format_message()) from None
    return dict(ctx.params)


def search_request(params: Any) -> SearchRequest:
    """The request ``newssearch query`` would run for the API query string ``params``."""
    from ..cli import query_request

    return query_request(search_params(params))


def search(request: Request, service: IndexService, env: Environment) -> Response:
    """``/api/search``: exactly what ``newssearch query --json`` prints."""
    from ..cli import query_json, query_request

    options = search_params(request.query_params)
    result = service.run(query_request(options))
    return json_response(query_json(result, facets_only=bool(options.get("facets_only"))))


def article(request: Request, service: IndexService, env: Environment) -> Response:
    """``/api/article/{id}``: what ``newssearch show --json`` prints."""
    article_id = request.path_params["article_id"]
    record = service.cached(("article", article_id), lambda s: s.article(article_id))
    return json_response(record.to_dict())


def people(request: Request, service: IndexService, env: Environment) -> Response:
    """``/api/people``: people with their article counts and aliases, most named first."""
    part = (request.query_params.get("q") or "").strip().lower()[:200]
    try:
        limit = max(1, min(int(request.query_params.get("limit") or 100), MAX_PEOPLE))
    except ValueError:
        raise QueryError("limit must be a number") from None
    entries = service.cached(("people",), lambda s: [e.to_dict() for e in s.people_registry().people()])
    if part:
        entries = [e for e in entries if part in e["name"].lower() or any(part in a.lower() for a in e["aliases"])]
    return json_response({"total": len(entries), "people": entries[:limit]})


def histogram(request: Request, service: IndexService, env: Environment) -> Response:
    """``/api/histogram``: matches per interval of each query ``q`` (repeatable), and all
    articles per interval (to compute shares)."""
    params = request.query_params
    queries = params.getlist("q") or [""]
    if len(queries) > 6:
        raise QueryError("at most 6 queries")
    interval = params.get("interval") or "month"
    filters: dict[str, Any] = {
        "person": params.getlist("person"),
        "source": params.getlist("source"),
        "language": params.getlist("lang"),
        "since": params.get("since"),
        "until": params.get("until"),
    }
    series = []
    for q in queries:
        req = SearchRequest.of(q, 1, 1, histogram=interval, **filters)
        result = service.run(req)
        series.append({"query": q, "total": result.total, "histogram": result.histogram.to_dict() if result.histogram else None})
    everything = service.run(SearchRequest.of("", 1, 1, histogram=interval))
    return json_response({"interval": interval, "series": series, "all": everything.histogram.to_dict() if everything.histogram else None})


def openapi(request: Request, service: IndexService, env: Environment) -> Response:
    """``/api/openapi.json``: the API described as OpenAPI 3.0."""
    return json_response(OPENAPI)


def _param(name: str, description: str, *, many: bool = False, kind: str = "string", where: str = "query", required: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if many:
        schema = {"type": "array", "items": {"type": kind}}
    out: dict[str, Any] = {"name": name, "in": where, "description": description, "schema": schema, "required": required}
    if many:
        out["explode"] = True
    return out


_FILTERS = [
    _param("person", "only articles naming this person (any spelling)", many=True),
    _param("source", "only articles from this source", many=True),
    _param("lang", "only articles in this language", many=True),
    _param("since", "published on or after (2023, 2023-04 or 2023-04-20)"),
    _param("until", "published on or before"),
]
_JSON = {"200": {"description": "JSON", "content": {"application/json": {"schema": {"type": "object"}}}},
         "400": {"description": "a parameter or query that cannot be read: {\"error\": ...}"}}

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "newssearch", "version": "1", "description": "Search a news archive: the JSON of `newssearch query --json` and more."},
    "paths": {
        "/api/search": {"get": {
            "summary": "Search (the same JSON as `newssearch query --json`)",
            "parameters": [
                _param("q", "the query (the syntax of `newssearch query --help`)"),
                _param("limit", "hits per page (1-1000)", kind="integer"),
                _param("page", "page of hits", kind="integer"),
                _param("paragraphs", "list matching paragraphs instead of articles", kind="boolean"),
                *_FILTERS,
                _param("sort", "relevance, newest or oldest"),
                _param("facet", "count matches by this facet (people, source, language, year, month, mentioned, words, ...)", many=True),
                _param("facets-only", "only the facets (default facets when none is named)", kind="boolean"),
                _param("facet-limit", "values per facet", kind="integer"),
                _param("histogram", "day, week, month or year"),
                _param("snippets", "best paragraphs per hit (1-10)", kind="integer"),
            ],
            "responses": _JSON}},
        "/api/article/{id}": {"get": {
            "summary": "One article (the JSON of `newssearch show --json`)",
            "parameters": [_param("id", "the article's id", where="path", required=True)],
            "responses": {**_JSON, "404": {"description": "no such article"}}}},
        "/api/people": {"get": {
            "summary": "People of the archive, most named first",
            "parameters": [_param("q", "part of a name or alias"), _param("limit", "people listed (1-1000)", kind="integer")],
            "responses": _JSON}},
        "/api/histogram": {"get": {
            "summary": "Matches per interval of one or several queries, and all articles per interval",
            "parameters": [_param("q", "a query (repeat to compare)", many=True), _param("interval", "day, week, month or year"), *_FILTERS],
            "responses": _JSON}},
    },
}
