"""The cap across objectives: a limit on the total of credits of one fee period, and the entry
that records how much of each credit it takes away.

Terms may carry a CreditCap: percent_of_fee of the fee period's fee, or a fixed amount in the
fee's currency. A credit counts toward the fee period holding its window_start. How the cap is
shared between a fee period's credits is domain/credit_cap_allocation.py; the reductions are
recorded as CreditCapped in each reduced credit's own period stream (docs/semantics.md "Caps
across objectives").
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.credit_cap_rule import CreditCap, cap_violations
from domain.money import Money
from domain.period_results import PeriodEvent

__all__ = ["CreditCap", "CreditCapped", "cap_violations"]


@dataclass(frozen=True)
class CreditCapped(PeriodEvent):
    """The cap across objectives of the credit's fee period changed how much it takes from this
    credit: from reduction_before to reduction_after (delta = reduction_before -
    reduction_after, negative when the credit is cut more, positive when a reduction is given
    back). The credit's earned amount is CreditIssued + the CreditAdjusted deltas + the
    CreditCapped deltas."""

    fee_period_label: str
    cap: Money
    credits_before_cap: Money  # the fee period's total of credits before the cap
    reduction_before: Money
    reduction_after: Money
    delta: Money
    allocation_line: str
