"""The files backend finds a learner's review channels through the submission secrets in their own
nbgrader cache: only the secrets nbgrader wrote there count, never one lent through a link."""

from __future__ import annotations

import json
from pathlib import Path

from peerkit.core.review import channel_key
from peerkit.exchange.base import round_file
from peerkit.exchange.files.channels import channels_root, learner_channels

COURSE = "course"
PATH = "essay"


def channel(exchange: Path, secret: str) -> Path:
    key = channel_key(PATH, secret)
    assert key is not None
    folder = channels_root(exchange, COURSE) / key
    folder.mkdir(parents=True)
    (folder / round_file(PATH)).write_text("{}")
    return folder


def cached(cache: Path, learner: str, stamp: str) -> Path:
    entry = cache / COURSE / f"{learner}+{PATH}+{stamp}"
    entry.mkdir(parents=True)
    return entry


def test_a_secret_that_is_a_link_or_huge_finds_no_channel(tmp_path: Path) -> None:
    exchange, cache = tmp_path / "exchange", tmp_path / "cache"
    ana, bo = "a" * 128, "b" * 128
    mine = channel(exchange, ana)
    channel(exchange, bo)
    (cached(cache, "ana", "2026-11-05 09:00:00 UTC") / "submission_secret.txt").write_text(ana)
    lent = tmp_path / "bo-secret.txt"  # a classmate's secret, however ana came by a link to it
    lent.write_text(bo)
    (cached(cache, "ana", "2026-11-06 09:00:00 UTC") / "submission_secret.txt").symlink_to(lent)
    (cached(cache, "ana", "2026-11-07 09:00:00 UTC") / "submission_secret.txt").write_text(bo + " " * 10_000_000)
    assert learner_channels(exchange, COURSE, cache, PATH, learner="ana") == [mine]


def test_writing_channels_clears_what_a_killed_writer_left(tmp_path: Path) -> None:
    """A delivery killed between writing its temporary files and renaming them left hidden
    ``.<file>.<random>.tmp`` files in learners' channels for good (745 in one killed ``review open``):
    the next write of a channel removes those older than a minute, and leaves a fresh one (a writer
    still at work) alone."""
    import os
    import time

    from peerkit.exchange.files.channels import write_channels

    key = "a" * 64
    write_channels(tmp_path, "course", {key: {"round-x.json": {"v": 1}}})
    folder = channels_root(tmp_path, "course") / key
    stale = folder / ".packet-1.json.k3j2.tmp"
    fresh = folder / ".packet-2.json.q9z1.tmp"
    stale.write_text("{half")
    fresh.write_text("{half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    write_channels(tmp_path, "course", {key: {"round-x.json": {"v": 2}}})
    assert not stale.exists() and fresh.exists()
    assert json.loads((folder / "round-x.json").read_text()) == {"v": 2}
