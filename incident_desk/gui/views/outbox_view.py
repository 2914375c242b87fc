"""The outbox: every message waiting, sent or failed; retry failed ones; deliver now (off the GUI thread)."""

from __future__ import annotations

from typing import Any

from ..models.outbox import OutboxModel
from ..qt import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, Signal
from ..session import Session
from ..tasks import TaskState
from ..widgets import table


class OutboxView(QWidget):
    """sig_notice(text: str): what a delivery run did, for the status bar."""

    sig_notice = Signal(str)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = OutboxModel(self)
        self.view = table(self.model, stretch=5)
        self.view.setObjectName("outboxTable")
        for column, width in ((0, 60), (1, 110), (2, 100), (3, 80), (4, 70), (6, 130)):
            self.view.horizontalHeader().resizeSection(column, width)
        self.summary = QLabel()
        self.summary.setObjectName("outboxSummary")
        retry = QPushButton("Retry failed")
        retry.clicked.connect(self.retry_failed)
        deliver = QPushButton("Deliver now")
        deliver.setObjectName("deliverNow")
        deliver.clicked.connect(self.deliver)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(retry)
        row.addWidget(deliver)
        layout = QVBoxLayout(self)
        heading = QLabel("Every outgoing message is written here first, then delivered with retries; its final "
                         "state is logged on the incident.")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

    def load(self) -> None:
        from ...app.outbox import Outbox

        messages = Outbox(self.session.workspace_path).messages()
        self.model.set_rows(messages)
        counts: dict[str, int] = {}
        for message in messages:
            counts[message.state] = counts.get(message.state, 0) + 1
        self.summary.setText(" · ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "The outbox is empty.")

    def retry_failed(self) -> None:
        from ...app.notify_service import NotifyError

        from ..notifications import service_for

        try:
            retried = service_for(self.session.desk).retry(all_failed=True)
        except NotifyError as error:
            self.sig_notice.emit(str(error))
            return
        self.sig_notice.emit(f"{len(retried)} failed message(s) queued again")
        self.load()

    def deliver(self) -> TaskState:
        from ..notifications import worker_service

        path, plugins, clock = self.session.workspace_path, self.session.desk.plugins, self.session.desk.clock

        def work(state: TaskState) -> Any:
            with worker_service(path, plugins, clock, "outbox") as (_desk, service):
                return service.drain()

        def done(report: Any) -> None:
            self.sig_notice.emit(f"Outbox: {len(report.sent)} sent, {len(report.failed)} failed, "
                                 f"{len(report.retry_later)} to retry later")
            self.load()

        return self.session.runner.run(work, on_success=done,
                                       on_failure=lambda error: self.sig_notice.emit(f"Outbox: {error}"))
