"""JSON transcodings for the domain's value objects, so events store them by field name."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.claims import ClaimRule
from domain.credit_caps import CreditCap
from domain.credit_policies import (
    BandsRule,
    BonusRule,
    CountRule,
    CreditBand,
    CreditPolicy,
    StepsRule,
)
from domain.exclusion_rules import ExclusionRules
from domain.exclusions import Exclusion, ExclusionKind
from domain.money import Money
from domain.objectives import (
    CaseClock,
    ClockStop,
    Comparison,
    Indicator,
    ObjectiveRules,
    Schedule,
    Threshold,
)
from domain.period_results import TrackFigures
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit, Tier


class DataclassAsDict(Transcoding):
    """Stores a frozen dataclass as a dict of its fields; fields added later need defaults."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__
        self._fields = [f.name for f in dataclasses.fields(cls)]

    def encode(self, obj: Any) -> dict[str, Any]:
        """The object's fields by name."""
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        """The object rebuilt from its fields."""
        return self.type(**data)


class EnumAsValue(Transcoding):
    """Stores an Enum member as its value."""

    def __init__(self, cls: type[Enum]) -> None:
        self.type = cls
        self.name = cls.__name__
        self._cls = cls

    def encode(self, obj: Enum) -> Any:
        """The member's value."""
        return obj.value

    def decode(self, data: Any) -> Enum:
        """The member with that value."""
        return self._cls(data)


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Register every value object that events carry."""
    for enum_cls in (AgreementKind, PeriodUnit, Indicator, Comparison, ExclusionKind, ClockStop):
        transcoder.register(EnumAsValue(enum_cls))
    for dataclass_cls in (
        Money,
        Party,
        Fee,
        Objective,
        AgreementTerms,
        Tier,
        Threshold,
        Schedule,
        CreditBand,
        BandsRule,
        StepsRule,
        CountRule,
        BonusRule,
        CreditPolicy,
        ObjectiveRules,
        CaseClock,
        Exclusion,
        ExclusionRules,
        TrackFigures,
        CreditCap,
        ClaimRule,
    ):
        transcoder.register(DataclassAsDict(dataclass_cls))
