"""The demo cohort: synthetic peers who submit the peer-reviewed paths and review whoever they are given.

``course/demo/cohort.yml`` holds each peer's answers (written for the course) and the review they
give, per peer-reviewed path. The peers act through the same channels as a person would: their
answers are saved in their own assignment folders and submitted with nbgrader, and their reviews
are answers of their own ``<path>-review`` assignment, submitted the same way. A peer's review
follows the work it reads (:func:`as_read`): blank or very short answers lower its levels, so the
demo's grade says what the learner actually wrote.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerkit.config.identity import check_learner_id
from peerkit.config.workspace import Workspace
from peerkit.config.yamlfile import read_yaml
from peerkit.core import kinds
from peerkit.core.allocation import Profile
from peerkit.core.answers import JSON, Answer, is_answered
from peerkit.core.errors import ConfigError, PeerkitError, ValidationError
from peerkit.core.models import Course
from peerkit.core.rubric import ReviewContent, check_review, content_from_value
from peerkit.core.topics import profile_from_answer
from peerkit.nbgrader.build import CourseBuild
from peerkit.nbgrader.config import load_config
from peerkit.nbgrader.learner import fetch, last_submission_time, submit
from peerkit.nbgrader.tasks import answer_kinds, required_answers
from peerkit.storage.answerfile import AnswerFile
from peerkit.storage.sql import SqlStore

log = logging.getLogger(__name__)

COHORT_FILE = Path("demo") / "cohort.yml"
QUOTE_WORDS = 12
_WORD = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Peer:
    name: str
    circle: str
    role: str
    answers: Mapping[str, Mapping[str, Answer]]  # path id -> answer id -> answer
    reviews: Mapping[str, ReviewContent]  # path id -> the review this peer gives (may hold {quote})


def demo_profiles(course: Course, peers: tuple[Peer, ...]) -> dict[str, Profile]:
    """Each peer's allocation profile, read from their profile answer as the course reads anyone's
    (the first path, in course order, where they give one): what the matching measures use."""
    found: dict[str, Profile] = {}
    for peer in peers:
        for path in course.paths:
            answer = next((a for a in peer.answers.get(path.id, {}).values() if a.kind == "profile"), None)
            if answer is not None and isinstance(answer.value, dict):
                found[peer.name] = profile_from_answer(answer.value, course.topics)
                break
    return found


def cohort_file(course: Course) -> Path | None:
    return course.source.parent / COHORT_FILE if course.source else None


def _quote_sample() -> str:
    return " ".join(["word"] * QUOTE_WORDS)


def load_peers(course: Course) -> tuple[Peer, ...]:
    """The course's demo peers (none if it has no ``demo/cohort.yml``), each answer checked."""
    file = cohort_file(course)
    if file is None or not file.is_file():
        return ()
    doc = read_yaml(file, holds="the demo peers, a list under 'peers:'")
    if not isinstance(doc, dict) or not isinstance(doc.get("peers"), list):
        raise ConfigError("expected a list under 'peers'", source=str(file))
    kinds = {path.id: answer_kinds(path.notebook) for path in course.paths}
    peers = []
    for raw in doc["peers"]:
        try:
            peers.append(_peer(course, raw, kinds))
        except (KeyError, TypeError, PeerkitError) as exc:
            name = raw.get("name", "?") if isinstance(raw, dict) else "?"
            raise ConfigError(f"peer {name!r}: {exc}", source=str(file)) from None
    return tuple(peers)


def _peer(course: Course, raw: dict[str, Any], kinds: Mapping[str, Mapping[str, str]]) -> Peer:
    name = check_learner_id(str(raw["name"]))
    answers: dict[str, dict[str, Answer]] = {}
    for path_id, values in (raw.get("answers") or {}).items():
        path_kinds = kinds[course.path(path_id).id]
        for answer_id in values:
            if answer_id not in path_kinds:
                raise ValidationError(f"{path_id} has no activity {answer_id!r}")
        answers[path_id] = {
            answer_id: Answer.make(path_kinds[answer_id], value, answer_id=answer_id)
            for answer_id, value in values.items()
        }
    reviews = {}
    for path_id, review in (raw.get("reviews") or {}).items():
        content = content_from_value(review)
        sample = _fill(content, _quote_sample())
        todo = check_review(course.rubric_for(path_id), sample)
        if todo:
            raise ValidationError(f"the review of {path_id} is not complete: {'; '.join(todo)}")
        reviews[path_id] = content
    return Peer(
        name=name, circle=str(raw.get("circle", "")), role=str(raw.get("role", "")), answers=answers, reviews=reviews
    )


def _fill(content: ReviewContent, quote: str) -> ReviewContent:
    return ReviewContent(
        scores=content.scores, comments={k: v.replace("{quote}", quote) for k, v in content.comments.items()}
    )


def _plan_dates(peers: tuple[Peer, ...]) -> list[dt.date]:
    return [
        date
        for peer in peers
        for answers in peer.answers.values()
        for answer in answers.values()
        for date in kinds.get(answer.kind).dates(answer.value)
    ]


def days_to_today(peers: tuple[Peer, ...], today: dt.date | None = None) -> int:
    """How far to move the peers' plan dates so that the earliest falls on *today* (they were written
    for the autumn of 2026; a demo started later should still show plans ahead, not long past)."""
    dates = _plan_dates(peers)
    return ((today or dt.date.today()) - min(dates)).days if dates else 0


def moved(answer: Answer, days: int) -> Answer:
    """*answer* with the dates it holds (a plan's date) moved by *days* (answers without dates unchanged)."""
    value = kinds.get(answer.kind).shift_dates(answer.value, days)
    if value is answer.value:
        return answer
    return Answer.make(answer.kind, value, updated=answer.updated)


def main_answer(course: Course, path_id: str, sheet_answers: Mapping[str, Answer]) -> str:
    """The first words of the author's first text answer, for a reviewer's ``{quote}``."""
    for answer_id, kind in answer_kinds(course.path(path_id).notebook).items():
        answer = sheet_answers.get(answer_id)
        text = kinds.get(kind).reflection(answer.value) if answer is not None else ""
        if text.strip():
            words = _WORD.findall(text)
            return " ".join(words[:QUOTE_WORDS])
    return "your answer"


#: Fewer words than this in an answer read as "very short" to a demo peer (half an answer).
SHORT_WORDS = 12


def substance(course: Course, path_id: str, sheet_answers: Mapping[str, Answer]) -> tuple[float, int, int]:
    """How much of *path_id*'s required work the author gave, as a demo peer reads it: each required
    answer counts 1 when answered (free text at some length), 1/2 for free text of fewer than
    :data:`SHORT_WORDS` words, 0 when blank; returns the share of the whole (0 to 1), the answers
    blank or very short, and how many are required."""
    notebook = course.path(path_id).notebook
    found = answer_kinds(notebook)
    needed = [a for a in required_answers(notebook) if a in found]
    if not needed:
        return 1.0, 0, 0
    total, thin = 0.0, 0
    for answer_id in needed:
        answer = sheet_answers.get(answer_id)
        if answer is None or not is_answered(answer):
            thin += 1
            continue
        kind = kinds.get(answer.kind)
        prose = kind.text_length(answer.value) is not None  # free text (a choice or a list has no length to judge)
        if prose and len(_WORD.findall(kind.written(answer.value))) < SHORT_WORDS:
            total, thin = total + 0.5, thin + 1
        else:
            total += 1.0
    return total / len(needed), thin, len(needed)


def as_read(
    course: Course, path_id: str, template: ReviewContent, sheet_answers: Mapping[str, Answer]
) -> ReviewContent:
    """A peer's review *template* as it reads the author's actual work: every criterion at most the
    level the work's :func:`substance` reaches on the criterion's scale (blank work: the lowest level,
    "Not yet"; all answered at length: the template's own levels), and, when answers are blank or very
    short, a suggestion that says so. Deterministic: the same work always gets the same review."""
    share, thin, needed = substance(course, path_id, sheet_answers)
    if not thin:
        return template
    rubric = course.rubric_for(path_id)
    scores = dict(template.scores)
    for criterion in rubric.criteria:
        levels = [lv.points for lv in criterion.levels]
        cap = levels[int(share * (len(levels) - 1) + 1e-9)]  # only the whole of the work reaches the top
        if criterion.id in scores:
            scores[criterion.id] = min(scores[criterion.id], cap)
    comments = dict(template.comments)
    ids = [p.id for p in rubric.prompts]
    prompt = "suggestion" if "suggestion" in ids else (ids[-1] if ids else "")
    if prompt:
        note = (
            f"{thin} of your {needed} answers were blank or very short when I read them, so I could not "
            "give them credit: fill them in and submit again."
        )
        comments[prompt] = f"{note} {comments.get(prompt, '')}".strip()
    return ReviewContent(scores=scores, comments=comments)


def enroll_peers(
    course: Course, workspace: Workspace, build: CourseBuild, store: SqlStore, peers: tuple[Peer, ...]
) -> list[str]:
    """Give every peer a home, record their circle, and submit each of their paths once; return
    "peer/path" for each submission made now (nothing on a second run)."""
    from peerkit.demo.site import setup_learner

    made = []
    shift = days_to_today(peers)
    for peer in peers:
        course_dir = setup_learner(course, workspace, peer.name)
        store.add_learner(peer.name, circle=peer.circle or None)
        config = load_config([workspace.learner_home(peer.name) / ".jupyter"])
        for path_id, answers in peer.answers.items():
            if last_submission_time(config, path_id, learner=peer.name) is not None:
                continue
            folder = course_dir / path_id
            if not folder.is_dir():
                fetch(config, path_id, assignment_dir=course_dir, learner=peer.name)
            file = AnswerFile(folder, path_id)
            for answer_id, answer in answers.items():
                file.save(answer_id, moved(answer, shift), seen=None)
            submit(config, folder, learner=peer.name)
            made.append(f"{peer.name}/{path_id}")
    return made


def write_peer_reviews(
    course: Course, workspace: Workspace, store: SqlStore, peers: tuple[Peer, ...], path_id: str
) -> int:
    """Every open review assignment of a peer in *path_id*: write the peer's review and submit it."""
    by_name = {peer.name: peer for peer in peers}
    path = course.path(path_id)
    pending = [a for a in store.assignments(path_id) if a.status == "open" and a.reviewer in by_name]
    written = 0
    for reviewer in sorted({a.reviewer for a in pending}):
        peer = by_name[reviewer]
        template = peer.reviews.get(path_id)
        if template is None:
            continue
        config = load_config([workspace.learner_home(reviewer) / ".jupyter"])
        course_dir = workspace.learner_course_dir(reviewer, course.id)
        folder = course_dir / path.review_id
        if not folder.is_dir():
            fetch(config, path.review_id, assignment_dir=course_dir, learner=reviewer)
        file = AnswerFile(folder, path.review_id)
        for assignment in (a for a in pending if a.reviewer == reviewer):
            author = store.submission(assignment.author, path_id)
            quote = main_answer(course, path_id, author.sheet.answers) if author else "your answer"
            content = _fill(as_read(course, path_id, template, author.sheet.answers) if author else template, quote)
            value: JSON = {
                "packet": assignment.token,
                "scores": dict(content.scores),
                "comments": dict(content.comments),
            }
            file.save(f"r-{assignment.token}", Answer.make("review", value), seen=None)
            written += 1
        submit(config, folder, learner=reviewer)
    return written
