"""Starting the desktop app: the QApplication, the desk on the workspace, the main window, the crash hook.

`run(workspace, self_test=True)` opens the window offscreen, loads the rules and plugins, fills the list
and exits 0 (packaging uses it to check a bundle starts).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..app.wiring import open_desk
from .crash import install_excepthook
from .qt import QApplication, QSettings, QTimer


# What Qt's X11 platform plugin loads besides libxcb itself (shared object -> Debian/Ubuntu package); each
# is opened once with dlopen, which Qt would do a moment later anyway (no `ldconfig` runs at start-up)
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0", "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}


def _loads(shared_object: str) -> bool:
    import ctypes

    try:
        ctypes.CDLL(shared_object)
    except OSError:
        return False
    return True


class DisplayUnavailable(RuntimeError):
    """There is no screen Qt can open the window on; the message says why and what to do instead."""


def display_problem(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """Why Qt could not open a window here, found before Qt tries (it would abort the process with a
    message about platform plugins); None when a window can be opened or a platform is chosen explicitly."""
    if not sys.platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return None
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("there is no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
                "run it in a desktop session. The command line works without one, and "
                "`QT_QPA_PLATFORM=offscreen incident-desk open --self-test` checks that the window starts")
    if not environ.get("WAYLAND_DISPLAY"):
        missing = [package for library, package in XCB_LIBRARIES.items() if not _loads(library)]
        if missing:
            return (f"Qt needs X11 libraries that are not installed: {', '.join(missing)} "
                    f"(Debian/Ubuntu: `apt install {' '.join(missing)}`)")
    return None


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
        app.setApplicationName("Incident Desk")
        app.setOrganizationName("incident-desk")
        app.setApplicationDisplayName("Incident Desk")
    return app  # type: ignore[return-value]


def self_test_report(window: object) -> list[str]:
    """What a self-test checks after the window is ready: rules loaded, plugins loaded."""
    from .main_window import MainWindow

    assert isinstance(window, MainWindow)
    desk = window.session.desk
    problems = []
    if desk.rules is None or desk.rules.ruleset is None:
        problems.append("rules did not load: " + "; ".join(desk.rules.notices if desk.rules else []))
    plugins = desk.plugins
    if plugins is None or not plugins.notifiers:
        problems.append("no notifier plugin loaded")
    return problems


def run(workspace: str | Path | None = None, *, actor: str | None = None, self_test: bool = False,
        create: bool = False) -> int:
    if self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    problem = display_problem()
    if problem:
        raise DisplayUnavailable(problem)
    app = application()
    with _settings(self_test) as settings:
        return _run(app, settings, workspace, actor=actor, self_test=self_test, create=create)


@contextmanager
def _settings(self_test: bool) -> Iterator[QSettings]:
    """The person's settings; for a self-test, a scratch file removed afterwards (their layout and workspace
    stay untouched, and nothing is left behind)."""
    if not self_test:
        yield QSettings("incident-desk", "incident-desk")
        return
    import shutil
    import tempfile

    scratch = tempfile.mkdtemp(prefix="incident-desk-self-test-")
    try:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat)
        yield settings
        settings.sync()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _run(app: QApplication, settings: QSettings, workspace: str | Path | None, *, actor: str | None,
         self_test: bool, create: bool) -> int:
    from .main_window import MainWindow

    path = workspace or (settings.value("workspace") or None)
    desk = open_desk(path, create=create, actor=actor)
    state: dict[str, object] = {"desk": desk}

    def build(current_desk: object) -> MainWindow:
        window = MainWindow(current_desk, settings=settings, scheduler=not self_test)  # type: ignore[arg-type]
        window.sig_workspace_requested.connect(switch)
        state["window"] = window
        return window

    def switch(new_path: str, create_new: bool) -> None:
        old = state["window"]
        try:
            new_desk = open_desk(new_path, create=create_new, actor=actor)
        except Exception as error:  # noqa: BLE001 - shown, the current workspace stays open
            old.messages.error("Could not open the workspace", str(error))  # type: ignore[attr-defined]
            return
        settings.setValue("workspace", new_path)
        old.close()  # type: ignore[attr-defined]
        state["desk"].close()  # type: ignore[attr-defined]
        state["desk"] = new_desk
        window = build(new_desk)
        window.show()
        window.start()

    window = build(desk)
    undo = install_excepthook(lambda title, text: state["window"].messages.error(title, text))  # type: ignore[attr-defined]
    window.show()
    if self_test:
        window.start(background=False)
        problems = self_test_report(window)
        window.close()
        undo()
        desk.close()
        for problem in problems:
            print(f"incident-desk open --self-test: {problem}", file=sys.stderr)
        if not problems:
            plugins = desk.plugins
            print(f"self-test passed: window ready, {window.list.model.rowCount()} incidents, "
                  f"{len(plugins.notifiers) if plugins is not None else 0} notifier types")
        return 1 if problems else 0
    if workspace:
        settings.setValue("workspace", str(desk.workspace.path))
    QTimer.singleShot(0, window.start)
    code = app.exec()
    undo()
    state["desk"].close()  # type: ignore[attr-defined]
    return code
