"""Reads of agreements as such: the one recorded now, the one in force at an instant, the ids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.persistence import EventStore
from eventsourcing.utils import get_topic

from domain.agreement import Agreement, AgreementStanding
from domain.errors import NotFoundError, unknown_agreement
from domain.identifiers import agreement_of_stream, agreement_stream, is_identifier
from domain.known_at import agreement_known_at
from domain.resource_names import agreement_name
from service.app.event_log import EventLog


class Agreements:
    """The agreements of the ledger, read from their streams."""

    def __init__(self, repository: Repository[str], events: EventStore[str], log: EventLog):
        self._repository = repository
        self._events = events
        self._log = log

    def find_agreement(self, agreement_id: str) -> Agreement | None:
        """The agreement as recorded now; None when there is none."""
        if not is_identifier(agreement_id):
            return None
        try:
            return cast(Agreement, self._repository.get(agreement_stream(agreement_id)))
        except AggregateNotFoundError:
            return None

    def customer_of(self, agreement_id: str) -> str:
        """The customer of an agreement under its newest terms; NOT_FOUND when unknown."""
        agreement = self.find_agreement(agreement_id)
        if agreement is None:
            raise unknown_agreement(agreement_id)
        return agreement.current_terms.terms.customer.party_id

    def agreement_at(
        self, agreement_id: str, as_of: datetime, known_at: datetime
    ) -> AgreementStanding:
        """The agreement in force at as_of, from the events recorded by known_at."""
        if not is_identifier(agreement_id):
            raise NotFoundError(
                f"agreement {agreement_id!r} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        events = cast(Iterable[Agreement.Event], self._events.get(agreement_stream(agreement_id)))
        agreement = agreement_known_at(events, known_at)
        if agreement is None:
            raise NotFoundError(
                f"agreement {agreement_id} was not recorded by {known_at.isoformat()}",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        return agreement.standing_at(as_of)

    def agreement_ids(self, after: int = 0) -> tuple[list[str], int]:
        """Ids of agreements signed after log position after, and the last position scanned."""
        topic = get_topic(Agreement.Signed)
        found: list[str] = []
        position = after
        while True:
            page = self._log.notifications(start=position + 1, limit=1000, topics=[topic])
            found.extend(agreement_of_stream(str(n.originator_id)) for n in page)
            if len(page) < 1000:
                return found, max([position, *(n.id for n in page)])
            position = page[-1].id
