"""Names out of what peers see: any case and accents, whole words, multi-word names, e-mail addresses."""

from __future__ import annotations

import random
import string
import time

import pytest

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.packets import build_packet, removed_from
from peerkit.core.redaction import REMOVED, Person, Redactor, fold, removed_message

ZOE = Person(
    "qtarrow",
    first_name="Zoë",
    last_name="Müller-Ñúñez",
    email="Zoe.Muller@uni.example",
    hub_user="zm42",
    profile_name="Zozo",
)


def scrub(text: str, *people: Person, extra: tuple[str, ...] = ()) -> str:
    return Redactor.for_people(people or (ZOE,), extra=extra).scrub(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ZOË wrote this", f"{REMOVED} wrote this"),
        ("zoe and Zoé and Zoe\u0301!", f"{REMOVED} and {REMOVED} and {REMOVED}!"),  # composed or not
        ("Zoë Müller-Ñúñez, librarian", f"{REMOVED}, librarian"),  # the full name is one mention
        ("MULLER NUNEZ", REMOVED),  # a hyphenated name written with a space
        ("Ask Müller.", f"Ask {REMOVED}."),  # one part of a multi-part last name
        ("mail zoe.muller@uni.example today", f"mail {REMOVED} today"),
        ("or ZOE.MULLER@other.example", f"or {REMOVED}"),  # any address holding a known name
        ("login zm42 and qtarrow", f"login {REMOVED} and {REMOVED}"),
        ("call me Zozo's friend", f"call me {REMOVED}'s friend"),
    ],
)
def test_every_form_of_a_name_is_removed(text: str, expected: str) -> None:
    assert scrub(text) == expected


def test_whole_words_only() -> None:
    ann = Person("ann", first_name="Ann", last_name="Lee")
    assert (
        scrub("Ann's annual plan, planned by Leeds and Ann", ann)
        == f"{REMOVED}'s annual plan, planned by Leeds and {REMOVED}"
    )
    assert scrub("zoetrope and qtarrow2", ZOE) == "zoetrope and qtarrow2"


def test_everyday_words_and_particles_are_never_terms() -> None:
    you = Person("you")
    van = Person("pvdb", first_name="Piet", last_name="van der Berg")
    assert scrub("you and me", you) == "you and me"
    assert scrub("drive the van; Piet van der Berg; Berg", van) == f"drive the van; {REMOVED}; {REMOVED}"


def test_letters_without_a_decomposition_fold_too() -> None:
    assert fold("Søren Łukasz Straße") == "soren lukasz strasse"
    assert scrub("soren said", Person("s1", first_name="Søren")) == f"{REMOVED} said"
    assert scrub("O’Brien and o'brien", Person("x1", last_name="O'Brien")) == f"{REMOVED} and {REMOVED}"


@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\u2060", "\u200d", "\ufeff"])
def test_invisible_characters_inside_a_name_do_not_hide_it(invisible: str) -> None:
    # Zero-width space, soft hyphen, word joiner, zero-width joiner, BOM: the reader sees "Zoë" and so must matching.
    assert scrub(f"thanks Zo{invisible}ë and Mül{invisible}ler!") == f"thanks {REMOVED} and {REMOVED}!"
    assert scrub(f"a{invisible}b stays") == f"a{invisible}b stays"  # everything else is kept exactly


def test_extra_terms_and_counts() -> None:
    redactor = Redactor.for_people([ZOE], extra=["Pat Facilitator"])
    text, count = redactor.scrub_counted("Thanks, pat  facilitator, and Zoe!")
    assert text == f"Thanks, {REMOVED}, and {REMOVED}!" and count == 2
    assert redactor.scrub_counted("nothing here") == ("nothing here", 0)
    assert not Redactor(["", "x", "you"])  # too short or everyday: nothing to remove


def test_everything_else_is_kept_exactly() -> None:
    text = "Ünïcode ✓ stays\n\tindented — and Zoë goes"
    assert scrub(text) == f"Ünïcode ✓ stays\n\tindented — and {REMOVED} goes"


def test_a_packet_counts_and_removes_every_person_in_every_field() -> None:
    other = Person("ling-wei", first_name="Ling", last_name="Wei")
    sheet = (
        AnswerSheet(path="p")
        .with_answer("story", Answer.make("text", "I, Zoë, worked with Ling Wei."))
        .with_answer("ex", Answer.make("example", {"title": "Zozo's tale", "story": "by zm42", "tags": ["wei"]}))
    )
    redactor = Redactor.for_people([ZOE, other])
    packet = build_packet(
        token="t",
        path_id="p",
        path_title="P",
        kind="peer",
        sheet=sheet,
        questions={},
        author="qtarrow",
        redactor=redactor,
    )
    shown = str(packet).casefold()
    for word in ("zoë", "zoe", "ling", "wei", "zozo", "zm42"):
        assert word not in shown
    assert removed_from(sheet, redactor) == 5
    own = build_packet(token="s", path_id="p", path_title="P", kind="self", sheet=sheet, questions={}, author="qtarrow")
    assert "Zoë" in str(own)  # the author's own copy is as they wrote it


def test_the_author_is_told_in_plain_words() -> None:
    assert removed_message(0) == ""
    assert removed_message(1).startswith("1 name was removed from your submission")
    assert removed_message(2).startswith("2 names were removed") and REMOVED in removed_message(2)


def test_a_large_round_stays_fast() -> None:
    rng = random.Random(1)

    def word(n: int) -> str:
        return "".join(rng.choices(string.ascii_lowercase, k=n))

    people = [Person(word(8), first_name=word(6), last_name=word(7), email=f"{word(5)}@x.org") for _ in range(600)]
    redactor = Redactor.for_people(people)
    text = " ".join(rng.choice(["hello", "annual", people[7].first_name]) for _ in range(3000))
    started = time.perf_counter()
    scrubbed, count = redactor.scrub_counted(text)
    assert time.perf_counter() - started < 1.0
    assert count == text.split().count(people[7].first_name) and people[7].first_name not in scrubbed


def test_skipping_texts_without_a_terms_first_word_finds_exactly_what_the_full_search_finds() -> None:
    rng = random.Random(5)
    names = ["Ana", "o'Brien", "Zoë Ng", "ling.wei", "ana_b", "learner00042", "Ørsted", "de la Cruz", "x@y.org"]
    words = [
        "ana",
        "Ana's",
        "o'brien",
        "obrien",
        "zoe",
        "ng",
        "Ling-Wei",
        "ling",
        "ana_b",
        "anab",
        "banana",
        "(learner00042)",
        "learner000421",
        "orsted",
        "ørsted.",
        "cruz",
        "mail: ana@x.org",
        "y.org",
        "—",
        "_ana",
    ]
    redactor = Redactor(names)
    assert redactor._firsts is not None  # every term starts with a letter or digit
    full = Redactor(names)
    full._firsts = None  # the whole expression over every text
    skipped = 0
    for _ in range(2000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 6)))
        assert redactor.spans(text) == full.spans(text), text
        skipped += not full.spans(text)
    assert skipped > 100
    assert Redactor(["-ana"])._firsts is not None and Redactor(["(ana)"]).scrub("hi (ana) there") != "hi (ana) there"


@pytest.mark.parametrize(
    "person", [Person("ana.lima@uni.edu"), Person("alima", hub_user="ana.lima@uni.edu")], ids=["id", "hub user"]
)
def test_a_hub_user_named_by_e_mail_loses_the_local_part_too(person: Person) -> None:
    """An OAuth hub names learners by e-mail: the address is their id, and nothing else says "ana.lima"."""
    redactor = Redactor.for_people([person])
    text = "Ask ana.lima@uni.edu, or Ana Lima, or ana.lima on the forum; analima is someone else."
    assert redactor.scrub(text) == f"Ask {REMOVED}, or {REMOVED}, or {REMOVED} on the forum; analima is someone else."
