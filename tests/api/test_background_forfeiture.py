"""A real server's claim forfeiter: a credit left unclaimed past its deadline is forfeited in the
background rounds, once.

April 2026's credit of EUR 100.00 must be claimed within 1 day (deadline 2 May 2026 00:00 UTC,
long past): the ledger is set up by a server without background work, then a server with it is
started on the same database."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from service.generated.sla.ledger.v1 import claim_rules_pb2, ledger_service_pb2_grpc
from tests.api.claim_requests import april_credit

DEADLINE_SECONDS = 30.0
BACKGROUND = ("--close-periods", "on", "--close-grace", "0", "--close-interval", "0.2")


def test_a_server_forfeits_an_unclaimed_credit_past_its_deadline_once(
    database_url: str,
    start_server: Callable[..., Any],
    list_all_events: Callable[..., Any],
) -> None:
    setup = start_server(database_url)
    stub = ledger_service_pb2_grpc.LedgerServiceStub(setup.channel)
    april_credit(stub, "globex-1", rule=claim_rules_pb2.ClaimRule(deadline_days=1))
    setup.stop()
    server = start_server(database_url, extra_args=BACKGROUND)
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)

    deadline = time.monotonic() + DEADLINE_SECONDS
    forfeited: list[Any] = []
    while not forfeited and time.monotonic() < deadline:
        time.sleep(0.2)
        events = list_all_events(stub, "globex-1", page_size=1000)
        forfeited = [e for e in events if e.HasField("credit_forfeited")]
    server.wait_for_log("credits forfeited", DEADLINE_SECONDS)
    server.stop()
    # Restarted (its closer waiting an hour on new agreements): a credit of an agreement signed
    # after globex-1 is forfeited in a round that visited globex-1 first.
    again = start_server(database_url, extra_args=(*BACKGROUND, "--close-grace", "3600"))
    stub = ledger_service_pb2_grpc.LedgerServiceStub(again.channel)
    april_credit(stub, "globex-2", rule=claim_rules_pb2.ClaimRule(deadline_days=1))
    later: list[Any] = []
    while not later and time.monotonic() < deadline:
        time.sleep(0.2)
        later = [
            e
            for e in list_all_events(stub, "globex-2", page_size=1000)
            if e.HasField("credit_forfeited")
        ]
    events = list_all_events(stub, "globex-1", page_size=1000)

    [event] = forfeited
    assert event.actor == "sla-ledger claim forfeiter"
    assert (event.credit_forfeited.period_label, event.credit_forfeited.amount.amount) == (
        "2026-04",
        "100.00",
    )
    assert event.credit_forfeited.deadline.ToJsonString() == "2026-05-02T00:00:00Z"
    assert len(later) == 1
    assert len([e for e in events if e.HasField("credit_forfeited")]) == 1
