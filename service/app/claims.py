"""The claim lifecycle's commands: claim, decide, settle; each appends at its credit's stream head.

A credit is named by (agreement, customer, objective, period label): for a service SLA the
customer is the subscriber whose period stream holds the credit (required); for any other
agreement it may be empty or the agreement's customer. The stream's version is the credit's
version: expected_version is checked against it (ABORTED when stale), and a concurrent command
on the same credit loses the store's unique (stream, version) and is ABORTED too when the caller
gave an expected version, re-derived otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from domain.claim_decisions import CreditName, SettlementOrder, claim, decide, settle
from domain.credit_lifecycle import CreditState, credit_state
from domain.errors import (
    FieldViolation,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    Reason,
    VersionConflictError,
)
from domain.identifiers import IDENTIFIER_RULE, is_identifier, period_stream
from domain.money import Money
from domain.period_results import PeriodEvent
from domain.resource_names import agreement_name, credit_name
from domain.terms import AgreementTerms
from service.store.command_requests import CommandRecord, CommandRequest
from service.store.ledger_recorder import AppendExtras

if TYPE_CHECKING:
    from service.app.application import LedgerApplication

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class CreditKey:
    """Names one credit."""

    agreement_id: str
    customer_id: str
    objective_id: str
    period_label: str

    def describe(self) -> str:
        """How refusals name the credit."""
        whose = f" of customer {self.customer_id}" if self.customer_id else ""
        return (
            f"the credit of period {self.period_label} of objective {self.objective_id!r}"
            f"{whose} of agreement {self.agreement_id}"
        )

    def name(self) -> CreditName:
        """The credit in words and by its relative name, for refusals."""
        resource = credit_name(
            self.agreement_id, self.objective_id, self.period_label, self.customer_id
        )
        return CreditName(self.describe(), resource)


@dataclass(frozen=True)
class Settling:
    """One settlement of a batch: its credit, the order and the version the caller read."""

    credit: CreditKey
    order: SettlementOrder
    expected_version: int | None = None


@dataclass(frozen=True)
class CreditAfter:
    """A credit's state after a command, and the log position of the command's last event."""

    state: CreditState
    log_position: int


class Claims:
    """Claim, decide and settle credits."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def claim(
        self,
        credit: CreditKey,
        claim_reference: str,
        evidence: str,
        *,
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> CreditAfter:
        """Claim the credit's eligible amount."""
        return self._one(
            credit,
            expected_version,
            request,
            lambda events, now: [claim(events, claim_reference, evidence, now, credit.name())],
        )

    def decide(
        self,
        credit: CreditKey,
        approved: Money | None,
        reason: str,
        *,
        dispute_id: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> CreditAfter:
        """Decide the credit's open claim: approve approved (None: all of it), deny the rest.
        With dispute_id (a dispute upheld about a denied claim), approve approved of what was
        denied (None: all of it)."""
        return self._one(
            credit,
            expected_version,
            request,
            lambda events, now: [
                decide(events, approved, reason, now, credit.name(), dispute_id=dispute_id)
            ],
        )

    def settle(
        self, batch: Sequence[Settling], *, request: CommandRequest | None = None
    ) -> tuple[list[CreditState], int, int]:
        """Record a batch of settlements, all or none; each credit named after the batch (in the
        order first named), and the first and last log positions appended."""
        named = self._stream_names([item.credit for item in batch])
        names: dict[str, CreditKey] = {}  # stream -> the credit as first named
        for item, name in zip(batch, named, strict=True):
            names.setdefault(name, item.credit)
        for _ in range(MAX_ATTEMPTS):
            now = self._app.now()
            events: list[PeriodEvent] = []
            after: list[list[PeriodEvent]] = []
            for name, key in names.items():
                stream = self._events(name)
                items = [i for i, n in zip(batch, named, strict=True) if n == name]
                with self._answered_once(request):
                    for item in items:
                        _check_version(key, stream, item.expected_version)
                    new = settle(stream, [i.order for i in items], now, key.name())
                events.extend(new)
                after.append([*stream, *new])
            try:
                recordings = self._app.save(*events, extras=AppendExtras(command_request=request))
            except IntegrityError:
                self._app.idempotency.raise_if_carried_out(request)
                if any(item.expected_version is not None for item in batch):
                    raise _concurrent(next(iter(names.values()))) from None
                continue
            states = [_state(stream) for stream in after]
            return states, recordings[0].notification.id, recordings[-1].notification.id
        raise _concurrent(next(iter(names.values())))

    def carried_out(self, record: CommandRecord, credits: Sequence[CreditKey]) -> list[CreditState]:
        """The credits as a recorded claim, decision or settlement left them: the reply a retry
        of that request gets."""
        return [
            _state(self._events(name, until=record.last_position))
            for name in self._stream_names(credits)
        ]

    def stream_events(self, credit: CreditKey) -> list[PeriodEvent]:
        """Every event of the credit's period stream, in order."""
        return self._events(self._stream_names([credit])[0])

    def _events(self, stream: str, until: int | None = None) -> list[PeriodEvent]:
        log = self._app.event_log
        return [
            log.decode(n)
            for n in log.stream_notifications([stream])
            if until is None or n.id <= until
        ]

    def _stream_names(self, credits: Sequence[CreditKey]) -> list[str]:
        """The period stream holding each credit (each agreement read once); NOT_FOUND for an
        unknown agreement or a customer it has no credits for."""
        terms_of: dict[str, AgreementTerms] = {}
        names = []
        for credit in credits:
            if credit.agreement_id not in terms_of:
                agreement = self._app.agreements.find_agreement(credit.agreement_id)
                if agreement is None:
                    raise NotFoundError(
                        f"agreement {credit.agreement_id} does not exist",
                        resource_type="agreement",
                        resource_name=agreement_name(credit.agreement_id),
                    )
                terms_of[credit.agreement_id] = agreement.current_terms.terms
            names.append(_stream_name(credit, terms_of[credit.agreement_id]))
        return names

    @contextmanager
    def _answered_once(self, request: CommandRequest | None) -> Iterator[None]:
        """A refusal met by a retry whose request was carried out meanwhile (the claim made,
        the version moved on) becomes that request's answer (RequestCarriedOutError)."""
        try:
            yield
        except LedgerError:
            self._app.idempotency.raise_if_carried_out(request)
            raise

    def _one(
        self,
        credit: CreditKey,
        expected_version: int | None,
        request: CommandRequest | None,
        derive: Callable[[list[PeriodEvent], datetime], list[PeriodEvent]],
    ) -> CreditAfter:
        for _ in range(MAX_ATTEMPTS):
            stream = self.stream_events(credit)
            with self._answered_once(request):
                _check_version(credit, stream, expected_version)
                events = derive(stream, self._app.now())
            try:
                recordings = self._app.save(*events, extras=AppendExtras(command_request=request))
            except IntegrityError:
                self._app.idempotency.raise_if_carried_out(request)
                if expected_version is not None:
                    raise _concurrent(credit) from None
                continue
            return CreditAfter(_state([*stream, *events]), recordings[-1].notification.id)
        raise _concurrent(credit)


def _stream_name(credit: CreditKey, terms: AgreementTerms) -> str:
    """The period stream holding a credit of an agreement with these (newest) terms."""
    if terms.is_service_sla:
        if not is_identifier(credit.customer_id):
            rule = f"a service SLA's credits are its subscribers': {IDENTIFIER_RULE}"
            raise InvalidArgumentError([FieldViolation("credit.customer_id", rule)])
        customer = credit.customer_id
    else:
        if credit.customer_id and credit.customer_id != terms.customer.party_id:
            raise NotFoundError(
                f"agreement {credit.agreement_id} has no credits of customer {credit.customer_id}",
                resource_type="credit",
                resource_name=credit.name().resource_name,
            )
        customer = ""
    return period_stream(credit.agreement_id, credit.objective_id, credit.period_label, customer)


def _check_version(credit: CreditKey, stream: Sequence[PeriodEvent], expected: int | None) -> None:
    version = stream[-1].originator_version if stream else 0
    if expected is not None and expected != version:
        raise VersionConflictError(
            f"{credit.describe()} is at version {version}, not the expected {expected}; "
            "read it again",
            reason=Reason.EXPECTED_VERSION_MISMATCH,
        )


def _concurrent(credit: CreditKey) -> VersionConflictError:
    return VersionConflictError(f"{credit.describe()} was changed concurrently; read it again")


def _state(stream: Sequence[PeriodEvent]) -> CreditState:
    state = credit_state(stream)
    assert state is not None, "a command appended to a credit that has none"
    return state
