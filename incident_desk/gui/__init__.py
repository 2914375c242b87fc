"""The PySide6 desktop face. The only package that imports Qt, and only through gui/qt.py."""
