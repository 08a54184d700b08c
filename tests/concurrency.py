"""Running calls at the same time in threads, for tests of concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def run_concurrently(
    calls: Sequence[Callable[[], T]], timeout: float = 60
) -> tuple[list[T], list[BaseException]]:
    """Start every call in its own thread and wait: (results, errors), in completion order."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run(call: Callable[[], T]) -> None:
        try:
            results.append(call())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results, errors
