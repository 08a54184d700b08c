"""The token file: hashed tokens with roles and customer scopes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.api.auth import Role, TokenBook, TokenFileError, bearer_token, token_digest


def _book(tmp_path: Path, entries: object) -> TokenBook:
    path = tmp_path / "tokens.json"
    path.write_text(json.dumps(entries))
    return TokenBook.load(str(path))


def test_a_configured_token_authenticates_as_its_entry(tmp_path: Path) -> None:
    book = _book(
        tmp_path,
        [
            {
                "name": "ops",
                "sha256": token_digest("t0k3n").hex(),
                "role": "auditor",
                "customers": ["globex"],
            }
        ],
    )

    identity = book.authenticate("t0k3n")

    assert identity is not None
    assert (identity.name, identity.role) == ("ops", Role.AUDITOR)
    assert identity.customers == frozenset({"globex"})
    assert book.authenticate("t0k3n ") is None


@pytest.mark.parametrize(
    "entries",
    [
        [],
        [{"name": "x", "sha256": "ab", "role": "auditor"}],
        [{"name": "x", "sha256": "00" * 32, "role": "root"}],
        [{"sha256": "00" * 32, "role": "admin"}],
    ],
)
def test_a_malformed_token_file_is_refused(tmp_path: Path, entries: object) -> None:
    with pytest.raises(TokenFileError):
        _book(tmp_path, entries)


DIGEST = "ab" * 32


@pytest.mark.parametrize(
    "entry",
    [
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customers": ""},
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customers": []},
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customers": [""]},
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customers": "globex"},
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customers": ["globex", "globex"]},
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customers": [7]},
        {"name": "portal", "sha256": DIGEST, "role": "auditor", "customer": ["globex"]},
        {"name": "", "sha256": DIGEST, "role": "auditor"},
        {"name": 7, "sha256": DIGEST, "role": "auditor"},
        {"name": "ops team", "sha256": DIGEST, "role": "auditor"},
        {"name": "portal", "sha256": " ".join([DIGEST[:32], DIGEST[32:]]), "role": "auditor"},
        {"name": "portal", "sha256": DIGEST},
        ["portal", DIGEST, "auditor"],
    ],
)
def test_a_token_entry_that_is_malformed_in_any_way_refuses_the_file(
    tmp_path: Path, entry: object
) -> None:
    with pytest.raises(TokenFileError, match="token 1"):
        _book(tmp_path, [{"name": "ops", "sha256": "cd" * 32, "role": "admin"}, entry])


@pytest.mark.parametrize("twice", ["name", "sha256"])
def test_two_tokens_with_the_same_name_or_hash_refuse_the_file(tmp_path: Path, twice: str) -> None:
    first = {"name": "ops", "sha256": "cd" * 32, "role": "admin"}
    second = {"name": "audit", "sha256": DIGEST, "role": "auditor", twice: first[twice]}

    with pytest.raises(TokenFileError, match=f"same {twice}"):
        _book(tmp_path, [first, second])


def test_only_a_bearer_authorization_header_carries_a_token() -> None:
    assert bearer_token([("authorization", "Bearer abc")]) == "abc"
    assert bearer_token([("authorization", "Basic abc")]) is None
    assert bearer_token([("x-token", "abc")]) is None


def test_a_customer_token_without_customers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TokenFileError, match="customer token must list the customers"):
        _book(tmp_path, [{"name": "portal", "sha256": DIGEST, "role": "customer"}])


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "customer",
            {"ClaimCredit", "OpenDispute", "AcknowledgeExclusion", "GetCompliance"},
            {"DecideClaim", "ResolveDispute", "SettleCredits", "RecordMeasurements"},
        ),
        (
            "provider",
            {"DecideClaim", "ResolveDispute", "ListCredits"},
            {"ClaimCredit", "SettleCredits", "SignAgreement"},
        ),
        (
            "finance",
            {"SettleCredits", "ListCredits", "GetCreditBalance"},
            {"ClaimCredit", "DecideClaim", "RecordMeasurements"},
        ),
        (
            "writer",
            {"RecordMeasurements", "RecalculatePeriod"},
            {"ClaimCredit", "DecideClaim", "ResolveDispute", "SettleCredits"},
        ),
    ],
)
def test_each_side_of_the_money_lifecycle_has_its_own_role(
    tmp_path: Path, role: str, allowed: set[str], refused: set[str]
) -> None:
    entry = {"name": "t", "sha256": token_digest("secret").hex(), "role": role, "customers": ["c"]}
    identity = _book(tmp_path, [entry]).authenticate("secret")

    assert identity is not None
    assert {m for m in allowed | refused if identity.may_call(m)} == allowed
