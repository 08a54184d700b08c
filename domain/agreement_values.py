"""The values an agreement holds: its terms versions, its termination, its standing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.exclusion_standing import RecordedExclusion
from domain.terms import AgreementTerms


@dataclass(frozen=True)
class TermsVersion:
    """One version of an agreement's terms and the business instant it applies from."""

    number: int
    terms: AgreementTerms
    effective_from: datetime
    retroactive: bool
    tier_id: str = ""  # in a subscriber's view: the tier these terms are of

    def __deepcopy__(self, memo: dict[int, object]) -> TermsVersion:
        return self  # immutable: the repository's copies of a cached agreement share it


@dataclass(frozen=True)
class Termination:
    """When and why an agreement ends."""

    effective_at: datetime
    reason: str

    def __deepcopy__(self, memo: dict[int, object]) -> Termination:
        return self  # immutable, shared by copies


@dataclass(frozen=True)
class AgreementStanding:
    """An agreement as it stood at one business instant."""

    agreement_id: str
    as_of: datetime
    terms: TermsVersion
    signed_at: datetime
    termination: Termination | None
    version: int
    # Every exclusion recorded, with its standing (domain/exclusion_standing.py).
    exclusions: tuple[RecordedExclusion, ...] = ()

    @property
    def is_terminated(self) -> bool:
        """Whether the termination had taken effect at as_of."""
        return self.termination is not None and self.termination.effective_at <= self.as_of
