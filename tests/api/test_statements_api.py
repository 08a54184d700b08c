"""`sla-ledger report` against a real server: a month signed, recorded and closed, stated as
HTML, PDF and CSV, and the statement's digest held to the ledger with `sla-ledger verify`.

One server is seeded for the module (tests/api/statement_ledger.py, figures by hand); the tests
only read it.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import datetime

import grpc
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests.api import statement_commands as commands
from tests.api import statement_ledger as ledger
from tests.api.server_process import ServerProcess
from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url
from tests.api.statement_commands import Seeded

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def database_url_of_module(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database for the module's server: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('ledger') / 'ledger.db'}"
        return
    parsed = make_url(str(request.getfixturevalue("postgres_server_url")))
    schema = f"test_{uuid.uuid4().hex[:12]}"
    yield parsed.update_query_dict({"schema": schema}).render_as_string(hide_password=False)
    for attempt in range(5):  # a killed server's last transaction may still be ending
        try:
            with psycopg.connect(
                dbname=parsed.database,
                host=parsed.host,
                port=parsed.port or 5432,
                user=parsed.username,
                password=parsed.password or "",
                autocommit=True,
            ) as connection:
                connection.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
                )
            return
        except psycopg.errors.DeadlockDetected:
            if attempt == 4:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def seeded(
    database_url_of_module: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    workdir = tmp_path_factory.mktemp("statements")
    database_url = database_url_of_module
    tokens = ledger.write_tokens(workdir / "tokens.json")
    process = subprocess.Popen(
        [
            *commands.CLI,
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
            "--close-periods",
            "off",
            "--tokens",
            str(tokens),
            "--log-level",
            "INFO",
        ],
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    server = ServerProcess(process)
    try:
        port = int(server.wait_for_log("listening", commands.DEADLINE_SECONDS)["port"])
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=commands.DEADLINE_SECONDS)
        written = ledger.seed(pb_grpc.LedgerServiceStub(channel))
        channel.close()
        yield Seeded(f"127.0.0.1:{port}", database_url, written, workdir, {})
    finally:
        server.kill()


def test_the_statements_digest_is_the_ledgers_head(seeded: Seeded) -> None:
    digest, _ = commands.written(seeded, "csv")

    assert digest.split(":")[0] == str(seeded.seeded.head_position)


def test_verify_holds_the_ledger_to_the_statements_digest(seeded: Seeded) -> None:
    digest, _ = commands.written(seeded, "html")

    verified = commands.run(
        [*commands.CLI, "verify", "--database-url", seeded.database_url, "--expect", digest]
    )

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["digest"] == digest


def test_verify_refuses_the_statements_position_with_another_hash(seeded: Seeded) -> None:
    digest, _ = commands.written(seeded, "html")
    position = digest.split(":")[0]

    forged = commands.run(
        [
            *commands.CLI,
            "verify",
            "--database-url",
            seeded.database_url,
            "--expect",
            f"{position}:{'0' * 64}",
        ]
    )

    assert forged.returncode == 1


def test_the_html_statement_shows_the_digest_and_the_attainment(seeded: Seeded) -> None:
    digest, output = commands.written(seeded, "html")
    page = output.read_text(encoding="utf-8")

    assert f'data-testid="statement-digest">{digest}<' in page
    assert f">{ledger.ATTAINED}<" in page


def test_the_html_statement_holds_both_burn_up_charts(seeded: Seeded) -> None:
    _, output = commands.written(seeded, "html")
    page = output.read_text(encoding="utf-8")

    assert "Burn-up of availability in 2026-03</title>" in page
    assert "Burn-up of deployments in 2026-03</title>" in page


def test_the_pdf_statement_renders_to_a_page_that_is_not_blank(seeded: Seeded) -> None:
    pdftoppm = commands.poppler("pdftoppm")
    _, output = commands.written(seeded, "pdf")

    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            str(output),
            str(output.with_suffix("")),
        ],
        check=True,
        timeout=commands.DEADLINE_SECONDS,
    )

    [page] = output.parent.glob(f"{output.stem}-*1.png")
    image = page.read_bytes()
    assert image.startswith(PNG_SIGNATURE)
    assert len(set(image[200:])) > 16  # a blank page compresses to a few repeated bytes


def test_the_pdf_statements_text_holds_the_verify_command_and_the_figures(
    seeded: Seeded,
) -> None:
    pdftotext = commands.poppler("pdftotext")
    digest, output = commands.written(seeded, "pdf")

    text = subprocess.run(
        [pdftotext, "-layout", str(output), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert f"sla-ledger verify --expect {digest}" in text
    assert ledger.ATTAINED in text and f"EUR {ledger.CREDIT}" in text


def test_the_csv_statement_holds_the_closed_figures_of_availability(
    seeded: Seeded,
) -> None:
    [track] = [
        r
        for r in commands.csv_rows(seeded)
        if r["record"] == "track" and r["objective_id"] == "availability"
    ]

    # 44,490 good of 44,580 (the excluded hour left out); 90 bad against 44.58 allowed.
    assert (track["attained"], track["good"], track["total"], track["excluded"]) == (
        ledger.ATTAINED,
        "44490",
        "44580",
        "1",
    )
    assert (track["status"], track["budget_remaining_percent"]) == ("breached", "-101.884253")


def test_the_csv_burn_up_has_one_point_per_day_with_the_target_line(
    seeded: Seeded,
) -> None:
    points = [
        r
        for r in commands.csv_rows(seeded)
        if r["record"] == "burn_up" and r["objective_id"] == "deployments"
    ]
    day_15 = next(p for p in points if p["start"] == "2026-03-15")

    # 9 a day: 135 by the end of the 15th, against 310 x 15 / 31 = 150.
    assert (len(points), day_15["attained"], day_15["target"]) == (31, "135", "150")


def test_the_csv_statement_holds_the_credit_with_its_state(seeded: Seeded) -> None:
    [credit] = [r for r in commands.csv_rows(seeded) if r["record"] == "credit"]

    # 10% of EUR 1,000.00, claimed after the close.
    assert (credit["amount"], credit["currency"], credit["state"]) == (
        ledger.CREDIT,
        "EUR",
        "claimed",
    )


def test_the_csv_statement_holds_the_claim_of_the_credit(seeded: Seeded) -> None:
    [claim] = [r for r in commands.csv_rows(seeded) if r["record"] == "claim"]

    assert (claim["objective_id"], claim["kind"], claim["amount"], claim["detail"]) == (
        "availability",
        "claimed",
        ledger.CREDIT,
        ledger.CLAIM_REFERENCE,
    )


def test_the_csv_statement_holds_the_exclusion_with_its_record_lag(seeded: Seeded) -> None:
    [exclusion] = [r for r in commands.csv_rows(seeded) if r["record"] == "exclusion"]

    recorded = datetime.fromisoformat(exclusion["recorded_at"])
    lag = (recorded - ledger.EXCLUDED_TO).total_seconds()
    assert float(exclusion["record_lag_seconds"]) == pytest.approx(lag, abs=1e-6)


def test_a_statement_known_before_the_close_has_no_credit_yet(seeded: Seeded) -> None:
    known_at = seeded.seeded.known_before_close.isoformat()
    rows = commands.csv_rows(seeded, "--known-at", known_at)

    tracks = {r["objective_id"]: r["status"] for r in rows if r["record"] == "track"}
    assert [r for r in rows if r["record"] == "credit"] == []
    assert tracks == {"availability": "at risk", "deployments": "at risk"}


def test_a_customer_statement_states_the_customers_agreements(seeded: Seeded) -> None:
    output = seeded.workdir / "customer.csv"

    done = commands.run(
        [
            *commands.CLI,
            "report",
            "--ledger",
            seeded.target,
            "--customer",
            ledger.CUSTOMER,
            "--period",
            ledger.PERIOD,
            "--format",
            "csv",
            "--output",
            str(output),
        ]
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["agreements"] == ["cloud-sla", ledger.AGREEMENT]


def test_a_service_slas_statement_is_its_subscribers(seeded: Seeded) -> None:
    rows = commands.csv_rows(seeded, "--agreement", "cloud-sla", "--customer", ledger.CUSTOMER)

    [track] = [r for r in rows if r["record"] == "track"]
    # 44,620 good of 44,640 under the premium tier's 99.9%.
    assert (track["customer_id"], track["attained"], track["target"], track["status"]) == (
        ledger.CUSTOMER,
        ledger.SERVICE_ATTAINED,
        "99.9",
        "met",
    )


def test_a_service_slas_statement_without_a_subscriber_is_refused(seeded: Seeded) -> None:
    arguments = commands.report_arguments(seeded, "csv", seeded.workdir / "never.csv")
    arguments[arguments.index(ledger.AGREEMENT)] = "cloud-sla"

    code, _, err = commands.in_process(arguments)

    assert (code, "names a subscriber" in err) == (1, True)


def test_the_customers_own_token_gets_its_statement_with_the_digest(seeded: Seeded) -> None:
    output = seeded.workdir / "own.csv"

    code, out, err = commands.in_process(
        commands.report_arguments(seeded, "csv", output), token="globex"
    )

    assert code == 0, err
    assert json.loads(out)["digest"].split(":")[0] == str(seeded.seeded.head_position)


def test_another_customers_token_is_told_the_agreement_does_not_exist(
    seeded: Seeded,
) -> None:
    output = seeded.workdir / "foreign.html"

    code, _, err = commands.in_process(
        commands.report_arguments(seeded, "html", output), token="initech"
    )

    assert (code, output.exists()) == (1, False)
    assert "NOT_FOUND" in err


def test_a_period_that_is_no_label_is_refused_with_the_forms_it_takes(
    seeded: Seeded,
) -> None:
    arguments = commands.report_arguments(seeded, "csv", seeded.workdir / "never.csv")
    arguments[arguments.index(ledger.PERIOD)] = "March"

    code, _, err = commands.in_process(arguments)

    assert code == 1
    assert "2026-03 (month)" in err
