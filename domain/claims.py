"""Claims of credits: the claim deadline, and the events of a claim-driven credit's life.

When the terms governing a period have a claim rule, its PeriodClosed carries the claim
deadline and minimum, and its credit starts as eligible: the customer claims it
(CreditClaimed), the provider approves it in full or in part or denies it (ClaimDecided), an
unclaimed credit is forfeited when the deadline passes (CreditForfeited), and finance records
how approved credits were settled (CreditSettled). Every one of them is appended to the
credit's own period stream, so the stream version is the credit's version. How they move the
credit's amounts between states is domain/credit_lifecycle.py.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from domain.claim_rules import ClaimRule
from domain.money import Money
from domain.period_results import PeriodEvent
from domain.periods import label_first_day, period_containing, period_starting
from domain.terms import PeriodUnit

__all__ = [
    "SETTLEMENT_METHODS",
    "ClaimDecided",
    "ClaimRule",
    "CreditClaimed",
    "CreditForfeited",
    "CreditSettled",
    "claim_deadline",
]

SETTLEMENT_METHODS = ("invoice", "paid_out", "written_off")
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class CreditClaimed(PeriodEvent):
    """The customer (or someone acting for it) claimed the credit's eligible amount."""

    claim_reference: str
    evidence: str
    amount: Money


@dataclass(frozen=True)
class ClaimDecided(PeriodEvent):
    """The provider decided the open claim: approved + denied is the amount claimed. With a
    dispute_id it re-decides a denied amount instead (a dispute upheld): approved is taken from
    what was denied, and denied is what stays denied."""

    approved: Money
    denied: Money
    reason: str
    _: KW_ONLY
    dispute_id: str = ""


@dataclass(frozen=True)
class CreditForfeited(PeriodEvent):
    """The deadline passed with this amount still unclaimed: it is no longer owed."""

    amount: Money
    deadline: datetime


@dataclass(frozen=True)
class CreditSettled(PeriodEvent):
    """Finance settled this much of the approved credit: applied to an invoice (its reference
    and date, YYYY-MM-DD), paid out, or written off."""

    settlement_id: str
    method: str
    invoice_reference: str
    invoice_date: str
    amount: Money


def claim_deadline(
    rule: ClaimRule, window_end: datetime, fee_unit: PeriodUnit, time_zone: str
) -> datetime:
    """The end of the Nth local day (deadline_days) or fee period (deadline_billing_cycles), in
    time_zone, after the one holding the period's last instant (window_end - 1 µs).

    A period ending at a local midnight therefore has its deadline deadline_days days after
    window_end; April's credit with deadline_billing_cycles=2 on a monthly fee has 1 July 00:00.
    """
    if rule.deadline_days is not None:
        return _end_of_units_after(window_end, PeriodUnit.DAY, rule.deadline_days, time_zone)
    if rule.deadline_billing_cycles is None:
        raise ValueError("a claim rule needs deadline_days or deadline_billing_cycles")
    return _end_of_units_after(window_end, fee_unit, rule.deadline_billing_cycles, time_zone)


@lru_cache(maxsize=4096)
def _end_of_units_after(
    window_end: datetime, unit: PeriodUnit, count: int, time_zone: str
) -> datetime:
    last = period_containing(window_end - _TICK, unit, time_zone)
    first_day = label_first_day(last.label)
    if unit is PeriodUnit.DAY:
        end_day = first_day + timedelta(days=count + 1)
    elif unit is PeriodUnit.WEEK:
        end_day = first_day + timedelta(weeks=count + 1)
    else:
        months = (count + 1) * (1 if unit is PeriodUnit.MONTH else 3)
        year, month = divmod(first_day.year * 12 + first_day.month - 1 + months, 12)
        end_day = first_day.replace(year=year, month=month + 1, day=1)
    # The end of the Nth unit after is the local midnight starting the day after it.
    return period_starting(end_day.isoformat(), PeriodUnit.DAY, time_zone).start
