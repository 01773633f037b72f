"""Summary notes and gallery decisions in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from peerkit.core.errors import NotFound
from peerkit.storage.sql import SqlStore


def test_notes_draft_edit_release_and_redraft(store: SqlStore) -> None:
    assert store.note("essay") is None
    note = store.save_note_draft("essay", "draft one", sources=4)
    assert (note.text, note.state, note.sources) == ("draft one", "draft", 4)
    assert store.edit_note("essay", "my words", by="fac").state == "edited"
    kept = store.save_note_draft("essay", "draft two", sources=5)
    assert (kept.draft, kept.text) == ("draft two", "my words")  # edits survive a new draft
    released = store.release_note("essay", by="fac")
    assert (released.released_text, released.state, released.released_by) == ("my words", "released", "fac")
    assert store.edit_note("essay", "my words, better", by="fac").state == "changed since release"
    assert store.note("essay").released_text == "my words"  # type: ignore[union-attr]
    replaced = store.save_note_draft("essay", "draft three", sources=5, keep_edits=False)
    assert (replaced.text, replaced.edited_by) == ("draft three", None)
    assert [n.path_id for n in store.notes()] == ["essay"]
    with pytest.raises(NotFound):
        store.release_note("other", by="fac")


def test_gallery_decisions_keep_the_approved_content(store: SqlStore) -> None:
    content = {"title": "Huddle", "story": "[name] showed us", "tags": ["desk"]}
    store.decide_example("ana", "essay", "ex", "approved", content=content, checksum="c1", by="fac")
    store.decide_example("bo", "essay", "ex", "hidden", content={}, checksum="c2", by="fac")
    store.decide_example(
        "ana", "essay", "ex", "approved", content={**content, "title": "Huddle 2"}, checksum="c3", by="fac2"
    )
    decisions = store.gallery_decisions()
    assert [(d.learner, d.status, d.checksum, d.decided_by) for d in decisions] == [
        ("ana", "approved", "c3", "fac2"),
        ("bo", "hidden", "c2", "fac"),
    ]
    assert decisions[0].content["title"] == "Huddle 2"
