"""The learner's side of nbgrader's exchange: fetch a path, keep it current, submit it.

Runs in a Voilà kernel (submit) as well as in ``peerkit serve`` (fetch for the demo learner), with
nbgrader's exchange classes in-process: a submit is a few file copies, not a 3.5 s CLI start.
"""

from __future__ import annotations

import contextlib
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from traitlets.config import Config

from peerkit.config.identity import check_learner_id
from peerkit.core.errors import ConfigError, ExchangeError, ValidationError
from peerkit.nbgrader.config import get
from peerkit.nbgrader.parts import make_parts
from peerkit.nbgrader.run import run_app
from peerkit.storage.atomic import write_atomic

#: Files a learner's kernel writes into an assignment folder (answers, set-aside copies).
LEARNER_FILES_PREFIX = "peerkit-answers"


@dataclass(frozen=True, slots=True)
class Submission:
    """A submission as nbgrader's exchange recorded it."""

    path_id: str
    learner: str
    timestamp: str  # nbgrader's timestamp string, e.g. "2026-11-22 14:20:38.487702 UTC"
    inbound_name: str  # the folder created in <exchange>/<course>/inbound/


def learner_config_values(
    *, course_id: str, exchange_root: Path, learner: str, cache: Path | None = None
) -> dict[str, dict[str, Any]]:
    """The settings of a learner's ``~/.jupyter/nbgrader_config.py`` for a local course.

    *cache* is nbgrader's local record of the learner's submissions (it holds the submission
    secrets that later unlock feedback and review packets); it defaults to the Jupyter data folder.
    """
    exchange: dict[str, Any] = {"root": str(exchange_root)}
    if cache is not None:
        exchange["cache"] = str(cache)
    return {
        "CourseDirectory": {"course_id": course_id, "student_id": check_learner_id(learner)},
        "Exchange": exchange,
    }


def course_id_of(config: Config) -> str:
    course_id = get(config, "CourseDirectory", "course_id", "")
    if not course_id:
        raise ConfigError("no course is configured (c.CourseDirectory.course_id in nbgrader_config.py)")
    return str(course_id)


def assignment_dir_for(folder: Path, config: Config) -> Path:
    """nbgrader's ``Exchange.assignment_dir`` for an assignment *folder* (its parent, or grandparent
    when ``Exchange.path_includes_course`` puts the course id in between)."""
    if get(config, "Exchange", "path_includes_course", False):
        return folder.parent.parent
    return folder.parent


def fetch(config: Config, path_id: str, *, assignment_dir: Path, learner: str) -> Path:
    """Fetch a released path into *assignment_dir* (nbgrader fetch_assignment); return its folder."""
    cfg = Config(config)
    cfg.merge(Config({"Exchange": {"assignment_dir": str(assignment_dir)}}))
    parts = make_parts(cfg, assignment_id=path_id, student_id=check_learner_id(learner))
    run_app(parts.step("FetchAssignment"), f"fetch {path_id}")
    return assignment_folder(config, assignment_dir, path_id)


def assignment_folder(config: Config, assignment_dir: Path, path_id: str) -> Path:
    """Where nbgrader puts *path_id* under *assignment_dir* (with the course id in between when
    ``Exchange.path_includes_course`` is set)."""
    if get(config, "Exchange", "path_includes_course", False):
        return assignment_dir / course_id_of(config) / path_id
    return assignment_dir / path_id


def refresh_released_files(outbound: Path, folder: Path) -> list[str]:
    """Bring a fetched path's course files up to date with the released version.

    Released files (the notebook, images) are course content: they are copied over the learner's
    copies when they differ. The learner's own answers are never in a released file, so nothing a
    learner wrote is touched. Returns the names of the files that were updated.
    """
    updated = []
    for src in sorted(outbound.rglob("*")):
        if not src.is_file() or src.name.startswith(LEARNER_FILES_PREFIX):
            continue
        dest = folder / src.relative_to(outbound)
        if dest.is_file() and dest.read_bytes() == src.read_bytes():
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(dest, src.read_bytes())
        updated.append(str(src.relative_to(outbound)))
    return updated


def submit(config: Config, folder: Path, *, learner: str) -> Submission:
    """Submit the assignment in *folder* (named after its path id) through nbgrader's exchange."""
    if not folder.is_dir():
        raise ExchangeError(f"assignment folder {folder} does not exist", operation="submit")
    path_id = folder.name
    cfg = Config(config)
    cfg.merge(Config({"Exchange": {"assignment_dir": str(assignment_dir_for(folder, config))}}))
    parts = make_parts(cfg, assignment_id=path_id, student_id=check_learner_id(learner))
    app = parts.step("Submit")
    run_app(app, f"submit {path_id}")
    return Submission(
        path_id=path_id,
        learner=learner,
        timestamp=str(app.timestamp),
        inbound_name=str(app.assignment_filename),
    )


def cache_dir(config: Config) -> Path:
    """nbgrader's local submission cache (``Exchange.cache``, else ``$JUPYTER_DATA_DIR/nbgrader_cache``)."""
    configured = get(config, "Exchange", "cache", "")
    if configured:
        return Path(configured)
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "nbgrader_cache"


def parse_exchange_time(text: str) -> datetime | None:
    """A timestamp as nbgrader's exchange writes it (``2026-11-22 14:20:38.487702 UTC``), aware."""
    plain = text.strip()
    if plain.endswith(" UTC"):  # nbgrader's default zone: read directly, ten thousand times faster than dateutil
        try:
            naive = datetime.fromisoformat(plain[:-4])
        except ValueError:
            naive = None
        if naive is not None and naive.tzinfo is None:
            return naive.replace(tzinfo=UTC)
    wall, _, name = plain.rpartition(" ")
    if name.isascii() and name.isalpha():  # a zone's abbreviation: nbgrader's "%Z" under Exchange.timezone
        return _in_named_zone(wall, name)
    from dateutil import parser as date_parser  # nbgrader depends on python-dateutil

    try:
        parsed = date_parser.parse(plain)
        # An offset of a day or more parses but names no real zone, and Python cannot convert it.
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _in_named_zone(wall: str, name: str) -> datetime | None:
    """*wall* a local time in the zone abbreviated *name*, or None unless the time zone database reads
    *name* as that abbreviation at that moment (``EST``, ``CET`` in winter). ``EDT``, ``PDT``, ``AEDT`` or
    a ``CET`` kept all summer (Algiers) name no zone there: no time, rather than one hours off (dateutil
    reads an unknown name as the reading machine's own zone, or none, so the answer would depend on it)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name in ("UTC", "GMT", "Z"):
        zone: Any = UTC
    else:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return None
    try:
        naive = datetime.fromisoformat(wall)
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return None
    moment = naive.replace(tzinfo=zone)
    if zone is not UTC and moment.tzname() != name:
        return None
    return moment.astimezone(UTC)


STAMP_BYTES = 100  # nbgrader writes some 30 characters; the file is in a learner's hands
SECRET_FILE = "submission_secret.txt"  # noqa: S105 - a file name, not a secret
SECRET_BYTES = 1024  # nbgrader writes 128 hex digits; the file is in a learner's hands


def read_small(file: Path, limit: int) -> bytes | None:
    """At most *limit* + 1 bytes of a file a learner wrote (so that one over *limit* shows), never
    through a link (a link could lend a classmate's file, or one the learner may not read, under the
    reader's rights); None when there is no such file. Raises :class:`ValidationError` naming the file
    for a link, a folder or device where a file should be, or one that cannot be read."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if file.is_symlink():
            raise ValidationError(f"{file.name} is a link, not a file", field=file.name) from None
        raise ValidationError(f"{file.name} cannot be read: {exc.strerror}", field=file.name) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValidationError(f"{file.name} is not a file", field=file.name)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, left)
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise ValidationError(f"{file.name} cannot be read: {exc.strerror}", field=file.name) from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)


def secret_text(folder: Path) -> str | None:
    """The submission secret nbgrader wrote into *folder* (``submission_secret.txt``), or None when there
    is none. One over :data:`SECRET_BYTES`, a link or not a file is refused (:class:`ValidationError`
    naming the file): it would name another review channel than the learner's own, or a huge file."""
    data = read_small(folder / SECRET_FILE, SECRET_BYTES)
    if data is None:
        return None
    if len(data) > SECRET_BYTES:
        raise ValidationError(
            f"{SECRET_FILE} is over {SECRET_BYTES} bytes: not the one nbgrader wrote (128 hexadecimal digits)",
            field=SECRET_FILE,
        )
    return data.decode("utf-8", errors="replace")


def stamp_text(file: Path) -> str | None:
    """The text of an exchange ``timestamp.txt`` *file*, stripped; None when absent, unreadable or longer
    than :data:`STAMP_BYTES` (a learner writes the file: never read whole, never a decoding error)."""
    try:
        with file.open("rb") as stream:
            data = stream.read(STAMP_BYTES + 1)
    except OSError:
        return None
    return None if len(data) > STAMP_BYTES else data.decode("utf-8", errors="replace").strip()


def read_stamp(file: Path) -> datetime | None:
    """The time in an exchange ``timestamp.txt`` *file*; None when absent, unreadable or not a time."""
    text = stamp_text(file)
    return None if text is None else parse_exchange_time(text)


def last_submission_time(config: Config, path_id: str, *, learner: str) -> datetime | None:
    """When *learner* last submitted *path_id*, read from their own nbgrader cache."""
    try:
        course = course_id_of(config)
    except ConfigError:
        return None
    folder = cache_dir(config) / course
    times = []
    for entry in folder.glob(f"{check_learner_id(learner)}+{path_id}+*"):
        parsed = read_stamp(entry / "timestamp.txt")
        if parsed is not None:
            times.append(parsed)
    return max(times, default=None)
