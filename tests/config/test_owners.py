"""Whose file is it: a learner's record counts when their Unix user or the facilitator wrote it."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from peerkit.config.owners import (
    RecordOwners,
    check_own_folder,
    check_unix_users,
    parse_unix_users,
    user_name,
)
from peerkit.core.errors import ConfigError, IdentityError, StorageError
from tests.conftest import require

ME = pwd.getpwuid(os.geteuid()).pw_name


def test_a_learner_is_their_login_unless_mapped(tmp_path: Path) -> None:
    owners = RecordOwners(trusted=frozenset({999_999}), unix_users={"ana": ME})
    assert owners.uid("ana") == os.geteuid() and owners.allows("ana", os.geteuid())
    assert owners.uid(ME) == os.geteuid()  # by default the learner id is the login
    assert owners.uid("no-such-user-here") is None and not owners.allows("no-such-user-here", os.geteuid())
    assert owners.allows("no-such-user-here", 999_999)  # the facilitator may write for anyone
    refused = owners.check(tmp_path / "bo.jsonl", "bo", os.geteuid())
    assert refused is not None and str(refused) == f"bo.jsonl is owned by {ME}, not by bo"


def test_the_folder_owner_and_root_are_trusted(tmp_path: Path) -> None:
    assert RecordOwners.of_folder(tmp_path).trusted == {os.geteuid(), 0}
    with pytest.raises(StorageError, match="missing"):
        RecordOwners.of_folder(tmp_path / "missing")


def test_the_mapping_is_read_and_checked() -> None:
    assert parse_unix_users(" ada=alovelace, ben = bsmith ,") == {"ada": "alovelace", "ben": "bsmith"}
    assert parse_unix_users("") == {}
    with pytest.raises(ConfigError, match="learner=login"):
        parse_unix_users("ada")
    with pytest.raises(ConfigError, match="not a Unix login"):
        check_unix_users({"ada": "a b"})
    with pytest.raises(IdentityError):
        check_unix_users({"../ada": "ada"})


def test_a_shared_folder_someone_else_created_is_refused(tmp_path: Path) -> None:
    assert check_own_folder(tmp_path) == tmp_path
    require(os.geteuid() == 0, "giving a folder to another Unix user needs root")
    os.chown(tmp_path, 65534, 65534)  # a learner (here: nobody) created it first
    with pytest.raises(StorageError, match=f"belongs to {user_name(65534)}, not to you"):
        check_own_folder(tmp_path)
