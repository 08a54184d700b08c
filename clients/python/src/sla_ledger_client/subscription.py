"""A subscription to the ledger's log that resumes from its last position until closed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any

import grpc

from sla_ledger_client._generated.sla.ledger.v1 import (
    events_pb2,
    ledger_service_pb2,
    ledger_service_pb2_grpc,
)
from sla_ledger_client.errors import LedgerCallError
from sla_ledger_client.retry import RetryPolicy

# Failures counted for the backoff stop growing here (the wait is capped by max_backoff anyway).
_MAX_COUNTED_FAILURES = 30


class EventSubscription:
    """Events after a log position, in log order, each once, across reconnects.

    Iterating yields LedgerEvent messages. ``position`` is the log position the subscription
    has reached: the last event yielded, or further when the ledger scanned past events the
    filters leave out. When the stream fails with a status the retry policy retries (UNAVAILABLE:
    a dropped connection, a server shutting down or restarting), it subscribes again after
    ``position``, waiting by the policy's backoff between failures (reset by each response,
    heartbeats included); other statuses end the iteration with their LedgerCallError.
    ``close()`` (from any thread) ends the iteration; so does leaving a ``with`` block.
    """

    def __init__(
        self,
        stub: ledger_service_pb2_grpc.LedgerServiceStub,
        after_position: int = 0,
        *,
        event_types: Sequence[str] = (),
        agreement_id: str = "",
        retry: RetryPolicy | None = None,
        wait: Callable[[threading.Event, float], bool] | None = None,
    ) -> None:
        if after_position < 0:
            raise ValueError("after_position must be 0 or more")
        self._stub = stub
        self.position = after_position
        self._event_types = list(event_types)
        self._agreement_id = agreement_id
        self._retry = retry or RetryPolicy()
        self._closed = threading.Event()
        self._wait = wait or (lambda event, seconds: event.wait(seconds))
        self._lock = threading.Lock()
        self._call: Any = None
        self.reconnects = 0

    def __iter__(self) -> Iterator[events_pb2.LedgerEvent]:
        failures = 0
        while not self._closed.is_set():
            try:
                for response in self._open():
                    failures = 0
                    for event in response.events:
                        self.position = max(self.position, event.position)
                        yield event
                    self.position = max(self.position, response.log_position)
            except LedgerCallError as error:
                if self._closed.is_set():
                    return
                if not self._resumable(error):
                    raise
                failures = min(failures + 1, _MAX_COUNTED_FAILURES)
                self._wait(self._closed, self._retry.backoff(failures, error))
            else:
                # The server ended the stream without an error: resubscribe, not in a tight loop.
                failures = min(failures + 1, _MAX_COUNTED_FAILURES)
                self._wait(self._closed, self._retry.backoff(failures))
            if not self._closed.is_set():
                self.reconnects += 1

    def _open(self) -> Any:
        call = self._stub.SubscribeEvents(
            ledger_service_pb2.SubscribeEventsRequest(
                after_position=self.position,
                event_types=self._event_types,
                agreement_id=self._agreement_id,
            )
        )
        with self._lock:
            self._call = call
            if self._closed.is_set():
                call.cancel()
        return call

    def _resumable(self, error: LedgerCallError) -> bool:
        return error.code() is grpc.StatusCode.UNAVAILABLE or self._retry.should_retry(error)

    def close(self) -> None:
        """End the subscription: the iteration stops (the current stream is cancelled)."""
        with self._lock:
            self._closed.set()
            if self._call is not None:
                self._call.cancel()

    @property
    def closed(self) -> bool:
        """Whether close() was called."""
        return self._closed.is_set()

    def __enter__(self) -> EventSubscription:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
