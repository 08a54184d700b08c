"""Any value anywhere in an OpenSLO document is either imported or refused with a
DocumentError naming the document: never another exception."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from interchange.openslo_documents import DocumentError
from interchange.openslo_import import import_documents
from interchange.yaml_io import YamlInputError, load_documents
from tests.unit.openslo.openslo_samples import fixture

PROPERTY = settings(database=None, max_examples=300, deadline=None)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.decimals(allow_nan=False, allow_infinity=False, places=4)
    | st.text(max_size=20)
    | st.sampled_from(["1M", "5m", "lte", "Timeslices", "openslo/v1", "SLO", "x", ""])
)
VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
DOCUMENTS = fixture("referenced_threshold.yaml") + fixture("timeslices.yaml")


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


PATHS = [path for path in _paths(DOCUMENTS) if path]


def _replace(documents: list[Any], path: tuple[Any, ...], value: Any) -> list[Any]:
    changed = copy.deepcopy(documents)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


@PROPERTY
@given(path=st.sampled_from(PATHS), value=VALUES)
def test_a_value_of_any_type_at_any_place_is_imported_or_refused_by_name(
    path: tuple[Any, ...], value: Any
) -> None:
    documents = _replace(DOCUMENTS, path, value)
    try:
        import_documents(documents)
    except DocumentError as error:
        assert str(error).startswith("document ")


@PROPERTY
@given(
    text=st.text(
        alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#%@`,?\n\t 0.1\x00\x85\ufeff")),
        max_size=60,
    )
)
def test_any_text_is_loaded_or_refused_as_yaml_input(text: str) -> None:
    with contextlib.suppress(YamlInputError):
        load_documents(text.encode("utf-8"))
