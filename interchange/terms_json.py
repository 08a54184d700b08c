"""Terms as protobuf JSON files: read (an AgreementTerms, or a request or agreement holding one
under "terms"), merged with imported objectives, written back in the shape they were read."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format

from service.generated.sla.ledger.v1 import terms_pb2

MAX_TERMS_BYTES = 16 * 1024 * 1024


class TermsFileError(ValueError):
    """A terms file that cannot be read as terms."""


@dataclass(frozen=True)
class TermsDocument:
    """Terms and the JSON object they were read from (None when it was the terms themselves)."""

    terms: terms_pb2.AgreementTerms
    envelope: dict[str, Any] | None

    def to_json(self, merged: terms_pb2.AgreementTerms) -> str:
        """Other terms in this document's shape: the envelope with its "terms" replaced."""
        body: dict[str, Any] = json_format.MessageToDict(merged)
        if self.envelope is not None:
            body = {**self.envelope, "terms": body}
        return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def read_terms(text: bytes) -> TermsDocument:
    """Terms from protobuf JSON; TermsFileError saying why when they are not."""
    if len(text) > MAX_TERMS_BYTES:
        raise TermsFileError(f"{len(text)} bytes; at most {MAX_TERMS_BYTES} are read")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise TermsFileError(f"not JSON: {str(error)[:200]}") from None
    if not isinstance(value, dict):
        raise TermsFileError("not a JSON object")
    envelope = value if isinstance(value.get("terms"), dict) else None
    body = value["terms"] if envelope is not None else value
    parsed = terms_pb2.AgreementTerms()
    try:
        json_format.ParseDict(body, parsed)
    except (json_format.ParseError, RecursionError) as error:
        raise TermsFileError(f"not AgreementTerms JSON: {str(error)[:300]}") from None
    return TermsDocument(parsed, envelope)


def merge_objectives(
    base: terms_pb2.AgreementTerms, imported: terms_pb2.AgreementTerms
) -> terms_pb2.AgreementTerms:
    """The base terms with the imported objectives: one of the same id replaced in place, a new
    one added at the end; a tier's objectives likewise within the tier (a new tier added)."""
    merged = terms_pb2.AgreementTerms()
    merged.CopyFrom(base)
    _merge_into(merged.objectives, imported.objectives)
    for tier in imported.tiers:
        target = next((t for t in merged.tiers if t.tier_id == tier.tier_id), None)
        if target is None:
            target = merged.tiers.add(tier_id=tier.tier_id)
        _merge_into(target.objectives, tier.objectives)
    return merged


def _merge_into(objectives: Any, incoming: Any) -> None:
    for objective in incoming:
        place = next(
            (i for i, o in enumerate(objectives) if o.objective_id == objective.objective_id), None
        )
        if place is None:
            objectives.add().CopyFrom(objective)
        else:
            objectives[place].CopyFrom(objective)
