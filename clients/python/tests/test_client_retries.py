"""Retries reuse the request id, so a retried command is written once.

A proxy in front of a real server forwards every call; for the first SignAgreement it forwards
the call (the server writes the agreement) and then answers the client UNAVAILABLE, as a
connection lost after the write would. The client tries again with the same request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import grpc
import pytest
from sla_ledger_client import Aborted, LedgerClient, RetryPolicy

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
FAST = RetryPolicy(initial_backoff=0.01, max_backoff=0.05)


class LosingProxy(grpc.GenericRpcHandler):  # type: ignore[misc]
    """Forwards unary calls as bytes; loses the reply of the first call of one method."""

    def __init__(self, upstream: grpc.Channel, method: str) -> None:
        self._upstream = upstream
        self._method = method
        self.requests: dict[str, list[bytes]] = {}

    def service(self, handler_call_details: Any) -> Any:
        full_name: str = handler_call_details.method
        forward = self._upstream.unary_unary(full_name)

        def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
            seen = self.requests.setdefault(full_name, [])
            seen.append(request)
            try:
                reply: bytes = forward(request, metadata=context.invocation_metadata(), timeout=10)
            except grpc.RpcError as error:
                context.set_trailing_metadata(error.trailing_metadata())
                context.abort(error.code(), error.details())
            if full_name.endswith(f"/{self._method}") and len(seen) == 1:
                context.abort(grpc.StatusCode.UNAVAILABLE, "connection lost after the write")
            return reply

        return grpc.unary_unary_rpc_method_handler(handle)


@pytest.fixture(scope="module")
def ledger_port(start_ledger: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory) -> int:
    port: int = start_ledger(tmp_path_factory.mktemp("retries") / "ledger.sqlite3").port
    return port


@pytest.fixture
def proxied(ledger_port: int) -> Iterator[tuple[LedgerClient, LosingProxy]]:
    upstream = grpc.insecure_channel(f"127.0.0.1:{ledger_port}")
    proxy = LosingProxy(upstream, "SignAgreement")
    server = grpc.server(ThreadPoolExecutor(max_workers=4), handlers=[proxy])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    client = LedgerClient.connect(f"127.0.0.1:{port}", retry=FAST)
    yield client, proxy
    client.close()
    server.stop(0)
    upstream.close()


SIGN = "/sla.ledger.v1.LedgerService/SignAgreement"


def test_a_command_whose_reply_was_lost_is_retried_with_the_same_request(
    proxied: tuple[LedgerClient, LosingProxy], agreement_terms: Callable[[], Any]
) -> None:
    client, proxy = proxied

    client.sign_agreement("retried-1", agreement_terms(), signed_at=SIGNED_AT)

    first, second = proxy.requests[SIGN]
    assert first == second  # the request id the client chose travels in both


def test_a_command_retried_after_its_write_is_written_once(
    proxied: tuple[LedgerClient, LosingProxy], agreement_terms: Callable[[], Any]
) -> None:
    client, _ = proxied

    signed = client.sign_agreement("retried-2", agreement_terms(), signed_at=SIGNED_AT)

    events = list(client.list_events(agreement_id="retried-2"))
    assert [e.WhichOneof("payload") for e in events] == ["agreement_signed"]
    assert signed.agreement.version == 1


def test_a_stale_expected_version_is_not_retried(
    proxied: tuple[LedgerClient, LosingProxy], agreement_terms: Callable[[], Any]
) -> None:
    client, proxy = proxied
    client.sign_agreement("stale-1", agreement_terms(), signed_at=SIGNED_AT)

    with pytest.raises(Aborted) as refused:
        client.amend_agreement(
            "stale-1", agreement_terms(), effective_from=SIGNED_AT, expected_version=7
        )

    assert refused.value.reason == "EXPECTED_VERSION_MISMATCH"
    assert len(proxy.requests["/sla.ledger.v1.LedgerService/AmendAgreement"]) == 1
