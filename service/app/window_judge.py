"""The readings of the windows a service close judges, each UTC day read once for every
subscriber, and their evaluations: once per objective definition, window and time zone for all
subscribers without data of their own in the window (no reading labelled with their customer
id, no exclusion of their own overlapping it), and on their own view for the others
(domain/subscriber_views.py visible_readings, domain/exclusion_standing.py
visible_exclusions). Every evaluation comes from the day's readings summed once
(service/app/window_sums.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory
from domain.compliance import TrackResult
from domain.compliance_streams import day_streams
from domain.exclusion_standing import differing_customers, visible_exclusions
from domain.measurements import Measurement, MetricMeasured
from domain.period_walk import PeriodWindow
from domain.subscriber_views import reading_customer
from domain.window_evaluation import evaluate_window
from service.app.event_log import EventLog
from service.app.window_sums import WindowSums

_TICK = timedelta(microseconds=1)


class WindowJudge:
    """The readings of each window's days, read once, and the evaluations subscribers share."""

    def __init__(self, log: EventLog, service: Agreement) -> None:
        self._log = log
        self._service = service
        self._service_exclusions = visible_exclusions(service.recorded_exclusions, "")
        # Per subscriber, the exclusions it counts differently from the shared view: its own,
        # and the service's late ones it acknowledged (or that were revoked for it).
        self._own_exclusions = differing_customers(service.recorded_exclusions)
        self._labelled: dict[str, dict[str, list[Measurement]]] = {}  # day stream -> customer
        self._sums: dict[str, WindowSums] = {}  # objective id -> its service readings
        self._windows: dict[tuple[str, datetime, datetime], list[str]] = {}  # -> day streams
        self._shared: dict[tuple[Any, ...], list[TrackResult]] = {}
        self._objective_keys: dict[int, tuple[Any, str]] = {}
        self.read = 0

    def load(self, window: PeriodWindow) -> int:
        """Read the window's day streams not read yet; how many readings they held."""
        objective_id = window.objective.objective_id
        key = (objective_id, window.window_start, window.window_end)
        if window.objective.rules.case_clock is not None or key in self._windows:
            return 0
        streams = day_streams(
            self._service.agreement_id, objective_id, window.window_start, window.window_end - _TICK
        )
        self._windows[key] = streams
        missing = [s for s in streams if s not in self._labelled]
        if not missing:
            return 0
        found: dict[str, list[Measurement]] = {s: [] for s in missing}
        for notification in self._log.stream_notifications(missing):
            event = self._log.decode(notification)
            if isinstance(event, MetricMeasured):
                found[str(notification.originator_id)].extend(event.measurements())
        sums = self._sums.setdefault(objective_id, WindowSums())
        size = 0
        for stream, readings in found.items():
            labelled: dict[str, list[Measurement]] = {}
            service: list[Measurement] = []
            for reading in readings:
                customer_id = reading_customer(reading) if reading.labels else ""
                if customer_id:
                    labelled.setdefault(customer_id, []).append(reading)
                else:
                    service.append(reading)
            self._labelled[stream] = labelled
            sums.add(service)
            size += len(readings)
        self.read += size
        return size

    def results(self, window: PeriodWindow, customer_id: str) -> list[TrackResult]:
        """The window's evaluation for the subscriber: shared when it has no data of its own
        in the window, else on its own view. load(window) must have been called."""
        objective = window.objective
        if objective.rules.case_clock is not None:  # a view holds no cases of its own
            return evaluate_window(AgreementHistory(self._service), window, window.window_end)
        sums = self._sums.get(objective.objective_id) or WindowSums()
        streams = self._windows[(objective.objective_id, window.window_start, window.window_end)]
        own = [r for s in streams for r in self._labelled[s].get(customer_id, ())]
        if own or self._has_own_exclusion(window, customer_id):
            exclusions = visible_exclusions(self._service.recorded_exclusions, customer_id)
            return sums.evaluate(window, own, exclusions)
        key = (
            self._objective_key(window),
            window.window_start,
            window.window_end,
            window.terms.terms.time_zone,
        )
        shared = self._shared.get(key)
        if shared is None:
            shared = self._shared[key] = sums.evaluate(window, [], self._service_exclusions)
        return shared

    def _has_own_exclusion(self, window: PeriodWindow, customer_id: str) -> bool:
        objective_id = window.objective.objective_id
        return any(
            e.start < window.window_end
            and window.window_start < e.end
            and e.applies_to(objective_id)
            for e in self._own_exclusions.get(customer_id, ())
        )

    def _objective_key(self, window: PeriodWindow) -> str:
        objective = window.objective
        known = self._objective_keys.get(id(objective))
        if known is None or known[0] is not objective:
            known = self._objective_keys[id(objective)] = (objective, repr(objective))
        return known[1]
