"""`sla-ledger openslo export|import` from the command line: outputs, reports, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli import main
from tests.unit.openslo.openslo_samples import FIXTURES, RICH_TERMS_JSON


@pytest.fixture
def request_file(tmp_path: Path) -> Path:
    """A SignAgreement request (JSON) holding the rich terms."""
    path = tmp_path / "sign.json"
    path.write_text(json.dumps({"agreementId": "acme-1", "terms": RICH_TERMS_JSON}))
    return path


def test_export_writes_one_slo_document_per_objective(
    request_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["openslo", "export", "--terms-file", str(request_file)]) == 0
    out = capsys.readouterr().out
    assert out.count("kind: SLO") == len(RICH_TERMS_JSON["objectives"])


def test_export_reports_what_does_not_map_on_standard_error(
    request_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["openslo", "export", "--terms-file", str(request_file)])
    assert (
        "sla-ledger openslo export: not mapped: agreement: the fee (fee): terms-level, not written"
        in capsys.readouterr().err.splitlines()
    )


def test_export_then_import_into_the_same_request_gives_the_request_back(
    request_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "slos.yaml"
    assert (
        main(["openslo", "export", "--terms-file", str(request_file), "--output", str(exported)])
        == 0
    )
    capsys.readouterr()
    assert main(["openslo", "import", str(exported), "--into-terms", str(request_file)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == json.loads(request_file.read_text())
    assert captured.err == ""


def test_import_prints_the_objectives_as_terms_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "import", str(FIXTURES / "timeslices.yaml")]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "objectives": [
            {
                "objectiveId": "checkout-minutes",
                "metric": "checkout-availability",
                "targetPercent": "99.5",
                "period": "PERIOD_UNIT_QUARTER",
                "indicator": "INDICATOR_TIME_SLICES",
                "sliceSeconds": 300,
                "sliceGoodPercent": "95",
            }
        ]
    }


def test_import_reports_and_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "import", str(FIXTURES / "rolling_and_others.yaml")]) == 0
    assert "not mapped: document 3 (SLO foo-availability)" in capsys.readouterr().err


def test_a_strict_import_exits_1_when_something_does_not_map(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["openslo", "import", "--strict", str(FIXTURES / "rolling_and_others.yaml")]) == 1


def test_an_invalid_document_exits_2_naming_the_file_document_and_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n")
    assert main(["openslo", "import", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"sla-ledger openslo import: {path}: document 1 (SLO x): spec: "
        "give exactly one of indicator and indicatorRef\n"
    )


def test_hostile_yaml_exits_2_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [x, x]\nb: [*a, *a]\n")
    assert main(["openslo", "import", str(path)]) == 2
    assert capsys.readouterr().err.endswith("line 2: anchors and aliases are refused\n")


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "import", str(tmp_path / "none.yaml")]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_a_terms_file_that_is_not_terms_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "terms.json"
    path.write_text('{"objectives": "many"}')
    assert main(["openslo", "export", "--terms-file", str(path)]) == 2
    assert "not AgreementTerms JSON" in capsys.readouterr().err


def test_export_needs_exactly_one_source(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "export"]) == 2
    assert "give exactly one of --terms-file and --ledger" in capsys.readouterr().err


def test_export_from_a_ledger_needs_an_agreement(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openslo", "export", "--ledger", "127.0.0.1:1"]) == 2
    assert "--ledger needs --agreement" in capsys.readouterr().err


def test_an_as_of_outside_business_instants_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["openslo", "export", "--ledger", "127.0.0.1:1", "--agreement", "a"]
    assert main([*arguments, "--as-of", "2300-01-01T00:00:00Z"]) == 2
    assert "--as-of: from 1970-01-01T00:00:00Z" in capsys.readouterr().err


def test_a_timeout_out_of_range_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    arguments = ["openslo", "export", "--ledger", "127.0.0.1:1", "--agreement", "a"]
    assert main([*arguments, "--timeout", "0"]) == 2
    assert "--timeout: seconds above 0" in capsys.readouterr().err


def test_a_token_file_that_cannot_be_read_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    arguments = ["openslo", "export", "--ledger", "127.0.0.1:1", "--agreement", "a"]
    assert main([*arguments, "--token-file", str(tmp_path / "none")]) == 2
    assert "--token-file: No such file or directory" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_exits_2(
    request_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "missing" / "slos.yaml"
    arguments = ["openslo", "export", "--terms-file", str(request_file), "--output", str(output)]
    assert main(arguments) == 2
    assert f"--output {output}: No such file or directory" in capsys.readouterr().err
