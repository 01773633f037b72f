"""The loop through the hub, one phase at a time, shared by the hub tests (see conftest.flow)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from tests.hub.harness import Hub, HubError

COURSE_ID = "review-course"
LEARNERS = ["alice", "bob", "carol"]
FACILITATOR = "fiona"
OUTSIDER = "mallory"  # a hub user who is not enrolled: hostile requests come from her too

PATH = "essay"

SUBMIT = f"""
from pathlib import Path
from peerkit.config.identity import resolve_learner
from peerkit.nbgrader.config import learner_config
from peerkit.apps.sync import sync
from peerkit.widgets.context import open_path
home = Path.home()
config = learner_config(home)
me = resolve_learner()
course_dir = home / "{COURSE_ID}"
# peerkit-singleuser fetched the released paths when the server started; a second sync finds nothing new.
at_start = sorted(p.name for p in course_dir.iterdir())
again = sync(config, home=home, learner=me)
folder = course_dir / "{PATH}"
session = open_path("{PATH}", folder=folder, config=config)
first = session.save("story", "text", me + " learned to shelve maps from a colleague at the front desk.")
second = session.save("lesson", "text", "Ask early, and share what you find with the next person.")
submission = session.submit()
emit({{"me": me, "folder": str(folder.relative_to(home)), "mode": session.mode,
       "saved": [first.ok, second.ok], "timestamp": submission.timestamp,
       "at_start": at_start, "again": [again.fetched, again.problems]}})
"""

REVIEW = f"""
from pathlib import Path
from peerkit.apps.review import ReviewPage
from peerkit.nbgrader.config import learner_config
home = Path.home()
page = ReviewPage("{PATH}", folder=home / "{COURSE_ID}" / "{PATH}-review", config=learner_config(home))
for form in page.forms:
    for choice in form.levels.values():
        choice.value = choice.options[-1][1]
    for key, box in form.comments.items():
        box.value = "The " + key + " part is specific: the front-desk story made the lesson concrete."
flushed = page.drafts.flush(30) if page.drafts is not None else False
drafts = page.drafts.exchange.drafts("{PATH}") if page.drafts is not None else {{}}
missing = [form.missing() for form in page.forms]
page.session.submit()
emit({{"forms": len(page.forms), "titles": page.titles, "service": page.drafts is not None,
       "flushed": flushed, "drafts": sorted(drafts), "missing": missing}})
"""

FEEDBACK = f"""
from pathlib import Path
from peerkit.apps.review import ReviewPage
from peerkit.nbgrader.config import learner_config
home = Path.home()
page = ReviewPage("{PATH}", folder=home / "{COURSE_ID}" / "{PATH}-review", config=learner_config(home))
for rating in page.ratings:
    rating.helpful.value = rating.helpful.options[-1][1]
flushed = page.drafts.flush(30) if page.drafts is not None else False
feedback = page.drafts.exchange.feedback("{PATH}") if page.drafts is not None else None
page.session.submit()
emit({{"titles": page.titles, "ratings": len(page.ratings), "flushed": flushed,
       "grade": (feedback or {{}}).get("grade"), "reviews": len((feedback or {{}}).get("reviews", []))}})
"""


@dataclass
class Flow:
    """The loop, one phase at a time; each phase runs once and the later tests build on it.

    A phase that failed fails every later test that needs it at once, with the first failure's
    reason, instead of being tried again by each test (a server that cannot start would otherwise
    cost every one of them its full wait)."""

    hub: Hub
    done: dict[str, Any] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def once(self, name: str, run: Callable[[], Any]) -> Any:
        if name in self.failed:
            raise HubError(f"the {name} phase failed earlier in this run:\n{self.failed[name]}")
        if name not in self.done:
            try:
                self.done[name] = run()
            except BaseException as exc:
                self.failed[name] = f"{type(exc).__name__}: {exc}"[:4000]
                raise
        return self.done[name]

    def facilitate(self, method: str, path: str, body: Any = None) -> Any:
        response = self.hub.service(method, f"api/facilitator/{path}", FACILITATOR, body=body or {})
        assert response.status == 200, f"{method} {path}: {response.status} {response.error}"
        return response.json()

    def each_learner(self, code: str, name: str, timeout: float = 300) -> dict[str, Any]:
        """*code* run in every learner's own server at the same time, as a class does it: {learner: result}.

        Bounded: a learner's run that has not ended within *timeout* seconds fails the phase without
        waiting for it (its thread is left to end on its own request timeout)."""
        pool = ThreadPoolExecutor(len(LEARNERS), thread_name_prefix=f"hub-{name}")
        try:
            futures = {learner: pool.submit(self.hub.run_code, learner, code, name=name) for learner in LEARNERS}
            _, late = wait(futures.values(), timeout=timeout)
            if late:
                slow = sorted(learner for learner, future in futures.items() if future in late)
                raise HubError(f"{name}: no result within {timeout:.0f} s from {slow}:\n{self.hub.log_tail()}")
            return {learner: future.result() for learner, future in futures.items()}
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def released(self) -> Any:
        return self.once("released", lambda: self.facilitate("POST", f"paths/{PATH}/release"))

    def submitted(self) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            self.released()
            self.hub.spawn([*LEARNERS, OUTSIDER])
            return self.each_learner(SUBMIT, "submit")

        return dict(self.once("submitted", run))

    def opened(self) -> Any:
        def run() -> Any:
            self.submitted()
            collected = self.facilitate("POST", f"paths/{PATH}/collect")
            return collected, self.facilitate("POST", f"paths/{PATH}/round")

        return self.once("opened", run)

    def drafting(self) -> None:
        """The round open for review drafts now: opened, and opened again if a test before this one closed it
        (the course service refuses review drafts while a path's peer review is closed, and `review open` on a
        closed round opens it again). What the close gave stays as it was: grades and feedback delivered, and the
        close's report for the tests that read it."""
        self.opened()
        if "closed" in self.done:
            self.facilitate("POST", f"paths/{PATH}/round")

    def reviewed(self) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            self.opened()
            return self.each_learner(REVIEW, "review")

        return dict(self.once("reviewed", run))

    def closed(self) -> Any:
        def run() -> Any:
            self.reviewed()
            reviews = self.facilitate("POST", f"paths/{PATH}/reviews")
            return reviews, self.facilitate("POST", f"paths/{PATH}/close")

        return self.once("closed", run)

    def feedback(self) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            self.closed()
            return self.each_learner(FEEDBACK, "feedback")

        return dict(self.once("feedback", run))
