"""AtomicJSONStorage on its own, as the outbox and other modules use it through TinyDB."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from tinydb import Query, TinyDB

from incident_desk.store import AtomicJSONStorage, DamagedFile


def test_tinydb_api_works_and_each_write_is_one_atomic_replace(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    assert not path.exists(), "opening creates nothing"
    db.table("outbox").insert({"key": "a", "state": "pending"})
    inode = path.stat().st_ino
    db.table("outbox").update({"state": "sent"}, Query().key == "a")
    assert path.stat().st_ino != inode, "the file is replaced, never rewritten in place"
    assert TinyDB(path, storage=AtomicJSONStorage).table("outbox").all() == [{"key": "a", "state": "sent"}]
    assert [p.name for p in tmp_path.iterdir()] == ["outbox.json"], "no temp files left behind"


def test_transaction_writes_once_at_the_end_and_nothing_on_error(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    db = TinyDB(path, storage=AtomicJSONStorage)
    with db.storage.transaction():
        db.table("a").insert({"n": 1})
        db.table("b").insert({"n": 2})
        assert not path.exists()
    assert TinyDB(path, storage=AtomicJSONStorage).tables() == {"a", "b"}
    before = path.read_bytes()
    with pytest.raises(RuntimeError):
        with db.storage.transaction():
            db.table("a").insert({"n": 3})
            raise RuntimeError("boom")
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b'{"a": {"1": {"n"', b"\x00" * 64, b"[1, 2]", b'{"a": {"x": 1}}'])
def test_a_damaged_file_is_reported_and_never_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "data.json"
    path.write_bytes(content)
    db = TinyDB(path, storage=AtomicJSONStorage)
    with pytest.raises(DamagedFile, match=f"damaged file {path}"):
        db.table("a").all()
    with pytest.raises(DamagedFile):
        db.table("a").insert({"n": 1})
    with pytest.raises(DamagedFile):
        db.drop_tables()  # a blind write without reading first is refused too
    assert path.read_bytes() == content


def test_keep_previous_holds_the_last_generation(tmp_path: Path) -> None:
    path, previous = tmp_path / "data.json", tmp_path / "prev" / "data.json"
    db = TinyDB(path, storage=AtomicJSONStorage, keep_previous=previous)
    db.table("a").insert({"n": 1})
    first = path.read_bytes()
    db.table("a").insert({"n": 2})
    assert previous.read_bytes() == first
    assert os.stat(previous).st_ino != os.stat(path).st_ino
