"""The business instant (as_of) and record instant (known_at) a page is asked at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

# The ledger's range of business instants: 1970-01-01T00:00:00Z up to 2200-01-01T00:00:00Z.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAX_INPUT_CHARACTERS = 64


class BadQueryError(ValueError):
    """A query parameter the portal cannot use; names the parameter."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def parse_instant(field: str, text: str) -> datetime | None:
    """An ISO 8601 instant ("2026-03-15T12:00:00Z", an offset, or a date); None when empty.

    Without an offset the instant is read as UTC. Raises BadQueryError outside 1970..2200.
    """
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_INPUT_CHARACTERS:
        raise BadQueryError(field, f"at most {MAX_INPUT_CHARACTERS} characters")
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise BadQueryError(field, "not an ISO 8601 instant (e.g. 2026-03-15T12:00:00Z)") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    instant = instant.astimezone(UTC)
    if not EARLIEST <= instant < LATEST:
        raise BadQueryError(field, "outside 1970-01-01T00:00:00Z to 2200-01-01T00:00:00Z")
    return instant


def iso(instant: datetime) -> str:
    """The instant as ISO 8601 in UTC with a Z, to the second unless it has microseconds."""
    text = instant.astimezone(UTC).isoformat()
    return text.replace("+00:00", "Z")


def timestamp(instant: datetime) -> Timestamp:
    """A protobuf Timestamp of an aware instant."""
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


@dataclass(frozen=True)
class TimeTravel:
    """The (as_of, known_at) of a page: None means now."""

    as_of: datetime | None = None
    known_at: datetime | None = None

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> TimeTravel:
        """Read ?as_of=&known_at= (ISO 8601); BadQueryError naming the field otherwise."""
        return cls(
            parse_instant("as_of", args.get("as_of", "")),
            parse_instant("known_at", args.get("known_at", "")),
        )

    @property
    def is_now(self) -> bool:
        """Whether the page is asked at now for both instants."""
        return self.as_of is None and self.known_at is None

    def query(self) -> dict[str, str]:
        """The query parameters that carry these instants in links."""
        carried: dict[str, str] = {}
        if self.as_of is not None:
            carried["as_of"] = iso(self.as_of)
        if self.known_at is not None:
            carried["known_at"] = iso(self.known_at)
        return carried

    def as_of_stamp(self) -> Timestamp | None:
        """as_of as a Timestamp, None for now."""
        return None if self.as_of is None else timestamp(self.as_of)

    def known_at_stamp(self) -> Timestamp | None:
        """known_at as a Timestamp, None for now."""
        return None if self.known_at is None else timestamp(self.known_at)
