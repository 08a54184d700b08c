"""The hash chain over the log: every event's hash covers the previous hash and the event.

hash(n) = SHA-256(hash(previous event) || canonical(event n)), starting from 32 zero bytes.
The canonical encoding of an event is its log position, topic (the event type), stream id,
stream version and its stored state, each length-prefixed; the stored state is the exact bytes
the ledger wrote, which hold the payload, the record time and the actor. The digest of the
ledger is the position and hash of its last event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

GENESIS = bytes(32)
_DOMAIN = b"sla-ledger chain v1\x00"


class ChainedEvent(NamedTuple):
    """What the chain covers of one stored event."""

    position: int
    topic: str
    stream_id: str
    version: int
    state: bytes


@dataclass(frozen=True)
class Digest:
    """The ledger's head: the last position and its hash (0 and the genesis hash when empty)."""

    position: int
    hash: bytes

    @property
    def hex(self) -> str:
        """The hash as lowercase hexadecimal."""
        return self.hash.hex()


def canonical(event: ChainedEvent) -> bytes:
    """The bytes of an event that its hash covers."""
    parts = (
        event.position.to_bytes(8, "big"),
        event.topic.encode(),
        event.stream_id.encode(),
        event.version.to_bytes(8, "big"),
        bytes(event.state),
    )
    return _DOMAIN + b"".join(len(p).to_bytes(8, "big") + p for p in parts)


def chain_hash(previous: bytes, event: ChainedEvent) -> bytes:
    """The hash of an event that follows one with hash previous."""
    return hashlib.sha256(previous + canonical(event)).digest()


def extend(previous: bytes, events: Iterable[ChainedEvent]) -> list[tuple[int, bytes]]:
    """(position, hash) of each event, in order, chained from previous."""
    hashes = []
    for event in events:
        previous = chain_hash(previous, event)
        hashes.append((event.position, previous))
    return hashes


@dataclass(frozen=True)
class Verification:
    """The result of recomputing the chain over a range of the log."""

    ok: bool
    checked_through: int  # the last position found sound
    first_bad_position: int  # 0 when ok
    problem: str  # empty when ok
    digest: Digest  # the recomputed digest at checked_through


def verify(
    previous: Digest,
    events: Iterable[ChainedEvent],
    recorded: Iterable[tuple[int, bytes]],
    expected: Digest | None = None,
) -> Verification:
    """Recompute the chain from previous over events and compare it with the recorded
    (position, hash) rows of the same range, both in log order, and with an expected digest.

    Reports the first position where they disagree: an event whose hash differs (changed, or
    out of place), an event the chain never recorded (inserted), a recorded hash without its
    event (removed), or the expected digest's position holding another hash.
    """
    if expected is not None and expected.position <= previous.position:
        if expected != previous:
            return _bad(previous, expected.position, "the digest lies before the range checked")
        expected = None
    rows = iter(recorded)
    row = next(rows, None)
    current = previous
    for event in events:
        if row is not None and row[0] < event.position:
            return _bad(current, row[0], "a recorded event is missing from the log")
        if row is None or row[0] > event.position:
            return _bad(current, event.position, "an event the chain never recorded")
        computed = chain_hash(current.hash, event)
        if computed != row[1]:
            return _bad(current, event.position, "the event differs from what was recorded")
        current = Digest(event.position, computed)
        if expected is not None and expected.position <= current.position:
            if expected != current:
                return _bad(current, expected.position, "the history differs from the digest")
            expected = None
        row = next(rows, None)
    if row is not None:
        return _bad(current, row[0], "a recorded event is missing from the log")
    if expected is not None:
        return _bad(current, expected.position, "the digest's position is beyond the range")
    return Verification(True, current.position, 0, "", current)


def _bad(current: Digest, position: int, problem: str) -> Verification:
    return Verification(False, current.position, position, problem, current)
