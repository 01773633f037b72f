"""Review packets: what a reviewer receives about one submission, and nothing that identifies its author.

A packet carries the path's questions and the author's answers (values only; never a check of
understanding, or any kind that is not :attr:`~peerkit.core.kinds.AnswerKind.peer_reviewed`). It
leaves out the learner's name and id, file names, nbgrader's timestamps and secrets, the answers' save
times, revision counters and backups; its file is named by a random token. Every name the round's
:class:`~peerkit.core.redaction.Redactor` knows (the author's id, names, e-mail and hub name, every
other learner's in the round, the course's extra terms) is replaced by "[name removed]" in every
text of every answer, and in the titles and questions. Under ``open`` anonymity (chosen per path)
the author's name is included on purpose.

The round manifest tells a reviewer's app which packets are theirs and carries the rubric, so the
app needs nothing from the course folder.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import Any

from peerkit.core import documents, kinds
from peerkit.core.answers import JSON, MAX_TEXT_CHARS, AnswerSheet
from peerkit.core.errors import ValidationError
from peerkit.core.kinds.values import walk_strings
from peerkit.core.redaction import REMOVED, Redactor
from peerkit.core.review import ReviewKind
from peerkit.core.rubric import Anonymity, Criterion, Level, Prompt, Rubric

REDACTED = REMOVED
MAX_PACKET_BYTES = documents.PACKET.max_bytes

Questions = Mapping[str, tuple[str, str]]  # answer id -> (title, text)


def new_token() -> str:
    """A random packet name: 128 bits, unrelated to anybody's name or submission."""
    return secrets.token_hex(16)


def scrubber(names: Sequence[str], replacement: str = REDACTED) -> Callable[[str], str]:
    """A function that replaces, in one text, every mention of *names* by *replacement* (see
    :class:`~peerkit.core.redaction.Redactor`: any case or accents, whole words, e-mail addresses)."""
    return Redactor(names, replacement=replacement).scrub


def redact(value: JSON, names: Sequence[str], replacement: str = REDACTED) -> JSON:
    """*value* with every mention of *names* in any of its strings redacted (see :func:`scrubber`)."""
    return walk_strings(value, scrubber(names, replacement))


def _unchanged(text: str) -> str:
    return text


def removed_from(sheet: AnswerSheet, redactor: Redactor) -> int:
    """How many mentions *redactor* takes out of *sheet*'s answers as peers see them (the author is told)."""
    tally = redactor.tally()
    for answer in sheet.answers.values():
        if kinds.get(answer.kind).peer_reviewed:
            kinds.get(answer.kind).redact(answer.value, tally)
    return tally.removed


def build_packet(
    *,
    token: str,
    path_id: str,
    path_title: str,
    kind: ReviewKind,
    sheet: AnswerSheet,
    questions: Questions,
    author: str,
    anonymity: Anonymity = "double-blind",
    also_redact: Sequence[str] = (),
    redactor: Redactor | None = None,
) -> dict[str, Any]:
    """The packet of *author*'s *sheet* for one reviewer (or for the author's self-assessment).

    A peer's packet is scrubbed by *redactor* (the round's: every person's names) and always of
    *author* and *also_redact*; the author's own packet is left as they wrote it."""
    order = list(questions) + sorted(set(sheet.answers) - set(questions))
    answers = []
    scrub = (redactor or Redactor(())).covering([author, *also_redact]).scrub if kind != "self" else _unchanged
    for answer_id in order:
        answer = sheet.get(answer_id)
        if answer is None or not kinds.get(answer.kind).peer_reviewed:
            continue  # a check of understanding teaches and is never reviewed
        # The course's titles and questions name no author; an answer the notebook does not ask
        # for is titled by its id, which came from the learner's file and is scrubbed like its value.
        shown_id = answer_id if answer_id in questions else scrub(answer_id)
        title, text = questions.get(answer_id, (shown_id, ""))
        value = answer.value if kind == "self" else kinds.get(answer.kind).redact(answer.value, scrub)
        answers.append({"id": shown_id, "title": title, "question": text, "kind": answer.kind, "value": value})
    return documents.dump(
        documents.PACKET,
        {
            "path": path_id,
            "path_title": path_title,
            "token": token,
            "kind": kind,
            "author": author if anonymity == "open" and kind == "peer" else None,
            "answers": answers,
        },
    )


def rubric_document(rubric: Rubric) -> dict[str, Any]:
    return asdict(rubric)


def rubric_from_document(doc: Mapping[str, Any]) -> Rubric:
    try:
        return Rubric(
            id=str(doc["id"]),
            title=str(doc["title"]),
            guidance=str(doc.get("guidance", "")),
            comment_min_words=int(doc.get("comment_min_words", 0)),
            criteria=tuple(
                Criterion(
                    id=str(c["id"]),
                    title=str(c["title"]),
                    description=str(c.get("description", "")),
                    levels=tuple(
                        Level(float(lv["points"]), str(lv["label"]), str(lv.get("description", "")))
                        for lv in c["levels"]
                    ),
                )
                for c in doc["criteria"]
            ),
            prompts=tuple(
                Prompt(str(p["id"]), str(p["label"]), str(p.get("help", "")), bool(p.get("required", True)))
                for p in doc["prompts"]
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationError(f"round manifest has a malformed rubric: {exc}") from None


def build_round(
    *,
    path_id: str,
    path_title: str,
    rubric: Rubric,
    anonymity: Anonymity,
    packets: Sequence[str],
    own: str | None,
    removed: int = 0,
    mode: str | None = None,
    per_submission: int | None = None,
    waiting_for: int | None = None,
) -> dict[str, Any]:
    """The manifest of one reviewer's channel: their packets in order, their own packet, the rubric,
    and (when there were any) how many names were removed from their own submission before peers
    saw it, so that their app can tell them."""
    body: dict[str, Any] = {
        "path": path_id,
        "path_title": path_title,
        "anonymity": anonymity,
        "rubric": rubric_document(rubric),
        "packets": list(packets),
        "self": own,
    }
    if removed > 0:
        body["removed"] = removed
    if mode is not None:  # how the path is reviewed; rolling: how many more peers this learner awaits
        body["mode"] = mode
        body["per_submission"] = per_submission
        body["waiting_for"] = max(0, waiting_for or 0)
    return documents.dump(documents.ROUND, body)


def parse_packet(data: bytes, *, source: str = "review packet") -> dict[str, Any]:
    """A review packet's document (*source* names its file in errors)."""
    doc = documents.parse(data, documents.PACKET, source=source)
    answers = doc.get("answers")
    if not isinstance(answers, list) or not all(isinstance(a, dict) for a in answers):
        raise ValidationError("packet answers must be a list of objects")
    for answer in answers:
        value = answer.get("value")
        if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
            raise ValidationError("packet answer over the text limit")
    return doc


def parse_round(data: bytes, *, source: str = "round manifest") -> tuple[dict[str, Any], Rubric]:
    """A round manifest's document and its rubric (*source* names its file in errors)."""
    doc = documents.parse(data, documents.ROUND, source=source)
    if not isinstance(doc.get("packets"), list) or not all(isinstance(t, str) for t in doc["packets"]):
        raise ValidationError("round manifest packets must be a list of tokens")
    return doc, rubric_from_document(doc.get("rubric", {}))
