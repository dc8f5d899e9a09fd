"""Fixtures of the analysis tests."""

import pytest

from tests.analysis.dataset import build_year


@pytest.fixture
def year():
    return build_year()
