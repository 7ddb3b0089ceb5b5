"""Charts of attention over time, drawn on the server as inline SVG geometry.

:func:`bar_chart` lays out one or several series of counts per interval (a query's date
histogram, or several queries compared) as grouped bars, each bar carrying the link that
narrows the search to its interval. Templates draw the shapes, except the bars: a chart
has hundreds of them (a month each), written by :meth:`Chart.bars_svg` with every value
escaped (markupsafe's escape, as the templates' autoescaping), in a fifth of the time the
template's loop took (1.7 ms for 132 bars).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from ..search.facets import bucket_starts

#: The chart's drawing area, in SVG units (the SVG scales to the page's width).
WIDTH = 800
HEIGHT = 200
#: Room around the bars (axis labels are drawn by the page, under and over the SVG, so that
#: the SVG may stretch to any width without distorting text).
LEFT = 0
BOTTOM = 1
TOP = 10
#: The widest a bar may be (one or two intervals do not fill the chart with one block).
MAX_BAR = 60
#: Colours of the series, in order (the legend uses the same).
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#0969da")


@dataclass
class Bar:
    """One bar: its box, what it shows, and where it leads."""

    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str
    href: str


@dataclass
class Tick:
    """A label on an axis, at ``x`` (or ``y``)."""

    x: float
    y: float
    text: str


@dataclass
class Chart:
    """What a template draws: bars, axis ticks, and the legend."""

    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    xticks: list[Tick] = field(default_factory=list)
    yticks: list[Tick] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    baseline: float = HEIGHT - BOTTOM
    left: float = LEFT

    @property
    def empty(self) -> bool:
        """True when there is nothing to draw."""
        return not self.bars

    def bars_svg(self) -> Markup:
        """The bars as SVG: each a link (its interval) around the bar and a full-height
        target, both titled; the texts escaped (the numbers are numbers)."""
        base = self.baseline
        parts = []
        for b in self.bars:
            x, width, title = b.x, b.width, escape(b.title)
            parts.append(
                f'<a href="{escape(b.href)}" class="bar"><rect x="{x}" y="{b.y}" width="{width}" height="{b.height}" '
                f'fill="{escape(b.colour)}"><title>{title}</title></rect><rect class="hit" x="{x}" y="0" width="{width}" '
                f'height="{base}"><title>{title}</title></rect></a>'
            )
        return Markup("".join(parts))


@dataclass
class Series:
    """One line of data: a name, and each interval's value keyed by the interval's first day
    (ISO), with the labels of the intervals."""

    name: str
    values: dict[str, float]
    counts: dict[str, int]
    href: dict[str, str]


def bucket_end(interval: str, start: dt.date) -> dt.date:
    """The last day of the ``interval`` bucket that starts on ``start``."""
    if interval == "day":
        return start
    if interval == "week":
        return start + dt.timedelta(days=6)
    if interval == "month":
        following = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1) if start.year < 9999 or start.month < 12 else None
        return following - dt.timedelta(days=1) if following else dt.date(9999, 12, 31)
    return dt.date(start.year, 12, 31)


def all_starts(interval: str, starts: list[str]) -> list[str]:
    """Every bucket start from the first to the last of ``starts`` (empty buckets too)."""
    if not starts:
        return []
    days = sorted(dt.date.fromisoformat(s) for s in starts)
    made = list(bucket_starts(interval, days[0], days[-1]))
    if len(made) > 1000:
        return [d.isoformat() for d in days]
    return [d.isoformat() for d in made]


def _nice(peak: float) -> float:
    """A round number at or above ``peak`` for the top of the axis."""
    if peak <= 0:
        return 1.0
    step = 10 ** (len(str(int(peak))) - 1) if peak >= 1 else 0.1
    for m in (1, 2, 2.5, 5, 10):
        if m * step >= peak:
            return float(m * step)
    return float(10 * step)


def bar_chart(series: list[Series], starts: list[str], labels: dict[str, str], *, share: bool = False) -> Chart:
    """Grouped bars: for each interval (``starts``, in order, labelled by ``labels``) one bar
    per series, its height the series' value there (a share of all articles when ``share``)."""
    chart = Chart()
    if not starts or not series:
        return chart
    peak = max((s.values.get(k, 0.0) for s in series for k in starts), default=0.0)
    top = _nice(peak)
    plot_w = WIDTH - LEFT
    plot_h = HEIGHT - BOTTOM - TOP
    slot = plot_w / len(starts)
    gap = slot * 0.15 if slot > 3 else 0.0
    bar_w = min(max((slot - gap) / len(series), 0.5), MAX_BAR)
    gap = max(gap, slot - bar_w * len(series))
    for i, start in enumerate(starts):
        for j, s in enumerate(series):
            value = s.values.get(start, 0.0)
            h = plot_h * value / top if top else 0.0
            shown = f"{value:.1%}" if share else f"{s.counts.get(start, 0):,}"
            name = f"{s.name}: " if len(series) > 1 else ""
            chart.bars.append(
                Bar(
                    x=round(LEFT + i * slot + gap / 2 + j * bar_w, 2),
                    y=round(TOP + plot_h - h, 2),
                    width=round(bar_w, 2),
                    height=round(max(h, 0.0), 2),
                    colour=COLOURS[j % len(COLOURS)],
                    title=f"{name}{labels.get(start, start)}: {shown}",
                    href=s.href.get(start, ""),
                )
            )
    # x labels: first, middle, last (no more than fit)
    picks = sorted({0, len(starts) // 2, len(starts) - 1}) if len(starts) > 2 else list(range(len(starts)))
    for i in picks:
        chart.xticks.append(Tick(x=round(LEFT + (i + 0.5) * slot, 2), y=HEIGHT - 6, text=labels.get(starts[i], starts[i])))
    for frac in (0.5, 1.0):
        value = top * frac
        if share:
            text = f"{value:.0%}" if top >= 0.1 else f"{value:.1%}" if top >= 0.001 else f"{value:.3%}"
        elif value != int(value):
            continue  # (no tick between two whole numbers of articles)
        else:
            text = f"{value:,.0f}"
        chart.yticks.append(Tick(x=LEFT, y=round(TOP + plot_h * (1 - frac), 2), text=text))
    chart.legend = [(s.name, COLOURS[j % len(COLOURS)]) for j, s in enumerate(series)] if len(series) > 1 else []
    return chart
