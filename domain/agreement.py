"""The Agreement aggregate: signing, effective-dated amendments and termination."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import KW_ONLY, dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate

from domain.agreement_checks import reason_violations, signing_violations
from domain.agreement_values import AgreementStanding as AgreementStanding
from domain.agreement_values import Termination as Termination
from domain.agreement_values import TermsVersion as TermsVersion
from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    FieldViolation,
    NotFoundError,
    Reason,
    Violations,
)
from domain.exclusion_checks import exclusion_violations
from domain.exclusion_commands import exclusion_for, is_new_acknowledgement, is_new_revocation
from domain.exclusion_rules import check_maintenance_notice
from domain.exclusion_standing import RecordedExclusion, counted_exclusions
from domain.exclusions import Exclusion
from domain.identifiers import agreement_stream
from domain.period_labels import check_period_label
from domain.resource_names import agreement_name
from domain.terms import AgreementTerms, is_aware


class Agreement(BaseAggregate[str]):
    """A service level agreement between a provider and a customer."""

    @dataclass(frozen=True)
    class Event(CanMutateAggregate[str]):
        """Base of the agreement's events; timestamp is the record time."""

        originator_id: str
        originator_version: int
        timestamp: datetime

    @dataclass(frozen=True)
    class Signed(Event, CanInitAggregate[str]):
        """The agreement was signed with its first terms."""

        originator_topic: str
        agreement_id: str
        terms: AgreementTerms
        signed_at: datetime

    @dataclass(frozen=True)
    class Amended(Event):
        """New terms apply from effective_from onward."""

        terms: AgreementTerms
        terms_version: int
        effective_from: datetime
        retroactive: bool
        reason: str

        def apply(self, aggregate: Any) -> None:
            """Add the new terms version."""
            assert isinstance(aggregate, Agreement)
            aggregate.terms_versions.append(
                TermsVersion(self.terms_version, self.terms, self.effective_from, self.retroactive)
            )
            aggregate.amended_on = self.timestamp

    @dataclass(frozen=True)
    class Terminated(Event):
        """The agreement ends at effective_at."""

        effective_at: datetime
        reason: str

        def apply(self, aggregate: Any) -> None:
            """Record the termination."""
            assert isinstance(aggregate, Agreement)
            aggregate.termination = Termination(self.effective_at, self.reason)

    @dataclass(frozen=True)
    class ExclusionRecorded(Event):
        """An interval whose readings count neither good nor bad (once acknowledged, when
        acknowledgement_required: domain/exclusion_standing.py)."""

        exclusion: Exclusion
        _: KW_ONLY
        acknowledgement_required: bool = False

        def apply(self, aggregate: Any) -> None:
            """Add the exclusion."""
            assert isinstance(aggregate, Agreement)
            recorded = RecordedExclusion(
                self.exclusion, self.timestamp, self.acknowledgement_required
            )
            aggregate.recorded_exclusions.append(recorded)
            if recorded.counts_for(self.exclusion.customer_id):
                aggregate.exclusions.append(self.exclusion)

    @dataclass(frozen=True)
    class ExclusionAcknowledged(Event):
        """The customer (customer_id; "" for a customer-based agreement's) acknowledged an
        exclusion that needed it, or a dispute about it was resolved for the provider."""

        exclusion_id: str
        _: KW_ONLY
        customer_id: str = ""
        dispute_id: str = ""

        def apply(self, aggregate: Any) -> None:
            """Make the exclusion count for the customer."""
            assert isinstance(aggregate, Agreement)
            aggregate.change_exclusion(
                self.exclusion_id, lambda r: r.acknowledged(self.customer_id)
            )

    @dataclass(frozen=True)
    class ExclusionRevoked(Event):
        """A dispute about an exclusion was upheld: it no longer counts for customer_id ("" for
        everyone)."""

        exclusion_id: str
        dispute_id: str
        _: KW_ONLY
        customer_id: str = ""

        def apply(self, aggregate: Any) -> None:
            """Stop the exclusion counting for the customer."""
            assert isinstance(aggregate, Agreement)
            aggregate.change_exclusion(self.exclusion_id, lambda r: r.revoked(self.customer_id))

    def __init__(self, agreement_id: str, terms: AgreementTerms, signed_at: datetime) -> None:
        self.agreement_id = agreement_id
        self.signed_at = signed_at
        self.terms_versions = [TermsVersion(1, terms, terms.term_start, retroactive=False)]
        self.termination: Termination | None = None
        self.exclusions: list[Exclusion] = []  # those that count (domain/exclusion_standing.py)
        self.recorded_exclusions: list[RecordedExclusion] = []  # all, with their standing
        self.amended_on: datetime | None = None  # record time of the last amendment

    signing_violations = staticmethod(signing_violations)

    @classmethod
    def sign(
        cls,
        agreement_id: str,
        terms: AgreementTerms,
        signed_at: datetime,
        recorded_at: datetime,
        latest: datetime | None = None,
    ) -> Agreement:
        """Sign a new agreement; raises InvalidArgumentError naming every rule it breaks."""
        violations = Violations()
        violations.extend(cls.signing_violations(agreement_id, terms, signed_at, latest))
        violations.raise_if_any()
        return cls._create(
            cls.Signed,
            id=agreement_stream(agreement_id),
            agreement_id=agreement_id,
            terms=terms,
            signed_at=signed_at,
            timestamp=recorded_at,
        )

    @property
    def terms_recorded_at(self) -> datetime:
        """When the ledger recorded the newest terms: the last amendment, or else the signing."""
        return self.amended_on if self.amended_on is not None else self.created_on

    @property
    def objective_ids(self) -> tuple[str, ...]:
        """The ids of the objectives of every terms version, each once, in order of appearance."""
        return tuple(
            dict.fromkeys(
                o.objective_id for v in self.terms_versions for o in v.terms.judged_objectives()
            )
        )

    @property
    def current_terms(self) -> TermsVersion:
        """The most recent terms version, whatever its effective date."""
        return self.terms_versions[-1]

    def amend(
        self,
        terms: AgreementTerms,
        effective_from: datetime,
        retroactive: bool,
        reason: str,
        recorded_at: datetime,
    ) -> None:
        """Replace the terms from effective_from onward."""
        self._refuse_if_terminated("amended")
        violations = Violations()
        violations.extend(self.amendment_violations(terms, effective_from, reason))
        violations.raise_if_any()
        self.trigger_event(
            self.Amended,
            terms=terms,
            terms_version=self.current_terms.number + 1,
            effective_from=effective_from,
            retroactive=retroactive,
            reason=reason,
            timestamp=recorded_at,
        )

    def terminate(self, effective_at: datetime, reason: str, recorded_at: datetime) -> None:
        """End the agreement at effective_at."""
        self._refuse_if_terminated("terminated")
        violations = Violations()
        violations.extend(self.termination_violations(effective_at, reason))
        violations.raise_if_any()
        self.trigger_event(
            self.Terminated, effective_at=effective_at, reason=reason, timestamp=recorded_at
        )

    def record_exclusion(
        self, exclusion: Exclusion, recorded_at: datetime, acknowledgement_required: bool = False
    ) -> bool:
        """Record an exclusion; False when the same one was recorded before (nothing appended).
        Allowed after termination and for closed periods; whether a late one waits for
        acknowledgement the caller decides from the store (terms' exclusion rules). Maintenance
        without the notice the rules require is refused (FailedPreconditionError)."""
        for known in self.recorded_exclusions:
            if known.exclusion.exclusion_id == exclusion.exclusion_id:
                if known.exclusion == exclusion:
                    return False
                raise AlreadyExistsError(
                    f"exclusion {exclusion.exclusion_id} exists with other content"
                )
        violations = Violations()
        violations.extend(self.exclusion_violations(exclusion))
        violations.raise_if_any()
        rules = self.terms_in_force(recorded_at).terms.exclusion_rules
        check_maintenance_notice(rules, exclusion, recorded_at)
        self.trigger_event(
            self.ExclusionRecorded,
            exclusion=exclusion,
            acknowledgement_required=acknowledgement_required,
            timestamp=recorded_at,
        )
        return True

    def acknowledge_exclusion(
        self, exclusion_id: str, customer_id: str, recorded_at: datetime, dispute_id: str = ""
    ) -> bool:
        """The customer acknowledges an exclusion awaiting it (or a dispute about it was
        resolved for the provider, dispute_id); False when acknowledged for it before.
        customer_id: the subscriber for a service SLA, else "" or the agreement's customer."""
        recorded, whose = exclusion_for(self, exclusion_id, customer_id)
        if not is_new_acknowledgement(recorded, whose):
            return False
        self.trigger_event(
            self.ExclusionAcknowledged,
            exclusion_id=exclusion_id,
            customer_id=whose,
            dispute_id=dispute_id,
            timestamp=recorded_at,
        )
        return True

    def revoke_exclusion(
        self, exclusion_id: str, dispute_id: str, recorded_at: datetime, customer_id: str = ""
    ) -> bool:
        """A dispute about an exclusion was upheld: it stops counting for the customer (a
        service SLA's subscriber, else "" or the customer); False when revoked for it before."""
        recorded, whose = exclusion_for(self, exclusion_id, customer_id)
        if not is_new_revocation(recorded, whose, dispute_id):
            return False
        self.trigger_event(
            self.ExclusionRevoked,
            exclusion_id=exclusion_id,
            dispute_id=dispute_id,
            customer_id=whose,
            timestamp=recorded_at,
        )
        return True

    def recorded_exclusion(self, exclusion_id: str) -> RecordedExclusion | None:
        """The exclusion with that id as recorded, with its standing; None when unknown."""
        return next(
            (r for r in self.recorded_exclusions if r.exclusion.exclusion_id == exclusion_id), None
        )

    def change_exclusion(
        self, exclusion_id: str, change: Callable[[RecordedExclusion], RecordedExclusion]
    ) -> None:
        """Replace a recorded exclusion by its changed standing, and recount those that count."""
        self.recorded_exclusions = [
            change(r) if r.exclusion.exclusion_id == exclusion_id else r
            for r in self.recorded_exclusions
        ]
        self.exclusions = counted_exclusions(self.recorded_exclusions)

    def amendment_violations(
        self, terms: AgreementTerms, effective_from: datetime | None, reason: str
    ) -> list[FieldViolation]:
        """Every rule an amendment to terms breaks (a None effective_from is not checked)."""
        violations = Violations()
        violations.extend(terms.violations())
        first = self.terms_versions[0].terms
        for role in ("provider", "customer"):
            if getattr(terms, role).party_id != getattr(first, role).party_id:
                violations.add(f"terms.{role}.party_id", "parties cannot change by amendment")
        if terms.kind != first.kind:
            violations.add("terms.kind", "the kind of agreement cannot change by amendment")
        if terms.is_service_sla != first.is_service_sla:
            violations.add("terms.tiers", "a service SLA keeps tiers, and an agreement gets none")
        violations.extend(self._instant_violations("effective_from", effective_from))
        violations.extend(reason_violations(reason))
        return list(violations)

    def termination_violations(
        self, effective_at: datetime | None, reason: str
    ) -> list[FieldViolation]:
        """Every rule a termination breaks (a None effective_at is not checked)."""
        return [
            *self._instant_violations("effective_at", effective_at),
            *reason_violations(reason),
        ]

    def _instant_violations(self, field: str, instant: datetime | None) -> list[FieldViolation]:
        if instant is None:
            return []
        if not is_aware(instant):
            return [FieldViolation(field, "must carry a time zone")]
        if instant < self.signed_at:
            return [FieldViolation(field, "must not be before the agreement was signed")]
        return []

    def exclusion_violations(self, exclusion: Exclusion) -> list[FieldViolation]:
        """Every rule an exclusion of this agreement breaks."""
        return exclusion_violations(
            exclusion, self.current_terms.terms.is_service_sla, self.objective_ids
        )

    def check_period_label(self, objective_id: str, label: str) -> None:
        """InvalidArgumentError unless label names a period of the objective's unit (in any
        version of the terms)."""
        check_period_label(self.terms_versions, objective_id, label)

    def _refuse_if_terminated(self, verb: str) -> None:
        if self.termination is not None:
            raise FailedPreconditionError(
                f"agreement {self.agreement_id} was terminated "
                f"(effective {self.termination.effective_at.isoformat()}) and cannot be {verb}",
                reason=Reason.AGREEMENT_TERMINATED,
            )

    def terms_in_force(self, as_of: datetime) -> TermsVersion:
        """The terms governing as_of: the newest version effective at or before it.

        Before the first version's effective date (a signed agreement whose term has not
        started yet) the first version is returned.
        """
        governing = [v for v in self.terms_versions if v.effective_from <= as_of]
        # The versions are in the order they were recorded (a subscriber's view orders them so
        # too, domain/subscriber_views.py): the last one effective is the one in force.
        return governing[-1] if governing else self.terms_versions[0]

    def standing_at(self, as_of: datetime) -> AgreementStanding:
        """The agreement as it stood at as_of; NotFoundError before it was signed."""
        if as_of < self.signed_at:
            raise NotFoundError(
                f"agreement {self.agreement_id} was not yet signed at {as_of.isoformat()}",
                resource_type="agreement",
                resource_name=agreement_name(self.agreement_id),
            )
        return AgreementStanding(
            agreement_id=self.agreement_id,
            as_of=as_of,
            terms=self.terms_in_force(as_of),
            signed_at=self.signed_at,
            termination=self.termination,
            version=self.version,
            exclusions=tuple(self.recorded_exclusions),
        )


# The events about exclusions: they change no terms, termination or stream of the agreement.
EXCLUSION_EVENTS = (
    Agreement.ExclusionRecorded,
    Agreement.ExclusionAcknowledged,
    Agreement.ExclusionRevoked,
)


def replay_agreement(events: Iterable[Agreement.Event]) -> Agreement | None:
    """The agreement built from its events in order, or None when there are none."""
    aggregate: Agreement | None = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate
