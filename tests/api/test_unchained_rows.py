"""Rows written into the database around the ledger are an alarm to a real server: the next
append is refused with DATA_LOSS and logged, and VerifyLedger names the forged position."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
LOG_DEADLINE_SECONDS = 30
COPY_OF_THE_FIRST_EVENT = (
    "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
    "SELECT {position}, 'agreement:evil', 1, topic, state FROM {events} WHERE {pos} = 1"
)


def _forge_event(database_url: str, position: int) -> None:
    """Insert a copy of the first event at position with the database's own client, as an
    intruder with write access would (no trigger refuses an INSERT)."""
    url = make_url(database_url)
    schema = url.query.get("schema")
    if schema is None:
        with sqlite3.connect(Path(url.database or ""), timeout=30) as connection:
            connection.execute(
                COPY_OF_THE_FIRST_EVENT.format(
                    events="stored_events", pos="rowid", position=position
                )
            )
        return
    with psycopg.connect(
        dbname=url.database,
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        autocommit=True,
    ) as connection:
        events = sql.SQL("{}.{}").format(
            sql.Identifier(str(schema)), sql.Identifier("slaledger_events")
        )
        statement = COPY_OF_THE_FIRST_EVENT.format(
            events="{events}", pos="notification_id", position=position
        )
        connection.execute(sql.SQL(statement).format(events=events))


def test_an_append_after_an_event_forged_past_the_head_is_refused_with_data_loss(
    database_url: str, server: Any, stub: Stub, sign_request: Callable[..., Any]
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    _forge_event(database_url, 2)

    with pytest.raises(grpc.RpcError) as refused:
        stub.SignAgreement(sign_request("sla-2"), timeout=TIMEOUT)

    assert refused.value.code() is grpc.StatusCode.DATA_LOSS
    assert "events at positions 1 to 2, the hash chain positions 1 to 1" in refused.value.details()
    digest = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest
    assert digest.log_position == 1
    verified = stub.VerifyLedger(pb.VerifyLedgerRequest(), timeout=TIMEOUT)
    assert (verified.ok, verified.first_bad_position) == (False, 2)


def test_the_server_logs_a_refused_append_naming_the_positions(
    database_url: str, server: Any, stub: Stub, sign_request: Callable[..., Any]
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    _forge_event(database_url, 2)
    with pytest.raises(grpc.RpcError):
        stub.SignAgreement(sign_request("sla-2"), timeout=TIMEOUT)

    logged = server.wait_for_log("unchained rows: append refused", LOG_DEADLINE_SECONDS)

    assert (logged["level"], logged["logger"]) == ("error", "sla_ledger.chain")
    assert "positions 1 to 2" in logged["problem"]


@pytest.mark.parametrize("position", [0, -1])
def test_verify_ledger_names_an_event_forged_below_the_first_position(
    database_url: str, server: Any, stub: Stub, sign_request: Callable[..., Any], position: int
) -> None:
    stub.SignAgreement(sign_request("sla-1"), timeout=TIMEOUT)
    kept = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=TIMEOUT).digest
    _forge_event(database_url, position)

    plain = stub.VerifyLedger(pb.VerifyLedgerRequest(), timeout=TIMEOUT)
    against_kept = stub.VerifyLedger(pb.VerifyLedgerRequest(expected_digest=kept), timeout=TIMEOUT)

    assert (plain.ok, plain.first_bad_position) == (False, position)
    assert (against_kept.ok, against_kept.first_bad_position) == (False, position)
