"""The evaluation of one objective's window from a folded history: readings, or cases."""

from __future__ import annotations

from datetime import datetime

from domain.agreement_history import AgreementHistory
from domain.case_clocks import evaluate_cases
from domain.compliance import TrackResult, evaluate
from domain.period_walk import PeriodWindow


def evaluate_window(
    history: AgreementHistory, window: PeriodWindow, as_of: datetime
) -> list[TrackResult]:
    """The tracks of window's objective at as_of, from what history holds: its cases for a case
    objective, its readings and exclusions for any other."""
    objective = window.objective
    time_zone = window.terms.terms.time_zone
    if objective.rules.case_clock is not None:
        return evaluate_cases(
            objective,
            window.window_start,
            window.window_end,
            history.case_timelines(),
            time_zone,
            as_of,
        )
    return evaluate(
        objective,
        window.window_start,
        window.window_end,
        history.readings.get(objective.objective_id, ()),
        history.exclusions,
        time_zone,
        as_of,
    )
