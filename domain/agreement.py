"""The Agreement aggregate: signing, effective-dated amendments and termination."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate

from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    FieldViolation,
    InvalidArgumentError,
    NotFoundError,
    Violations,
)
from domain.exclusions import Exclusion
from domain.identifiers import IDENTIFIER_RULE, agreement_stream, is_identifier
from domain.input_ranges import shown
from domain.periods import LABEL_EXAMPLES, is_label_of
from domain.terms import MAX_OBJECTIVES, MAX_TEXT_LENGTH, AgreementTerms, is_aware


@dataclass(frozen=True)
class TermsVersion:
    """One version of an agreement's terms and the business instant it applies from."""

    number: int
    terms: AgreementTerms
    effective_from: datetime
    retroactive: bool
    tier_id: str = ""  # in a subscriber's view: the tier these terms are of

    def __deepcopy__(self, memo: dict[int, object]) -> TermsVersion:
        return self  # immutable: the repository's copies of a cached agreement share it


@dataclass(frozen=True)
class Termination:
    """When and why an agreement ends."""

    effective_at: datetime
    reason: str

    def __deepcopy__(self, memo: dict[int, object]) -> Termination:
        return self  # immutable, shared by copies


@dataclass(frozen=True)
class AgreementStanding:
    """An agreement as it stood at one business instant."""

    agreement_id: str
    as_of: datetime
    terms: TermsVersion
    signed_at: datetime
    termination: Termination | None
    version: int

    @property
    def is_terminated(self) -> bool:
        """Whether the termination had taken effect at as_of."""
        return self.termination is not None and self.termination.effective_at <= self.as_of


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
        """An interval whose readings count neither good nor bad."""

        exclusion: Exclusion

        def apply(self, aggregate: Any) -> None:
            """Add the exclusion."""
            assert isinstance(aggregate, Agreement)
            aggregate.exclusions.append(self.exclusion)

    def __init__(self, agreement_id: str, terms: AgreementTerms, signed_at: datetime) -> None:
        self.agreement_id = agreement_id
        self.signed_at = signed_at
        self.terms_versions = [TermsVersion(1, terms, terms.term_start, retroactive=False)]
        self.termination: Termination | None = None
        self.exclusions: list[Exclusion] = []
        self.amended_on: datetime | None = None  # record time of the last amendment

    @staticmethod
    def signing_violations(
        agreement_id: str,
        terms: AgreementTerms,
        signed_at: datetime | None,
        latest: datetime | None = None,
    ) -> list[FieldViolation]:
        """Every rule a signing breaks; signed_at may not be after latest (the clock plus the
        skew allowed). A None signed_at (refused already) is not checked."""
        violations = Violations()
        if not is_identifier(agreement_id):
            violations.add("agreement_id", IDENTIFIER_RULE)
        violations.extend(terms.violations())
        term_end = terms.term_end
        if signed_at is None:
            pass
        elif not is_aware(signed_at):
            violations.add("signed_at", "must carry a time zone")
        elif latest is not None and signed_at > latest:
            violations.add("signed_at", "is in the future, beyond the clock skew allowed")
        elif term_end is not None and is_aware(term_end) and signed_at > term_end:
            violations.add("signed_at", "must not be after terms.term_end")
        return list(violations)

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

    def record_exclusion(self, exclusion: Exclusion, recorded_at: datetime) -> bool:
        """Record an exclusion; False when the same one was recorded before (nothing appended).

        Allowed after termination and for closed periods: exclusions are often agreed late.
        """
        for known in self.exclusions:
            if known.exclusion_id == exclusion.exclusion_id:
                if known == exclusion:
                    return False
                raise AlreadyExistsError(
                    f"exclusion {exclusion.exclusion_id} exists with other content"
                )
        violations = Violations()
        violations.extend(self.exclusion_violations(exclusion))
        violations.raise_if_any()
        self.trigger_event(self.ExclusionRecorded, exclusion=exclusion, timestamp=recorded_at)
        return True

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
        violations.extend(_reason_violations(reason))
        return list(violations)

    def termination_violations(
        self, effective_at: datetime | None, reason: str
    ) -> list[FieldViolation]:
        """Every rule a termination breaks (a None effective_at is not checked)."""
        return [
            *self._instant_violations("effective_at", effective_at),
            *_reason_violations(reason),
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
        violations = Violations()
        if not is_identifier(exclusion.exclusion_id):
            violations.add("exclusion.exclusion_id", IDENTIFIER_RULE)
        if not is_aware(exclusion.start):
            violations.add("exclusion.start", "must carry a time zone")
        elif not is_aware(exclusion.end):
            violations.add("exclusion.end", "must carry a time zone")
        elif exclusion.end <= exclusion.start:
            violations.add("exclusion.end", "must be after exclusion.start")
        if exclusion.customer_id:
            if not self.current_terms.terms.is_service_sla:
                violations.add(
                    "exclusion.customer_id", "only a service SLA's exclusions name a customer"
                )
            elif not is_identifier(exclusion.customer_id):
                violations.add("exclusion.customer_id", IDENTIFIER_RULE)
        known_objectives = set(self.objective_ids)
        if len(exclusion.objective_ids) > len(known_objectives):
            violations.add("exclusion.objective_ids", "each of the agreement's objectives once")
        elif len(set(exclusion.objective_ids)) != len(exclusion.objective_ids):
            violations.add("exclusion.objective_ids", "each objective once")
        for index, objective_id in enumerate(exclusion.objective_ids[:MAX_OBJECTIVES]):
            if objective_id not in known_objectives:
                violations.add(
                    f"exclusion.objective_ids[{index}]",
                    f"agreement has no objective {shown(objective_id)}",
                )
        if not exclusion.reason.strip():
            violations.add("exclusion.reason", "a reason is required")
        for name, text in (("reason", exclusion.reason), ("evidence", exclusion.evidence)):
            if len(text) > MAX_TEXT_LENGTH:
                violations.add(f"exclusion.{name}", f"at most {MAX_TEXT_LENGTH} characters")
        return list(violations)

    def check_period_label(self, objective_id: str, label: str) -> None:
        """InvalidArgumentError unless label names a period of the objective's unit (in any
        version of the terms)."""
        units = {
            o.period
            for v in self.terms_versions
            for o in v.terms.judged_objectives()
            if o.objective_id == objective_id
        }
        if not units:
            raise InvalidArgumentError(
                [
                    FieldViolation(
                        "objective_id", f"agreement has no objective {shown(objective_id)}"
                    )
                ]
            )
        if not any(is_label_of(label, unit) for unit in units):
            names = " or ".join(
                sorted(f"{u.value} period (such as {LABEL_EXAMPLES[u]})" for u in units)
            )
            raise InvalidArgumentError(
                [FieldViolation("period_label", f"{shown(label)} is not a label of a {names}")]
            )

    def _refuse_if_terminated(self, verb: str) -> None:
        if self.termination is not None:
            raise FailedPreconditionError(
                f"agreement {self.agreement_id} was terminated "
                f"(effective {self.termination.effective_at.isoformat()}) and cannot be {verb}"
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
                f"agreement {self.agreement_id} was not yet signed at {as_of.isoformat()}"
            )
        return AgreementStanding(
            agreement_id=self.agreement_id,
            as_of=as_of,
            terms=self.terms_in_force(as_of),
            signed_at=self.signed_at,
            termination=self.termination,
            version=self.version,
        )


def replay_agreement(events: Iterable[Agreement.Event]) -> Agreement | None:
    """The agreement built from its events in order, or None when there are none."""
    aggregate: Agreement | None = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def _reason_violations(reason: str) -> list[FieldViolation]:
    if len(reason) > MAX_TEXT_LENGTH:
        return [FieldViolation("reason", f"at most {MAX_TEXT_LENGTH} characters")]
    return []
