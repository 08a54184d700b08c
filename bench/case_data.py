"""What the case benchmarks share: an agreement with case objectives and a service desk's tickets.

The agreement (UTC, monthly) has four case objectives on business hours (Monday to Friday,
08:00 to 18:00, two holidays): P1 first response within 1 hour and resolution within 4 hours,
P2 first response within 4 hours and resolution within 2 days (16 business hours). Each ticket
is opened with a priority label (one in ten P1, three in ten P2, the rest P3, which no objective
judges), gets its first response 10 minutes to 3 hours later, one in four waits for the customer
for a while (paused, then resumed), one in ten has its priority raised (relabeled), and it is
resolved hours or days later: 3 to 6 milestones a ticket, 3.6 on average, all deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from service.generated.sla.ledger.v1 import cases_pb2, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc

MINUTE = 60
HOUR = 3600
YEAR_END = 1_793_491_200  # 2026-11-01T00:00:00Z: a year of tickets ends here
YEAR_START = 1_761_955_200  # 2025-11-01T00:00:00Z
BUSINESS_HOURS = terms_pb2.Schedule(
    days=[1, 2, 3, 4, 5],
    start_minute=8 * 60,
    end_minute=18 * 60,
    holidays=["2025-12-25", "2026-01-01"],
)
CASE_OBJECTIVES = (  # (objective id, priority, stop, target seconds of business time)
    ("p1-response", "P1", terms_pb2.CLOCK_STOP_FIRST_RESPONSE, 1 * HOUR),
    ("p1-resolution", "P1", terms_pb2.CLOCK_STOP_RESOLUTION, 4 * HOUR),
    ("p2-response", "P2", terms_pb2.CLOCK_STOP_FIRST_RESPONSE, 4 * HOUR),
    ("p2-resolution", "P2", terms_pb2.CLOCK_STOP_RESOLUTION, 16 * HOUR),
)


def case_terms(start_seconds: int) -> terms_pb2.AgreementTerms:
    """Terms with the four case objectives, UTC, in force from start_seconds."""
    terms = terms_pb2.AgreementTerms(
        provider=terms_pb2.Party(party_id="acme"),
        customer=terms_pb2.Party(party_id="globex"),
        kind=terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
        services=["service-desk"],
        time_zone="UTC",
        fee=terms_pb2.Fee(
            amount=terms_pb2.Money(currency_code="EUR", amount="1000.00"),
            period=terms_pb2.PERIOD_UNIT_MONTH,
        ),
    )
    for objective_id, priority, stop, target in CASE_OBJECTIVES:
        terms.objectives.add(
            objective_id=objective_id,
            metric="response_time"
            if stop == terms_pb2.CLOCK_STOP_FIRST_RESPONSE
            else "resolution_time",
            target_percent="95",
            period=terms_pb2.PERIOD_UNIT_MONTH,
            label_scope={"priority": priority},
            schedule=BUSINESS_HOURS,
            case_clock=terms_pb2.CaseClock(stop=stop, target_seconds=target),
        )
    terms.term_start.seconds = start_seconds
    return terms


def sign_case_agreement(
    stub: pb_grpc.LedgerServiceStub, agreement_id: str, start_seconds: int
) -> None:
    """Sign an agreement with the case objectives, in force from start_seconds."""
    request = pb.SignAgreementRequest(agreement_id=agreement_id, terms=case_terms(start_seconds))
    request.signed_at.seconds = start_seconds
    stub.SignAgreement(request, timeout=30)


@dataclass(frozen=True)
class Ticket:
    """One generated ticket: its id, when it was opened and resolved (seconds), its milestones."""

    case_id: str
    opened: int
    resolved: int
    milestones: tuple[cases_pb2.CaseMilestone, ...]


def _milestone(
    case_id: str,
    kind: cases_pb2.MilestoneKind,
    at: int,
    labels: dict[str, str] | None = None,
    reason: terms_pb2.PauseReason = terms_pb2.PAUSE_REASON_UNSPECIFIED,
) -> cases_pb2.CaseMilestone:
    milestone = cases_pb2.CaseMilestone(
        case_id=case_id, kind=kind, labels=labels or {}, pause_reason=reason
    )
    milestone.occurred_at.seconds = at
    return milestone


def ticket(number: int, opened: int) -> Ticket:
    """Ticket number `number`, opened at `opened` (seconds); its later instants vary with number."""
    case_id = f"T-{number:07d}"
    spread = (number * 7919) % 1000  # a deterministic 0..999 per ticket
    priority = "P1" if number % 10 == 0 else ("P2" if number % 10 < 4 else "P3")
    at = opened
    milestones = [_milestone(case_id, cases_pb2.MILESTONE_KIND_OPENED, at, {"priority": priority})]
    at += 10 * MINUTE + spread * 10  # 10 minutes to about 3 hours
    milestones.append(_milestone(case_id, cases_pb2.MILESTONE_KIND_FIRST_RESPONSE, at))
    if number % 4 == 1:
        at += 30 * MINUTE
        milestones.append(
            _milestone(
                case_id,
                cases_pb2.MILESTONE_KIND_PAUSED,
                at,
                reason=terms_pb2.PAUSE_REASON_AWAITING_CUSTOMER,
            )
        )
        at += HOUR + spread * 60  # 1 hour to about 17
        milestones.append(_milestone(case_id, cases_pb2.MILESTONE_KIND_RESUMED, at))
    if number % 10 == 3:
        at += 15 * MINUTE
        milestones.append(
            _milestone(case_id, cases_pb2.MILESTONE_KIND_RELABELED, at, {"priority": "P1"})
        )
    at += HOUR + spread * 180  # 1 hour to about 51
    milestones.append(_milestone(case_id, cases_pb2.MILESTONE_KIND_RESOLVED, at))
    return Ticket(case_id, opened, at, tuple(milestones))


def tickets(count: int, first_seconds: int, spacing_seconds: int) -> list[Ticket]:
    """count tickets, one opened every spacing_seconds from first_seconds."""
    return [ticket(n, first_seconds + n * spacing_seconds) for n in range(count)]


def milestone_batches(
    agreement_id: str, desk: Sequence[Ticket], size: int
) -> Iterator[pb.RecordCaseEventsRequest]:
    """Every milestone of desk in business order, size per RecordCaseEventsRequest: each batch
    holds openings of new tickets and later milestones of tickets opened in earlier batches."""
    ordered = sorted((m for t in desk for m in t.milestones), key=lambda m: m.occurred_at.seconds)
    for offset in range(0, len(ordered), size):
        yield pb.RecordCaseEventsRequest(
            agreement_id=agreement_id, milestones=ordered[offset : offset + size]
        )


def milestone_identity(milestone: cases_pb2.CaseMilestone) -> str:
    """The ledger's identity of a milestone (domain Milestone.identity): its client id, or its
    kind and exact instant in microseconds."""
    if milestone.milestone_id:
        return milestone.milestone_id
    micros = milestone.occurred_at.seconds * 1_000_000 + milestone.occurred_at.nanos // 1000
    kind = cases_pb2.MilestoneKind.Name(milestone.kind).removeprefix("MILESTONE_KIND_").lower()
    return f"{kind}@{micros}"
