"""The search page's chart, built fast: the bars' SVG written in Python is what the
template's loop wrote (values escaped), and a bar's link is the page state's own URL."""

from __future__ import annotations

from jinja2 import Environment, select_autoescape

from newssearch.web.chart import Series, bar_chart
from newssearch.web.state import PageState

LOOP = (
    '{% for b in chart.bars %}<a href="{{ b.href }}" class="bar"><rect x="{{ b.x }}" y="{{ b.y }}" width="{{ b.width }}" '
    'height="{{ b.height }}" fill="{{ b.colour }}"><title>{{ b.title }}</title></rect><rect class="hit" x="{{ b.x }}" y="0" '
    'width="{{ b.width }}" height="{{ chart.baseline }}"><title>{{ b.title }}</title></rect></a>{% endfor %}'
)


def test_bars_svg_is_the_templates_loop() -> None:
    starts = [f"{1987 + i // 12}-{i % 12 + 1:02d}-01" for i in range(40)]
    hostile = "<script>alert('x')</script> & \"q\""
    series = [
        Series(name=hostile, values={k: float(i % 7) for i, k in enumerate(starts)}, counts={k: i % 7 for i, k in enumerate(starts)},
               href={k: f"/?q=a%26b&since={k}&x=<y>" for k in starts}),
        Series(name="two", values={k: 2.5 for k in starts}, counts={k: 2 for k in starts}, href={}),
    ]
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    for chart in (bar_chart(series, starts, {k: k[:7] + hostile for k in starts}), bar_chart(series[:1], starts[:1], {}, share=True)):
        html = env.from_string("{{ chart.bars_svg() }}").render(chart=chart)
        assert html == env.from_string(LOOP).render(chart=chart)
        assert "<script>" not in html and "<y>" not in html
    assert "&lt;script&gt;" in env.from_string("{{ chart.bars_svg() }}").render(chart=bar_chart(series, starts, {}))


def test_chart_links_are_the_states_urls() -> None:
    states = [
        PageState(), PageState(q="oil prices"), PageState(q="a&b=c", person=("Alan Greenspan", "Ø"), source=("bbc",), lang=("ro",)),
        PageState(q="x", since="2001", until="2002", sort="newest", interval="year", page=3), PageState(sort="oldest"),
        PageState(interval="day", page=2, lang=("en",)),
    ]
    for state in states:
        for since, until in (("2019-05", "2019-05"), ("2019-05-06", "2019-05-12"), ("1987", "1987"), ("", "2001")):
            assert state.between(since, until) == state.url(since=since, until=until), (state, since, until)


def test_filter_links_are_the_states_urls() -> None:
    states = [
        PageState(), PageState(q="oil prices"), PageState(q="a&b=c", person=("Alan Greenspan", "Ø"), source=("bbc",), lang=("ro",)),
        PageState(q="x", since="2001", until="2002", sort="newest", interval="year", page=3), PageState(source=("a b",), page=2),
        PageState(lang=("en",), sort="oldest"),
    ]
    for state in states:
        for name in ("person", "source", "lang"):
            for value in ("Alan Greenspan", "bbc", "en", "x&y=z +", "Ø", *getattr(state, name)):
                values = getattr(state, name)
                expected = state.url(**{name: values if value in values else (*values, value)})
                assert state.adding(name, value) == expected, (state, name, value)
