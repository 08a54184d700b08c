"""The ledger's replies as the statement's data: burn-up days, words for enums, totals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from reports.statement import Credit, Money
from reports.statement_mapping import CREDIT_KINDS, burn_ups, status_word, totals
from service.generated.sla.ledger.v1 import compliance_pb2, compliance_series_pb2, terms_pb2


def _series(*ends: datetime) -> compliance_series_pb2.GetComplianceSeriesResponse:
    reply = compliance_series_pb2.GetComplianceSeriesResponse(
        objective_id="deployments", period_label="2026-03"
    )
    track = reply.tracks.add(track="scheduled", indicator=terms_pb2.INDICATOR_CUMULATIVE)
    for number, end in enumerate(ends, start=1):
        point = track.points.add(good=str(9 * number), target_line=str(10 * number))
        point.at.FromDatetime(end)
    return reply


def test_a_point_at_local_midnight_closes_the_day_before() -> None:
    # 16 March 00:00 in New York (EDT from 8 March, UTC-4) is 04:00 UTC: it closes the 15th.
    [series] = burn_ups(_series(datetime(2026, 3, 16, 4, tzinfo=UTC)), "America/New_York")

    assert series.points[0].day == date(2026, 3, 15)


def test_a_last_point_standing_at_as_of_belongs_to_its_own_day() -> None:
    [series] = burn_ups(_series(datetime(2026, 3, 15, 18, 30, tzinfo=UTC)), "UTC")

    assert series.points[0].day == date(2026, 3, 15)


def test_a_cumulative_burn_up_plots_the_achieved_total_against_the_target_line() -> None:
    [series] = burn_ups(_series(datetime(2026, 3, 2, tzinfo=UTC)), "UTC")

    point = series.points[0]
    assert (series.unit, point.actual, point.target) == ("total", Decimal(9), Decimal(10))


def test_a_status_reads_as_a_word() -> None:
    assert status_word(compliance_pb2.COMPLIANCE_STATUS_AT_RISK) == "at risk"


def test_credit_totals_net_the_credit_lines_per_currency() -> None:
    at = datetime(2026, 4, 1, tzinfo=UTC)
    lines = [
        Credit("a", "2026-03", "credit_issued", Money(Decimal("100.00"), "EUR"), "", at, ""),
        Credit("a", "2026-03", "credit_adjusted", Money(Decimal("-40.00"), "EUR"), "", at, ""),
        Credit("b", "2026-03", "bonus_earned", Money(Decimal("5.00"), "EUR"), "", at, ""),
        Credit("c", "2026-03", "credit_issued", Money(Decimal("7.50"), "USD"), "", at, ""),
    ]

    # 100.00 - 40.00 in euros (the bonus apart); 7.50 in dollars.
    assert totals(lines, CREDIT_KINDS) == (
        Money(Decimal("60.00"), "EUR"),
        Money(Decimal("7.50"), "USD"),
    )
