"""Translation between the sla.ledger.v1 messages and the domain's values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from domain.agreement import Agreement, AgreementStanding
from domain.errors import Violations
from domain.identifiers import IDENTIFIER_RULE, agreement_of_stream, is_identifier
from domain.input_ranges import (
    EARLIEST_SECONDS,
    END_SECONDS,
    INSTANT_RULE,
    instant_seconds_in_range,
    position_problem,
)
from domain.instants import MICROSECONDS_PER_DAY
from domain.measurements import Measurement, MetricMeasured
from domain.money import Money, is_currency
from domain.period_results import PeriodEvent
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.log_source import LoggedEvent
from service.api.mapping.results import period_event_into_proto
from service.api.mapping.rules import (
    PLACEHOLDER_INSTANT,
    decimal_field,
    exclusion_into_proto,
    policy_from_proto,
    policy_into_proto,
    required_decimal,
    rules_from_proto,
    rules_into_proto,
)
from service.generated.sla.ledger.v1 import events_pb2, terms_pb2

KIND_FROM_PROTO = {
    terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED: AgreementKind.CUSTOMER_BASED,
    terms_pb2.AGREEMENT_KIND_SERVICE_BASED: AgreementKind.SERVICE_BASED,
    terms_pb2.AGREEMENT_KIND_INTERNAL: AgreementKind.INTERNAL,
}
KIND_TO_PROTO = {kind: number for number, kind in KIND_FROM_PROTO.items()}
PERIOD_FROM_PROTO = {
    terms_pb2.PERIOD_UNIT_DAY: PeriodUnit.DAY,
    terms_pb2.PERIOD_UNIT_WEEK: PeriodUnit.WEEK,
    terms_pb2.PERIOD_UNIT_MONTH: PeriodUnit.MONTH,
    terms_pb2.PERIOD_UNIT_QUARTER: PeriodUnit.QUARTER,
}
PERIOD_TO_PROTO = {period: number for number, period in PERIOD_FROM_PROTO.items()}


def instant_from_proto(
    message: Any, field: str, path: str, violations: Violations, *, required: bool = True
) -> datetime | None:
    """The UTC instant in message.field, or None (recording a violation when it is missing and
    required, or outside the documented range of business instants)."""
    if not message.HasField(field):
        if required:
            violations.add(path, "is required")
        return None
    ts: Timestamp = getattr(message, field)
    if not instant_seconds_in_range(ts.seconds, ts.nanos):
        violations.add(path, INSTANT_RULE)
        return None
    return ts.ToDatetime(tzinfo=UTC)


FILTER_FIELDS = ("agreement_id", "customer_id", "provider_id", "objective_id", "currency_code")


def filters_from_proto(request: Any, violations: Violations) -> None:
    """Violations for the listing filters of a request that are neither empty (any) nor an
    identifier (an ISO 4217 code for currency_code)."""
    for name in FILTER_FIELDS:
        if name not in request.DESCRIPTOR.fields_by_name or not (value := getattr(request, name)):
            continue
        if name == "currency_code" and not is_currency(value):
            violations.add(name, "must be empty or an ISO 4217 currency code")
        elif name != "currency_code" and not is_identifier(value):
            violations.add(name, f"must be empty or {IDENTIFIER_RULE}")


def position_from_proto(value: int, path: str, violations: Violations, least: int = 0) -> int:
    """A log position (or version) of at least least from a request; a violation when it is
    outside the documented range."""
    problem = position_problem(value, least)
    if problem is not None:
        violations.add(path, problem)
    return value


def instant_to_proto(instant: datetime) -> Timestamp:
    """A Timestamp for a timezone-aware instant."""
    ts = Timestamp()
    ts.FromDatetime(instant)
    return ts


def _enum(number: int, table: Mapping[Any, Any], path: str, violations: Violations) -> Any:
    if number not in table:
        violations.add(path, "must be set to a known value")
        return next(iter(table.values()))
    return table[number]


def terms_from_proto(
    message: terms_pb2.AgreementTerms, path: str, violations: Violations
) -> AgreementTerms:
    """Domain terms from their message; shape errors go to violations (paths under path)."""
    if not message.HasField("fee"):
        violations.add(f"{path}.fee", "is required")
    if not message.fee.HasField("amount"):
        violations.add(f"{path}.fee.amount", "is required")
    amount = message.fee.amount
    term_start = instant_from_proto(message, "term_start", f"{path}.term_start", violations)
    term_end = instant_from_proto(
        message, "term_end", f"{path}.term_end", violations, required=False
    )
    objectives = [
        Objective(
            objective_id=o.objective_id,
            metric=o.metric,
            target_percent=decimal_field(
                o.target_percent, f"{path}.objectives[{i}].target_percent", violations, Decimal(0)
            )
            or Decimal(0),
            period=_enum(o.period, PERIOD_FROM_PROTO, f"{path}.objectives[{i}].period", violations),
            description=o.description,
            rules=rules_from_proto(o, f"{path}.objectives[{i}]", violations),
        )
        for i, o in enumerate(message.objectives)
    ]
    return AgreementTerms(
        provider=Party(message.provider.party_id, message.provider.display_name),
        customer=Party(message.customer.party_id, message.customer.display_name),
        kind=_enum(message.kind, KIND_FROM_PROTO, f"{path}.kind", violations),
        services=tuple(message.services),
        time_zone=message.time_zone,
        fee=Fee(
            Money(
                required_decimal(amount.amount, f"{path}.fee.amount.amount", violations),
                amount.currency_code,
            ),
            _enum(message.fee.period, PERIOD_FROM_PROTO, f"{path}.fee.period", violations),
        ),
        term_start=term_start or PLACEHOLDER_INSTANT,
        term_end=term_end,
        objectives=tuple(objectives),
        credit_policy=(
            policy_from_proto(message.credit_policy, f"{path}.credit_policy", violations)
            if message.HasField("credit_policy")
            else None
        ),
    )


def terms_to_proto(terms: AgreementTerms) -> terms_pb2.AgreementTerms:
    """The message for domain terms."""
    message = terms_pb2.AgreementTerms(
        provider=terms_pb2.Party(
            party_id=terms.provider.party_id, display_name=terms.provider.display_name
        ),
        customer=terms_pb2.Party(
            party_id=terms.customer.party_id, display_name=terms.customer.display_name
        ),
        kind=KIND_TO_PROTO[terms.kind],
        services=list(terms.services),
        time_zone=terms.time_zone,
        fee=terms_pb2.Fee(
            amount=terms_pb2.Money(
                currency_code=terms.fee.amount.currency, amount=str(terms.fee.amount.amount)
            ),
            period=PERIOD_TO_PROTO[terms.fee.period],
        ),
        term_start=instant_to_proto(terms.term_start),
        objectives=[
            terms_pb2.Objective(
                objective_id=o.objective_id,
                metric=o.metric,
                target_percent=str(o.target_percent) if o.target_percent else "",
                period=PERIOD_TO_PROTO[o.period],
                description=o.description,
            )
            for o in terms.objectives
        ],
    )
    for objective, out in zip(terms.objectives, message.objectives, strict=True):
        rules_into_proto(objective.rules, out)
    if terms.credit_policy is not None:
        policy_into_proto(terms.credit_policy, message.credit_policy)
    if terms.term_end is not None:
        message.term_end.CopyFrom(instant_to_proto(terms.term_end))
    return message


def standing_to_proto(standing: AgreementStanding) -> terms_pb2.Agreement:
    """The Agreement message for an agreement's standing at an instant."""
    message = terms_pb2.Agreement(
        agreement_id=standing.agreement_id,
        terms=terms_to_proto(standing.terms.terms),
        terms_version=standing.terms.number,
        terms_effective_from=instant_to_proto(standing.terms.effective_from),
        status=(
            terms_pb2.AGREEMENT_STATUS_TERMINATED
            if standing.is_terminated
            else terms_pb2.AGREEMENT_STATUS_ACTIVE
        ),
        signed_at=instant_to_proto(standing.signed_at),
        version=standing.version,
    )
    if standing.termination is not None:
        message.terminated_at.CopyFrom(instant_to_proto(standing.termination.effective_at))
    return message


def measurements_from_proto(
    items: Sequence[terms_pb2.Measurement], violations: Violations
) -> list[Measurement]:
    """Domain readings from their messages; the hot path of ingest, so kept lean."""
    readings: list[Measurement] = []
    append = readings.append
    new = tuple.__new__  # skips NamedTuple.__new__'s argument handling: a third of the cost
    low, high = EARLIEST_SECONDS, END_SECONDS - 1
    doubtful_times = False
    good: int | None
    total: int | None
    sample: float | None
    for m in items:
        which = m.WhichOneof("reading")
        if which == "counts":
            counts = m.counts
            good, total, sample = counts.good, counts.total, None
        elif which == "sample":
            good = total = None
            sample = m.sample
        else:
            good = total = sample = None
        ts = m.observed_at
        seconds, nanos = ts.seconds, ts.nanos
        # Zero seconds may be an unset timestamp: checked with the out-of-range ones.
        if not (low <= seconds <= high and 0 <= nanos < 1_000_000_000 and seconds):
            doubtful_times = True
        labels = m.labels
        append(
            new(
                Measurement,
                (
                    m.objective_id,
                    m.measurement_id,
                    seconds * 1_000_000 + nanos // 1000,
                    good,
                    total,
                    sample,
                    dict(labels) if labels else None,
                ),
            )
        )
    if doubtful_times:
        for index, m in enumerate(items):
            _check_observed_at(m, index, violations)
    return readings


def _check_observed_at(m: terms_pb2.Measurement, index: int, violations: Violations) -> None:
    path = f"measurements[{index}].observed_at"
    if not m.HasField("observed_at"):
        violations.add(path, "is required")
    elif not instant_seconds_in_range(m.observed_at.seconds, m.observed_at.nanos):
        violations.add(path, INSTANT_RULE)


def measurement_to_proto(reading: Measurement) -> terms_pb2.Measurement:
    """The message for one recorded reading."""
    message = terms_pb2.Measurement(
        objective_id=reading.objective_id,
        measurement_id=reading.measurement_id,
        labels=dict(reading.labels or {}),
    )
    message.observed_at.FromMicroseconds(reading.observed_at_us)
    if reading.sample is not None:
        message.sample = reading.sample
    else:
        message.counts.good = reading.good or 0
        message.counts.total = reading.total or 0
    return message


def _add_measurements(into: Any, event: MetricMeasured) -> None:
    """Append the event's readings to a repeated Measurement field, column by column
    (the same messages as measurement_to_proto, about twice as fast)."""
    add = into.add
    objective_id = event.objective_id
    for measurement_id, at, good, total, sample, labels in zip(
        event.measurement_ids,
        event.observed_at_us,
        event.good,
        event.total,
        event.sample,
        event.labels,
        strict=True,
    ):
        message = add(objective_id=objective_id, measurement_id=measurement_id)
        if labels:
            message.labels.update(labels)
        seconds, micros = divmod(at, 1_000_000)
        message.observed_at.seconds = seconds
        message.observed_at.nanos = micros * 1000
        if sample is not None:
            message.sample = sample
        else:
            message.counts.good = good or 0
            message.counts.total = total or 0


def actor_of(event: Any) -> str:
    """Who caused a stored event; empty for events recorded before actors were recorded."""
    return str(getattr(event, "actor", ""))


def logged_event_to_proto(logged: LoggedEvent) -> events_pb2.LedgerEvent:
    """The public LedgerEvent for an event read from the log."""
    event = logged.event
    message = events_pb2.LedgerEvent(
        position=logged.position,
        stream_id=event.originator_id,
        stream_version=event.originator_version,
        recorded_at=instant_to_proto(event.timestamp),
        agreement_id=agreement_of_stream(event.originator_id),
        actor=actor_of(event),
    )
    if isinstance(event, Agreement.Signed):
        message.agreement_signed.terms.CopyFrom(terms_to_proto(event.terms))
        message.agreement_signed.signed_at.CopyFrom(instant_to_proto(event.signed_at))
    elif isinstance(event, Agreement.Amended):
        amended = message.agreement_amended
        amended.terms.CopyFrom(terms_to_proto(event.terms))
        amended.terms_version = event.terms_version
        amended.effective_from.CopyFrom(instant_to_proto(event.effective_from))
        amended.retroactive = event.retroactive
        amended.reason = event.reason
    elif isinstance(event, Agreement.Terminated):
        message.agreement_terminated.effective_at.CopyFrom(instant_to_proto(event.effective_at))
        message.agreement_terminated.reason = event.reason
    elif isinstance(event, MetricMeasured):
        measured = message.metric_measured
        measured.objective_id = event.objective_id
        measured.day.FromMicroseconds(
            event.observed_at_us[0] - event.observed_at_us[0] % MICROSECONDS_PER_DAY
        )
        _add_measurements(measured.measurements, event)
        measured.late_indexes.extend(event.late_indexes)
    elif isinstance(event, Agreement.ExclusionRecorded):
        exclusion_into_proto(event.exclusion, message.exclusion_recorded.exclusion)
    elif isinstance(event, PeriodEvent):
        period_event_into_proto(event, message)
    else:  # pragma: no cover - every stored event type is mapped above
        raise TypeError(f"no public schema for {type(event).__name__}")
    return message
