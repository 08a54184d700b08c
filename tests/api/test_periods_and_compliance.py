"""ClosePeriod, RecalculatePeriod, GetCompliance and RecordExclusion against a real server.

The agreement: EUR 1,000.00 a month, one monthly ratio objective of 99.9% in UTC, credits in
bands (below 99.9% -> 10% of the fee). January 2026 gets 744 hourly readings of 1,000 requests;
the first ten hours have 900 good, so 1,000 of 744,000 requests failed:
attainment = 743,000 / 744,000 = 99.865591...% < 99.9% -> breached -> 10% of EUR 1,000.00 =
EUR 100.00. A late reading of 300,000 good requests lifts it to 1,043,000 / 1,044,000 =
99.904214...% >= 99.9%: the breach is retracted and the credit adjusted by -100.00.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from tests import proto_builders as build

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
TIMEOUT = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub


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


def _late_reading(agreement_id: str) -> ledger_service_pb2.RecordMeasurementsRequest:
    request = ledger_service_pb2.RecordMeasurementsRequest(agreement_id=agreement_id)
    reading = request.measurements.add(objective_id="availability", measurement_id="late-1")
    reading.observed_at.FromDatetime(JANUARY + timedelta(days=20, minutes=30))
    reading.counts.good = reading.counts.total = 300_000
    return request


def _close_january(stub: Stub, agreement_id: str) -> ledger_service_pb2.ClosePeriodResponse:
    request = ledger_service_pb2.ClosePeriodRequest(agreement_id=agreement_id)
    request.until.FromDatetime(FEBRUARY)
    response: ledger_service_pb2.ClosePeriodResponse = stub.ClosePeriod(request, timeout=TIMEOUT)
    return response


def _compliance(
    stub: Stub, agreement_id: str, as_of: datetime, known_at: Any = None
) -> compliance_pb2.ComplianceReport:
    request = ledger_service_pb2.GetComplianceRequest(agreement_id=agreement_id)
    request.as_of.FromDatetime(as_of)
    if known_at is not None:
        request.known_at.CopyFrom(known_at)
    response = stub.GetCompliance(request, timeout=TIMEOUT)
    report: compliance_pb2.ComplianceReport = response.report
    return report


@pytest.fixture
def closed_january(stub: Stub) -> ledger_service_pb2.ClosePeriodResponse:
    _sign(stub, "sla-1")
    stub.RecordMeasurements(_january_readings("sla-1"), timeout=TIMEOUT)
    return _close_january(stub, "sla-1")


def test_closing_a_month_with_a_shortfall_appends_the_close_a_breach_and_a_credit(
    closed_january: ledger_service_pb2.ClosePeriodResponse,
) -> None:
    payloads = [e.WhichOneof("payload") for e in closed_january.events]

    assert payloads == ["period_closed", "breach_detected", "credit_issued"]
    assert closed_january.events[0].period_closed.figures[0].attained == "99.865591"
    issued = closed_january.events[2].credit_issued
    assert (issued.amount.currency_code, issued.amount.amount) == ("EUR", "100.00")


def test_closing_the_same_month_again_appends_nothing(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    again = _close_january(stub, "sla-1")

    assert (list(again.events), again.log_position) == ([], 0)


def test_a_reading_for_a_closed_month_is_counted_as_late(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    response = stub.RecordMeasurements(_late_reading("sla-1"), timeout=TIMEOUT)

    assert (response.recorded_count, response.late_count) == (1, 1)


def test_recalculating_after_late_data_retracts_the_breach_and_adjusts_the_credit(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    stub.RecordMeasurements(_late_reading("sla-1"), timeout=TIMEOUT)

    response = stub.RecalculatePeriod(
        ledger_service_pb2.RecalculatePeriodRequest(
            agreement_id="sla-1", objective_id="availability", period_label="2026-01"
        ),
        timeout=TIMEOUT,
    )

    payloads = [e.WhichOneof("payload") for e in response.events]
    assert payloads == ["period_recalculated", "breach_retracted", "credit_adjusted"]
    adjusted = response.events[2].credit_adjusted
    assert (adjusted.before.amount, adjusted.after.amount, adjusted.delta.amount) == (
        "100.00",
        "0.00",
        "-100.00",
    )


def test_compliance_known_before_a_recalculation_still_shows_the_original_credit(
    stub: Stub, closed_january: ledger_service_pb2.ClosePeriodResponse
) -> None:
    known_after_close = closed_january.events[-1].recorded_at
    stub.RecordMeasurements(_late_reading("sla-1"), timeout=TIMEOUT)
    stub.RecalculatePeriod(
        ledger_service_pb2.RecalculatePeriodRequest(
            agreement_id="sla-1", objective_id="availability", period_label="2026-01"
        ),
        timeout=TIMEOUT,
    )

    then = _compliance(stub, "sla-1", FEBRUARY, known_after_close)
    now = _compliance(stub, "sla-1", FEBRUARY)

    assert [(t.currency_code, t.amount) for t in then.credit_totals] == [("EUR", "100.00")]
    assert [(t.currency_code, t.amount) for t in now.credit_totals] == [("EUR", "0.00")]
    assert [b.retracted for b in now.breaches] == [True]


def test_compliance_in_the_middle_of_a_month_reports_the_open_period(stub: Stub) -> None:
    _sign(stub, "sla-1")
    stub.RecordMeasurements(_january_readings("sla-1"), timeout=TIMEOUT)

    report = _compliance(stub, "sla-1", JANUARY + timedelta(hours=20))

    [objective] = report.objectives
    [track] = objective.tracks
    # Hours 0-20 observed at or before 20:00: 21 readings, 10 of them with 100 bad of 1,000:
    # 20,000 good of 21,000 -> 95.238095%; below 99.9% in an open period -> at risk.
    assert (objective.period_label, track.readings, track.attained, track.final) == (
        "2026-01",
        21,
        "95.238095",
        False,
    )
    assert objective.status == compliance_pb2.COMPLIANCE_STATUS_AT_RISK


def test_recording_the_same_exclusion_twice_records_it_once(stub: Stub) -> None:
    _sign(stub, "sla-1")
    exclusion = terms_pb2.Exclusion(
        exclusion_id="maint-1",
        kind=terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE,
        reason="announced maintenance",
    )
    exclusion.start.FromDatetime(JANUARY)
    exclusion.end.FromDatetime(JANUARY + timedelta(hours=10))
    request = ledger_service_pb2.RecordExclusionRequest(agreement_id="sla-1", exclusion=exclusion)

    first = stub.RecordExclusion(request, timeout=TIMEOUT)
    second = stub.RecordExclusion(request, timeout=TIMEOUT)

    assert (first.recorded, second.recorded, second.log_position) == (True, False, 0)


def test_an_exclusion_over_the_bad_hours_turns_the_breach_into_a_pass(stub: Stub) -> None:
    _sign(stub, "sla-1")
    stub.RecordMeasurements(_january_readings("sla-1"), timeout=TIMEOUT)
    exclusion = terms_pb2.Exclusion(
        exclusion_id="customer-1",
        kind=terms_pb2.EXCLUSION_KIND_CUSTOMER_CAUSED,
        reason="customer overloaded the service",
        evidence="ticket 4711",
    )
    exclusion.start.FromDatetime(JANUARY)
    exclusion.end.FromDatetime(JANUARY + timedelta(hours=10))
    stub.RecordExclusion(
        ledger_service_pb2.RecordExclusionRequest(agreement_id="sla-1", exclusion=exclusion),
        timeout=TIMEOUT,
    )

    closed = _close_january(stub, "sla-1")

    # The ten bad hours are excluded: 734,000 good of 734,000 -> 100% -> met, no breach.
    assert [e.WhichOneof("payload") for e in closed.events] == ["period_closed"]
    figures = closed.events[0].period_closed.figures[0]
    assert (figures.attained, figures.excluded, figures.status) == ("100.000000", 10, "met")


def test_closing_periods_that_have_not_ended_is_invalid_argument(stub: Stub) -> None:
    _sign(stub, "sla-1")
    request = ledger_service_pb2.ClosePeriodRequest(agreement_id="sla-1")
    request.until.FromDatetime(datetime.now(UTC) + timedelta(days=1))

    with pytest.raises(grpc.RpcError) as refusal:
        stub.ClosePeriod(request, timeout=TIMEOUT)

    assert refusal.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_the_server_closes_due_periods_by_itself(
    start_server: Callable[..., Any], sqlite_database_url: str
) -> None:
    server = start_server(
        sqlite_database_url,
        extra_args=("--close-periods", "on", "--close-grace", "0", "--close-interval", "0.2"),
    )
    stub = Stub(server.channel)
    _sign(stub, "sla-1")
    stub.RecordMeasurements(_january_readings("sla-1"), timeout=TIMEOUT)
    deadline = time.monotonic() + 30
    closed: list[str] = []
    while time.monotonic() < deadline and "2026-01" not in closed:
        events = stub.ListEvents(
            ledger_service_pb2.ListEventsRequest(agreement_id="sla-1", page_size=1000),
            timeout=TIMEOUT,
        ).events
        closed = [e.period_closed.period_label for e in events if e.HasField("period_closed")]
        time.sleep(0.1)

    assert "2026-01" in closed
    closing = [e for e in events if e.HasField("period_closed")]
    assert {e.actor for e in closing} == {"sla-ledger period closer"}
