"""The plugin facade isolates plugins: failures, hangs and bad returns are recorded and stop nothing."""

from __future__ import annotations

import textwrap
import threading
import time
from datetime import datetime, timezone

from incident_desk import Incident, hookimpl
from incident_desk.domain import Status
from incident_desk.plugin import BUILTIN_PLUGINS, DeliveryResult, Message, Plugins


def incident() -> Incident:
    return Incident(id="INC-2025-001", title="Checkout down")


class Recorder:
    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def incident_did_declare(self, incident):
        self.seen.append(incident.id)


class Raiser:
    @hookimpl
    def incident_did_declare(self, incident):
        raise RuntimeError("database of jokes is empty")


class Hanger:
    def __init__(self) -> None:
        self.release = threading.Event()

    @hookimpl
    def incident_did_declare(self, incident):
        self.release.wait(30)


class Returner:
    @hookimpl
    def incident_did_declare(self, incident):
        return "something"


class Editor:
    @hookimpl
    def incident_did_declare(self, incident):
        incident.title = "changed by a plugin"


def test_builtins_load_as_plugins_and_provide_the_notifiers(plugins):
    assert [p.name for p in plugins.plugins] == list(BUILTIN_PLUGINS)
    assert {p.source for p in plugins.plugins} == {"builtin"}
    assert sorted(plugins.notifiers) == ["desktop", "email", "slack", "teams", "webhook"]
    assert plugins.failures == []


def test_a_raising_or_hanging_plugin_blocks_neither_the_others_nor_the_caller():
    recorder, hanger = Recorder(), Hanger()
    plugins = Plugins(event_timeout=0.3)
    for plugin in (Raiser(), hanger, recorder, Returner()):
        plugins.add(plugin)
    started = time.monotonic()
    failures = plugins.incident_did_declare(incident())
    elapsed = time.monotonic() - started
    hanger.release.set()
    assert recorder.seen == ["INC-2025-001"]
    assert elapsed < 2
    by_plugin = {f.plugin: f for f in failures}
    assert by_plugin["Raiser"].kind == "exception" and "database of jokes is empty" in by_plugin["Raiser"].error
    assert by_plugin["Hanger"].kind == "timeout" and by_plugin["Hanger"].hook == "incident_did_declare"
    assert by_plugin["Returner"].kind == "bad_return"
    assert "Recorder" not in by_plugin
    assert {f.plugin for f in plugins.failures} == {"Raiser", "Hanger", "Returner"}


def test_a_plugin_that_keeps_hanging_is_skipped_instead_of_piling_up_threads():
    hanger = Hanger()
    plugins = Plugins(event_timeout=0.1)
    plugins.add(hanger)
    kinds = [plugins.incident_did_declare(incident())[0].kind for _ in range(3)]
    assert kinds == ["timeout", "timeout", "skipped"]
    hanger.release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and plugins.incident_did_declare(incident()):
        time.sleep(0.05)
    assert plugins.incident_did_declare(incident()) == []  # recovered once the earlier calls returned


def test_a_plugin_editing_the_incident_cannot_change_what_was_saved(tmp_path):
    from incident_desk.store import Workspace

    workspace = Workspace.open(tmp_path / "ws", create=True)
    saved = workspace.create(incident(), actor="dana")
    plugins = Plugins()
    plugins.add(Editor())
    (failure,) = plugins.incident_did_declare(saved)
    assert failure.kind == "exception" and "incident.title is read-only in a hook" in failure.error
    assert saved.title == "Checkout down" and workspace.get("INC-2025-001").title == "Checkout down"


def test_event_hooks_pass_the_arguments_each_plugin_asks_for():
    seen = []

    class StatusWatcher:
        @hookimpl
        def status_did_change(self, current, previous):
            seen.append((previous, current))

    plugins = Plugins()
    plugins.add(StatusWatcher())
    plugins.status_did_change(incident(), Status.DECLARED, Status.INVESTIGATING)
    assert seen == [(Status.DECLARED, Status.INVESTIGATING)]


def test_unknown_hook_names_are_refused_at_load_with_a_suggestion():
    class Typo:
        @hookimpl
        def incident_did_declared(self, incident):
            pass

    plugins = Plugins()
    assert plugins.add(Typo()) is None
    (failure,) = plugins.failures
    assert failure.kind == "load" and "unknown hook incident_did_declared" in failure.error
    assert "did you mean incident_did_declare" in failure.error
    assert plugins.plugins == []


def test_wrong_arguments_are_refused_at_load():
    class BadArgs:
        @hookimpl
        def incident_did_declare(self, incident, extra):
            pass

    plugins = Plugins()
    assert plugins.add(BadArgs()) is None
    assert "extra" in plugins.failures[0].error


def test_a_bad_notifier_registration_is_recorded_and_good_ones_stay():
    class Mixed:
        @hookimpl
        def register_notifiers(self, register):
            register(object())

    class Duplicate:
        @hookimpl
        def register_notifiers(self, register):
            from incident_desk_webhook import WebhookNotifier
            register(WebhookNotifier())

    plugins = Plugins.load(entry_points=False, plugins_dir=None, extra=[Mixed(), Duplicate()])
    assert "webhook" in plugins.notifiers and plugins.notifiers["webhook"].plugin == "incident_desk_webhook"
    errors = {f.plugin: f.error for f in plugins.failures}
    assert "notifier name None" in errors["Mixed"]
    assert "already provided by plugin incident_desk_webhook" in errors["Duplicate"]


def test_drop_in_folder_plugins_load_and_broken_ones_are_reported(tmp_path):
    (tmp_path / "pager.py").write_text(textwrap.dedent("""
        from incident_desk import hookimpl
        from incident_desk.plugin import BaseNotifier, DeliveryResult, NotifierConfig

        class PagerConfig(NotifierConfig):
            number: str

        class Pager(BaseNotifier):
            name = "pager"
            config_model = PagerConfig
            def send(self, message, config):
                return DeliveryResult.sent(detail=f"paged {config.number}")

        @hookimpl
        def register_notifiers(register):
            register(Pager())
    """))
    (tmp_path / "broken.py").write_text("import not_a_module_anywhere\n")
    (tmp_path / "_private.py").write_text("raise SystemExit('must not load')\n")
    plugins = Plugins.load(entry_points=False, plugins_dir=tmp_path, builtins=())
    info = {p.name: p for p in plugins.plugins}
    assert info["pager"].source == "drop_in" and info["pager"].location == str(tmp_path / "pager.py")
    config = plugins.notifier("pager").config_model(number="+15550100")
    message = Message(idempotency_key="k1", incident_id="INC-2025-001", subject="s", text="t")
    assert plugins.send("pager", message, config) == DeliveryResult.sent(detail="paged +15550100")
    (failure,) = plugins.failures
    assert failure.plugin == "broken" and "not_a_module_anywhere" in failure.error


def test_entry_points_are_loaded_only_when_asked(tmp_path, monkeypatch):
    import importlib.metadata

    calls = []
    real = importlib.metadata.entry_points
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **kw: calls.append(kw) or real(**kw))
    Plugins.load(entry_points=False, plugins_dir=None)
    assert calls == []
    Plugins.load(entry_points=True, plugins_dir=None)
    assert calls == [{"group": "incident_desk"}]


def test_a_failing_or_hanging_notifier_becomes_a_failed_delivery():
    class Flaky:
        @hookimpl
        def register_notifiers(self, register):
            from incident_desk.plugin import BaseNotifier, NotifierConfig

            class Boom(BaseNotifier):
                name = "boom"
                config_model = NotifierConfig
                def send(self, message, config):
                    raise ConnectionResetError("peer went away")

            class Slow(BaseNotifier):
                name = "slow"
                config_model = NotifierConfig
                def send(self, message, config):
                    time.sleep(2)

            class Wrong(BaseNotifier):
                name = "wrong"
                config_model = NotifierConfig
                def send(self, message, config):
                    return True

            for notifier in (Boom(), Slow(), Wrong()):
                register(notifier)

    plugins = Plugins(send_timeout=0.2)
    plugins.add(Flaky())
    message = Message(idempotency_key="k", incident_id="INC-2025-001", subject="s", text="t",
                      created_at=datetime(2025, 1, 15, tzinfo=timezone.utc))
    boom = plugins.send("boom", message, None)
    slow = plugins.send("slow", message, None)
    wrong = plugins.send("wrong", message, None)
    assert boom.state == "failed" and boom.retryable and "ConnectionResetError: peer went away" in boom.error
    assert slow.state == "failed" and slow.retryable and "no answer within 0.2 s" in slow.error
    assert wrong.state == "failed" and not wrong.retryable and "not a DeliveryResult" in wrong.error
