"""What a learner's review page holds but does not show: every widget's state (hidden traits, classes,
tooltips, placeholders, descriptions) is sent to the browser, so none may name a classmate, a review's
author or reviewer, another learner's packet token or channel, or the round's seed and secret."""

from __future__ import annotations

import json
import re
from typing import Any

from ipywidgets import Widget

from peerkit.apps.review import ReviewPage
from peerkit.review.feedback import close_round
from peerkit.storage.sql import SqlStore
from tests.conftest import CourseLayout
from tests.review.test_feedback_broken import LEARNERS, reviewed, sqlite_store  # noqa: F401 - the fixture

PATH = "essay"
ME = LEARNERS[0]


def widget_state(root: Widget) -> str:
    """Every widget reachable from *root* (children, layouts, styles, links), its whole state as JSON."""
    seen: dict[str, dict[str, Any]] = {}
    stack: list[Any] = [root]
    while stack:
        widget = stack.pop()
        if not isinstance(widget, Widget) or widget.model_id in seen:
            continue
        seen[widget.model_id] = widget.get_state()
        for name in widget.keys:
            value = getattr(widget, name)
            stack.extend(value if isinstance(value, list | tuple) else [value])
    return json.dumps(seen, default=repr)


def secrets(course: CourseLayout, store: SqlStore) -> dict[str, str]:
    """What the page must not hold, by what it is."""
    found = {f"classmate {name}": name for name in LEARNERS if name != ME}
    for a in store.assignments(PATH):
        if a.reviewer != ME:  # one's own reviews' tokens are one's own
            found[f"token of {a.reviewer}'s review of {a.author}"] = a.token
    channels = course.workspace.exchange / course.course.id / "peerkit-channels"
    found |= {f"channel {c.name}": c.name for c in channels.iterdir()}
    found |= {f"packet {p.stem}": p.stem.removeprefix("packet-") for p in channels.glob("*/packet-*.json")}
    rnd = store.review_round(PATH)
    assert rnd is not None and rnd.secret
    found |= {"round secret": rnd.secret, "workspace": str(course.workspace.root)}
    return found


def leaks(state: str, hidden: dict[str, str], own: set[str]) -> list[str]:
    return [
        what
        for what, value in hidden.items()
        if value not in own and re.search(rf"(?<![\w-]){re.escape(value)}(?![\w-])", state, re.IGNORECASE)
    ]


def test_the_review_page_sends_the_browser_nothing_of_classmates_or_the_round(
    review_course: CourseLayout,
    sqlite_store: SqlStore,  # noqa: F811 - the fixture
) -> None:
    reviewed(review_course, sqlite_store)
    hidden = secrets(review_course, sqlite_store)
    # one's own reviews' tokens name the work one reviews: the page may know those
    own = {a.token for a in sqlite_store.assignments(PATH) if a.reviewer == ME}
    folder, config = review_course.folder(ME, f"{PATH}-review"), review_course.learner_config(ME)

    page = ReviewPage(PATH, folder=folder, config=config)  # the round open: classmates' work to review
    assert len(page.forms) == 4
    assert leaks(widget_state(page.view), hidden, own) == []
    page.close()

    close_round(sqlite_store, review_course.course, review_course.build, PATH, gradebook=False)
    page = ReviewPage(PATH, folder=folder, config=config)  # the feedback: three classmates' reviews
    assert len(page.ratings) == 3
    assert leaks(widget_state(page.view), hidden, own) == []
    page.close()
