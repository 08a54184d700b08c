"""Translation of credit states (domain/credit_lifecycle.py CreditStatus) to and from
sla.ledger.v1.CreditState."""

from __future__ import annotations

from collections.abc import Sequence

from domain.credit_lifecycle import CreditStatus
from domain.errors import Violations
from service.generated.sla.ledger.v1 import credit_states_pb2 as states_pb

CREDIT_STATE_TO_PROTO: dict[str, states_pb.CreditState] = {
    CreditStatus.ELIGIBLE.value: states_pb.CREDIT_STATE_ELIGIBLE,
    CreditStatus.CLAIMED.value: states_pb.CREDIT_STATE_CLAIMED,
    CreditStatus.APPROVED.value: states_pb.CREDIT_STATE_APPROVED,
    CreditStatus.SETTLED.value: states_pb.CREDIT_STATE_SETTLED,
    CreditStatus.DENIED.value: states_pb.CREDIT_STATE_DENIED,
    CreditStatus.FORFEITED.value: states_pb.CREDIT_STATE_FORFEITED,
    CreditStatus.VOID.value: states_pb.CREDIT_STATE_VOID,
}
CREDIT_STATE_FROM_PROTO: dict[int, str] = {
    code: name for name, code in CREDIT_STATE_TO_PROTO.items()
}
MAX_STATES = len(CREDIT_STATE_TO_PROTO)


def credit_state_to_proto(state: str) -> states_pb.CreditState:
    """The CreditState of a stored status; unspecified for "" (a bonus line)."""
    return CREDIT_STATE_TO_PROTO.get(state, states_pb.CREDIT_STATE_UNSPECIFIED)


def credit_states_from_proto(
    states: Sequence[int], path: str, violations: Violations
) -> tuple[str, ...]:
    """The stored statuses a listing filter asks for, sorted and once each (empty: any); a
    violation for too many entries or an entry that is not a known state."""
    if len(states) > MAX_STATES:
        violations.add(path, f"must hold at most {MAX_STATES} states")
        return ()
    names = set()
    for index, code in enumerate(states):
        name = CREDIT_STATE_FROM_PROTO.get(code)
        if name is None:
            violations.add(f"{path}[{index}]", "must be a known credit state, not unspecified")
        else:
            names.add(name)
    return tuple(sorted(names))
