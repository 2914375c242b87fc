"""Running the real `incident-desk` command line in-process from a test, capturing what it prints.

    result = run_cli(capsys, "list", "--json")    # -> Result(code, out, err); result.json() parses out
    code, out, err = run_cli(capsys, "show", incident_id)
    code, out, err = run_cli_redirected("show", incident_id)   # where no capsys fixture is at hand
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from incident_desk.cli.main import main


class Result(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> Result:
    """`incident-desk ARGS...` in this process: its exit code and what it wrote to stdout and stderr."""
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def run_cli_redirected(*args: object) -> Result:
    """The same without pytest's capsys (for helpers outside fixtures): stdout and stderr redirected."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Result(code, out.getvalue(), err.getvalue())


def demo_workspace(tmp_path_factory: pytest.TempPathFactory, name: str, count: int) -> Path:
    """A workspace of `count` generated demo incidents (`incident-desk demo create`)."""
    path = tmp_path_factory.mktemp(name) / "ws"
    assert main(["--workspace", str(path), "demo", "create", "--count", str(count)]) == 0
    return path
