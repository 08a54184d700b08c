"""TLS, mutual TLS, and no plaintext beyond loopback unless asked for."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import grpc
import pytest
import trustme
from grpc_health.v1 import health_pb2, health_pb2_grpc

TIMEOUT = 10


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_files(ca: trustme.CA, tmp_path: Path) -> dict[str, str]:
    """The server's certificate and key for localhost, and the CA's certificate, as files."""
    cert = ca.issue_cert("localhost", "127.0.0.1")
    files = {
        "cert": tmp_path / "server.pem",
        "key": tmp_path / "server.key",
        "ca": tmp_path / "ca.pem",
    }
    cert.cert_chain_pems[0].write_to_path(str(files["cert"]))
    cert.private_key_pem.write_to_path(str(files["key"]))
    ca.cert_pem.write_to_path(str(files["ca"]))
    return {name: str(path) for name, path in files.items()}


def _health(channel: grpc.Channel) -> int:
    stub = health_pb2_grpc.HealthStub(channel)
    return int(stub.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT).status)


def test_a_tls_server_answers_a_client_that_trusts_its_ca(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    ca: trustme.CA,
    server_files: dict[str, str],
) -> None:
    credentials = grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes())
    server = start_server(
        sqlite_database_url,
        extra_args=("--tls-cert", server_files["cert"], "--tls-key", server_files["key"]),
        credentials=credentials,
    )

    assert _health(server.channel) == health_pb2.HealthCheckResponse.SERVING


def test_a_tls_server_refuses_plaintext(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    ca: trustme.CA,
    server_files: dict[str, str],
) -> None:
    server = start_server(
        sqlite_database_url,
        extra_args=("--tls-cert", server_files["cert"], "--tls-key", server_files["key"]),
        credentials=grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes()),
    )

    with (
        grpc.insecure_channel(f"127.0.0.1:{server.port}") as plaintext,
        pytest.raises(grpc.RpcError),
    ):
        _health(plaintext)


def test_with_a_client_ca_only_clients_with_a_certificate_it_signed_get_in(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    ca: trustme.CA,
    server_files: dict[str, str],
) -> None:
    client = ca.issue_cert("auditor@example.com")
    with_certificate = grpc.ssl_channel_credentials(
        root_certificates=ca.cert_pem.bytes(),
        private_key=client.private_key_pem.bytes(),
        certificate_chain=client.cert_chain_pems[0].bytes(),
    )
    server = start_server(
        sqlite_database_url,
        extra_args=(
            "--tls-cert",
            server_files["cert"],
            "--tls-key",
            server_files["key"],
            "--tls-client-ca",
            server_files["ca"],
        ),
        credentials=with_certificate,
    )
    without = grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes())

    assert _health(server.channel) == health_pb2.HealthCheckResponse.SERVING
    with (
        grpc.secure_channel(f"localhost:{server.port}", without) as anonymous,
        pytest.raises(grpc.RpcError),
    ):
        _health(anonymous)


def test_plaintext_beyond_loopback_is_refused_at_start(
    sqlite_database_url: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "serve",
            "--listen",
            "0.0.0.0:0",
            "--database-url",
            sqlite_database_url,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode != 0
    assert "refusing to listen on 0.0.0.0:0 without TLS" in done.stderr


def test_plaintext_beyond_loopback_with_insecure_on_starts_and_warns(
    start_server: Callable[..., Any], sqlite_database_url: str
) -> None:
    server = start_server(
        sqlite_database_url,
        extra_args=("--close-periods", "off", "--insecure", "on"),
        listen="0.0.0.0:0",
    )

    warning = server.wait_for_log(
        "listening without TLS on a non-loopback address: anyone who can reach it can read and "
        "change the ledger's traffic",
        TIMEOUT,
    )
    assert warning["level"] == "warning"
    assert _health(server.channel) == health_pb2.HealthCheckResponse.SERVING


def test_every_line_a_tls_server_writes_is_json_also_what_grpc_core_reports(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    ca: trustme.CA,
    server_files: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GRPC_VERBOSITY", raising=False)
    monkeypatch.delenv("GRPC_TRACE", raising=False)
    server = start_server(
        sqlite_database_url,
        extra_args=("--tls-cert", server_files["cert"], "--tls-key", server_files["key"]),
        credentials=grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes()),
    )
    assert _health(server.channel) == health_pb2.HealthCheckResponse.SERVING
    with (
        grpc.insecure_channel(f"127.0.0.1:{server.port}") as plaintext,  # a failed handshake
        pytest.raises(grpc.RpcError),
    ):
        _health(plaintext)

    server.stop()

    lines = server.stderr.splitlines()
    assert any('"message": "stopped"' in line for line in lines)
    assert [line for line in lines if not _is_json_object(line)] == []


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def test_the_readmes_buf_curl_over_tls_reaches_the_server(
    start_server: Callable[..., Any],
    sqlite_database_url: str,
    ca: trustme.CA,
    server_files: dict[str, str],
    buf: Path,
    run_command: Callable[[Sequence[str]], Any],
) -> None:
    server = start_server(
        sqlite_database_url,
        extra_args=("--tls-cert", server_files["cert"], "--tls-key", server_files["key"]),
        credentials=grpc.ssl_channel_credentials(root_certificates=ca.cert_pem.bytes()),
    )

    done = run_command(
        [
            str(buf),
            "curl",
            "--protocol",
            "grpc",
            "--cacert",
            server_files["ca"],
            f"https://localhost:{server.port}/grpc.health.v1.Health/Check",
        ]
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"status": "SERVING"}
