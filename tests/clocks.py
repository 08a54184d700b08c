"""Fake clocks the tests share."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta


class SteppingClock:
    """A record clock that moves one second per reading, so record instants are distinct."""

    def __init__(self, start: datetime) -> None:
        self.now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self.now += timedelta(seconds=1)
            return self.now


class SettableClock:
    """The record clock of the application and the closer; the test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
