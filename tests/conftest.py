"""Fixtures shared by the test modules."""

import pytest

import pyodide_harness


@pytest.fixture(scope="session")
def engine_wheel():
    """Path of the finf wheel built once per test session from this checkout."""
    return pyodide_harness.engine_wheel()
