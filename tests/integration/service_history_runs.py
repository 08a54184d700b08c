"""A service SLA's random history played into a fresh ledger, its read models lagging by a drawn
number of rounds: the setup the subscriber property tests share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from projections.read_models import ReadModels
from projections.runner import BatchedProjectionRunner
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from tests.integration.service_histories import (
    SERVICE,
    SIGNED_AT,
    StridingClock,
    apply_step,
    fresh_database,
    service_terms,
)


@dataclass(frozen=True)
class PlayedHistory:
    """The ledger a history was played into, its read models, and the instants it recorded."""

    app: LedgerApplication
    models: ReadModels
    recorded: list[datetime]


@contextmanager
def played_history(
    server: str | None,
    zone: str,
    tiers: Any,
    history: list[tuple[str, Any]],
    data: st.DataObject,
) -> Iterator[PlayedHistory]:
    """Sign the service SLA, play history (closes and steps), let the read models apply a drawn
    0 to 40 batches of 3 events, and yield the ledger; stopped and closed after."""
    with fresh_database(server) as url:
        app = open_application(url, clock=StridingClock())
        models = open_read_models(app, url)
        try:
            app.commands.sign_agreement(SERVICE, service_terms(zone, tiers), SIGNED_AT)
            for index, (kind, value) in enumerate(history):
                if kind == "close":
                    app.commands.close_periods(SERVICE, SIGNED_AT + timedelta(days=value))
                else:
                    apply_step(app, kind, value, index)
            lagging = BatchedProjectionRunner(
                models.engine, models.read_log, models.rollups, batch_size=3
            )
            for _ in range(data.draw(st.integers(0, 40))):
                lagging.run_once()
            recorded = sorted({e.timestamp for e in app.event_log.agreement_events(SERVICE)})
            yield PlayedHistory(app, models, recorded)
        finally:
            models.stop()
            app.close()
