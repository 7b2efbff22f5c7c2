"""The SQLite files showcase keeps (catalog, click store, ledger): opened one way, migrated one way."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from showcase.errors import ShowcaseError


def open_wal(path: Path, what: str, error: type[ShowcaseError], *, synchronous: str = "NORMAL",
             cache_mb: int = 16, uri: bool = False, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection in autocommit mode (callers BEGIN themselves), WAL journal, a busy timeout and a bounded
    page cache. ``what`` names the file in messages ("the catalog"). ``uri``: open by file: URI (needed to
    ATTACH other files read-only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        target = path.resolve().as_uri() if uri else path
        db = sqlite3.connect(target, uri=uri, isolation_level=None, check_same_thread=check_same_thread)
        db.execute("PRAGMA busy_timeout=10000")
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    except (OSError, sqlite3.Error) as e:
        raise error(f"{path}: cannot open {what}: {e}") from None
    if mode.lower() != "wal":
        db.close()
        raise error(f"{path}: SQLite cannot use WAL mode here (got {mode}); put the site on a local file system")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
    return db


def migrate(db: sqlite3.Connection, path: Path, what: str, schema: str, version: int,
            error: type[ShowcaseError]) -> None:
    """Create or upgrade the schema (``PRAGMA user_version``) in one transaction, since another process may
    be creating the file too; refuse a file written by a newer showcase."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > version:
        raise error(f"{path}: {what} schema {found} is newer than this showcase understands ({version}); "
                    f"upgrade showcase")
    if found < version:
        try:
            db.executescript(f"BEGIN IMMEDIATE;\n{schema}\nPRAGMA user_version={version};\nCOMMIT;")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
