"""A SIGTERM that lands while waitress handles a channel still stops the portal."""

from __future__ import annotations

import pytest
from waitress import wasyncore

from portal.cli import _StopRequestedError


class _ChannelInterruptedBySigterm:
    """A channel whose read handler is where the SIGTERM handler happens to raise."""

    def __init__(self) -> None:
        self.errors_handled = 0

    def handle_read_event(self) -> None:
        raise _StopRequestedError

    def handle_error(self) -> None:
        self.errors_handled += 1


def test_a_stop_request_raised_inside_a_channel_handler_is_not_swallowed_by_waitress() -> None:
    channel = _ChannelInterruptedBySigterm()
    with pytest.raises(_StopRequestedError):
        wasyncore.read(channel)
    assert channel.errors_handled == 0
