"""Operating-system errors through the real command line (issue 7, point 4): a read-only file system,
permission denied (data, index and lock files), a full disk and a file size limit each give exit 5 and one
line naming the file and saying whether the change was saved; reads work on a read-only workspace.

The errors are real, raised by the kernel: a small tmpfs mounted (and remounted read-only) for the
file-system cases, a non-root user for permissions (CI runs as root, whom chmod does not stop, so the CLI
process drops to uid 65534 there), RLIMIT_FSIZE for "file too large". Cases the machine cannot set up are
skipped with the reason.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from incident_desk.cli.main import main
from incident_desk.store import layout

REPO = Path(__file__).resolve().parents[2]
NOBODY = 65534
IS_ROOT = os.geteuid() == 0


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(workspace: Path, *args: str, user: int | None = None, file_size_limit: int | None = None,
            home: Path | None = None) -> Run:
    """The real `incident-desk`: in its own process when it must run as another user or under a file size
    limit, else in this process (the same code, without the start-up cost)."""
    if (user is None or not IS_ROOT) and file_size_limit is None:
        return run_here(workspace, *args)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")]),
           "INCIDENT_DESK_WORKSPACE": str(workspace), "INCIDENT_DESK_USER": "alice", "PYTHONDONTWRITEBYTECODE": "1"}
    if home is not None:
        env["INCIDENT_DESK_PLUGINS_DIR"] = str(home / "plugins")
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                   XDG_STATE_HOME=str(home / "state"), XDG_CACHE_HOME=str(home / "cache"))

    def prepare() -> None:
        if file_size_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))
        if user is not None and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(user)
            os.setuid(user)

    done = subprocess.run([sys.executable, "-m", "incident_desk", *args], capture_output=True, text=True,
                          env=env, timeout=120, preexec_fn=prepare)
    return Run(done.returncode, done.stdout, done.stderr)


def run_here(workspace: Path, *args: str) -> Run:
    out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8") for _ in range(2))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--workspace", str(workspace), "--user", "alice", *args])
    out.flush()
    err.flush()
    return Run(code, out.buffer.getvalue().decode(), err.buffer.getvalue().decode())


def assert_clean_failure(result: Run, *fragments: str) -> None:
    assert result.code == 5, result
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    line = result.err.strip().splitlines()[-1]
    for fragment in fragments:
        assert fragment in line, (fragment, result.err)


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="desk-oserr-", dir="/tmp"))
    folder.chmod(0o755)
    home = folder / "home"
    (home / "plugins").mkdir(parents=True)
    os.chown(home, NOBODY, NOBODY) if IS_ROOT else None
    yield folder
    subprocess.run(["chmod", "-R", "u+rwX", str(folder)], check=False)
    shutil.rmtree(folder, ignore_errors=True)


def make_workspace(root: Path) -> tuple[Path, str]:
    workspace = root / "ws"
    assert run_cli(workspace, "init").code == 0
    declared = run_cli(workspace, "declare", "Payments down", "--fact", "customer_impact_pct=40")
    assert declared.code == 0, declared.err
    incident_id = declared.out.split()[1]
    assert run_cli(workspace, "timeline", "add", incident_id, "Rolled back").code == 0
    return workspace, incident_id


def incident_file(workspace: Path, incident_id: str) -> Path:
    return workspace / "incidents" / incident_id[4:8] / f"{incident_id}.json"


def other_user() -> int | None:
    """The uid to run as so that file modes apply (None: we are not root, modes apply to us already)."""
    if not IS_ROOT:
        return None
    if not _nobody_can_run_the_desk():
        pytest.skip(f"uid {NOBODY} cannot read this checkout or its Python environment ({REPO})")
    return NOBODY


@functools.cache
def _nobody_can_run_the_desk() -> bool:
    def drop() -> None:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "plugins")]), "HOME": "/tmp"}
    try:
        done = subprocess.run([sys.executable, "-c", "import incident_desk.cli.main"], env=env, preexec_fn=drop,
                              capture_output=True, timeout=60, cwd="/")
    except OSError:
        return False
    return done.returncode == 0


@pytest.fixture
def mounted(shared_dir):
    """A fresh small tmpfs (root only); yields (mount point, remount-read-only function)."""
    if not IS_ROOT or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    point = shared_dir / f"fs-{uuid.uuid4().hex[:8]}"
    point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(point)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")

    def remount(options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)

    try:
        yield point, remount
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


# --------------------------------------------------------------------------- read-only


def test_reads_work_and_writes_fail_cleanly_on_a_read_only_file_system(mounted):
    point, remount = mounted
    workspace, incident_id = make_workspace(point)
    before = incident_file(workspace, incident_id).read_bytes()
    remount("ro")
    for args in (("list",), ("show", incident_id), ("report", incident_id), ("audit", "verify"),
                 ("export", incident_id), ("list", "--json")):
        result = run_cli(workspace, *args)
        assert result.code == 0, (args, result)
        assert "Traceback" not in result.err
    assert "Payments down" in run_cli(workspace, "list").out
    for args in (("declare", "Another"), ("timeline", "add", incident_id, "note"),
                 ("set", incident_id, "--title", "Renamed"), ("resolve", incident_id)):
        assert_clean_failure(run_cli(workspace, *args), "read-only", "nothing was saved")
    remount("rw")
    assert incident_file(workspace, incident_id).read_bytes() == before


def test_a_read_only_workspace_of_the_previous_schema_version_is_still_read(mounted):
    """A read-only workspace cannot be upgraded; version 1 differs only in how writers coordinate, so it is
    read as it is."""
    point, remount = mounted
    workspace, incident_id = make_workspace(point)
    meta = workspace / "workspace.json"
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "schema_version": 1}))
    remount("ro")
    result = run_cli(workspace, "list")
    assert result.code == 0, result
    assert "Payments down" in result.out and "read-only" in result.err
    remount("rw")


def test_reads_work_on_a_workspace_the_user_cannot_write(shared_dir):
    workspace, incident_id = make_workspace(shared_dir)
    subprocess.run(["chmod", "-R", "a-w", str(workspace)], check=True)
    user = other_user()
    for args in (("list",), ("show", incident_id), ("report", incident_id)):
        result = run_cli(workspace, *args, user=user, home=shared_dir / "home")
        assert result.code == 0, (args, result)
    result = run_cli(workspace, "timeline", "add", incident_id, "note", user=user, home=shared_dir / "home")
    assert_clean_failure(result, "permission denied", "nothing was saved")


# --------------------------------------------------------------------------- permission denied


@pytest.fixture
def owned_workspace(shared_dir):
    """A workspace owned by the user the CLI runs as (so chmod 000 is what stops it)."""
    other_user()  # skips here when that user cannot run the desk at all
    workspace, incident_id = make_workspace(shared_dir)
    if IS_ROOT:
        subprocess.run(["chown", "-R", f"{NOBODY}:{NOBODY}", str(workspace)], check=True)
    return workspace, incident_id


def test_an_unreadable_incident_file_is_one_line_naming_it(owned_workspace, shared_dir):
    workspace, incident_id = owned_workspace
    path = incident_file(workspace, incident_id)
    path.chmod(0)
    home = shared_dir / "home"
    assert_clean_failure(run_cli(workspace, "show", incident_id, user=other_user(), home=home),
                         str(path), "permission denied")
    assert_clean_failure(run_cli(workspace, "timeline", "add", incident_id, "x", user=other_user(), home=home),
                         str(path), "permission denied", "nothing was saved")
    path.chmod(0o644)
    assert len(run_cli(workspace, "show", incident_id, "--json").out) > 0


def test_an_unopenable_lock_file_is_one_line_naming_it(owned_workspace, shared_dir):
    workspace, incident_id = owned_workspace
    lock = workspace / "locks" / f"{layout.incident_lock_name(incident_id)}.lock"
    lock.touch()
    if IS_ROOT:
        os.chown(lock, NOBODY, NOBODY)
    lock.chmod(0)
    home = shared_dir / "home"
    result = run_cli(workspace, "timeline", "add", incident_id, "x", user=other_user(), home=home)
    assert_clean_failure(result, str(lock), "permission denied", "nothing was saved")
    assert run_cli(workspace, "list", user=other_user(), home=home).code == 0
    (workspace / "locks" / "workspace.lock").chmod(0)
    assert run_cli(workspace, "list", user=other_user(), home=home).code == 0


def test_declare_with_an_unreadable_index_saves_once_and_says_so(owned_workspace, shared_dir):
    workspace, incident_id = owned_workspace
    shards = sorted(path for path in (workspace / "index").iterdir() if path.is_file())
    assert shards  # the index's shards and journal
    for shard in shards:
        shard.chmod(0)
    home = shared_dir / "home"
    result = run_cli(workspace, "declare", "Search slow", user=other_user(), home=home)
    assert result.code == 0, result
    new_id = result.out.split()[1]
    assert f"{new_id} was saved" in result.err and "permission denied" in result.err
    listed = run_cli(workspace, "list", user=other_user(), home=home)
    assert_clean_failure(listed, str(workspace / "index"), "permission denied")
    for shard in shards:
        shard.chmod(0o644)
    ids = [line.split()[0] for line in run_cli(workspace, "list", user=other_user(), home=home).out.splitlines()[2:]]
    assert sorted(ids) == sorted([incident_id, new_id])
    assert run_cli(workspace, "audit", "verify").code == 0


# --------------------------------------------------------------------------- full disk, file too large


def test_a_full_disk_fails_cleanly_and_leaves_nothing_half_done(mounted):
    point, _ = mounted
    workspace, incident_id = make_workspace(point)
    before = incident_file(workspace, incident_id).read_bytes()
    filler = point / "filler"
    with open(filler, "wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass
    for args in (("declare", "Another", "--fact", "customer_impact_pct=10"),
                 ("timeline", "add", incident_id, "x" * 20000)):
        assert_clean_failure(run_cli(workspace, *args), str(workspace), "no space left", "nothing was saved")
    assert run_cli(workspace, "list").code == 0
    filler.unlink()
    assert incident_file(workspace, incident_id).read_bytes() == before
    assert [p.name for p in workspace.rglob("*.tmp")] == []
    assert [line.split()[0] for line in run_cli(workspace, "list").out.splitlines()[2:]] == [incident_id]
    assert run_cli(workspace, "audit", "verify").code == 0
    assert run_cli(workspace, "declare", "Another").code == 0


def test_a_file_size_limit_fails_cleanly(shared_dir):
    workspace, incident_id = make_workspace(shared_dir)
    size = incident_file(workspace, incident_id).stat().st_size
    result = run_cli(workspace, "timeline", "add", incident_id, "y" * 5000, file_size_limit=size + 100)
    assert_clean_failure(result, str(incident_file(workspace, incident_id)), "too large", "nothing was saved")
    assert run_cli(workspace, "audit", "verify").code == 0
    assert "y" * 5000 not in run_cli(workspace, "show", incident_id, "--json").out
