"""ListAgreements pages are cut by bytes on a server started with the smallest
--max-message-bytes it accepts: agreements covering 100 services of 256 characters (about 26 KB
each as a summary) do not fit 100 to a page, and paging still lists each once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc
from service.store.event_limits import MIN_MAX_MESSAGE_BYTES
from tests import proto_builders as build

TIMEOUT = 30
START = datetime(2026, 1, 1, tzinfo=UTC)
AGREEMENTS = 60
SERVICES = [f"{index:03d}" + "s" * 253 for index in range(100)]


def test_a_page_of_large_summaries_is_cut_by_bytes_and_paging_lists_each_once(
    start_server: Callable[..., Any], sqlite_database_url: str
) -> None:
    server = start_server(
        sqlite_database_url,
        extra_args=("--close-periods", "off", "--max-message-bytes", str(MIN_MAX_MESSAGE_BYTES)),
    )
    stub = ledger_service_pb2_grpc.LedgerServiceStub(server.channel)
    position = 0
    for index in range(AGREEMENTS):
        request = build.sign_request(f"big-{index:02d}", START, START, services=SERVICES)
        position = stub.SignAgreement(request, timeout=TIMEOUT).log_position
    pages, token = [], ""
    while True:
        reply = stub.ListAgreements(
            discovery_pb.ListAgreementsRequest(
                page_size=100, page_token=token, min_log_position=position
            ),
            timeout=TIMEOUT,
        )
        pages.append(reply)
        token = reply.next_page_token
        if not token:
            break

    listed = [a.agreement_id for page in pages for a in page.agreements]
    assert listed == [f"big-{index:02d}" for index in range(AGREEMENTS)]
    assert len(pages) > 1
    assert all(page.ByteSize() <= MIN_MAX_MESSAGE_BYTES for page in pages)
