"""VerifyLedger with read_models against a real server: stored read-model rows are checked too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from projections.tables import credit_lines
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from service.store.read_models_engine import read_models_engine
from service.store.storage import parse_database_url
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
TIMEOUT = 30


def _credited_january(stub: Stub) -> int:
    """Sign, breach January (10% of EUR 1,000.00), close it, and wait for the read models."""
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    stub.SignAgreement(
        build.sign_request("sla-1", JANUARY, JANUARY, time_zone="UTC", credit_policy=policy),
        timeout=TIMEOUT,
    )
    readings = pb.RecordMeasurementsRequest(agreement_id="sla-1")
    for hour in range(31 * 24):
        reading = readings.measurements.add(objective_id="availability")
        reading.observed_at.FromDatetime(JANUARY + timedelta(hours=hour))
        reading.counts.good, reading.counts.total = (900 if hour < 10 else 1000), 1000
    stub.RecordMeasurements(readings, timeout=TIMEOUT)
    close = pb.ClosePeriodRequest(agreement_id="sla-1")
    close.until.FromDatetime(FEBRUARY)
    position: int = stub.ClosePeriod(close, timeout=TIMEOUT).log_position
    stub.ListCredits(pb.ListCreditsRequest(min_log_position=position), timeout=TIMEOUT)
    return position


def _verify(stub: Stub, *, read_models: bool = True) -> pb.VerifyLedgerResponse:
    response: pb.VerifyLedgerResponse = stub.VerifyLedger(
        pb.VerifyLedgerRequest(read_models=read_models), timeout=TIMEOUT
    )
    return response


def test_untouched_read_models_verify_at_the_position_they_reflect(stub: Stub) -> None:
    position = _credited_january(stub)

    checked = _verify(stub).read_models

    assert (checked.ok, checked.log_position, checked.table) == (True, position, "")
    assert checked.problem == pb.READ_MODEL_PROBLEM_UNSPECIFIED


def test_an_edited_credit_line_is_named_by_its_table_key_and_column(
    stub: Stub, server: Any, database_url: str
) -> None:
    _credited_january(stub)
    engine = read_models_engine(parse_database_url(database_url))
    with engine.begin() as connection:
        position = connection.execute(select(func.min(credit_lines.c.position))).scalar_one()
        connection.execute(
            update(credit_lines)
            .where(credit_lines.c.position == position)
            .values(amount_minor=9_999_999)
        )
    engine.dispose()

    response = _verify(stub)

    checked = response.read_models
    assert response.ok  # the hash chain is intact
    assert (checked.ok, checked.table, checked.key, checked.column) == (
        False,
        "projected_credit_lines_v2",
        f"position={position}",
        "amount_minor",
    )
    assert checked.problem == pb.READ_MODEL_PROBLEM_CHANGED


def test_without_the_option_the_read_models_are_not_checked(stub: Stub) -> None:
    _credited_january(stub)

    assert not _verify(stub, read_models=False).HasField("read_models")
