"""Persistence on TinyDB: atomic storage, partitioned workspace, locking, revisions, audit chain, backups."""
