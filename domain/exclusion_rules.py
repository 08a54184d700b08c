"""Terms that protect the customer from exclusions: maintenance notice and acknowledgement.

- maintenance_notice_hours N: a scheduled_maintenance exclusion recorded less than N hours
  before its start is refused (docs/semantics.md "Exclusions that respect the customer").
- acknowledgement_after_days M: an exclusion recorded after a period it touches was closed, or
  more than M days after it ended, is recorded as requiring the customer's acknowledgement and
  changes no result until acknowledged (domain/exclusion_standing.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import FailedPreconditionError, FieldViolation
from domain.exclusions import Exclusion, ExclusionKind

MAX_NOTICE_HOURS = 8760  # a year
MAX_ACKNOWLEDGEMENT_DAYS = 3650  # ten years


@dataclass(frozen=True)
class ExclusionRules:
    """How much notice maintenance needs, and when an exclusion needs acknowledgement."""

    maintenance_notice_hours: int | None = None
    acknowledgement_after_days: int | None = None

    def violations(self, prefix: str) -> list[FieldViolation]:
        """Every rule these rules break, with field paths under prefix."""
        found: list[FieldViolation] = []
        hours = self.maintenance_notice_hours
        if hours is not None and not 1 <= hours <= MAX_NOTICE_HOURS:
            found.append(
                FieldViolation(
                    f"{prefix}.maintenance_notice_hours", f"1 to {MAX_NOTICE_HOURS} hours"
                )
            )
        days = self.acknowledgement_after_days
        if days is not None and not 0 <= days <= MAX_ACKNOWLEDGEMENT_DAYS:
            found.append(
                FieldViolation(
                    f"{prefix}.acknowledgement_after_days", f"0 to {MAX_ACKNOWLEDGEMENT_DAYS} days"
                )
            )
        return found


def record_lag(exclusion: Exclusion, recorded_at: datetime) -> timedelta:
    """How long after its end an exclusion was recorded (negative when recorded before)."""
    return recorded_at - exclusion.end


def check_maintenance_notice(
    rules: ExclusionRules | None, exclusion: Exclusion, recorded_at: datetime
) -> None:
    """FailedPreconditionError when scheduled maintenance is recorded with less notice than the
    rules require: it is not honoured as maintenance (the writer may record it as another kind,
    which then falls under the acknowledgement rule when late)."""
    if rules is None or rules.maintenance_notice_hours is None:
        return
    if exclusion.kind is not ExclusionKind.SCHEDULED_MAINTENANCE:
        return
    required = timedelta(hours=rules.maintenance_notice_hours)
    notice = exclusion.start - recorded_at
    if notice < required:
        raise FailedPreconditionError(
            f"scheduled maintenance {exclusion.exclusion_id} needs "
            f"{rules.maintenance_notice_hours} h notice (maintenance_notice_hours) but was "
            f"recorded {_lead(notice)}"
        )


def needs_acknowledgement(
    rules: ExclusionRules | None,
    exclusion: Exclusion,
    recorded_at: datetime,
    touches_closed_period: bool,
) -> bool:
    """Whether an exclusion recorded at recorded_at must wait for the customer's
    acknowledgement: the rules ask for it and it touches a closed period or was recorded more
    than acknowledgement_after_days after its end."""
    if rules is None or rules.acknowledgement_after_days is None:
        return False
    late = record_lag(exclusion, recorded_at) > timedelta(days=rules.acknowledgement_after_days)
    return touches_closed_period or late


def _lead(notice: timedelta) -> str:
    """How far ahead of its start an exclusion was recorded, in hours, as a refusal says it."""
    hours = abs(notice) / timedelta(hours=1)
    return f"{hours:g} h {'before' if notice >= timedelta(0) else 'after'} its start"
