#!/usr/bin/env python3
"""Regenerate the README's screenshots of each main screen of the desktop window, on the demo workspace.

    python scripts/screenshots.py [--workspace .demo-workspace] [--out docs/screenshots]

Runs offscreen (QT_QPA_PLATFORM=offscreen) and grabs each screen with `widget.grab()`; the demo
workspace is built first when it does not exist. Settings are kept in a throwaway folder, so the
screenshots never depend on (or change) your own window layout.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default=str(ROOT / ".demo-workspace"))
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("INCIDENT_DESK_ENTRY_POINTS", "0")
    workspace, out = Path(args.workspace), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):  # screens renamed or removed leave no stale picture behind
        old.unlink()
    if not (workspace / "workspace.json").exists():
        from incident_desk.app.demo import create_demo_workspace

        create_demo_workspace(workspace)

    from incident_desk.app.wiring import open_desk
    from incident_desk.gui.app import application
    from incident_desk.gui.main_window import MainWindow
    from incident_desk.gui.qt import QSettings

    app = application()
    settings_dir = tempfile.mkdtemp(prefix="incident-desk-shots-")
    atexit.register(shutil.rmtree, settings_dir, ignore_errors=True)
    settings = QSettings(str(Path(settings_dir) / "settings.ini"), QSettings.Format.IniFormat)
    desk = open_desk(workspace, actor="Dana (incident manager)")
    window = MainWindow(desk, settings=settings, scheduler=False)
    window.resize(1600, 960)
    window.show()
    window.start(background=False)

    def settle() -> None:
        for _ in range(5):
            app.processEvents()

    def shot(widget, name: str) -> None:
        settle()
        path = out / f"{name}.png"
        widget.grab().save(str(path))
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    window.open_incident("INC-2025-001")
    page = window.page
    shot(window, "01-incidents")
    regulated = next((s.id for s in desk.summaries() if s.facts.data_categories and s.status.is_active),
                     next((s.id for s in desk.summaries() if s.facts.data_categories), "INC-2025-001"))
    for number, title in enumerate(("Timeline", "Roles", "Comms", "Investigation", "Actions",
                                    "Regulatory", "Audit"), start=2):
        if title == "Regulatory":
            window.open_incident(regulated)
        page.tabs.setCurrentWidget(page.tab_pages[title])
        shot(window, f"{number:02d}-incident-{title.lower().replace(' ', '-')}")
    window.open_incident("INC-2025-001")
    page.tabs.setCurrentIndex(0)
    why = page.show_why()
    shot(why, "09-why-this-severity")
    why.close()

    dialog = window.declare()
    dialog.title_edit.setText("Checkout returns 500 for card payments")
    dialog.services.setText("checkout, payments")
    for name, value in {"customer_impact_pct": "35", "revenue_per_hour": "85000", "failed_transactions": "1200",
                        "data_categories": "payment"}.items():
        dialog.facts.inputs[name].setText(value)
    dialog.update_preview()
    shot(dialog, "10-declare")
    dialog.reject()

    window.nav.setCurrentRow(1)
    shot(window, "11-action-items")
    window.nav.setCurrentRow(2)
    shot(window, "12-outbox")
    window.nav.setCurrentRow(0)
    settings_dialog = window.open_settings()
    shot(settings_dialog, "13-settings")
    settings_dialog.reject()
    export_dialog = export_screen(window, settings_dir)
    shot(export_dialog, "15-export-signed-pdf")
    export_dialog.reject()

    # the same window in a dark palette: severity is readable there too (colour and text, never colour alone)
    from incident_desk.gui.qt import QColor, QPalette

    app.setStyle("Fusion")
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.WindowText, "#e0e0e0"),
                         (QPalette.ColorRole.Base, "#1e1e1e"), (QPalette.ColorRole.AlternateBase, "#262626"),
                         (QPalette.ColorRole.Text, "#e0e0e0"), (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e0e0e0"), (QPalette.ColorRole.Highlight, "#2a6fb0"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, "#8a8a8a")):
        dark.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.ButtonText, QPalette.ColorRole.Text, QPalette.ColorRole.WindowText):
        dark.setColor(QPalette.ColorGroup.Disabled, role, QColor("#707070"))
    app.setPalette(dark)
    window.page.tabs.setCurrentWidget(window.page.tab_pages["Timeline"])
    shot(window, "14-dark-palette")
    window.close()
    desk.close()
    return 0


def export_screen(window, scratch: str):
    """File > Export with PDF and Sign chosen, a throwaway key in `scratch` (never your own keys)."""
    from incident_desk.app import keys

    os.environ["INCIDENT_DESK_KEYS_DIR"] = str(Path(scratch) / "keys")
    keys.create_key("dana", common_name="Dana Whitfield", organisation="Example Ltd", email=None,
                    passphrase=b"screenshot only", algorithm="ec")
    dialog = window.export_incident()
    dialog.format.setCurrentIndex(dialog.format.findData("pdf"))
    dialog.sign_group.setChecked(True)
    dialog.passphrase.setText("screenshot only")
    dialog.location.setText("London")
    dialog.stamp.setChecked(True)
    return dialog


if __name__ == "__main__":
    sys.exit(main())
