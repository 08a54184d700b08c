"""From the ledger's reply messages to the client's dataclasses."""

from __future__ import annotations

from sla_ledger_client._generated.sla.ledger.v1 import (
    compliance_pb2,
    credit_states_pb2,
    discovery_pb2,
    ledger_service_pb2,
    terms_pb2,
)
from sla_ledger_client.results import (
    Agreement,
    AgreementSummary,
    BreachLine,
    Compliance,
    Credit,
    CreditLine,
    ObjectiveStanding,
    TrackStanding,
)
from sla_ledger_client.values import decimal_or_none, enum_name, money, optional_datetime

_STATUS = compliance_pb2.ComplianceStatus
_STATUS_PREFIX = "COMPLIANCE_STATUS_"


def agreement(message: terms_pb2.Agreement) -> Agreement:
    """An Agreement of its message."""
    return Agreement(
        agreement_id=message.agreement_id,
        status=enum_name(terms_pb2.AgreementStatus, message.status, "AGREEMENT_STATUS_"),
        version=message.version,
        terms_version=message.terms_version,
        terms_effective_from=optional_datetime(message, "terms_effective_from"),
        signed_at=optional_datetime(message, "signed_at"),
        terminated_at=optional_datetime(message, "terminated_at"),
        terms=message.terms,
    )


def track(message: compliance_pb2.TrackCompliance) -> TrackStanding:
    """A TrackStanding of its message."""
    return TrackStanding(
        track=message.track,
        indicator=enum_name(terms_pb2.Indicator, message.indicator, "INDICATOR_"),
        final=message.final,
        attained=decimal_or_none(message.attained),
        target=decimal_or_none(message.target),
        good=decimal_or_none(message.good),
        total=decimal_or_none(message.total),
        bad=decimal_or_none(message.bad),
        readings=message.readings,
        excluded=message.excluded,
        budget_remaining_percent=decimal_or_none(message.budget_remaining_percent),
        status=enum_name(_STATUS, message.status, _STATUS_PREFIX),
    )


def objective(message: compliance_pb2.ObjectiveCompliance) -> ObjectiveStanding:
    """An ObjectiveStanding of its message."""
    return ObjectiveStanding(
        objective_id=message.objective_id,
        period_label=message.period_label,
        terms_version=message.terms_version,
        window_start=optional_datetime(message, "window_start"),
        window_end=optional_datetime(message, "window_end"),
        status=enum_name(_STATUS, message.status, _STATUS_PREFIX),
        tracks=tuple(track(t) for t in message.tracks),
        closed_status=(
            enum_name(_STATUS, message.closed.status, _STATUS_PREFIX)
            if message.HasField("closed")
            else None
        ),
    )


def compliance(reply: ledger_service_pb2.GetComplianceResponse) -> Compliance:
    """A Compliance of GetCompliance's reply."""
    report = reply.report
    return Compliance(
        agreement_id=report.agreement_id,
        as_of=optional_datetime(report, "as_of"),
        known_at=optional_datetime(report, "known_at"),
        terms_version=report.terms_version,
        objectives=tuple(objective(o) for o in report.objectives),
        breaches=tuple(
            BreachLine(
                objective_id=b.objective_id,
                period_label=b.period_label,
                track=b.track,
                attained=decimal_or_none(b.attained),
                target=decimal_or_none(b.target),
                recorded_at=optional_datetime(b, "recorded_at"),
                retracted=b.retracted,
            )
            for b in report.breaches
        ),
        credits=tuple(
            CreditLine(
                objective_id=c.objective_id,
                period_label=c.period_label,
                kind=enum_name(compliance_pb2.CreditKind, c.credit_kind, "CREDIT_KIND_"),
                amount=money(c.amount),
                policy_line=c.policy_line,
                recorded_at=optional_datetime(c, "recorded_at"),
            )
            for c in report.credits
        ),
        credit_totals=tuple(money(m) for m in report.credit_totals),
        bonus_totals=tuple(money(m) for m in report.bonus_totals),
        log_position=reply.log_position,
        report=report,
    )


def credit(record: ledger_service_pb2.CreditRecord) -> Credit:
    """A Credit of a ListCredits record."""
    return Credit(
        position=record.position,
        agreement_id=record.agreement_id,
        customer_id=record.customer_id,
        provider_id=record.provider_id,
        objective_id=record.objective_id,
        period_label=record.period_label,
        window_start=optional_datetime(record, "window_start"),
        kind=enum_name(compliance_pb2.CreditKind, record.credit_kind, "CREDIT_KIND_"),
        state=enum_name(credit_states_pb2.CreditState, record.state, "CREDIT_STATE_"),
        amount=money(record.amount),
        policy_line=record.policy_line,
        recorded_at=optional_datetime(record, "recorded_at"),
        record=record,
    )


def summary(message: discovery_pb2.AgreementSummary) -> AgreementSummary:
    """An AgreementSummary of a ListAgreements entry."""
    return AgreementSummary(
        agreement_id=message.agreement_id,
        kind=enum_name(terms_pb2.AgreementKind, message.kind, "AGREEMENT_KIND_"),
        status=enum_name(terms_pb2.AgreementStatus, message.status, "AGREEMENT_STATUS_"),
        provider_id=message.provider.party_id,
        customer_id=message.customer.party_id,
        services=tuple(message.services),
        terms_version=message.terms_version,
        term_start=optional_datetime(message, "term_start"),
        term_end=optional_datetime(message, "term_end"),
        objective_ids=tuple(message.objective_ids),
        summary=message,
    )
