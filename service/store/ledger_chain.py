"""The hash chain over the log: every event's hash covers the previous hash and the event.

hash(n) = SHA-256(hash(previous event) || canonical(event n)), starting from 32 zero bytes.
The canonical encoding of an event is its log position, topic (the event type), stream id,
stream version and its stored state, each length-prefixed; the stored state is the exact bytes
the ledger wrote, which hold the payload, the record time and the actor. The digest of the
ledger is the position and hash of its last event.

The chain covers every stored event: the ledger writes events at positions from 1 on, and the
positions of the stored events are exactly the positions of the chain. An event at any other
position (0 or below, before the first chained one, in a gap, after the head) was written
around the ledger, and so was a chain row without its event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

GENESIS = bytes(32)
HASH_BYTES = 32
FIRST_POSITION = 1
_DOMAIN = b"sla-ledger chain v1\x00"


class ChainedEvent(NamedTuple):
    """What the chain covers of one stored event."""

    position: int
    topic: str
    stream_id: str
    version: int
    state: bytes


class Malformed(NamedTuple):
    """A stored row (event or chain row) at position that cannot be what the ledger wrote."""

    position: int
    problem: str


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


def stored_event(
    position: Any, topic: Any, stream_id: Any, version: Any, state: Any
) -> ChainedEvent | Malformed:
    """The event a stored row holds, or what is wrong with the row: any content is accepted."""
    problem = (
        _position_problem(position, "an event")
        or _type_problem(topic, str, "the topic", "text")
        or _type_problem(stream_id, str, "the stream id", "text")
        or _version_problem(version)
        or _state_problem(state)
    )
    if problem:
        return Malformed(position if _is_int(position) else 0, problem)
    return ChainedEvent(position, topic, stream_id, version, bytes(state))


def recorded_hash(position: Any, value: Any) -> tuple[int, bytes] | Malformed:
    """The (position, hash) a stored chain row holds, or what is wrong with the row."""
    problem = _position_problem(position, "a chain row")
    if not problem and not isinstance(value, bytes | bytearray | memoryview):
        problem = f"the recorded hash is {_kind(value)}, not {HASH_BYTES} bytes"
    elif not problem and len(value) != HASH_BYTES:
        problem = f"the recorded hash is {len(value)} bytes long, not {HASH_BYTES}"
    if problem:
        return Malformed(position if _is_int(position) else 0, problem)
    return position, bytes(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    if value is None:
        return "missing (NULL)"
    if isinstance(value, str):
        return "text"
    return f"of type {type(value).__name__}"


def _position_problem(position: Any, what: str) -> str:
    if not _is_int(position):
        return f"{what} at a position that is not an integer"
    if position < FIRST_POSITION:
        return f"{what} at position {position}: the ledger writes from {FIRST_POSITION} on"
    return ""


def _type_problem(value: Any, kind: type, name: str, described: str) -> str:
    return "" if isinstance(value, kind) else f"{name} is {_kind(value)}, not {described}"


def _version_problem(version: Any) -> str:
    if not _is_int(version):
        return f"the stream version is {_kind(version)}, not an integer"
    if version < 0:
        return f"the stream version is {version}, which is negative"
    return ""


def _state_problem(state: Any) -> str:
    if isinstance(state, bytes | bytearray | memoryview):
        return ""
    return f"the stored state is {_kind(state)}, not the bytes the ledger writes"


class LogBounds(NamedTuple):
    """The first and last positions of the events table and of the chain (None when empty)."""

    first_event: int | None
    last_event: int | None
    first_chained: int | None
    last_chained: int | None


def coverage_problem(bounds: LogBounds) -> str:
    """What the bounds show of events and chain rows that do not match, or "" when they may:
    a cheap test (no gap inside the range is seen), for every append."""
    first_event, last_event, first_chained, last_chained = bounds
    if first_event is None and first_chained is None:
        return ""
    events = f"events at positions {first_event} to {last_event}"
    chained = f"positions {first_chained} to {last_chained}"
    if first_chained is None:
        return f"the log holds {events} and the hash chain is empty"
    if first_event is None:
        return f"the hash chain holds {chained} and the log has no events"
    if (first_event, last_event) != (first_chained, last_chained) or first_event < FIRST_POSITION:
        return f"the log holds {events}, the hash chain {chained}"
    return ""


@dataclass(frozen=True)
class Adoption:
    """The one-time chaining of a log written before the chain existed."""

    by: str
    at: str  # ISO 8601, as recorded
    events: int
    through: Digest


@dataclass(frozen=True)
class Verification:
    """The result of recomputing the chain over a range of the log."""

    ok: bool
    checked_through: int  # the last position found sound
    first_bad_position: int  # 0 when ok
    problem: str  # empty when ok
    digest: Digest  # the recomputed digest at checked_through
    adoption: Adoption | None = None  # when the chain was adopted over an older log


def verify(
    previous: Digest,
    events: Iterable[ChainedEvent | Malformed],
    recorded: Iterable[tuple[int, bytes] | Malformed],
    expected: Digest | None = None,
) -> Verification:
    """Recompute the chain from previous over events and compare it with the recorded
    (position, hash) rows of the same range, both in log order, and with an expected digest.

    Reports the first position where they disagree: an event whose hash differs (changed, or
    out of place), an event the chain never recorded (inserted), a recorded hash without its
    event (removed), a row that cannot be what the ledger wrote (malformed), or the expected
    digest's position holding another hash.
    """
    if expected is not None and expected.position <= previous.position:
        if expected != previous:
            return _bad(previous, expected.position, "the digest lies before the range checked")
        expected = None
    rows = iter(recorded)
    row = next(rows, None)
    current = previous
    for event in events:
        if row is not None and row[0] < event[0]:
            return _bad(current, row[0], _missing(row))
        if isinstance(event, Malformed):
            return _bad(current, event.position, event.problem)
        if row is None or row[0] > event.position:
            return _bad(current, event.position, "an event the chain never recorded")
        if isinstance(row, Malformed):
            return _bad(current, row.position, row.problem)
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
        return _bad(current, row[0], _missing(row))
    if expected is not None:
        return _bad(current, expected.position, "the digest's position is beyond the range")
    return Verification(True, current.position, 0, "", current)


def _missing(row: tuple[int, bytes] | Malformed) -> str:
    return row.problem if isinstance(row, Malformed) else "a recorded event is missing from the log"


def _bad(current: Digest, position: int, problem: str) -> Verification:
    return Verification(False, current.position, position, problem, current)
