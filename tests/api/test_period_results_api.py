"""ListPeriodResults and GetCompliance's closed result against a real server.

The agreement (as tests/api/test_periods_and_compliance.py's): EUR 1,000.00 a month, one monthly
ratio objective of 99.9% in UTC, credits in bands (below 99.9% -> 10% of the fee). January 2026
gets 744 hourly readings of 1,000 requests, the first ten with 900 good: 743,000 / 744,000 =
99.865591% < 99.9% -> BREACHED, credit EUR 100.00. A late reading of 300,000 good requests lifts
it to 1,043,000 / 1,044,000 = 99.9042145...% (shown 99.904215) >= 99.9%: a recalculation makes
it MET, retracts the breach and adjusts the credit by -100.00 (the credit is then void).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    credit_states_pb2,
    disputes_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
TIMEOUT = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub
MET = compliance_pb2.COMPLIANCE_STATUS_MET
BREACHED = compliance_pb2.COMPLIANCE_STATUS_BREACHED
NO_DATA = compliance_pb2.COMPLIANCE_STATUS_NO_DATA


def _sign(stub: Stub, agreement_id: str) -> None:
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    request = build.sign_request(
        agreement_id, JANUARY, JANUARY, time_zone="UTC", credit_policy=policy
    )
    stub.SignAgreement(request, timeout=TIMEOUT)


def _january_readings(agreement_id: str) -> ledger_service_pb2.RecordMeasurementsRequest:
    request = ledger_service_pb2.RecordMeasurementsRequest(agreement_id=agreement_id)
    for hour in range(31 * 24):
        reading = request.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=hour))
        reading.counts.good = 900 if hour < 10 else 1000
        reading.counts.total = 1000
    return request


def _close(
    stub: Stub, agreement_id: str, until: datetime
) -> ledger_service_pb2.ClosePeriodResponse:
    request = ledger_service_pb2.ClosePeriodRequest(agreement_id=agreement_id)
    request.until.FromDatetime(until)
    response: ledger_service_pb2.ClosePeriodResponse = stub.ClosePeriod(request, timeout=TIMEOUT)
    return response


def _recalculate_after_late_reading(stub: Stub, agreement_id: str) -> int:
    request = ledger_service_pb2.RecordMeasurementsRequest(agreement_id=agreement_id)
    reading = request.measurements.add(objective_id="availability", measurement_id="late-1")
    reading.observed_at.FromDatetime(JANUARY + timedelta(days=20, minutes=30))
    reading.counts.good = reading.counts.total = 300_000
    stub.RecordMeasurements(request, timeout=TIMEOUT)
    response = stub.RecalculatePeriod(
        ledger_service_pb2.RecalculatePeriodRequest(
            agreement_id=agreement_id, objective_id="availability", period_label="2026-01"
        ),
        timeout=TIMEOUT,
    )
    position: int = response.log_position
    return position


def _list(stub: Stub, **fields: Any) -> history_pb.ListPeriodResultsResponse:
    response: history_pb.ListPeriodResultsResponse = stub.ListPeriodResults(
        history_pb.ListPeriodResultsRequest(**fields), timeout=TIMEOUT
    )
    return response


def _compliance(stub: Stub, as_of: datetime, known_at: Timestamp | None = None) -> Any:
    request = ledger_service_pb2.GetComplianceRequest(agreement_id="sla-1")
    request.as_of.FromDatetime(as_of)
    if known_at is not None:
        request.known_at.CopyFrom(known_at)
    return stub.GetCompliance(request, timeout=TIMEOUT).report


@pytest.fixture
def closed_january(stub: Stub) -> ledger_service_pb2.ClosePeriodResponse:
    _sign(stub, "sla-1")
    stub.RecordMeasurements(_january_readings("sla-1"), timeout=TIMEOUT)
    return _close(stub, "sla-1", FEBRUARY)


def test_a_closed_month_is_listed_with_its_figures_breach_and_credit(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    response = _list(stub, agreement_id="sla-1", min_log_position=closed_january.log_position)

    [period] = response.periods
    [track] = period.tracks
    assert (period.period_label, period.status, period.customer_id) == (
        "2026-01",
        BREACHED,
        "globex",
    )
    assert (track.attained, track.good, track.total, track.final) == (
        "99.865591",
        "743000",
        "744000",
        True,
    )
    assert [(b.track, b.attained, b.retracted) for b in period.breaches] == [
        ("scheduled", "99.865591", False)
    ]
    [credit] = period.credits
    assert (credit.line.amount.amount, credit.state) == (
        "100.00",
        credit_states_pb2.CREDIT_STATE_APPROVED,
    )
    assert period.closed_position == closed_january.events[0].position


def test_a_recalculated_month_is_listed_as_met_with_the_recalculation(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    position = _recalculate_after_late_reading(stub, "sla-1")

    [period] = _list(stub, agreement_id="sla-1", min_log_position=position).periods

    [recalculation] = period.recalculations
    assert (period.status, recalculation.status_before, recalculation.status_after) == (
        MET,
        BREACHED,
        MET,
    )
    assert period.tracks[0].attained == "99.904215"
    assert [b.retracted for b in period.breaches] == [True]
    assert [(c.line.amount.amount, c.state) for c in period.credits] == [
        ("100.00", credit_states_pb2.CREDIT_STATE_VOID),
        ("-100.00", credit_states_pb2.CREDIT_STATE_VOID),
    ]


def test_a_period_listed_as_known_before_its_recalculation_shows_the_close(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    known_after_close = closed_january.events[-1].recorded_at
    position = _recalculate_after_late_reading(stub, "sla-1")

    response = _list(
        stub, agreement_id="sla-1", known_at=known_after_close, min_log_position=position
    )

    [period] = response.periods
    assert (period.status, list(period.recalculations)) == (BREACHED, [])


def test_a_period_closed_after_known_at_is_not_listed(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    before_close = Timestamp()
    before_close.FromDatetime(
        closed_january.events[0].recorded_at.ToDatetime(UTC) - timedelta(microseconds=1)
    )

    response = _list(
        stub,
        agreement_id="sla-1",
        known_at=before_close,
        min_log_position=closed_january.log_position,
    )

    assert (list(response.periods), response.next_page_token) == ([], "")


def test_periods_are_listed_a_page_at_a_time_in_window_order(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    closed = _close(stub, "sla-1", MARCH)

    first = _list(stub, customer_id="globex", page_size=1, min_log_position=closed.log_position)
    second = _list(stub, customer_id="globex", page_size=1, page_token=first.next_page_token)

    assert [p.period_label for p in [*first.periods, *second.periods]] == ["2026-01", "2026-02"]
    assert second.periods[0].status == NO_DATA
    assert second.next_page_token == ""


def test_a_window_range_lists_only_the_periods_starting_in_it(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    closed = _close(stub, "sla-1", MARCH)
    start_from = Timestamp()
    start_from.FromDatetime(FEBRUARY)

    response = _list(
        stub,
        agreement_id="sla-1",
        window_start_from=start_from,
        min_log_position=closed.log_position,
    )

    assert [p.period_label for p in response.periods] == ["2026-02"]


def test_a_listing_without_agreement_or_customer_is_refused(stub: Stub) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        _list(stub)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_compliance_inside_a_closed_breached_month_carries_the_closed_result(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    report = _compliance(stub, JANUARY + timedelta(days=15))

    [objective] = report.objectives
    closed = objective.closed
    assert (closed.status, closed.closed_position, closed.recalculations) == (
        BREACHED,
        closed_january.events[0].position,
        0,
    )
    assert [(t.attained, t.final) for t in closed.tracks] == [("99.865591", True)]
    assert objective.tracks[0].final is False


def test_compliance_known_before_the_close_has_no_closed_result(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    before_close = Timestamp()
    before_close.FromDatetime(
        closed_january.events[0].recorded_at.ToDatetime(UTC) - timedelta(microseconds=1)
    )

    report = _compliance(stub, JANUARY + timedelta(days=15), before_close)

    assert not report.objectives[0].HasField("closed")


def test_compliance_inside_a_recalculated_month_carries_the_result_after_it(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    _recalculate_after_late_reading(stub, "sla-1")

    closed = _compliance(stub, JANUARY + timedelta(days=15)).objectives[0].closed

    assert (closed.status, closed.recalculations, closed.tracks[0].attained) == (
        MET,
        1,
        "99.904215",
    )


def test_a_period_names_the_disputes_of_it_open_at_known_at(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    opened = stub.OpenDispute(
        disputes_pb2.OpenDisputeRequest(
            agreement_id="sla-1",
            dispute_id="d-1",
            subject=disputes_pb2.DisputeSubject(
                kind=disputes_pb2.DISPUTE_SUBJECT_KIND_PERIOD_RESULT,
                objective_id="availability",
                period_label="2026-01",
            ),
            reason="our probes saw more downtime",
        ),
        timeout=TIMEOUT,
    )
    before = Timestamp()
    before.FromDatetime(opened.dispute.opened_at.ToDatetime(UTC) - timedelta(microseconds=1))

    [now] = _list(stub, agreement_id="sla-1", min_log_position=opened.log_position).periods
    [then] = _list(
        stub, agreement_id="sla-1", known_at=before, min_log_position=opened.log_position
    ).periods

    assert (list(now.open_dispute_ids), list(now.breaches[0].open_dispute_ids)) == (
        ["d-1"],
        ["d-1"],
    )
    assert list(now.credits[0].line.open_dispute_ids) == ["d-1"]
    assert list(then.open_dispute_ids) == []
