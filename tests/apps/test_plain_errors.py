"""When something fails, learner pages still speak plainly: what happened in the learner's words,
whether their work is safe, what to do, and a reference the facilitator finds in the server's log
with the technical detail. Driven by real parts: the hub client against a small HTTP server that
answers as the course service does (or a port nobody listens on), answers files and review documents
that cannot be read, a submit with nowhere to go."""

from __future__ import annotations

import json
import re
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from peerkit.apps.gallery import GalleryPage
from peerkit.apps.home import CourseHome
from peerkit.apps.progress import ProgressPage
from peerkit.apps.review import ReviewPage
from peerkit.exchange.base import NoActivityLog, round_file
from peerkit.exchange.context import resolve_learner_context
from peerkit.exchange.files.backend import FilesLearnerExchange
from peerkit.exchange.hub.backend import HubLearnerExchange
from peerkit.exchange.hub.client import ServiceClient
from peerkit.nbgrader.ingest import collect_and_ingest
from peerkit.review.round import open_round
from peerkit.storage.sql import SqlStore
from peerkit.widgets.page import PathPage
from peerkit.widgets.trouble import plain_problem
from tests.apps.test_plain_language import INTERNAL, readable, texts
from tests.conftest import CourseLayout
from tests.review.test_round_flow import write_and_submit
from tests.widgets.plain import logged_under, reference_in

PATH = "essay"

#: Stricter than the words a page shows when all goes well: what an error's own text is made of.
STRICT = re.compile(
    r"\b(tokens?|services?|kernels?|traceback|errno|manifests?|stewards?|allocations?|sqlite|sqlalchemy|database"
    r"|[1-5]\d\d)\b|\.py\b|(?:^|\s)/[\w.-]+/",
    re.IGNORECASE,
)


def strict_words(*widgets: Any) -> list[str]:
    """Every internal word, status number, file name of code or server path a learner can read."""
    found = set()
    for widget in widgets:
        for text in texts(widget):
            shown = readable(text)
            found |= {m.group(0).strip().lower() for m in INTERNAL.finditer(shown)}
            found |= {m.group(0).strip().lower() for m in STRICT.finditer(shown)}
    return sorted(found)


class Shown:
    value = ""


def said(text: str) -> Shown:
    shown = Shown()
    shown.value = text
    return shown


@pytest.mark.parametrize(
    "text",
    [
        "the course service refused (404): you have no packet with this token on this path",
        "[Errno 13] Permission denied: '/srv/course/peerkit.sqlite'",
        "Traceback (most recent call last): File run.py",
        "the kernel died",
    ],
)
def test_the_strict_scan_finds_what_an_error_is_made_of(text: str) -> None:
    assert strict_words(said(text))


def test_a_plain_problem_is_plain_and_logs_the_detail_under_its_reference(caplog: pytest.LogCaptureFixture) -> None:
    error = OSError(13, "Permission denied", "/srv/course/peerkit.sqlite")
    text = plain_problem("Your feedback cannot be fetched right now.", error, safe="Nothing is lost.")
    assert strict_words(said(text)) == [] and "Nothing is lost." in text and "tell your facilitator" in text
    assert "/srv/course/peerkit.sqlite" in logged_under(caplog, text)
    again = plain_problem("Still failing.", error, reference=reference_in(text), logged=True)
    assert reference_in(again) == reference_in(text)


# -- the course service, as a learner's review page meets it under JupyterHub ---------------------------

Reply = tuple[int, Any]


class FakeService:
    """Answers GET/PUT under ``api/`` from *routes*: a path's last part ("round", "feedback", "drafts",
    a packet's reference) -> (status, JSON body), as the service's handlers answer; else 404."""

    def __init__(self, routes: dict[str, Reply]) -> None:
        self.routes = routes
        service = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                parts = self.path.rstrip("/").split("/")
                key = parts[-2] if self.command == "PUT" else parts[-1]  # PUT .../drafts/<id>
                status, body = service.routes.get(f"{self.command} {key}", service.routes.get(key, (404, None)))
                data = json.dumps(body if body is not None else {"error": "not found"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 503:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = _answer

            def log_message(self, *_args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def service() -> Iterator[Callable[[dict[str, Reply]], FakeService]]:
    started: list[FakeService] = []

    def start(routes: dict[str, Reply]) -> FakeService:
        started.append(FakeService(routes))
        return started[-1]

    yield start
    for one in started:
        one.close()


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def hub_page(course: CourseLayout, learner: str, url: str) -> ReviewPage:
    """The review page of *learner* under JupyterHub, its documents from the course service at *url*."""
    folder, config = course.folder(learner, f"{PATH}-review"), course.learner_config(learner)
    client = ServiceClient(url, "not-a-real-token", timeout=2, patience=0.6)
    exchange = HubLearnerExchange(learner, client, activity=NoActivityLog())
    context = resolve_learner_context(folder, config=config, learner=learner, exchange=exchange)
    return ReviewPage(PATH, context=context)


def shown_on(page: ReviewPage) -> list[Any]:
    return [page.banner(), page.view, page.sync_line, page.submit(label="Submit my reviews")]


@pytest.fixture
def round_doc(review_course: CourseLayout, store: SqlStore) -> dict[str, Any]:
    """A real review round, as the course service would serve amelia's manifest of it."""
    for learner in ("amelia", "bartholomew", "cordelia", "desmond"):
        write_and_submit(review_course, learner)
    collect_and_ingest(review_course.course_config(), store, PATH)
    open_round(store, review_course.course, PATH, exchange_root=review_course.workspace.exchange, seed=3)
    doc = store.document("amelia", round_file(PATH))
    assert doc is not None and doc["packets"]
    return doc


def test_the_course_service_out_of_reach(review_course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    review_course.enroll("amelia")
    page = hub_page(review_course, "amelia", closed_port())
    notice = " ".join(readable(t) for t in texts(page.view))
    assert "The work to review cannot be read right now." in notice and "Reload the page" in notice
    assert strict_words(*shown_on(page)) == []
    assert "cannot be reached" in logged_under(caplog, notice)
    page.close()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (403, "this hub user name cannot take part: learner id 'ann/x' contains characters that are not allowed"),
        (503, "the store is restarting (sqlite3.OperationalError: database is locked)"),
        (500, 'Traceback (most recent call last): File "/srv/peerkit/service/api.py"'),
    ],
)
def test_the_course_service_refusing_or_busy(
    review_course: CourseLayout,
    service: Callable[[dict[str, Reply]], FakeService],
    caplog: pytest.LogCaptureFixture,
    status: int,
    error: str,
) -> None:
    review_course.enroll("amelia")
    page = hub_page(review_course, "amelia", service({"round": (status, {"error": error})}).url)
    notice = " ".join(readable(t) for t in texts(page.view))
    assert "The work to review cannot be read right now." in notice
    if status == 503:  # retried first, the page saying so in plain words
        assert "The course cannot be reached for a moment" in page.sync_line.value
    assert strict_words(*shown_on(page)) == []
    assert error.split(":")[0] in logged_under(caplog, notice)
    page.close()


@pytest.mark.parametrize("failing", ["feedback", "drafts", "draft saves"])
def test_a_round_that_arrives_with_parts_the_course_service_cannot_give(
    review_course: CourseLayout,
    round_doc: dict[str, Any],
    service: Callable[[dict[str, Reply]], FakeService],
    caplog: pytest.LogCaptureFixture,
    failing: str,
) -> None:
    """The work to review arrives; its pieces are refused (404: "no work with this reference"), and one
    of feedback, drafts and saving a draft fails with the service's own words."""
    broken = (500, {"error": "(sqlite3.OperationalError) unable to open database file /srv/peerkit/course.db"})
    routes: dict[str, Reply] = {
        "round": (200, round_doc),
        "feedback": (404, {"error": "no feedback for you on this path yet"}),
        "drafts": (200, {"path": PATH, "drafts": []}),
        "PUT drafts": (200, {}),
    }
    routes["PUT drafts" if failing == "draft saves" else failing] = broken
    for token in round_doc["packets"]:
        routes[token] = (404, {"error": "you have no work to review with this reference on this path"})
    page = hub_page(review_course, "amelia", service(routes).url)
    assert page.forms and "This submission could not be read." in " ".join(texts(page.view))
    if failing == "draft saves":
        form = page.forms[0]
        next(iter(form.comments.values())).value = "A first thought about this piece of work."
        assert page.drafts is not None
        page.drafts.flush(timeout=5)
        assert "not yet kept with the course" in page.sync_line.value
        page.drafts.stop()
    else:
        assert ("feedback cannot be fetched" if failing == "feedback" else "could not be fetched") in (
            page.sync_line.value
        )
    assert strict_words(*shown_on(page)) == []
    assert "unable to open database file" in logged_under(caplog, readable(page.sync_line.value))
    page.close()


def test_a_review_round_whose_documents_cannot_be_read(
    review_course: CourseLayout, round_doc: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """On one host: the learner's round document in their channel is damaged."""
    context = resolve_learner_context(
        review_course.folder("amelia", f"{PATH}-review"), config=review_course.learner_config("amelia")
    )
    assert isinstance(context.exchange, FilesLearnerExchange)
    for channel in context.exchange.channels(PATH):
        (channel / round_file(PATH)).write_text("{not json")
    page = ReviewPage(PATH, context=context)
    notice = " ".join(readable(t) for t in texts(page.view))
    assert "The work to review cannot be read right now." in notice
    assert strict_words(*shown_on(page)) == []
    assert round_file(PATH) in logged_under(caplog, notice)
    page.close()


# -- the learner's own folder, submitting, the course home ----------------------------------------------


def test_answers_that_cannot_be_read_or_saved(course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    """The answers file is not a file (as a damaged disk or a wrong restore leaves it): the page says the
    answers are not lost and cannot be saved now, without the system's words."""
    course.enroll("kim")
    folder = course.folder("kim", "alpha")
    (folder / "peerkit-answers.json").mkdir()
    page = PathPage("alpha", folder=folder, config=course.learner_config("kim"))
    assert "cannot be read right now" in page.session.notice and "not lost" in page.session.notice
    box = page.reflection("first", "Q?")
    box.text.value = "words I care about"
    status = page.session.save("first", "text", "words I care about")
    assert not status.ok and "Your text is still on this page" in status.message
    assert strict_words(page.banner(), box, said(status.message)) == []
    assert "Is a directory" in logged_under(caplog, status.message)
    assert "peerkit-answers.json" in logged_under(caplog, page.session.notice)
    page.close()


def test_an_answer_refused_for_itself_stays_specific(course: CourseLayout) -> None:
    course.enroll("kim")
    page = PathPage("alpha", folder=course.folder("kim", "alpha"), config=course.learner_config("kim"))
    status = page.session.save("first", "text", "x" * 25_000)
    assert not status.ok and "limit is 20,000" in status.message and "reference" not in status.message
    page.close()


def test_a_submit_with_nowhere_to_go(course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    course.enroll("kim")
    page = PathPage("alpha", folder=course.folder("kim", "alpha"), config=course.learner_config("kim"))
    page.reflection("first", "Q?").text.value = "an answer"
    page.reflection("second", "Q?").text.value = "another"
    inbound = course.inbound()
    shutil.rmtree(inbound)
    inbound.write_text("not a folder")  # where submissions go is not a folder
    panel = page.submit()
    panel.button.click()
    assert "Submit failed" in panel.status.value and "still saved here" in panel.status.value
    assert strict_words(panel) == []
    logged_under(caplog, readable(panel.status.value))
    page.close()


def test_the_course_pages_when_nobody_is_signed_in(course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    folder = course.enroll("kim")
    config = course.learner_config("kim")
    del config.CourseDirectory["student_id"]
    home, progress = CourseHome(folder=folder, config=config), ProgressPage(folder=folder, config=config)
    path = PathPage("alpha", folder=course.folder("kim", "alpha"), config=config)
    assert "does not know who you are" in home.notice.value and "does not know who you are" in path.banner().value
    assert strict_words(home, progress, GalleryPage(folder=folder, config=config), path.banner()) == []
    assert "student_id" in logged_under(caplog, readable(home.notice.value))
    path.close()


def test_the_course_pages_when_the_course_files_cannot_be_read(course: CourseLayout) -> None:
    folder = course.enroll("kim")
    config = course.learner_config("kim")
    (course.folder("kim", "alpha") / "peerkit-answers.json").mkdir()
    exchange = course.workspace.exchange
    shutil.rmtree(exchange)
    exchange.write_text("gone")  # the course's shared folder is not there
    pages = [CourseHome(folder=folder, config=config), ProgressPage(folder=folder, config=config)]
    pages.append(GalleryPage(folder=folder, config=config))
    assert strict_words(*pages) == []


def test_a_path_that_cannot_be_started(course: CourseLayout, caplog: pytest.LogCaptureFixture) -> None:
    folder = course.enroll("kim")
    config = course.learner_config("kim")
    shutil.rmtree(course.folder("kim", "beta"))  # not fetched yet: the home offers to start it
    home = CourseHome(folder=folder, config=config)
    box = home._start_boxes["beta"]
    shutil.rmtree(course.workspace.exchange / course.course.id / "outbound" / "beta")
    button, status = box.children[1], box.children[2]
    button.click()
    assert "could not be got ready" in status.value and "Nothing of yours is affected" in status.value
    assert strict_words(home) == []
    logged_under(caplog, readable(status.value))
