"""The page of one agreement: terms in force, their versions, objectives now, period history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import Flask, render_template, request

from portal import reads
from portal.burn_up import attainment_chart
from portal.errors import PageNotFoundError, about_agreement
from portal.formatting import instant, show_instant, show_money
from portal.listing_pages import text_filter
from portal.page_context import ledger, travel
from portal.time_travel import EARLIEST, LATEST, TimeTravel
from service.generated.sla.ledger.v1 import (
    compliance_pb2,
    ledger_service_pb2,
    period_history_pb2,
    terms_pb2,
)

MAX_ID_CHARACTERS = 256
MAX_VERSIONS = 100  # versions the history shows, newest first
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Subject:
    """Whose standing an agreement page shows: a service SLA's subscriber or tier, or neither."""

    customer_id: str = ""
    tier_id: str = ""

    def query(self) -> dict[str, str]:
        """The query parameters that carry it in links."""
        return {k: v for k, v in (("customer", self.customer_id), ("tier", self.tier_id)) if v}


@dataclass(frozen=True)
class TermsVersion:
    """One version of an agreement's terms, as in force from its effective instant."""

    version: int
    effective_from: str
    services: str
    objectives: str
    fee: str


def is_service_sla(agreement: terms_pb2.Agreement) -> bool:
    """Whether the agreement is a service SLA (customers subscribe to its tiers)."""
    return len(agreement.terms.tiers) > 0


def subject_of(agreement: terms_pb2.Agreement) -> Subject:
    """The subscriber or tier asked for (?customer=, ?tier=) on a service SLA; none otherwise."""
    if not is_service_sla(agreement):
        return Subject()
    customer, tier = text_filter("customer"), text_filter("tier")
    return Subject(customer_id=customer) if customer else Subject(tier_id=tier)


def listing_customer(agreement: terms_pb2.Agreement, subject: Subject) -> str:
    """The customer_id the listings name (customer tokens must name their customer)."""
    return subject.customer_id or agreement.terms.customer.party_id


def read_agreement(agreement_id: str, when: TimeTravel) -> ledger_service_pb2.GetAgreementResponse:
    """GetAgreement, "not found" for an unknown or foreign id (or one no agreement can have)."""
    if not agreement_id or len(agreement_id) > MAX_ID_CHARACTERS:
        raise PageNotFoundError(f"agreement {agreement_id[:MAX_ID_CHARACTERS]}")
    with about_agreement(agreement_id):
        answer = reads.get_agreement(ledger(), agreement_id, when)
    return answer


def terms_history(agreement_id: str, when: TimeTravel) -> list[TermsVersion]:
    """The versions of the terms known at known_at, oldest first: GetAgreement at the latest
    business instant, then just before each version's effective instant, back to version 1."""
    history: list[TermsVersion] = []
    as_of = LATEST - _MICROSECOND
    seen: set[int] = set()
    with about_agreement(agreement_id):
        for _ in range(MAX_VERSIONS):
            found = reads.get_agreement(ledger(), agreement_id, TimeTravel(as_of, when.known_at))
            agreement = found.agreement
            if agreement.terms_version in seen:
                break
            seen.add(agreement.terms_version)
            history.append(
                TermsVersion(
                    version=agreement.terms_version,
                    effective_from=show_instant(agreement.terms_effective_from),
                    services=", ".join(agreement.terms.services),
                    objectives=", ".join(objective_names(agreement)),
                    fee=show_money(agreement.terms.fee.amount),
                )
            )
            effective = instant(agreement.terms_effective_from)
            if agreement.terms_version <= 1 or effective is None or effective <= EARLIEST:
                break
            as_of = effective - _MICROSECOND
    return list(reversed(history))


def objective_names(agreement: terms_pb2.Agreement) -> list[str]:
    """The objective ids of the terms (a service SLA's per tier, as tier/objective)."""
    if agreement.terms.tiers:
        return [
            f"{tier.tier_id}/{objective.objective_id}"
            for tier in agreement.terms.tiers
            for objective in tier.objectives
        ]
    return [objective.objective_id for objective in agreement.terms.objectives]


def standing(
    agreement: terms_pb2.Agreement, subject: Subject, when: TimeTravel
) -> compliance_pb2.ComplianceReport | None:
    """GetCompliance of the whole agreement at the page's instants (None: choose a subject)."""
    if is_service_sla(agreement) and not (subject.customer_id or subject.tier_id):
        return None
    with about_agreement(agreement.agreement_id):
        answer = reads.get_compliance(
            ledger(),
            agreement.agreement_id,
            when.as_of,
            when.known_at,
            customer_id=subject.customer_id,
            tier_id=subject.tier_id,
        )
    return answer.report


def history_of_periods(
    agreement: terms_pb2.Agreement, subject: Subject, when: TimeTravel
) -> list[period_history_pb2.PeriodResult]:
    """The closed periods known at known_at, newest first."""
    with about_agreement(agreement.agreement_id):
        found = reads.period_results(
            ledger(),
            agreement.agreement_id,
            when,
            customer_id=listing_customer(agreement, subject),
        )
    return sorted(found, key=lambda p: (p.window_start.ToDatetime(), p.objective_id), reverse=True)


def register(app: Flask) -> None:
    """The agreement page."""

    @app.get("/agreements/<agreement_id>")
    def agreement(agreement_id: str) -> str:
        when = travel()
        answer = read_agreement(agreement_id, when)
        found = answer.agreement
        subject = subject_of(found)
        periods = history_of_periods(found, subject, when)
        objective_ids = sorted({p.objective_id for p in periods})
        return render_template(
            "agreement.html",
            title=f"Agreement {agreement_id}",
            agreement=found,
            service_sla=is_service_sla(found),
            subject=subject,
            customer=listing_customer(found, subject),
            history=terms_history(agreement_id, when),
            report=standing(found, subject, when),
            periods=periods,
            attainment_svgs=[(o, attainment_chart(periods, o)) for o in objective_ids],
            exclusions=answer.exclusions,
            args=request.args,
        )
