"""The registry of answer kinds: the one place the rest of peerkit asks what a kind does.

Kinds are registered once, in :mod:`peerkit.core.kinds` (one line each); a test or a course
extension may register its own and :func:`unregister` it again.
"""

from __future__ import annotations

from peerkit.core.errors import ConfigError, ValidationError, shown
from peerkit.core.kinds.base import AnswerKind

_KINDS: dict[str, AnswerKind] = {}


def register(kind: AnswerKind) -> AnswerKind:
    """Make *kind* known everywhere; its name and page method must not be taken already."""
    name = getattr(kind, "name", "")
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{kind!r}: an answer kind needs a name")
    if name in _KINDS and _KINDS[name] is not kind:
        raise ConfigError(f"answer kind {name!r} is registered already")
    if kind.method is not None and any(k.method == kind.method and k.name != name for k in _KINDS.values()):
        raise ConfigError(f"answer kind {name!r}: page method {kind.method!r} belongs to another kind")
    _KINDS[name] = kind
    return kind


def unregister(name: str) -> None:
    """Forget the kind *name* (tests and extensions that registered one of their own)."""
    _KINDS.pop(name, None)


def find(name: str) -> AnswerKind | None:
    """The kind *name*, or None if no such kind is registered (for rendering files of unknown origin)."""
    return _KINDS.get(name)


def get(name: str, *, where: str | None = None) -> AnswerKind:
    """The kind *name*; a :class:`ValidationError` naming it and the known kinds if there is none.

    *where* (an answer id) prefixes the message and becomes the error's field.
    """
    kind = _KINDS.get(name)
    if kind is None:
        known = ", ".join(sorted(_KINDS))
        prefix = f"{where}: " if where else ""
        raise ValidationError(
            f"{prefix}unknown answer kind {shown(name)} (known kinds: {known})", field=where or name[:60]
        )
    return kind


def all_kinds() -> tuple[AnswerKind, ...]:
    """Every registered kind, in registration order."""
    return tuple(_KINDS.values())


def by_method() -> dict[str, AnswerKind]:
    """The kinds a path page offers, by page method name (``"reflection"`` -> the text kind)."""
    return {kind.method: kind for kind in _KINDS.values() if kind.method is not None}
