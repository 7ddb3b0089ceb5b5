"""The web page in a real browser: Playwright for Python driving Debian's system Chromium
(``/usr/bin/chromium``; no browser is downloaded) against ``newssearch serve``'s app run by
uvicorn on a free local port, over an index of the bundled ``corpus/``.

Type a query, click a facet value and see the filtered hits, click a chart bar, open an
article, open a person, compare two queries; the page has no console errors (no
Content-Security-Policy violations) and no horizontal scrolling at phone width. Screenshots
at desktop (1280) and phone (390) widths go to ``$NEWSSEARCH_SCREENSHOTS`` when it is set.

Chromium absent: the tests are skipped with the reason, except in CI (``CI`` set), where
``.ci/run`` installs it and its absence fails.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newssearch.indexing import index_paths
from newssearch.web import create_app

ROOT = Path(__file__).parent.parent
CHROMIUM = os.environ.get("NEWSSEARCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing in CI (.ci/run installs the Debian package chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

playwright = pytest.importorskip("playwright.sync_api")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    index = tmp_path_factory.mktemp("browser") / "index"
    index_paths([ROOT / "corpus"], str(index), workers=1)
    port = _free_port()
    # (as ``newssearch serve`` runs it: the searches in search processes)
    config = uvicorn.Config(create_app(str(index), workers=2), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(1200):
        if srv.started:
            break
        time.sleep(0.05)
    assert srv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors
    yield pg
    context.close()
    assert not errors, errors  # (a CSP violation is a console error)


def _shot(pg: Any, name: str) -> None:
    """A full-page screenshot, and one of the first screen, when screenshots are asked for."""
    folder = os.environ.get("NEWSSEARCH_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
        pg.screenshot(path=str(Path(folder) / f"{name}-screen.png"))


def _total(pg: Any) -> int:
    text = pg.inner_text(".summary .count")
    found = re.search(r"of ([\d,]+) articles", text)
    assert found, text
    return int(found.group(1).replace(",", ""))


def test_type_query_click_facet_then_remove_it(server: str, page: Any) -> None:
    page.goto(server + "/")
    page.fill("#q", "parliament")
    page.press("#q", "Enter")
    page.wait_for_selector("ol.hits li.hit")
    assert "parliament" in page.inner_text("ol.hits").lower()
    before = _total(page)
    _shot(page, "search-desktop")
    link = page.locator('section[data-facet="people"] li a').first
    name = link.inner_text()
    link.click()
    page.wait_for_selector("a.filter")
    assert f"person: {name}" in page.inner_text(".filters")
    after = _total(page)
    assert 0 < after <= before
    for hit in page.locator("li.hit").all():
        assert hit.locator(".people a").count() >= 1
    page.click("a.filter")
    page.wait_for_selector("ol.hits li.hit")
    assert page.locator("a.filter").count() == 0
    assert _total(page) == before


def test_click_chart_bar_narrows_dates(server: str, page: Any) -> None:
    page.goto(server + "/?q=trump&interval=year")
    bars = page.locator("svg a.bar")
    assert bars.count() >= 1
    before = _total(page)
    # the tallest bar's link (the chart's bars are links)
    bars.first.click()
    page.wait_for_selector(".filters")
    filters = page.inner_text(".filters")
    assert "since:" in filters and "until:" in filters
    assert _total(page) <= before


def test_open_article_then_person(server: str, page: Any) -> None:
    page.goto(server + "/?q=parliament")
    title = page.locator("li.hit h3 a").first.inner_text()
    page.locator("li.hit h3 a").first.click()
    page.wait_for_selector("article.article h1")
    assert page.inner_text("article.article h1") == title
    assert page.locator("article.article p").count() >= 2
    _shot(page, "article-desktop")
    people = page.locator("aside .facet li > a:first-child")
    if people.count() == 0:
        pytest.skip("this article names nobody")
    name = people.first.inner_text()
    people.first.click()
    page.wait_for_selector("section.person h1")
    assert page.inner_text("section.person h1")
    assert "article" in page.inner_text("section.person .lede")
    assert name  # (the canonical name may differ from the spelling clicked)
    _shot(page, "person-desktop")


def test_compare_two_queries(server: str, page: Any) -> None:
    page.goto(server + "/compare")
    inputs = page.locator(".compare-form input[type=search]")
    inputs.nth(0).fill("trump")
    inputs.nth(1).fill("johnson")
    page.click(".compare-form button")
    page.wait_for_selector("svg a.bar")
    legend = page.inner_text(".totals")
    assert "trump" in legend and "johnson" in legend
    colours = set(page.eval_on_selector_all("svg a.bar rect:first-child", "els => els.map(e => e.getAttribute('fill'))"))
    assert len(colours) == 2
    _shot(page, "compare-desktop")
    page.click("text=share of all articles")
    page.wait_for_selector("svg a.bar")
    assert "%" in page.text_content("svg")


def test_phone_width_has_no_horizontal_scroll(server: str, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    pg = context.new_page()
    try:
        for path, name in (("/?q=parliament", "search-phone"), ("/compare?q=trump&q=johnson", "compare-phone")):
            pg.goto(server + path)
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
            _shot(pg, name)
        pg.goto(server + "/?q=parliament")
        pg.locator("li.hit h3 a").first.click()
        pg.wait_for_selector("article.article h1")
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(pg, "article-phone")
    finally:
        context.close()


def test_works_without_javascript(server: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    try:
        pg.goto(server + "/")
        pg.fill("#q", "election")
        pg.press("#q", "Enter")
        pg.wait_for_selector("ol.hits li.hit")
        pg.locator('section[data-facet="source"] li a').first.click()
        pg.wait_for_selector("a.filter")
    finally:
        context.close()
