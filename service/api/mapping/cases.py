"""Cases: case clocks of objectives, milestones in and out, clock readings and the case events."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from domain.case_clocks import ClockState
from domain.case_milestones import (
    MAX_CASE_BATCH,
    CaseClockWarned,
    CaseMilestoneRecorded,
    Milestone,
    MilestoneKind,
    WarningKind,
)
from domain.case_readings import ClockReading
from domain.case_timeline import milestone_problems
from domain.errors import FieldViolation, Violations
from domain.input_ranges import (
    EARLIEST_SECONDS,
    END_SECONDS,
    INSTANT_RULE,
    instant_seconds_in_range,
)
from domain.objectives import CaseClock, ClockStop
from service.app.case_views import CasePage, CaseSummary, CaseView
from service.generated.sla.ledger.v1 import cases_pb2, events_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.event_limits import item_bytes

PAUSE_REASON_FROM_PROTO = {
    terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER: "awaiting_customer",
    terms_pb2.PAUSE_REASON_AWAITING_THIRD_PARTY: "awaiting_third_party",
    terms_pb2.PAUSE_REASON_OTHER: "other",
}
PAUSE_REASON_TO_PROTO = {v: k for k, v in PAUSE_REASON_FROM_PROTO.items()}
CLOCK_STOP_FROM_PROTO = {
    terms_pb2.CLOCK_STOP_FIRST_RESPONSE: ClockStop.FIRST_RESPONSE,
    terms_pb2.CLOCK_STOP_RESOLUTION: ClockStop.RESOLUTION,
}
CLOCK_STOP_TO_PROTO = {v: k for k, v in CLOCK_STOP_FROM_PROTO.items()}
KIND_FROM_PROTO = {
    cases_pb2.MILESTONE_KIND_OPENED: MilestoneKind.OPENED,
    cases_pb2.MILESTONE_KIND_FIRST_RESPONSE: MilestoneKind.FIRST_RESPONSE,
    cases_pb2.MILESTONE_KIND_PAUSED: MilestoneKind.PAUSED,
    cases_pb2.MILESTONE_KIND_RESUMED: MilestoneKind.RESUMED,
    cases_pb2.MILESTONE_KIND_RESOLVED: MilestoneKind.RESOLVED,
    cases_pb2.MILESTONE_KIND_REOPENED: MilestoneKind.REOPENED,
    cases_pb2.MILESTONE_KIND_CANCELLED: MilestoneKind.CANCELLED,
    cases_pb2.MILESTONE_KIND_RELABELED: MilestoneKind.RELABELED,
}
KIND_TO_PROTO = {v: k for k, v in KIND_FROM_PROTO.items()}
CASE_STATE_FROM_PROTO = {
    cases_pb2.CASE_STATE_UNSPECIFIED: "",
    cases_pb2.CASE_STATE_OPEN: "open",
    cases_pb2.CASE_STATE_PAUSED: "paused",
    cases_pb2.CASE_STATE_RESOLVED: "resolved",
    cases_pb2.CASE_STATE_CANCELLED: "cancelled",
}
CASE_STATE_TO_PROTO = {v: k for k, v in CASE_STATE_FROM_PROTO.items() if v}
CLOCK_STATE_TO_PROTO = {
    ClockState.RUNNING: cases_pb2.CLOCK_STATE_RUNNING,
    ClockState.PAUSED: cases_pb2.CLOCK_STATE_PAUSED,
    ClockState.MET: cases_pb2.CLOCK_STATE_MET,
    ClockState.BREACHED: cases_pb2.CLOCK_STATE_BREACHED,
    ClockState.CANCELLED: cases_pb2.CLOCK_STATE_CANCELLED,
}
WARNING_TO_PROTO = {
    WarningKind.AT_RISK: cases_pb2.CASE_WARNING_AT_RISK,
    WarningKind.BREACHED: cases_pb2.CASE_WARNING_BREACHED,
}
DEFAULT_PAUSE_REASONS = CaseClock(ClockStop.RESOLUTION, 1).pause_reasons
KNOWN_VALUE = "must be set to a known value"


def case_clock_from_proto(c: terms_pb2.CaseClock, path: str, violations: Violations) -> CaseClock:
    """The domain case clock of an objective's message (its ranges: objectives.rules_violations)."""
    stop = CLOCK_STOP_FROM_PROTO.get(c.stop)
    if stop is None:
        violations.add(f"{path}.stop", KNOWN_VALUE)
        stop = ClockStop.RESOLUTION
    reasons: list[str] = []
    for index, number in enumerate(c.pause_reasons):
        reason = PAUSE_REASON_FROM_PROTO.get(number)
        if reason is None:
            violations.add(f"{path}.pause_reasons[{index}]", KNOWN_VALUE)
        else:
            reasons.append(reason)
    return CaseClock(stop, c.target_seconds, tuple(reasons) or DEFAULT_PAUSE_REASONS)


def case_clock_into_proto(clock: CaseClock, c: terms_pb2.CaseClock) -> None:
    """Write a case clock into its message; the default pause reasons stay unset."""
    c.stop = CLOCK_STOP_TO_PROTO[clock.stop]
    c.target_seconds = clock.target_seconds
    if clock.pause_reasons != DEFAULT_PAUSE_REASONS:
        c.pause_reasons.extend(PAUSE_REASON_TO_PROTO[r] for r in clock.pause_reasons)


def milestones_from_proto(
    items: Sequence[cases_pb2.CaseMilestone], violations: Violations
) -> list[Milestone]:
    """The domain milestones of a batch; the hot path of RecordCaseEvents, so kept lean.

    Their kinds, pause reasons and instants are checked here. Each milestone's own rules
    (identifiers, labels, which kinds carry a reason) are the command's, and are checked here
    only when the batch is refused anyway, so that the refusal names every bad field at once.
    """
    if not items:
        violations.add("milestones", "at least one milestone is required")
    if len(items) > MAX_CASE_BATCH:
        violations.add("milestones", f"at most {MAX_CASE_BATCH} milestones per call")
        return []
    milestones: list[Milestone] = []
    append = milestones.append
    new = tuple.__new__  # skips NamedTuple.__new__'s argument handling
    kinds, reasons, opened = KIND_FROM_PROTO, PAUSE_REASON_FROM_PROTO, MilestoneKind.OPENED
    low, high = EARLIEST_SECONDS, END_SECONDS - 1
    doubtful = False
    for m in items:
        kind = kinds.get(m.kind)
        number = m.pause_reason
        reason = reasons.get(number, "") if number else ""
        ts = m.occurred_at
        seconds, nanos = ts.seconds, ts.nanos
        # Zero seconds may be an unset timestamp: checked with the out-of-range ones.
        if (
            kind is None
            or (number and not reason)
            or not (low <= seconds <= high and 0 <= nanos < 1_000_000_000 and seconds)
        ):
            doubtful = True
        labels = m.labels
        append(
            new(
                Milestone,
                (
                    m.case_id,
                    kind or opened,
                    seconds * 1_000_000 + nanos // 1000,
                    m.milestone_id,
                    dict(labels) if labels else None,
                    reason,
                ),
            )
        )
    if doubtful:
        for index, (m, milestone) in enumerate(zip(items, milestones, strict=True)):
            _check_milestone(m, milestone, f"milestones[{index}]", violations)
    return milestones


def _check_milestone(
    m: cases_pb2.CaseMilestone, milestone: Milestone, path: str, violations: Violations
) -> None:
    kind_known = m.kind in KIND_FROM_PROTO
    if not kind_known:
        violations.add(f"{path}.kind", KNOWN_VALUE)
    reason_refused = bool(m.pause_reason) and m.pause_reason not in PAUSE_REASON_FROM_PROTO
    if reason_refused:
        violations.add(f"{path}.pause_reason", KNOWN_VALUE)
    if not m.HasField("occurred_at"):
        violations.add(f"{path}.occurred_at", "is required")
    elif not instant_seconds_in_range(m.occurred_at.seconds, m.occurred_at.nanos):
        violations.add(f"{path}.occurred_at", INSTANT_RULE)
    if kind_known:
        for field, description in milestone_problems(milestone):
            if not (field == "reason" and reason_refused):
                violations.add(f"{path}.{_field_name(field)}", description)


def in_request_names(violations: Sequence[FieldViolation]) -> list[FieldViolation]:
    """The command's violations of milestones named as the request names their fields (its
    reason is the request's pause_reason)."""
    return [FieldViolation(_request_path(v.field), v.description) for v in violations]


def _request_path(path: str) -> str:
    head, dot, last = path.rpartition(".")
    return f"{head}.{_field_name(last)}" if dot and head.startswith("milestones[") else path


def _field_name(domain_field: str) -> str:
    return "pause_reason" if domain_field == "reason" else domain_field


def milestone_into_proto(m: Milestone, message: cases_pb2.CaseMilestone) -> None:
    """Write a milestone into its message."""
    message.case_id = m.case_id
    message.milestone_id = m.milestone_id
    message.kind = KIND_TO_PROTO[m.kind]
    message.occurred_at.FromMicroseconds(m.occurred_at_us)
    if m.labels:
        message.labels.update(m.labels)
    if m.reason:
        message.pause_reason = PAUSE_REASON_TO_PROTO[m.reason]


def clock_into_proto(reading: ClockReading, message: cases_pb2.CaseClockReading) -> None:
    """Write a clock reading into its message; instants it lacks stay unset."""
    message.objective_id = reading.objective_id
    message.state = CLOCK_STATE_TO_PROTO[reading.state]
    message.target.FromMicroseconds(reading.target_us)
    message.elapsed.FromMicroseconds(reading.elapsed_us)
    message.remaining.FromMicroseconds(reading.remaining_us)
    for field, at_us in (
        ("due_at", reading.due_at_us),
        ("at_risk_at", reading.at_risk_at_us),
        ("breached_at", reading.breached_at_us),
        ("stopped_at", reading.stopped_at_us),
    ):
        if at_us is not None:
            getattr(message, field).FromMicroseconds(at_us)
    message.at_risk = reading.at_risk
    if reading.judgement is not None:
        message.judged.met = reading.judgement.met
        message.judged.judged_at.FromMicroseconds(reading.judgement.judged_at_us)
    message.in_scope = reading.in_scope


def case_event_into_proto(event: Any, message: events_pb2.LedgerEvent) -> None:
    """Write the payload of a case event (a milestone recorded, a clock warned) into its
    LedgerEvent."""
    if isinstance(event, CaseMilestoneRecorded):
        recorded = message.case_milestone_recorded
        milestone_into_proto(event.milestone(), recorded.milestone)
        recorded.late = event.late
    elif isinstance(event, CaseClockWarned):
        warned = message.case_clock_warned
        warned.case_id = event.case_id
        warned.objective_id = event.objective_id
        warned.warning = WARNING_TO_PROTO[WarningKind(event.warning)]
        warned.reached_at.FromMicroseconds(event.reached_at_us)
        warned.due_at.FromMicroseconds(event.due_at_us)
        warned.terms_version = event.terms_version
    else:  # pragma: no cover - called for the case events only
        raise TypeError(f"not a case event: {type(event).__name__}")


def case_to_proto(view: CaseView, max_bytes: int) -> pb.GetCaseResponse:
    """The GetCase reply for a case view: its milestones from the first, as many as fit in
    max_bytes (at least one), and all its clocks."""
    reply = pb.GetCaseResponse(
        agreement_id=view.agreement_id,
        case_id=view.case_id,
        terms_version=view.terms_version,
        state=CASE_STATE_TO_PROTO[view.state],
        labels=dict(view.labels),
        log_position=view.log_position,
    )
    reply.as_of.FromDatetime(view.as_of)
    reply.known_at.FromDatetime(view.known_at)
    reply.opened_at.FromDatetime(view.opened_at)
    for reading in view.clocks:
        clock_into_proto(reading, reply.clocks.add())
    used = reply.ByteSize()
    for recorded in view.milestones:
        entry = cases_pb2.RecordedCaseMilestone(
            late=recorded.late, log_position=recorded.log_position
        )
        milestone_into_proto(recorded.milestone, entry.milestone)
        entry.recorded_at.FromDatetime(recorded.recorded_at)
        used += item_bytes(entry.ByteSize())
        if reply.milestones and used > max_bytes:
            reply.milestones_truncated = True
            break
        reply.milestones.append(entry)
    return reply


def summary_to_proto(summary: CaseSummary) -> cases_pb2.CaseSummary:
    """One case of a ListCases page."""
    message = cases_pb2.CaseSummary(
        case_id=summary.case_id,
        state=CASE_STATE_TO_PROTO[summary.state],
        labels=dict(summary.labels),
    )
    message.opened_at.FromDatetime(summary.opened_at)
    for reading in summary.clocks:
        clock_into_proto(reading, message.clocks.add())
    return message


def case_page_to_proto(
    fetch: Callable[[int], CasePage], size: int, max_bytes: int
) -> pb.ListCasesResponse:
    """A ListCases reply of at most size cases whose encodings take at most max_bytes (at least
    one case): a page that does not fit is asked for again with as many cases as fit, so its
    next_page_token continues right after the last case sent."""
    while True:
        page = fetch(size)
        summaries = [summary_to_proto(s) for s in page.cases]
        kept, used = 0, 0
        for summary in summaries:
            used += item_bytes(summary.ByteSize())
            if kept and used > max_bytes:
                break
            kept += 1
        if kept == len(summaries):
            return pb.ListCasesResponse(cases=summaries, next_page_token=page.next_page_token)
        size = kept
