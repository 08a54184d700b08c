"""Serve configuration: which addresses may go without TLS, and which TLS flags go together."""

from __future__ import annotations

import argparse

import pytest

from service.config import ServeConfig, add_serve_arguments, serve_config
from service.listen_addresses import is_loopback
from service.store.event_limits import MIN_MAX_MESSAGE_BYTES


def _config(*flags: str) -> ServeConfig:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    return serve_config(parser.parse_args(list(flags)), {})


@pytest.mark.parametrize("listen", ["127.0.0.1:50051", "localhost:1", "[::1]:50051", "127.8.0.1:0"])
def test_loopback_addresses_are_recognised(listen: str) -> None:
    assert is_loopback(listen)


@pytest.mark.parametrize(
    "listen", ["0.0.0.0:50051", "[::]:50051", "10.0.0.7:1", "ledger.internal:1"]
)
def test_other_addresses_are_not_loopback(listen: str) -> None:
    assert not is_loopback(listen)


@pytest.mark.parametrize(
    ("listen", "address"),
    [
        ("localhost", "localhost:50051"),
        ("LOCALHOST:0", "localhost:0"),
        ("localhost.:7", "localhost:7"),
        ("127.0.0.1", "127.0.0.1:50051"),
        ("[::1]", "[::1]:50051"),
        ("::1", "[::1]:50051"),
    ],
)
def test_a_loopback_host_serves_plaintext_on_the_port_given_or_50051(
    listen: str, address: str
) -> None:
    assert _config("--listen", listen).listen == address


@pytest.mark.parametrize("listen", ["localhost:", ":50051", "localhost:http", "[::1", "h:70000"])
def test_a_malformed_listen_address_is_refused(listen: str) -> None:
    with pytest.raises(SystemExit, match="is not a valid listen address"):
        _config("--listen", listen)


def test_a_certificate_without_its_key_is_refused() -> None:
    with pytest.raises(SystemExit, match="--tls-cert and --tls-key go together"):
        _config("--tls-cert", "server.pem")


def test_a_client_ca_without_a_server_certificate_is_refused() -> None:
    with pytest.raises(SystemExit, match="--tls-client-ca needs"):
        _config("--tls-client-ca", "ca.pem")


def test_an_insecure_flag_allows_plaintext_beyond_loopback() -> None:
    assert _config("--listen", "0.0.0.0:50051", "--insecure", "on") is not None


def test_the_read_models_run_in_a_child_process_by_default() -> None:
    assert _config().projections == "process"


@pytest.mark.parametrize("mode", ["process", "on", "off", "ON"])
def test_each_place_of_the_read_models_is_accepted(mode: str) -> None:
    assert _config("--projections", mode).projections == mode.lower()


def test_an_unknown_place_of_the_read_models_is_refused() -> None:
    with pytest.raises(SystemExit, match="--projections: 'thread' is not a valid process/on/off"):
        _config("--projections", "thread")


def test_the_ledger_digest_is_logged_every_five_minutes_by_default() -> None:
    assert _config().digest_log_interval_seconds == 300


def test_the_digest_log_interval_is_read_from_its_flag_and_its_environment_variable() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    from_env = serve_config(parser.parse_args([]), {"SLA_LEDGER_DIGEST_LOG_INTERVAL": "0"})

    assert (
        from_env.digest_log_interval_seconds,
        _config("--digest-log-interval", "2.5").digest_log_interval_seconds,
    ) == (0, 2.5)


@pytest.mark.parametrize("interval", ["-1", "nan", "inf", "1e9"])
def test_a_digest_log_interval_out_of_range_is_refused(interval: str) -> None:
    with pytest.raises(SystemExit, match="digest log interval"):
        _config("--digest-log-interval", interval)


def test_a_message_limit_below_the_largest_event_page_is_refused() -> None:
    with pytest.raises(SystemExit, match=f"at least {MIN_MAX_MESSAGE_BYTES}"):
        _config("--max-message-bytes", str(MIN_MAX_MESSAGE_BYTES - 1))


def test_the_smallest_message_limit_is_accepted() -> None:
    limit = str(MIN_MAX_MESSAGE_BYTES)
    assert _config("--max-message-bytes", limit).max_message_bytes == MIN_MAX_MESSAGE_BYTES


def test_the_case_at_risk_share_is_75_percent_unless_configured() -> None:
    assert _config().case_at_risk_percent == 75


def test_the_case_at_risk_share_comes_from_its_environment_variable() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)

    config = serve_config(parser.parse_args([]), {"SLA_LEDGER_CASE_AT_RISK_PERCENT": "90"})

    assert config.case_at_risk_percent == 90


@pytest.mark.parametrize("percent", ["0", "100", "-5"])
def test_a_case_at_risk_share_outside_1_to_99_percent_refuses_to_start(percent: str) -> None:
    with pytest.raises(SystemExit, match="case-at-risk-percent must be 1 to 99"):
        _config("--case-at-risk-percent", percent)


def test_case_warnings_run_every_5_seconds_with_a_24_hour_horizon_unless_configured() -> None:
    config = _config()

    assert (config.warn_cases, config.case_warning_interval_seconds) == (True, 5.0)
    assert config.case_warning_horizon_seconds == 24 * 3600.0


def test_case_warnings_are_configured_from_their_environment_variables() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    environ = {
        "SLA_LEDGER_WARN_CASES": "off",
        "SLA_LEDGER_CASE_WARNING_INTERVAL": "0.5",
        "SLA_LEDGER_CASE_WARNING_HORIZON": "3600",
    }

    config = serve_config(parser.parse_args([]), environ)

    assert not config.warn_cases
    assert (config.case_warning_interval_seconds, config.case_warning_horizon_seconds) == (
        0.5,
        3600.0,
    )


@pytest.mark.parametrize("interval", ["0", "-1", "3601", "inf", "nan"])
def test_a_case_warning_interval_outside_its_range_refuses_to_start(interval: str) -> None:
    with pytest.raises(SystemExit, match="case-warning-interval must be more than 0"):
        _config("--case-warning-interval", interval)


@pytest.mark.parametrize("horizon", ["59", "2678401", "nan"])
def test_a_case_warning_horizon_outside_one_minute_to_31_days_refuses_to_start(
    horizon: str,
) -> None:
    with pytest.raises(SystemExit, match="case-warning-horizon must be 60 to 2678400 s"):
        _config("--case-warning-horizon", horizon)


def test_metrics_are_off_unless_an_address_is_given() -> None:
    assert _config().metrics_listen == ""


@pytest.mark.parametrize(
    ("listen", "address"),
    [("127.0.0.1:9464", "127.0.0.1:9464"), ("[::1]:0", "[::1]:0"), ("LOCALHOST:0", "localhost:0")],
)
def test_a_metrics_address_is_a_host_and_a_port(listen: str, address: str) -> None:
    assert _config("--metrics-listen", listen).metrics_listen == address


def test_the_metrics_address_comes_from_its_environment_variable() -> None:
    parser = argparse.ArgumentParser()
    add_serve_arguments(parser)
    config = serve_config(parser.parse_args([]), {"SLA_LEDGER_METRICS_LISTEN": "127.0.0.1:0"})

    assert config.metrics_listen == "127.0.0.1:0"


@pytest.mark.parametrize(
    "listen", ["127.0.0.1", "::1", "[::1]", "localhost:", ":9464", "h:http", "h:65536", "h:-1"]
)
def test_a_metrics_address_without_a_valid_port_is_refused(listen: str) -> None:
    with pytest.raises(SystemExit, match="is not a valid metrics address"):
        _config("--metrics-listen", listen)
