"""Typed reading of OpenSLO v1 documents: each value checked for its type and range, a refusal
naming the document and the path inside it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

KINDS = frozenset(
    {
        "DataSource",
        "SLO",
        "SLI",
        "AlertPolicy",
        "AlertCondition",
        "AlertNotificationTarget",
        "Service",
    }
)
MAX_NAME = 255
MAX_TEXT = 4096


class DocumentError(ValueError):
    """A document that is not valid OpenSLO v1, named with the path of what is wrong."""

    def __init__(self, document: str, path: str, problem: str) -> None:
        super().__init__(f"{document}: {path}: {problem}")


@dataclass(frozen=True)
class Reader:
    """Reads the values of one document, refusing the wrong types."""

    document: str  # "document 2 (SLO availability)"

    def fail(self, path: str, problem: str) -> DocumentError:
        """The error naming this document and a path in it."""
        return DocumentError(self.document, path, problem)

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        """A mapping."""
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, not {_kind(value)}")
        return value

    def optional_mapping(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        """A mapping that may be absent (empty then)."""
        return {} if parent.get(key) is None else self.mapping(parent[key], f"{path}.{key}")

    def items(self, value: Any, path: str) -> list[Any]:
        """A non-empty list."""
        if not isinstance(value, list) or not value:
            raise self.fail(path, f"must be a non-empty list, not {_kind(value)}")
        return value

    def text(self, parent: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
        """A string of at most MAX_TEXT characters ("" when absent and not required)."""
        value = parent.get(key)
        if value is None:
            if required:
                raise self.fail(f"{path}.{key}", "is required")
            return ""
        if not isinstance(value, str):
            raise self.fail(f"{path}.{key}", f"must be a string, not {_kind(value)}")
        if len(value) > MAX_TEXT:
            raise self.fail(f"{path}.{key}", f"is longer than {MAX_TEXT} characters")
        if required and not value:
            raise self.fail(f"{path}.{key}", "must not be empty")
        return value

    def flag(self, parent: dict[str, Any], key: str, path: str) -> bool | None:
        """A boolean, None when absent."""
        value = parent.get(key)
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(f"{path}.{key}", f"must be true or false, not {_kind(value)}")

    def number(
        self, parent: dict[str, Any], key: str, path: str, low: Decimal, high: Decimal
    ) -> Decimal | None:
        """An exact number from low to high (both included), None when absent."""
        value = parent.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.fail(f"{path}.{key}", f"must be a number, not {_kind(value)}")
        number = Decimal(value)
        if not number.is_finite() or not low <= number <= high:
            raise self.fail(f"{path}.{key}", f"{number} is outside {low} to {high}")
        return number

    def strings(self, value: Any, path: str) -> dict[str, str]:
        """A mapping of strings to strings (annotations)."""
        result = self.mapping(value, path)
        for key, item in result.items():
            if not isinstance(item, str):
                raise self.fail(f"{path}[{key!r}]", f"must be a string, not {_kind(item)}")
        return result


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def label(index: int, document: Any) -> str:
    """How errors and reports name a document: its place in the stream, kind and name."""
    if isinstance(document, dict):
        kind, metadata = document.get("kind"), document.get("metadata")
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if isinstance(kind, str) and isinstance(name, str):
            return f"document {index} ({kind[:40]} {name[:80]})"
    return f"document {index}"
