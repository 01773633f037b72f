"""Who is the learner? The one place that answers it.

Under JupyterHub every single-user server (and so every Voilà kernel in it) has ``JUPYTERHUB_USER``;
on a laptop the learner is the one configured for the local course (nbgrader's
``CourseDirectory.student_id`` in the learner's ``nbgrader_config.py``). Nothing else in peerkit
reads the environment to find a learner: widgets, submit and the apps all call :func:`resolve_learner`.

Names become parts of file and folder names in nbgrader's exchange (``<learner>+<path>+<time>``)
and glob patterns in its collect step, so :func:`check_learner_id` refuses anything that could
escape a folder or confuse those patterns.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Mapping

from peerkit.core.errors import IdentityError

MAX_NAME = 64
_FORBIDDEN = set("/\\+*?[]{}<>|:\"'`$;&!#%") | {"\x00"}
_NOT_FIRST = set("-@")  # allowed inside a name only (``.`` is refused first as a relative path)


def check_learner_id(name: str) -> str:
    """Return *name* if it is safe as a learner id; raise :class:`IdentityError` saying why not.

    Allowed: letters and digits of any script, and ``. _ - @`` inside the name. Refused: path
    separators, ``..``, glob and shell characters, ``+`` (nbgrader's field separator), spaces at
    either end, a leading ``-`` or ``@`` (the grades export would have to quote it, and the LMS would
    not match it), control characters, and names over 64 characters. Every refusal names the learner.
    """
    if not isinstance(name, str) or not name:
        raise IdentityError("learner id is empty", name=str(name))
    if len(name) > MAX_NAME:
        shown = (
            repr(name) if len(name) <= 2 * MAX_NAME else f"{name[:MAX_NAME]!r}…"
        )  # a hostile one is not echoed whole
        raise IdentityError(f"learner id {shown} is longer than {MAX_NAME} characters ({len(name)})", name=name)
    if name != name.strip():
        raise IdentityError(f"learner id {name!r} starts or ends with a space", name=name)
    if name in {".", ".."} or name.startswith(".") or ".." in name:
        raise IdentityError(f"learner id {name!r} looks like a relative path", name=name)
    if name[0] in _NOT_FIRST:
        raise IdentityError(
            f"learner id {name!r} starts with {name[0]!r}: a spreadsheet (the LMS grades export) would take it "
            "for a formula, a command for an option",
            name=name,
        )
    bad = sorted({ch for ch in name if ch in _FORBIDDEN or unicodedata.category(ch).startswith("C")})
    if bad:
        shown = ", ".join(repr(ch) for ch in bad)
        raise IdentityError(f"learner id {name!r} contains characters that are not allowed: {shown}", name=name)
    if any(ch.isspace() for ch in name):
        raise IdentityError(f"learner id {name!r} contains spaces", name=name)
    return name


def resolve_learner(
    *,
    configured: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The current learner's id.

    1. ``JUPYTERHUB_USER`` when running under JupyterHub (the hub authenticated the server owner);
    2. otherwise *configured* (the local course's learner, from nbgrader's ``student_id``);
    3. otherwise an :class:`IdentityError` that says how to configure one.
    """
    environ = os.environ if env is None else env
    hub_user = environ.get("JUPYTERHUB_USER")
    if hub_user:
        return check_learner_id(hub_user)
    if configured and configured != "*":
        return check_learner_id(configured)
    raise IdentityError(
        "no learner is configured: run under JupyterHub, or set c.CourseDirectory.student_id "
        "in the learner's nbgrader_config.py (`peerkit serve` does this for the demo learner)"
    )
