"""GetComplianceSeries against a real server: the burn-up of a month in New York, point by point.

The agreement: signed for March 2026 in America/New_York (31 local days, 743 hours: the clocks go
forward on the 8th), two monthly objectives: availability (ratio, 99.9%) and leads (cumulative,
100). Each local day d gets, at local noon, one availability reading of 1,000 requests (990 good
on the 10th, 1,000 otherwise) and one leads reading of 3. Hand-computed: at the end of day 15
the leads target line is 100 x 15/31 = 48.387097 and 45 leads are achieved (at risk, below the
line); at the end of day 10 availability is 9,990 / 10,000 = 99.9% (not below target) with its
error budget (10 bad allowed) spent: at risk.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest

from service.generated.sla.ledger.v1 import compliance_pb2, ledger_service_pb2, terms_pb2
from service.generated.sla.ledger.v1 import compliance_series_pb2 as series_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

NEW_YORK = ZoneInfo("America/New_York")
MARCH = datetime(2026, 3, 1, tzinfo=NEW_YORK).astimezone(UTC)  # 05:00Z
APRIL = datetime(2026, 4, 1, tzinfo=NEW_YORK).astimezone(UTC)  # 04:00Z
TIMEOUT = 10
Stub = pb_grpc.LedgerServiceStub


def _noon(day: int) -> datetime:
    return datetime(2026, 3, day, 12, tzinfo=NEW_YORK).astimezone(UTC)


@pytest.fixture
def month(stub: Stub) -> Stub:
    """The agreement with its 31 days of readings."""
    leads = terms_pb2.Objective(
        objective_id="leads",
        metric="qualified_leads",
        period=terms_pb2.PERIOD_UNIT_MONTH,
        indicator=terms_pb2.INDICATOR_CUMULATIVE,
        cumulative_target="100",
    )
    availability = terms_pb2.Objective(
        objective_id="availability",
        metric="availability",
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_MONTH,
    )
    stub.SignAgreement(
        build.sign_request(
            "sla-ny", MARCH, MARCH, time_zone="America/New_York", objectives=[availability, leads]
        ),
        timeout=TIMEOUT,
    )
    readings = ledger_service_pb2.RecordMeasurementsRequest(agreement_id="sla-ny")
    for day in range(1, 32):
        up = readings.measurements.add(objective_id="availability")
        up.observed_at.FromDatetime(_noon(day))
        up.counts.good, up.counts.total = (990 if day == 10 else 1000), 1000
        lead = readings.measurements.add(objective_id="leads")
        lead.observed_at.FromDatetime(_noon(day))
        lead.counts.good = lead.counts.total = 3
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    return stub


def _series(stub: Stub, objective_id: str, as_of: datetime, **fields: Any) -> Any:
    """The series of the period holding period_at (default: as_of's, March for APRIL: the
    last instant of March is APRIL - 1 µs, so as_of APRIL asks for April's period)."""
    fields.setdefault("period_at", build.timestamp(min(as_of, APRIL - timedelta(seconds=1))))
    request = series_pb.GetComplianceSeriesRequest(
        agreement_id="sla-ny", objective_id=objective_id, as_of=build.timestamp(as_of), **fields
    )
    return stub.GetComplianceSeries(request, timeout=TIMEOUT)


def test_a_month_has_one_point_per_local_day_each_ending_at_a_local_midnight(
    month: Stub,
) -> None:
    reply = _series(month, "leads", APRIL + timedelta(days=1), period_at=build.timestamp(MARCH))

    [track] = reply.tracks
    ends = [p.at.ToDatetime(tzinfo=UTC) for p in track.points]
    assert len(ends) == 31
    assert ends[0] == datetime(2026, 3, 2, 5, tzinfo=UTC)
    assert ends[7] == datetime(2026, 3, 9, 4, tzinfo=UTC)  # 8 March: 23 hours
    assert ends[-1] == APRIL
    assert (reply.period_label, reply.step) == ("2026-03", series_pb.SERIES_STEP_DAY)


def test_the_target_line_at_the_end_of_15_march_is_15_31_of_the_goal(month: Stub) -> None:
    [track] = _series(month, "leads", APRIL).tracks

    point = track.points[14]
    assert (point.target_line, point.total, point.good) == ("48.387097", "48.387097", "45")
    assert point.status == compliance_pb2.COMPLIANCE_STATUS_AT_RISK


def test_get_compliance_at_the_end_of_15_march_shows_the_same_target_line(month: Stub) -> None:
    as_of = datetime(2026, 3, 16, 4, tzinfo=UTC)  # 16 March 00:00 EDT

    report = month.GetCompliance(
        ledger_service_pb2.GetComplianceRequest(
            agreement_id="sla-ny", objective_id="leads", as_of=build.timestamp(as_of)
        ),
        timeout=TIMEOUT,
    ).report

    [track] = report.objectives[0].tracks
    # 100 x 15/31 (by elapsed time it would be 359/743 of the goal: 48.317631).
    assert track.target_line == "48.387097"


def test_availability_at_the_end_of_the_tenth_is_at_target_with_its_budget_spent(
    month: Stub,
) -> None:
    [track] = _series(month, "availability", APRIL).tracks

    ninth, tenth = track.points[8], track.points[9]
    assert (ninth.attained, ninth.budget_remaining_percent) == ("100.000000", "100.000000")
    assert (tenth.good, tenth.total, tenth.attained) == ("9990", "10000", "99.900000")
    assert tenth.budget_remaining_percent == "0.000000"
    assert tenth.status == compliance_pb2.COMPLIANCE_STATUS_AT_RISK
    assert (tenth.target_line, tenth.readings) == ("99.9", 10)


def test_every_point_inside_the_month_equals_get_compliance_at_its_end(month: Stub) -> None:
    [track] = _series(month, "leads", APRIL).tracks

    for point in track.points[:-1]:
        report = month.GetCompliance(
            ledger_service_pb2.GetComplianceRequest(
                agreement_id="sla-ny", objective_id="leads", as_of=point.at
            ),
            timeout=TIMEOUT,
        ).report
        [standing] = report.objectives[0].tracks
        assert (point.good, point.target_line, point.readings, point.status) == (
            standing.attained,
            standing.target_line,
            standing.readings,
            standing.status,
        )


def test_the_last_point_ends_after_as_of_and_stands_at_it(month: Stub) -> None:
    as_of = datetime(2026, 3, 10, 17, tzinfo=UTC)  # 13:00 EDT on the 10th, after its reading

    [track] = _series(month, "leads", as_of).tracks

    last = track.points[-1]
    assert len(track.points) == 10
    assert last.at.ToDatetime(tzinfo=UTC) == datetime(2026, 3, 11, 4, tzinfo=UTC)
    assert (last.good, last.readings) == ("30", 10)


def test_a_series_known_before_the_readings_were_recorded_has_no_data(
    month: Stub, list_all_events: Callable[..., list[Any]]
) -> None:
    signing = list_all_events(month, "sla-ny")[0]
    known_at = signing.recorded_at  # the readings were recorded after the signing

    [track] = _series(month, "leads", APRIL, known_at=known_at).tracks

    assert {p.readings for p in track.points} == {0}
    assert {p.status for p in track.points} == {compliance_pb2.COMPLIANCE_STATUS_NO_DATA}


def test_hours_for_a_month_are_refused_naming_the_step(month: Stub) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        _series(month, "leads", APRIL, step=series_pb.SERIES_STEP_HOUR)

    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "step" in str(refused.value.details())


def test_a_week_is_charted_by_the_hour_when_no_step_is_asked(
    stub: Stub, refusal: Callable[[Callable[[], Any]], Any]
) -> None:
    week = terms_pb2.Objective(
        objective_id="availability",
        metric="availability",
        target_percent="99.9",
        period=terms_pb2.PERIOD_UNIT_WEEK,
    )
    monday = datetime(2026, 3, 2, tzinfo=NEW_YORK).astimezone(UTC)
    stub.SignAgreement(
        build.sign_request(
            "sla-ny", monday, monday, time_zone="America/New_York", objectives=[week]
        ),
        timeout=TIMEOUT,
    )

    reply = _series(
        stub, "availability", monday + timedelta(days=8), period_at=build.timestamp(monday)
    )

    # 2026-W10 (2 to 9 March) lasts 167 hours: 8 March has 23.
    assert reply.step == series_pb.SERIES_STEP_HOUR
    assert len(reply.tracks[0].points) == 167


def test_an_objective_the_agreement_does_not_have_is_not_found(month: Stub) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        _series(month, "latency", APRIL)

    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
