"""The one door to Qt (as qutebrowser's `qutebrowser/qt/`): every other gui module imports Qt names from here.

Switching bindings or versions, or papering over a difference between them, happens in this file only.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QDateTime,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSettings,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QThreadPool,
    QTime,
    QTimer,
    QTimeZone,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QSystemTrayIcon,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

QT_VERSION = QtCore.qVersion()

__all__ = [name for name in dir() if name.startswith("Q") or name in {"Qt", "Signal", "Slot"}] + ["refresh_filter",
    "QtCore", "QtGui", "QtWidgets", "QT_VERSION"]


def refresh_filter(proxy: QSortFilterProxyModel) -> None:
    """Re-run a proxy's filter. `invalidateFilter()` is deprecated from Qt 6.10; use its replacement there."""
    if hasattr(proxy, "beginFilterChange"):
        proxy.beginFilterChange()
        proxy.endFilterChange()
    else:
        proxy.invalidateFilter()
