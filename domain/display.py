"""How the ledger shows the numbers it computes, in replies and exports.

Figures the ledger computes (attainment, good/total/bad, error budget, the cumulative target
line, a credit's percentage of the fee, the numbers in a policy line) are shown with at most 6
decimal places; money is shown with at most its currency's minor unit (a pro-rated period fee
of EUR 548.387096774193548387... shows as 548.39). Both round half-even, and a value with fewer
digits is shown as it is. Only what is shown is rounded: the log keeps every value exact, and
every rule (breach, credit, cap) is applied to the exact value. Values copied from the terms
(targets, thresholds, fees) are shown as they were given.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from domain.money import Money

SHOWN_PLACES = 6
# A number with more decimals than are shown, as written in a policy line.
_LONG_NUMBER = re.compile(rf"\d+\.\d{{{SHOWN_PLACES + 1},}}")


def shown(value: Decimal, places: int = SHOWN_PLACES) -> Decimal:
    """value with at most places decimal places, rounded half-even."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -places:
        return value  # short enough, or not finite
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + places + 2)
        rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def shown_text(text: str) -> str:
    """A decimal written as text, shown with at most 6 decimal places; other text unchanged."""
    if not _LONG_NUMBER.fullmatch(text.lstrip("-")):
        return text
    return str(shown(Decimal(text)))


def shown_money(money: Money) -> Money:
    """money with at most its currency's minor unit of decimals, rounded half-even."""
    return Money(shown(money.amount, money.minor_unit), money.currency)


def shown_policy_line(line: str) -> str:
    """A policy line with each of its numbers shown with at most 6 decimal places."""
    return _LONG_NUMBER.sub(lambda number: str(shown(Decimal(number.group()))), line)
