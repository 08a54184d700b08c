"""Commands carried out once per request id of their caller; a retry gets the first reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from google.protobuf.message import Message

from domain.errors import AlreadyExistsError, FieldViolation, InvalidArgumentError
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from service.api.auth import Identity, current_identity
from service.api.command_replies import first_event
from service.app.application import LedgerApplication
from service.store.command_requests import (
    CommandRecord,
    CommandRequest,
    RequestCarriedOutError,
    command_request,
)

Reply = TypeVar("Reply")


def carry_out_once(
    app: LedgerApplication,
    method: str,
    message: Message,
    carry_out: Callable[[CommandRequest | None], Reply],
    replay: Callable[[CommandRecord], Reply],
) -> Reply:
    """Carry out a command once per request id in the caller's scope (the token's name with
    tokens, one shared scope without); a retry gets the first reply, rebuilt from the record."""
    request_id = getattr(message, "request_id", "")
    if request_id and not is_identifier(request_id):
        raise InvalidArgumentError([FieldViolation("request_id", f"must be {IDENTIFIER_RULE}")])
    identity = current_identity.get()
    once = command_request(method, message, identity.name if identity is not None else "")
    if once is None:
        return carry_out(None)
    record = app.command_record(once.key) or _recorded_before_scoping(app, once, identity)
    if record is None:
        try:
            return carry_out(once)
        except RequestCarriedOutError as concurrent:
            record = concurrent.record
    if not record.same_call(once):
        raise AlreadyExistsError(
            f"request id {once.request_id!r} was used for a different call; "
            "choose a new id for a new call"
        )
    return replay(record)


def _recorded_before_scoping(
    app: LedgerApplication, once: CommandRequest, identity: Identity | None
) -> CommandRecord | None:
    """A token's request stored under its bare id before ids were scoped: it is the token's
    when the events it appended record the token as their actor."""
    if identity is None:
        return None  # the shared scope is the bare id itself: nothing older to look for
    record = app.command_record(once.request_id)
    if record is None:
        return None
    if getattr(first_event(app, record).event, "actor", "") != identity.actor:
        return None
    return record
