"""The replay oracle: compliance, breaches and credits of one agreement, straight from its events.

Deliberately plain: fold every event recorded by known_at, then evaluate. Every fast path of the
ledger must give exactly this function's answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.compliance import TrackResult
from domain.compliance_report import ComplianceReport, compliance_report
from domain.known_at import history_known_at
from domain.period_walk import PeriodWindow
from domain.window_evaluation import evaluate_window


def replay_compliance(
    events: Iterable[Any],
    as_of: datetime,
    known_at: datetime,
    objective_id: str | None = None,
) -> ComplianceReport:
    """The compliance report from an agreement's events (in log order) at as_of, as of known_at."""
    history = history_known_at(events, known_at)

    def from_history(current: PeriodWindow) -> list[TrackResult]:
        return evaluate_window(history, current, as_of)

    return compliance_report(history, as_of, known_at, objective_id, from_history)
