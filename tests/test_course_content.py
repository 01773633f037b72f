"""The course content: written fresh from the seeds, consistent with course.yml, clean when rendered.

Three families of checks, all on the files alone (no kernel, no nbgrader run):

1. **Fresh prose.** No run of :data:`MAX_SHARED_RUN` or more consecutive words of a notebook, or of
   course.yml's titles, summaries and description, also appears in a seed document
   (``../shared/seeds`` beside the repository), comparing case-insensitively on words and ignoring
   punctuation.
2. **course.yml and the notebooks agree.** Each path's notebook exists and is named ``NN-<id>``;
   it opens with ``PathPage("<id>")`` and ends with ``page.submit()``; every answer widget has
   exactly one task cell just before it with the same grade id and points; a check of understanding
   (``page.check``) has none: it is worth no points, so the cell before it is plain; every path has 3
   to 6 checks, each saying why its answer is right; course.yml's points are the sum of the task
   points; every path shows the loop it teaches (Learn, Apply, Give and receive feedback, Reflect),
   and a Reflect step that asks what the learner learned, a progress bar and a References section;
   every widget kind is used.
3. **Clean rendering.** Markdown rendered the way nbconvert renders it for Voilà leaves no stray
   ``**``, no wiki links, no leftover notes such as "TODO" or "FORMATTER ERROR".
"""

from __future__ import annotations

import ast
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import mistune
import pytest
import yaml

from peerkit.config.course import load_course
from peerkit.core.kinds.check import KIND as CHECK_KIND
from peerkit.core.kinds.check import CheckQuestion, question
from peerkit.core.models import Course, LearningPath
from peerkit.nbgrader.checks import check_notebook, check_points
from tests.conftest import COURSE_FILE, REPO

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
MAX_SHARED_RUN = 12  # words; a run this long, shared with a seed, is copied prose

KINDS = ("reflection", "scale", "checklist", "profile", "plan", "example", "project", "project_summary", "peers")
CHECK = "check"  # a check of understanding: instant feedback, no task cell, no points, never peer reviewed
CHECKS_PER_PATH = (3, 6)
# kinds whose visible label the author must give
LABELLED = ("reflection", "scale", "checklist", "project", "project_summary", "peers")
STAGES = ("Learn", "Apply", "Give and receive feedback", "Reflect")
SEED_TITLES = (
    "Learning Path #1: What is Peer Learning?",
    "Learning Path #2: Why use Peer Learning?",
    "e-Learning Ecologies",
    "Peer Learning Central",
    "Connecting to Something Bigger",
)
MARK_SCHEME = re.compile(r"=== BEGIN MARK SCHEME ===\n.+?\n=== END MARK SCHEME ===", re.DOTALL)
POINTS_LINE = re.compile(r"^\*(\d+(?:\.\d+)?) points? · about (\d+) minutes?\*$", re.MULTILINE)


# -- reading the course -------------------------------------------------------------------------


@cache
def course() -> Course:
    return load_course(COURSE_FILE)


def source(cell: dict[str, Any]) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def nbgrader(cell: dict[str, Any]) -> dict[str, Any]:
    meta: dict[str, Any] = cell.get("metadata", {}).get("nbgrader", {})
    return meta


def is_task(cell: dict[str, Any]) -> bool:
    return cell["cell_type"] == "markdown" and bool(nbgrader(cell).get("task"))


@dataclass
class Widget:
    kind: str
    answer_id: str
    call: ast.Call


@dataclass
class Notebook:
    path: LearningPath
    cells: list[dict[str, Any]]
    widgets: dict[int, Widget] = field(default_factory=dict)  # code cell index → its answer widget
    checks: dict[int, Widget] = field(default_factory=dict)  # code cell index → its check of understanding

    @property
    def code_cells(self) -> list[tuple[int, dict[str, Any]]]:
        return [(i, c) for i, c in enumerate(self.cells) if c["cell_type"] == "code"]

    @property
    def markdown(self) -> list[str]:
        return [source(c) for c in self.cells if c["cell_type"] == "markdown"]

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return [c for c in self.cells if is_task(c)]

    def text(self) -> str:
        return "\n\n".join(source(c) for c in self.cells)


def page_calls(code: str) -> list[tuple[str, ast.Call]]:
    """Every ``page.<method>(...)`` call in *code*, in order."""
    calls = []
    for node in ast.walk(ast.parse(code)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "page"
        ):
            calls.append((node.func.attr, node))
    return sorted(calls, key=lambda item: (item[1].lineno, item[1].col_offset))


def first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


@cache
def notebook(path_id: str) -> Notebook:
    path = course().path(path_id)
    doc = json.loads(path.notebook.read_text(encoding="utf-8"))
    nb = Notebook(path, doc["cells"])
    for index, cell in nb.code_cells:
        for kind, call in page_calls(source(cell)):
            if kind in KINDS or kind == CHECK:
                answer_id = first_string(call)
                assert answer_id, f"{path_id}: page.{kind} without a literal answer id in cell {index}"
                found = nb.checks if kind == CHECK else nb.widgets
                assert index not in {**nb.widgets, **nb.checks}, f"{path_id}: cell {index} holds two activities"
                found[index] = Widget(kind, answer_id, call)
    return nb


PATH_IDS = [p.id for p in course().paths]
by_path = pytest.mark.parametrize("path_id", PATH_IDS)


# -- 1. fresh prose -------------------------------------------------------------------------------


def words_split(text: str) -> list[str]:
    """Words with every punctuation mark as a separator ("peer-to-peer" is three words)."""
    text = text.lower().replace("’", "'").replace("'", "")
    return re.findall(r"[^\W_]+", text)


def words_joined(text: str) -> list[str]:
    """Words with punctuation inside a word dropped ("peer-to-peer" is one word)."""
    tokens = (re.sub(r"[\W_]+", "", token) for token in text.lower().split())
    return [t for t in tokens if t]


TOKENIZERS = (words_split, words_joined)


@cache
def seed_runs(tokenizer_index: int) -> frozenset[tuple[str, ...]]:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}: the copy check needs ../shared/seeds beside the repository")
    words = TOKENIZERS[tokenizer_index]
    runs: set[tuple[str, ...]] = set()
    for seed in sorted(p for p in SEEDS.iterdir() if p.is_file()):
        tokens = words(seed.read_text(encoding="utf-8", errors="replace"))
        runs.update(tuple(tokens[i : i + MAX_SHARED_RUN]) for i in range(len(tokens) - MAX_SHARED_RUN + 1))
    return frozenset(runs)


def copied_runs(text: str) -> list[str]:
    found = []
    for index, words in enumerate(TOKENIZERS):
        tokens = words(text)
        runs = seed_runs(index)
        found += [
            " ".join(tokens[i : i + MAX_SHARED_RUN])
            for i in range(len(tokens) - MAX_SHARED_RUN + 1)
            if tuple(tokens[i : i + MAX_SHARED_RUN]) in runs
        ]
    return found


def test_the_seed_documents_are_there() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    assert len([p for p in SEEDS.iterdir() if p.is_file()]) >= 5


def test_copy_check_catches_a_copied_sentence() -> None:
    seed = next(p for p in sorted(SEEDS.iterdir()) if p.is_file()) if SEEDS.is_dir() else None
    if seed is None:
        pytest.skip(f"seed documents not found at {SEEDS}")
    words = words_split(seed.read_text(encoding="utf-8", errors="replace"))
    copied = " ".join(words[40 : 40 + MAX_SHARED_RUN]).upper() + "!"
    assert copied_runs(f"Our own words, then: {copied} And more of ours.")
    assert not copied_runs(" ".join(words[40 : 40 + MAX_SHARED_RUN - 1]))


@by_path
def test_notebook_prose_is_not_copied_from_a_seed(path_id: str) -> None:
    copied = copied_runs(notebook(path_id).text())
    assert not copied, f"{path_id} shares {MAX_SHARED_RUN}+ word runs with a seed: {copied[:5]}"


def test_course_yml_text_is_not_copied_from_a_seed() -> None:
    doc = yaml.safe_load(COURSE_FILE.read_text(encoding="utf-8"))
    texts = [doc["title"], doc.get("description", "")]
    texts += [p["title"] for p in doc["paths"]] + [p.get("summary", "") for p in doc["paths"]]
    copied = [run for text in texts for run in copied_runs(text)]
    assert not copied, f"course.yml shares {MAX_SHARED_RUN}+ word runs with a seed: {copied[:5]}"


def test_quoted_phrases_of_the_webinar_path_are_the_speakers_own() -> None:
    """Path 5's references say its short quoted phrases are the speakers' own: each phrase in double
    quotes in its Learn step appears word for word in the webinar's page."""
    if not SEEDS.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS}")
    webinar = next(p for p in SEEDS.iterdir() if "Connecting to Something Bigger" in p.read_text(encoding="utf-8"))
    seed = " ".join(words_split(webinar.read_text(encoding="utf-8")))
    text = "\n\n".join(notebook("open-connected-learning").markdown)
    learn = text[text.index("## Step 1") : text.index("## Step 2")]
    quoted = re.findall(r'"([^"]+)"|“([^”]+)”', learn)
    assert quoted, "path 5 quotes the webinar's own words somewhere (sage on the stage, co-learner)"
    for phrase in (a or b for a, b in quoted):
        assert f" {' '.join(words_split(phrase))} " in f" {seed} ", (
            f"path 5 quotes {phrase!r}, which the webinar never says"
        )


# -- 2. course.yml and the notebooks agree --------------------------------------------------------


def test_paths_are_numbered_from_orientation_to_capstone() -> None:
    paths = course().paths
    assert paths[0].id == "orientation" and paths[-1].id == "capstone"
    assert "what-is-peer-learning" in PATH_IDS
    assert paths[-1].peer_review, "the capstone is reviewed by peers"
    for number, path in enumerate(paths):
        assert path.notebook.is_file(), f"{path.id}: {path.notebook} is missing"
        assert path.notebook.name == f"{number:02d}-{path.id}.ipynb"


def test_peer_reviewed_paths_exist() -> None:
    reviewed = [p for p in course().paths if p.peer_review]
    assert reviewed and all(p.notebook.is_file() for p in reviewed)


@by_path
def test_first_code_cell_opens_the_path_and_last_submits(path_id: str) -> None:
    nb = notebook(path_id)
    (_, first), *_, (_, last) = nb.code_cells
    opened = [
        node
        for node in ast.walk(ast.parse(source(first)))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "PathPage"
    ]
    assert len(opened) == 1 and first_string(opened[0]) == path_id
    assert "page.banner()" in source(first)
    assert source(last).strip() == "page.submit()"
    assert nb.cells.index(first) == 0, "the page is created before anything is shown"


@by_path
def test_every_code_cell_is_locked_with_a_unique_grade_id(path_id: str) -> None:
    nb = notebook(path_id)
    ids = [nbgrader(c).get("grade_id") for c in nb.cells if nbgrader(c)]
    assert all(ids) and len(ids) == len(set(ids)), Counter(ids).most_common(3)
    for index, cell in nb.code_cells:
        meta = nbgrader(cell)
        assert meta.get("locked") is True and not meta.get("solution") and not meta.get("grade"), index


@by_path
def test_every_answer_widget_has_its_task_cell_just_before(path_id: str) -> None:
    nb = notebook(path_id)
    answer_ids = [w.answer_id for w in nb.widgets.values()]
    assert len(answer_ids) == len(set(answer_ids)), f"{path_id}: an answer id is used twice"
    assert 3 <= len(answer_ids) <= 7, f"{path_id}: {len(answer_ids)} activities (3 to 7 expected)"
    for index, widget in nb.widgets.items():
        before = nb.cells[index - 1]
        assert is_task(before), f"{path_id}: no task cell just before the {widget.answer_id!r} widget"
        assert nbgrader(before)["grade_id"] == widget.answer_id
        assert nbgrader(before)["points"] > 0
    tasks = [nbgrader(c)["grade_id"] for c in nb.tasks]
    assert sorted(tasks) == sorted(answer_ids), f"{path_id}: task cells without a widget or the reverse"


@by_path
def test_task_cells_ask_state_points_and_carry_a_mark_scheme(path_id: str) -> None:
    for cell in notebook(path_id).tasks:
        text, meta = source(cell), nbgrader(cell)
        assert len(MARK_SCHEME.findall(text)) == 1, f"{meta['grade_id']}: one mark scheme block"
        shown = POINTS_LINE.search(text)
        assert shown, f"{meta['grade_id']}: a line '*N points · about M minutes*'"
        assert float(shown.group(1)) == meta["points"], f"{meta['grade_id']}: points shown ≠ points graded"
        question = MARK_SCHEME.sub("", text)
        assert re.search(r"^### \S", question, re.MULTILINE), f"{meta['grade_id']}: a heading"
        assert re.search(r"\*\*[^*]+\*\*", question), f"{meta['grade_id']}: the question or task stands out in bold"
    for text in notebook(path_id).markdown:
        assert "MARK SCHEME" not in MARK_SCHEME.sub("", text), "a stray mark scheme marker"
    plain = [c for c in notebook(path_id).cells if not is_task(c) and c["cell_type"] == "markdown"]
    assert not any("MARK SCHEME" in source(c) for c in plain), "mark schemes only in task cells"


@by_path
def test_course_points_are_the_sum_of_task_points(path_id: str) -> None:
    """`peerkit build` refuses a path whose points differ (peerkit.nbgrader.checks): the same check here."""
    nb = notebook(path_id)
    graded = check_notebook(json.loads(nb.path.notebook.read_text(encoding="utf-8")), nb.path.notebook)
    check_points(course(), nb.path, graded)
    assert [c.grade_id for c in graded] == [nbgrader(c)["grade_id"] for c in nb.tasks]


def check_question(widget: Widget) -> CheckQuestion:
    """The check as the page builds it, from the literal arguments of its ``page.check(...)`` call."""
    args = [ast.literal_eval(a) for a in widget.call.args]
    options = {k.arg: ast.literal_eval(k.value) for k in widget.call.keywords if k.arg and k.arg != "optional"}
    return question(*args, **options)


@by_path
def test_checks_are_plain_cells_worth_no_points(path_id: str) -> None:
    """A check teaches: no task cell (so nbgrader gives it no points and peers never grade it), and the
    page builds it without an error (a right answer among the choices, a why, no entry twice)."""
    nb = notebook(path_id)
    ids = [w.answer_id for w in [*nb.widgets.values(), *nb.checks.values()]]
    assert len(ids) == len(set(ids)), f"{path_id}: an answer id is used twice"
    tasks = {nbgrader(c)["grade_id"] for c in nb.tasks}
    for index, check in nb.checks.items():
        before = nb.cells[index - 1] if index else None
        assert before is None or not is_task(before), f"{path_id}: a task cell just before check {check.answer_id!r}"
        assert check.answer_id not in tasks, f"{path_id}: check {check.answer_id!r} has a task cell (and points)"
        assert check.answer_id.startswith("check-"), f"{path_id}: {check.answer_id!r}: check ids start with 'check-'"
        spec = check_question(check)
        assert spec.why.strip(), f"{path_id}: {check.answer_id!r} says why"


@by_path
def test_every_path_has_three_to_six_checks(path_id: str) -> None:
    checks = notebook(path_id).checks
    low, high = CHECKS_PER_PATH
    assert low <= len(checks) <= high, f"{path_id}: {len(checks)} checks ({low} to {high} expected)"


@by_path
def test_title_minutes_and_position_match_course_yml(path_id: str) -> None:
    nb = notebook(path_id)
    text = "\n\n".join(nb.markdown)
    titles = re.findall(r"^# (.+)$", text, re.MULTILINE)
    assert titles == [nb.path.title], f"{path_id}: exactly one H1, the path's title"
    number = course().number(path_id)  # one numbering everywhere: "Start here", then paths 1 to 6
    if number is None:
        line = re.search(r"^\*About (\d+) minutes · Start here\b.*\*$", text, re.MULTILINE)
        assert line and int(line.group(1)) == nb.path.minutes
    else:
        line = re.search(r"^\*About (\d+) minutes · Learning path (\d+)\b.*\*$", text, re.MULTILINE)
        assert line and (int(line.group(1)), int(line.group(2))) == (nb.path.minutes, number)
    assert 20 <= nb.path.minutes <= 40


@by_path
def test_the_page_follows_the_loop_it_teaches(path_id: str) -> None:
    nb = notebook(path_id)
    headings = [h for text in nb.markdown for h in re.findall(r"^## (.+)$", text, re.MULTILINE)]
    steps = [h for h in headings if h.startswith("Step ")]
    assert [re.sub(r"^Step (\d) · ([^:]+).*$", r"\1 \2", h) for h in steps] == [
        f"{n} {stage}" for n, stage in enumerate(STAGES, start=1)
    ], f"{path_id}: the four stages in order, got {steps}"
    # every stage but Learn holds an activity; on a peer-reviewed path the review itself, after
    # submission, can be the whole feedback step
    starts = [next(i for i, c in enumerate(nb.cells) if f"## {step}" in source(c)) for step in steps]
    for step, start, end in zip(steps, starts, [*starts[1:], len(nb.cells)], strict=True):
        if not step.startswith("Step 1") and not (step.startswith("Step 3") and nb.path.peer_review):
            assert any(start < i < end for i in nb.widgets), f"{path_id}: no activity in '{step}'"


# "what have you learned", "what did you learn", "one thing you learned", "what you have learned"
ASKS_WHAT_WAS_LEARNED = re.compile(r"\bwhat (?:have|did) you learn(?:ed|t)?\b|\byou (?:have )?learn(?:ed|t)\b", re.I)


def reflect_tasks(path_id: str) -> list[dict[str, Any]]:
    """The task cells between the page's "## Step 4 · Reflect" heading and the next "## " heading."""
    cells = notebook(path_id).cells
    heading = re.compile(r"^## ", re.MULTILINE)
    start = next(
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown" and re.search(r"^## Step 4 · Reflect\b", source(c), re.MULTILINE)
    )
    end = next(
        (
            i
            for i in range(start + 1, len(cells))
            if cells[i]["cell_type"] == "markdown" and heading.search(source(cells[i]))
        ),
        len(cells),
    )
    return [c for c in cells[start + 1 : end] if is_task(c)]


def test_orientation_says_reflect_asks_what_was_learned() -> None:
    text = "\n\n".join(notebook(PATH_IDS[0]).markdown)
    assert re.search(r"^\d\. \*\*Reflect\*\*: what did I learn\b", text, re.MULTILINE), (
        "the orientation no longer defines the Reflect step as 'what did I learn...': "
        "update ASKS_WHAT_WAS_LEARNED and the Reflect prompts to match"
    )


@by_path
def test_the_reflect_step_asks_what_the_learner_learned(path_id: str) -> None:
    """The orientation's Reflect step is "what did I learn, and what will I do next?": on every page,
    one graded activity of Step 4 asks, in its question (not only its mark scheme), what was learned."""
    tasks = reflect_tasks(path_id)
    assert tasks, f"{path_id}: no graded activity under '## Step 4 · Reflect'"
    asking = [nbgrader(c)["grade_id"] for c in tasks if ASKS_WHAT_WAS_LEARNED.search(MARK_SCHEME.sub("", source(c)))]
    assert asking, (
        f"{path_id}: none of the Reflect activities {[nbgrader(c)['grade_id'] for c in tasks]} asks what the learner "
        "learned (e.g. '**What have you learned in this path**...'); add it to one prompt and its mark scheme"
    )


@by_path
def test_the_peer_step_says_who_gives_feedback(path_id: str) -> None:
    nb = notebook(path_id)
    text = "\n\n".join(nb.markdown)
    step3 = text[text.index("## Step 3") : text.index("## Step 4")]
    if nb.path.peer_review:
        assert "**reviewed by peers**" in step3 and "not reviewed by peers" not in step3
        assert re.search(r"without your name", step3), f"{path_id}: reviewers read anonymously"
    else:
        assert "not reviewed by peers" in step3, f"{path_id}: say how the learner gets feedback instead"


@pytest.mark.parametrize("path_id", [p.id for p in course().paths if p.peer_review])
def test_reviewed_paths_tell_learners_the_rubric_their_reviewers_use(path_id: str) -> None:
    text = "\n\n".join(notebook(path_id).markdown)
    for criterion in course().rubric_for(path_id).criteria:
        assert f"**{criterion.title}.**" in text, f"{path_id}: the page does not explain {criterion.title!r}"


@by_path
def test_progress_bar_near_the_top(path_id: str) -> None:
    nb = notebook(path_id)
    progress = [i for i, c in nb.code_cells if [k for k, _ in page_calls(source(c))] == ["progress"]]
    assert len(progress) == 1, f"{path_id}: one page.progress() cell"
    assert progress[0] < min(nb.widgets), f"{path_id}: progress shown before the first activity"


@by_path
def test_references_section_names_the_seed_sources(path_id: str) -> None:
    last = notebook(path_id).markdown[-1]
    assert last.startswith("## References\n"), f"{path_id}: the page ends with a References section"
    assert any(title in last for title in SEED_TITLES), f"{path_id}: References name a seed document"


@by_path
def test_widgets_have_visible_labels(path_id: str) -> None:
    for widget in notebook(path_id).widgets.values():
        if widget.kind in LABELLED:
            labels = [k.value for k in widget.call.keywords if k.arg == "label"]
            assert labels and isinstance(labels[0], ast.Constant) and str(labels[0].value).strip(), widget.answer_id


PHONE_LINE = 40  # characters of a one-line control that stay readable at 390 px


@by_path
def test_one_line_texts_fit_a_phone_screen(path_id: str) -> None:
    """Checkbox labels and text-box placeholders do not wrap: ipywidgets cuts them off with "…"."""
    for widget in notebook(path_id).widgets.values():
        lines: list[object] = []
        if widget.kind == "checklist":
            options = widget.call.args[1]
            assert isinstance(options, ast.List), widget.answer_id
            lines += [e.value for e in options.elts if isinstance(e, ast.Constant)]
        lines += [
            k.value.value for k in widget.call.keywords if k.arg == "examples" and isinstance(k.value, ast.Constant)
        ]
        for line in lines:
            assert isinstance(line, str) and len(line) <= PHONE_LINE, (
                f"{widget.answer_id}: {line!r} is cut off on a phone"
            )


def test_every_widget_kind_is_used_across_the_course() -> None:
    uses = Counter(w.kind for path_id in PATH_IDS for w in notebook(path_id).widgets.values())
    paths_with = {
        kind: [p for p in PATH_IDS if any(w.kind == kind for w in notebook(p).widgets.values())] for kind in KINDS
    }
    for kind in KINDS:
        assert paths_with[kind], f"no path uses page.{kind}"
        if kind == "profile":  # asked once, in the orientation, and edited from the course home after that
            assert paths_with[kind] == ["orientation"], f"page.profile is asked in {paths_with[kind]}"
            continue
        if kind == "project_summary":  # the project is assembled once, in the capstone
            assert paths_with[kind] == ["capstone"], f"page.project_summary is used in {paths_with[kind]}"
            continue
        assert uses[kind] >= 2, f"page.{kind} is used {uses[kind]} time(s); at least 2 expected"


def test_first_path_keeps_the_answers_other_tests_rely_on() -> None:
    answers = {w.answer_id: w.kind for w in notebook("what-is-peer-learning").widgets.values()}
    assert answers.get("peer-moment") == "reflection" and answers.get("my-trace") == "reflection"


SCALE = [(0.0, "Not yet"), (1.0, "Partly"), (2.0, "Clearly")]  # the one grade scale learners see


def test_every_rubric_grades_on_the_same_three_levels() -> None:
    """One grade scale everywhere: every criterion of every rubric, the capstone's included, has the
    levels Not yet, Partly and Clearly, worth 0, 1 and 2."""
    for rubric in course().rubrics.values():
        for criterion in rubric.criteria:
            levels = [(float(lv.points), lv.label) for lv in criterion.levels]
            assert levels == SCALE, f"rubric {rubric.id!r}, criterion {criterion.id!r}: {levels}"


@by_path
def test_pages_name_the_same_three_levels(path_id: str) -> None:
    text = "\n\n".join(notebook(path_id).markdown)
    assert "*Strong*" not in text, f"{path_id}: a level the rubrics do not have"
    if "*Not yet*" in text:
        assert "(*Not yet*, *Partly* or *Clearly*)" in text, f"{path_id}: name the three levels the same way"


LEVEL_NAMED = re.compile(r"\b(?:it is|stops at) (?:a )?(Not yet|Partly|Clearly)\b")


def test_example_reasons_that_name_a_level_name_the_one_scored() -> None:
    """A practice example's reason that says which level it is ("so it is a Partly") agrees with the
    model review's score for that criterion: learners read the reason when their rating differs."""
    for path_id, examples in course().examples.items():
        rubric = course().rubric_for(path_id)
        for example in examples:
            for criterion in rubric.criteria:
                scored = criterion.level(example.model.scores[criterion.id]).label
                for named in LEVEL_NAMED.findall(example.reasons[criterion.id]):
                    where = f"{path_id}/{example.id}/{criterion.id}"
                    assert named == scored, f"{where}: the reason says {named}, the model scores {scored}"


CHECK_LABEL = "**Check {n} of {total} · "  # the one way a check is announced, on every page


@by_path
def test_checks_are_announced_the_same_way_on_every_page(path_id: str) -> None:
    """One numbering everywhere: a "### Check your understanding" section, then each check announced as
    "**Check n of m · …**" in the cell just before it (not "Question n of m", not a heading of its own)."""
    nb = notebook(path_id)
    text = "\n\n".join(nb.markdown)
    assert re.findall(r"^#+ Check your understanding$", text, re.MULTILINE) == ["### Check your understanding"]
    assert not re.search(r"\b(?:Question|Check) \d+ of \d+", re.sub(r"\*\*Check \d+ of \d+ · ", "", text))
    total = len(nb.checks)
    for n, index in enumerate(sorted(nb.checks), start=1):
        before = source(nb.cells[index - 1])
        label = CHECK_LABEL.format(n=n, total=total)
        assert any(line.startswith(label) and line.endswith("**") for line in before.splitlines()), (
            f"{path_id}: check {nb.checks[index].answer_id!r} is not announced as {label}…**"
        )


#: What every page says of its checks, in its "Check your understanding" section: true of the code (feedback
#: only after "Check my answer"; never in a peer's review; each check's outcome is in the submission, which
#: the facilitator reads, and the dashboard's ``checks`` figure counts it).
CHECKS_INTRO = (
    "Answer, then press **Check my answer** to see whether you are right and why; try again as often as you "
    "like. No points, and your classmates never see your choices; your facilitator can see how the checks went."
)


@by_path
def test_every_page_says_the_same_true_thing_about_its_checks(path_id: str) -> None:
    """Checks are not private (the facilitator has each one's choice, tries and right or wrong), and
    nothing shows until "Check my answer" is pressed: no page says "only you see" or "choose to see why"."""
    assert CHECK_KIND.peer_reviewed is False
    assert CHECK_KIND.facilitator_text({"attempts": 2, "right": True, "first_right": False}) == "right after 2 tries"
    nb = notebook(path_id)
    cell = next(source(c) for c in nb.cells if "### Check your understanding" in source(c))
    assert CHECKS_INTRO in " ".join(cell.split()), f"{path_id}: the checks' intro is not the course's one"
    text = " ".join("\n\n".join(nb.markdown).split())
    for untrue in ("only you see", "nobody else sees", "choose an answer to see", "after each answer you see"):
        assert untrue not in text.lower(), f"{path_id}: says {untrue!r} of the checks"


NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
REVIEW_COUNT = re.compile(r"\b(up to )?(one|two|three|four|five) (?:classmates|peers|other learners)\b", re.IGNORECASE)


@pytest.mark.parametrize("path_id", [p.id for p in course().paths if p.review is not None])
def test_pages_say_how_many_reviews_as_course_yml_does(path_id: str) -> None:
    """Each reviewed page states the number of reviews course.yml sets for it (review.per_submission),
    as a plain number: not "up to" on some paths and not on others."""
    review = course().path(path_id).review
    assert review is not None
    said = REVIEW_COUNT.findall("\n\n".join(notebook(path_id).markdown))
    assert said, f"{path_id}: the page does not say how many peers review"
    for up_to, word in said:
        assert not up_to and word.lower() == NUMBER_WORDS[review.per_submission], (
            f"{path_id}: the page says {up_to}{word}, course.yml sets {review.per_submission}"
        )


def test_orientation_states_each_paths_review_count() -> None:
    """The orientation's rule ("two on most paths, three on path 4 and the capstone") is course.yml's."""
    counts = {p.id: p.review.per_submission for p in course().paths if p.review is not None}
    threes = [course().number(p) for p, n in counts.items() if n == 3]
    assert set(counts.values()) == {2, 3} and threes == [4, 6], counts
    assert "two on most paths, three on path 4 and the capstone" in " ".join(notebook("orientation").text().split())


# -- 3. clean rendering ---------------------------------------------------------------------------

ARTEFACTS = ("**", "__", "](", "[http", "TODO", "FIXME", "FORMATTER ERROR", "NOT FINISHED", "{{", "}}", "```")


def rendered_text(markdown: str) -> str:
    """The text a reader sees: markdown rendered (as nbconvert does for Voilà), tags removed."""
    rendered = mistune.html(markdown)
    assert isinstance(rendered, str)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


@by_path
def test_rendered_markdown_has_no_artefacts(path_id: str) -> None:
    for text in notebook(path_id).markdown:
        seen = rendered_text(text)
        for artefact in ARTEFACTS:
            assert artefact not in seen, f"{path_id}: {artefact!r} left in {seen[:120]!r}"
        assert "*" not in seen, f"{path_id}: an unpaired '*' in {seen[:120]!r}"
        assert not re.search(r"^#+[^#\s]", text, re.MULTILINE), f"{path_id}: a heading without a space"
        assert "<" not in text, f"{path_id}: raw HTML in markdown"


@by_path
def test_widget_labels_are_plain_text(path_id: str) -> None:
    nb = notebook(path_id)
    for widget in [*nb.widgets.values(), *nb.checks.values()]:
        strings = [n.value for n in ast.walk(widget.call) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        for text in strings:
            assert not any(a in text for a in ("**", "](", "TODO", "<")), f"{widget.answer_id}: {text!r}"


def test_repository_notebooks_are_all_in_the_course() -> None:
    listed = {p.notebook.name for p in course().paths}
    assert {p.name for p in (REPO / "notebooks").glob("*.ipynb")} == listed
