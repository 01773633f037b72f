"""The people a course keeps out of what one learner's text shows to others.

Review packets, the example gallery and summary notes all pass learners' words to classmates; each
removes the same names, built here once from the store (every learner, their profile name), the
gradebook's roster (first and last names, e-mail) and the course's ``redact`` terms, so no route
knows fewer names than another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from peerkit.core.models import Course
from peerkit.core.redaction import Person, Redactor
from peerkit.storage.sql import SqlStore


def course_redactor(store: SqlStore, course: Course, people: Mapping[str, Person]) -> Redactor:
    """What every text one learner wrote loses before others read it (review packets, the example
    gallery, summary notes): every name of every learner of the course (id, which is also their hub
    user name; first and last name and e-mail from *people*, the gradebook's; the name in their
    profile) and the course's ``redact`` terms. Every learner, not only a round's authors: a
    reflection may name a classmate who has not submitted yet."""
    profiles = store.profiles()
    names = sorted({lrn.name for lrn in store.learners()} | set(people) | set(profiles))
    persons = []
    for name in names:
        known = people.get(name) or Person(name)
        profile_name = profiles.get(name, {}).get("name")
        persons.append(
            replace(
                known,
                hub_user=known.hub_user or name,
                profile_name=profile_name if isinstance(profile_name, str) and profile_name else known.profile_name,
            )
        )
    return Redactor.for_people(persons, extra=course.redact)
