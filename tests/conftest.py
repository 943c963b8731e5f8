"""Shared fixtures: the pipeline is built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

import pipeline

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def nlp():
    return pipeline.load()


def assert_offsets(document) -> None:
    """The offsets invariant: every record's text is exactly its slice of the article."""
    for r in document.records():
        assert document.text[r.start:r.end] == r.text, r
