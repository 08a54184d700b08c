"""How statements show figures, money, instants and lags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from reports import shown
from reports.statement import LedgerDigest, Money


def test_a_figure_keeps_the_ledgers_six_decimals() -> None:
    assert shown.figure(Decimal("99.502488")) == "99.502488"


def test_a_figure_with_more_than_six_decimals_is_rounded_half_even() -> None:
    # 0.0000005 lies half-way: half-even keeps the even 6th decimal (0), 0.0000015 goes to 2.
    assert (shown.figure(Decimal("1.0000005")), shown.figure(Decimal("1.0000015"))) == (
        "1",
        "1.000002",
    )


def test_a_figure_drops_trailing_zeros() -> None:
    assert shown.figure(Decimal("99.900")) == "99.9"


def test_no_figure_is_a_dash() -> None:
    assert shown.figure(None) == "—"


def test_money_keeps_the_amounts_decimals_with_its_currency() -> None:
    assert shown.money(Money(Decimal("100.00"), "USD")) == "USD 100.00"


def test_an_instant_is_shown_in_utc() -> None:
    new_york = timezone(timedelta(hours=-4))

    assert shown.instant(datetime(2026, 3, 31, 20, 5, tzinfo=new_york)) == "2026-04-01T00:05:00Z"


def test_an_instant_with_microseconds_keeps_them() -> None:
    assert shown.instant(datetime(2026, 4, 1, 0, 0, 0, 250, tzinfo=UTC)) == (
        "2026-04-01T00:00:00.000250Z"
    )


def test_a_lag_is_days_and_a_clock() -> None:
    assert shown.lag(timedelta(days=2, hours=3, minutes=4, seconds=5)) == "2d 03:04:05"


def test_a_negative_lag_carries_its_sign() -> None:
    assert shown.lag(timedelta(hours=-1, minutes=-30)) == "-0d 01:30:00"


def test_the_verify_command_names_the_digest_as_position_and_hash() -> None:
    digest = LedgerDigest(7, "0f" * 32, None)

    assert shown.verify_command(digest) == f"sla-ledger verify --expect 7:{'0f' * 32}"
