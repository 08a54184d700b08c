"""A statement as CSV: one row per fact, every row naming the digest it was read at.

Columns are fixed (COLUMNS); a row fills those its record holds and leaves the others empty.
Records: "track" (an objective's figures in the period), "burn_up" (one point of the burn-up:
start is the local day, end the instant it stands at, attained the actual, target the target
line), "period_history" (a closed period's final attainment), "breach", "credit", "claim",
"exclusion" (record_lag_seconds: recorded_at - end), "credit_total" and "bonus_total".
Figures as the ledger shows them (at most 6 decimal places, half-even), instants in UTC ISO 8601.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from reports import shown
from reports.statement import AgreementStatement, Money, Statement

COLUMNS = (
    "digest",
    "known_at",
    "as_of",
    "record",
    "agreement_id",
    "customer_id",
    "objective_id",
    "period_label",
    "track",
    "status",
    "attained",
    "target",
    "good",
    "total",
    "bad",
    "readings",
    "excluded",
    "budget_remaining_percent",
    "kind",
    "amount",
    "currency",
    "state",
    "detail",
    "start",
    "end",
    "recorded_at",
    "record_lag_seconds",
)

Row = dict[str, str]


def render_csv(statement: Statement) -> str:
    """The statement as CSV text (RFC 4180: CRLF line ends, a header row)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    stamp = {
        "digest": statement.digest.text,
        "known_at": shown.instant(statement.known_at),
        "as_of": shown.instant(statement.as_of),
    }
    for section in statement.agreements:
        for row in _rows(section):
            writer.writerow({**stamp, **row})
    return buffer.getvalue()


def _value(value: Decimal | None) -> str:
    return "" if value is None else shown.figure(value)


def _money(amount: Money) -> Row:
    return {"amount": shown.money_amount(amount), "currency": amount.currency}


def _rows(section: AgreementStatement) -> Iterator[Row]:
    whose = {"agreement_id": section.agreement.agreement_id, "customer_id": section.customer_id}
    for objective in section.objectives:
        about = {**whose, "objective_id": objective.objective_id}
        for t in objective.tracks:
            yield {
                **about,
                "record": "track",
                "period_label": objective.period_label,
                "track": t.track,
                "status": t.status,
                "attained": _value(t.attained),
                "target": _value(t.target),
                "good": _value(t.good),
                "total": _value(t.total),
                "bad": _value(t.bad),
                "readings": str(t.readings),
                "excluded": str(t.excluded),
                "budget_remaining_percent": _value(t.budget_remaining_percent),
                "kind": t.indicator,
                "start": shown.instant(objective.window_start),
                "end": shown.instant(objective.window_end),
            }
        for series in objective.burn_up:
            for point in series.points:
                yield {
                    **about,
                    "record": "burn_up",
                    "period_label": series.period_label,
                    "track": series.track,
                    "attained": _value(point.actual),
                    "target": _value(point.target),
                    "kind": series.unit,
                    "start": point.day.isoformat(),
                    "end": shown.instant(point.at),
                }
        for past in objective.history:
            yield {
                **about,
                "record": "period_history",
                "period_label": past.period_label,
                "track": past.track,
                "status": past.status,
                "attained": _value(past.attained),
                "target": _value(past.target),
                "start": shown.instant(past.window_start),
            }
    yield from _money_rows(section, whose)


def _money_rows(section: AgreementStatement, whose: Row) -> Iterator[Row]:
    for b in section.breaches:
        yield {
            **whose,
            "record": "breach",
            "objective_id": b.objective_id,
            "period_label": b.period_label,
            "track": b.track,
            "status": "retracted" if b.retracted else "active",
            "attained": _value(b.attained),
            "target": _value(b.target),
            "detail": f"terms version {b.terms_version}",
            "recorded_at": shown.instant(b.recorded_at),
        }
    for c in section.credits:
        yield {
            **whose,
            **_money(c.amount),
            "record": "credit",
            "objective_id": c.objective_id,
            "period_label": c.period_label,
            "kind": c.kind,
            "state": c.state,
            "detail": c.policy_line,
            "recorded_at": shown.instant(c.recorded_at),
        }
    for claim in section.claims:
        yield {
            **whose,
            **_money(claim.amount),
            "record": "claim",
            "objective_id": claim.objective_id,
            "period_label": claim.period_label,
            "kind": claim.step,
            "detail": claim.detail,
            "recorded_at": shown.instant(claim.recorded_at),
        }
    for e in section.exclusions:
        yield {
            **whose,
            "record": "exclusion",
            "kind": e.kind,
            "state": e.standing,
            "detail": f"{e.exclusion_id}: {e.reason}",
            "start": shown.instant(e.start),
            "end": shown.instant(e.end),
            "recorded_at": shown.instant(e.recorded_at),
            "record_lag_seconds": shown.figure(Decimal(str(e.record_lag.total_seconds()))),
        }
    for total in section.credit_totals:
        yield {**whose, **_money(total), "record": "credit_total"}
    for total in section.bonus_totals:
        yield {**whose, **_money(total), "record": "bonus_total"}
