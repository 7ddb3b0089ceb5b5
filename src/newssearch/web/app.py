"""The web application: the search page, article and person pages, the comparison chart and
the JSON API, as a Starlette app (:func:`create_app`) served by uvicorn (``newssearch serve``).

Every page is rendered on the server (Jinja2, autoescaped) and works without JavaScript;
``static/app.js`` only adds conveniences. Searches run on one shared searcher, one at a
time (see :mod:`newssearch.web.service`), in Starlette's thread pool; each request has a
time limit (:data:`REQUEST_SECONDS`) on top of the query budget of the searcher.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator
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
from .service import IndexService

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


def create_app(index_dir: str, *, limits: QueryLimits | None = None, request_seconds: float = REQUEST_SECONDS, warm: bool = True) -> Starlette:
    """The web application over the index in ``index_dir`` (read only). With ``warm``, the
    facet tables are read in the background as the server starts."""
    service = IndexService(index_dir, limits=limits)
    env = templates()

    def endpoint(handler: Any, kind: str) -> Any:
        def timed(request: Request) -> Response:
            # the handler's CPU time and wall time (waiting for the searcher included), as a
            # Server-Timing header: what a load test needs to tell work from queueing
            cpu, wall = time.thread_time(), time.perf_counter()
            response: Response = handler(request, service, env)
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            response.headers["server-timing"] = f"cpu;dur={cpu * 1000:.1f}, handler;dur={wall * 1000:.1f}"
            return response

        async def run(request: Request) -> Response:
            try:
                with anyio.fail_after(request_seconds):
                    return await anyio.to_thread.run_sync(timed, request, abandon_on_cancel=True)
            except TimeoutError:
                return _error(kind, env, 503, "The request took too long; narrow the query.")
            except ArticleNotFoundError as err:
                return _error(kind, env, 404, str(err))
            except QueryError as err:
                return _error(kind, env, 400, str(err))
            except NewssearchError as err:
                message = f"{err} ({err.hint})" if err.hint else str(err)
                return _error(kind, env, 503 if err.exit_code in (3, 74, 75) else 500, message)

        return run

    routes = [
        Route("/", endpoint(pages.search_page, "html")),
        Route("/article/{article_id:path}", endpoint(pages.article_page, "html")),
        Route("/person/{name:path}", endpoint(pages.person_page, "html")),
        Route("/compare", endpoint(pages.compare_page, "html")),
        Route("/export.csv", endpoint(pages.export, "json")),
        Route("/export.jsonl", endpoint(pages.export, "json")),
        Route("/api/search", endpoint(api.search, "json")),
        Route("/api/article/{article_id:path}", endpoint(api.article, "json")),
        Route("/api/people", endpoint(api.people, "json")),
        Route("/api/histogram", endpoint(api.histogram, "json")),
        Route("/api/openapi.json", endpoint(api.openapi, "json")),
        Route("/favicon.ico", lambda request: RedirectResponse("/static/favicon.svg", status_code=301)),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if warm:  # (the home page: every facet of every article; a date filter)
            facets = (*pages.PAGE_FACETS, "words")
            service.warm(pages.PageState().request(facets=pages.PAGE_FACETS, histogram="month"),
                         pages.PageState(q="news", since="2000", until="2000").request(facets=facets, histogram="month"))
        yield
        service.close()

    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)], lifespan=lifespan)
    app.state.service = service
    return app


def app_from_environment() -> Starlette:
    """The application over the index named by ``NEWSSEARCH_INDEX`` (what each worker process
    of ``newssearch serve --workers N`` runs)."""
    return create_app(os.environ.get("NEWSSEARCH_INDEX", "index"))


def _error(kind: str, env: Environment, status: int, message: str) -> Response:
    if kind == "json":
        return JSONResponse({"error": message, "status": status}, status_code=status)
    html = env.get_template("error.html").render(status=status, message=message, state=None)
    return HTMLResponse(html, status_code=status)

