"""Shared hypothesis strategies for fuzzing what learners supply: hostile text, JSON of any shape,
answer records that are nearly valid, and documents nested thousands deep.

Used by the fuzz tests of each layer (core parsers, ingest, review collect, the hub service), so
that every parser meets the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from peerkit.core import kinds
from peerkit.core.errors import ValidationError
from tests.payloads import PAYLOADS

T = TypeVar("T")

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: For tests that write files or a store per example: fewer examples, the same inputs.
FUZZ_SLOW = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
#: An error message a learner can read: it names the problem, it does not echo a megabyte back.
MAX_MESSAGE = 600

# -- strategies -------------------------------------------------------------------------------------

CONTROL = "".join(map(chr, range(32))) + "\x7f\u0085\u2028\u2029"
TRICKS = "\u202e\u202d\u200b\u200d\u2066\u2069\ufeff\ufffd"

hostile_text = st.one_of(
    st.sampled_from([p for _, p in PAYLOADS]),
    st.text(max_size=60),  # any code point, lone surrogates included
    st.text(alphabet=st.sampled_from(CONTROL + TRICKS + "<>\"'&`$\\{}[]/"), max_size=40),
    st.builds(lambda p, t: p + t, st.sampled_from([p for _, p in PAYLOADS]), st.text(max_size=20)),
)
big_numbers = st.one_of(
    st.integers(), st.integers(min_value=10**300, max_value=10**320), st.floats(allow_nan=True, allow_infinity=True)
)
scalars = st.one_of(st.none(), st.booleans(), big_numbers, hostile_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(hostile_text, inner, max_size=5)),
    max_leaves=25,
)

# Field names of every kind (and a few that belong to none), so that records are often nearly valid.
FIELD_NAMES = sorted(
    {"title", "story", "tags", "know", "bring", "want", "notes", "step", "date", "checkin", "support", "selected"}
    | {"other", "packet", "scores", "comments", "review", "helpful", "note", "flag", "reason", "extra"}
)
field_values = st.one_of(
    hostile_text,
    st.lists(hostile_text, max_size=4),
    st.dictionaries(hostile_text, st.one_of(hostile_text, big_numbers), max_size=3),
    st.sampled_from(["2026-12-01", "2026-13-45", "\u0661\u0669\u0669\u0669-01-01", ""]),
    scalars,
)
records = st.dictionaries(st.sampled_from(FIELD_NAMES), field_values, max_size=5)
answer_values = st.one_of(json_values, records, st.integers(min_value=-5, max_value=105))
kind_names = st.sampled_from([k.name for k in kinds.all_kinds()] + ["", "Text", "nope"])
times = st.one_of(st.just("2026-11-02T09:00:00Z"), st.just("2026-11-02T09:00:00"), hostile_text)
answer_ids = st.one_of(st.sampled_from(["story", "r-abc", "h-None", "self", "a" * 64, "a" * 65]), hostile_text)


#: What a learner may leave where nbgrader writes a small file of its own (``submission_secret.txt``,
#: ``timestamp.txt``): the right thing, any bytes, hostile text, or far too much of it.
small_files = st.one_of(
    st.just(b"0123456789abcdef" * 8),
    st.binary(max_size=200),
    hostile_text.map(lambda t: t.encode("utf-8", errors="surrogatepass")),
    st.sampled_from([b"f" * 2000, b"0123456789abcdef" * 8 + b" " * 5000, b"\x00" * 1025]),
)


def deep(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


DEEP = [deep(10_000), deep(10_000, '{"a":', "}"), deep(995), "[" * 10_000, deep(200_000)]


def refused_or(fn: Callable[[], T]) -> T | None:
    """*fn*'s result, or None when it refuses with a readable :class:`ValidationError`."""
    try:
        return fn()
    except ValidationError as exc:
        assert str(exc) and len(str(exc)) <= MAX_MESSAGE, f"{len(str(exc))} characters: {str(exc)[:300]}..."
        return None
