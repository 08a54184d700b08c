"""VerifyLedger's read_models option on a servicer that keeps no read models."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf.message import Message

from service.generated.sla.ledger.v1 import ledger_service_pb2

Invoke = Callable[[str, Message], Any]


def test_asking_a_server_without_read_models_to_verify_them_is_failed_precondition(
    invoke: Invoke,
) -> None:
    ended = invoke("VerifyLedger", ledger_service_pb2.VerifyLedgerRequest(read_models=True))

    assert ended.code is grpc.StatusCode.FAILED_PRECONDITION
    assert "read models" in ended.details
