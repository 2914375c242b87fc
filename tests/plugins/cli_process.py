"""The notification commands under a test root group, in their own process (for signal tests).

Usage: python cli_process.py WORKSPACE COMMAND [ARGS...]; installed plugins are not loaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from incident_desk.cli.common import AppContext
from incident_desk.cli.notify_cmds import register
from incident_desk.plugin import Plugins


def root_group(plugins: Plugins) -> click.Group:
    @click.group()
    @click.option("--workspace", type=click.Path(path_type=Path))
    @click.pass_context
    def root(ctx: click.Context, workspace: Path | None) -> None:
        app = ctx.ensure_object(AppContext)
        app.workspace_path = workspace
        app.actor = app.actor or "tester"
        app._cache.setdefault("plugins", plugins)

    register(root)
    return root


if __name__ == "__main__":
    group = root_group(Plugins.load(entry_points=False, plugins_dir=None))
    sys.exit(group.main(args=["--workspace", *sys.argv[1:]], prog_name="incident-desk", standalone_mode=True))
