"""The ledger's replies (protobuf) as the statement's plain data."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

from reports.statement import (
    AgreementSummary,
    Breach,
    BurnUp,
    BurnUpPoint,
    Claim,
    Credit,
    Exclusion,
    Money,
    Party,
    PeriodAttainment,
    Track,
)
from service.generated.sla.ledger.v1 import (
    claims_pb2,
    compliance_pb2,
    compliance_series_pb2,
    credit_states_pb2,
    events_pb2,
    exclusion_acknowledgements_pb2,
    exclusion_rules_pb2,
    period_history_pb2,
    terms_pb2,
)

CUMULATIVE = terms_pb2.INDICATOR_CUMULATIVE
COUNT_LIMIT = terms_pb2.INDICATOR_COUNT_LIMIT
CREDIT_KINDS = frozenset({"credit_issued", "credit_adjusted", "credit_capped"})
BONUS_KINDS = frozenset({"bonus_earned", "bonus_adjusted"})


def enum_word(enum: Any, number: int, prefix: str) -> str:
    """An enum value as a lower-case word: COMPLIANCE_STATUS_AT_RISK as "at risk"."""
    try:
        name: str = enum.Name(number)
    except ValueError:
        return str(number)
    return name.removeprefix(prefix).lower().replace("_", " ")


def status_word(number: int) -> str:
    """A ComplianceStatus as a word ("met", "at risk", "breached", "no data", "unspecified")."""
    return enum_word(compliance_pb2.ComplianceStatus, number, "COMPLIANCE_STATUS_")


def indicator_word(number: int) -> str:
    """An Indicator as a word ("ratio", "time slices", ...); unspecified is ratio."""
    word = enum_word(terms_pb2.Indicator, number, "INDICATOR_")
    return "ratio" if word == "unspecified" else word


def instant(stamp: Timestamp) -> datetime:
    """A Timestamp as a UTC datetime."""
    return stamp.ToDatetime(tzinfo=UTC)


def optional_instant(message: Any, field: str) -> datetime | None:
    """The instant of a Timestamp field, None when unset."""
    return instant(getattr(message, field)) if message.HasField(field) else None


def number(text: str) -> Decimal | None:
    """A figure the ledger shows as text; None for an empty one."""
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def money(message: terms_pb2.Money) -> Money:
    """A Money message as Money (an empty amount is zero)."""
    return Money(number(message.amount) or Decimal(0), message.currency_code)


def agreement_summary(agreement: terms_pb2.Agreement) -> AgreementSummary:
    """The agreement as GetAgreement answered it."""
    terms = agreement.terms
    kind = enum_word(terms_pb2.AgreementKind, terms.kind, "AGREEMENT_KIND_").replace(" ", "-")
    customer = (
        Party(terms.customer.party_id, terms.customer.display_name or terms.customer.party_id)
        if terms.HasField("customer") and terms.customer.party_id
        else None
    )
    provider = Party(
        terms.provider.party_id, terms.provider.display_name or terms.provider.party_id
    )
    service_sla = terms.kind == terms_pb2.AGREEMENT_KIND_SERVICE_BASED  # fees per subscription
    has_fee = terms.HasField("fee") and bool(terms.fee.amount.amount) and not service_sla
    fee = money(terms.fee.amount) if has_fee else None
    return AgreementSummary(
        agreement_id=agreement.agreement_id,
        kind=kind,
        provider=provider,
        customer=customer,
        status=enum_word(terms_pb2.AgreementStatus, agreement.status, "AGREEMENT_STATUS_"),
        terms_version=agreement.terms_version,
        terms_effective_from=optional_instant(agreement, "terms_effective_from"),
        signed_at=optional_instant(agreement, "signed_at"),
        time_zone=terms.time_zone or "UTC",
        fee=fee,
    )


def tracks(messages: Iterable[compliance_pb2.TrackCompliance]) -> tuple[Track, ...]:
    """The tracks of a report or of a closed period."""
    return tuple(
        Track(
            track=t.track,
            indicator=indicator_word(t.indicator),
            status=status_word(t.status),
            attained=number(t.attained),
            target=number(t.target),
            good=number(t.good),
            total=number(t.total),
            bad=number(t.bad),
            readings=t.readings,
            excluded=t.excluded,
            budget_remaining_percent=number(t.budget_remaining_percent),
            target_line=number(t.target_line),
        )
        for t in messages
    )


def burn_ups(
    series: compliance_series_pb2.GetComplianceSeriesResponse, time_zone: str
) -> tuple[BurnUp, ...]:
    """One burn-up per track: cumulative objectives plot the achieved total against the target
    line; the others their attainment so far against the target."""
    zone = ZoneInfo(time_zone)
    found = []
    for track in series.tracks:
        cumulative = track.indicator == CUMULATIVE
        unit = "total" if cumulative else "bad events" if track.indicator == COUNT_LIMIT else "%"
        points = tuple(
            BurnUpPoint(
                day=_local_day(instant(p.at), zone),
                at=instant(p.at),
                actual=number(p.good if cumulative else p.attained),
                target=number(p.target_line),
            )
            for p in track.points
        )
        found.append(
            BurnUp(
                objective_id=series.objective_id,
                period_label=series.period_label,
                track=track.track,
                indicator=indicator_word(track.indicator),
                unit=unit,
                points=points,
            )
        )
    return tuple(found)


def _local_day(end: datetime, zone: ZoneInfo) -> date:
    """The local day a point closes: the day of the instant just before its end."""
    local = end.astimezone(zone)
    midnight = local.hour == 0 and local.minute == 0 and local.second == 0
    day = local.date()
    return date.fromordinal(day.toordinal() - 1) if midnight and not local.microsecond else day


def history(results: Sequence[period_history_pb2.PeriodResult]) -> tuple[PeriodAttainment, ...]:
    """The attainment of each track of each closed period, oldest first."""
    return tuple(
        PeriodAttainment(
            period_label=result.period_label,
            window_start=instant(result.window_start),
            track=track.track,
            status=status_word(track.status),
            attained=number(track.attained),
            target=number(track.target),
        )
        for result in results
        for track in result.tracks
    )


def breaches(result: period_history_pb2.PeriodResult) -> tuple[Breach, ...]:
    """The breaches of a closed period."""
    return tuple(
        Breach(
            objective_id=b.objective_id or result.objective_id,
            period_label=b.period_label or result.period_label,
            track=b.track,
            attained=number(b.attained),
            target=number(b.target),
            terms_version=b.terms_version,
            recorded_at=instant(b.recorded_at),
            retracted=b.retracted,
        )
        for b in result.breaches
    )


def credits(result: period_history_pb2.PeriodResult) -> tuple[Credit, ...]:
    """The credit and bonus lines of a closed period, with their credit's state."""
    found = []
    for entry in result.credits:
        line = entry.line
        state = ""
        if entry.state != credit_states_pb2.CREDIT_STATE_UNSPECIFIED:
            state = enum_word(credit_states_pb2.CreditState, entry.state, "CREDIT_STATE_")
        found.append(
            Credit(
                objective_id=line.objective_id or result.objective_id,
                period_label=line.period_label or result.period_label,
                kind=line.kind,
                amount=money(line.amount),
                policy_line=line.policy_line,
                recorded_at=instant(line.recorded_at),
                state=state,
            )
        )
    return tuple(found)


def totals(lines: Iterable[Credit], kinds: frozenset[str]) -> tuple[Money, ...]:
    """The net of the lines of those kinds, per currency (in currency order)."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        if line.kind in kinds:
            sums[line.amount.currency] = sums.get(line.amount.currency, Decimal(0)) + (
                line.amount.amount
            )
    return tuple(Money(amount, currency) for currency, amount in sorted(sums.items()))


def claim(event: events_pb2.LedgerEvent) -> Claim | None:
    """The money lifecycle step an event records; None for any other event."""
    which = event.WhichOneof("payload")
    recorded = instant(event.recorded_at)
    if which == "credit_claimed":
        c = event.credit_claimed
        return Claim(
            c.objective_id, c.period_label, "claimed", money(c.amount), c.claim_reference, recorded
        )
    if which == "claim_decided":
        d = event.claim_decided
        detail = f"approved {_money_text(d.approved)}, denied {_money_text(d.denied)}"
        detail = f"{detail}: {d.reason}" if d.reason else detail
        return Claim(d.objective_id, d.period_label, "decided", money(d.approved), detail, recorded)
    if which == "credit_forfeited":
        f = event.credit_forfeited
        return Claim(
            f.objective_id,
            f.period_label,
            "forfeited",
            money(f.amount),
            "not claimed by the deadline",
            recorded,
        )
    if which == "credit_settled":
        s = event.credit_settled
        method = enum_word(claims_pb2.SettlementMethod, s.method, "SETTLEMENT_METHOD_")
        reference = f" {s.invoice_reference}" if s.invoice_reference else ""
        return Claim(
            s.objective_id,
            s.period_label,
            "settled",
            money(s.amount),
            f"{method}{reference}",
            recorded,
        )
    return None


def claim_customer(event: events_pb2.LedgerEvent) -> str:
    """The customer a money lifecycle event names."""
    which = event.WhichOneof("payload")
    return str(getattr(event, which).customer_id) if which else ""


def _money_text(message: terms_pb2.Money) -> str:
    return f"{message.currency_code} {message.amount or '0'}"


def exclusion(recorded: exclusion_acknowledgements_pb2.RecordedExclusion) -> Exclusion:
    """An exclusion as GetAgreement lists it."""
    e = recorded.exclusion
    return Exclusion(
        exclusion_id=e.exclusion_id,
        kind=enum_word(terms_pb2.ExclusionKind, e.kind, "EXCLUSION_KIND_"),
        start=instant(e.start),
        end=instant(e.end),
        reason=e.reason,
        recorded_at=instant(recorded.recorded_at),
        record_lag=recorded.record_lag.ToTimedelta(),
        standing=enum_word(
            exclusion_rules_pb2.ExclusionStanding, recorded.standing, "EXCLUSION_STANDING_"
        ),
    )
