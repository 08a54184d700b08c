"""The agreement directory read model: the facts every listing of agreements reads.

Fed by Agreement.Signed, Amended and Terminated and by Subscription.Subscribed and Ended; the
tables are described in projections/agreement_directory_tables.py and the listing is
projections/agreement_directory_queries.py. Rows are written as the events come and never
rewritten but for a termination or an end filling their columns once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, insert, update

from domain.agreement import Agreement
from domain.identifiers import agreement_of_stream
from domain.instants import to_epoch_us
from domain.subscriptions import Subscription
from domain.terms import AgreementTerms, Party
from projections.agreement_directory_tables import (
    DIRECTORY_TABLES,
    directory_agreements,
    directory_services,
    directory_subscribers,
    directory_terms,
    service_key,
)


class AgreementDirectory:
    """Projects agreements, their terms versions and their subscribers for ListAgreements."""

    name = "agreement_directory_v3"
    tables: tuple[Table, ...] = DIRECTORY_TABLES
    topics = frozenset(
        get_topic(cls)
        for cls in (
            Agreement.Signed,
            Agreement.Amended,
            Agreement.Terminated,
            Subscription.Subscribed,
            Subscription.Ended,
        )
    )

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Insert the facts of a batch, and fill terminations and ends into their rows."""
        rows: dict[Table, list[dict[str, Any]]] = {table: [] for table in DIRECTORY_TABLES}
        updates: list[tuple[int, Any]] = []
        for position, event in events:
            if isinstance(event, Agreement.Signed):
                rows[directory_agreements].append(_signed(position, event))
                _add_terms(rows, event.agreement_id, 1, event.terms, position, event)
            elif isinstance(event, Agreement.Amended):
                agreement_id = agreement_of_stream(event.originator_id)
                _add_terms(rows, agreement_id, event.terms_version, event.terms, position, event)
            elif isinstance(event, Subscription.Subscribed):
                rows[directory_subscribers].append(_subscribed(position, event))
            else:
                updates.append((position, event))
        for table, new in rows.items():
            if new:
                connection.execute(insert(table), new)
        for position, event in updates:
            _fill(connection, position, event)


def _signed(position: int, event: Agreement.Signed) -> dict[str, Any]:
    terms = event.terms
    return {
        "agreement_id": event.agreement_id,
        "kind": terms.kind.value,
        "provider_id": terms.provider.party_id,
        "customer_id": "" if terms.is_service_sla else terms.customer.party_id,
        "signed_at_us": to_epoch_us(event.signed_at),
        "recorded_us": to_epoch_us(event.timestamp),
        "position": position,
        "terminated_at_us": None,
        "terminated_recorded_us": None,
        "terminated_position": None,
    }


def _add_terms(
    rows: dict[Table, list[dict[str, Any]]],
    agreement_id: str,
    version: int,
    terms: AgreementTerms,
    position: int,
    event: Agreement.Signed | Agreement.Amended,
) -> None:
    effective_from = event.effective_from if isinstance(event, Agreement.Amended) else None
    rows[directory_terms].append(
        {
            "agreement_id": agreement_id,
            "terms_version": version,
            "effective_from_us": to_epoch_us(effective_from or terms.term_start),
            "recorded_us": to_epoch_us(event.timestamp),
            "position": position,
            "term_start_us": to_epoch_us(terms.term_start),
            "term_end_us": None if terms.term_end is None else to_epoch_us(terms.term_end),
            "shown": encode_shown(terms),
        }
    )
    rows[directory_services].extend(
        {
            "agreement_id": agreement_id,
            "terms_version": version,
            "service_key": service_key(service),
        }
        for service in dict.fromkeys(terms.services)
    )


def _subscribed(position: int, event: Subscription.Subscribed) -> dict[str, Any]:
    return {
        "agreement_id": event.agreement_id,
        "customer_id": event.customer.party_id,
        "start_us": to_epoch_us(event.start),
        "planned_end_us": None if event.end is None else to_epoch_us(event.end),
        "recorded_us": to_epoch_us(event.timestamp),
        "position": position,
        "ended_at_us": None,
        "ended_recorded_us": None,
        "ended_position": None,
    }


def _fill(connection: Connection, position: int, event: Any) -> None:
    """Fill a termination or a subscription's end into the row it belongs to."""
    agreement_id = agreement_of_stream(event.originator_id)
    recorded_us = to_epoch_us(event.timestamp)
    if isinstance(event, Agreement.Terminated):
        connection.execute(
            update(directory_agreements)
            .where(directory_agreements.c.agreement_id == agreement_id)
            .values(
                terminated_at_us=to_epoch_us(event.effective_at),
                terminated_recorded_us=recorded_us,
                terminated_position=position,
            )
        )
    elif isinstance(event, Subscription.Ended):
        customer_id = event.originator_id.rsplit("/customer:", 1)[-1]
        s = directory_subscribers.c
        connection.execute(
            update(directory_subscribers)
            .where(s.agreement_id == agreement_id, s.customer_id == customer_id)
            .values(
                ended_at_us=to_epoch_us(event.end_at),
                ended_recorded_us=recorded_us,
                ended_position=position,
            )
        )


def encode_shown(terms: AgreementTerms) -> str:
    """The JSON of what a summary shows of these terms."""
    return json.dumps(
        {
            "provider": [terms.provider.party_id, terms.provider.display_name],
            "customer": (
                None
                if terms.is_service_sla
                else [terms.customer.party_id, terms.customer.display_name]
            ),
            "services": list(terms.services),
            "objective_ids": list(dict.fromkeys(o.objective_id for o in terms.judged_objectives())),
            "tier_ids": [t.tier_id for t in terms.tiers],
        },
        separators=(",", ":"),
    )


def decode_shown(text: str) -> dict[str, Any]:
    """What encode_shown wrote: parties as Party (customer None for a service SLA), the rest
    as tuples."""
    raw = json.loads(text)
    customer = raw["customer"]
    return {
        "provider": Party(*raw["provider"]),
        "customer": None if customer is None else Party(*customer),
        "services": tuple(raw["services"]),
        "objective_ids": tuple(raw["objective_ids"]),
        "tier_ids": tuple(raw["tier_ids"]),
    }
