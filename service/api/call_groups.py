"""What every group of LedgerService methods shares: the application, the customer scope, and
carrying a command out once per request id."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from google.protobuf.message import Message

from service.api.access import CustomerScope
from service.api.auth import current_identity
from service.app.application import LedgerApplication
from service.store.command_requests import CommandRecord, CommandRequest

Reply = TypeVar("Reply")


class CallGroup:
    """Base of the method groups mixed into LedgerServicer, which sets these attributes."""

    _app: LedgerApplication
    _access: CustomerScope

    def _once(
        self,
        method: str,
        message: Message,
        carry_out: Callable[[CommandRequest | None], Reply],
        replay: Callable[[CommandRecord], Reply],
    ) -> Reply:
        """Carry out a command once per request id of the caller: a retry gets the first reply."""
        return self._app.idempotency.carry_out_once(
            method, message, current_identity.get(), carry_out, replay
        )
