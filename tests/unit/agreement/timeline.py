"""Dates, fixture types and helpers the Agreement aggregate tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from domain.agreement import Agreement
from domain.terms import AgreementTerms

MakeTerms = Callable[..., AgreementTerms]
Sign = Callable[..., Agreement]
Collect = Callable[[Agreement], list[Agreement.Event]]
Replay = Callable[[Iterable[Agreement.Event]], Agreement]

SIGNED_AT = datetime(2023, 12, 1, 12, 0, tzinfo=UTC)
SIGN_RECORDED_AT = datetime(2023, 12, 1, 12, 0, 5, tzinfo=UTC)
TERM_START = datetime(2024, 1, 1, tzinfo=UTC)
MARCH = datetime(2024, 3, 1, tzinfo=UTC)
FEBRUARY = datetime(2024, 2, 1, tzinfo=UTC)
JUNE = datetime(2024, 6, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)
