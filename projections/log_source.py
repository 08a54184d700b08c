"""What the read side reads from the event log, and the shape of what it reads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.persistence import Notification


@dataclass(frozen=True)
class LoggedEvent:
    """An event as it stands in the log: its position and the decoded domain event."""

    position: int
    event: Any


class LoggedNotification:
    """A stored event as the projections read it: decoded on demand, never kept decoded."""

    __slots__ = ("_notification", "_to_event")

    def __init__(self, notification: Notification, to_event: Callable[[Notification], Any]):
        self._notification = notification
        self._to_event = to_event

    @property
    def position(self) -> int:
        """The event's log position."""
        return self._notification.id

    @property
    def topic(self) -> str:
        """The event's topic."""
        return self._notification.topic

    def event(self) -> Any:
        """The decoded event."""
        return self._to_event(self._notification)


class LogSource(Protocol):
    """The event log as projections read it: its head and its entries after a position."""

    def head(self) -> int:
        """The position of the newest entry, 0 for an empty log."""
        ...

    def read_log(self, after: int, limit: int) -> Sequence[LoggedNotification]:
        """Up to limit entries after a position, in order, decoded only when asked."""
        ...
