"""The demo cohort (course/demo/cohort.yml): synthetic peers whose answers fit the notebooks exactly.

``python3 -m peerkit serve`` starts with five synthetic peers who have already submitted the
peer-reviewed paths and who review the demo learner back. Every answer must be one the real widget
could have saved (right kind, options that exist, reflections long enough), every review one the
review form would accept (a level per criterion, comments long enough), and all of it written for
this course (no run of 12 words shared with a seed). File checks only: no kernel, no nbgrader.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from peerkit.config.identity import check_learner_id
from peerkit.core.answers import Answer
from peerkit.core.rubric import ReviewContent, check_review, word_count
from peerkit.widgets.plan import CHECK_INS
from peerkit.widgets.tags import parse_tags
from tests.test_course_content import MAX_SHARED_RUN, Widget, copied_runs, course, notebook

REPO = Path(__file__).resolve().parents[1]
COHORT_FILE = REPO / "course" / "demo" / "cohort.yml"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

PEERS = 5
# the paths every synthetic peer has answered
PATHS = (
    "orientation",
    "what-is-peer-learning",
    "why-and-when",
    "peer-learning-at-work",
    "peer-learning-groups",
    "open-connected-learning",
    "capstone",
)
NAME = re.compile(r"^[a-z0-9_-]+$")
KIND_OF = {"reflection": "text"}  # widget method → answer kind, where they differ
QUOTE = "{quote}"  # stands for the first dozen words of the demo learner's main answer
A_DOZEN_WORDS = "In my branch library the evening staff rarely meet the morning team"
MAX_OVER = 1.5  # a reflection may run this far over its minimum, no further ("never far above")


# -- reading ------------------------------------------------------------------------------------


@cache
def cohort() -> dict[str, Any]:
    doc = yaml.safe_load(COHORT_FILE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and set(doc) == {"peers"}, "cohort.yml holds one key, peers"
    return doc


def peers() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = cohort()["peers"]
    return found


def peer_ids() -> list[str]:
    return [str(p.get("name")) for p in peers()]


by_peer = pytest.mark.parametrize("peer", peers(), ids=peer_ids())
reviewed_paths = [p.id for p in course().paths if p.peer_review]


def widgets(path_id: str) -> dict[str, Widget]:
    """The path's answer widgets by answer id, read from the notebook's ``page.<kind>("id", ...)`` calls."""
    return {w.answer_id: w for w in notebook(path_id).widgets.values()}


def kind(widget: Widget) -> str:
    return KIND_OF.get(widget.kind, widget.kind)


def keyword(widget: Widget, name: str, default: Any = None) -> Any:
    for kw in widget.call.keywords:
        if kw.arg == name:
            return ast.literal_eval(kw.value)
    return default


def scale_points(widget: Widget) -> int:
    labels = keyword(widget, "labels")
    return len(labels) if labels is not None else int(keyword(widget, "points", 5))


def checklist_options(widget: Widget) -> list[str]:
    options = ast.literal_eval(widget.call.args[1])
    assert isinstance(options, list)
    return [str(o) for o in options]


def strings(value: Any) -> Iterator[str]:
    """Every piece of text inside an answer or a review (dict values, list items, strings)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def review_comments(review: dict[str, Any], quote: str) -> dict[str, str]:
    return {key: str(text).replace(QUOTE, quote) for key, text in review["comments"].items()}


# -- the cohort ------------------------------------------------------------------------------------


def test_five_peers_with_valid_unique_names() -> None:
    names = peer_ids()
    assert len(names) == PEERS, f"{len(names)} peers, {PEERS} expected"
    assert len(set(names)) == PEERS, f"duplicate names in {names}"
    for name in names:
        assert NAME.match(name), f"{name!r}: lowercase letters, digits, '-' or '_' only"
        assert check_learner_id(name) == name
        assert name != course().demo_learner, f"{name!r} is the demo learner's own id"


def test_peers_come_from_two_or_three_circles() -> None:
    circles = {str(p["circle"]).strip() for p in peers()}
    assert all(circles) and 2 <= len(circles) <= 3, f"circles: {sorted(circles)}"


@by_peer
def test_peer_has_exactly_the_expected_fields(peer: dict[str, Any]) -> None:
    assert set(peer) == {"name", "circle", "role", "answers", "reviews"}, sorted(peer)
    assert isinstance(peer["role"], str) and peer["role"].strip() and "\n" not in peer["role"]
    assert set(peer["answers"]) == set(PATHS), f"{peer['name']}: answers for {sorted(peer['answers'])}"
    assert set(peer["reviews"]) == set(reviewed_paths), f"{peer['name']}: reviews for {sorted(peer['reviews'])}"


def test_the_paths_are_in_the_course_and_the_reviewed_ones_among_them() -> None:
    ids = [p.id for p in course().paths]
    assert set(PATHS) <= set(ids)
    assert set(reviewed_paths) <= set(PATHS), "every peer-reviewed path is answered by the peers"


# -- answers fit the notebooks ---------------------------------------------------------------------


@by_peer
@pytest.mark.parametrize("path_id", PATHS)
def test_every_answer_of_the_path_and_no_other(peer: dict[str, Any], path_id: str) -> None:
    expected = set(widgets(path_id))
    given = set(peer["answers"][path_id])
    assert not expected - given, f"{peer['name']}/{path_id}: missing {sorted(expected - given)}"
    assert not given - expected, f"{peer['name']}/{path_id}: unknown answer ids {sorted(given - expected)}"


@by_peer
@pytest.mark.parametrize("path_id", PATHS)
def test_every_answer_is_valid_for_its_widget(peer: dict[str, Any], path_id: str) -> None:
    for answer_id, widget in widgets(path_id).items():
        where = f"{peer['name']}/{path_id}/{answer_id}"
        value = peer["answers"][path_id][answer_id]
        Answer.make(kind(widget), value, answer_id=answer_id)  # raises on a value of the wrong shape
        check = CHECKS[widget.kind]
        check(widget, value, where)


def check_reflection(widget: Widget, value: Any, where: str) -> None:
    minimum = int(keyword(widget, "min_words", 0))
    words = word_count(value)
    assert words >= minimum, f"{where}: {words} words, the widget asks for at least {minimum}"
    if minimum:
        assert words <= MAX_OVER * minimum, f"{where}: {words} words is far above the minimum of {minimum}"
    assert not re.search(r"\n[a-z]", value), f"{where}: a line break inside a sentence (a hard-wrapped paragraph?)"


def check_scale(widget: Widget, value: Any, where: str) -> None:
    points = scale_points(widget)
    assert 1 <= points <= 11
    assert isinstance(value, int) and not isinstance(value, bool), f"{where}: a point number"
    assert 1 <= value <= points, f"{where}: {value} is not a point of this {points}-point scale"


def check_checklist(widget: Widget, value: Any, where: str) -> None:
    options = checklist_options(widget)
    selected = value.get("selected", [])
    unknown = [s for s in selected if s not in options]
    assert not unknown, f"{where}: {unknown} are not options of the checklist"
    assert selected == [o for o in options if o in selected], f"{where}: ticked in the widget's order, once each"
    if keyword(widget, "other", "Something else") is None:
        assert not value.get("other"), f"{where}: this checklist has no 'other' box"
    assert selected or str(value.get("other", "")).strip(), f"{where}: nothing ticked"


def check_project(widget: Widget, value: Any, where: str) -> None:
    assert set(value) <= {"part", "title", "text", "based_on"}, f"{where}: {sorted(value)}"
    assert value.get("part") == keyword(widget, "part"), f"{where}: the part is {keyword(widget, 'part')!r}"
    check_reflection(widget, value.get("text", ""), f"{where}.text")


def check_peers(widget: Widget, value: Any, where: str) -> None:
    assert set(value) == {"seen", "text"}, f"{where}: {sorted(value)}"
    seen = value["seen"]
    assert seen and all(re.match(r"^(gallery|notes|starter):\S+$", str(s)) for s in seen), f"{where}.seen: {seen}"
    check_reflection(widget, value["text"], f"{where}.text")


def check_project_summary(widget: Widget, value: Any, where: str) -> None:
    assert set(value) <= {"text", "parts", "missing"}, f"{where}: {sorted(value)}"
    parts = [p.id for p in course().project]
    assert value.get("parts", []) + value.get("missing", []) == parts, f"{where}: every project part, in course order"
    check_reflection(widget, value.get("text", ""), f"{where}.text")


def check_tags(tags: list[str], where: str) -> None:
    assert tags == parse_tags(", ".join(tags)), f"{where}: {tags} could not come from the comma-separated field"


def check_profile(widget: Widget, value: Any, where: str) -> None:
    for key in ("know", "bring", "want"):
        assert len(value.get(key, [])) >= 2, f"{where}: at least two tags in {key!r}"
        check_tags(value[key], f"{where}.{key}")
    assert str(value.get("notes", "")).strip(), f"{where}: a note on where the peer works"


def check_plan(widget: Widget, value: Any, where: str) -> None:
    assert set(value) == {"step", "date", "checkin", "support"}, f"{where}: {sorted(value)}"
    assert value["step"].strip(), f"{where}: a first step"
    dt.date.fromisoformat(value["date"])  # every synthetic plan carries a real date
    options = keyword(widget, "check_ins", CHECK_INS)
    assert value["checkin"] in options, f"{where}: {value['checkin']!r} is not one of {list(options)}"


def check_example(widget: Widget, value: Any, where: str) -> None:
    assert set(value) == {"title", "story", "tags"}, f"{where}: {sorted(value)}"
    assert value["title"].strip() and value["story"].strip() and value["tags"], f"{where}: title, story and tags"
    check_tags(value["tags"], f"{where}.tags")


CHECKS = {
    "reflection": check_reflection,
    "scale": check_scale,
    "checklist": check_checklist,
    "profile": check_profile,
    "plan": check_plan,
    "example": check_example,
    "project": check_project,
    "peers": check_peers,
    "project_summary": check_project_summary,
}


def test_every_widget_kind_of_the_paths_is_checked() -> None:
    assert {w.kind for path_id in PATHS for w in widgets(path_id).values()} <= set(CHECKS)


# -- reviews of the demo learner -------------------------------------------------------------------


@by_peer
@pytest.mark.parametrize("path_id", reviewed_paths)
def test_review_is_complete_on_the_paths_rubric(peer: dict[str, Any], path_id: str) -> None:
    rubric = course().rubric_for(path_id)
    review = peer["reviews"][path_id]
    where = f"{peer['name']}/{path_id}"
    assert set(review) == {"scores", "comments"}, f"{where}: {sorted(review)}"
    assert set(review["scores"]) == {c.id for c in rubric.criteria}, f"{where}: a score for every criterion"
    for criterion in rubric.criteria:
        points = review["scores"][criterion.id]
        assert isinstance(points, int) and not isinstance(points, bool), f"{where}/{criterion.id}: a level's points"
        criterion.level(points)  # raises when the points are not a level of the criterion
    # with the placeholder filled in as the demo does, and even with no quote at all (a short answer)
    for quote in (A_DOZEN_WORDS, ""):
        content = ReviewContent(scores=review["scores"], comments=review_comments(review, quote))
        todo = check_review(rubric, content)
        assert not todo, f"{where} (quote {quote!r}): {todo}"


@by_peer
@pytest.mark.parametrize("path_id", reviewed_paths)
def test_review_uses_the_quote_placeholder_at_most_once(peer: dict[str, Any], path_id: str) -> None:
    comments = peer["reviews"][path_id]["comments"]
    text = " ".join(str(t) for t in comments.values())
    assert text.count(QUOTE) <= 1, f"{peer['name']}/{path_id}: {QUOTE} used {text.count(QUOTE)} times"
    stray = text.replace(QUOTE, "")
    assert "{" not in stray and "}" not in stray, f"{peer['name']}/{path_id}: a brace that is not {QUOTE}"


def test_reviews_ask_questions_in_at_least_half() -> None:
    reviews = [p["reviews"][path_id] for p in peers() for path_id in reviewed_paths]
    asked = [r for r in reviews if str(r["comments"].get("question", "")).strip()]
    assert 2 * len(asked) >= len(reviews), f"{len(asked)} of {len(reviews)} reviews ask a question"
    assert all("?" in r["comments"]["question"] for r in asked), "a question ends in a question mark"


@pytest.mark.parametrize("path_id", reviewed_paths)
def test_review_scores_spread_realistically(path_id: str) -> None:
    rubric = course().rubric_for(path_id)
    totals = [sum(p["reviews"][path_id]["scores"].values()) for p in peers()]
    assert len(set(totals)) >= 3, f"{path_id}: totals {totals} hardly vary"
    assert sum(t == rubric.max_points for t in totals) <= 1, f"{path_id}: more than one review gives top marks"
    assert min(totals) > 0, f"{path_id}: a review gives nothing at all"
    for criterion in rubric.criteria:
        levels = {p["reviews"][path_id]["scores"][criterion.id] for p in peers()}
        assert len(levels) >= 2, f"{path_id}: every peer gives {criterion.id!r} the same level"


# -- written fresh, and anonymous ------------------------------------------------------------------


def all_texts() -> list[tuple[str, str]]:
    texts = []
    for peer in peers():
        texts.append((f"{peer['name']}/role", str(peer["role"])))
        for path_id, answers in peer["answers"].items():
            texts += [(f"{peer['name']}/{path_id}/{key}", t) for key, v in answers.items() for t in strings(v)]
        for path_id, review in peer["reviews"].items():
            texts += [(f"{peer['name']}/review/{path_id}", t) for t in strings(review["comments"])]
    return texts


def test_no_text_is_copied_from_a_seed() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    copied = [(where, run) for where, text in all_texts() for run in copied_runs(text)]
    assert not copied, f"cohort.yml shares {MAX_SHARED_RUN}+ word runs with a seed: {copied[:5]}"


def test_answers_and_reviews_name_no_peer_and_no_circle() -> None:
    """Reviews are anonymous: no peer's name or workplace inside what another learner reads."""
    names = set(peer_ids())
    circles = {str(p["circle"]) for p in peers()}
    words = names | {c.split()[0] for c in circles} | circles
    for where, text in all_texts():
        if where.endswith("/role"):
            continue
        for word in words:
            assert not re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE), f"{where} mentions {word!r}"
