"""Registering LedgerService so that an undecodable request is INVALID_ARGUMENT, not INTERNAL.

grpcio answers a request its deserializer cannot parse with INTERNAL; a malformed message is a
client's mistake, so the ledger decodes requests itself and refuses such calls as bad input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.message import DecodeError, Message

from domain.errors import Reason
from service.api.auth import Identity, TokenBook, bearer_token, current_identity
from service.api.call_record import current_call
from service.api.errors import CallRefusedError
from service.generated.sla.ledger.v1 import ledger_service_pb2

UNDECODABLE = "the request is not a valid protobuf message of its type"


class _Undecodable:
    """Stands for a request that could not be parsed, and knows its size (the access log's)."""

    def __init__(self, size: int) -> None:
        self._size = size

    def ByteSize(self) -> int:  # noqa: N802 - the name protobuf messages give their size
        """The request's size in bytes, as received."""
        return self._size


def add_ledger_service(servicer: Any, server: grpc.Server, tokens: TokenBook | None = None) -> None:
    """Register every LedgerService method of servicer on server; with tokens, every call must
    carry a bearer token whose role allows the method."""
    service = ledger_service_pb2.DESCRIPTOR.services_by_name["LedgerService"]
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for method in service.methods:
        # The messages may live in any file the service imports (claims.proto, disputes.proto).
        request_class: type[Message] = message_factory.GetMessageClass(method.input_type)
        response_class: type[Message] = message_factory.GetMessageClass(method.output_type)
        behavior = getattr(servicer, method.name)
        if method.server_streaming:
            handlers[method.name] = grpc.unary_stream_rpc_method_handler(
                _guarded_stream(method.name, behavior, tokens),
                request_deserializer=_decoder(request_class),
                response_serializer=response_class.SerializeToString,
            )
        else:
            handlers[method.name] = grpc.unary_unary_rpc_method_handler(
                _guarded(method.name, behavior, tokens),
                request_deserializer=_decoder(request_class),
                response_serializer=response_class.SerializeToString,
            )
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler(service.full_name, handlers),)
    )


def _decoder(request_class: type[Message]) -> Callable[[bytes], Any]:
    def decode(data: bytes) -> Any:
        try:
            return request_class.FromString(data)
        except DecodeError:
            return _Undecodable(len(data))

    return decode


def _admit(
    method: str, request: Any, context: grpc.ServicerContext, tokens: TokenBook | None
) -> Identity | None:
    """The caller's identity, or the call ends: bad request, no valid token, role too narrow."""
    if isinstance(request, _Undecodable):
        raise CallRefusedError(
            grpc.StatusCode.INVALID_ARGUMENT, UNDECODABLE, Reason.UNDECODABLE_REQUEST
        )
    if tokens is None:
        return None
    token = bearer_token(context.invocation_metadata() or ())
    identity = tokens.authenticate(token) if token else None
    if identity is None:
        raise CallRefusedError(
            grpc.StatusCode.UNAUTHENTICATED,
            "a valid bearer token is required (authorization)",
            Reason.INVALID_TOKEN,
        )
    record = current_call.get()
    if record is not None:  # the access log names the caller, even one refused below
        record.principal = identity.name
    if not identity.may_call(method):
        raise CallRefusedError(
            grpc.StatusCode.PERMISSION_DENIED,
            f"the {identity.role.value} role may not call {method}",
            Reason.ROLE_FORBIDS_METHOD,
        )
    return identity


def _guarded(
    method: str, behavior: Callable[[Any, grpc.ServicerContext], Any], tokens: TokenBook | None
) -> Callable[..., Any]:
    def run(request: Any, context: grpc.ServicerContext) -> Any:
        token = current_identity.set(_admit(method, request, context, tokens))
        try:
            return behavior(request, context)
        finally:
            current_identity.reset(token)

    return run


def _guarded_stream(
    method: str,
    behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]],
    tokens: TokenBook | None,
) -> Callable[..., Iterator[Any]]:
    def run(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        token = current_identity.set(_admit(method, request, context, tokens))
        try:
            yield from behavior(request, context)
        finally:
            current_identity.reset(token)

    return run
