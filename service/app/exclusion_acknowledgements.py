"""Exclusions recorded late: whether one waits for acknowledgement, and what its acknowledgement
(or revocation) recalculates.

- At record time (Commands.record_exclusion), with acknowledgement_after_days in the terms in
  force, an exclusion needs acknowledgement when a period it touches is closed (for a
  customer-based agreement: the agreement's; for a service SLA: for any subscriber, or for the
  subscriber it names) or it ended more than that many days before.
- A period it touches: a period of an objective it applies to (a calendar of the objective in
  any terms version: its unit and the terms' time zone) that overlaps [start, end).
- Acknowledging it for a customer (or revoking it) changes the exclusions that count for that
  customer, so every closed period of the customer's that it touches is recalculated with the
  existing recalculation (service/app/recalculations.py), and the compensations are appended in
  the same transaction as the acknowledgement: the same path as a late reading's recalculation,
  taken at once because the customer asked for exactly this change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement
from domain.errors import NotFoundError, Reason, VersionConflictError
from domain.exclusion_rules import needs_acknowledgement
from domain.exclusions import Exclusion
from domain.identifiers import measurement_stream_prefix, subscription_stream
from domain.period_results import PeriodEvent
from domain.periods import is_label_of, period_starting, periods_between
from domain.resource_names import agreement_name, exclusion_name
from domain.terms import PeriodUnit
from service.app.recalculations import periods_compensations
from service.store.command_requests import CommandRequest, with_outcome
from service.store.ledger_recorder import AppendExtras

if TYPE_CHECKING:
    from service.app.application import LedgerApplication

Calendar = tuple[PeriodUnit, str]  # period unit, IANA time zone
MAX_RECORDING_ATTEMPTS = 5


@dataclass(frozen=True)
class StandingChanged:
    """What an acknowledgement or revocation appended."""

    changed: bool  # False when it had been done before (nothing appended)
    version: int  # the agreement's version after it
    log_position: int  # of the last event appended; 0 when none
    periods_recalculated: int  # closed periods whose compensations were appended


def calendars(agreement: Agreement, exclusion: Exclusion) -> dict[str, set[Calendar]]:
    """The calendars of each objective the exclusion applies to, across every terms version."""
    found: dict[str, set[Calendar]] = {}
    for version in agreement.terms_versions:
        for objective in version.terms.judged_objectives():
            if exclusion.applies_to(objective.objective_id):
                found.setdefault(objective.objective_id, set()).add(
                    (objective.period, version.terms.time_zone)
                )
    return found


def touches(label: str, exclusion: Exclusion, of_objective: Iterable[Calendar]) -> bool:
    """Whether the period a label names (in one of the objective's calendars) overlaps the
    exclusion."""
    for unit, zone in of_objective:
        if is_label_of(label, unit):
            period = period_starting(label, unit, zone)
            if period.start < exclusion.end and exclusion.start < period.end:
                return True
    return False


class ExclusionAcknowledgements:
    """The late-exclusion rules that need the store: at record, acknowledgement, revocation."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def acknowledgement_required(
        self, agreement: Agreement, exclusion: Exclusion, recorded_at: datetime
    ) -> bool:
        """Whether an exclusion recorded now must wait for the customer's acknowledgement."""
        rules = agreement.terms_in_force(recorded_at).terms.exclusion_rules
        if rules is None or rules.acknowledgement_after_days is None:
            return False
        if needs_acknowledgement(rules, exclusion, recorded_at, touches_closed_period=False):
            return True  # late by its end: no need to look at the store
        closed = self._closes_touched(agreement, exclusion, recorded_at)
        return needs_acknowledgement(rules, exclusion, recorded_at, touches_closed_period=closed)

    def acknowledge(
        self,
        agreement_id: str,
        exclusion_id: str,
        customer_id: str,
        *,
        expected_version: int | None = None,
        dispute_id: str = "",
        request: CommandRequest | None = None,
    ) -> StandingChanged:
        """The customer acknowledges an exclusion awaiting it (or a dispute about it was
        resolved for the provider): it counts, and the closed periods it touches for the
        customer are recalculated in the same append."""

        def change(agreement: Agreement, now: datetime) -> bool:
            return agreement.acknowledge_exclusion(exclusion_id, customer_id, now, dispute_id)

        return self._change(
            agreement_id, exclusion_id, customer_id, expected_version, change, request
        )

    def revoke(
        self,
        agreement_id: str,
        exclusion_id: str,
        dispute_id: str,
        customer_id: str = "",
        *,
        request: CommandRequest | None = None,
    ) -> StandingChanged:
        """A dispute about an exclusion was upheld: it stops counting for the customer, and the
        closed periods it touches for the customer are recalculated in the same append."""

        def change(agreement: Agreement, now: datetime) -> bool:
            return agreement.revoke_exclusion(exclusion_id, dispute_id, now, customer_id)

        return self._change(agreement_id, exclusion_id, customer_id, None, change, request)

    def compensations(
        self, agreement: Agreement, exclusion_id: str, customer_id: str, now: datetime
    ) -> list[PeriodEvent]:
        """The compensations of every closed period of the customer's ("" for an agreement's
        own) that the exclusion touches, with agreement as the caller holds it (e.g. with an
        acknowledgement or revocation not saved yet)."""
        recorded = agreement.recorded_exclusion(exclusion_id)
        if recorded is None:
            raise NotFoundError(
                f"agreement {agreement.agreement_id} has no exclusion",
                resource_type="exclusion",
                resource_name=exclusion_name(agreement.agreement_id, exclusion_id),
            )
        exclusion = recorded.exclusion
        is_service = agreement.current_terms.terms.is_service_sla
        subscription = None
        if is_service:
            subscription = self._app.commands.subscriber(agreement, customer_id)
        touched = self.closed_touched(agreement, exclusion, customer_id)
        # All at once, so that the cap across objectives allocates each fee period once.
        return periods_compensations(self._app.event_log, agreement, subscription, touched, now)

    def _change(
        self,
        agreement_id: str,
        exclusion_id: str,
        customer_id: str,
        expected_version: int | None,
        change: Callable[[Agreement, datetime], bool],
        request: CommandRequest | None,
    ) -> StandingChanged:
        app = self._app
        for _ in range(MAX_RECORDING_ATTEMPTS):
            agreement = app.agreements.find_agreement(agreement_id)
            if agreement is None:
                raise NotFoundError(
                    f"agreement {agreement_id} does not exist",
                    resource_type="agreement",
                    resource_name=agreement_name(agreement_id),
                )
            if expected_version is not None and expected_version != agreement.version:
                raise VersionConflictError(
                    f"agreement {agreement_id} is at version {agreement.version}, "
                    f"not the expected {expected_version}; read it again",
                    reason=Reason.EXPECTED_VERSION_MISMATCH,
                )
            now = max(app.now(), agreement.modified_on)
            if not change(agreement, now):
                return StandingChanged(False, agreement.version, 0, 0)
            whose = customer_id if agreement.current_terms.terms.is_service_sla else ""
            events = self.compensations(agreement, exclusion_id, whose, now)
            periods = len({e.originator_id for e in events})
            once = with_outcome(request, periods=periods)
            try:
                recordings = app.save(agreement, *events, extras=AppendExtras(command_request=once))
            except IntegrityError:
                app.idempotency.raise_if_carried_out(request)
                if expected_version is not None:
                    raise VersionConflictError(
                        f"agreement {agreement_id} was changed concurrently; read it again"
                    ) from None
                continue  # a concurrent writer appended first; derive again
            return StandingChanged(True, agreement.version, recordings[-1].notification.id, periods)
        raise VersionConflictError("concurrent writers kept changing the periods; retry")

    def _closes_touched(self, agreement: Agreement, exclusion: Exclusion, now: datetime) -> bool:
        """Whether a period the exclusion touches is closed: for a service SLA's service-wide
        exclusion, for any subscriber."""
        if not agreement.current_terms.terms.is_service_sla:
            return bool(self.closed_touched(agreement, exclusion, ""))
        if exclusion.customer_id:
            return bool(self.closed_touched(agreement, exclusion, exclusion.customer_id))
        start = max(exclusion.start, agreement.terms_versions[0].terms.term_start)
        end = min(exclusion.end, now)
        wanted: set[tuple[str, str]] = set()
        for objective_id, of_objective in calendars(agreement, exclusion).items():
            for unit, zone in of_objective:
                wanted.update(
                    (objective_id, p.label) for p in periods_between(start, end, unit, zone)
                )
        recorder = self._app.ledger_recorder
        return bool(recorder.closed_for_a_subscriber(agreement.agreement_id, sorted(wanted)))

    def closed_touched(
        self, agreement: Agreement, exclusion: Exclusion, customer_id: str
    ) -> list[tuple[str, str]]:
        """The (objective id, period label) of the closed periods of one customer's ("" for an
        agreement's own, a subscriber for a service SLA) that the exclusion touches, from the
        names of the period streams begun (one name range per objective)."""
        of = calendars(agreement, exclusion)
        agreement_id = agreement.agreement_id
        if customer_id:
            root = f"{subscription_stream(agreement_id, customer_id)}/objective:"
        else:
            root = measurement_stream_prefix(agreement_id)
        ranges = {o: f"{root}{o}/period:" for o in of}
        names = self._app.event_log.streams_begun((low, low[:-1] + ";") for low in ranges.values())
        found: list[tuple[str, str]] = []
        for objective_id, low in ranges.items():
            for name in names:
                if name.startswith(low):
                    label = name[len(low) :]
                    if touches(label, exclusion, of[objective_id]):
                        found.append((objective_id, label))
        return found
