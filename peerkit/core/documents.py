"""Versioned documents: every JSON format peerkit writes, parsed, stamped and upgraded in one place.

Peerkit's files outlive the peerkit that wrote them: an answer sheet saved this term is read by
next year's release, a learner's kernel may run a newer peerkit than the facilitator's machine.
Each format is therefore a :class:`DocumentFormat` with a name, a current version and one upgrader
per older version it can still read. :func:`dump` stamps a body with its format and version;
:func:`parse` decodes, checks the shape, the format and the version, and upgrades an older document
step by step (v1 → v2 → … → current), so that readers only ever see the current shape. A document
of a *newer* version cannot be read safely: it is refused with :class:`DocumentVersionError`, whose
message names the file, the version and the fix (upgrade peerkit).

Pure: the standard library only; no I/O (callers read and write the bytes).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from peerkit.core.errors import DocumentVersionError, ValidationError, shown

#: One step of an upgrade: takes a document of version n (stamps included), returns its version n+1
#: shape. It need not update the version stamp: :func:`parse` does.
Upgrader = Callable[[dict[str, Any]], dict[str, Any]]

DEFAULT_MAX_BYTES: Final = 4_000_000


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    """One versioned JSON format.

    ``upgraders`` maps each older version still readable to the function that lifts it one version
    up; they must cover every version from the oldest to ``version - 1``. ``version_key`` is the key
    that carries the version (``schema_version`` in a notebook's ``metadata.peerkit``);
    ``format_key`` carries the name, or is None where the place of the document names it already.
    ``unversioned`` is the version of documents written before the format was stamped (neither key
    present), or None when such a document is an error.
    """

    name: str
    version: int
    title: str
    upgraders: Mapping[int, Upgrader] = field(default_factory=dict, hash=False)
    max_bytes: int = DEFAULT_MAX_BYTES
    version_key: str = "version"
    format_key: str | None = "format"
    unversioned: int | None = None

    def __post_init__(self) -> None:
        if self.version < 1:
            raise ValueError(f"format {self.name}: versions start at 1")
        if sorted(self.upgraders) != list(range(self.oldest, self.version)):
            raise ValueError(
                f"format {self.name}: upgraders must cover every version from {self.oldest} to {self.version - 1}"
            )
        if self.unversioned is not None and not self.oldest <= self.unversioned <= self.version:
            raise ValueError(f"format {self.name}: unversioned documents must be of a readable version")

    @property
    def oldest(self) -> int:
        """The oldest version this peerkit still reads (and upgrades)."""
        return min(self.upgraders, default=self.version)


_REGISTRY: dict[str, DocumentFormat] = {}


def register(fmt: DocumentFormat) -> DocumentFormat:
    """Make *fmt* known by its name (once: a second, different definition is a programming error)."""
    known = _REGISTRY.get(fmt.name)
    if known is not None and known != fmt:
        raise ValueError(f"document format {fmt.name!r} is already registered with another definition")
    _REGISTRY[fmt.name] = fmt
    return fmt


def get_format(name: str) -> DocumentFormat:
    """The registered format called *name*."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown document format {name!r}") from None


def formats() -> tuple[DocumentFormat, ...]:
    """Every registered format, by name."""
    return tuple(_REGISTRY[name] for name in sorted(_REGISTRY))


def _resolve(fmt: DocumentFormat | str) -> DocumentFormat:
    return get_format(fmt) if isinstance(fmt, str) else fmt


def dump(fmt: DocumentFormat | str, body: Mapping[str, Any]) -> dict[str, Any]:
    """*body* stamped with *fmt*'s name and current version (stamps first, then the body's keys)."""
    spec = _resolve(fmt)
    stamps: dict[str, Any] = {spec.version_key: spec.version}
    if spec.format_key is not None:
        stamps = {spec.format_key: spec.name, **stamps}
    return {**stamps, **{k: v for k, v in body.items() if k not in stamps}}


def _decode(data: bytes | bytearray | str, spec: DocumentFormat, source: str, limit: int) -> Any:
    if len(data) > limit:
        raise ValidationError(f"{source}: the {spec.title} is {len(data):,} bytes, over the limit of {limit:,}")
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}: the {spec.title} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{source}: the {spec.title} is not valid JSON: not UTF-8 text (byte {exc.start})"
        ) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise ValidationError(f"{source}: the {spec.title} is not valid JSON: {str(exc)[:120]}") from None
    except RecursionError:  # lists or objects nested thousands deep: no document of ours is
        raise ValidationError(f"{source}: the {spec.title} is not valid JSON: nested far too deeply") from None


def _version(doc: dict[str, Any], spec: DocumentFormat, source: str) -> int:
    """The document's version after checking its format stamp (or its missing stamps)."""
    fk, vk = spec.format_key, spec.version_key
    if spec.unversioned is not None and vk not in doc and (fk is None or fk not in doc):
        return spec.unversioned
    if fk is not None and doc.get(fk) != spec.name:
        raise ValidationError(
            f"{source}: not a peerkit {spec.title} (its {fk!r} is {shown(doc.get(fk))}, expected {spec.name!r})",
            field=fk,
        )
    found = doc.get(vk)
    if isinstance(found, bool) or not isinstance(found, int) or found < 1:
        raise ValidationError(
            f"{source}: the {spec.title} has no valid {vk!r} (found {shown(found)}, expected a whole number from 1 to "
            f"{spec.version}); the file is damaged or was not written by peerkit",
            field=vk,
        )
    if found > spec.version:
        raise DocumentVersionError(
            f"{source}: {spec.title} version {found} is not supported: it was written by a newer peerkit "
            f"(version {found}, this one reads up to {spec.version}); upgrade peerkit on this machine",
            source=source,
            format=spec.name,
            found=found,
            supported=spec.version,
            field=vk,
        )
    if found < spec.oldest:
        raise DocumentVersionError(
            f"{source}: {spec.title} version {found} is not supported: it is older than this peerkit reads "
            f"(versions {spec.oldest} to {spec.version}); open and save it with an older peerkit first",
            source=source,
            format=spec.name,
            found=found,
            supported=spec.version,
            field=vk,
        )
    return found


def parse(
    data: bytes | bytearray | str | Mapping[str, Any],
    fmt: DocumentFormat | str,
    *,
    source: str,
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """The document in *data* (JSON text, or an already decoded object) in *fmt*'s current shape.

    *source* names where it came from (a file name, an URL path) in every error. Raises
    :class:`ValidationError` (naming *source* and the field) when *data* is over *max_bytes* (the
    format's own limit by default), not JSON, not an object, of another format, or without a valid
    version; :class:`DocumentVersionError` when its version is newer than this peerkit reads (or
    older than it still upgrades). Only the stamps are checked here: the body is the owner's to
    validate.
    """
    spec = _resolve(fmt)
    decoded = data if isinstance(data, Mapping) else _decode(data, spec, source, max_bytes or spec.max_bytes)
    if not isinstance(decoded, Mapping):
        raise ValidationError(f"{source}: the {spec.title} must be a JSON object, not {type(decoded).__name__}")
    doc = dict(decoded)
    found = _version(doc, spec, source)
    for step in range(found, spec.version):
        doc = dict(spec.upgraders[step](doc))
        doc[spec.version_key] = step + 1
        if spec.format_key is not None:
            doc[spec.format_key] = spec.name
    return doc


# The formats peerkit writes. Each owner module refers to its format here; one definition each.

ANSWERS: Final = register(DocumentFormat("peerkit-answers", 1, "answer sheet", max_bytes=2_000_000))
PACKET: Final = register(DocumentFormat("peerkit-packet", 1, "review packet"))
ROUND: Final = register(DocumentFormat("peerkit-round", 1, "round manifest"))
FEEDBACK: Final = register(DocumentFormat("peerkit-feedback", 1, "feedback"))
#: One learner event per line; lines written before lines were stamped carry neither key.
ACTIVITY: Final = register(DocumentFormat("peerkit-activity", 1, "activity line", max_bytes=2048, unversioned=1))
NOTES: Final = register(DocumentFormat("peerkit-notes", 1, "summary notes", max_bytes=20_000_000))
GALLERY: Final = register(DocumentFormat("peerkit-gallery", 1, "gallery", max_bytes=20_000_000))
#: A path's peer review as every learner may know it (public: whether it has closed), no one's name in it.
REVIEW_STATE: Final = register(DocumentFormat("peerkit-review-state", 1, "review state", max_bytes=10_000))
ROUND_EXPORT: Final = register(DocumentFormat("peerkit-round-export", 1, "round export", max_bytes=200_000_000))
#: ``metadata.peerkit`` of a built notebook: the notebook names the format, only the version is stamped.
NOTEBOOK: Final = register(
    DocumentFormat("peerkit-notebook", 1, "notebook's metadata.peerkit", version_key="schema_version", format_key=None)
)
