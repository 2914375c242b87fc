"""The PySide6 desktop window. Qt is imported only here, and only through `gui/qt.py`.

Start it with `incident-desk open` (see `gui/app.py`); every change goes through `app.Desk`.
"""
