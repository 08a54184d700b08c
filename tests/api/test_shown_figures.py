"""Replies and exports show computed figures at a documented precision; the log keeps them exact.

The agreement: EUR 1,000.00 a month, one weekly cumulative objective of 60 leads in UTC, credits
in bands (below 100% -> 10% of the fee). Week 2026-W02 (5 to 12 January) gets 49 leads:
attainment = 49 / 60 = 81.666...% -> breached. The week's fee is 1,000.00 x 7/31 =
225.806451612903225806...; the credit is 10% of it, rounded once: EUR 22.58. Shown: attainment
81.666667% in the policy line, the fee as 225.81 (domain/display.py).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.period_results import CreditIssued
from service.bootstrap import open_application
from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
    terms_pb2,
)
from tests import proto_builders as build
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 1, 12, tzinfo=UTC)
TIMEOUT = 10
SHOWN_LINE = "band: attainment 81.666667% below 100% -> 10% of fee"
EXACT_ATTAINMENT = "81.666666666666666666666666666666666666666666666667"
Stub = ledger_service_pb2_grpc.LedgerServiceStub


@pytest.fixture
def server(start_server: Callable[..., Any], sqlite_database_url: str) -> Any:
    return start_server(sqlite_database_url)


def _sign_and_close(stub: Stub) -> ledger_service_pb2.ClosePeriodResponse:
    objective = terms_pb2.Objective(
        objective_id="leads",
        metric="qualified_leads",
        period=terms_pb2.PERIOD_UNIT_WEEK,
        indicator=terms_pb2.INDICATOR_CUMULATIVE,
        cumulative_target="60",
        credit_policy=terms_pb2.CreditPolicy(
            bands=terms_pb2.BandsRule(
                bands=[terms_pb2.CreditBand(below_percent="100", credit_percent="10")]
            )
        ),
    )
    stub.SignAgreement(
        build.sign_request("sla-1", MONDAY, MONDAY, time_zone="UTC", objectives=[objective]),
        timeout=TIMEOUT,
    )
    readings = ledger_service_pb2.RecordMeasurementsRequest(agreement_id="sla-1")
    reading = readings.measurements.add(objective_id="leads")
    reading.observed_at.FromDatetime(datetime(2026, 1, 6, tzinfo=UTC))
    reading.counts.good = reading.counts.total = 49
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = ledger_service_pb2.ClosePeriodRequest(agreement_id="sla-1")
    close.until.FromDatetime(NEXT_MONDAY)
    closed: ledger_service_pb2.ClosePeriodResponse = stub.ClosePeriod(close, timeout=TIMEOUT)
    return closed


def _payloads(events: Sequence[Any], name: str) -> list[Any]:
    return [getattr(e, name) for e in events if e.WhichOneof("payload") == name]


def test_a_closed_period_shows_its_fee_in_cents_and_its_policy_line_to_six_places(
    server: Any,
) -> None:
    events = _sign_and_close(Stub(server.channel)).events

    [closed] = _payloads(events, "period_closed")
    [credit] = _payloads(events, "credit_issued")
    assert closed.period_fee.amount == "225.81"
    assert (credit.amount.amount, credit.period_fee.amount) == ("22.58", "225.81")
    assert credit.policy_line == SHOWN_LINE


def test_period_and_track_statuses_come_as_enums_beside_their_strings(server: Any) -> None:
    [closed] = _payloads(_sign_and_close(Stub(server.channel)).events, "period_closed")

    breached = compliance_pb2.COMPLIANCE_STATUS_BREACHED
    assert (closed.status, closed.compliance_status) == ("breached", breached)
    assert [(f.status, f.compliance_status) for f in closed.figures] == [("breached", breached)]


def test_the_credit_ledger_shows_the_policy_line_to_six_places_with_its_kind_as_an_enum(
    server: Any,
) -> None:
    stub = Stub(server.channel)
    closed = _sign_and_close(stub)

    [record] = stub.ListCredits(
        ledger_service_pb2.ListCreditsRequest(min_log_position=closed.log_position),
        timeout=TIMEOUT,
    ).credits
    report = stub.GetCompliance(
        ledger_service_pb2.GetComplianceRequest(
            agreement_id="sla-1", as_of=build.timestamp(NEXT_MONDAY)
        ),
        timeout=TIMEOUT,
    ).report

    assert (record.policy_line, record.kind) == (SHOWN_LINE, "credit_issued")
    assert record.credit_kind == compliance_pb2.CREDIT_KIND_CREDIT_ISSUED
    [line] = report.credits
    assert (line.policy_line, line.credit_kind) == (
        SHOWN_LINE,
        compliance_pb2.CREDIT_KIND_CREDIT_ISSUED,
    )


def test_the_cumulative_target_line_is_shown_to_six_places(server: Any) -> None:
    stub = Stub(server.channel)
    _sign_and_close(stub)

    report = stub.GetCompliance(
        ledger_service_pb2.GetComplianceRequest(
            agreement_id="sla-1", as_of=build.timestamp(datetime(2026, 1, 8, tzinfo=UTC))
        ),
        timeout=TIMEOUT,
    ).report

    [objective] = report.objectives
    assert [t.target_line for t in objective.tracks] == ["25.714286"]  # 60 x 3/7


def test_the_csv_export_shows_the_policy_line_to_six_places(
    server: Any, sqlite_database_url: str, run_command: Callable[[Sequence[str]], Any]
) -> None:
    _sign_and_close(Stub(server.channel))

    done = run_command(
        [
            sys.executable,
            "-m",
            "service.cli",
            "export-credits",
            "--database-url",
            sqlite_database_url,
        ]
    )

    assert done.returncode == 0, done.stderr
    [row] = list(csv.DictReader(io.StringIO(done.stdout)))
    assert (row["amount"], row["policy_line"]) == ("22.58", SHOWN_LINE)


def test_the_log_keeps_the_exact_figures(server: Any, sqlite_database_url: str) -> None:
    _sign_and_close(Stub(server.channel))
    server.stop()

    app = open_application(sqlite_database_url)
    try:
        [credit] = [
            e.event
            for e in app.event_log.list_events("", 0, 100)
            if isinstance(e.event, CreditIssued)
        ]
    finally:
        app.close()

    assert EXACT_ATTAINMENT in credit.policy_line
    assert str(credit.period_fee.amount).startswith("225.806451612903225806")


def test_a_subscriber_catching_up_gets_the_figures_as_shown(
    start_server: Callable[..., Any], database_url: str
) -> None:
    stub = Stub(start_server(database_url).channel)
    closed = _sign_and_close(stub)
    stub.ListCredits(  # the event encodings are projected by now too
        ledger_service_pb2.ListCreditsRequest(min_log_position=closed.log_position),
        timeout=TIMEOUT,
    )

    stream = stub.SubscribeEvents(ledger_service_pb2.SubscribeEventsRequest(), timeout=TIMEOUT)
    first = next(stream)
    stream.cancel()

    [credit] = _payloads(first.events, "credit_issued")
    [recorded] = _payloads(closed.events, "credit_issued")
    assert credit == recorded
    assert credit.policy_line == SHOWN_LINE
