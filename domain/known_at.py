"""What the ledger knew at known_at: the events recorded by then, and what they fold into.

An event is recorded by known_at when its record time (the timestamp it was stamped with as it
was appended) is at or before known_at. Every answer "as known at known_at" reads only those
events; the rollups projection keeps each rollup's recording time so that its SQL filters by
the same rule (projections/reading_rollups.py, read_rollups).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol, TypeVar

from domain.agreement import Agreement, replay_agreement
from domain.agreement_history import AgreementHistory, fold_history
from domain.errors import NotFoundError
from domain.resource_names import agreement_name


class Recorded(Protocol):
    """An event with the time it was recorded."""

    @property
    def timestamp(self) -> datetime:
        """When the event was recorded."""
        ...


_E = TypeVar("_E", bound=Recorded)


def recorded_by(event: Recorded, known_at: datetime) -> bool:
    """Whether event was recorded at or before known_at."""
    return event.timestamp <= known_at


def known_by(events: Iterable[_E], known_at: datetime) -> Iterator[_E]:
    """The events (in their order) recorded by known_at."""
    return (e for e in events if recorded_by(e, known_at))


def history_known_at(events: Iterable[Any], known_at: datetime) -> AgreementHistory:
    """The history folded from an agreement's events (in log order) recorded by known_at;
    NotFoundError when no agreement was recorded by then."""
    seen: list[str] = []

    def noting_the_agreement(events: Iterable[Any]) -> Iterator[Any]:
        for event in events:
            if not seen and isinstance(getattr(event, "agreement_id", None), str):
                seen.append(event.agreement_id)
            yield event

    history = fold_history(known_by(noting_the_agreement(events), known_at))
    if history is None:
        raise NotFoundError(
            f"no agreement was recorded by {known_at.isoformat()}",
            resource_type="agreement",
            resource_name=agreement_name(seen[0] if seen else ""),
        )
    return history


def agreement_known_at(events: Iterable[Agreement.Event], known_at: datetime) -> Agreement | None:
    """The agreement replayed from its stream's events recorded by known_at (a stream is
    recorded in order, so they are its first events); None when there are none."""
    return replay_agreement(itertools.takewhile(lambda e: recorded_by(e, known_at), events))
