"""The frame every learner page shares: the course title, where this page sits in the
course ("Path 3 of 6"), links home / previous / next, and after a Submit the way on.

The frame is plain, escaped, semantic HTML (``header``, ``nav``, real ``<a href>`` links) so that it
reads the same with or without the page's styles; the page template gives it its look, puts the skip
link first and wraps the page's cells in the ``main`` landmark it points to (:data:`MAIN_ID`).

Where a page sits is read from the ``metadata.peerkit`` that the build stamps into every path
notebook (its number, how many numbered paths the course has, its due date), for the page's own
notebook and for the notebooks beside it in the learner's course folder. Links are relative to the
page's Voilà URL: a path page is ``<id>/<id>.ipynb``, the course home ``home.ipynb`` beside them.
"""

from __future__ import annotations

import html
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peerkit.core import documents
from peerkit.core.errors import PeerkitError

log = logging.getLogger(__name__)

METADATA_KEY = "peerkit"
#: The id of the page's main content (the skip link's target; the page template sets it).
MAIN_ID = "peerkit-main"
HOME = "home.ipynb"
PROGRESS = "progress.ipynb"
GALLERY = "gallery.ipynb"


@dataclass(frozen=True, slots=True)
class Stop:
    """One path (or review assignment) of the course as the frame links to it."""

    id: str
    title: str
    position: int
    #: "Path 3" counts numbered paths from 1; None for the course's "Start here" path.
    number: int | None = None
    numbered_paths: int = 0
    review_of: str | None = None
    #: When it is due, as ``2026-03-02T16:00:00Z`` (UTC); None when the course sets no date.
    due: str | None = None
    course_title: str = ""
    peer_review: bool = False
    #: How many classmates' submissions each learner reviews (a peer-reviewed path), 0 if unknown.
    reviews_to_write: int = 0
    #: A review assignment's: "round" (the facilitator opens the round) or "rolling" (work arrives as
    #: classmates submit).
    review_mode: str = "round"
    #: A review assignment's: whether its page offers practice examples before the first review.
    practice: bool = False

    @property
    def link(self) -> str:
        """The page of this stop, relative to the course home's URL."""
        return f"{self.id}/{self.id}.ipynb"

    @property
    def label(self) -> str:
        """What the learner reads: "Path 3 of 6", "Start here", or "Reviews of Path 4"."""
        if self.number is None:
            return "Start here"
        where = f"Path {self.number}"
        if self.review_of is not None:
            return f"Reviews of {where}"
        return f"{where} of {self.numbered_paths}" if self.numbered_paths else where


def notebook_stop(notebook: Path) -> Stop | None:
    """The :class:`Stop` a built path notebook describes, or None when it is not one (or unreadable)."""
    try:
        doc = json.loads(notebook.read_text(encoding="utf-8"))
        meta = doc.get("metadata", {}).get(METADATA_KEY) if isinstance(doc, dict) else None
        if not isinstance(meta, dict):
            return None
        meta = documents.parse(meta, documents.NOTEBOOK, source=str(notebook))
    except (OSError, ValueError, PeerkitError) as exc:
        log.debug("no place in the course for %s: %s", notebook, exc)
        return None
    return stop_from_metadata(meta)


def stop_from_metadata(meta: dict[str, Any]) -> Stop | None:
    """A :class:`Stop` from a notebook's ``metadata.peerkit`` (None when it names no path)."""
    if not isinstance(meta.get("path"), str):
        return None
    number = meta.get("number")
    due = meta.get("due")
    return Stop(
        id=meta["path"],
        title=str(meta.get("title", meta["path"])),
        position=int(meta.get("position", 0) or 0),
        number=number if isinstance(number, int) and not isinstance(number, bool) else None,
        numbered_paths=int(meta.get("numbered_paths", 0) or 0),
        review_of=str(meta["review_of"]) if meta.get("review_of") else None,
        due=due if isinstance(due, str) else None,
        course_title=str(meta.get("course_title", "")),
        peer_review=meta.get("peer_review") is True,
        reviews_to_write=int(meta.get("reviews_to_write") or 0),
        review_mode="rolling" if meta.get("review_mode") == "rolling" else "round",
        practice=isinstance(meta.get("practice"), dict) and bool(meta["practice"].get("examples")),
    )


def course_stops(course_folder: Path) -> list[Stop]:
    """Every path (and review assignment) fetched into the learner's course folder, in course order."""
    stops = []
    for notebook in sorted(course_folder.glob("*/*.ipynb")):
        if notebook.parent.name == notebook.stem:
            stop = notebook_stop(notebook)
            if stop is not None and stop.id == notebook.stem:
                stops.append(stop)
    return sorted(stops, key=lambda s: (s.position, s.review_of is not None, s.id))


def course_title(course_folder: Path | None) -> str:
    """The course's title as its fetched paths carry it ("Your course" before any is fetched)."""
    stops = course_stops(course_folder) if course_folder is not None and course_folder.is_dir() else []
    return next((s.course_title for s in stops if s.course_title), "Your course")


@dataclass(frozen=True, slots=True)
class Place:
    """Where one page sits: the course, this page, the pages before and after it."""

    course_title: str
    here: str  # "Path 3 of 6", "Course home", "My progress", ...
    previous: Stop | None = None
    next: Stop | None = None
    #: The prefix from this page's URL to the course home's folder ("../" from a path page).
    up: str = ""


def place_of(path_id: str, course_folder: Path | None) -> Place:
    """Where the page of *path_id* sits among the paths fetched into *course_folder*."""
    stops = course_stops(course_folder) if course_folder is not None and course_folder.is_dir() else []
    own = next((s for s in stops if s.id == path_id), None)
    paths = [s for s in stops if s.review_of is None]
    course_title = own.course_title if own and own.course_title else "Your course"
    if own is None:
        return Place(course_title=course_title, here=path_id, up="../")
    anchor = own.review_of or own.id
    index = next((i for i, s in enumerate(paths) if s.id == anchor), None)
    before = paths[index - 1] if index is not None and index > 0 else None
    after = paths[index + 1] if index is not None and index + 1 < len(paths) else None
    return Place(course_title=course_title, here=own.label, previous=before, next=after, up="../")


def titled(label: str, title: str, separator: str = " · ") -> str:
    """A path's label and title as learners read them ("Path 3 · Peer learning at work"), or the title
    alone when it begins with the label already ("Start here: how this course works")."""
    if not label or title.casefold().startswith(label.casefold()):
        return title
    return f"{label}{separator}{title}"


def _link(href: str, text: str, *, rel: str = "", css: str = "") -> str:
    attrs = f' rel="{rel}"' if rel else ""
    attrs += f' class="{css}"' if css else ""
    return f'<a href="{html.escape(href)}" target="_self"{attrs}>{html.escape(text)}</a>'


def render_frame(place: Place, *, here_title: str = "") -> str:
    """The top of a learner page: course title, where this page is, home / previous / next.

    *here_title* (the page's own title) goes into the place line; the page's ``h1`` stays the
    page's own heading (a path notebook's first Markdown cell, the home's course title)."""
    up = place.up
    items = [f"<li>{_link(up + HOME, 'Course home', css='peerkit-nav-home')}</li>"]
    if place.previous is not None:
        text = f"Previous: {titled(place.previous.label.split(' of ')[0], place.previous.title)}"
        items.append(f"<li>{_link(up + place.previous.link, text, rel='prev', css='peerkit-nav-previous')}</li>")
    if place.next is not None:
        text = f"Next: {titled(place.next.label.split(' of ')[0], place.next.title)}"
        items.append(f"<li>{_link(up + place.next.link, text, rel='next', css='peerkit-nav-next')}</li>")
    items.append(f"<li>{_link(up + PROGRESS, 'My progress', css='peerkit-nav-progress')}</li>")
    items.append(f"<li>{_link(up + GALLERY, 'Example gallery', css='peerkit-nav-gallery')}</li>")
    here = html.escape(place.here) + (f" · {html.escape(here_title)}" if here_title else "")
    return (
        '<header class="peerkit-frame">'
        f'<p class="peerkit-frame-course" style="margin:0;font-weight:600">{html.escape(place.course_title)}</p>'
        f'<p class="peerkit-frame-here" style="margin:0">{here}</p>'
        '<nav class="peerkit-frame-nav" aria-label="Course">'
        '<ul style="list-style:none;display:flex;flex-wrap:wrap;gap:4px 18px;margin:4px 0 8px 0;padding:0">'
        + "".join(items)
        + "</ul></nav></header>"
    )


def render_next_step(text: str, link: str | None = None, *, link_text: str = "") -> str:
    """The way on after a Submit: one sentence and, when there is somewhere to go, a link."""
    body = html.escape(text)
    if link:
        body += " " + _link(link, link_text or "Go there", css="peerkit-next-link")
    return f'<p class="peerkit-next-step" style="margin:6px 0 0 0;font-weight:600">{body}</p>'


#: After a submission that came when the path's peer review had closed: what happens to it, truthfully.
CLOSED_AFTER_SUBMIT = (
    "Peer review of this path has closed, so no classmate will review this submission and there is no "
    "classmates' work for you to review. Your facilitator has your submission."
)


def next_step_after(path_id: str, course_folder: Path | None, *, review_closed: bool = False) -> str:
    """What comes after submitting *path_id*, as HTML (escaped), relative to a path page's URL: the
    path's reviews when it is peer reviewed (said as its review runs: classmates' work arriving as they
    submit, or the facilitator opening the round), else the next path, else the course home. With
    *review_closed* (the facilitator closed the path's peer review) it says so, and offers the next path."""
    stops = course_stops(course_folder) if course_folder is not None and course_folder.is_dir() else []
    by_id = {s.id: s for s in stops}
    own = by_id.get(path_id)
    review = by_id.get(f"{path_id}-review")
    closed = ""
    if own is not None and own.peer_review and own.review_of is None:
        if review_closed:
            closed = CLOSED_AFTER_SUBMIT + " "
        else:
            return _reviews_next(own, review)
    place = place_of(path_id, course_folder)
    if place.next is not None:
        return render_next_step(
            f"{closed}Next path: {place.next.title}.", f"../{place.next.link}", link_text="Start it"
        )
    return render_next_step(
        f"{closed}Next: see what is waiting for you on your course home.", f"../{HOME}", link_text="Course home"
    )


def _reviews_next(own: Stop, review: Stop | None) -> str:
    """The way on to the path's reviews, in the words of how the path is reviewed."""
    n = own.reviews_to_write
    count = f"review {n} classmates' work" if n else "review your classmates' work"
    if review is not None and review.review_mode == "rolling":
        meanwhile = "; until it does, practise on the examples there" if review.practice else ""
        return render_next_step(
            f"Next: {count}. It arrives on the review page as classmates submit theirs{meanwhile}.",
            f"../{review.link}",
            link_text="Open the review page",
        )
    if review is not None:
        return render_next_step(
            f"Next: {count} once your facilitator opens the review round.",
            f"../{review.link}",
            link_text="Open the review page",
        )
    return render_next_step(
        f"Next: {count} once it is ready; it appears on your course home.",
        f"../{HOME}",
        link_text="Course home",
    )
