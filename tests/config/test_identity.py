"""Who the learner is, and which names are safe to use in the exchange."""

from __future__ import annotations

import pytest

from peerkit.config.identity import check_learner_id, resolve_learner
from peerkit.core.errors import IdentityError


@pytest.mark.parametrize(
    "name",
    [
        "alice",
        "bob.smith",
        "c_3-po",
        "zoë",
        "李雷",
        "ana@example.org",
        "x" * 64,
        "2024-jdoe",
        "_tutor",
        "ana.lima@uni.edu",
    ],
)
def test_ordinary_names_are_accepted(name: str) -> None:
    assert check_learner_id(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../etc", "relative path"),
        ("..", "relative path"),
        (".hidden", "relative path"),
        ("a/b", "not allowed"),
        ("a\\b", "not allowed"),
        ("alice+ps1", "not allowed"),
        ("star*", "not allowed"),
        ("brack[et]", "not allowed"),
        ("semi;colon", "not allowed"),
        ("<script>", "not allowed"),
        ("new\nline", "not allowed"),
        ("nul\x00", "not allowed"),
        ("two words", "spaces"),
        (" padded", "starts or ends with a space"),
        ("", "empty"),
        ("y" * 65, "longer than"),
        ("-jdoe", "starts with '-'"),  # a spreadsheet would take it for a formula, a command for an option
        ("@ana", "starts with '@'"),
        ("o'brien", "not allowed"),
    ],
)
def test_hostile_or_odd_names_are_refused_with_a_reason(name: str, why: str) -> None:
    with pytest.raises(IdentityError, match=why):
        check_learner_id(name)


def test_hub_user_wins_over_configured_learner() -> None:
    assert resolve_learner(configured="you", env={"JUPYTERHUB_USER": "alice"}) == "alice"


def test_configured_learner_locally() -> None:
    assert resolve_learner(configured="you", env={}) == "you"


def test_hostile_hub_user_is_refused() -> None:
    with pytest.raises(IdentityError):
        resolve_learner(env={"JUPYTERHUB_USER": "../../etc"})


def test_nobody_configured_says_how_to_fix_it() -> None:
    with pytest.raises(IdentityError, match="student_id"):
        resolve_learner(configured="*", env={})


@pytest.mark.parametrize("name", ["y" * 65, "-jdoe", "o'brien", "two words"])
def test_every_refusal_names_the_learner(name: str) -> None:
    with pytest.raises(IdentityError) as caught:
        check_learner_id(name)
    assert repr(name) in str(caught.value) and caught.value.name == name  # type: ignore[attr-defined]
