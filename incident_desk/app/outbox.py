"""The persistent notification outbox: every message is on disk before anyone tries to send it.

File: `<workspace>/outbox.json`, a TinyDB database on the store's `AtomicJSONStorage` (each write is a
temp file, fsync and rename), changed only under the file lock `<workspace>/locks/outbox.lock`. A
second lock, `outbox-drain.lock`, is held for a whole drain, so one process delivers at a time while
any process may enqueue.

States of a message::

    pending --(drain marks it, durably)--> sending --(receiver accepted)--> sent
       ^                                      |--(retryable failure)--> pending, next_attempt_at = back-off
       |                                      |--(permanent failure, or out of attempts)--> failed
       +---------------- retry --------------- failed

Delivery semantics: at least once, with a key. Before a send the message is marked `sending` with a
fresh attempt id, durably. If the process dies during the send, the next drain finds the message still
`sending` (no drainer can be running: it holds the drain lock), counts the attempt as interrupted and
sends the message again with the same `idempotency_key`. The receiver may therefore get a message
twice, but every copy carries the same key, so it can tell. A message marked `sent` is never sent again.

Lanes (app/lanes.py): each notifier's messages are sent in order, and different notifiers are sent to
at the same time by a few worker threads; a worker stuck in a slow send is replaced, so a slow or hung
receiver delays only its own lane (the notify service gives every send a time limit and holds a lane
whose earlier send still hangs). Messages are claimed in
batches: a batch is marked `sending` in one write, and results are stored together, one write for all the results
of the last `store_every` seconds (and those that came in during the previous write: group commit), so
a crash repeats at most one batch. Sent messages are kept for `keep_sent` (for
`outbox list --all`) and then pruned; their final state lives in the incident's communication log.
"""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, Field
from tinydb import TinyDB

from ..domain.timeutil import as_utc
from ..plugin.types import DeliveryResult, Message
from ..store.locks import plain_lock_file
from ..store.storage import AtomicJSONStorage, atomic_storage
from .lanes import Lanes

OUTBOX_FILE = "outbox.json"
TABLE = "messages"
State = Literal["pending", "sending", "sent", "failed"]


class OutboxError(Exception):
    """A request the outbox refuses (unknown message id, retrying a sent message, busy lock)."""


class BackOff(BaseModel):
    """Exponential back-off: `first`, then doubling, capped at `longest`; give up after `max_attempts`."""

    model_config = ConfigDict(frozen=True)

    first: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    longest: timedelta = timedelta(hours=1)
    max_attempts: int = 20

    def delay(self, attempts: int) -> timedelta:
        """Wait before the next try, after `attempts` failed tries (1 -> first)."""
        seconds = self.first.total_seconds() * self.factor ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.longest.total_seconds()))


class Attempt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    attempt_id: str
    at: datetime
    outcome: Literal["sent", "failed", "retry", "interrupted"]
    error: str = ""


class OutboxMessage(BaseModel):
    """One message for one configured notifier, with its delivery state."""

    model_config = ConfigDict(extra="forbid")

    id: str
    notifier: str = Field(description="Name of the configured notifier in notifiers.yaml")
    entry_id: str = Field(description="The communication log entry this delivery belongs to")
    message: Message
    template: str | None = None
    author: str = ""
    state: State = "pending"
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime
    attempt_id: str | None = None
    last_error: str = ""
    detail: str = ""
    finished_at: datetime | None = None
    history: list[Attempt] = Field(default_factory=list)

    @property
    def idempotency_key(self) -> str:
        return self.message.idempotency_key

    @property
    def incident_id(self) -> str:
        return self.message.incident_id


@dataclass(frozen=True)
class Outcome:
    """What one delivery attempt did; `final` when the message will not be tried again."""

    message: OutboxMessage
    result: DeliveryResult

    @property
    def final(self) -> bool:
        return self.message.state in ("sent", "failed")


@dataclass
class DrainReport:
    """What one drain did."""

    attempted: int = 0
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry_later: list[str] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    busy: bool = False
    next_due_at: datetime | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"attempted": self.attempted, "sent": self.sent, "failed": self.failed,
                "retry_later": self.retry_later, "interrupted": self.interrupted, "held": self.held,
                "busy": self.busy,
                "next_due_at": self.next_due_at, "notes": self.notes}


Deliver = Callable[[OutboxMessage], DeliveryResult]
OnBatch = Callable[[list[Outcome]], None]
Blocked = Callable[[str], "str | None"]


class Outbox:
    """The outbox of one workspace folder."""

    def __init__(self, workspace_path: str | Path, *, backoff: BackOff | None = None, batch_size: int = 1000,
                 keep_sent: timedelta = timedelta(days=7), lock_timeout: float = 15.0,
                 store_every: float = 0.1, log_every: float = 2.0, lane_width: int = 4) -> None:
        self.folder = Path(workspace_path)
        self.path = self.folder / OUTBOX_FILE
        self.backoff = backoff or BackOff()
        self.batch_size = batch_size
        self.keep_sent = keep_sent
        self.lock_timeout = lock_timeout
        #: results of one delivery cycle are written together: one durable write per `store_every` seconds
        #: (a crash in between sends those messages again, with their keys)
        self.store_every = store_every
        #: seconds between two hand-overs of stored results to `on_batch` (the incidents' logs) in a drain
        self.log_every = log_every
        #: how many lanes send at the same moment (more threads only fight over the interpreter lock)
        self.lane_width = lane_width
        (self.folder / "locks").mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(plain_lock_file(self.folder / "locks" / "outbox.lock"), timeout=lock_timeout)
        self._drain_lock = FileLock(plain_lock_file(self.folder / "locks" / "outbox-drain.lock"), timeout=0)
        self._db = TinyDB(self.path, storage=AtomicJSONStorage)

    # ------------------------------------------------------------------ reading

    def _documents(self) -> dict[str, dict[str, Any]]:
        """The messages table as TinyDB stores it: document id (a string) -> document."""
        data = self._db.storage.read() or {}
        return data.get(TABLE, {})

    def _put(self, changes: dict[str, dict[str, Any]], removed: Iterable[str] = ()) -> None:
        """Write changed documents in one storage write (call inside a transaction, under the lock).

        Writes go through the storage rather than TinyDB's Table, whose cached next id would collide when
        several processes insert into the same file."""
        data = self._db.storage.read() or {}
        table = dict(data.get(TABLE, {}))
        table.update(changes)
        for doc_id in removed:
            table.pop(doc_id, None)
        self._db.storage.write({**data, TABLE: table})

    @staticmethod
    def _next_id(documents: dict[str, dict[str, Any]]) -> int:
        return max((int(k) for k in documents), default=0) + 1

    def messages(self) -> list[OutboxMessage]:
        return sorted((OutboxMessage.model_validate(d) for d in self._documents().values()),
                      key=lambda m: (m.created_at, m.id))

    def get(self, message_id: str) -> OutboxMessage:
        for message in self.messages():
            if message.id == message_id:
                return message
        raise OutboxError(f"no message {message_id} in the outbox {self.path}")

    def pending(self) -> list[OutboxMessage]:
        """Messages not yet delivered that will be tried (including any interrupted mid-send)."""
        return [m for m in self.messages() if m.state in ("pending", "sending")]

    def failed(self) -> list[OutboxMessage]:
        return [m for m in self.messages() if m.state == "failed"]

    # ------------------------------------------------------------------ writing

    def _locked(self):
        try:
            return self._lock.acquire()
        except Timeout:
            raise OutboxError(f"the outbox {self.path} is locked by another process; waited "
                              f"{self.lock_timeout:g} s") from None

    def enqueue(self, message: Message, *, notifier: str, entry_id: str, now: datetime,
                template: str | None = None, author: str = "") -> OutboxMessage:
        """Store one message durably (returns once it is on disk). The same idempotency key twice
        stores nothing new and returns the message already there."""
        return self.enqueue_many([(message, notifier)], entry_id=entry_id, now=now, template=template, author=author)[0]

    def enqueue_many(self, items: Iterable[tuple[Message, str]], *, entry_id: str, now: datetime,
                     template: str | None = None, author: str = "") -> list[OutboxMessage]:
        now = as_utc(now)
        with self._locked(), atomic_storage(self._db).transaction():
            documents = self._documents()
            existing = {d["message"]["idempotency_key"]: d for d in documents.values()}
            stored: list = []
            new_docs: dict = {}
            next_id = self._next_id(documents)
            for message, notifier in items:
                if message.idempotency_key in existing:
                    stored.append(OutboxMessage.model_validate(existing[message.idempotency_key]))
                    continue
                record = OutboxMessage(id=f"m-{uuid.uuid4().hex[:12]}", notifier=notifier, entry_id=entry_id,
                                       message=message, template=template, author=author, created_at=now,
                                       next_attempt_at=now)
                doc = record.model_dump(mode="json")
                existing[message.idempotency_key] = doc
                new_docs[str(next_id + len(new_docs))] = doc
                stored.append(record)
            if new_docs:
                self._put(new_docs)
        return stored

    def retry(self, message_id: str | None = None, *, now: datetime, all_failed: bool = False) -> list[OutboxMessage]:
        """Make a failed message (or every failed one) due now with a fresh attempt budget; a pending one
        is made due now. Sent messages are refused: send a new message instead."""
        if (message_id is None) == (not all_failed):
            raise OutboxError("give a message id or ask for all failed messages, not both")
        now = as_utc(now)
        changed: list[OutboxMessage] = []
        with self._locked(), atomic_storage(self._db).transaction():
            documents = self._documents()
            writes = {}
            for doc_id, doc in documents.items():
                if message_id is not None and doc["id"] != message_id:
                    continue
                if doc["state"] == "sent":
                    raise OutboxError(f"message {message_id} was already sent at {doc['finished_at']}; "
                                      "notify again to send a new message")
                if doc["state"] == "failed" or (message_id is not None and doc["state"] == "pending"):
                    record = OutboxMessage.model_validate(doc)
                    record.state, record.next_attempt_at, record.finished_at = "pending", now, None
                    if doc["state"] == "failed":
                        record.attempts = 0
                    writes[doc_id] = record.model_dump(mode="json")
                    changed.append(record)
            if writes:
                self._put(writes)
            if message_id is not None and not changed and not any(d["id"] == message_id for d in documents.values()):
                raise OutboxError(f"no message {message_id} in the outbox {self.path}")
        return changed

    # ------------------------------------------------------------------ delivering

    def drain(self, now: datetime, deliver: Deliver, on_batch: OnBatch | None = None,
              limit: int | None = None, *, blocked: Blocked | None = None) -> DrainReport:
        """Deliver every message due at `now`: one lane (thread) per notifier, so a slow or hung receiver
        holds up only its own messages. Results are stored as they come in, many per write (one fsync
        for every result that arrived while the previous write ran); `on_batch(outcomes)` follows each
        write (the notify service writes delivery states into incidents there).

        `blocked(notifier)` says why a lane cannot send now (an earlier send still hangs past its time
        limit); its remaining messages go back to pending untouched, to be sent in a later drain.
        Returns at once with `busy=True` when another process is draining."""
        now = as_utc(now)
        report = DrainReport()
        try:
            self._drain_lock.acquire()
        except Timeout:
            report.busy = True
            report.notes.append("another process is delivering from this outbox")
            return report
        try:
            report.interrupted = self._recover_interrupted(now)
            held: set[str] = set()
            while limit is None or report.attempted < limit:
                size = self.batch_size if limit is None else min(self.batch_size, limit - report.attempted)
                batch = self._claim(now, size, exclude=held)
                if not batch:
                    break
                self._run_lanes(batch, deliver, now, report, on_batch, blocked, held)
            self._prune(now)
            due = [doc["next_attempt_at"] for doc in self._documents().values() if doc["state"] in ("pending", "sending")]
            report.next_due_at = min((as_utc(datetime.fromisoformat(d)) for d in due), default=None)
        finally:
            self._drain_lock.release()
        return report

    def _run_lanes(self, batch: list[tuple[str, OutboxMessage]], deliver: Deliver, now: datetime,
                   report: DrainReport, on_batch: OnBatch | None, blocked: Blocked | None, held: set[str]) -> None:
        by_notifier: dict[str, list[tuple[str, OutboxMessage]]] = {}
        for claimed in batch:
            by_notifier.setdefault(claimed[1].notifier, []).append(claimed)
        lanes = Lanes(by_notifier, lambda claimed: self._attempt(claimed, deliver, now), blocked,
                      width=self.lane_width)
        lanes.start()
        results = lanes.results
        finished = 0
        unstored: list[tuple[str, Outcome]] = []  # sent (or failed), not yet written to the outbox
        unlogged: list[Outcome] = []  # stored in the outbox, not yet handed to `on_batch`
        stored_at = time.monotonic()
        logged_at = time.monotonic()
        while finished < lanes.workers:
            try:
                arrived = [results.get(timeout=self.store_every if unstored else 0.25)]
            except queue.Empty:
                arrived = []
            lanes.top_up()  # a worker stuck in a slow send is replaced, so other lanes go on
            while True:  # group commit: take everything that arrived meanwhile into the same write
                try:
                    arrived.append(results.get_nowait())
                except queue.Empty:
                    break
            put_back: list[tuple[str, OutboxMessage, str]] = []
            for kind, item in arrived:
                if kind == "worker finished":
                    finished += 1
                elif kind == "held":
                    (doc_id, record), reason = item
                    put_back.append((doc_id, record, reason))
                else:
                    unstored.append(item)
            if put_back:
                self._release(put_back)
                for _, record, reason in put_back:
                    held.add(record.id)
                    report.held.append(record.id)
                    note = f"{record.notifier}: {reason}; its messages wait for the next delivery"
                    if note not in report.notes:
                        report.notes.append(note)
            done_all = finished >= lanes.workers
            if unstored and (done_all or time.monotonic() - stored_at >= self.store_every):
                done, unstored, stored_at = unstored, [], time.monotonic()
                self._store(done)
                outcomes = [outcome for _, outcome in done]
                report.attempted += len(outcomes)
                for outcome in outcomes:
                    {"sent": report.sent, "failed": report.failed}.get(outcome.message.state,
                                                                        report.retry_later).append(outcome.message.id)
                unlogged += outcomes
            # the incidents' logs are written less often than the outbox, a save per incident being the dear
            # part: once when the lanes are done, and every `log_every` seconds of a long delivery
            if unlogged and on_batch is not None and (done_all or time.monotonic() - logged_at >= self.log_every):
                on_batch(unlogged)
                unlogged, logged_at = [], time.monotonic()

    def _release(self, put_back: list[tuple[str, OutboxMessage, str]]) -> None:
        """Claimed messages a lane could not try: back to pending as they were, no attempt counted."""
        writes = {}
        for doc_id, record, reason in put_back:
            record = record.model_copy(deep=True)
            record.state, record.attempt_id, record.attempts = "pending", None, max(0, record.attempts - 1)
            record.last_error = f"waiting: {reason}"
            writes[doc_id] = record.model_dump(mode="json")
        with self._locked(), atomic_storage(self._db).transaction():
            self._put(writes)

    def _recover_interrupted(self, now: datetime) -> list[str]:
        """Messages left `sending` by a drainer that died: back to pending, same key, attempt recorded."""
        recovered, writes = [], {}
        with self._locked(), atomic_storage(self._db).transaction():
            for doc_id, doc in self._documents().items():
                if doc["state"] != "sending":
                    continue
                record = OutboxMessage.model_validate(doc)
                record.history.append(Attempt(attempt_id=record.attempt_id or "?", at=now, outcome="interrupted",
                                              error="the sending process stopped mid-send; sent again with the same key"))
                record.state, record.attempt_id, record.next_attempt_at = "pending", None, now
                record.last_error = "interrupted mid-send; retried with the same idempotency key"
                writes[doc_id] = record.model_dump(mode="json")
                recovered.append(record.id)
            if writes:
                self._put(writes)
        return recovered

    def _claim(self, now: datetime, size: int, exclude: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, OutboxMessage]]:
        """Mark up to `size` due messages `sending` with fresh attempt ids, durably, before any is sent."""
        with self._locked(), atomic_storage(self._db).transaction():
            due = []
            for doc_id, doc in self._documents().items():
                if doc["state"] != "pending" or doc["id"] in exclude:
                    continue
                if as_utc(datetime.fromisoformat(doc["next_attempt_at"])) <= now:
                    due.append((doc["created_at"], doc["id"], doc_id, doc))
            due.sort(key=lambda item: item[:2])
            claimed = []
            for _, _, doc_id, doc in due[:size]:
                record = OutboxMessage.model_validate(doc)
                record.state, record.attempt_id = "sending", uuid.uuid4().hex[:12]
                record.attempts += 1
                claimed.append((doc_id, record))
            if claimed:
                self._put({doc_id: record.model_dump(mode="json") for doc_id, record in claimed})
        return claimed

    def _attempt(self, claimed: tuple[str, OutboxMessage], deliver: Deliver, now: datetime) -> tuple[str, Outcome]:
        doc_id, record = claimed
        try:
            result = deliver(record)
        except Exception as error:  # noqa: BLE001 - the deliverer's own failure must not lose the message
            result = DeliveryResult.failed(f"{type(error).__name__}: {error}", retryable=isinstance(error, OSError))
        attempt_id = record.attempt_id or "?"
        record = record.model_copy(deep=True)
        record.attempt_id = None
        if result.ok:
            record.state, record.finished_at, record.detail, record.last_error = "sent", now, result.detail, ""
            outcome = "sent"
        elif result.retryable and record.attempts < self.backoff.max_attempts:
            record.state, record.last_error = "pending", result.error
            record.next_attempt_at = now + self.backoff.delay(record.attempts)
            outcome = "retry"
        else:
            record.state, record.finished_at = "failed", now
            record.last_error = result.error if not result.retryable else (
                f"gave up after {record.attempts} attempts; last error: {result.error}")
            outcome = "failed"
        record.history = [*record.history, Attempt(attempt_id=attempt_id, at=now, outcome=outcome,
                                                    error=result.error)][-20:]
        return doc_id, Outcome(record, result)

    def _store(self, results: list[tuple[str, Outcome]]) -> None:
        with self._locked(), atomic_storage(self._db).transaction():
            self._put({doc_id: outcome.message.model_dump(mode="json") for doc_id, outcome in results})

    def _prune(self, now: datetime) -> None:
        cutoff = now - self.keep_sent
        with self._locked(), atomic_storage(self._db).transaction():
            old = [doc_id for doc_id, doc in self._documents().items()
                   if doc["state"] == "sent" and doc.get("finished_at")
                   and as_utc(datetime.fromisoformat(doc["finished_at"])) < cutoff]
            if old:
                self._put({}, removed=old)
