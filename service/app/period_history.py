"""ListPeriodResults: the closed objective-periods a listing holds, each one's result folded from
its stream as known at known_at (domain/period_history.py).

The periods read model is the index (projections/period_listing.py): it names the periods in
the listing's order, closed up to the position the read models reflect; each period's stream is
then read up to that position and folded. A period whose close was recorded after known_at is
passed over, so a page holds the periods known at known_at only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import Engine

from domain.identifiers import period_stream
from domain.period_history import PeriodOutcome, period_outcome
from domain.period_results import PeriodEvent
from projections.period_listing import ListedPeriod, PeriodFilter, PeriodKey, list_periods
from service.app.event_log import EventLog


class PeriodHistory:
    """Pages of closed periods' results."""

    def __init__(self, log: EventLog) -> None:
        self._log = log

    def page(
        self,
        engine: Engine,
        where: PeriodFilter,
        after: PeriodKey | None,
        size: int,
        known_at: datetime,
        up_to: int,
    ) -> list[tuple[PeriodKey, PeriodOutcome]]:
        """Up to size + 1 periods after the key after, closed by log position up_to and known
        at known_at, in the listing's order, each with its key and result (one beyond size
        says there are more)."""
        found: list[tuple[PeriodKey, PeriodOutcome]] = []
        batch = size + 1
        while len(found) <= size:
            rows = list_periods(engine, where, after, batch, up_to)
            found.extend(self._outcomes(rows, known_at, up_to))
            if len(rows) < batch:
                break
            after = rows[-1].key
        return found[: size + 1]

    def _outcomes(
        self, rows: list[ListedPeriod], known_at: datetime, up_to: int
    ) -> list[tuple[PeriodKey, PeriodOutcome]]:
        streams = {row.key: _stream(row) for row in rows}
        logged: dict[str, list[tuple[int, PeriodEvent]]] = defaultdict(list)
        for position, event in self._log.stream_events(set(streams.values()), up_to):
            if isinstance(event, PeriodEvent):
                logged[event.originator_id].append((position, event))
        found = []
        for row in rows:
            outcome = period_outcome(logged[streams[row.key]], known_at)
            if outcome is not None:
                found.append((row.key, outcome))
        return found


def _stream(row: ListedPeriod) -> str:
    key = row.key
    customer = key.customer_id if row.of_subscriber else ""
    return period_stream(key.agreement_id, key.objective_id, key.period_label, customer)
