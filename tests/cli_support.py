"""Running the real `incident-desk` command line in-process from a test, capturing what it prints.

    result = run_cli(capsys, "list", "--json")    # -> Result(code, out, err); result.json() parses out
    code, out, err = run_cli(capsys, "show", incident_id)
"""

from __future__ import annotations

import json
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
