"""The people a course keeps out of what one learner's text shows to others.

Review packets, the example gallery and summary notes all pass learners' words to classmates; each
removes the same names, built here once from the store (every learner, their profile name), the
gradebook's roster (first and last names, e-mail) and the course's ``redact`` terms, so no route
knows fewer names than another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from peerkit.core.models import Course
from peerkit.core.redaction import Person, Redactor
from peerkit.storage.sql import SqlStore


def course_people(store: SqlStore, people: Mapping[str, Person]) -> dict[str, Person]:
    """Every learner of the course with every name they go by: their id (also their hub user name),
    first and last name and e-mail from *people* (the gradebook's), the name in their profile."""
    profiles = store.profiles()
    names = sorted({lrn.name for lrn in store.learners()} | set(people) | set(profiles))
    persons = {}
    for name in names:
        known = people.get(name) or Person(name)
        profile_name = profiles.get(name, {}).get("name")
        persons[name] = replace(
            known,
            hub_user=known.hub_user or name,
            profile_name=profile_name if isinstance(profile_name, str) and profile_name else known.profile_name,
        )
    return persons


def course_redactor(store: SqlStore, course: Course, people: Mapping[str, Person]) -> Redactor:
    """What every text one learner wrote loses before others read it (review packets, the example
    gallery, summary notes): every name of every learner of the course (:func:`course_people`) and
    the course's ``redact`` terms. Every learner, not only a round's authors: a reflection may name a
    classmate who has not submitted yet."""
    return Redactor.for_people(course_people(store, people).values(), extra=course.redact)


class LayeredRedactor(Redactor):
    """A redactor as last built in full, plus a small one of names learnt since: a newcomer's names
    are removed at once without compiling every learner's names again (rolling review takes learners
    in one by one). Scrubs with both."""

    def __init__(self, base: Redactor, extra: Redactor) -> None:
        super().__init__((), replacement=base.replacement)
        self.base, self.extra = base, extra
        self.size = base.size + extra.size
        self._atoms = base._atoms | extra._atoms
        self._pattern = base._pattern or extra._pattern

    @classmethod
    def over(cls, base: Redactor, people: Iterable[Person]) -> Redactor:
        terms = [t for p in people for t in p.terms()]
        return cls(base, Redactor(terms, replacement=base.replacement)) if terms else base

    def covering(self, terms: Iterable[str]) -> Redactor:
        terms = list(terms)
        if Redactor(terms)._atoms <= self._atoms:
            return self
        return LayeredRedactor(self.base, self.extra.covering(terms))

    def scrub_counted(self, text: str) -> tuple[str, int]:
        first, found = self.base.scrub_counted(text)
        second, more = self.extra.scrub_counted(first)
        return second, found + more
