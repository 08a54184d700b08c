"""ListBreaches, ListCredits, GetCreditBalance and the projection commands, on a real server."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2, ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
TIMEOUT = 10
Stub = ledger_service_pb2_grpc.LedgerServiceStub


def _breached_january(stub: Stub) -> int:
    """Sign, record a January at 99.865591% (< 99.9%: 10% of EUR 1,000.00) and close it."""
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    stub.SignAgreement(
        build.sign_request("sla-1", JANUARY, JANUARY, time_zone="UTC", credit_policy=policy),
        timeout=TIMEOUT,
    )
    readings = ledger_service_pb2.RecordMeasurementsRequest(agreement_id="sla-1")
    for hour in range(31 * 24):
        reading = readings.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=hour))
        reading.counts.good, reading.counts.total = (900 if hour < 10 else 1000), 1000
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = ledger_service_pb2.ClosePeriodRequest(agreement_id="sla-1")
    close.until.FromDatetime(FEBRUARY)
    position: int = stub.ClosePeriod(close, timeout=TIMEOUT).log_position
    return position


def test_a_breach_is_listed_once_the_projection_reaches_the_close(stub: Stub) -> None:
    position = _breached_january(stub)

    response = stub.ListBreaches(
        ledger_service_pb2.ListBreachesRequest(customer_id="globex", min_log_position=position),
        timeout=TIMEOUT,
    )

    assert response.log_position >= position
    assert [(b.agreement_id, b.period_label, b.attained) for b in response.breaches] == [
        ("sla-1", "2026-01", "99.865591")
    ]


def test_the_credit_ledger_lists_the_issued_credit_with_its_policy_line(stub: Stub) -> None:
    position = _breached_january(stub)

    response = stub.ListCredits(
        ledger_service_pb2.ListCreditsRequest(min_log_position=position), timeout=TIMEOUT
    )

    [line] = response.credits
    assert (line.kind, line.amount.amount, line.amount.currency_code) == (
        "credit_issued",
        "100.00",
        "EUR",
    )
    assert line.policy_line.startswith("band:")


def test_the_credit_balance_of_the_customer_is_the_sum_of_its_credits(stub: Stub) -> None:
    position = _breached_january(stub)

    response = stub.GetCreditBalance(
        ledger_service_pb2.GetCreditBalanceRequest(customer_id="globex", min_log_position=position),
        timeout=TIMEOUT,
    )

    [balance] = response.balances
    assert (balance.credits.amount, balance.bonuses.amount) == ("100.00", "0.00")


def test_waiting_for_a_position_the_log_never_reaches_ends_with_deadline_exceeded(
    stub: Stub,
) -> None:
    with pytest.raises(grpc.RpcError) as refusal:
        stub.ListBreaches(
            ledger_service_pb2.ListBreachesRequest(min_log_position=10**9), timeout=0.5
        )

    assert refusal.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        stdin=subprocess.DEVNULL,
    )


def test_rebuilding_the_projections_reproduces_the_live_tables(
    start_server: Any, sqlite_database_url: str, tmp_path: Path
) -> None:
    server = start_server(sqlite_database_url)
    stub = Stub(server.channel)
    position = _breached_january(stub)
    stub.ListBreaches(
        ledger_service_pb2.ListBreachesRequest(min_log_position=position), timeout=TIMEOUT
    )
    server.stop()
    first = json.loads(
        _cli("rebuild-projections", "--database-url", sqlite_database_url, cwd=tmp_path).stdout
    )

    second = json.loads(
        _cli("rebuild-projections", "--database-url", sqlite_database_url, cwd=tmp_path).stdout
    )

    assert first["events_applied"] == second["events_applied"] == first["position"] >= position
    assert first["checksum"] == second["checksum"]


def test_export_credits_writes_the_credits_of_the_period_range_as_csv(
    start_server: Any, sqlite_database_url: str, tmp_path: Path
) -> None:
    server = start_server(sqlite_database_url)
    _breached_january(Stub(server.channel))
    server.stop()

    exported = _cli(
        "export-credits",
        "--database-url",
        sqlite_database_url,
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-01",
        cwd=tmp_path,
    ).stdout

    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(r["agreement_id"], r["period_label"], r["amount"], r["currency"]) for r in rows] == [
        ("sla-1", "2026-01", "100.00", "EUR")
    ]
