"""Commands carried out once per request id of their caller; a retry gets the first reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from google.protobuf.message import Message

from domain.agreement import AgreementStanding, replay_agreement
from domain.errors import AlreadyExistsError, FieldViolation, InvalidArgumentError, Reason
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from service.app.event_log import EventLog
from service.store.command_requests import (
    CommandRecord,
    CommandRequest,
    RequestCarriedOutError,
    command_request,
)
from service.store.ledger_recorder import LedgerRecorder

Reply = TypeVar("Reply")


class Caller(Protocol):
    """Whose request ids a call's id is one of: a token's name, and the actor it records."""

    @property
    def name(self) -> str:
        """The scope of the caller's request ids."""
        ...

    @property
    def actor(self) -> str:
        """The actor the caller's events record."""
        ...


class Idempotency:
    """The records of commands carried out under request ids, and the rule for retries."""

    def __init__(self, recorder: LedgerRecorder, log: EventLog) -> None:
        self._recorder = recorder
        self._log = log

    def command_record(self, key: str) -> CommandRecord | None:
        """What the command stored under this request key (CommandRequest.key) appended, if it
        was carried out."""
        return self._recorder.command_record(key)

    def raise_if_carried_out(self, request: CommandRequest | None) -> None:
        """After a conflict: if it was a concurrent call with the same request id, say so."""
        if request is not None:
            record = self.command_record(request.key)
            if record is not None:
                raise RequestCarriedOutError(record)

    def carry_out_once(
        self,
        method: str,
        message: Message,
        caller: Caller | None,
        carry_out: Callable[[CommandRequest | None], Reply],
        replay: Callable[[CommandRecord], Reply],
    ) -> Reply:
        """Carry out a command once per request id in the caller's scope (the token's name with
        tokens, one shared scope without); a retry gets the first reply, rebuilt from the
        record."""
        request_id = getattr(message, "request_id", "")
        if request_id and not is_identifier(request_id):
            raise InvalidArgumentError([FieldViolation("request_id", f"must be {IDENTIFIER_RULE}")])
        once = command_request(method, message, caller.name if caller is not None else "")
        if once is None:
            return carry_out(None)
        record = self.command_record(once.key) or self._recorded_before_scoping(once, caller)
        if record is None:
            try:
                return carry_out(once)
            except RequestCarriedOutError as concurrent:
                record = concurrent.record
        if not record.same_call(once):
            raise AlreadyExistsError(
                f"request id {once.request_id!r} was used for a different call; "
                "choose a new id for a new call",
                reason=Reason.REQUEST_ID_REUSED,
            )
        return replay(record)

    def signing(self, record: CommandRecord) -> tuple[AgreementStanding, int]:
        """A recorded SignAgreement's standing at signing and the log position, as first
        answered."""
        signed = self._log.event_at(record.first_position)
        agreement = replay_agreement([signed.event])
        assert agreement is not None
        return agreement.standing_at(signed.event.signed_at), signed.position

    def _recorded_before_scoping(
        self, once: CommandRequest, caller: Caller | None
    ) -> CommandRecord | None:
        """A token's request stored under its bare id before ids were scoped: it is the
        token's when the events it appended record the token as their actor."""
        if caller is None:
            return None  # the shared scope is the bare id itself: nothing older to look for
        record = self.command_record(once.request_id)
        if record is None:
            return None
        if getattr(self._log.event_at(record.first_position).event, "actor", "") != caller.actor:
            return None
        return record
