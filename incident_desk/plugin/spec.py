"""Every hook a plugin can implement, in one module: typed no-op functions with their documentation.

Two kinds of hook:

- Provider hooks are called once, when plugins load. Each receives a `register` callback and calls it
  for every thing it provides (a notifier, an exporter, ...). They return nothing.
- Event hooks are called after the desk has saved a change. They observe: the save is done, so they
  cannot veto or change it, and they return nothing. The incident (and entry, event, item, record)
  they receive is a read-only view of what was saved (`incident_desk.plugin.frozen`): assigning to it,
  or appending to one of its lists, raises `TypeError`, so no plugin can change what the next plugin
  or the desk sees; `model_copy()` gives a private mutable copy. A slow, failing or hanging event hook
  is cut off, recorded as a `PluginFailure` and never stops other plugins or the save.
- Every event hook may also accept `settings`: the plugin's own settings from the workspace's
  `plugins.yaml`, validated by the model it registered with `register_settings` (None without one).

Implement a hook with `@incident_desk.hookimpl` on a function of the same name; you may accept only
the arguments you need. `tests/plugins/test_hook_docs.py` fails when a hook here is undocumented or
missing from docs/plugins.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .markers import hookspec

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ..domain import ActionItem, CommunicationEntry, EscalationRecord, Incident, TimelineEvent
    from ..domain.lifecycle import Status
    from .types import Notifier

# --------------------------------------------------------------------------- provider hooks


@hookspec
def register_notifiers(register: Callable[[Notifier], None]) -> None:
    """Provide notifiers: things that deliver a rendered message somewhere (email, chat, a webhook).

    Call ``register(notifier)`` once per notifier. A notifier has a unique ``name`` (the ``type`` used in
    ``notifiers.yaml``), a ``config_model`` (a pydantic model, subclass of ``NotifierConfig``) and a
    ``send(message, config) -> DeliveryResult`` method. See ``incident_desk.plugin.Notifier``.

    :param register: callback taking one notifier; call it for each notifier this plugin provides.
    """


@hookspec
def register_exporters(register: Callable[..., None]) -> None:
    """Provide exporters: writers of an incident to a file format (PDF, Markdown, JSON, CSV).

    Call ``register(name, export, suffix=".ext", description="...")`` where ``export(incident, path)``
    writes the incident to ``path``.

    :param register: callback taking the exporter's name, its export function and keyword details.
    """


@hookspec
def register_playbook_generators(register: Callable[..., None]) -> None:
    """Provide playbook generators: functions that draft a response playbook for an incident type.

    Call ``register(name, generate, description="...", suffix=".md")`` where
    ``generate(document: PlaybookDocument) -> str`` returns the playbook's text. The document (public API:
    ``incident_desk.PlaybookDocument``) holds the playbook file's roles, communications, checklist steps and
    decision points, joined with the live severity levels and escalation policies of the active rules.

    :param register: callback taking the generator's name, its function and keyword details.
    """


@hookspec
def register_timeline_sources(register: Callable[..., None]) -> None:
    """Provide timeline sources: importers of events (alerts, deploys, chat) into an incident timeline.

    Call ``register(name, fetch, description="...")`` where ``fetch(incident) -> list[TimelineEvent]``
    returns events to add; the desk de-duplicates them by time and text.

    :param register: callback taking the source's name, its fetch function and keyword details.
    """


@hookspec
def register_settings(register: Callable[[type], None]) -> None:
    """Provide the plugin's settings model: a pydantic model class validating its section of plugins.yaml.

    Call ``register(MySettings)`` once. The desk reads the section named after the plugin from the
    workspace's ``plugins.yaml``, validates it with the model (errors name the file and line) and
    passes the result to every event hook of the plugin that accepts ``settings``. Invalid settings
    disable that plugin's event hooks only, and are reported.

    :param register: callback taking one pydantic model class.
    """


# --------------------------------------------------------------------------- event hooks


@hookspec
def incident_did_declare(incident: Incident, settings: BaseModel | None) -> None:
    """Called after a new incident has been declared and saved.

    :param incident: a read-only view of the incident as saved.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def severity_did_change(incident: Incident, previous: str | None, current: str | None, settings: BaseModel | None) -> None:
    """Called after an incident's severity level in force has changed (computed or overridden) and was saved.

    :param incident: a read-only view of the incident as saved.
    :param previous: the level before the change, such as ``"SEV-2"``, or ``None`` when unclassified.
    :param current: the level now in force, or ``None`` when it became unclassified.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def status_did_change(incident: Incident, previous: Status, current: Status, settings: BaseModel | None) -> None:
    """Called after an incident moved from one lifecycle status to another and was saved.

    :param incident: a read-only view of the incident as saved.
    :param previous: the status before the move.
    :param current: the status after the move.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def incident_did_resolve(incident: Incident, settings: BaseModel | None) -> None:
    """Called after an incident reached the resolved status and was saved (once per resolution).

    :param incident: a read-only view of the incident as saved; ``incident.clock.resolved_at`` is set.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def escalation_did_fire(incident: Incident, escalation: EscalationRecord, settings: BaseModel | None) -> None:
    """Called after an escalation step fired and its record was saved on the incident.

    :param incident: a read-only view of the incident as saved.
    :param escalation: the record of the step that fired (rule, key, when, actions taken).
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def communication_did_send(incident: Incident, entry: CommunicationEntry, settings: BaseModel | None) -> None:
    """Called after every delivery of a communication reached a final state (sent or failed).

    :param incident: a read-only view of the incident as saved.
    :param entry: the communication log entry, with one ``Delivery`` per notifier.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def timeline_event_did_add(incident: Incident, event: TimelineEvent, settings: BaseModel | None) -> None:
    """Called after an event was added to an incident's timeline and saved (by a person, a rule or a plugin).

    :param incident: a read-only view of the incident as saved.
    :param event: the new timeline event (at, kind, text, source, author).
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def communication_did_add(incident: Incident, entry: CommunicationEntry, settings: BaseModel | None) -> None:
    """Called after a communication was logged on an incident and saved (before its deliveries finish).

    :param incident: a read-only view of the incident as saved.
    :param entry: the new communication log entry; deliveries may still be pending.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def action_item_did_add(incident: Incident, item: ActionItem, settings: BaseModel | None) -> None:
    """Called after an action item was added to an incident and saved.

    :param incident: a read-only view of the incident as saved.
    :param item: the new action item (priority, owner, due date, status).
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


@hookspec
def action_item_did_change(incident: Incident, item: ActionItem, previous: ActionItem,
                           settings: BaseModel | None) -> None:
    """Called after an action item's fields (status, owner, due date, ...) changed and were saved.

    :param incident: a read-only view of the incident as saved.
    :param item: the action item as saved.
    :param previous: the action item before the change.
    :param settings: this plugin's validated settings from plugins.yaml, or None.
    """


PROVIDER_HOOKS: tuple[str, ...] = (
    "register_notifiers", "register_exporters", "register_playbook_generators", "register_timeline_sources",
    "register_settings",
)
EVENT_HOOKS: tuple[str, ...] = (
    "incident_did_declare", "severity_did_change", "status_did_change", "incident_did_resolve",
    "escalation_did_fire", "communication_did_send", "timeline_event_did_add", "communication_did_add",
    "action_item_did_add", "action_item_did_change",
)


def all_hook_names() -> tuple[str, ...]:
    return PROVIDER_HOOKS + EVENT_HOOKS
