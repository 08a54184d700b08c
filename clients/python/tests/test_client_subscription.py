"""The subscription follows the log across a server restart: it resumes after the last position
it reached, so no event is lost and none comes twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sla_ledger_client import LedgerClient, RetryPolicy
from sla_ledger_client.v1 import events_pb2

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)
WAIT_SECONDS = 20.0


def _wait_for(events: list[events_pb2.LedgerEvent], count: int) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while len(events) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(events) >= count, f"{len(events)} events of {count} within {WAIT_SECONDS} s"


def test_a_subscription_resumes_across_a_server_restart_without_loss_or_repeat(
    start_ledger: Callable[..., Any],
    tmp_path_factory: pytest.TempPathFactory,
    agreement_terms: Callable[[], Any],
    free_listen_address: str,
) -> None:
    database = tmp_path_factory.mktemp("subscription") / "ledger.sqlite3"
    listen = free_listen_address
    first = start_ledger(database, listen)
    client = LedgerClient.connect(listen, retry=RetryPolicy(initial_backoff=0.05, max_backoff=0.5))
    client.sign_agreement("before-restart", agreement_terms(), signed_at=SIGNED_AT)
    subscription = client.subscribe(0)
    received: list[events_pb2.LedgerEvent] = []
    follower = threading.Thread(target=lambda: received.extend(subscription), daemon=True)
    follower.start()
    _wait_for(received, 1)

    first.stop()
    start_ledger(database, listen)
    client.wait_until_ready(timeout=WAIT_SECONDS)  # the channel's own reconnect backoff
    client.sign_agreement("after-restart", agreement_terms(), signed_at=SIGNED_AT)
    _wait_for(received, 2)
    subscription.close()
    follower.join(timeout=WAIT_SECONDS)

    assert [e.agreement_id for e in received] == ["before-restart", "after-restart"]
    assert [e.position for e in received] == sorted({e.position for e in received})
    assert subscription.reconnects >= 1
    assert not follower.is_alive()
    client.close()
