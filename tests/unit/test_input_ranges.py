"""The documented ranges of input values, and refusing a request's violations in one pass."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import FieldViolation, InvalidArgumentError, Violations
from domain.input_ranges import (
    END_OF_INSTANTS,
    END_SECONDS,
    MAX_POSITION,
    instant_seconds_in_range,
    labels_problem,
    parse_iso_date,
    parse_plain_decimal,
    position_problem,
    shown,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("0", "0"), ("99.9", "99.9"), ("1.50", "1.50"), ("-3.25", "-3.25"), ("007", "7")],
)
def test_a_plain_decimal_parses_exactly_as_written(text: str, value: str) -> None:
    parsed = parse_plain_decimal(text)

    assert parsed == Decimal(value)
    assert str(parsed) == str(Decimal(text))


@pytest.mark.parametrize(
    "text",
    [
        "1_000",
        "\u0661\u0660\u0660",  # Arabic-Indic digits
        "\uff11\uff10\uff10",  # full-width digits
        "+5",
        "1E+2",
        "1e-200",
        ".5",
        "5.",
        " 7.25",
        "7.25\n",
        "1,50",
        "NaN",
        "Infinity",
        "",
        "--1",
    ],
)
def test_anything_but_ascii_digits_with_an_optional_point_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a plain decimal"):
        parse_plain_decimal(text)


@pytest.mark.parametrize("text", ["-0", "-0.00"])
def test_a_negative_zero_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="a zero has no sign"):
        parse_plain_decimal(text)


def test_a_decimal_with_more_than_18_digits_before_the_point_is_refused() -> None:
    assert parse_plain_decimal("9" * 18) == Decimal("9" * 18)
    with pytest.raises(ValueError, match="at most 18 digits before the point"):
        parse_plain_decimal("1" + "0" * 199)


def test_a_decimal_with_more_than_6_digits_after_the_point_is_refused() -> None:
    assert parse_plain_decimal("99.999999") == Decimal("99.999999")
    with pytest.raises(ValueError, match="at most 6 digits after the point"):
        parse_plain_decimal("0." + "0" * 199 + "1")


def test_every_accepted_decimal_is_rendered_back_as_written() -> None:
    for text in ("0.000001", "0.000000", "999999999999999999.999999", "100"):
        assert str(parse_plain_decimal(text)) == text


def test_business_instants_lie_from_the_epoch_up_to_2200() -> None:
    assert instant_seconds_in_range(0, 0)
    assert instant_seconds_in_range(END_SECONDS - 1, 999_999_999)
    assert not instant_seconds_in_range(-1, 999_999_999)
    assert not instant_seconds_in_range(END_SECONDS, 0)
    assert not instant_seconds_in_range(0, -1)
    assert END_OF_INSTANTS.timestamp() == END_SECONDS


def test_positions_lie_from_zero_or_one_up_to_two_to_the_53() -> None:
    assert position_problem(0) is None
    assert position_problem(MAX_POSITION) is None
    assert position_problem(-1) is not None
    assert position_problem(MAX_POSITION + 1) is not None
    assert position_problem(0, least=1) is not None


@pytest.mark.parametrize("text", ["20260101", "2026-W01-4", "2026-1-1", "2026-02-30", "1969-12-31"])
def test_a_holiday_not_written_yyyy_mm_dd_within_the_range_is_not_a_date(text: str) -> None:
    assert parse_iso_date(text) is None


def test_a_holiday_written_yyyy_mm_dd_is_a_date() -> None:
    assert parse_iso_date("2026-12-25") == date(2026, 12, 25)


def test_labels_longer_than_128_characters_or_more_than_16_are_too_large() -> None:
    assert labels_problem({"k" * 128: "v" * 128}) is None
    assert labels_problem({"k" * 100_000: "v"}) is not None
    assert labels_problem({"k": "v" * 129}) is not None
    assert labels_problem({"": "v"}) is not None
    assert labels_problem({str(n): "v" for n in range(17)}) is not None


def test_long_text_is_cut_short_when_shown_in_a_refusal() -> None:
    assert len(shown("x" * 100_000)) < 80


def test_a_refusal_also_names_what_the_later_checks_find() -> None:
    violations = Violations()
    violations.add("terms.term_start", "is required")

    with pytest.raises(InvalidArgumentError) as refused:
        violations.raise_if_any(then=lambda: [FieldViolation("terms.time_zone", "unknown")])

    assert [v.field for v in refused.value.violations] == ["terms.term_start", "terms.time_zone"]


def test_a_refusal_leaves_out_what_follows_from_a_field_already_named() -> None:
    violations = Violations()
    violations.add("terms.fee", "is required")
    violations.add("terms.objectives[0].target_percent", "'x' is not a plain decimal")
    later = [
        FieldViolation("terms.fee.amount.currency_code", "'' is not an ISO 4217 currency"),
        FieldViolation("terms.objectives[0].target_percent", "must be above 0"),
        FieldViolation("terms.objectives[0].target", "unrelated, named"),
    ]

    with pytest.raises(InvalidArgumentError) as refused:
        violations.raise_if_any(then=lambda: later)

    assert [v.field for v in refused.value.violations][2:] == ["terms.objectives[0].target"]


def test_the_later_checks_run_only_when_something_was_refused() -> None:
    def fail() -> list[FieldViolation]:
        raise AssertionError("ran")

    Violations().raise_if_any(then=fail)
