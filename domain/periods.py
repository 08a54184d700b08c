"""Calendar periods and business-hour schedules in an agreement's IANA time zone.

A period is a local calendar window (day, ISO week, month, quarter) whose boundaries are local
midnights converted to UTC, so its length follows the zone's daylight-saving changes.

Where a zone changes its clocks at midnight, a local midnight may not exist (clocks jump from
23:59:59 to 01:00) or may occur twice (clocks go back from 00:59:59 to 00:00). A period then
starts at the FIRST instant at or after that local midnight that exists: the instant the clocks
jump in the first case, the earlier of the two midnights (fold=0) in the second.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from domain.objectives import Schedule
from domain.terms import PeriodUnit, is_aware, is_time_zone

_SECOND = timedelta(seconds=1)
_ZERO = timedelta(0)

_DAY_LABEL = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_WEEK_LABEL = re.compile(r"([0-9]{4})-W([0-9]{2})")
_MONTH_LABEL = re.compile(r"([0-9]{4})-([0-9]{2})")
_QUARTER_LABEL = re.compile(r"([0-9]{4})-Q([1-4])")
LABEL_EXAMPLES = {
    PeriodUnit.DAY: "2026-03-29",
    PeriodUnit.WEEK: "2026-W13",
    PeriodUnit.MONTH: "2026-03",
    PeriodUnit.QUARTER: "2026-Q1",
}


@dataclass(frozen=True, order=True)
class Period:
    """One calendar window: [start, end) in UTC, computed in the agreement's time zone."""

    start: datetime
    end: datetime
    unit: PeriodUnit
    label: str

    @property
    def duration(self) -> timedelta:
        """The real time the period lasts (end - start), shorter or longer across DST changes."""
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        """Whether start <= instant < end."""
        _require_aware(instant, "instant")
        return self.start <= instant < self.end


def period_containing(instant: datetime, unit: PeriodUnit, time_zone: str) -> Period:
    """The period of that unit, in that zone, that contains instant."""
    _require_aware(instant, "instant")
    zone = _zone(time_zone)
    first_day = _start_date(instant.astimezone(zone).date(), unit)
    period = _period_from(first_day, unit, zone)
    # Where clocks went back across a midnight (historic offset changes), an instant's local
    # date can belong to a neighbouring window; the windows tile time, so step to it.
    while not period.contains(instant):
        first_day = _add_units(first_day, unit, -1 if instant < period.start else 1)
        period = _period_from(first_day, unit, zone)
    return period


def period_starting(label: str, unit: PeriodUnit, time_zone: str) -> Period:
    """The period a label names ("2026-03-29", "2026-W13", "2026-03", "2026-Q1").

    Raises ValueError when the label is not a valid label of that unit. A day a zone skipped
    entirely (Pacific/Apia, 2011-12-30) is an empty period.
    """
    return _period_from(_parse_label(label, unit), unit, _zone(time_zone))


def is_label_of(label: str, unit: PeriodUnit) -> bool:
    """Whether label names a period of unit ("2026-03-29", "2026-W13", "2026-03", "2026-Q1")."""
    try:
        _parse_label(label, unit)
    except ValueError:
        return False
    return True


def unit_of_label(label: str) -> PeriodUnit:
    """The unit a period label is written in; ValueError for anything else."""
    for pattern, unit in (
        (_DAY_LABEL, PeriodUnit.DAY),
        (_WEEK_LABEL, PeriodUnit.WEEK),
        (_QUARTER_LABEL, PeriodUnit.QUARTER),
        (_MONTH_LABEL, PeriodUnit.MONTH),
    ):
        if pattern.fullmatch(label):
            return unit
    raise ValueError(f"not a period label: {label!r}")


def label_first_day(label: str) -> date:
    """The local date the period a label names starts on; ValueError for anything else."""
    return _parse_label(label, unit_of_label(label))


def next_period(period: Period, time_zone: str) -> Period:
    """The period of the same unit that starts where period ends."""
    return period_containing(period.end, period.unit, time_zone)


def periods_between(
    start: datetime, end: datetime, unit: PeriodUnit, time_zone: str
) -> list[Period]:
    """Every period overlapping [start, end), in order; [] when end <= start."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        _zone(time_zone)
        return []
    found: list[Period] = []
    period = period_containing(start, unit, time_zone)
    while period.start < end:
        found.append(period)
        period = next_period(period, time_zone)
    return found


def schedule_contains(schedule: Schedule, instant: datetime, time_zone: str) -> bool:
    """Whether instant falls in the schedule's business hours, read on the local wall clock."""
    _require_aware(instant, "instant")
    local = instant.astimezone(_zone(time_zone))
    if local.isoweekday() not in schedule.days:
        return False
    if local.date().isoformat() in schedule.holidays:
        return False
    after_midnight = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    return (
        timedelta(minutes=schedule.start_minute)
        <= after_midnight
        < timedelta(minutes=schedule.end_minute)
    )


def scheduled_duration(
    schedule: Schedule | None, start: datetime, end: datetime, time_zone: str
) -> timedelta:
    """Time inside the schedule within [start, end); the whole span when schedule is None.

    Exact across DST changes: it is the measure of the instants schedule_contains accepts. On
    the Europe/Berlin spring-forward day, 01:00-04:00 is 2 hours of real time; on the
    fall-back day it is 4, and 02:30-04:00 is 2 (02:00-02:29 of the second pass is outside).
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return _ZERO
    if schedule is None:
        return end - start
    total = _ZERO
    for low, high in schedule_spans(schedule, start, end, time_zone):
        total += high - low
    return total


def schedule_spans(
    schedule: Schedule, start: datetime, end: datetime | None, time_zone: str
) -> Iterator[tuple[datetime, datetime]]:
    """The spans of [start, end) inside the schedule, in order, as UTC instants; with end None
    the walk goes on day after day until the calendar ends.

    The spans are exactly the instants schedule_contains accepts (see scheduled_duration).
    """
    _require_aware(start, "start")
    zone = _zone(time_zone)
    days = frozenset(schedule.days)
    holidays = frozenset(schedule.holidays)
    opens = timedelta(minutes=schedule.start_minute)
    closes = timedelta(minutes=schedule.end_minute)
    start = start.astimezone(UTC)
    stop = end.astimezone(UTC) if end is not None else None
    local_date = start.astimezone(zone).date()
    day = _day(time_zone, local_date)
    while stop is None or day.start < stop:
        for segment_start, segment_end, offset in _day_segments(time_zone, local_date):
            low = max(segment_start, start)
            high = segment_end if stop is None else min(segment_end, stop)
            if low >= high:
                continue
            # Within a segment the wall clock is UTC plus one offset, so local time is linear.
            local_low = (low + offset).replace(tzinfo=None)
            local_high = (high + offset).replace(tzinfo=None)
            local_day = local_low.date()
            while datetime.combine(local_day, time()) < local_high:
                if local_day.isoweekday() in days and local_day.isoformat() not in holidays:
                    midnight = datetime.combine(local_day, time())
                    span_low = max(local_low, midnight + opens)
                    span_high = min(local_high, midnight + closes)
                    if span_low < span_high:
                        yield (
                            (span_low - offset).replace(tzinfo=UTC),
                            (span_high - offset).replace(tzinfo=UTC),
                        )
                local_day += timedelta(days=1)
        try:
            local_date += timedelta(days=1)
            day = _day(time_zone, local_date)
        except (ValueError, OverflowError):
            return


@lru_cache(maxsize=8192)
def _day(time_zone: str, local_date: date) -> Period:
    """The local day of a date (cached: schedules walk the same days again and again)."""
    return _period_from(local_date, PeriodUnit.DAY, _zone(time_zone))


@lru_cache(maxsize=8192)
def _day_segments(
    time_zone: str, local_date: date
) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """The fixed-offset parts of a local day (cached like _day)."""
    return tuple(_fixed_offset_segments(_day(time_zone, local_date), _zone(time_zone)))


def _require_aware(instant: datetime, name: str) -> None:
    if not is_aware(instant):
        raise ValueError(f"{name} must be timezone-aware, got naive {instant.isoformat()}")


def _zone(time_zone: str) -> ZoneInfo:
    if not is_time_zone(time_zone):
        raise ValueError(f"{time_zone!r} is not an IANA time zone")
    return ZoneInfo(time_zone)


def _offset(instant: datetime, zone: ZoneInfo) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    if offset is None:  # pragma: no cover - a ZoneInfo always has an offset
        raise ValueError(f"{zone.key} has no UTC offset at {instant.isoformat()}")
    return offset


def _start_date(local: date, unit: PeriodUnit) -> date:
    """The local date the period of that unit containing local starts on."""
    if unit is PeriodUnit.DAY:
        return local
    if unit is PeriodUnit.WEEK:
        return local - timedelta(days=local.isoweekday() - 1)
    if unit is PeriodUnit.MONTH:
        return local.replace(day=1)
    return date(local.year, (local.month - 1) // 3 * 3 + 1, 1)


def _add_units(first_day: date, unit: PeriodUnit, count: int) -> date:
    """The start date count periods after (or before) the period starting on first_day."""
    try:
        if unit is PeriodUnit.DAY:
            return first_day + timedelta(days=count)
        if unit is PeriodUnit.WEEK:
            return first_day + timedelta(weeks=count)
        months = count if unit is PeriodUnit.MONTH else 3 * count
        year, month = divmod(first_day.year * 12 + first_day.month - 1 + months, 12)
        return date(year, month + 1, 1)
    except (OverflowError, ValueError) as error:
        raise ValueError(f"no {unit.value} period {count:+d} from {first_day}") from error


def _label(first_day: date, unit: PeriodUnit) -> str:
    if unit is PeriodUnit.DAY:
        return first_day.isoformat()
    if unit is PeriodUnit.WEEK:
        iso = first_day.isocalendar()
        return f"{iso.year:04d}-W{iso.week:02d}"
    if unit is PeriodUnit.MONTH:
        return f"{first_day.year:04d}-{first_day.month:02d}"
    return f"{first_day.year:04d}-Q{(first_day.month - 1) // 3 + 1}"


def _parse_label(label: str, unit: PeriodUnit) -> date:
    """The local start date a label names; ValueError when it is not a label of unit."""
    patterns = {
        PeriodUnit.DAY: _DAY_LABEL,
        PeriodUnit.WEEK: _WEEK_LABEL,
        PeriodUnit.MONTH: _MONTH_LABEL,
        PeriodUnit.QUARTER: _QUARTER_LABEL,
    }
    # fullmatch with [0-9]: date.fromisoformat alone would accept "20260329" and "2026-W13-1".
    match = patterns[unit].fullmatch(label)
    if match is None:
        raise ValueError(f"{label!r} is not a {unit.value} label")
    numbers = [int(group) for group in match.groups()]
    try:
        if unit is PeriodUnit.DAY:
            return date(numbers[0], numbers[1], numbers[2])
        if unit is PeriodUnit.WEEK:
            return date.fromisocalendar(numbers[0], numbers[1], 1)
        if unit is PeriodUnit.MONTH:
            return date(numbers[0], numbers[1], 1)
        return date(numbers[0], 3 * numbers[1] - 2, 1)
    except ValueError as error:
        raise ValueError(f"{label!r} is not a {unit.value} label: {error}") from error


def _period_from(first_day: date, unit: PeriodUnit, zone: ZoneInfo) -> Period:
    """The period of that unit starting on the local date first_day."""
    after = _add_units(first_day, unit, 1)
    try:
        start = _first_instant_at_or_after(datetime.combine(first_day, time()), zone)
        end = _first_instant_at_or_after(datetime.combine(after, time()), zone)
    except OverflowError as error:
        raise ValueError(f"the {unit.value} from {first_day} is out of range") from error
    return Period(start, end, unit, _label(first_day, unit))


def _first_instant_at_or_after(local: datetime, zone: ZoneInfo) -> datetime:
    """The first UTC instant whose wall clock in zone reads local, or the first after it.

    Ambiguous: the earlier of the two instants. Nonexistent (in a gap): the instant the clocks
    jumped, which is the first one whose wall clock is past local.
    """
    candidates = sorted({local.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)})
    for candidate in candidates:
        if candidate.astimezone(zone).replace(tzinfo=None) == local:
            return candidate
    # The two folds use the offsets before and after the gap, so the jump lies between them.
    return _first_change(candidates[0], candidates[-1], zone)


def _first_change(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    """The first instant in (low, high] whose UTC offset differs from low's.

    high's offset must differ from low's and only one change may lie between them; both are
    whole seconds apart, as are tz database transitions.
    """
    before = _offset(low, zone)
    steps = (high - low) // _SECOND
    while steps > 1:
        middle = low + (steps // 2) * _SECOND
        if _offset(middle, zone) == before:
            low = middle
        else:
            high = middle
        steps = (high - low) // _SECOND
    return high


def _fixed_offset_segments(
    day: Period, zone: ZoneInfo
) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """The parts of a day, in order, over which the zone's UTC offset is constant."""
    segment_start = day.start
    last_second = day.end - _SECOND
    while segment_start < day.end:
        offset = _offset(segment_start, zone)
        if segment_start >= last_second or _offset(last_second, zone) == offset:
            segment_end = day.end
        else:
            segment_end = _first_change(segment_start, last_second, zone)
        yield segment_start, segment_end, offset
        segment_start = segment_end
