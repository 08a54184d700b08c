"""Reading and writing YAML safely: bounded size, no anchors or aliases, no duplicate keys,
numbers kept exact as Decimal, dates kept as the text they were written in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode

MAX_INPUT_BYTES = 1024 * 1024
MAX_DOCUMENTS = 1000
MAX_DEPTH = 64


class YamlInputError(ValueError):
    """A YAML input refused before its content is looked at."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys, timestamps or binary floats, nesting at most
    MAX_DEPTH."""

    yaml_implicit_resolvers = {
        first: [
            (tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise YamlInputError(
                f"line {event.start_mark.line + 1}: anchors and aliases are refused"
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlInputError(f"nesting deeper than {MAX_DEPTH} levels is refused")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise YamlInputError(f"line {key_node.start_mark.line + 1}: keys must be strings")
            if key in seen:
                raise YamlInputError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_exact_float(self, node: ScalarNode) -> Decimal | str:
        text = str(self.construct_scalar(node)).replace("_", "")
        if text.lower() in {".inf", "+.inf", "-.inf", ".nan"}:
            raise YamlInputError(f"line {node.start_mark.line + 1}: {text} is not a number here")
        try:
            return Decimal(text)
        except ArithmeticError:
            raise YamlInputError(
                f"line {node.start_mark.line + 1}: {text} is not a number"
            ) from None


_BoundedLoader.add_constructor("tag:yaml.org,2002:float", _BoundedLoader.construct_exact_float)


def load_documents(text: bytes) -> list[Any]:
    """Every document of a multi-document YAML stream; YamlInputError when it is refused."""
    if len(text) > MAX_INPUT_BYTES:
        raise YamlInputError(f"the input is {len(text)} bytes; at most {MAX_INPUT_BYTES} are read")
    try:
        decoded = text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise YamlInputError(f"not UTF-8 (byte {error.start})") from None
    documents: list[Any] = []
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(decoded)  # reads the stream: refuses non-printable characters
        while loader.check_data():  # type: ignore[no-untyped-call]
            if len(documents) == MAX_DOCUMENTS:
                raise YamlInputError(f"more than {MAX_DOCUMENTS} documents")
            documents.append(loader.get_data())
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise YamlInputError(f"{where}{error.problem or error.context or 'not YAML'}") from None
    except (yaml.YAMLError, ConstructorError) as error:
        raise YamlInputError(f"not YAML: {error}") from None
    except YamlInputError:
        raise
    except ValueError as error:  # an integer too long to convert, for one
        raise YamlInputError(f"not readable: {error}") from None
    except RecursionError:
        raise YamlInputError(f"nesting deeper than {MAX_DEPTH} levels is refused") from None
    finally:
        if loader is not None:
            loader.dispose()
    return documents


class _ExactDumper(yaml.SafeDumper):
    """SafeDumper writing Decimal as a plain YAML number and never anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_INTEGER = re.compile(r"-?[0-9]+")


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = "tag:yaml.org,2002:int" if _INTEGER.fullmatch(text) else "tag:yaml.org,2002:float"
    return dumper.represent_scalar(tag, text)


_ExactDumper.add_representer(Decimal, _represent_decimal)


def dump_documents(documents: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> str:
    """A multi-document YAML stream, keys in the order given."""
    return yaml.dump_all(
        list(documents),
        Dumper=_ExactDumper,
        sort_keys=False,
        explicit_start=True,
        allow_unicode=True,
        width=100,
    )
