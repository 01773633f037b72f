"""Summary notes: the recurring themes of a path's reflections and the actions learners committed to.

Peer learning groups keep a summary of insights and actions for everyone, including those who
could not attend. peerkit drafts one per path, the facilitator edits it, and releases it to every
learner as a page (``<exchange>/<course>/peerkit-public/notes-<path>.json``, read by the learner's
"my progress" page).

The draft (:func:`draft`) is made on this machine, with no model to download: every sentence of the
cohort's reflections (text answers) is weighted with TF-IDF and grouped with k-means (scikit-learn,
seeded, so the same answers give the same draft); each theme is named by its top terms and shown
with the one sentence closest to its centre. The actions are the first steps of the learners'
action plans, grouped the same way when there are many. People's names are removed before anything
else happens, by the same :class:`~peerkit.core.redaction.Redactor` as review packets (every
learner's id, gradebook names, e-mail, profile name and the course's ``redact`` terms, replaced by
"[name removed]"; :func:`peerkit.review.people.course_redactor`), so they can neither become a theme's
term nor appear in a quote; releasing removes them again from the facilitator's text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np

from peerkit.config.extras import require
from peerkit.core import documents, kinds
from peerkit.core.curation import SummaryNote
from peerkit.core.errors import ValidationError, WorkflowError
from peerkit.core.models import Course
from peerkit.core.redaction import REMOVED, Redactor
from peerkit.core.rubric import word_count
from peerkit.core.stop_words import ENGLISH_STOP_WORDS
from peerkit.core.store import StoredSubmission
from peerkit.exchange.base import CourseExchange, notes_file
from peerkit.review.people import course_redactor
from peerkit.storage.sql import SqlStore

NAME = "[name]"  # what exports put in place of a learner id (see :mod:`peerkit.facilitator.export`)
MAX_SENTENCES = 20_000  # a random (seeded) sample beyond this keeps drafting fast at MOOC scale
MIN_WORDS, MAX_QUOTE_CHARS = 5, 280
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD_PATTERN = r"(?u)\b[^\W\d_][^\W\d_'-]{2,}\b"


@dataclass(frozen=True, slots=True)
class Theme:
    terms: tuple[str, ...]
    sentences: int
    learners: int
    quote: str


@dataclass(frozen=True, slots=True)
class Action:
    text: str
    learners: int


@dataclass(frozen=True, slots=True)
class Draft:
    path_id: str
    title: str
    reflections: int
    learners: int
    themes: tuple[Theme, ...]
    actions: tuple[Action, ...]

    def markdown(self) -> str:
        lines = [
            f"## Summary notes: {self.title}",
            "",
            f"Drafted from {self.reflections} reflections by {self.learners} learners. "
            "Names are left out; quotes are learners' own words.",
            "",
            "### Recurring themes",
            "",
        ]
        if not self.themes:
            lines.append("- Not enough reflections yet to find recurring themes.")
        for number, theme in enumerate(self.themes, start=1):
            who = f"{theme.learners} learner{'s' if theme.learners != 1 else ''}"
            lines.append(f"{number}. **{', '.join(theme.terms)}** ({who}): “{theme.quote}”")
        lines += ["", "### Actions learners committed to", ""]
        if not self.actions:
            lines.append("- No action plans yet.")
        for action in self.actions:
            similar = f" ({action.learners} learners with a similar first step)" if action.learners > 1 else ""
            lines.append(f"- “{action.text}”{similar}")
        return "\n".join(lines) + "\n"


def redactable(names: Sequence[str]) -> list[str]:
    """The learner ids worth redacting: not common English words (a demo learner called "you" must
    not blank out every "you"), at least two characters (as in review packets). Needs no extra: the
    word list ships with peerkit (exports call this without the ``[dashboard]`` extra)."""
    return sorted({n for n in names if len(n) >= 2 and n.lower() not in ENGLISH_STOP_WORDS})


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE_CHARS else text[: MAX_QUOTE_CHARS - 1].rstrip() + "…"


def _clusters(texts: Sequence[str], k: int, seed: int) -> tuple[Any, Any, Any] | None:
    """(labels, TF-IDF matrix, centres, vocabulary) of *texts* in at most *k* groups; None if no terms."""
    require("dashboard", for_what="drafting summary notes")
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(
        stop_words="english",
        ngram_range=(1, 2),
        sublinear_tf=True,
        token_pattern=_WORD_PATTERN,
        max_df=0.9 if len(texts) >= 20 else 1.0,
    )
    try:  # the placeholder of a removed name is no theme
        matrix = vectorizer.fit_transform([t.replace(REMOVED, " ") for t in texts])
    except ValueError:  # nothing but stop words
        return None
    k = max(1, min(k, matrix.shape[0], matrix.shape[1]))
    model = KMeans(n_clusters=k, random_state=seed, n_init=10).fit(matrix)
    return model.labels_, matrix, (model.cluster_centers_, vectorizer.get_feature_names_out())


def _top_terms(centre: Any, vocabulary: Any, count: int = 4) -> tuple[str, ...]:
    chosen: list[str] = []
    for index in np.argsort(centre)[::-1]:
        if centre[index] <= 0 or len(chosen) == count:
            break
        term = str(vocabulary[index])
        if any(term in other or other in term for other in chosen):
            continue  # "peer" adds nothing beside "peer learning"
        chosen.append(term)
    return tuple(chosen)


def _groups(
    texts: Sequence[str], owners: Sequence[str], k: int, seed: int
) -> list[tuple[tuple[str, ...], int, int, str]]:
    """(terms, size, distinct owners, representative text) per group, largest first."""
    found = _clusters(texts, k, seed)
    if found is None:
        return []
    labels, matrix, (centres, vocabulary) = found
    groups = []
    for label in range(centres.shape[0]):
        members = np.flatnonzero(labels == label)
        if not len(members):
            continue
        closeness = matrix[members] @ centres[label]
        best = int(members[int(np.argmax(closeness))])
        who = len({owners[int(i)] for i in members})
        groups.append((_top_terms(centres[label], vocabulary), len(members), who, texts[best]))
    return sorted(groups, key=lambda g: (-g[2], -g[1], g[3]))


def draft(
    course: Course, path_id: str, submissions: Sequence[StoredSubmission], redactor: Redactor, *, seed: int = 0
) -> Draft:
    """The summary notes of *path_id* drafted from *submissions* (their text answers and action plans);
    every name *redactor* knows (and every submitter's id) is removed everywhere."""
    scrub = redactor.covering(s.learner for s in submissions).scrub
    sentences: list[str] = []
    owners: list[str] = []
    steps: list[str] = []
    step_owners: list[str] = []
    reflections = 0
    writers: set[str] = set()
    for sub in submissions:
        for answer in sub.sheet.answers.values():
            kind = kinds.get(answer.kind)
            if (reflection := kind.reflection(answer.value)).strip():
                reflections += 1
                writers.add(sub.learner)
                for sentence in split_sentences(scrub(reflection)):
                    if word_count(sentence) >= MIN_WORDS:
                        sentences.append(sentence)
                        owners.append(sub.learner)
            elif (step := kind.next_step(answer.value)).strip():
                steps.append(_quote(scrub(step)))
                step_owners.append(sub.learner)
    if len(sentences) > MAX_SENTENCES:
        keep = sorted(int(i) for i in np.random.default_rng(seed).choice(len(sentences), MAX_SENTENCES, replace=False))
        sentences, owners = [sentences[i] for i in keep], [owners[i] for i in keep]
    themes: list[Theme] = []
    if len(sentences) >= 4:
        k = int(min(6, max(2, round((len(sentences) / 3) ** 0.5))))
        groups = _groups(sentences, owners, k, seed)
        shared = [g for g in groups if g[2] >= 2]  # recurring: more than one learner's words
        themes = [Theme(terms, size, who, _quote(text)) for terms, size, who, text in (shared or groups) if terms]
    actions = [Action(step, 1) for step in dict.fromkeys(steps)]
    if len(actions) > 8:
        actions = [Action(_quote(text), who) for _terms, _size, who, text in _groups(steps, step_owners, 6, seed)]
    return Draft(
        path_id=path_id,
        title=course.path(path_id).title,
        reflections=reflections,
        learners=len(writers),
        themes=tuple(themes),
        actions=tuple(actions),
    )


# -- the facilitator's steps ----------------------------------------------------------------------


def draft_notes(
    store: SqlStore,
    course: Course,
    path_id: str,
    *,
    seed: int = 0,
    keep_edits: bool = True,
    redactor: Redactor | None = None,
) -> SummaryNote:
    """Draft *path_id*'s notes from the current submissions and store the draft (see
    :meth:`~peerkit.storage.curation.CurationMethods.save_note_draft` for *keep_edits*). *redactor*
    is the course's (default: :func:`~peerkit.review.people.course_redactor` without the gradebook's names)."""
    course.path(path_id)
    redactor = redactor or course_redactor(store, course, {})
    made = draft(course, path_id, store.submissions(path_id), redactor, seed=seed)
    return store.save_note_draft(path_id, made.markdown(), sources=made.reflections, keep_edits=keep_edits)


#: The longest notes, in UTF-8 bytes: learners' pages read the released notes as one document of at most
#: ``documents.NOTES.max_bytes`` (20 MB), and a twentieth of it fits however much JSON escapes the text.
MAX_NOTES_BYTES: Final = documents.NOTES.max_bytes // 20


def edit_notes(store: SqlStore, course: Course, path_id: str, text: str, *, by: str) -> SummaryNote:
    """Replace the working text of *path_id*'s notes with the facilitator's *text* (from the command line or the
    dashboard): refused, with nothing saved, if learners' pages could never read it."""
    course.path(path_id)
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > MAX_NOTES_BYTES:
        raise ValidationError(
            f"the notes of {path_id} are {size:,} bytes, over the limit of {MAX_NOTES_BYTES:,}; fix: shorten them",
            field="text",
        )
    if "\0" in text:
        raise ValidationError(
            f"the notes of {path_id} hold a NUL character (at {text.index(chr(0))}), so they are not text; fix: "
            "save them as plain text",
            field="text",
        )
    return store.edit_note(path_id, text, by=by)


def notes_document(course: Course, note: SummaryNote, redactor: Redactor) -> dict[str, Any]:
    """The public page of a released note (every name *redactor* knows removed once more: the
    facilitator's edits may have brought one back)."""
    text = redactor.scrub(note.released_text or "")
    released = note.released_at or datetime.now(UTC)
    return documents.dump(
        documents.NOTES,
        {
            "path": note.path_id,
            "path_title": course.path(note.path_id).title,
            "position": course.position(note.path_id),
            "text": text,
            "released_at": released.isoformat(),
        },
    )


def release_notes(
    store: SqlStore,
    course: Course,
    exchange: CourseExchange,
    path_id: str,
    *,
    by: str,
    redactor: Redactor | None = None,
) -> str:
    """Release *path_id*'s working text to every learner through the course's *exchange*; return
    where it was published. *redactor*: as for :func:`draft_notes`."""
    course.path(path_id)
    note = store.note(path_id)
    if note is None or not note.text.strip():
        raise WorkflowError(f"there are no summary notes for {path_id!r} to release (peerkit notes draft {path_id})")
    # Published first, then marked released: a release that fails or is killed in between leaves the
    # notes unreleased in the store (run it again), never "released" with no page for learners.
    now = datetime.now(UTC)
    page = replace(note, released_text=note.text, released_by=by[:100], released_at=now)
    redactor = redactor or course_redactor(store, course, {})
    where = exchange.publish(notes_file(path_id), notes_document(course, page, redactor))
    store.release_note(path_id, by=by, text=note.text, at=now)
    return where
