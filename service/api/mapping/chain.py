"""Digests of the hash chain between the domain of the chain and protobuf."""

from __future__ import annotations

from domain.errors import Violations
from service.api.mapping.scalars import position_from_proto
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.ledger_chain import Digest

HASH_HEX_DIGITS = 64


def digest_to_proto(digest: Digest) -> pb.LedgerDigest:
    """The message for a digest."""
    return pb.LedgerDigest(log_position=digest.position, sha256_hex=digest.hex)


def digest_from_proto(message: pb.LedgerDigest, path: str, violations: Violations) -> Digest:
    """The digest a message names; violations for a bad position or hash."""
    position_from_proto(message.log_position, f"{path}.log_position", violations)
    text = message.sha256_hex.lower()
    if len(text) != HASH_HEX_DIGITS or any(c not in "0123456789abcdef" for c in text):
        violations.add(f"{path}.sha256_hex", f"must be {HASH_HEX_DIGITS} hexadecimal digits")
        return Digest(message.log_position, bytes(32))
    return Digest(message.log_position, bytes.fromhex(text))
