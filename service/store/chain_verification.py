"""Verifying the log against its hash chain, page by page, from the read-only log reader."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from service.store.ledger_chain import (
    FIRST_POSITION,
    GENESIS,
    Digest,
    Malformed,
    Verification,
    verify,
)
from service.store.log_reader import LogReader, open_log_reader

VERIFY_PAGE = 1000
EMPTY_CHAIN = (
    "no event is chained: the hash chain was emptied, or the log was written before the chain "
    "existed (then chain it once with `sla-ledger adopt-chain`)"
)


def verify_storage(
    env: Mapping[str, str], after: int = 0, up_to: int = 0, expected: Digest | None = None
) -> Verification:
    """Verify the log a storage environment names, read-only (see verify_log)."""
    with open_log_reader(env) as reader:
        return verify_log(reader, after, up_to, expected)


def verify_log(
    reader: LogReader, after: int = 0, up_to: int = 0, expected: Digest | None = None
) -> Verification:
    """Recompute the hash chain over (after, up_to] (up_to 0: the end) from the hash recorded
    at after, and check the stored events are exactly the chained ones there: every event has
    its chain row with its hash, every chain row its event. From the start (after 0) that
    includes every position below the first chained one, 0 and negative ones too. Compares with
    expected if given; reports the chain's adoption if it was adopted over an older log."""
    result = _walk(reader, after, up_to, expected)
    return dataclasses.replace(result, adoption=reader.adoption())


def _walk(reader: LogReader, after: int, up_to: int, expected: Digest | None) -> Verification:
    bounds = reader.bounds()
    if up_to <= 0:
        up_to = max(p for p in (0, bounds.last_event, bounds.last_chained) if p is not None)
    if after > 0:
        start = reader.hash_at(after)
        if start is None or isinstance(start, Malformed):
            problem = "no recorded hash at that position" if start is None else start.problem
            return Verification(False, 0, after, problem, Digest(0, GENESIS))
        current, first = Digest(*start), after + 1
    else:
        if bounds.first_chained is None and bounds.first_event is not None:
            return Verification(False, 0, bounds.first_event, EMPTY_CHAIN, Digest(0, GENESIS))
        current = Digest(0, GENESIS)
        known = (p for p in (bounds.first_event, bounds.first_chained) if p is not None)
        first = min([FIRST_POSITION, *known])
    while first <= up_to:
        events = reader.events(first, up_to, VERIFY_PAGE)
        hashes = reader.hashes(first, up_to, VERIFY_PAGE)
        # A page ends where the shorter of the two reads ends, so both cover the same stretch.
        end = up_to
        if len(events) == VERIFY_PAGE:
            end = min(end, events[-1][0])
        if len(hashes) == VERIFY_PAGE:
            end = min(end, hashes[-1][0])
        here = expected if expected is not None and expected.position <= end else None
        result = verify(
            current, [e for e in events if e[0] <= end], [h for h in hashes if h[0] <= end], here
        )
        if not result.ok:
            return result
        expected = None if here is not None else expected
        current, first = result.digest, end + 1
    if expected is not None:
        return Verification(
            False, current.position, expected.position, "the digest lies beyond the range", current
        )
    return Verification(True, current.position, 0, "", current)
