"""The relative names a NOT_FOUND's ResourceInfo carries (domain/resource_names.py)."""

from __future__ import annotations

from domain import resource_names as names
from service.api.errors import ids_of


def test_a_subscribers_period_lies_under_its_subscription() -> None:
    assert names.period_name("svc", "uptime", "2026-04", "globex") == (
        "agreements/svc/subscriptions/globex/objectives/uptime/periods/2026-04"
    )


def test_an_agreements_own_credit_lies_under_its_period() -> None:
    assert names.credit_name("sla-1", "uptime", "2026-04") == (
        "agreements/sla-1/objectives/uptime/periods/2026-04/credit"
    )


def test_the_ids_of_a_name_are_keyed_by_what_they_identify() -> None:
    name = names.credit_name("svc", "uptime", "2026-04", "globex")

    assert ids_of(name) == {
        "agreement_id": "svc",
        "customer_id": "globex",
        "objective_id": "uptime",
        "period_label": "2026-04",
    }
