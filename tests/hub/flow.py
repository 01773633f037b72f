"""The loop through the hub, one phase at a time, shared by the hub tests (see conftest.flow)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from tests.hub.harness import Hub

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
    """The loop, one phase at a time; each phase runs once and the later tests build on it."""

    hub: Hub
    done: dict[str, Any] = field(default_factory=dict)

    def facilitate(self, method: str, path: str, body: Any = None) -> Any:
        response = self.hub.service(method, f"api/facilitator/{path}", FACILITATOR, body=body or {})
        assert response.status == 200, f"{method} {path}: {response.status} {response.error}"
        return response.json()

    def each_learner(self, code: str, name: str) -> dict[str, Any]:
        """*code* run in every learner's own server at the same time, as a class does it: {learner: result}."""
        with ThreadPoolExecutor(len(LEARNERS)) as pool:
            results = list(pool.map(lambda learner: self.hub.run_code(learner, code, name=name), LEARNERS))
        return dict(zip(LEARNERS, results, strict=True))

    def released(self) -> Any:
        if "released" not in self.done:
            self.done["released"] = self.facilitate("POST", f"paths/{PATH}/release")
        return self.done["released"]

    def submitted(self) -> dict[str, Any]:
        if "submitted" not in self.done:
            self.released()
            self.hub.spawn([*LEARNERS, OUTSIDER])
            self.done["submitted"] = self.each_learner(SUBMIT, "submit")
        return dict(self.done["submitted"])

    def opened(self) -> Any:
        if "opened" not in self.done:
            self.submitted()
            collected = self.facilitate("POST", f"paths/{PATH}/collect")
            opened = self.facilitate("POST", f"paths/{PATH}/round")
            self.done["opened"] = (collected, opened)
        return self.done["opened"]

    def reviewed(self) -> dict[str, Any]:
        if "reviewed" not in self.done:
            self.opened()
            self.done["reviewed"] = self.each_learner(REVIEW, "review")
        return dict(self.done["reviewed"])

    def closed(self) -> Any:
        if "closed" not in self.done:
            self.reviewed()
            reviews = self.facilitate("POST", f"paths/{PATH}/reviews")
            closed = self.facilitate("POST", f"paths/{PATH}/close")
            self.done["closed"] = (reviews, closed)
        return self.done["closed"]

    def feedback(self) -> dict[str, Any]:
        if "feedback" not in self.done:
            self.closed()
            self.done["feedback"] = self.each_learner(FEEDBACK, "feedback")
        return dict(self.done["feedback"])
