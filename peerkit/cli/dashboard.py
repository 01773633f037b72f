"""Dashboard commands: progress, equity and review health; summary notes; the gallery; exports.

The same figures as the facilitator dashboard app (:mod:`peerkit.dashboard.app`), as tables.
Every command that shows figures first ingests what learners' pages recorded (their activity).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from peerkit.cli.common import (
    api_errors,
    by_default,
    cli,
    course_option,
    db_option,
    echo,
    open_desk,
    progress_bar,
    workdir_option,
)

if TYPE_CHECKING:
    from peerkit.facilitator.api import Facilitator
    from peerkit.facilitator.results import Export

by_option = click.option("--by", "by_whom", default=None, help="Who does it [default: your user name].")
output_option = click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to FILE [default: stdout].",
)
names_option = click.option("--names", is_flag=True, help="Show learners' ids instead of pseudonyms.")
force_option = click.option(
    "--force", is_flag=True, help="Replace FILE even when it is not an earlier export of the same kind."
)


def emit(desk: Facilitator, made: Export, output: Path | None, *, force: bool = False) -> None:
    """Print *made*, or write it to *output* (checked by the API: never over the store, nor over a
    file that is not an earlier export of the same kind unless *force*)."""
    if output is None:
        echo(made.text, nl=not made.text.endswith("\n"))
        return
    echo(f"wrote {desk.save_export(made, to=output, force=force)}", err=True)


# -- figures --------------------------------------------------------------------------------------


@cli.group()
def dashboard() -> None:
    """The dashboard's figures as tables: progress, participation equity, review health."""


def _figures(name: str, summary: str, *, every_path: bool) -> None:
    """Register ``peerkit dashboard NAME [PATH_ID]``, a shim over :func:`peerkit.facilitator.tables.report`."""

    @dashboard.command(name, help=summary)
    @course_option
    @workdir_option
    @db_option
    @click.argument("path_id", required=not every_path)
    @api_errors
    def command(course_file: Path | None, workdir: Path | None, db_url: str | None, path_id: str | None) -> None:
        desk = open_desk(course_file, workdir, db_url)
        if path_id is not None:
            desk.course.path(path_id)  # an unknown path is refused before anything is read
        echo(desk.refresh().summary(), err=True)
        echo(desk.figures(name=name, path_id=path_id))


_figures(
    "progress", "Who reached which stage of PATH_ID (or of every path), who is stuck, whom to nudge.", every_path=True
)
_figures(
    "equity",
    "Whose voices are heard in PATH_ID (or the course): words, reviews, Gini, the silent, circles.",
    every_path=True,
)
_figures(
    "health",
    "Review health of PATH_ID's round: completion, comments, helpfulness, flags, disagreement.",
    every_path=False,
)
_figures(
    "checks",
    "Which checks of understanding in PATH_ID (or every path) learners most often get wrong at the first try.",
    every_path=True,
)


# -- summary notes --------------------------------------------------------------------------------


@cli.group()
def notes() -> None:
    """Summary notes per path: draft from the reflections, edit, release to every learner."""


@notes.command("draft")
@course_option
@workdir_option
@db_option
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the clustering.")
@click.option("--replace", is_flag=True, help="Replace your edited text with the new draft.")
@click.argument("path_id")
@api_errors
def notes_draft(
    course_file: Path | None, workdir: Path | None, db_url: str | None, seed: int, replace: bool, path_id: str
) -> None:
    """Draft PATH_ID's summary notes from the cohort's reflections and action plans; print them."""
    note = open_desk(course_file, workdir, db_url).draft_notes(path_id=path_id, seed=seed, keep_edits=not replace)
    echo(note.draft)
    if note.text != note.draft:
        echo("(your edited text is kept; --replace puts the new draft in its place)", err=True)


@notes.command("edit")
@course_option
@workdir_option
@db_option
@by_option
@click.option("--file", "file", type=click.File("rb"), required=True, help="The notes' new text (- for stdin).")
@click.argument("path_id")
@api_errors
def notes_edit(
    course_file: Path | None, workdir: Path | None, db_url: str | None, by_whom: str | None, file: Any, path_id: str
) -> None:
    """Replace PATH_ID's notes with the text of FILE (Markdown: headings, lists, **bold**; UTF-8, at most 1 MB)."""
    from peerkit.core.errors import ValidationError
    from peerkit.facilitator.notes import MAX_NOTES_BYTES

    # The length and NUL checks are the Facilitator API's (the dashboard's edits pass them too); reading stops
    # past the limit, so a huge file is refused without being read whole.
    name = getattr(file, "name", "-")
    data = file.read(MAX_NOTES_BYTES + 1)
    if len(data) > MAX_NOTES_BYTES:
        raise ValidationError(
            f"{name}: the notes are over {MAX_NOTES_BYTES:,} bytes, the limit for notes; fix: shorten them",
            field="file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{name}: not UTF-8 text (byte {exc.start}); fix: save the notes as UTF-8 text", field="file"
        ) from None
    desk = open_desk(course_file, workdir, db_url)
    note = desk.edit_notes(path_id=path_id, text=text, by=by_default(by_whom))
    echo(f"{path_id}: notes saved ({note.state}); `peerkit notes release {path_id}` shows them to learners")


@notes.command("release")
@course_option
@workdir_option
@db_option
@by_option
@click.argument("path_id")
@api_errors
def notes_release(
    course_file: Path | None, workdir: Path | None, db_url: str | None, by_whom: str | None, path_id: str
) -> None:
    """Release PATH_ID's notes to every learner (their "my progress" page shows them)."""
    file = open_desk(course_file, workdir, db_url).release_notes(path_id=path_id, by=by_default(by_whom))
    echo(f"{path_id}: notes released ({file})")


@notes.command("show")
@course_option
@workdir_option
@db_option
@click.argument("path_id")
@api_errors
def notes_show(course_file: Path | None, workdir: Path | None, db_url: str | None, path_id: str) -> None:
    """Print PATH_ID's current notes and whether they are released."""
    note = open_desk(course_file, workdir, db_url).note(path_id=path_id)
    echo(f"[{note.state}]", err=True)
    echo(note.text)


# -- the gallery ----------------------------------------------------------------------------------


@cli.group()
def gallery() -> None:
    """The example gallery: approve or hide learners' examples; approved ones are published."""


@gallery.command("list")
@course_option
@workdir_option
@db_option
@click.option("--state", type=click.Choice(["waiting", "approved", "hidden", "changed"]), default=None)
@api_errors
def gallery_list(course_file: Path | None, workdir: Path | None, db_url: str | None, state: str | None) -> None:
    """Every contributed example, with its id and state."""
    from peerkit.facilitator.tables import table

    items = open_desk(course_file, workdir, db_url).gallery(state=state)
    echo(
        table(
            ["id", "state", "path", "learner", "title"],
            [[i.id, i.state, i.path_id, i.learner, i.title[:60]] for i in items],
        )
    )


def _decision(name: str, status: str, summary: str) -> None:
    """Register ``peerkit gallery NAME ITEM``, a shim over :func:`peerkit.facilitator.gallery.decide`."""

    @gallery.command(name, help=summary)
    @course_option
    @workdir_option
    @db_option
    @by_option
    @click.argument("item")
    @api_errors
    def command(
        course_file: Path | None, workdir: Path | None, db_url: str | None, by_whom: str | None, item: str
    ) -> None:
        desk = open_desk(course_file, workdir, db_url)
        done = desk.decide_example(item=item, status=status, by=by_default(by_whom))
        echo(f"{done.id} “{done.title}”: {done.state}; gallery published")


_decision("approve", "approved", "Show example ITEM (an id from `gallery list`) in the gallery, without its author.")
_decision("hide", "hidden", "Keep example ITEM out of the gallery (or take it out again).")


# -- exports --------------------------------------------------------------------------------------


@cli.group()
def export() -> None:
    """Grades for an LMS gradebook (CSV), reviews (CSV), a whole round (JSON)."""


@export.command("grades")
@course_option
@workdir_option
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
@click.option(
    "--lms", type=click.Choice(["canvas", "moodle"]), default="canvas", show_default=True, help="Gradebook shape."
)
@output_option
@force_option
@click.argument("path_ids", nargs=-1)
@api_errors
def export_grades(
    course_file: Path | None,
    workdir: Path | None,
    db_url: str | None,
    fmt: str,
    lms: str,
    output: Path | None,
    force: bool,
    path_ids: tuple[str, ...],
) -> None:
    """Grades of PATH_IDS (default: every peer-reviewed path) in points, one column per path."""
    desk = open_desk(course_file, workdir, db_url)
    if output is not None:
        desk.export_target(output, kind="grades", force=force)  # a bad -o is refused before the export is made
    with progress_bar("exporting grades") as bar:
        made = desk.export(kind="grades", path_ids=path_ids, lms=lms, progress=bar)
    emit(desk, made, output, force=force)


def _round_export(name: str, summary: str) -> None:
    """Register ``peerkit export NAME PATH_ID``, a shim over :func:`peerkit.facilitator.export.export_<name>`."""

    @export.command(name, help=summary)
    @course_option
    @workdir_option
    @db_option
    @names_option
    @output_option
    @force_option
    @click.argument("path_id")
    @api_errors
    def command(
        course_file: Path | None,
        workdir: Path | None,
        db_url: str | None,
        names: bool,
        output: Path | None,
        force: bool,
        path_id: str,
    ) -> None:
        desk = open_desk(course_file, workdir, db_url)
        if output is not None:
            desk.export_target(output, kind=name, force=force)  # a bad -o is refused before the export is made
        with progress_bar(f"exporting {name}") as bar:
            made = desk.export(kind=name, path_ids=[path_id], names=names, progress=bar)
        emit(desk, made, output, force=force)


_round_export("reviews", "Every review of PATH_ID's round as CSV (pseudonyms unless --names).")
_round_export("round", "PATH_ID's whole round as JSON: settings, submissions, assignments, reviews, grades, ratings.")
