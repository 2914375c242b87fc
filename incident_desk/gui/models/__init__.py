"""Thin QAbstractTableModel adapters over desk data (as Anki's browser table): no business logic here."""
