"""The application's event log as the read side reads it (a LogSource over the recorder)."""

from __future__ import annotations

from projections.log_source import LoggedNotification
from service.app.application import LedgerApplication


class ApplicationLog:
    """The log of an application: its head and its entries, decoded only when asked."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def head(self) -> int:
        """The position of the newest entry, 0 for an empty log."""
        return self._app.recorder.max_notification_id() or 0

    def read_log(self, after: int, limit: int) -> list[LoggedNotification]:
        """Up to limit entries of the log after a position, decoded only when asked."""
        to_event = self._app.mapper.to_domain_event
        return [
            LoggedNotification(n, to_event)
            for n in self._app.recorder.select_notifications(start=after + 1, limit=limit)
        ]
