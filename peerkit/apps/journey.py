"""Where a learner stands in each path, as one status: the course home's badge and its way on.

A path's status moves along the learner's journey: not started → in progress → submitted (or
submitted with blanks) → n reviews (and the self-assessment) to do (once the facilitator opened the
review round; on a rolling path, the moment the learner submits) → waiting for classmates' work or
for reviews (rolling) → feedback ready (the round closed, or on a rolling path the learner's reviews
are in; the reviews received wait for a rating; feedback released while reviews are still to write
is said beside them) → done, once nothing is left. A path submitted with blanks keeps saying so
beside where its review stands. A path that is not peer reviewed is done once it is submitted
complete. Every promise of what comes next is said as the path is reviewed (the facilitator opens a
round, or classmates' work arrives as they submit), and once the facilitator has closed the path's
peer review nothing more is promised. Pure of widgets: it
reads an :class:`~peerkit.apps.overview.Overview`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from peerkit.apps.catalog import PathEntry
from peerkit.apps.overview import FeedbackWaiting, Overview, ReviewsToDo, reviews_left

Tone = Literal["muted", "progress", "action", "ok"]

#: A path whose peer review closed, for a learner it did not reach (their submission came after it).
CLOSED_SUBMITTED = "peer review of this path has closed, so no classmate will review your work; your facilitator has it"
CLOSED_NOT_SUBMITTED = "peer review of this path has closed: there is no classmates' work to review"


@dataclass(frozen=True, slots=True)
class Status:
    """One path's status: its short label, how it reads (tone), and where to go next (a link)."""

    label: str
    tone: Tone
    detail: str = ""
    #: The page that moves the path on (the review page for reviews and feedback), or None.
    link: str | None = None
    link_text: str = ""


def status_of(entry: PathEntry, overview: Overview) -> Status:
    """The status of one path (a review assignment's entry: the status of its reviews).

    Reviews still to write come before feedback (a path is "Done" only when nothing is left: reviews
    written and sent, feedback read and rated, no answers left blank), and a path submitted with
    blanks says so beside where its review stands."""
    path_id = entry.review_of or entry.id
    reviews = next((r for r in overview.reviews if r.path_id == path_id), None)
    feedback = next((f for f in overview.feedback if f.path_id == path_id), None)
    review_entry = next((e for e in overview.entries if e.review_of == path_id), None)
    closed = path_id in overview.closed
    if entry.review_of is not None:
        path = next((e for e in overview.entries if e.id == path_id), None)
        submitted = path is not None and path.state in ("submitted", "submitted-with-blanks")
        return _review_status(entry, reviews, feedback, closed=closed, submitted=submitted)
    if entry.state == "available":
        return Status("Not started", "muted")
    if entry.state == "in-progress":
        return Status("In progress", "progress", f"{entry.answered} answer{'s' if entry.answered != 1 else ''} saved")
    if entry.state not in ("submitted", "submitted-with-blanks"):
        return Status("Not started", "muted")
    status = _submitted_status(reviews, feedback, closed=closed, peer_reviewed=review_entry is not None)
    return _with_blanks(status) if entry.state == "submitted-with-blanks" else status


def _submitted_status(
    reviews: ReviewsToDo | None, feedback: FeedbackWaiting | None, *, closed: bool, peer_reviewed: bool
) -> Status:
    """Where a submitted path stands in its review."""
    if reviews is not None and not closed and (reviews.open or reviews.unsent):
        return _reviews_status(reviews, feedback)
    if feedback is not None:
        return _feedback_status(feedback)
    if not peer_reviewed:  # nothing more to do
        return Status("Done", "ok")
    if closed:
        return Status("Submitted", "ok", CLOSED_SUBMITTED)
    if reviews is not None and reviews.mode == "rolling":
        return _rolling_status(reviews)
    if reviews is not None:
        return Status("Reviews sent", "ok", "your feedback comes once your facilitator closes the round")
    return Status("Submitted", "ok", "reviewing classmates' work comes next")


def _with_blanks(status: Status) -> Status:
    """*status* of a path submitted with blanks: the blanks stay in sight beside where its review stands
    (never "Done" while answers are missing)."""
    if status.label in ("Done", "Submitted"):
        return replace(status, label="Submitted with blanks", tone="action")
    return replace(status, label=f"Submitted with blanks · {status.label}", tone="action")


def _feedback_status(feedback: FeedbackWaiting) -> Status:
    if feedback.rated < feedback.reviews:
        left = feedback.reviews - feedback.rated
        return Status(
            "Feedback ready",
            "action",
            f"rate {left} review{'s' if left != 1 else ''} you received",
            feedback.link,
            "Read your feedback",
        )
    return Status("Done", "ok", "feedback read and rated", feedback.link, "Your feedback")


def _reviews_status(reviews: ReviewsToDo, feedback: FeedbackWaiting | None = None) -> Status:
    """Reviews still to write or to send; *feedback* already released is said beside them."""
    also = "your feedback is ready too" if feedback is not None else ""
    left = reviews_left(reviews)
    if left:
        return Status(left[0].upper() + left[1:], "action", also, reviews.link, "Review now")
    sent = "written, not sent yet" + (f"; {also}" if also else "")
    return Status("Reviews to submit", "action", sent, reviews.link, "Submit your reviews")


def _review_status(
    entry: PathEntry,
    reviews: ReviewsToDo | None,
    feedback: FeedbackWaiting | None,
    *,
    closed: bool = False,
    submitted: bool = False,
) -> Status:
    """A review assignment's status; *closed*: the path's peer review has closed; *submitted*: the
    learner has submitted the path (so classmates' work can come to them)."""
    if entry.state == "available":
        return Status("Not started", "muted")
    if reviews is not None and not closed and (reviews.open or reviews.unsent):
        return _reviews_status(reviews, feedback)
    if feedback is not None:
        return _feedback_status(feedback)
    if closed:
        return Status("Closed", "muted", CLOSED_SUBMITTED if submitted else CLOSED_NOT_SUBMITTED)
    if reviews is None:
        return _waiting_status(entry, submitted=submitted)
    if reviews.mode == "rolling":
        return _rolling_status(reviews)
    return Status("Reviews sent", "ok")


def _waiting_status(entry: PathEntry, *, submitted: bool) -> Status:
    """Nothing to review has come yet: what brings it, as the path is reviewed."""
    if entry.review_mode != "rolling":
        return Status("Waiting", "muted", "classmates' work appears once your facilitator opens the review round")
    if not submitted:
        return Status("Waiting", "muted", "submit the path first: classmates' work then arrives here as they submit")
    meanwhile = "; practise on the examples meanwhile" if entry.practice else ""
    return Status(
        "Waiting for classmates' work",
        "progress",
        f"classmates' work arrives here as they submit theirs{meanwhile}",
        entry.link,
        "Open your reviews",
    )


def _rolling_status(reviews: ReviewsToDo) -> Status:
    """A rolling path with nothing to review right now: either classmates' work is still to come
    (the first to submit), or the learner's own feedback is (it comes as soon as their reviews are in)."""
    if reviews.waiting_for:
        n = reviews.waiting_for
        return Status(
            "Waiting for classmates' work",
            "progress",
            f"{n} more to review will appear here as classmates submit; try the practice examples meanwhile",
            reviews.link,
            "Open your reviews",
        )
    return Status(
        "Waiting for reviews",
        "progress",
        "your feedback appears as soon as your classmates have reviewed your work",
        reviews.link,
        "Open your reviews",
    )


def continue_with(entries: tuple[PathEntry, ...] | list[PathEntry]) -> PathEntry | None:
    """The path the learner touched last (from their saved answers' times), if any."""
    touched = [e for e in entries if e.last_touched is not None and e.state != "available"]
    return max(touched, key=lambda e: e.last_touched or datetime.min, default=None)
