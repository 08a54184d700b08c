"""The access log's request id and request size, worked out from a request and its metadata."""

from __future__ import annotations

from typing import Any

from service.api.access_log import request_id, request_size
from service.api.registration import _decoder
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb


class _Context:
    def __init__(self, *metadata: tuple[str, str]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> Any:
        return self._metadata


def test_a_request_id_field_wins_over_the_metadata() -> None:
    request = pb.SignAgreementRequest(request_id="own")
    assert request_id(request, _Context(("x-request-id", "other"))) == "own"


def test_an_empty_request_id_field_falls_back_to_the_metadata() -> None:
    request = pb.SignAgreementRequest()
    assert request_id(request, _Context(("x-request-id", "other"))) == "other"


def test_metadata_with_a_control_character_is_not_logged() -> None:
    context = _Context(("x-request-id", "tab\there"))
    assert request_id(pb.GetLedgerDigestRequest(), context) == ""


def test_a_request_without_a_request_id_field_or_metadata_has_none() -> None:
    assert request_id(pb.GetLedgerDigestRequest(), _Context()) == ""


def test_an_undecodable_request_is_sized_as_received() -> None:
    decode = _decoder(pb.GetAgreementRequest)
    assert request_size(decode(b"\xff\xff\xff")) == 3


def test_a_decoded_request_is_sized_as_serialized() -> None:
    request = pb.GetAgreementRequest(agreement_id="sla-1")
    assert request_size(request) == len(request.SerializeToString())
