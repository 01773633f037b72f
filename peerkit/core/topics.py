"""The course's topic vocabulary at work: free text to topic ids, profiles to allocation, and the match measure.

Learners describe what they know and want to learn in their own words ("I run our book club, and I
mentor new staff"). Exact tags almost never meet ("mentoring" is not "mentor new staff"), so review
allocation matched little. Each topic of course.yml ``topics:`` lists the words and phrases that
name it; :func:`topics_in` finds them in free text, ignoring case, accents and plurals and only
at word boundaries ("note" never matches inside "denote"). Learners see the result as chips they
can add or remove, and allocation compares topic ids.

:func:`matched_share` is the measure the course reports: the share of authors (who want to learn
something) with at least one reviewer who knows something they want to learn.

Pure: standard library only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from peerkit.core.allocation.records import Profile
from peerkit.core.models import Topic

_TOKEN = re.compile(r"[a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2019\u02bc`]")
_SIBILANT_ES = ("sses", "xes", "ches", "shes", "zzes")

#: The profile answer's text fields whose words say what a learner can offer a reviewer's eye.
KNOW_FIELDS = ("know", "bring")
WANT_FIELDS = ("want",)


def fold(text: str) -> str:
    """Lower case without accents or apostrophes: "Éducation Populaire" and "education populaire" alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _APOSTROPHES.sub("", plain)


def singular(token: str) -> str:
    """A light plural stemmer, applied alike to the vocabulary and to the text: what matters is that
    "communities" and "community", "notes" and "note", "classes" and "class" meet."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith(_SIBILANT_ES):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def tokens(text: str) -> tuple[str, ...]:
    """The words of *text*, folded and singular; anything that is not a letter or digit separates them."""
    return tuple(singular(t) for t in _TOKEN.findall(fold(text)))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """A course's topics, compiled for matching: each word or phrase as a tuple of tokens."""

    topics: tuple[Topic, ...]
    #: First token -> (phrase tokens, topic id), longest phrases first.
    phrases: Mapping[str, tuple[tuple[tuple[str, ...], str], ...]]

    @classmethod
    def of(cls, topics: Iterable[Topic]) -> Vocabulary:
        return _compiled(tuple(topics))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.topics)

    def label(self, topic_id: str) -> str:
        return next((t.label for t in self.topics if t.id == topic_id), topic_id)

    def find(self, text: str) -> tuple[str, ...]:
        """Topic ids named in *text*, in vocabulary order, each once."""
        words = tokens(text)
        found: set[str] = set()
        for i, word in enumerate(words):
            for phrase, topic in self.phrases.get(word, ()):
                if words[i : i + len(phrase)] == phrase:
                    found.add(topic)
        return tuple(t.id for t in self.topics if t.id in found)


@lru_cache(maxsize=16)
def _compiled(topics: tuple[Topic, ...]) -> Vocabulary:
    phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for topic in topics:
        for word in (*topic.words, topic.label):
            phrase = tokens(word)
            if phrase and (phrase, topic.id) not in phrases.get(phrase[0], []):
                phrases.setdefault(phrase[0], []).append((phrase, topic.id))
    ordered = {first: tuple(sorted(found, key=lambda p: -len(p[0]))) for first, found in phrases.items()}
    return Vocabulary(topics, ordered)


def topics_in(text: str | Iterable[str], topics: Iterable[Topic]) -> tuple[str, ...]:
    """The ids of the *topics* that *text* names (a string, or several: tags typed one by one)."""
    joined = text if isinstance(text, str) else " . ".join(str(t) for t in text)
    return Vocabulary.of(topics).find(joined)


def field_text(value: Mapping[str, Any], names: Sequence[str]) -> str:
    """The learner's own words in a profile answer's fields *names* (lists of pieces, or plain text)."""
    parts: list[str] = []
    for name in names:
        found = value.get(name)
        if isinstance(found, str):
            parts.append(found)
        elif isinstance(found, list):
            parts.extend(str(item) for item in found)
    return " . ".join(parts)


def chosen_topics(value: Mapping[str, Any], side: str) -> tuple[str, ...] | None:
    """The topic ids the learner kept as chips for *side* ("know" or "want"); None when the answer
    holds no choice (written before chips existed, or by the demo cohort's file)."""
    chosen = value.get("topics")
    if not isinstance(chosen, Mapping) or not isinstance(chosen.get(side), list):
        return None
    return tuple(str(t) for t in chosen[side])


def profile_from_answer(value: Mapping[str, Any], topics: Sequence[Topic]) -> Profile:
    """The allocation profile of one profile answer.

    With a vocabulary, a learner knows and wants topic ids: the chips they kept when there are any
    (their choice wins over the words), else the topics their words name. Without one, their tags
    are compared as typed (lower case), as before the vocabulary existed.
    """
    if not topics:
        knows = [t for f in KNOW_FIELDS for t in _pieces(value.get(f))]
        return Profile.from_tags(knows=knows, wants=_pieces(value.get("want")))
    known = {t.id for t in topics}
    vocabulary = Vocabulary.of(topics)

    def side(name: str, fields: Sequence[str]) -> frozenset[str]:
        chosen = chosen_topics(value, name)
        if chosen is not None:
            return frozenset(t for t in chosen if t in known)
        return frozenset(vocabulary.find(field_text(value, fields)))

    return Profile(side("know", KNOW_FIELDS), side("want", WANT_FIELDS))


def _pieces(found: object) -> list[str]:
    if isinstance(found, str):
        return re.split(r"[,;]", found)
    return [str(item) for item in found] if isinstance(found, list) else []


@dataclass(frozen=True, slots=True)
class MatchCount:
    """Authors who want to learn something, and how many of them have a reviewer who knows some of it."""

    matched: int
    wanting: int
    authors: int

    @property
    def share(self) -> float:
        """``matched / wanting`` (0.0 when no author wants anything)."""
        return self.matched / self.wanting if self.wanting else 0.0

    def describe(self) -> str:
        if not self.wanting:
            return "no author said what they want to learn"
        return (
            f"{self.matched} of {self.wanting} authors ({self.share:.0%}) have a reviewer who knows "
            "what they want to learn"
        )


def match_count(pairs: Iterable[tuple[str, str]], profiles: Mapping[str, Profile]) -> MatchCount:
    """Count, over the (reviewer, author) *pairs*, the authors with at least one reviewer who knows a
    topic the author wants to learn, among the authors who want any."""
    authors: set[str] = set()
    matched: set[str] = set()
    empty = Profile()
    for reviewer, author in pairs:
        authors.add(author)
        if author in matched:
            continue
        if profiles.get(reviewer, empty).knows & profiles.get(author, empty).wants:
            matched.add(author)
    wanting = sum(1 for a in authors if profiles.get(a, empty).wants)
    return MatchCount(matched=len(matched), wanting=wanting, authors=len(authors))


def matched_share(pairs: Iterable[tuple[str, str]], profiles: Mapping[str, Profile]) -> float:
    """The share of authors (among those who want to learn something) with at least one reviewer who
    knows something they want to learn: the course's one measure of matching."""
    return match_count(pairs, profiles).share


def topics_from_metadata(entries: object) -> tuple[Topic, ...]:
    """The vocabulary as a built notebook carries it (``metadata.peerkit.topics``); malformed entries
    are left out (a learner's page shows fewer chips rather than none)."""
    if not isinstance(entries, list):
        return ()
    topics = []
    for entry in entries:
        if isinstance(entry, Mapping) and isinstance(entry.get("id"), str) and isinstance(entry.get("label"), str):
            words = entry.get("words")
            topics.append(
                Topic(entry["id"], entry["label"], tuple(str(w) for w in words) if isinstance(words, list) else ())
            )
    return tuple(topics)
