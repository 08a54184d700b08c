"""The requests the commands benchmark sends: signings, amendments, closings."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence

from bench.harness import START_SECONDS, agreement_terms
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

CALL_TIMEOUT = 30.0
CLOSE_UNTIL_SECONDS = 1_769_904_000  # 2026-02-01T00:00:00Z: January is due
AMEND_FROM_SECONDS = 1_772_323_200  # 2026-03-01T00:00:00Z
SIGNED_VERSION = 1  # an agreement's version right after signing
AMEND_TARGETS = ("99.9", "99.5")  # target after an even / odd number of amendments


def sign_request(agreement_id: str) -> pb.SignAgreementRequest:
    """Sign agreement_id, in force from 2026-01-01 with the harness's terms."""
    request = pb.SignAgreementRequest(agreement_id=agreement_id, terms=agreement_terms())
    request.signed_at.seconds = START_SECONDS
    return request


def close_request(agreement_id: str) -> pb.ClosePeriodRequest:
    """Close the periods of agreement_id that ended by 2026-02-01 (January)."""
    request = pb.ClosePeriodRequest(agreement_id=agreement_id)
    request.until.seconds = CLOSE_UNTIL_SECONDS
    return request


def target_after(amendments: int) -> str:
    """The objective's target once an agreement has had this many amendments."""
    return AMEND_TARGETS[amendments % 2]


class Amendments:
    """Amendments of signed agreements: each changes the target and expects the last version.

    Each agreement's requests must be sent one after the other, every one replied to before
    the next is sent; different agreements may be amended from different threads.
    """

    def __init__(self, agreement_ids: Sequence[str]) -> None:
        self.agreement_ids = list(agreement_ids)
        self.made = dict.fromkeys(agreement_ids, 0)

    def request(self, agreement_id: str) -> pb.AmendAgreementRequest:
        """The next amendment of agreement_id, counted as made."""
        number = self.made[agreement_id] + 1
        self.made[agreement_id] = number
        terms = agreement_terms()
        terms.objectives[0].target_percent = target_after(number)
        request = pb.AmendAgreementRequest(
            agreement_id=agreement_id,
            terms=terms,
            reason="benchmark",
            expected_version=SIGNED_VERSION + number - 1,
        )
        request.effective_from.seconds = AMEND_FROM_SECONDS
        return request

    def cycling(self, caller: int, callers: int) -> Iterator[pb.AmendAgreementRequest]:
        """Endless amendments of this caller's share of the agreements, round robin."""
        for agreement_id in itertools.cycle(self.agreement_ids[caller::callers]):
            yield self.request(agreement_id)


def endless_signings(prefix: str, numbers: Iterator[int]) -> Iterator[pb.SignAgreementRequest]:
    """Signings of new agreements prefix-<n>, n drawn from numbers (shared between callers)."""
    for number in numbers:
        yield sign_request(f"{prefix}-{number}")


def closings(unclosed: deque[str]) -> Iterator[pb.ClosePeriodRequest]:
    """Closings of agreements taken from unclosed (shared between callers) until it is empty."""
    while True:
        try:
            agreement_id = unclosed.popleft()
        except IndexError:
            return
        yield close_request(agreement_id)
