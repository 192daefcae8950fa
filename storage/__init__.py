"""SQLite storage: one writer connection, WAL, numbered migrations, repositories behind Protocols."""

from storage.db import Database, MigrationError

__all__ = ["Database", "MigrationError"]
