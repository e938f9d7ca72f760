"""Bar charts as plain geometry, drawn as SVG by the template (operations/_bar_chart.html).

Server-rendered: no chart library, no script, nothing the content security policy would
have to allow (SVG presentation attributes are not styles; colours come from dashboard.css).
The numbers behind every chart are also shown as a table beside it.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

WIDTH, LEFT, RIGHT, TOP, BOTTOM = 800, 64, 12, 12, 36
MAX_X_LABELS = 7


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    at: float  # y for the value axis, x for the category axis
    label: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    bottom: float  # y of the baseline
    right: int
    bars: list[Bar]
    y_ticks: list[Tick]
    x_ticks: list[Tick]


def nice_step(largest: float, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines."""
    if largest <= ticks:
        return 1
    raw = largest / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def bar_chart(
    values: Sequence[tuple[str, int]],
    *,
    height: int = 260,
) -> BarChart:
    """Vertical bars for (label, count) pairs, with a value axis and a few category labels."""
    step = nice_step(max((v for _l, v in values), default=0))
    top_value = max(step, math.ceil(max((v for _l, v in values), default=0) / step) * step)
    plot_width = WIDTH - LEFT - RIGHT
    baseline = height - BOTTOM
    plot_height = baseline - TOP
    slot = plot_width / max(len(values), 1)
    gap = min(slot * 0.2, 8) if slot > 3 else 0
    bars = []
    for i, (label, value) in enumerate(values):
        bar_height = plot_height * value / top_value
        bars.append(
            Bar(
                x=round(LEFT + i * slot + gap / 2, 2),
                y=round(baseline - bar_height, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(bar_height, 2),
                label=label,
                value=value,
            )
        )
    y_ticks = [
        Tick(
            at=round(baseline - plot_height * v / top_value, 2),
            label=number_format(v, force_grouping=True),
        )
        for v in range(0, top_value + 1, step)
    ]
    every = max(1, math.ceil(len(values) / MAX_X_LABELS))
    x_ticks = [
        Tick(at=round(LEFT + (i + 0.5) * slot, 2), label=label)
        for i, (label, _v) in enumerate(values)
        if i % every == 0
    ]
    return BarChart(
        width=WIDTH,
        height=height,
        left=LEFT,
        bottom=baseline,
        right=WIDTH - RIGHT,
        bars=bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )


def bucket_label(start: datetime, bucket: str, *, long: bool = False) -> str:
    """A bar's name in the page's language: an hour, a day, or the Monday of a week."""
    if bucket == "hour":
        if long:
            return date_format(start, "SHORT_DATETIME_FORMAT")
        return time_format(start, "TIME_FORMAT")
    if long:
        return date_format(start, "DATE_FORMAT")
    # Short enough for seven labels side by side ("Nov 25", "25 nov").
    return date_format(start, pgettext("a day under a chart's bar (Django date format)", "M j"))


def band_label(lower: int, upper: int | None) -> str:
    """A time-to-accept band in minutes: "5 to 10 min", "over 60 min"."""
    if upper is None:
        return _("over %(lower)d min") % {"lower": lower}
    return _("%(lower)d to %(upper)d min") % {"lower": lower, "upper": upper}
