"""Whether a period label names a period of an agreement's objective."""

from __future__ import annotations

from collections.abc import Iterable

from domain.agreement_values import TermsVersion
from domain.errors import FieldViolation, InvalidArgumentError
from domain.input_ranges import shown
from domain.periods import LABEL_EXAMPLES, is_label_of


def check_period_label(versions: Iterable[TermsVersion], objective_id: str, label: str) -> None:
    """InvalidArgumentError unless label names a period of the objective's unit (in any of the
    terms versions)."""
    units = {
        o.period
        for v in versions
        for o in v.terms.judged_objectives()
        if o.objective_id == objective_id
    }
    if not units:
        raise InvalidArgumentError(
            [FieldViolation("objective_id", f"agreement has no objective {shown(objective_id)}")]
        )
    if not any(is_label_of(label, unit) for unit in units):
        names = " or ".join(
            sorted(f"{u.value} period (such as {LABEL_EXAMPLES[u]})" for u in units)
        )
        raise InvalidArgumentError(
            [FieldViolation("period_label", f"{shown(label)} is not a label of a {names}")]
        )
