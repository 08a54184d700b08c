"""The refusals the unit tests read: the fields an InvalidArgumentError names."""

from __future__ import annotations

import pytest

from domain.errors import InvalidArgumentError


def violated_fields(error: pytest.ExceptionInfo[InvalidArgumentError]) -> list[str]:
    return [violation.field for violation in error.value.violations]
