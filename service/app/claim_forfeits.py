"""Forfeiture of unclaimed credits: what is still eligible once a credit's claim deadline has
passed becomes CreditForfeited, appended at the credit's stream head.

For one agreement at a time (the background rounds, service/workers/claim_forfeiter.py): an
agreement none of whose terms versions has a claim rule costs one read of the agreement. Else
its period streams are found from the stream-name index and their heads read in one query; a
stream is read and folded only when its head moved since it was last looked at, or its deadline
has passed since (an in-memory note per stream, which is only a shortcut: after a restart every
stream is read once again). Idempotent and restart-safe: the forfeiture is derived from the
stream itself and appended at its head, so a second forfeiter, or the same one after a restart,
finds nothing left to forfeit, and loses the store's unique (stream, version) if it races.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement
from domain.claim_decisions import forfeit
from domain.credit_lifecycle import credit_state
from domain.identifiers import subscription_stream
from domain.period_results import PeriodEvent
from service.store.log_reads import period_stream_names

if TYPE_CHECKING:
    from service.app.application import LedgerApplication


@dataclass(frozen=True)
class _Seen:
    """A stream as last folded: its head, deadline and whether anything was eligible."""

    version: int
    deadline: datetime | None
    eligible: bool

    def may_forfeit(self, head: int, now: datetime) -> bool:
        """Whether the stream must be read again to see if anything is to be forfeited."""
        if head != self.version:
            return True
        return self.deadline is not None and self.eligible and now >= self.deadline


@dataclass(frozen=True)
class Forfeited:
    """What one call forfeited: the events appended and how many streams lost a race."""

    appended: int
    conflicts: int


class Forfeits:
    """Appends the forfeitures due on an agreement's credits."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app
        self._seen: dict[str, _Seen] = {}
        self._lock = threading.Lock()

    def forfeit_due(self, agreement_id: str, now: datetime) -> Forfeited:
        """Forfeit what is eligible on every credit of the agreement whose deadline is past."""
        agreement = self._app.agreements.find_agreement(agreement_id)
        if agreement is None or not any(
            v.terms.claim_rule is not None for v in agreement.terms_versions
        ):
            return Forfeited(0, 0)
        streams = self._credit_streams(agreement)
        heads = self._app.event_log.stream_heads(streams)
        with self._lock:
            seen = {name: self._seen.get(name) for name in heads}
        to_read = [
            name
            for name, head in heads.items()
            if (note := seen[name]) is None or note.may_forfeit(head, now)
        ]
        appended = conflicts = 0
        for name in to_read:
            events = self._events(name)
            event = forfeit(events, now)
            if event is not None:
                try:
                    self._app.save(event)
                except IntegrityError:
                    conflicts += 1  # the stream moved on: look again next round
                    continue
                events.append(event)
                appended += 1
            self._note(name, events)
        return Forfeited(appended, conflicts)

    def _credit_streams(self, agreement: Agreement) -> list[str]:
        recorder = self._app.ledger_recorder
        agreement_id = agreement.agreement_id
        names = period_stream_names(recorder, agreement_id, agreement.objective_ids)
        if any(v.terms.is_service_sla for v in agreement.terms_versions):
            low = subscription_stream(agreement_id, "")
            high = low[:-1] + chr(ord(low[-1]) + 1)
            names.extend(
                name for name in recorder.streams_begun([(low, high)]) if "/period:" in name
            )
        return names

    def _events(self, stream: str) -> list[PeriodEvent]:
        log = self._app.event_log
        return [log.decode(n) for n in log.stream_notifications([stream])]

    def _note(self, stream: str, events: Sequence[PeriodEvent]) -> None:
        state = credit_state(events)
        note = _Seen(
            events[-1].originator_version,
            state.claim_deadline if state is not None else None,
            state is not None and state.eligible.amount > 0,
        )
        with self._lock:
            self._seen[stream] = note
