"""Shared fixtures of the page tests."""

import pytest

from tests.factories import make_world


@pytest.fixture
def w():
    return make_world()


def text(response):
    return response.get_data(as_text=True)
