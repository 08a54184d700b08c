"""Keys of readings: 128-bit digests the ledger indexes recorded readings by, so a reading is
recorded once whatever the concurrency.

The layout of the keys is the store's (the measurement-key index and its range lookups depend
on it), so it lives here, not in the domain.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.measurements import Measurement


def objective_key_prefix(agreement_id: str, objective_id: str) -> bytes:
    """A 64-bit digest of an agreement's objective that starts each of its readings' keys."""
    return hashlib.blake2b(f"{agreement_id}\x1f{objective_id}".encode(), digest_size=8).digest()


_TIME_SLICE = b"\x00"
_CLIENT_ID = b"\x01"
_TIME_OFFSET = 2**63


def measurement_key(prefix: bytes, measurement: Measurement) -> bytes:
    """The key that is the same for every reading with the same identity within an objective.

    prefix is objective_key_prefix(...). A time-slice identity is followed by its instant as an
    unsigned big-endian number, so an objective's keys sort by time and the index grows at its
    end; a client id is followed by its 128-bit BLAKE2b digest.
    """
    if measurement.measurement_id:
        digest = hashlib.blake2b(measurement.measurement_id.encode(), digest_size=16).digest()
        return prefix + _CLIENT_ID + digest
    return prefix + _TIME_SLICE + (measurement.observed_at_us + _TIME_OFFSET).to_bytes(8, "big")


@dataclass(frozen=True)
class KeySpan:
    """Time-slice keys of one objective, sorted."""

    keys: list[bytes]

    @property
    def low(self) -> bytes:
        """The least key."""
        return self.keys[0]

    @property
    def high(self) -> bytes:
        """The greatest key."""
        return self.keys[-1]


_SPAN_HEAD = 9  # the objective's prefix and the identity's kind byte


def key_spans(keys: Iterable[bytes]) -> tuple[list[KeySpan], list[bytes]]:
    """The time-slice keys as one span per objective, and the client-id keys apart.

    An objective's time-slice keys sort by time, so a range lookup over a span finds those of
    them already recorded in one index seek when none are (the usual case: readings arrive in
    time order); client-id keys are digests, scattered over the index.
    """
    by_head: dict[bytes, list[bytes]] = {}
    scattered: list[bytes] = []
    for key in keys:
        head = key[:_SPAN_HEAD]
        if head[-1] == _TIME_SLICE[0]:
            members = by_head.get(head)
            if members is None:
                members = by_head[head] = []
            members.append(key)
        else:
            scattered.append(key)
    return [KeySpan(sorted(members)) for members in by_head.values()], scattered


def measurement_keys(agreement_id: str, batch: Sequence[Measurement]) -> list[bytes]:
    """The key of every reading of a batch, in order."""
    prefixes: dict[str, bytes] = {}
    keys = []
    for reading in batch:
        prefix = prefixes.get(reading.objective_id)
        if prefix is None:
            prefix = prefixes[reading.objective_id] = objective_key_prefix(
                agreement_id, reading.objective_id
            )
        keys.append(measurement_key(prefix, reading))
    return keys
