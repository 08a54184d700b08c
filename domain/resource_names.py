"""Relative names of the things a NOT_FOUND names (google.rpc.ResourceInfo.resource_name)."""

from __future__ import annotations


def agreement_name(agreement_id: str) -> str:
    """agreements/{agreement_id}."""
    return f"agreements/{agreement_id}"


def case_name(agreement_id: str, case_id: str) -> str:
    """agreements/{agreement_id}/cases/{case_id}."""
    return f"{agreement_name(agreement_id)}/cases/{case_id}"


def objective_name(agreement_id: str, objective_id: str) -> str:
    """agreements/{agreement_id}/objectives/{objective_id}."""
    return f"{agreement_name(agreement_id)}/objectives/{objective_id}"


def tier_name(agreement_id: str, tier_id: str) -> str:
    """agreements/{agreement_id}/tiers/{tier_id}."""
    return f"{agreement_name(agreement_id)}/tiers/{tier_id}"


def subscription_name(agreement_id: str, customer_id: str) -> str:
    """agreements/{agreement_id}/subscriptions/{customer_id}: a service SLA's subscriber."""
    return f"{agreement_name(agreement_id)}/subscriptions/{customer_id}"


def dispute_name(agreement_id: str, dispute_id: str) -> str:
    """agreements/{agreement_id}/disputes/{dispute_id}."""
    return f"{agreement_name(agreement_id)}/disputes/{dispute_id}"


def exclusion_name(agreement_id: str, exclusion_id: str) -> str:
    """agreements/{agreement_id}/exclusions/{exclusion_id}."""
    return f"{agreement_name(agreement_id)}/exclusions/{exclusion_id}"


def period_name(agreement_id: str, objective_id: str, label: str, customer_id: str = "") -> str:
    """agreements/{a}/objectives/{o}/periods/{label}, under subscriptions/{customer_id} for a
    service SLA's subscriber."""
    owner = (
        subscription_name(agreement_id, customer_id)
        if customer_id
        else agreement_name(agreement_id)
    )
    return f"{owner}/objectives/{objective_id}/periods/{label}"


def credit_name(agreement_id: str, objective_id: str, label: str, customer_id: str = "") -> str:
    """The credit of one objective-period: its period's name followed by /credit."""
    return f"{period_name(agreement_id, objective_id, label, customer_id)}/credit"
