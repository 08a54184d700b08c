"""The client's generated stubs beside the service's, in one process."""

from __future__ import annotations

import importlib

from google.protobuf import descriptor_pool

SERVICE_MODULE = "sla.ledger.v1.ledger_service_pb2"


def test_the_service_and_the_client_stubs_register_the_same_proto_files_in_one_process() -> None:
    service = importlib.import_module(f"service.generated.{SERVICE_MODULE}")
    client = importlib.import_module(f"sla_ledger_client._generated.{SERVICE_MODULE}")

    pool = descriptor_pool.Default()
    found = pool.FindFileByName("sla/ledger/v1/ledger_service.proto")
    assert service.DESCRIPTOR.serialized_pb == client.DESCRIPTOR.serialized_pb
    assert found.serialized_pb == client.DESCRIPTOR.serialized_pb


def test_a_message_of_the_service_stubs_parses_as_the_client_stubs_message() -> None:
    from sla_ledger_client._generated.sla.ledger.v1 import terms_pb2 as client_terms

    from service.generated.sla.ledger.v1 import terms_pb2 as service_terms

    sent = service_terms.Money(currency_code="EUR", amount="12.50")

    received = client_terms.Money.FromString(sent.SerializeToString())

    assert (received.currency_code, received.amount) == ("EUR", "12.50")
