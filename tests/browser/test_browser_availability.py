"""When the browser tests run, skip or fail: the decision, without a browser."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.browser import browser_support as support


def test_a_missing_chromium_is_a_reason_naming_the_path_and_the_package(tmp_path: Path) -> None:
    reason = support.chromium_missing(tmp_path / "chromium")

    assert reason is not None
    assert str(tmp_path / "chromium") in reason
    assert "apt-get install chromium" in reason


def test_an_executable_file_is_no_reason_to_skip() -> None:
    assert support.chromium_missing(Path(sys.executable)) is None


def test_a_file_that_cannot_be_executed_is_a_reason(tmp_path: Path) -> None:
    plain = tmp_path / "chromium"
    plain.write_text("")
    plain.chmod(0o644)

    assert support.chromium_missing(plain) == f"{plain} is not executable"


def test_the_variable_names_the_chromium_and_debian_s_is_the_default() -> None:
    assert support.chromium_path({}) == Path("/usr/bin/chromium")
    assert support.chromium_path({support.CHROMIUM_VARIABLE: "/opt/c/chrome"}) == Path(
        "/opt/c/chrome"
    )


def test_without_ci_a_missing_browser_skips_with_its_reason() -> None:
    with pytest.raises(pytest.skip.Exception, match="no Chromium here"):
        support.unavailable("no Chromium here", {"CI": "false"})


def test_under_ci_true_a_missing_browser_fails_the_run() -> None:
    with pytest.raises(pytest.fail.Exception, match="required under CI=true: no Chromium here"):
        support.unavailable("no Chromium here", {"CI": "TRUE"})


def test_artifacts_go_to_the_variable_s_folder_or_the_repository_s_test_artifacts() -> None:
    assert support.artifacts_dir({support.ARTIFACTS_VARIABLE: "/tmp/a"}) == Path("/tmp/a")
    assert support.artifacts_dir({}) == support.REPOSITORY / ".test-artifacts"


def test_an_artifact_is_named_after_its_test_without_unsafe_characters() -> None:
    name = support.artifact_name("tests/browser/test_x.py::test_chart[day 1/2]")

    assert name == "test_chart_day_1_2"
