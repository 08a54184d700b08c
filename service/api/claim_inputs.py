"""The inputs of ClaimCredit, DecideClaim and SettleCredits, read from their requests and
refused in one pass (every problem of a request in one INVALID_ARGUMENT) when malformed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.claim_decisions import SettlementOrder
from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import DATE_RULE, parse_iso_date
from domain.money import Money
from domain.periods import is_label_of, unit_of_label
from domain.terms import MAX_TEXT_LENGTH
from service.api.mapping.claims import METHOD_FROM_PROTO
from service.api.mapping.scalars import decimal_field, position_from_proto
from service.app.claims import CreditKey, Settling
from service.generated.sla.ledger.v1 import claims_pb2, credit_refs_pb2, terms_pb2

MAX_REFERENCE_LENGTH = 256
MAX_SETTLEMENTS = 1000


@dataclass(frozen=True)
class Claiming:
    """What ClaimCredit claims."""

    credit: CreditKey
    expected_version: int | None


@dataclass(frozen=True)
class Deciding:
    """What DecideClaim decides."""

    credit: CreditKey
    approved: Money
    expected_version: int | None


def claiming_from_proto(request: claims_pb2.ClaimCreditRequest) -> Claiming:
    """ClaimCredit's inputs; INVALID_ARGUMENT naming every malformed field."""
    violations = Violations()
    credit = credit_from_proto(request, "credit", violations)
    reference = request.claim_reference
    if not reference.strip() or len(reference) > MAX_REFERENCE_LENGTH:
        violations.add("claim_reference", f"1 to {MAX_REFERENCE_LENGTH} characters, not blank")
    if len(request.evidence) > MAX_TEXT_LENGTH:
        violations.add("evidence", f"at most {MAX_TEXT_LENGTH} characters")
    expected = expected_version(request, "expected_version", violations)
    violations.raise_if_any()
    return Claiming(credit, expected)


def deciding_from_proto(request: claims_pb2.DecideClaimRequest) -> Deciding:
    """DecideClaim's inputs; INVALID_ARGUMENT naming every malformed field."""
    violations = Violations()
    credit = credit_from_proto(request, "credit", violations)
    approved = Money(Decimal(0), "")
    if not request.HasField("approved"):
        violations.add("approved", "is required: the amount approved, 0 to deny the claim")
    else:
        approved = money_from_proto(request.approved, "approved", violations, least=Decimal(0))
    if len(request.reason) > MAX_TEXT_LENGTH:
        violations.add("reason", f"at most {MAX_TEXT_LENGTH} characters")
    expected = expected_version(request, "expected_version", violations)
    violations.raise_if_any()
    return Deciding(credit, approved, expected)


def settling_from_proto(request: claims_pb2.SettleCreditsRequest) -> list[Settling]:
    """SettleCredits' batch; INVALID_ARGUMENT naming every malformed field."""
    violations = Violations()
    if not request.settlements:
        violations.add("settlements", "at least one settlement is required")
    if len(request.settlements) > MAX_SETTLEMENTS:
        violations.add("settlements", f"at most {MAX_SETTLEMENTS:,} settlements a call")
        violations.raise_if_any()
    batch = [
        _settling(s, f"settlements[{i}]", violations) for i, s in enumerate(request.settlements)
    ]
    violations.raise_if_any()
    return batch


def _settling(message: claims_pb2.Settlement, path: str, violations: Violations) -> Settling:
    credit = credit_from_proto(message, f"{path}.credit", violations)
    if not is_identifier(message.settlement_id):
        violations.add(f"{path}.settlement_id", IDENTIFIER_RULE)
    method = METHOD_FROM_PROTO.get(message.method)
    if method is None:
        violations.add(f"{path}.method", "must be invoice, paid_out or written_off")
    reference, day = message.invoice_reference, message.invoice_date
    if method == "invoice" and not reference.strip():
        violations.add(f"{path}.invoice_reference", "is required for an invoice")
    elif len(reference) > MAX_REFERENCE_LENGTH or (reference and not reference.strip()):
        violations.add(
            f"{path}.invoice_reference", f"at most {MAX_REFERENCE_LENGTH} characters, not blank"
        )
    if method == "invoice" and parse_iso_date(day) is None:
        violations.add(f"{path}.invoice_date", f"is required for an invoice and {DATE_RULE}")
    elif method != "invoice" and day:
        violations.add(f"{path}.invoice_date", "only an invoice has a date")
    amount = Money(Decimal(0), "")
    if not message.HasField("amount"):
        violations.add(f"{path}.amount", "is required")
    else:
        amount = money_from_proto(message.amount, f"{path}.amount", violations, least=None)
    expected = expected_version(message, f"{path}.expected_version", violations)
    order = SettlementOrder(message.settlement_id, method or "", reference, day, amount)
    return Settling(credit, order, expected)


def credit_from_proto(message: Any, path: str, violations: Violations) -> CreditKey:
    """The credit a request names in its CreditRef field (path)."""
    if not message.HasField("credit"):
        violations.add(path, "is required")
    ref: credit_refs_pb2.CreditRef = message.credit
    for name in ("agreement_id", "objective_id"):
        if not is_identifier(getattr(ref, name)):
            violations.add(f"{path}.{name}", IDENTIFIER_RULE)
    if ref.customer_id and not is_identifier(ref.customer_id):
        violations.add(f"{path}.customer_id", f"empty or {IDENTIFIER_RULE}")
    try:
        well_formed = is_label_of(ref.period_label, unit_of_label(ref.period_label))
    except ValueError:
        well_formed = False
    if not well_formed:
        violations.add(
            f"{path}.period_label",
            'a period label: "2026-03-29", "2026-W13", "2026-03" or "2026-Q1"',
        )
    return CreditKey(ref.agreement_id, ref.customer_id, ref.objective_id, ref.period_label)


def money_from_proto(
    message: terms_pb2.Money, path: str, violations: Violations, least: Decimal | None
) -> Money:
    """An amount from its message: a currency, a plain decimal in its minor unit, at least
    least (None: more than 0)."""
    amount = decimal_field(message.amount, f"{path}.amount", violations)
    if amount is None:
        if not message.amount:
            violations.add(f"{path}.amount", "is required")
        amount = Decimal(0)
    money = Money(amount, message.currency_code)
    for field, description in money.problems():
        violations.add(f"{path}.{field}", description)
    if least is None and amount <= 0 and message.amount:
        violations.add(f"{path}.amount", "must be more than 0")
    return money


def expected_version(message: Any, path: str, violations: Violations) -> int | None:
    """The optional expected version of a request or settlement (1 to 2^53)."""
    if not message.HasField("expected_version"):
        return None
    return position_from_proto(message.expected_version, path, violations, least=1)
