"""Bearer tokens of every role for API tests, and the calls made with them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "writer": ("writer", []),
    "auditor": ("auditor", []),
    "finance": ("finance", []),
    "globex-writer": ("writer", ["globex"]),
    "initech-writer": ("writer", ["initech"]),
    "initech-auditor": ("auditor", ["initech"]),
}


def write_tokens(path: Path) -> Path:
    """A token file of TOKENS at path, each token being its name + "-token"."""
    entries = [
        {"name": name, "sha256": token_digest(f"{name}-token").hex(), "role": role}
        | ({"customers": customers} if customers else {})
        for name, (role, customers) in TOKENS.items()
    ]
    path.write_text(json.dumps(entries))
    return path


def auth(name: str) -> tuple[tuple[str, str]]:
    """Call metadata presenting the token of that name."""
    return (("authorization", f"Bearer {name}-token"),)


def code(call: Callable[[], Any]) -> grpc.StatusCode:
    """The status a call ends with (OK when it returns)."""
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def sign_as(stub: Stub, agreement_id: str, customer: str = "globex", who: str = "admin") -> Any:
    """Sign an agreement for a customer with the token of who."""
    request = build.sign_request(agreement_id, START, START)
    request.terms.customer.CopyFrom(terms_pb2.Party(party_id=customer))
    return stub.SignAgreement(request, timeout=TIMEOUT, metadata=auth(who))
