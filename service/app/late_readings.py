"""Which new readings of a service SLA fall in periods already closed (late data).

A service SLA's periods are closed per subscriber (each subscriber's objective-period has its
own stream, domain/identifiers.py period_stream). The rule:
- A reading of the whole service (no "customer" label) is late when a period holding it has been
  closed for at least one subscriber. That is looked up in the store's record of the service's
  objective-periods closed for any subscriber (service/store/subscriber_closes.py): one lookup
  per objective-period a batch touches, whatever the number of subscribers.
- A reading labelled with a customer counts for that subscriber alone
  (domain/subscriber_views.py visible_readings), so it is late when that subscriber's period
  holding it is closed (a look at the head of its period stream).
- The periods holding a reading are those of each calendar (period unit and time zone) its
  objective has in the service's tiers, from the newest definition of the objective in each
  tier, as domain/lateness.py takes the newest definition of an agreement's objective.
Like any late reading it is recorded, marked late (MetricMeasured.late_indexes) and changes no
closed result until the period is recalculated for a subscriber.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from domain.agreement import Agreement
from domain.identifiers import is_identifier, period_stream
from domain.instants import from_epoch_us
from domain.measurements import Measurement
from domain.periods import period_containing
from domain.subscriber_views import reading_customer
from domain.terms import PeriodUnit
from service.store.ledger_recorder import LedgerRecorder

Calendar = tuple[PeriodUnit, str]  # period unit, IANA time zone
# (customer id, or "" for the service's readings; objective id; period label)
_PeriodKey = tuple[str, str, str]


def service_late_indexes(
    recorder: LedgerRecorder, service: Agreement, groups: Mapping[str, Sequence[Measurement]]
) -> dict[str, list[int]]:
    """For each measurement stream of a service SLA's batch, the indexes of its late readings
    (see the module's docstring); streams without any are left out."""
    calendars = objective_calendars(service)
    # Per stream: its objective, each reading's customer ("" for the service), and per calendar
    # each reading's period label.
    found: dict[str, tuple[str, list[str], list[list[str]]]] = {}
    wanted: set[_PeriodKey] = set()
    for stream, readings in groups.items():
        objective_id = readings[0].objective_id
        instants = [r.observed_at_us for r in readings]
        customers = (
            [reading_customer(r) for r in readings]
            if any(r.labels for r in readings)
            else [""] * len(readings)
        )
        labels = [_labels(instants, *c) for c in calendars.get(objective_id, [])]
        found[stream] = (objective_id, customers, labels)
        for of_calendar in labels:
            pairs = set(zip(customers, of_calendar, strict=True))
            wanted.update((customer, objective_id, label) for customer, label in pairs)
    closed = _closed(recorder, service.agreement_id, wanted)
    late: dict[str, list[int]] = {}
    if not closed:
        return late
    for stream, (objective_id, customers, labels) in found.items():
        indexes = [
            i
            for i, customer in enumerate(customers)
            if any((customer, objective_id, of_calendar[i]) in closed for of_calendar in labels)
        ]
        if indexes:
            late[stream] = indexes
    return late


def objective_calendars(service: Agreement) -> dict[str, list[Calendar]]:
    """Each objective's calendars across the service's tiers, from the newest definition of the
    objective in each tier (each calendar once)."""
    newest: dict[tuple[str, str], Calendar] = {}
    for version in service.terms_versions:
        for tier in version.terms.tiers:
            for objective in tier.objectives:
                key = (tier.tier_id, objective.objective_id)
                newest[key] = (objective.period, version.terms.time_zone)
    calendars: dict[str, list[Calendar]] = {}
    for (_, objective_id), calendar in newest.items():
        known = calendars.setdefault(objective_id, [])
        if calendar not in known:
            known.append(calendar)
    return calendars


def _labels(instants: Sequence[int], unit: PeriodUnit, zone: str) -> list[str]:
    """The label of the period of the calendar holding each instant."""

    def label(at_us: int) -> str:
        return period_containing(from_epoch_us(at_us), unit, zone).label

    first, last = label(min(instants)), label(max(instants))
    # Periods are intervals: when the earliest and latest reading share one, so do all between.
    if first == last:
        return [first] * len(instants)
    return [label(at_us) for at_us in instants]


def _closed(
    recorder: LedgerRecorder, agreement_id: str, wanted: set[_PeriodKey]
) -> set[_PeriodKey]:
    """Those of the wanted periods that are closed: for the service's readings, for at least one
    subscriber; for a customer's readings, for that subscriber."""
    shared = sorted((o, label) for customer, o, label in wanted if not customer)
    closed: set[_PeriodKey] = {
        ("", o, label) for o, label in recorder.closed_for_a_subscriber(agreement_id, shared)
    }
    own = {
        period_stream(agreement_id, o, label, customer): (customer, o, label)
        for customer, o, label in wanted
        if customer and is_identifier(customer)  # no other name can be a subscriber's
    }
    if own:
        closed.update(own[stream] for stream in recorder.stream_heads(sorted(own)))
    return closed
