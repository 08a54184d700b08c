"""Closed and open loops of calls for the commands benchmark."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from bench.command_requests import CALL_TIMEOUT

OPEN_LOOP_LEAD = 0.05  # seconds between preparing the open loop and its first send
RequestT = TypeVar("RequestT")


@dataclass(frozen=True)
class ClosedLoop(Generic[RequestT]):
    """What a closed-loop run sent and received, and how long it took."""

    exchanges: list[tuple[RequestT, Any]]
    seconds: float

    @property
    def rate(self) -> float:
        """Replies per second."""
        return len(self.exchanges) / self.seconds


@dataclass(frozen=True)
class OpenLoop(Generic[RequestT]):
    """What an open-loop run sent and received, each call's latency and the rates."""

    exchanges: list[tuple[RequestT, Any]]
    latencies: list[float]
    offered: float
    achieved: float
    send_lag: float  # the largest delay of a send past its scheduled instant, in seconds


def call_until(
    call: Callable[..., Any], deadline: float, requests: Iterator[RequestT]
) -> list[tuple[RequestT, Any]]:
    """Send requests one after the other until the deadline passes or they run out."""
    exchanges = []
    while time.perf_counter() < deadline:
        request = next(requests, None)
        if request is None:
            break
        exchanges.append((request, call(request, timeout=CALL_TIMEOUT)))
    return exchanges


def closed_loop(
    call: Callable[..., Any], sources: Sequence[Iterator[RequestT]], seconds: float
) -> ClosedLoop[RequestT]:
    """One thread per source sends its requests back to back for seconds (or until it runs
    out); the replies and the time from the start to the last reply."""
    with ThreadPoolExecutor(len(sources)) as callers:
        started = time.perf_counter()
        sent = list(callers.map(partial(call_until, call, started + seconds), sources))
        elapsed = time.perf_counter() - started
    return ClosedLoop([exchange for exchanges in sent for exchange in exchanges], elapsed)


def open_loop(
    call: Any, requests: Sequence[RequestT], rate: float, what: str
) -> OpenLoop[RequestT]:
    """Send requests with call.future, one every 1/rate s from one thread whatever the replies
    do; latency from each call's scheduled send to its reply. Fails if any call failed, saying
    how late the sends came (a client that stalled sends a burst when it wakes)."""
    interval = 1.0 / rate
    finished_at = [0.0] * len(requests)
    send_lag = 0.0
    finished = threading.Semaphore(0)

    def note_finish(index: int, _: object) -> None:
        finished_at[index] = time.perf_counter()
        finished.release()

    futures = []
    first = time.perf_counter() + OPEN_LOOP_LEAD
    for index, request in enumerate(requests):
        delay = first + index * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        else:
            send_lag = max(send_lag, -delay)
        future = call.future(request, timeout=CALL_TIMEOUT)
        future.add_done_callback(partial(note_finish, index))
        futures.append(future)
    for _ in futures:
        finished.acquire()
    failures = [f.exception() for f in futures if f.exception() is not None]
    if failures:
        raise SystemExit(
            f"{what}: {len(failures)} of {len(futures)} calls failed (largest send lag "
            f"{send_lag * 1000:.0f} ms): {failures[0]}"
        )
    latencies = [finished_at[i] - (first + i * interval) for i in range(len(requests))]
    return OpenLoop(
        [(request, f.result()) for request, f in zip(requests, futures, strict=True)],
        latencies,
        rate,
        (len(requests) - 1) / (max(finished_at) - min(finished_at)) if len(requests) > 1 else 0.0,
        send_lag,
    )
