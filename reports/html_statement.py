"""A statement as one self-contained HTML page (Jinja2, autoescaped, charts as inline SVG)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from reports import shown
from reports.charts import attainment_svg, burn_up_svg
from reports.statement import AgreementStatement, ObjectiveStatement, Statement

TEMPLATES = Path(__file__).parent / "templates"


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "html.j2")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(
        figure=shown.figure,
        percent=shown.percent,
        money=shown.money,
        instant=shown.instant,
        lag=shown.lag,
        label=shown.label,
    )
    return environment


_ENVIRONMENT = _environment()


def render_html(statement: Statement) -> str:
    """The statement as an HTML document."""
    template = _ENVIRONMENT.get_template("statement.html.j2")
    sections = [
        {"statement": section, "charts": _charts(number, section)}
        for number, section in enumerate(statement.agreements, start=1)
    ]
    return template.render(
        statement=statement,
        sections=sections,
        verify_command=shown.verify_command(statement.digest),
    )


def _charts(number: int, section: AgreementStatement) -> dict[str, list[Markup]]:
    """The SVG charts of each objective of one agreement, by objective id."""
    return {
        objective.objective_id: _objective_charts(f"a{number}-o{index}", objective)
        for index, objective in enumerate(section.objectives, start=1)
    }


def _objective_charts(prefix: str, objective: ObjectiveStatement) -> list[Markup]:
    charts = [
        Markup(burn_up_svg(series, chart_id=f"{prefix}-burn-up-{index}"))
        for index, series in enumerate(objective.burn_up, start=1)
    ]
    if objective.history:
        history = attainment_svg(objective.history, objective.objective_id, f"{prefix}-history")
        charts.append(Markup(history))
    return charts
