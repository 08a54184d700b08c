"""The statement's pictures, drawn by matplotlib: the burn-up chart of a period (the target
line and the actual cumulative, one point per local day) and the attainment of each closed
period against its target.

Each comes as SVG (for pages: deterministic, with an accessible <title> and <desc>, text kept
as text) and as PNG (for the PDF). Figures are plain Figure objects on the Agg canvas, never
pyplot's global state; the few rcParams the SVG writer reads are set under a lock, so
renderings on several threads do not mix them.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from reports.statement import BurnUp, PeriodAttainment

# Colours with at least 4.5:1 contrast on white (WCAG AA for text and marks).
ACTUAL = "#1f4e9c"
TARGET = "#5c5c5c"
STATUS_COLOURS = {"met": "#1e6b34", "breached": "#b3261e", "at risk": "#8a5300"}
NO_DATA = "#6b6b6b"
WIDTH_INCHES = 7.5
HEIGHT_INCHES = 3.6
PNG_DPI = 150
_SVG_OPTIONS: dict[str, Any] = {"svg.fonttype": "none", "svg.image_inline": True}
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_ID_ATTRIBUTE = re.compile(r' id="([^"]+)"')
_ID_USE = re.compile(r'( id="|url\(#|href="#)([^")]+)')
_render_lock = threading.Lock()


def burn_up_svg(series: BurnUp, chart_id: str = "burn-up") -> str:
    """The burn-up chart as an inline SVG element (ids prefixed with chart_id)."""
    figure = _burn_up_figure(series, chart_id)
    return _svg(figure, chart_id, burn_up_title(series), _burn_up_desc(series))


def burn_up_png(series: BurnUp) -> bytes:
    """The burn-up chart as PNG."""
    return _png(_burn_up_figure(series, "burn-up"))


def attainment_svg(
    history: Sequence[PeriodAttainment], objective_id: str, chart_id: str = "attainment"
) -> str:
    """The attainment per closed period as an inline SVG element (ids prefixed with chart_id)."""
    figure = _attainment_figure(history, objective_id, chart_id)
    title = attainment_title(objective_id, history)
    return _svg(figure, chart_id, title, _attainment_desc(history))


def attainment_png(history: Sequence[PeriodAttainment], objective_id: str) -> bytes:
    """The attainment per closed period as PNG."""
    return _png(_attainment_figure(history, objective_id, "attainment"))


def burn_up_title(series: BurnUp) -> str:
    """The burn-up chart's title."""
    track = "" if series.track == "scheduled" else f" ({series.track.replace('_', ' ')})"
    return f"Burn-up of {series.objective_id}{track} in {series.period_label}"


def attainment_title(objective_id: str, history: Sequence[PeriodAttainment]) -> str:
    """The attainment chart's title."""
    if not history:
        return f"Attainment of {objective_id}: no closed period"
    span = history[0].period_label
    if len(history) > 1:
        span = f"{span} to {history[-1].period_label}"
    return f"Attainment of {objective_id} per period, {span}"


def _burn_up_desc(series: BurnUp) -> str:
    if not series.points:
        return "No point yet."
    last = series.points[-1]
    return (
        f"{len(series.points)} daily points ({series.unit}); on {last.day.isoformat()} the "
        f"actual is {_shown(last.actual)} against a target line of {_shown(last.target)}."
    )


def _attainment_desc(history: Sequence[PeriodAttainment]) -> str:
    parts = [
        f"{p.period_label}: {_shown(p.attained)} against {_shown(p.target)}, {p.status}"
        for p in history
    ]
    return "; ".join(parts) + "." if parts else "No closed period."


def _shown(value: Decimal | None) -> str:
    return "no data" if value is None else str(value)


def _number(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def _burn_up_figure(series: BurnUp, chart_id: str) -> Figure:
    figure, axes = _figure()
    days = list(range(1, len(series.points) + 1))
    axes.plot(
        days,
        [_number(p.target) for p in series.points],
        color=TARGET,
        linestyle="--",
        marker="s",
        markersize=3,
        linewidth=1.2,
        label="Target line",
        gid=f"{chart_id}-target",
    )
    axes.plot(
        days,
        [_number(p.actual) for p in series.points],
        color=ACTUAL,
        marker="o",
        markersize=4,
        linewidth=1.8,
        label="Actual",
        gid=f"{chart_id}-actual",
    )
    labels = [f"{p.day:%m-%d}" for p in series.points]
    axes.xaxis.set_major_locator(MaxNLocator(nbins=10, integer=True, min_n_ticks=1))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _label_at(labels, x)))
    axes.set_xlim(0.5, max(len(days), 1) + 0.5)
    axes.set_xlabel("Local day (end of day)")
    axes.set_ylabel(series.unit.capitalize())
    axes.set_title(burn_up_title(series), fontsize=11)
    if series.points:  # beside the plot: the lines often run along its top
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return figure


def _label_at(labels: list[str], x: float) -> str:
    index = round(x) - 1
    return labels[index] if 0 <= index < len(labels) and abs(x - round(x)) < 1e-9 else ""


def _attainment_figure(
    history: Sequence[PeriodAttainment], objective_id: str, chart_id: str
) -> Figure:
    figure, axes = _figure()
    places = list(range(len(history)))
    heights = [0.0 if p.attained is None else float(p.attained) for p in history]
    _fit_ratio_axis(axes, history)
    bottom = axes.get_ylim()[0]
    bars = axes.bar(
        places,
        [height - bottom if height else 0.0 for height in heights],
        bottom=bottom,
        color=[STATUS_COLOURS.get(p.status, NO_DATA) for p in history],
        width=0.6,
    )
    for bar, period in zip(bars, history, strict=True):
        if period.attained is None:
            middle = bar.get_x() + bar.get_width() / 2
            place = axes.get_xaxis_transform()
            axes.annotate("no data", (middle, 0.02), xycoords=place, ha="center", color=NO_DATA)
    axes.plot(
        places,
        [_number(p.target) for p in history],
        linestyle="none",
        marker="_",
        markersize=22,
        markeredgewidth=2,
        color="#000000",
        label="Target",
        gid=f"{chart_id}-target",
    )
    axes.set_xticks(places, [p.period_label for p in history])
    if len(history) > 8:
        axes.tick_params(axis="x", labelrotation=45)
    axes.set_xlim(-0.75, max(len(history), 1) - 0.25)
    axes.set_xlabel("Period")
    axes.set_ylabel("Attained")
    axes.set_title(attainment_title(objective_id, history), fontsize=11)
    statuses = sorted({p.status for p in history if p.status in STATUS_COLOURS})
    handles: list[Artist] = [Patch(color=STATUS_COLOURS[s], label=s.capitalize()) for s in statuses]
    if history:
        handles.extend(axes.get_legend_handles_labels()[0])
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return figure


def _fit_ratio_axis(axes: Axes, history: Sequence[PeriodAttainment]) -> None:
    """Zoom in on the band of the figures so that 99.9 against 99.95 is visible."""
    values = [float(v) for p in history for v in (p.attained, p.target) if v is not None]
    if not values:
        return
    low, high = min(values), max(values)
    margin = max((high - low) * 0.25, abs(high) * 0.001, 0.01)
    axes.set_ylim(max(low - margin, 0.0) if low >= 0 else low - margin, high + margin)


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.grid(True, axis="y", color="#d0d0d0", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _svg(figure: Figure, chart_id: str, title: str, desc: str) -> str:
    if not _ID.fullmatch(chart_id):
        raise ValueError(f"chart id {chart_id!r} is not a letter and up to 63 [A-Za-z0-9_-]")
    buffer = io.StringIO()
    options: dict[Any, Any] = {**_SVG_OPTIONS, "svg.hashsalt": f"sla-ledger:{chart_id}"}
    with _render_lock, matplotlib.rc_context(options):
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = _own_ids(buffer.getvalue(), chart_id)
    start = text.index("<svg")
    opened = text.index(">", start) + 1
    labels = quoteattr(f"{chart_id}-title {chart_id}-desc")
    head = text[start : opened - 1].replace(
        "<svg", f'<svg id="{chart_id}" role="img" aria-labelledby={labels}', 1
    )
    accessible = (
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return f"{head}>{accessible}{text[opened:]}"


def _own_ids(text: str, chart_id: str) -> str:
    """The SVG with every id (and every reference to one) under the chart's prefix, so that
    several charts on one page share none (matplotlib numbers its groups per figure)."""
    prefix = f"{chart_id}-"
    ids = {found for found in _ID_ATTRIBUTE.findall(text) if not found.startswith(prefix)}

    def renamed(match: re.Match[str]) -> str:
        name = match.group(2)
        return f"{match.group(1)}{prefix}{name}" if name in ids else match.group(0)

    return _ID_USE.sub(renamed, text)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with _render_lock:
        figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()
