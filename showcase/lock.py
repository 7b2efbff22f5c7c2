"""The site lock: one ``showcase update``, ``build`` or ``deploy`` of a site at a time.

Two of them at once would share the staging folder of a build, or publish two releases at the same
time. ``.showcase/lock`` is held with flock(2), non-blocking: the second run stops at once (exit code
3 for cron) and says who holds the lock. The kernel drops the lock when its process dies, so a crashed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime

from showcase.errors import ShowcaseError


class Locked(ShowcaseError):
    """Another showcase run holds this site's lock."""

    exit_code = 3


class SiteLock:
    """An exclusive, non-blocking flock on ``.showcase/lock``; the file records who holds it."""

    def __init__(self, site, command: str):
        self.path = site.state_dir / "lock"
        self.command = command
        self.fd: int | None = None

    def __enter__(self) -> SiteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 200).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise Locked(f"another showcase run is working on this site ({holder}; lock {self.path})") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"showcase {self.command}, pid {os.getpid()}, since "
                     f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
