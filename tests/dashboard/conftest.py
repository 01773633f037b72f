"""The seeded cohort of tests/facilitator, for the dashboard app's tests."""

from tests.facilitator.conftest import review_definition, seeded  # noqa: F401 - fixtures shared with tests/facilitator
