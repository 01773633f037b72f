"""One reviewer's files, as a round and rolling review both deliver them: new peers' packets, the
self packet once, and the manifest (its rolling fields only on a rolling path)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from peerkit.core.answers import Answer, AnswerSheet
from peerkit.core.models import LearningPath
from peerkit.core.redaction import Person, Redactor
from peerkit.core.review import Round
from peerkit.core.rubric import Criterion, Level, Rubric
from peerkit.core.store import StoredSubmission
from peerkit.exchange.base import packet_file, round_file
from peerkit.review.channel import channel_files, self_token

PATH = LearningPath(id="essay", title="An essay", notebook=Path("essay.ipynb"))
RUBRIC = Rubric(id="r", title="R", criteria=(Criterion("a", "Criterion A", (Level(0, "No"), Level(1, "Yes"))),))
NOW = datetime(2026, 11, 22, 10, tzinfo=UTC)
ROUND = Round("essay", "r", 2, "double-blind", True, 7, NOW)


def submission(learner: str, text: str) -> StoredSubmission:
    sheet = AnswerSheet(path="essay").with_answer("story", Answer.make("text", text, updated="2026-11-22T10:00:00Z"))
    return StoredSubmission(learner, "essay", NOW, NOW, sheet, True)


def files_for(learner: str, **options: object) -> dict[str, dict[str, object]]:
    redactor = Redactor.for_people([Person("anabel"), Person("boris")])
    return channel_files(
        learner,
        path=PATH,
        round_=ROUND,
        rubric=RUBRIC,
        questions={"story": ("Your story", "Tell it.")},
        redactor=redactor,
        **options,  # type: ignore[arg-type]
    )


def test_self_token_is_stable_and_differs_per_learner_path_and_seed() -> None:
    token = self_token("ana", ROUND)
    assert token == self_token("ana", ROUND) and len(token) == 32 and int(token, 16) >= 0
    other_path, other_seed = replace(ROUND, path_id="other"), replace(ROUND, seed=8)
    assert len({token, self_token("bo", ROUND), self_token("ana", other_path), self_token("ana", other_seed)}) == 4


def test_a_learner_s_own_token_does_not_give_the_seed_away() -> None:
    """Each learner is given their own packet's token. Hashed from the path, the 31-bit seed and their
    name, it could be searched back to the seed (2^31 hashes), and with the seed the allocation: who
    reviews whom. With the round's secret it says nothing of the seed: two rounds with one seed and
    two secrets give unrelated tokens, and the old formula does not find it."""
    keyed = replace(ROUND, secret="ab" * 32)
    token = self_token("ana", keyed)
    legacy = hashlib.sha256(b"self\0essay\x007\0ana").hexdigest()[:32]
    assert token != legacy and token != self_token("ana", replace(keyed, secret="cd" * 32))
    assert token == self_token("ana", replace(keyed, seed=8))  # the seed plays no part once there is a secret
    assert self_token("ana", ROUND) == legacy  # a round opened before secrets keeps the tokens it delivered


def test_a_newcomer_gets_the_peer_packet_their_own_and_a_manifest_naming_both() -> None:
    own = submission("boris", "boris asked anabel at the desk.")
    files = files_for(
        "boris",
        new_packets=[("t1", submission("anabel", "anabel learned from boris."))],
        packets=["t1"],
        own=own,
        newcomer=True,
        assessed=True,
    )
    mine = self_token("boris", ROUND)
    assert set(files) == {packet_file("t1"), packet_file(mine), round_file("essay")}
    peer = files[packet_file("t1")]
    assert peer["kind"] == "peer" and peer["author"] is None
    assert "boris" not in str(peer["answers"]) and "anabel" not in str(peer["answers"])  # names scrubbed
    assert files[packet_file(mine)]["answers"][0]["value"] == "boris asked anabel at the desk."  # type: ignore[index]
    manifest = files[round_file("essay")]
    assert manifest["packets"] == ["t1"] and manifest["self"] == mine and manifest["removed"] == 2
    assert "mode" not in manifest


def test_later_deliveries_send_only_the_manifest_and_rolling_fields_when_asked() -> None:
    files = files_for(
        "boris",
        new_packets=[],
        packets=["t1"],
        own=None,
        newcomer=False,
        assessed=False,
        mode="rolling",
        per_submission=2,
        waiting_for=1,
    )
    manifest = files[round_file("essay")]
    assert set(files) == {round_file("essay")}
    assert manifest["self"] is None and "removed" not in manifest
    assert (manifest["mode"], manifest["per_submission"], manifest["waiting_for"]) == ("rolling", 2, 1)
