"""SubscribeEvents: following the log from a position."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import grpc

from domain.errors import Reason, Violations
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.input_ranges import shown
from projections.log_source import LoggedEvent, LoggedNotification
from projections.read_models import ReadModels
from service.api.errors import CallRefusedError
from service.api.event_encoder import PAYLOAD_NAMES, PAYLOAD_TOPICS
from service.api.mapping.events import logged_event_to_proto
from service.api.mapping.scalars import position_from_proto
from service.app.application import LedgerApplication
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.event_limits import item_bytes

SHUTTING_DOWN = "the server is shutting down; resubscribe after the last log_position received"


@dataclass(frozen=True)
class _Selection:
    """What one subscription asked for; empty means everything."""

    agreement_id: str
    names: frozenset[str]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class _Page:
    """One read: the matching events as (position, encoded LedgerEvent), and how far it reached.

    full means more may follow at once (read again without waiting).
    """

    events: Sequence[tuple[int, bytes]]
    scanned: int
    full: bool


class EventStreams:
    """Serves SubscribeEvents streams and ends them when the server stops.

    A stream starts after ``after_position`` and reads the log in pages of ``batch_size``
    notifications. While catching up, each page's matching events go out as one response (split
    only to keep a response under ``max_batch_bytes``); once a page comes back short the stream is
    live and polls the log every ``poll_seconds``, sending each new matching event in its own
    response (a full page, after a burst of writes, is batched again). When nothing was sent for
    ``heartbeat_seconds`` it sends a heartbeat: a response without events. Every response's
    ``log_position`` is the highest position scanned, including events filtered out, so a
    subscriber that resubscribes after it misses nothing and receives nothing twice.

    The database is polled (SQLite cannot notify; polling works on PostgreSQL too). Positions are
    committed in log order by both recorders, which is what lets a short read claim every position
    up to the head read just before it.

    Capacity: the gRPC server runs handlers on a bounded thread pool (``--workers``, default 16)
    and accepts at most ``workers * 4`` calls at once. Each open stream holds one worker thread
    for as long as it is open, so N subscribers leave ``workers - N`` threads for every other
    call. So that subscribers can never starve the other calls, at most ``max_streams`` streams
    (the server sets half of ``--workers``) are open at once; one more gets RESOURCE_EXHAUSTED.

    A stream ends when the client cancels it (CANCELLED) or when :meth:`close` is called at
    server shutdown (UNAVAILABLE: resubscribe elsewhere or later). Bad requests end with
    INVALID_ARGUMENT and a google.rpc.BadRequest naming each bad field.
    """

    def __init__(
        self,
        app: LedgerApplication,
        *,
        read_models: ReadModels | None = None,
        batch_size: int = 500,
        poll_seconds: float = 0.05,
        heartbeat_seconds: float = 5.0,
        max_batch_bytes: int = 4 * 1024 * 1024,
        max_streams: int | None = None,
    ) -> None:
        if batch_size < 1 or poll_seconds <= 0 or heartbeat_seconds <= 0 or max_batch_bytes < 1:
            raise ValueError("batch size, poll and heartbeat intervals and bytes must be positive")
        self._app = app
        self._read_models = read_models
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._heartbeat_seconds = heartbeat_seconds
        self._max_batch_bytes = max_batch_bytes
        self._max_streams = max_streams
        self._lock = threading.Lock()
        self._closed = False
        self._open: set[threading.Event] = set()

    def stream(
        self, request: pb.SubscribeEventsRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.SubscribeEventsResponse]:
        """The responses of one subscription, until the client cancels or the server stops."""
        stop = threading.Event()
        with self._lock:
            closed = self._closed
            full = self._max_streams is not None and len(self._open) >= self._max_streams
            if not closed and not full:
                self._open.add(stop)
        if closed:
            raise CallRefusedError(grpc.StatusCode.UNAVAILABLE, SHUTTING_DOWN, Reason.SHUTTING_DOWN)
        if full:
            raise CallRefusedError(
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                f"at most {self._max_streams} event streams per server; retry later",
                Reason.TOO_MANY_STREAMS,
            )
        try:
            if not context.add_callback(stop.set):
                return  # the call has already ended
            yield from self._follow(request, context, stop)
        finally:
            with self._lock:
                self._open.discard(stop)
        if self._closed and context.is_active():
            raise CallRefusedError(grpc.StatusCode.UNAVAILABLE, SHUTTING_DOWN, Reason.SHUTTING_DOWN)

    def open_count(self) -> int:
        """How many streams are open now."""
        with self._lock:
            return len(self._open)

    def close(self) -> None:
        """End every open stream promptly, and refuse new ones."""
        with self._lock:
            self._closed = True
            waiting = list(self._open)
        for stop in waiting:
            stop.set()

    def _follow(
        self,
        request: pb.SubscribeEventsRequest,
        context: grpc.ServicerContext,
        stop: threading.Event,
    ) -> Iterator[pb.SubscribeEventsResponse]:
        selection = _selection(request)
        position = request.after_position
        live = False
        quiet_since = time.monotonic()
        while not stop.is_set() and context.is_active():
            page = self._read(selection, position)
            sent = False
            for response in self._responses(page, batched=page.full or not live):
                yield response
                sent = True
                if stop.is_set():
                    return  # a page of large events takes a while: stop between its responses
            position = page.scanned
            live = not page.full
            now = time.monotonic()
            if sent:
                quiet_since = now
            elif now - quiet_since >= self._heartbeat_seconds:
                yield pb.SubscribeEventsResponse(log_position=position)
                quiet_since = now
            if live:
                stop.wait(self._poll_seconds)

    def _read(self, selection: _Selection, position: int) -> _Page:
        models = self._read_models
        if models is None:
            return self._read_log(selection, position, self._batch_size)
        encoded_up_to = models.encodings_position()
        if encoded_up_to <= position:
            return self._read_log(selection, position, self._batch_size)
        events, cut = models.read_encoded(
            position,
            encoded_up_to,
            self._batch_size,
            selection.agreement_id,
            sorted(selection.names),
            self._max_batch_bytes,
        )
        if cut or len(events) == self._batch_size:
            return _Page(events, events[-1][0], True)
        # Everything up to encoded_up_to was encoded; the rest of the page comes from the log.
        rest = self._read_log(selection, encoded_up_to, self._batch_size - len(events))
        return _Page([*events, *rest.events], rest.scanned, rest.full)

    def _read_log(self, selection: _Selection, position: int, limit: int) -> _Page:
        """Up to limit notifications after position, mapped and filtered, read a chunk at a time
        and no further than max_batch_bytes of encodings."""
        filtered = bool(selection.agreement_id or selection.topics)
        # Read before the page: every position up to it is committed, so a short filtered page
        # has scanned that far even when nothing there matched.
        head = self._app.event_log.head() if filtered else 0
        found: list[tuple[int, bytes]] = []
        used, read, last = 0, 0, position
        # An agreement's notifications are read whatever their topic and filtered here.
        topics = () if selection.agreement_id else selection.topics
        for chunk in self._app.event_log.chunks(
            position + 1, limit, selection.agreement_id, topics
        ):
            for notification, encoded in self._encode(chunk, selection):
                last = notification.position
                if encoded is not None:
                    found.append((notification.position, encoded))
                    used += len(encoded)
                if used >= self._max_batch_bytes:
                    return _Page(found, last, True)
            read += len(chunk)
        full = read == limit
        scanned = last if full else max(position, head, last)
        return _Page(found, scanned, full)

    def _responses(self, page: _Page, *, batched: bool) -> Iterator[pb.SubscribeEventsResponse]:
        most = self._batch_size if batched else 1
        pending: list[bytes] = []
        size = 0
        last = 0
        for position, encoded in page.events:
            cost = item_bytes(len(encoded))
            if pending and (len(pending) >= most or size + cost > self._max_batch_bytes):
                yield _response(pending, last)
                pending, size = [], 0
            pending.append(encoded)
            size += cost
            last = position
        if pending:
            yield _response(pending, page.scanned)

    def _encode(
        self, notifications: Iterable[LoggedNotification], selection: _Selection
    ) -> Iterator[tuple[LoggedNotification, bytes | None]]:
        """Each notification with its encoding, None when the selection leaves it out."""
        for notification in notifications:
            if selection.topics and notification.topic not in selection.topics:
                yield notification, None
                continue
            message = logged_event_to_proto(
                LoggedEvent(notification.position, notification.event())
            )
            if not selection.names or message.WhichOneof("payload") in selection.names:
                yield notification, message.SerializeToString()
            else:
                yield notification, None


def _response(encoded: Sequence[bytes], log_position: int) -> pb.SubscribeEventsResponse:
    """A response holding already serialized LedgerEvents, parsed once by protobuf's C core."""
    response = pb.SubscribeEventsResponse(log_position=log_position)
    response.MergeFromString(b"".join(_EVENTS_TAG + _varint(len(e)) + e for e in encoded))
    return response


_EVENTS_TAG = bytes([1 << 3 | 2])  # field 1 (events), wire type 2 (length-delimited)


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _selection(request: pb.SubscribeEventsRequest) -> _Selection:
    """What the request selects; INVALID_ARGUMENT naming every bad field."""
    violations = Violations()
    position_from_proto(request.after_position, "after_position", violations)
    for index, name in enumerate(request.event_types):
        if name not in PAYLOAD_NAMES:
            violations.add(
                f"event_types[{index}]",
                f"unknown event type {shown(name)}; expected one of {', '.join(PAYLOAD_TOPICS)} "
                "or their JSON names (creditIssued)",
            )
    if request.agreement_id and not is_identifier(request.agreement_id):
        violations.add("agreement_id", f"must be empty or {IDENTIFIER_RULE}")
    violations.raise_if_any()
    names = frozenset(PAYLOAD_NAMES[name] for name in request.event_types)
    topics = tuple(sorted(topic for name in names for topic in PAYLOAD_TOPICS[name]))
    return _Selection(request.agreement_id, names, topics)
