"""ListCases: a page of an agreement's cases as the ledger knows them now, filtered.

Cases are listed in case-id order from the case index (service/store/case_index.py, one row
per case kept in the transaction of its milestones, so the listing is never behind the log);
each page's timelines are read in one read of their streams. A case's summary is its state,
its labels and opened instant now, and the clock at now of each case objective of the newest
terms whose label scope holds it (domain/case_readings.read_clock on its whole timeline).
Filters are applied to the summaries. A call examines at most SCAN_LIMIT cases, so a selective
filter may give a short (even empty) page with a token to go on: the work of a call is bounded
whatever the agreement holds.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain.case_milestones import MilestoneKind
from domain.case_readings import ClockReading, read_clock
from domain.case_timeline import case_state, sorted_timeline
from domain.errors import FieldViolation, InvalidArgumentError, NotFoundError
from domain.identifiers import is_identifier
from domain.instants import from_epoch_us, to_epoch_us
from domain.resource_names import agreement_name
from domain.terms import AgreementTerms
from service.app.case_views import CaseFilter, CasePage, CaseSummary

if TYPE_CHECKING:
    from domain.case_milestones import Milestone
    from service.app.application import LedgerApplication

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000
SCAN_LIMIT = 5_000  # cases examined by one call at most
_READ = 500  # index rows read at a time
_VERSION = "c1"


class CaseList:
    """Pages of an agreement's cases."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def list_cases(
        self,
        agreement_id: str,
        where: CaseFilter,
        page_size: int,
        page_token: str,
        at_risk_percent: int,
    ) -> CasePage:
        """The cases after the token's that match the filter, at most page_size (0: 100) of
        them, and the token of the next page ("" after the last case)."""
        if not 0 <= page_size <= MAX_PAGE_SIZE:
            raise InvalidArgumentError(
                [FieldViolation("page_size", f"0 to {MAX_PAGE_SIZE} (0 means 100)")]
            )
        after = decode_case_token(page_token, agreement_id)
        agreement = self._app.agreements.find_agreement(agreement_id)
        if agreement is None:
            raise NotFoundError(
                f"agreement {agreement_id} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        terms = agreement.current_terms.terms
        now_us = to_epoch_us(self._app.now())
        log = self._app.event_log
        size = page_size or DEFAULT_PAGE_SIZE
        found: list[CaseSummary] = []
        scanned = 0
        cursor = after
        while len(found) < size and scanned < SCAN_LIMIT:
            wanted = min(_READ, SCAN_LIMIT - scanned)
            rows = log.case_rows(agreement_id, cursor, wanted)
            events = log.case_events(agreement_id, [row.case_id for row in rows])
            unread = False
            for index, row in enumerate(rows):
                scanned += 1
                cursor = row.case_id
                timeline = sorted_timeline(e.event.milestone() for e in events.get(cursor, []))
                summary = case_summary(cursor, timeline, terms, now_us, at_risk_percent)
                if summary is not None and matches(summary, where):
                    found.append(summary)
                    if len(found) == size:
                        unread = index < len(rows) - 1
                        break
            if len(rows) < wanted and not unread:  # every case after the token was read
                return CasePage(tuple(found), "")
        return CasePage(tuple(found), encode_case_token(agreement_id, cursor))


def case_summary(
    case_id: str,
    timeline: Sequence[Milestone],
    terms: AgreementTerms,
    now_us: int,
    at_risk_percent: int,
) -> CaseSummary | None:
    """The case now under the terms; None when it has no opening."""
    if not timeline or timeline[0].kind is not MilestoneKind.OPENED:
        return None
    labels: dict[str, str] = {}
    for m in timeline:
        if m.occurred_at_us <= now_us and m.labels is not None:
            labels = dict(m.labels)
    clocks: list[ClockReading] = []
    for objective in terms.objectives:
        if objective.rules.case_clock is None:
            continue
        reading = read_clock(timeline, objective, terms.time_zone, now_us, at_risk_percent)
        if reading is not None and reading.in_scope:
            clocks.append(reading)
    return CaseSummary(
        case_id=case_id,
        state=case_state([m for m in timeline if m.occurred_at_us <= now_us]),
        labels=labels,
        opened_at=from_epoch_us(timeline[0].occurred_at_us),
        clocks=tuple(clocks),
    )


def matches(summary: CaseSummary, where: CaseFilter) -> bool:
    """Whether a case's summary passes every filter that is set."""
    if where.state and summary.state != where.state:
        return False
    if where.labels and any(summary.labels.get(k) != v for k, v in where.labels.items()):
        return False
    opened = to_epoch_us(summary.opened_at)
    if where.opened_from_us is not None and opened < where.opened_from_us:
        return False
    if where.opened_until_us is not None and opened >= where.opened_until_us:
        return False
    clocks = [
        c for c in summary.clocks if not where.objective_id or c.objective_id == where.objective_id
    ]
    if where.objective_id and not clocks:
        return False
    if where.breached and not any(c.breached_at_us is not None for c in clocks):
        return False
    if where.at_risk and not any(c.at_risk for c in clocks):
        return False
    if where.due_from_us is not None or where.due_until_us is not None:
        low = where.due_from_us
        high = where.due_until_us
        return any(
            c.due_at_us is not None
            and (low is None or c.due_at_us >= low)
            and (high is None or c.due_at_us < high)
            for c in clocks
        )
    return True


def encode_case_token(agreement_id: str, after_case_id: str) -> str:
    """A token that continues a listing of the agreement's cases after a case id."""
    raw = f"{_VERSION}|{agreement_id}|{after_case_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_case_token(token: str, agreement_id: str) -> str:
    """The case id a token continues after; "" for no token."""
    if not token:
        return ""
    invalid = InvalidArgumentError(
        [FieldViolation("page_token", "is not a token this listing issued")]
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version, bound_agreement, after = raw.split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if version != _VERSION or bound_agreement != agreement_id or not is_identifier(after):
        raise invalid
    return after
