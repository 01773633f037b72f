"""The building blocks of answer values: size limits and the checks every kind composes.

Each check takes the value and *where* (the answer id, or a dotted path inside it such as
``plan.date``) and returns the value, or raises :class:`ValidationError` naming *where*, so an
error always says which field of which answer is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from peerkit.core.errors import ValidationError, shown

JSON = Any  # values are JSON-compatible; each kind's validator narrows them

Check = Callable[[JSON, str], JSON]

#: Hard limits that protect every later step (store, packets, dashboards) from oversize input.
MAX_TEXT_CHARS: Final = 20_000
MAX_SHORT_CHARS: Final = 200
MAX_LIST_ITEMS: Final = 50

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def text(value: JSON, where: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{where}: expected text, got {type(value).__name__}", field=where)
    if len(value) > limit:
        raise ValidationError(f"{where}: {len(value):,} characters is over the limit of {limit:,}", field=where)
    if "\x00" in value:
        raise ValidationError(f"{where}: text contains a NUL character", field=where)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate: no file or database can store it
            raise ValidationError(
                f"{where}: text is not valid Unicode (a lone surrogate at character {exc.start})", field=where
            ) from None
    return value


def short(value: JSON, where: str) -> str:
    return text(value, where, limit=MAX_SHORT_CHARS)


def short_list(value: JSON, where: str) -> list[str]:
    if not isinstance(value, list):
        raise ValidationError(f"{where}: expected a list, got {type(value).__name__}", field=where)
    if len(value) > MAX_LIST_ITEMS:
        raise ValidationError(f"{where}: more than {MAX_LIST_ITEMS} items", field=where)
    return [short(item, f"{where}[{i}]") for i, item in enumerate(value)]


def record(value: JSON, where: str, fields: Mapping[str, Check]) -> dict[str, JSON]:
    """An object whose fields are all optional and each checked by its own check; no other fields."""
    if not isinstance(value, dict):
        raise ValidationError(f"{where}: expected an object, got {type(value).__name__}", field=where)
    unknown = sorted(set(value) - set(fields))
    if unknown:
        listed = ", ".join(shown(name, 40) for name in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise ValidationError(f"{where}: unexpected field(s) {listed}", field=where)
    return {name: check(value[name], f"{where}.{name}") for name, check in fields.items() if name in value}


def mapping(value: JSON, where: str, check: Check) -> dict[str, JSON]:
    """An object of at most :data:`MAX_LIST_ITEMS` short keys, each value checked by *check*."""
    if not isinstance(value, dict):
        raise ValidationError(f"{where}: expected an object, got {type(value).__name__}", field=where)
    if len(value) > MAX_LIST_ITEMS:
        raise ValidationError(f"{where}: more than {MAX_LIST_ITEMS} entries", field=where)
    return {short(key, f"{where} key"): check(item, f"{where}.{key}") for key, item in value.items()}


def date_or_empty(value: JSON, where: str) -> str:
    """ "" or a real calendar date written YYYY-MM-DD in ASCII digits (later steps compute with it)."""
    found = short(value, where)
    if found and not (_DATE.fullmatch(found) and _real_date(found)):
        raise ValidationError(f"{where}: expected a date as YYYY-MM-DD", field=where)
    return found


def _real_date(found: str) -> bool:
    try:
        dt.date.fromisoformat(found)
    except ValueError:
        return False
    return True


def flag(value: JSON, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{where}: expected true or false", field=where)
    return value


def whole(value: JSON, where: str, *, lo: int, hi: int, what: str) -> int | None:
    """None (not chosen yet) or a whole number from *lo* to *hi*; *what* names it in the error."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValidationError(f"{where}: expected {what}", field=where)
    return value


def points(value: JSON, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or not -1000 <= value <= 1000:
        raise ValidationError(f"{where}: expected a number of points", field=where)
    return value


def any_filled(value: JSON) -> bool:
    """Whether a record holds any non-blank text or any non-empty field (a tick, a tag)."""
    if not isinstance(value, dict):
        return False
    return any(bool(v.strip()) if isinstance(v, str) else bool(v) for v in value.values())


def field_text(value: JSON, name: str) -> str:
    """Field *name* of a record as text ("" when the value is not a record or lacks it)."""
    return str(value.get(name, "")) if isinstance(value, dict) else ""


def walk_strings(value: JSON, change: Callable[[str], str]) -> JSON:
    """*value* with *change* applied to every string in it, however deeply nested."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [walk_strings(x, change) for x in value]
    if isinstance(value, dict):
        return {k: walk_strings(v, change) for k, v in value.items()}
    return value
