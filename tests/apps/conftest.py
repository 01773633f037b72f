"""The seeded cohort of tests/dashboard, for the dashboard app's tests."""

from tests.dashboard.conftest import review_definition, seeded  # noqa: F401 - fixtures shared with tests/dashboard
