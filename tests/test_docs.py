"""The documentation site builds with Sphinx, warnings as errors and every reference checked (``-n``).

The build reads the code: the command reference comes from the click commands, the settings table
from :class:`~peerkit.config.settings.PeerkitConfig`, the API reference from the docstrings. So a
docstring Sphinx cannot read, a broken link or cross-reference, or a page left out of the table of
contents fails here. The site is built once per run (about 15 s), into a temporary folder.
"""

from __future__ import annotations

import ast
import html
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from peerkit.cli import cli
from peerkit.config.settings import ENVIRONMENT
from tests.conftest import REPO

pytestmark = pytest.mark.docs

DOCS = REPO / "docs"


def sphinx_build(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -W --keep-going -n -E`` of *source* into *out*/html (doctrees beside it)."""
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-E", "-q", "-b", "html"]
    command += ["-d", str(out / "doctrees"), str(source), str(out / "html")]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("docs")
    built = sphinx_build(DOCS, out)
    assert built.returncode == 0, f"the documentation does not build cleanly:\n{built.stdout}{built.stderr}"
    yield out / "html"


def page_text(site: Path, page: str) -> str:
    """The text of a built page, without its markup (code blocks are highlighted span by span)."""
    text = re.sub(r"<[^>]+>", "", (site / page).read_text(encoding="utf-8"))
    return " ".join(html.unescape(text).split())


def test_the_site_builds_with_warnings_as_errors(site: Path) -> None:
    for page in ("index", "learner-guide", "facilitator-guide", "authoring", "deploy-local", "deploy-jupyterhub"):
        assert (site / f"{page}.html").is_file(), page
    for page in ("architecture", "contributing", "reference/cli", "reference/settings", "reference/api/index"):
        assert (site / f"{page}.html").is_file(), page


def _commands(group: click.Group, prefix: str) -> Iterator[str]:
    for name, command in sorted(group.commands.items()):
        yield f"{prefix} {name}"
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def test_the_command_reference_lists_every_command(site: Path) -> None:
    text = page_text(site, "reference/cli.html")
    missing = [c for c in _commands(cli, "peerkit") if f"{c} [OPTIONS]" not in text]
    assert not missing, f"commands missing from the command reference: {missing}"


def test_the_settings_reference_lists_every_setting_and_variable(site: Path) -> None:
    text = page_text(site, "reference/settings.html")
    for name, variable in ENVIRONMENT.items():
        assert f"c.PeerkitConfig.{name}" in text, name
        assert variable in text, variable


def test_the_api_reference_documents_the_facilitator_api(site: Path) -> None:
    page = (site / "reference/api/facilitator.html").read_text(encoding="utf-8")
    assert 'id="peerkit.facilitator.api.Facilitator"' in page
    assert 'id="peerkit.facilitator.api.Facilitator.open_round"' in page


def test_architecture_and_contributing_are_included_not_copied(site: Path) -> None:
    for page, source in (("architecture", "ARCHITECTURE.md"), ("contributing", "CONTRIBUTING.md")):
        assert f"../{source}" in (DOCS / f"{page}.md").read_text(encoding="utf-8")
        first = (REPO / source).read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        assert first in page_text(site, f"{page}.html"), page


def test_a_broken_reference_fails_the_build(tmp_path: Path) -> None:
    """The nitpicky check is real: a peerkit name that does not exist fails; another library's type and a
    peerkit internal the reference does not document are shown as plain text."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(DOCS / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx.ext.autodoc', 'peerkit_refs']\n",
        encoding="utf-8",
    )
    (source / "index.md").write_text(
        "# Test\n\n"
        "```{eval-rst}\n"
        ".. automodule:: peerkit.core.errors\n"
        "   :members: PeerkitError\n\n"
        ":class:`pathlib.Path`, :class:`peerkit.storage.sql.SqlStore`, :class:`~peerkit.core.errors.PeerkitError`,\n"
        ":class:`peerkit.core.errors.NoSuchError`\n"
        "```\n",
        encoding="utf-8",
    )
    built = sphinx_build(source, tmp_path / "out")
    assert built.returncode != 0
    warnings = [line for line in built.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert len(warnings) == 1 and "peerkit.core.errors.NoSuchError" in warnings[0], built.stderr


# -- the learner guide says what the learner's pages say ------------------------------------------

GUIDE = DOCS / "learner-guide.md"
#: The loop's stages, in the guide's order (a stage is named by a word in bold, its first bold mention).
LOOP = ("learn", "check", "apply", "reflect", "submit", "practise", "review", "feedback", "rate", "respond")


def loop_order(text: str, start: str, end: str) -> list[str]:
    """The loop's stages in the order *text* names them in bold between *start* and *end*."""
    part = text[text.index(start) : text.index(end)]
    found: list[str] = []
    for bold in re.findall(r"\*\*(.+?)\*\*", part):
        words = re.findall(r"[a-z]+", bold.lower())
        found += [w for w in words if w in LOOP and w not in found]
    return found


def test_readme_runs_the_loop_in_the_guides_order() -> None:
    guide = loop_order(GUIDE.read_text(encoding="utf-8"), "## The loop every path runs", "*Start here* introduces")
    readme = loop_order((REPO / "README.md").read_text(encoding="utf-8"), "one full peer loop", "Learners say")
    assert guide == list(LOOP)
    assert readme == list(LOOP)


def test_the_learner_guide_says_what_the_pages_show() -> None:
    from peerkit.apps import another

    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    # checks are not private: the facilitator has each one's outcome (and its dashboard figure counts them)
    assert "nobody else sees" not in text and "peers never see them" not in text
    assert "your facilitator can see how the checks went" in text
    # the pages show times in the reader's own zone, without seconds in a date and time
    assert "UTC" not in text and "in your own time zone" in text
    # a workshop laptop's course needs the token printed with its address
    assert not re.search(r"<http://localhost:\d+/>", text) and "?token=…" in text
    # the review page's invitation to review one more classmate's work
    assert "Would you like to help one more classmate?" in another.INVITE
    assert '"Would you like to help one more classmate?"' in text and "**Review one more classmate’s work**" in text


def card_labels() -> set[str]:
    """Every badge a path card can show: journey's and the home's fixed labels, the reviews left as the
    course home words them, and each after "Submitted with blanks · " (a path submitted with blanks)."""
    from peerkit.apps.overview import ReviewsToDo, reviews_left

    fixed = {
        node.args[0].value
        for name in ("journey.py", "home.py")
        for node in ast.walk(ast.parse((REPO / "peerkit" / "apps" / name).read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Status"
        if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
    }
    left = {
        reviews_left(ReviewsToDo("p", "t", "l", packets=n, written=0, unsent=False, own=own))
        for n in range(4)
        for own in (False, True)
    }
    labels = fixed | {text[0].upper() + text[1:] for text in left if text}
    return labels | {f"Submitted with blanks · {label}" for label in labels}


def test_the_guides_status_table_names_the_cards_badges() -> None:
    """Each status the guide's table names (in italics) is a badge a card shows, with the card it is on
    named apart ("(a *Review: …* card)"); the review card's waiting state is there too."""
    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("| the card says |") : text.index("\n\n", text.index("| the card says |"))]
    named = {
        italic
        for row in table.splitlines()[2:]
        for italic in re.findall(r"(?<!\*)\*([^*]+)\*(?!\*)", row)
        if not italic.startswith(("Review: ", "Start here"))
    }
    labels = card_labels()
    assert named and named <= labels, f"the guide names statuses no card shows: {sorted(named - labels)}"
    assert {"Waiting", "Closed", "Not started", "Feedback ready", "Done"} <= named
    assert "submit the path first" in table
