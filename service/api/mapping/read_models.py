"""Translation of read-model rows to sla.ledger.v1 messages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from domain.credit_balances import BUCKETS, StateBalance
from domain.display import shown_policy_line, shown_text
from domain.errors import Violations
from projections.audit import Audit, Problem
from projections.ledger_views import from_minor_units, to_minor_units
from projections.queries import Balance
from service.api.mapping.credit_states import credit_state_to_proto
from service.api.mapping.results import CREDIT_KIND_TO_PROTO
from service.api.mapping.scalars import instant_to_proto
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2

RETRACTED_OF_STATE: dict[int, bool | None] = {
    pb.BREACH_STATE_UNSPECIFIED: None,
    pb.BREACH_STATE_ACTIVE: False,
    pb.BREACH_STATE_RETRACTED: True,
}


def breach_state_from_proto(state: int, path: str, violations: Violations) -> bool | None:
    """Whether a BreachState asks for retracted breaches (None: any); a violation for a value
    the enum does not define."""
    if state not in RETRACTED_OF_STATE:
        violations.add(path, "must be a known value (0 any, 1 active, 2 retracted)")
    return RETRACTED_OF_STATE.get(state)


def _timestamp(instant: datetime) -> Timestamp:
    # SQLite gives naive datetimes back; everything stored is UTC.
    return instant_to_proto(instant if instant.tzinfo else instant.replace(tzinfo=UTC))


def _money(amount_minor: int, currency: str) -> terms_pb2.Money:
    money = from_minor_units(amount_minor, currency)
    return terms_pb2.Money(currency_code=currency, amount=str(money.amount))


def breach_to_proto(row: Any) -> pb.BreachRecord:
    """A BreachRecord for a row of the breaches projection."""
    return pb.BreachRecord(
        agreement_id=row.agreement_id,
        customer_id=row.customer_id,
        provider_id=row.provider_id,
        objective_id=row.objective_id,
        period_label=row.period_label,
        window_start=_timestamp(row.window_start),
        window_end=_timestamp(row.window_end),
        track=row.track,
        attained=shown_text(row.attained),
        target=row.target,
        terms_version=row.terms_version,
        position=row.position,
        recorded_at=_timestamp(row.recorded_at),
        retracted=row.retracted,
    )


def credit_to_proto(row: Any) -> pb.CreditRecord:
    """A CreditRecord for a row of the credit ledger."""
    return pb.CreditRecord(
        position=row.position,
        agreement_id=row.agreement_id,
        customer_id=row.customer_id,
        provider_id=row.provider_id,
        objective_id=row.objective_id,
        period_label=row.period_label,
        window_start=_timestamp(row.window_start),
        kind=row.kind,
        credit_kind=CREDIT_KIND_TO_PROTO.get(row.kind),
        amount=_money(row.amount_minor, row.currency),
        policy_line=shown_policy_line(row.policy_line),
        recorded_at=_timestamp(row.recorded_at),
        state=credit_state_to_proto(row.state),
    )


def balances_to_proto(
    lines: Sequence[Balance], by_state: Sequence[StateBalance]
) -> list[pb.CreditBalance]:
    """One CreditBalance per customer and currency that either the credit ledger's lines or the
    balances by state name (zero where the other has none), by customer then currency."""
    net = {(b.customer_id, b.currency): b for b in lines}
    states = {(b.customer_id, b.currency): b for b in by_state}
    replies = []
    for customer_id, currency in sorted(net.keys() | states.keys()):
        line = net.get((customer_id, currency)) or Balance(customer_id, currency, 0, 0)
        state = states.get((customer_id, currency)) or StateBalance.zero(customer_id, currency)
        reply = pb.CreditBalance(
            customer_id=customer_id,
            credits=_money(line.credits_minor, currency),
            bonuses=_money(line.bonuses_minor, currency),
        )
        for bucket in BUCKETS:
            amount = getattr(state, bucket)
            getattr(reply, bucket).CopyFrom(_money(to_minor_units(amount), currency))
        replies.append(reply)
    return replies


_PROBLEMS = {
    Problem.MISSING: pb.READ_MODEL_PROBLEM_MISSING,
    Problem.EXTRA: pb.READ_MODEL_PROBLEM_EXTRA,
    Problem.CHANGED: pb.READ_MODEL_PROBLEM_CHANGED,
    Problem.BEYOND_HEAD: pb.READ_MODEL_PROBLEM_BEYOND_HEAD,
    Problem.UNREPLAYABLE: pb.READ_MODEL_PROBLEM_UNREPLAYABLE,
}


def audit_to_proto(audit: Audit) -> pb.ReadModelVerification:
    """A ReadModelVerification for the outcome of a read-model audit."""
    found = audit.first_difference
    if found is None:
        return pb.ReadModelVerification(ok=True, log_position=audit.position)
    return pb.ReadModelVerification(
        ok=False,
        log_position=audit.position,
        table=found.table,
        key=", ".join(f"{column}={value}" for column, value in found.key.items()),
        problem=_PROBLEMS[found.problem],
        column=found.column,
        detail=found.detail,
    )
