"""The web application: the search page, article and person pages, the comparison chart and
the JSON API, as a Starlette app (:func:`create_app`) served by uvicorn (``newssearch serve``).

Every page is rendered on the server (Jinja2, autoescaped) and works without JavaScript;
``static/app.js`` only adds conveniences. ``newssearch serve`` runs the searches in search
processes (:mod:`newssearch.web.pool`: one per core, any free one takes the next request)
and keeps their answers here (:class:`KeptResponses`); :func:`create_app` with
``workers=0`` runs them in this process instead, on one shared searcher, one at a time (see
:mod:`newssearch.web.service`), in Starlette's thread pool. Each request has a time limit
(:data:`REQUEST_SECONDS`) on top of the query budget of the searcher.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ArticleNotFoundError, NewssearchError, QueryError
from ..search.budget import QueryLimits
from . import api, pages
from .pool import Reply, SearchPool, SearchProcessError
from .service import CHECK_EVERY, GenerationWatch, IndexService

#: A page's or API call's handler.
Handler = Callable[[Request, IndexService, Environment], Response]

#: Seconds a request may take before the server answers 503 (the query budget stops most
#: searches long before: see :mod:`newssearch.search.budget`).
REQUEST_SECONDS = 10.0
STATIC = Path(__file__).parent / "static"
#: Sent with every response: only this server's own scripts, styles and images.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; connect-src 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates() -> Environment:
    """The page templates (autoescaped, undefined names are errors in tests' eyes: empty)."""
    env = Environment(loader=PackageLoader("newssearch.web", "templates"), autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["link"] = pages.safe_link
    env.filters["num"] = lambda n: f"{n:,}"
    env.globals["urlencode"] = urlencode
    return env


#: The handlers of the pages and API calls, by name: (function, "html" or "json" errors).
HANDLERS: dict[str, tuple[Handler, str]] = {
    "search_page": (pages.search_page, "html"),
    "article_page": (pages.article_page, "html"),
    "person_page": (pages.person_page, "html"),
    "compare_page": (pages.compare_page, "html"),
    "export": (pages.export, "json"),
    "api_search": (api.search, "json"),
    "api_article": (api.article, "json"),
    "api_people": (api.people, "json"),
    "api_histogram": (api.histogram, "json"),
    "api_openapi": (api.openapi, "json"),
}
#: URL paths and the handler each is answered by.
PATHS = [
    ("/", "search_page"),
    ("/article/{article_id:path}", "article_page"),
    ("/person/{name:path}", "person_page"),
    ("/compare", "compare_page"),
    ("/export.csv", "export"),
    ("/export.jsonl", "export"),
    ("/api/search", "api_search"),
    ("/api/article/{article_id:path}", "api_article"),
    ("/api/people", "api_people"),
    ("/api/histogram", "api_histogram"),
    ("/api/openapi.json", "api_openapi"),
]
#: Responses the server keeps (pages and API answers, by URL, per index generation).
KEPT_RESPONSES = 512
#: The largest response kept (bytes): exports are not.
KEPT_BYTES = 1 << 20
#: The most bytes of responses kept in all (the least recently used dropped first).
KEPT_TOTAL = 64 << 20


#: What a search process answers before it takes requests (what the first visitors would
#: ask): queries with distinctive words (one with a date filter), the home page (every facet
#: of every article), a person filter, the people list, an API search. They read the facet
#: tables, publication dates, the words' document frequencies, the people registry's lookup
#: tables and the API's parser: seconds on a large index, paid once here rather than by a
#: visitor. A words query comes first: it reads the index-wide facet tables, which the home
#: page then counts from (first, the home page would read the stored fields of every
#: article, 3 s on 100k, and the tables be read after all: 9.7 s of CPU in all, was 15 s).
WARM_URLS = ("/?q=government", "/", "/?q=news&since=2000&until=2000", "/?q=government&person=Smith", "/api/people?limit=30",
             "/api/search?q=government&facet=people&histogram=month")


def warm_service(service: IndexService, env: Environment) -> None:
    """Answer :data:`WARM_URLS` (answers thrown away; errors too: a query failing now fails
    for its visitor too, with its message)."""
    routes = dict(PATHS)
    for url in WARM_URLS:
        path, _, query = url.partition("?")
        handler, kind = HANDLERS[routes[path]]
        scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(), "headers": [], "path_params": {}}
        with contextlib.suppress(Exception):
            respond(handler, kind, Request(scope), service, env)


def respond(handler: Handler, kind: str, request: Request, service: IndexService, env: Environment) -> Response:
    """``handler``'s response to ``request``, errors of newssearch turned into one-line error
    responses, with a ``Server-Timing`` header: the handler's CPU time and wall time (waiting
    for the searcher included), what a load test needs to tell work from queueing."""
    cpu, wall = time.thread_time(), time.perf_counter()
    try:
        response: Response = handler(request, service, env)
    except ArticleNotFoundError as err:
        response = error_response(kind, env, 404, str(err))
    except QueryError as err:
        response = error_response(kind, env, 400, str(err))
    except NewssearchError as err:
        message = f"{err} ({err.hint})" if err.hint else str(err)
        response = error_response(kind, env, 503 if err.exit_code in (3, 74, 75) else 500, message)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    response.headers["server-timing"] = f"cpu;dur={cpu * 1000:.1f}, handler;dur={wall * 1000:.1f}"
    return response


class KeptResponses:
    """The server's kept answers (search processes' replies by URL), valid while the index
    generation they were computed on is the newest (looked at most every ``check_every``
    seconds); at most ``size`` of them and :data:`KEPT_TOTAL` bytes. Used from the event
    loop only."""

    def __init__(self, index_dir: str, check_every: float = CHECK_EVERY, size: int = KEPT_RESPONSES) -> None:
        self.index_dir = index_dir
        self.size = size
        self._kept: OrderedDict[tuple[str, bytes], Reply] = OrderedDict()
        self.total = 0  # bytes of the kept bodies
        #: The index's newest generation (looked at most every ``check_every`` seconds).
        self.generation = GenerationWatch(index_dir, check_every)

    def get(self, key: tuple[str, bytes]) -> Reply | None:
        """The reply kept under ``key`` if computed on the newest generation."""
        found = self._kept.get(key)
        if found is None:
            return None
        if found[3] != self.generation():
            del self._kept[key]
            self.total -= len(found[2])
            return None
        self._kept.move_to_end(key)
        return found

    def put(self, key: tuple[str, bytes], reply: Reply) -> None:
        """Keep ``reply`` (a 200 of at most :data:`KEPT_BYTES` on the newest generation)."""
        if reply[0] != 200 or len(reply[2]) > KEPT_BYTES or reply[3] != self.generation():
            return
        old = self._kept.pop(key, None)
        if old is not None:
            self.total -= len(old[2])
        self._kept[key] = reply
        self.total += len(reply[2])
        while self._kept and (len(self._kept) > self.size or self.total > KEPT_TOTAL):
            _, dropped = self._kept.popitem(last=False)
            self.total -= len(dropped[2])


def _scope(request: Request) -> dict[str, Any]:
    """What a search process needs of ``request`` to rebuild it (plain data)."""
    scope = request.scope
    return {
        "type": "http", "method": scope.get("method", "GET"), "http_version": scope.get("http_version", "1.1"),
        "scheme": scope.get("scheme", "http"), "server": scope.get("server"), "root_path": scope.get("root_path", ""),
        "path": scope["path"], "raw_path": scope.get("raw_path"), "query_string": scope.get("query_string", b""),
        "headers": list(scope.get("headers", [])), "path_params": dict(request.path_params),
    }


def _from_reply(reply: Reply, timing: str) -> Response:
    response = Response(reply[2], status_code=reply[0])
    response.raw_headers = [(k, v) for k, v in reply[1] if k != b"server-timing"]
    served = dict(reply[1]).get(b"server-timing", b"").decode("latin-1")
    response.raw_headers.append((b"server-timing", (timing or served).encode("latin-1")))
    return response


def create_app(index_dir: str, *, limits: QueryLimits | None = None, request_seconds: float = REQUEST_SECONDS, warm: bool = True,
               workers: int = 0) -> Starlette:
    """The web application over the index in ``index_dir`` (read only).

    ``workers`` 0: searches run in this process, in Starlette's thread pool, one at a time
    on one shared searcher (:class:`~newssearch.web.service.IndexService`); ``workers`` N: in
    N search processes (:class:`~newssearch.web.pool.SearchPool`, what ``newssearch serve``
    runs), with this process keeping their answers. With ``warm``, the facet tables are read
    before the application takes requests (its startup waits for them)."""
    env = templates()
    service = IndexService(index_dir, limits=limits) if workers <= 0 else None
    pool = SearchPool(index_dir, workers, limits=limits, warm=warm) if workers > 0 else None
    kept = KeptResponses(index_dir)

    def in_process(name: str) -> Any:
        handler, kind = HANDLERS[name]
        assert service is not None

        async def run(request: Request) -> Response:
            try:
                with anyio.fail_after(request_seconds):
                    return await anyio.to_thread.run_sync(respond, handler, kind, request, service, env, abandon_on_cancel=True)
            except TimeoutError:
                return error_response(kind, env, 503, "The request took too long; narrow the query.")

        return run

    def in_pool(name: str) -> Any:
        kind = HANDLERS[name][1]
        assert pool is not None

        async def run(request: Request) -> Response:
            key = (request.url.path, request.scope.get("query_string", b""))
            found = kept.get(key)
            if found is not None:
                return _from_reply(found, "cpu;dur=0.0, handler;dur=0.0, kept;desc=kept")
            deadline = time.monotonic() + request_seconds
            try:
                with anyio.fail_after(request_seconds):
                    reply, waited = await anyio.to_thread.run_sync(pool.exchange, (name, _scope(request)), deadline, abandon_on_cancel=True)
            except TimeoutError:
                return error_response(kind, env, 503, "The request took too long; narrow the query.")
            except SearchProcessError:
                return error_response(kind, env, 503, "The search process answering this request stopped; try again.")
            kept.put(key, reply)
            served = dict(reply[1]).get(b"server-timing", b"").decode("latin-1")
            return _from_reply(reply, f"{served}, wait;dur={waited * 1000:.1f}" if served else "")

        return run

    endpoint = in_pool if pool is not None else in_process
    routes: list[Any] = [Route(path, endpoint(name)) for path, name in PATHS]
    routes += [
        Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", status_code=301)),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if pool is not None:
            await anyio.to_thread.run_sync(pool.start)
        elif warm and service is not None:
            await anyio.to_thread.run_sync(warm_service, service, env)
        try:
            yield
        finally:
            if pool is not None:
                await anyio.to_thread.run_sync(pool.close)
            if service is not None:
                service.close()

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.service = service
    app.state.pool = pool
    app.state.kept = kept
    return app


def error_response(kind: str, env: Environment, status: int, message: str) -> Response:
    """An error as the page or API shows it: one line, with its HTTP status."""
    if kind == "json":
        return JSONResponse({"error": message, "status": status}, status_code=status)
    html = env.get_template("error.html").render(status=status, message=message, state=None)
    return HTMLResponse(html, status_code=status)

