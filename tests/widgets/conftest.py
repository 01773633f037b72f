"""The learner page most widget tests open: path "alpha" of the test course, as an enrolled learner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from peerkit.widgets import PathPage
from tests.conftest import CourseLayout


@pytest.fixture
def page(course: CourseLayout) -> Iterator[PathPage]:
    """Path "alpha" opened by the enrolled learner "mo" (closed after the test)."""
    course.enroll("mo")
    opened = PathPage("alpha", folder=course.folder("mo", "alpha"), config=course.learner_config("mo"))
    yield opened
    opened.close()
