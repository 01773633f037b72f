"""Removing people's names from what other learners see: whole words, any case, any accents.

Double-blind review needs more than the author's user id kept out of a packet: on a hub the id is
a login, and people sign their reflections with their real name, mention a colleague or thank the
facilitator. A :class:`Redactor` is built once per round from every :class:`Person` in it (id,
first and last name, full name, e-mail address, hub user name, the name in their profile) and the
course's own extra terms, and replaces each mention by :data:`REMOVED`:

* case- and accent-insensitive ("ZOË", "zoe" and "Zoë" are one name; ``ø``, ``ł``, ``ß`` too);
* whole words only, so "Ann" leaves "annual" alone;
* multi-word names whatever separates the words ("Ling Wei", "ling-wei", "ling.wei", "Ling  Wei");
* whole e-mail addresses, both the known ones and any address that contains a known name.

It counts what it removed, so the author can be told that something was taken out before peers saw
it. Matching runs on a folded copy of the text (decomposed, marks and invisible format characters such as a
zero-width space dropped, case folded) and maps each match back to the original characters, so everything
else in the text is kept exactly. The terms
form one trie-shaped expression, which keeps a round of hundreds of learners fast.

What it cannot do is stated in the README: a name spelled out letter by letter, a nickname nobody
listed, or a description ("the librarian from the third floor") is not recognised.

Pure: the standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

REMOVED: Final = "[name removed]"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: Words that are ids or names on paper but are also everyday words no text can do without (a demo
#: learner called "you" must not blank out every "you"); a term that is one of them is left alone.
EVERYDAY: Final = _words(
    "a an and are as at be but by for he her him i in is it me my no not of on or our she so "
    "the they to us was we you your"
)
#: Name particles: part of a full name, but not a name by themselves ("van", "de la").
PARTICLES: Final = _words("al bin da das de del della der des di dos du el ibn la le van von y")

_MIN_CHARS: Final = 2
_SEP: Final = "\x00"  # a separator between the words of a term: any run of spaces, dots, dashes, underscores
_SEP_PATTERN: Final = r"[\s._\-]+"
_SPLIT = re.compile(r"[\s._\-]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Letters that NFKD leaves alone but a reader takes for plain ones; typographic apostrophes.
_PLAIN = str.maketrans({"ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ı": "i", "’": "'", "‘": "'"})
_PLAIN_MULTI = {"æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH"}


@lru_cache(maxsize=8192)
def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cf":  # invisible (zero-width space, soft hyphen, word joiner…): "Pri\u200bya"
        return ""  # reads as Priya, and must match as Priya
    ch = _PLAIN_MULTI.get(ch, ch).translate(_PLAIN)
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """*text* as matching sees it: decomposed, accents, other marks and invisible characters dropped, case folded."""
    return "".join(_fold_char(ch) for ch in text)


def _folded(text: str) -> tuple[str, Sequence[int]]:
    """The folded text and, for each of its characters, the index of the original character."""
    if text.isascii():  # plain letters fold to their lower case, one for one (most texts: fast)
        return text.lower(), range(len(text))
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin


@dataclass(frozen=True, slots=True)
class Person:
    """Everything that names one learner (or anybody else a course wants kept out of packets)."""

    id: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    hub_user: str = ""
    profile_name: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)

    def terms(self) -> tuple[str, ...]:
        """Every form of this person's name worth removing: each field, the full name both ways
        round, each part of a multi-part name (particles left out), the local part of the e-mail and of an
        id or hub user name that is an e-mail address (``ana.lima@uni.edu``: "ana.lima", "Ana Lima")."""
        names = [self.first_name, self.last_name, self.profile_name, *self.aliases]
        found = [self.id, self.hub_user, self.email, *names]
        if self.first_name and self.last_name:
            found += [f"{self.first_name} {self.last_name}", f"{self.last_name} {self.first_name}"]
        for name in names:
            found += [part for part in _SPLIT.split(name) if len(part) >= 3 and fold(part) not in PARTICLES]
        for address in (self.id, self.hub_user, self.email):  # an OAuth hub names users by e-mail
            if "@" in address:
                found.append(address.split("@", 1)[0])
        return tuple(dict.fromkeys(t.strip() for t in found if t and t.strip()))


def _atoms(term: str) -> tuple[str, ...] | None:
    """A folded term as matching atoms (characters, and :data:`_SEP` between words), or None if it is
    too short or an everyday word."""
    folded = fold(term).replace(_SEP, "").strip()
    words = [w for w in _SPLIT.split(folded) if w]
    if not words or sum(len(w) for w in words) < _MIN_CHARS or " ".join(words) in EVERYDAY:
        return None
    if not any(ch.isalnum() for ch in folded):
        return None
    atoms: list[str] = []
    for i, word in enumerate(words):
        if i:
            atoms.append(_SEP)
        atoms.extend(word)
    return tuple(atoms)


_PIECES = re.compile(r"[\W_]+")


def _first_pieces(terms: Iterable[tuple[str, ...]]) -> frozenset[str] | None:
    """The first piece (up to the first character that is not a letter or digit) of every term: a
    mention starts at a word boundary, so a text none of whose pieces is among these mentions nobody,
    and the one expression of every term need not run over it. None when a term starts with
    something else than a letter or digit (no such shortcut then)."""
    firsts = set()
    for atoms in terms:
        first = _PIECES.split("".join(atoms).split(_SEP, 1)[0], maxsplit=1)[0]
        if not first or not "".join(atoms).startswith(first):
            return None
        firsts.add(first)
    return frozenset(firsts)


_Trie = dict[str, "_Trie"]


def _trie_pattern(terms: Iterable[tuple[str, ...]]) -> str:
    """One expression matching any of *terms*, longest first: a trie, so that matching does not slow
    down with the number of terms."""
    trie: _Trie = {}
    for atoms in terms:
        node = trie
        for atom in atoms:
            node = node.setdefault(atom, {})
        node[""] = {}

    def emit(node: _Trie) -> str:
        ends = "" in node
        branches = [
            (_SEP_PATTERN if atom == _SEP else re.escape(atom)) + emit(child)
            for atom, child in sorted(node.items())
            if atom != ""
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not ends else "(?:" + "|".join(branches) + ")"
        return body + "?" if ends else body

    return emit(trie)


class Redactor:
    """Replaces every mention of its terms in a text by *replacement*; see the module docstring."""

    def __init__(self, terms: Iterable[str], *, replacement: str = REMOVED) -> None:
        self.replacement = replacement
        atoms = {a for a in (_atoms(t) for t in terms if isinstance(t, str)) if a is not None}
        self.size = len(atoms)
        self._atoms = frozenset(atoms)
        self._firsts = _first_pieces(atoms)
        self._pattern = re.compile(r"(?<!\w)" + _trie_pattern(atoms) + r"(?!\w)") if atoms else None

    @classmethod
    def for_people(cls, people: Iterable[Person], *, extra: Iterable[str] = (), replacement: str = REMOVED) -> Redactor:
        """The redactor of every name of *people*, and *extra* terms (a course's own list)."""
        return cls([t for p in people for t in p.terms()] + list(extra), replacement=replacement)

    def covering(self, terms: Iterable[str]) -> Redactor:
        """This redactor if it already removes every one of *terms*, else one that removes them too."""
        missing = {a for a in (_atoms(t) for t in terms) if a is not None} - self._atoms
        if not missing:
            return self
        extended = Redactor((), replacement=self.replacement)
        extended.size, extended._atoms = len(self._atoms | missing), self._atoms | missing
        extended._firsts = _first_pieces(extended._atoms)
        extended._pattern = re.compile(r"(?<!\w)" + _trie_pattern(extended._atoms) + r"(?!\w)")
        return extended

    def __bool__(self) -> bool:
        return self._pattern is not None

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where, in *text*, the mentions are: (start, end) of the original characters, in order."""
        if self._pattern is None or not text:
            return []
        folded, origin = _folded(text)
        if self._firsts is not None and self._firsts.isdisjoint(_PIECES.split(folded)):
            return []
        found: list[tuple[int, int]] = []
        for match in _EMAIL.finditer(folded):
            if self._pattern.search(match.group(0)):
                found.append(match.span())
        taken = list(found)
        for match in self._pattern.finditer(folded):
            start, end = match.span()
            if start < end and not any(s < end and start < e for s, e in taken):
                found.append((start, end))
        spans = []
        for start, end in sorted(found):
            first, last = origin[start], origin[end - 1] + 1
            while last < len(text) and _fold_char(text[last]) == "":  # marks after the last letter
                last += 1
            spans.append((first, last))
        return spans

    def scrub_counted(self, text: str) -> tuple[str, int]:
        """*text* with every mention replaced, and how many mentions there were."""
        spans = self.spans(text)
        if not spans:
            return text, 0
        parts, at = [], 0
        for start, end in spans:
            parts += [text[at:start], self.replacement]
            at = end
        parts.append(text[at:])
        return "".join(parts), len(spans)

    def scrub(self, text: str) -> str:
        """*text* with every mention replaced."""
        return self.scrub_counted(text)[0]

    def tally(self) -> Tally:
        """A text -> text function that scrubs and counts, for the answer kinds' ``redact`` hooks."""
        return Tally(self)


@dataclass(slots=True)
class Tally:
    """Scrubs text with a :class:`Redactor` and counts the mentions it removed, over every call."""

    redactor: Redactor
    removed: int = 0

    def __call__(self, text: str) -> str:
        scrubbed, count = self.redactor.scrub_counted(text)
        self.removed += count
        return scrubbed


def removed_message(count: int) -> str:
    """What the author reads about names taken out of their work before peers saw it ("" for none)."""
    if count <= 0:
        return ""
    names = "1 name was" if count == 1 else f"{count} names were"
    return (
        f"{names} removed from your submission before your reviewers saw it: they read “{REMOVED}” "
        "in its place. Your own copy is unchanged."
    )
