"""The typed facade the app calls plugins through, and the loading of plugins.

Plugins come from three places, registered the same way:
- built-ins: the first-party packages named in `BUILTIN_PLUGINS` (found on the import path, or in the
  `plugins/` folder of a source checkout);
- entry points of the `incident_desk` group, only when `load(entry_points=True)` asks for them, so tests
  never pick up whatever happens to be installed;
- a drop-in folder (`default_plugins_dir()`: the user config folder's `plugins/`, or
  `$INCIDENT_DESK_PLUGINS_DIR`) of `*.py` modules and packages.

Every call into plugin code is isolated: an exception, a call that exceeds its time limit or a bad
return value becomes a `PluginFailure` (kept in `failures`, logged, and returned to the caller) and
never stops the other plugins or the caller's save.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.metadata
import importlib.util
import logging
import os
import re
import sys
import threading
import time
from collections import deque
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Iterable, Literal, Sequence, cast

import pluggy
from pydantic import BaseModel

from . import spec
from .frozen import frozen
from .isolation import WorkerPool
from .wording import seconds
from .markers import PROJECT_NAME
from .types import DeliveryResult, Message, Notifier, NotifierConfig

if TYPE_CHECKING:
    from ..domain import ActionItem, CommunicationEntry, EscalationRecord, Incident, Status, TimelineEvent

log = logging.getLogger("incident_desk.plugin")

BUILTIN_PLUGINS: tuple[str, ...] = (
    "incident_desk_email",
    "incident_desk_webhook",
    "incident_desk_slack",
    "incident_desk_teams",
    "incident_desk_desktop",
    "incident_desk_exporters",
    "incident_desk_playbooks",
)
ENTRY_POINT_GROUP = PROJECT_NAME
PLUGINS_DIR_ENV = "INCIDENT_DESK_PLUGINS_DIR"
SOURCE_PLUGINS_DIR = Path(__file__).resolve().parents[2] / "plugins"
MAX_HUNG_CALLS = 2
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")

Source = Literal["builtin", "entry_point", "drop_in", "direct"]
FailureKind = Literal["load", "exception", "timeout", "bad_return", "skipped", "duplicate", "no_hooks", "config"]


def default_plugins_dir() -> Path:
    """The drop-in folder: `$INCIDENT_DESK_PLUGINS_DIR`, else `<user config dir>/plugins`."""
    override = os.environ.get(PLUGINS_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("incident-desk", appauthor=False)) / "plugins"


@dataclass(frozen=True)
class PluginFailure:
    """One thing a plugin did wrong: which plugin, in which hook, what happened."""

    plugin: str
    hook: str
    error: str
    kind: FailureKind = "exception"
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    def __str__(self) -> str:
        return f"plugin {self.plugin}: {self.hook}: {self.error}"


@dataclass(frozen=True)
class PluginInfo:
    """A loaded plugin: its name, where it came from, and the hooks it implements."""

    name: str
    source: Source
    location: str
    hooks: tuple[str, ...]
    module: str = ""


@dataclass(frozen=True)
class NotifierType:
    """A registered notifier: the name used in notifiers.yaml, its config model, its plugin."""

    name: str
    plugin: str
    config_model: type[NotifierConfig]
    description: str
    notifier: Notifier


@dataclass(frozen=True)
class Provided:
    """Something a provider hook registered (an exporter, playbook generator or timeline source)."""

    kind: str
    name: str
    plugin: str
    function: Callable[..., Any]
    details: dict[str, Any]


class _Registrations:
    """The `register` callback handed to one provider-hook call; closed when the call is over."""

    def __init__(self, plugin: str, hook: str, accept: Callable[[str, tuple, dict], None]) -> None:
        self.plugin, self.hook, self._accept = plugin, hook, accept
        self._open = True
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            if not self._open:
                raise RuntimeError(f"{self.hook}: register() called after the hook timed out or returned")
            self._accept(self.plugin, args, kwargs)

    def close(self) -> None:
        with self._lock:
            self._open = False


class Plugins:
    """The plugin manager facade. Build one with `Plugins.load(...)` (or `Plugins()` and `add()`)."""

    def __init__(self, *, call_timeout: float = 5.0, event_timeout: float = 2.0, send_timeout: float = 30.0) -> None:
        self._pm = pluggy.PluginManager(PROJECT_NAME)
        self._pm.add_hookspecs(spec)
        self.call_timeout = call_timeout
        self.event_timeout = event_timeout
        self.send_timeout = send_timeout
        self._pool = WorkerPool()
        self._infos: dict[str, PluginInfo] = {}
        self._failures: deque[PluginFailure] = deque(maxlen=1000)
        self._failure_listeners: list[Callable[[PluginFailure], None]] = []
        self._hung: dict[str, int] = {}
        self._hung_lock = threading.Lock()
        self.notifiers: dict[str, NotifierType] = {}
        #: plugin name -> the pydantic model its `register_settings` registered
        self.settings_models: dict[str, type[BaseModel]] = {}
        self._settings: dict[str, Any] = {}
        self._bad_settings: dict[str, str] = {}
        self.exporters: dict[str, Provided] = {}
        self.playbook_generators: dict[str, Provided] = {}
        self.timeline_sources: dict[str, Provided] = {}

    # ------------------------------------------------------------------ loading

    @classmethod
    def load(cls, *, entry_points: bool, plugins_dir: Path | None, builtins: Sequence[str] = BUILTIN_PLUGINS,
             extra: Iterable[object] = (), **timeouts: float) -> Plugins:
        """Load built-ins, then (when asked) entry points, then the drop-in folder, then `extra` objects.

        `entry_points` has no default on purpose: callers say whether installed plugins may load.
        """
        plugins = cls(**timeouts)
        for module_name in builtins:
            plugins._load_builtin(module_name)
        if entry_points:
            plugins._load_entry_points()
        if plugins_dir is not None:
            plugins.load_directory(plugins_dir)
        for plugin in extra:
            plugins.add(plugin)
        return plugins

    def _load_builtin(self, module_name: str) -> None:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            candidate = SOURCE_PLUGINS_DIR / module_name / "__init__.py"
            if error.name != module_name or not candidate.exists():
                self._record(module_name, "load", f"cannot import built-in plugin: {error}", "load")
                return
            try:
                module = _import_file(module_name, candidate)
            except Exception as file_error:  # noqa: BLE001
                self._record(module_name, "load", f"cannot import {candidate}: {_describe(file_error)}", "load")
                return
        except Exception as error:  # noqa: BLE001
            self._record(module_name, "load", f"cannot import built-in plugin: {_describe(error)}", "load")
            return
        self.add(module, name=module_name, source="builtin", location=getattr(module, "__file__", module_name) or module_name,
                 module=module_name)

    def _load_entry_points(self) -> None:
        for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
            dist = entry_point.dist
            where = f"{dist.metadata['Name']} {dist.version}" if dist is not None else entry_point.value
            try:
                plugin = entry_point.load()
            except Exception as error:  # noqa: BLE001
                self._record(entry_point.name, "load", f"entry point {entry_point.value} ({where}): {_describe(error)}", "load")
                continue
            if self._pm.is_registered(plugin):
                continue  # a built-in that is also installed: already loaded
            self.add(plugin, name=entry_point.name, source="entry_point", location=f"{where} ({entry_point.value})",
                     module=entry_point.value.split(":")[0])

    def load_directory(self, folder: Path) -> None:
        """Load every `*.py` module and package folder in `folder` (names starting with `_` or `.` skipped)."""
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir()):
            if path.name.startswith(("_", ".")):
                continue
            if path.suffix == ".py":
                init = path
            elif path.is_dir() and (path / "__init__.py").exists():
                init = path / "__init__.py"
            else:
                continue
            name = path.stem
            twin = next((info for info in self._infos.values() if name in (info.name, info.module)), None)
            if twin is not None:
                self._record(name, "load", f"installed twice: as {twin.source} {twin.location} and as drop-in "
                                           f"{path}; loaded once, from the {twin.source}", "duplicate")
                continue
            try:
                module = _import_file(f"incident_desk_dropin_{name}", init)
            except Exception as error:  # noqa: BLE001
                self._record(name, "load", f"cannot import {init}: {_describe(error)}", "load")
                continue
            self.add(module, name=name, source="drop_in", location=str(path), module=name)

    def add(self, plugin: object, name: str | None = None, source: Source = "direct", location: str = "",
            module: str = "") -> PluginInfo | None:
        """Register one plugin object (module or instance) and collect what its provider hooks provide."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        if name in self._infos:
            self._record(name, "load", f"a plugin named {name} is already loaded from {self._infos[name].location}; "
                                       "this one was ignored", "load")
            return None
        try:
            self._pm.register(plugin, name=name)
        except Exception as error:  # noqa: BLE001 - pluggy validation errors name the hook and argument
            self._record(name, "load", _describe(error), "load")
            return None
        problem = self._check_impls(plugin)
        if problem:
            self._pm.unregister(plugin)
            self._record(name, "load", problem, "load")
            return None
        hooks = tuple(sorted(impl_name for impl_name in spec.all_hook_names()
                             if any(i.plugin is plugin for i in getattr(self._pm.hook, impl_name).get_hookimpls())))
        if not hooks:
            self._pm.unregister(plugin)
            self._record(name, "load", _no_hooks_hint(plugin), "no_hooks")
            return None
        info = PluginInfo(name=name, source=source, location=location or repr(plugin), hooks=hooks, module=module)
        self._infos[name] = info
        for hook_name in spec.PROVIDER_HOOKS:
            if hook_name in hooks:
                self._collect(plugin, name, hook_name)
        return info

    def _check_impls(self, plugin: object) -> str | None:
        known = set(spec.all_hook_names())
        for hook_caller in self._pm.get_hookcallers(plugin) or []:
            for impl in hook_caller.get_hookimpls():
                if impl.plugin is plugin and (impl.hookwrapper or impl.wrapper):
                    return f"{hook_caller.name}: hook wrappers are not supported; implement a plain hook"
        for attribute in dir(plugin):
            if attribute in known:
                continue
            value = getattr(plugin, attribute, None)
            if callable(value) and self._pm.parse_hookimpl_opts(plugin, attribute) is not None:
                close = difflib.get_close_matches(attribute, sorted(known), n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                return f"implements unknown hook {attribute}{hint}; known hooks: {', '.join(sorted(known))}"
        return None

    # ------------------------------------------------------------------ provider hooks

    def _collect(self, plugin: object, plugin_name: str, hook_name: str) -> None:
        accept = {
            "register_notifiers": self._accept_notifier,
            "register_exporters": lambda p, a, k: self._accept_provided("exporter", self.exporters, p, a, k),
            "register_playbook_generators": lambda p, a, k: self._accept_provided(
                "playbook generator", self.playbook_generators, p, a, k),
            "register_timeline_sources": lambda p, a, k: self._accept_provided(
                "timeline source", self.timeline_sources, p, a, k),
            "register_settings": self._accept_settings_model,
        }[hook_name]
        impl = next(i for i in getattr(self._pm.hook, hook_name).get_hookimpls() if i.plugin is plugin)
        register = _Registrations(plugin_name, hook_name, accept)
        failure = self._run(plugin_name, hook_name, impl.function, {"register": register} if impl.argnames else {},
                            self.call_timeout)
        register.close()
        if failure:
            self._remember(failure)

    def _accept_notifier(self, plugin: str, args: tuple, kwargs: dict) -> None:
        if len(args) != 1 or kwargs:
            raise TypeError("register() takes exactly one notifier")
        notifier = args[0]
        if isinstance(notifier, type):
            notifier = notifier()
        name = getattr(notifier, "name", None)
        config_model = getattr(notifier, "config_model", None)
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"notifier name {name!r} must be lower-case letters, digits, '-' or '_' (at most 40)")
        if not (isinstance(config_model, type) and issubclass(config_model, BaseModel)):
            raise TypeError(f"notifier {name}: config_model must be a pydantic model class (subclass NotifierConfig)")
        if not callable(getattr(notifier, "send", None)):
            raise TypeError(f"notifier {name}: has no send(message, config) method")
        if name in self.notifiers:
            self._remember(PluginFailure(plugin, "register_notifiers", f"notifier {name} is already provided by "
                                         f"plugin {self.notifiers[name].plugin}; this one was ignored", "load"))
            return
        description = getattr(notifier, "description", "") or (type(notifier).__doc__ or "").strip().split("\n")[0]
        self.notifiers[name] = NotifierType(name, plugin, cast("type[NotifierConfig]", config_model), description,
                                            notifier)

    def _accept_settings_model(self, plugin: str, args: tuple, kwargs: dict) -> None:
        if len(args) != 1 or kwargs or not (isinstance(args[0], type) and issubclass(args[0], BaseModel)):
            raise TypeError("register() takes one pydantic model class (the plugin's settings)")
        if plugin in self.settings_models:
            raise ValueError("register_settings: register one settings model per plugin")
        self.settings_models[plugin] = args[0]
        try:  # settings with defaults apply even before (or without) a plugins.yaml section
            self._settings[plugin] = args[0].model_validate({})
        except ValueError:
            self._bad_settings[plugin] = "its settings have required fields and plugins.yaml has no section for it"

    def apply_settings(self, sections: dict[str, Any], describe: Callable[[str, Exception], str]) -> list[PluginFailure]:
        """Validate each plugin's section of plugins.yaml with the model it registered.

        `describe(plugin, error)` words a validation error with the file and line. A plugin whose settings
        are invalid keeps its provider registrations but its event hooks are skipped (and reported)."""
        found: list[PluginFailure] = []
        for plugin, model in self.settings_models.items():
            try:
                self._settings[plugin] = model.model_validate(sections.get(plugin) or {})
                self._bad_settings.pop(plugin, None)
            except ValueError as error:
                self._settings.pop(plugin, None)
                self._bad_settings[plugin] = describe(plugin, error)
                found.append(self._record(plugin, "settings", self._bad_settings[plugin], "config"))
        for name in sections:
            if name not in self.settings_models:
                known = ", ".join(sorted(self.settings_models)) or "none"
                found.append(self._record(name, "settings", describe(name, LookupError(
                    f"no loaded plugin named {name} takes settings (plugins taking settings: {known})")), "config"))
        return found

    def settings_of(self, plugin: str) -> BaseModel | None:
        """The validated settings of one plugin (None when it takes none or they are invalid)."""
        return self._settings.get(plugin)

    def _accept_provided(self, kind: str, table: dict[str, Provided], plugin: str, args: tuple, kwargs: dict) -> None:
        if len(args) != 2 or not isinstance(args[0], str) or not callable(args[1]):
            raise TypeError(f"register() takes the {kind}'s name and its function, then keyword details")
        name = args[0]
        if not _NAME.match(name):
            raise ValueError(f"{kind} name {name!r} must be lower-case letters, digits, '-' or '_'")
        if name in table:
            self._remember(PluginFailure(plugin, f"register {kind}", f"{kind} {name} is already provided by plugin "
                                         f"{table[name].plugin}; this one was ignored", "load"))
            return
        table[name] = Provided(kind, name, plugin, args[1], dict(kwargs))

    # ------------------------------------------------------------------ isolation

    def _run(self, plugin: str, hook: str, function: Callable[..., Any], kwargs: dict[str, Any],
             timeout: float) -> PluginFailure | None:
        """Call one hook implementation in isolation; a failure is returned, never raised."""
        with self._hung_lock:
            if self._hung.get(plugin, 0) >= MAX_HUNG_CALLS:
                return PluginFailure(plugin, hook, f"skipped: {self._hung[plugin]} earlier calls are still running "
                                     "after their time limit", "skipped")
        future = self._pool.submit(function, kwargs)
        return self._wait(plugin, hook, future, timeout)[1]

    def _wait(self, plugin: str, hook: str, future: Any, timeout: float,
              limit: float | None = None) -> tuple[Any, PluginFailure | None]:
        """Wait up to `timeout` for a call; `limit` is the time limit to name in a failure (default `timeout`)."""
        limit = timeout if limit is None else limit
        try:
            result = future.result(timeout=max(timeout, 0.0))
        except FutureTimeout:
            with self._hung_lock:
                self._hung[plugin] = self._hung.get(plugin, 0) + 1
            future.add_done_callback(lambda _: self._unhang(plugin))
            return None, PluginFailure(plugin, hook, f"did not finish within {seconds(limit)}; abandoned", "timeout")
        except Exception as error:  # noqa: BLE001
            return None, PluginFailure(plugin, hook, _describe(error), "exception")
        if hook in spec.all_hook_names() and result is not None:
            return result, PluginFailure(plugin, hook, f"returned {_short(result)}; this hook returns nothing "
                                         "(the value was ignored)", "bad_return")
        return result, None

    def _unhang(self, plugin: str) -> None:
        with self._hung_lock:
            self._hung[plugin] = max(0, self._hung.get(plugin, 0) - 1)

    def _record(self, plugin: str, hook: str, error: str, kind: FailureKind) -> PluginFailure:
        failure = PluginFailure(plugin, hook, error, kind)
        self._remember(failure)
        return failure

    def _remember(self, failure: PluginFailure) -> None:
        self._failures.append(failure)
        log.warning("%s", failure)
        for listener in list(self._failure_listeners):
            try:
                listener(failure)
            except Exception:  # noqa: BLE001 - a broken listener must not break plugin calls
                log.exception("plugin failure listener failed")

    def _fire(self, hook_name: str, **arguments: Any) -> list[PluginFailure]:
        impls = getattr(self._pm.hook, hook_name).get_hookimpls()
        if not impls:
            return []
        waiting = []
        with self._hung_lock:
            hung = dict(self._hung)
        failures: list[PluginFailure] = []
        views = {name: frozen(value) for name, value in arguments.items()}  # read-only: shared safely
        for impl in impls:
            if hung.get(impl.plugin_name, 0) >= MAX_HUNG_CALLS:
                failures.append(PluginFailure(impl.plugin_name, hook_name, f"skipped: {hung[impl.plugin_name]} "
                                              "earlier calls are still running after their time limit", "skipped"))
                continue
            if impl.plugin_name in self._bad_settings:
                failures.append(PluginFailure(impl.plugin_name, hook_name, "skipped: "
                                              f"{self._bad_settings[impl.plugin_name]}", "skipped"))
                continue
            settings = self._settings.get(impl.plugin_name)
            kwargs = {name: (frozen(settings) if name == "settings" else views[name]) for name in impl.argnames}
            waiting.append((impl.plugin_name, self._pool.submit(impl.function, kwargs)))
        deadline = time.monotonic() + self.event_timeout
        for plugin_name, future in waiting:
            failure = self._wait(plugin_name, hook_name, future, deadline - time.monotonic(), self.event_timeout)[1]
            if failure:
                failures.append(failure)
        for failure in failures:
            self._remember(failure)
        return failures

    # ------------------------------------------------------------------ event hooks (typed)

    def incident_did_declare(self, incident: Incident) -> list[PluginFailure]:
        return self._fire("incident_did_declare", incident=incident)

    def severity_did_change(self, incident: Incident, previous: str | None, current: str | None) -> list[PluginFailure]:
        return self._fire("severity_did_change", incident=incident, previous=previous, current=current)

    def status_did_change(self, incident: Incident, previous: Status, current: Status) -> list[PluginFailure]:
        return self._fire("status_did_change", incident=incident, previous=previous, current=current)

    def incident_did_resolve(self, incident: Incident) -> list[PluginFailure]:
        return self._fire("incident_did_resolve", incident=incident)

    def escalation_did_fire(self, incident: Incident, escalation: EscalationRecord) -> list[PluginFailure]:
        return self._fire("escalation_did_fire", incident=incident, escalation=escalation)

    def communication_did_send(self, incident: Incident, entry: CommunicationEntry) -> list[PluginFailure]:
        return self._fire("communication_did_send", incident=incident, entry=entry)

    def timeline_event_did_add(self, incident: Incident, event: TimelineEvent) -> list[PluginFailure]:
        return self._fire("timeline_event_did_add", incident=incident, event=event)

    def communication_did_add(self, incident: Incident, entry: CommunicationEntry) -> list[PluginFailure]:
        return self._fire("communication_did_add", incident=incident, entry=entry)

    def action_item_did_add(self, incident: Incident, item: ActionItem) -> list[PluginFailure]:
        return self._fire("action_item_did_add", incident=incident, item=item)

    def action_item_did_change(self, incident: Incident, item: ActionItem,
                               previous: ActionItem) -> list[PluginFailure]:
        return self._fire("action_item_did_change", incident=incident, item=item, previous=previous)

    def wants(self, hook_name: str) -> bool:
        """Whether any loaded plugin implements the event hook `hook_name` (skip preparing its arguments)."""
        return bool(getattr(self._pm.hook, hook_name).get_hookimpls())

    # ------------------------------------------------------------------ notifiers

    def notifier(self, name: str) -> NotifierType:
        try:
            return self.notifiers[name]
        except KeyError:
            known = ", ".join(sorted(self.notifiers)) or "none"
            raise KeyError(f"no notifier type {name!r}; loaded notifier types: {known}") from None

    def send(self, notifier_name: str, message: Message, config: BaseModel | None, *, timeout: float | None = None,
             lane: str | None = None) -> DeliveryResult:
        """Deliver through one notifier type, isolated: any failure becomes a failed `DeliveryResult`.

        `timeout` (default `send_timeout`) limits this send; `lane` (the configured notifier's name) is
        what a send past its limit holds up: `lane_hung(lane)` is true until the abandoned call returns.
        Exceptions are classified: network trouble (`OSError`, timeouts) may pass and is retryable;
        anything else is a bug or a bad configuration and fails at once."""
        kind = self.notifier(notifier_name)
        hook = f"{notifier_name}.send"
        lane_key = f"lane:{lane or notifier_name}"
        label = f"notifier {lane or notifier_name}"
        limit = self.send_timeout if timeout is None else timeout
        future = self._pool.submit(kind.notifier.send, {"message": message, "config": config})
        try:
            result = future.result(timeout=max(limit, 0.0))
        except FutureTimeout:
            with self._hung_lock:
                self._hung[lane_key] = self._hung.get(lane_key, 0) + 1
            future.add_done_callback(lambda _: self._unhang(lane_key))
            failure = PluginFailure(kind.plugin, hook, f"did not finish within {seconds(limit)}; abandoned", "timeout")
            self._remember(failure)
            return DeliveryResult.failed(f"{label}: no answer within {seconds(limit)}", retryable=True)
        except Exception as error:  # noqa: BLE001
            retryable = isinstance(error, (OSError, TimeoutError))
            failure = PluginFailure(kind.plugin, hook, _describe(error), "exception")
            self._remember(failure)
            why = "" if retryable else " (not retried: an error in the plugin or its configuration)"
            return DeliveryResult.failed(f"{label} failed: {failure.error}{why}", retryable=retryable)
        if not isinstance(result, DeliveryResult):
            failure = PluginFailure(kind.plugin, hook, f"returned {_short(result)}, not a DeliveryResult", "bad_return")
            self._remember(failure)
            return DeliveryResult.failed(f"{label} failed: {failure.error}", retryable=False)
        return result

    def lane_hung(self, lane: str) -> int:
        """How many sends of lane `lane` are still running past their time limit."""
        with self._hung_lock:
            return self._hung.get(f"lane:{lane}", 0)

    # ------------------------------------------------------------------ playbook generators

    def generate_playbook(self, name: str, document: Any) -> str:
        """Run one playbook generator, isolated; KeyError for an unknown name, RuntimeError when it fails."""
        try:
            provided = self.playbook_generators[name]
        except KeyError:
            known = ", ".join(sorted(self.playbook_generators)) or "none"
            raise KeyError(f"no playbook generator {name!r}; loaded: {known}") from None
        future = self._pool.submit(provided.function, {"document": document})
        result, failure = self._wait(provided.plugin, f"{name}.generate", future, self.call_timeout)
        if failure is None and not isinstance(result, str):
            failure = PluginFailure(provided.plugin, f"{name}.generate", f"returned {_short(result)}, not text",
                                    "bad_return")
        if failure is not None:
            self._remember(failure)
            raise RuntimeError(str(failure))
        return result

    # ------------------------------------------------------------------ what is loaded

    @property
    def plugins(self) -> list[PluginInfo]:
        return list(self._infos.values())

    @property
    def failures(self) -> list[PluginFailure]:
        return list(self._failures)

    def on_failure(self, listener: Callable[[PluginFailure], None]) -> None:
        """Call `listener(failure)` for every failure from now on (the GUI shows them)."""
        self._failure_listeners.append(listener)

    def has_event_hooks(self) -> bool:
        return any(getattr(self._pm.hook, h).get_hookimpls() for h in spec.EVENT_HOOKS)


def _no_hooks_hint(plugin: object) -> str:
    """Why a plugin implements no hook, as far as can be told: unmarked functions named like hooks."""
    known = set(spec.all_hook_names())
    unmarked = sorted(name for name in dir(plugin) if name in known and callable(getattr(plugin, name, None)))
    if unmarked:
        return (f"implements no hooks: {', '.join(unmarked)} {'is' if len(unmarked) == 1 else 'are'} not marked with "
                "@incident_desk.hookimpl (a forgotten decorator, or another project's marker); not loaded")
    return ("implements no hooks: no function is marked with @incident_desk.hookimpl under a hook's name "
            "(see `incident-desk plugins` for the hook names); not loaded")


def _import_file(module_name: str, path: Path) -> ModuleType:
    is_package = path.name == "__init__.py"
    module_spec = importlib.util.spec_from_file_location(
        module_name, path, submodule_search_locations=[str(path.parent)] if is_package else None)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[module_name] = module
    try:
        module_spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())
    if len(text) > 500:
        text = text[:497] + "..."
    return f"{type(error).__name__}: {text}".rstrip(": ")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
