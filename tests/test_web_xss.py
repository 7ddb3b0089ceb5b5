"""Hostile articles in the index: script in titles, text, sources, authors, ids and URLs
never reaches a page as markup, and a ``javascript:`` (or ``data:``) URL is never a link."""

from __future__ import annotations

import json
import re

import pytest
from starlette.testclient import TestClient

from newssearch.indexing import index_paths
from newssearch.web import create_app
from newssearch.web.pages import safe_link

SCRIPT = "<script>alert('t')</script>"
IMG = '<img src=x onerror="alert(1)">'
BREAK = '"><svg onload=alert(2)>'
ARTICLES = [
    {
        "id": "evil-1",
        "title": f"Harbour {SCRIPT} closes",
        "text": f"The harbour {IMG} closed on Monday, said Mayor Ana Popescu.\n\nAna Popescu said {BREAK} repairs would follow.",
        "published": "2023-03-01",
        "source": f"Wire {BREAK}",
        "url": "javascript:alert(document.cookie)",
        "authors": [f"Eve {SCRIPT}"],
    },
    {
        "id": "evil-2",
        "title": "Harbour reopens </title><script>alert(3)</script>",
        "text": "The harbour reopened, said Mayor Ana Popescu. <a href=\"javascript:alert(4)\">click</a>",
        "published": "2023-03-05",
        "source": "Wire",
        "url": "data:text/html,<script>alert(5)</script>",
    },
    {
        "id": "good-1",
        "title": "Harbour statistics",
        "text": "Harbour traffic rose, said Mayor Ana Popescu.",
        "published": "2023-03-09",
        "source": "Wire",
        "url": "https://example.org/harbour?a=1&b=\"2\"",
    },
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("xss")
    (root / "in").mkdir()
    (root / "in" / "evil.jsonl").write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n")
    index_paths([root / "in"], str(root / "index"), workers=1)
    return TestClient(create_app(str(root / "index")))


def _assert_inert(html: str) -> None:
    """No markup from the articles: only the page's own script tag, no handlers, no js: links."""
    assert re.findall(r"<script\b[^>]*>", html) == ['<script src="/static/app.js" defer>']
    assert "<img" not in html and "<svg onload" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data):""", html, re.IGNORECASE)
    assert "</title><script>" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/?q=harbour",
        "/?q=harbour&sort=newest&person=Ana+Popescu",
        "/?q=%3Cscript%3Ealert(1)%3C/script%3E",
        "/?q=%22%3E%3Csvg+onload%3Dalert(1)%3E",
        "/?source=%22%3E%3Cscript%3Ex%3C/script%3E",
        "/article/evil-1",
        "/article/evil-2",
        "/person/Ana%20Popescu",
        "/compare?q=%3Cscript%3Ealert(1)%3C/script%3E&q=harbour",
        "/article/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_pages_escape_everything(client: TestClient, url: str) -> None:
    page = client.get(url)
    assert page.status_code in (200, 400, 404)
    _assert_inert(page.text)


def test_hostile_values_are_shown_as_text(client: TestClient) -> None:
    results = client.get("/?q=harbour").text
    assert "Harbour &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; closes" in results
    assert "Wire &#34;&gt;&lt;svg onload=alert(2)&gt;" in results  # the source facet and the hit's source
    html = client.get("/article/evil-1").text
    assert "Harbour &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; closes" in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "javascript:alert(document.cookie)" in html  # shown, as text
    assert 'href="javascript' not in html


def test_http_urls_are_links_others_are_not(client: TestClient) -> None:
    html = client.get("/article/good-1").text
    assert 'href="https://example.org/harbour?a=1&amp;b=&#34;2&#34;"' in html
    assert safe_link("javascript:alert(1)") is None
    assert safe_link(" JavaScript:alert(1)") is None
    assert safe_link("data:text/html,x") is None
    assert safe_link("java\nscript:alert(1)") is None
    assert safe_link("/etc/passwd") is None
    assert safe_link("http://") is None
    assert safe_link("https://example.org/a") == "https://example.org/a"


def test_api_returns_hostile_text_as_json_data(client: TestClient) -> None:
    response = client.get("/api/article/evil-1")
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["title"] == f"Harbour {SCRIPT} closes"
    assert "nosniff" == response.headers["x-content-type-options"]
