"""The command table of `incident-desk`: every entry loads the command it names, `--help` lists them without
importing any command module, and `show`/`list` import neither the rules engine nor the plugin system."""

from __future__ import annotations

import importlib
import json
import pkgutil
import subprocess
import sys

import click
import pytest

import incident_desk.cli
from incident_desk.cli.main import COMMANDS, cli, load_command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_table_entry_loads_a_command_of_that_name_and_short_help(name):
    command = load_command(name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=10_000)


def test_every_command_a_module_declares_is_in_the_table():
    table = {load_command(name) for name in COMMANDS}
    for info in pkgutil.iter_modules(incident_desk.cli.__path__):
        if info.name == "main":
            continue
        module = importlib.import_module(f"incident_desk.cli.{info.name}")
        declared = list(getattr(module, "COMMANDS", ()))
        if hasattr(module, "register"):  # modules that add their commands with register(group)
            group = click.Group()
            module.register(group)
            declared += group.commands.values()
        for command in declared:
            assert command in table, f"{info.name}: command '{command.name}' is missing from cli/main.py COMMANDS"


def _imported_after(args: list[str], workspace=None) -> set[str]:
    env_setup = f"import os; os.environ['INCIDENT_DESK_WORKSPACE'] = {str(workspace)!r}; " if workspace else ""
    code = (f"{env_setup}import sys, json, contextlib, io\n"
            "from incident_desk.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): code = main(" + repr(args) + ")\n"
            "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["code"] == 0, done.stderr
    return set(result["modules"])


def test_help_imports_no_command_module_nor_pydantic():
    loaded = _imported_after(["--help"])
    assert not {m for m in loaded if m.startswith("incident_desk.") and m not in {
        "incident_desk.cli", "incident_desk.cli.main", "incident_desk.cli.common"}}
    assert "pydantic" not in loaded and "pluggy" not in loaded


def test_help_lists_every_command_with_its_short_help(capsys):
    from incident_desk.cli.main import main

    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"\n  {name} " in out


def test_show_and_list_do_not_load_the_rules_engine_plugins_or_templates(tmp_path):
    from incident_desk.cli.main import main

    workspace = tmp_path / "ws"
    assert main(["--workspace", str(workspace), "init"]) == 0
    assert main(["--workspace", str(workspace), "declare", "Checkout down", "--fact", "customer_impact_pct=40"]) == 0
    incident_id = sorted(p.stem for p in (workspace / "incidents").rglob("INC-*.json"))[0]
    for args in (["show", incident_id], ["list"]):
        loaded = _imported_after(args, workspace)
        heavy = {m for m in loaded if m.split(".")[0] in {"pluggy", "jinja2", "ruamel", "multiprocessing"}
                 or m.startswith(("incident_desk.engine", "incident_desk.plugin", "incident_desk.render"))}
        assert not heavy, (args, sorted(heavy))


def test_show_and_list_of_a_sealed_workspace_build_no_pydantic_model(tmp_path):
    """The two commands run most often answer from the index rows and the sealed incident file: importing
    pydantic and building the incident models would cost more than the rest of the command."""
    from incident_desk.cli.main import main

    workspace = tmp_path / "ws"
    assert main(["--workspace", str(workspace), "init"]) == 0
    assert main(["--workspace", str(workspace), "declare", "Checkout down", "--fact", "customer_impact_pct=40",
                 "--commander", "alice"]) == 0
    incident_id = sorted(p.stem for p in (workspace / "incidents").rglob("INC-*.json"))[0]
    for args in (["show", incident_id], ["list"], ["list", "--status", "declared", "--severity", "sev1"]):
        loaded = _imported_after(args, workspace)
        assert "pydantic" not in loaded and "incident_desk.domain.incident" not in loaded, args
    assert "pydantic" in _imported_after(["show", incident_id, "--json"], workspace)  # the whole incident


def test_group_still_reports_an_unknown_command_as_a_usage_error(capsys):
    from incident_desk.cli.main import main

    assert main(["nosuchcommand"]) == 2
    assert "nosuchcommand" in capsys.readouterr().err


def test_python_dash_m_runs_the_same_group():
    done = subprocess.run([sys.executable, "-m", "incident_desk", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "Commands:" in done.stdout
    assert cli.name
