"""The CSV statement: one row per fact, the values as worked out by hand."""

from __future__ import annotations

import csv
import io

from reports.csv_statement import COLUMNS, render_csv
from tests.unit.reports.sample_statement import DIGEST, sample_statement


def _rows(record: str) -> list[dict[str, str]]:
    rows = csv.DictReader(io.StringIO(render_csv(sample_statement())))
    return [row for row in rows if row["record"] == record]


def test_the_csv_opens_with_its_header() -> None:
    first = render_csv(sample_statement()).split("\r\n", 1)[0]

    assert first.split(",") == list(COLUMNS)


def test_every_row_names_the_digest_and_known_at_it_was_read_at() -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(sample_statement()))))

    assert {(row["digest"], row["known_at"]) for row in rows} == {
        (f"42:{'ab' * 32}", "2026-04-02T09:30:00Z")
    }
    assert DIGEST.position == 42


def test_a_track_row_holds_the_periods_figures() -> None:
    [uptime] = [row for row in _rows("track") if row["objective_id"] == "uptime"]

    # 43,200 good of 43,416: 99.502488%; 216 bad against 43.416 allowed: budget -397.512438%.
    assert (
        uptime["attained"],
        uptime["target"],
        uptime["good"],
        uptime["total"],
        uptime["bad"],
        uptime["budget_remaining_percent"],
        uptime["status"],
    ) == ("99.502488", "99.9", "43200", "43416", "216", "-397.512438", "breached")


def test_the_burn_up_has_one_row_per_day_of_the_month() -> None:
    days = [row["start"] for row in _rows("burn_up")]

    assert (len(days), days[0], days[-1]) == (31, "2026-03-01", "2026-03-31")


def test_a_burn_up_row_holds_the_actual_and_the_target_line_of_its_day() -> None:
    day_15 = next(row for row in _rows("burn_up") if row["start"] == "2026-03-15")

    # 9 a day closed, 310 x 15 / 31 = 150 due by the end of the 15th.
    assert (day_15["attained"], day_15["target"], day_15["end"]) == (
        "135",
        "150",
        "2026-03-16T00:00:00Z",
    )


def test_a_period_without_data_leaves_its_attainment_empty() -> None:
    february = next(row for row in _rows("period_history") if row["period_label"] == "2026-02")

    assert (february["attained"], february["status"]) == ("", "no data")


def test_a_credit_row_holds_its_amount_currency_and_state() -> None:
    [credit] = _rows("credit")

    # 10% of the USD 1,000.00 fee.
    assert (credit["amount"], credit["currency"], credit["state"]) == ("100.00", "USD", "claimed")


def test_an_exclusion_row_holds_its_record_lag_in_seconds() -> None:
    [exclusion] = _rows("exclusion")

    # Ended 2026-03-10 03:00, recorded 2026-03-12 03:00: two days, 172,800 s.
    assert exclusion["record_lag_seconds"] == "172800"


def test_the_net_credit_total_has_its_own_row() -> None:
    [total] = _rows("credit_total")

    assert (total["amount"], total["currency"]) == ("100.00", "USD")
