"""The ``dir`` target: release folders and one atomic symlink switch.

``path`` (what the web server serves) is a symlink to ``<releases>/<UTC time>/``. A deploy fills a new
release folder beside the live one, then replaces the symlink with ``rename(2)``, so a request sees
either the old site or the new one, never a mix. Changed files are copied from build/ (never linked:
nothing written into build/ or a cache later can reach a published release); unchanged ones are
hard-linked from the live release, so a release costs the space of what changed. Like rsync, a file
with the same size and mtime is unchanged (build/ keeps both for unchanged files); otherwise the
contents are compared. The ``keep`` newest releases stay (and always the live one), for
``showcase deploy --rollback``.
"""

from __future__ import annotations

import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from showcase.deploy import DeployError, LocalFile, Plan, Progress, compare, scan

PARTIAL = ".partial"
FILL_THREADS = 8
FILL_CHUNK = 500


class FolderTarget:
    def __init__(self, site, name: str, config):
        self.name = name
        self.link = site.resolve(config.path)
        self.releases = (site.resolve(config.releases) if config.releases
                         else self.link.with_name(self.link.name + ".releases"))
        self.keep = config.keep

    # --- plan -------------------------------------------------------------------------------------

    def live_release(self) -> Path | None:
        """The release the symlink points at; None before the first deploy."""
        if self.link.is_symlink():
            release = self.link.resolve()
            return release if release.is_dir() else None
        if self.link.exists():
            raise DeployError(
                f"deploy.{self.name}.path: {self.link} exists and is not a symlink. showcase publishes by "
                f"switching a symlink there to a release in {self.releases}; move that folder away (or choose "
                f"another path) and point the web server at {self.link}")
        return None

    def plan(self, local: dict[str, LocalFile]) -> Plan:
        live = self.live_release()
        return _difference(local, scan(live) if live else {})

    # --- apply ------------------------------------------------------------------------------------

    def apply(self, plan: Plan, local: dict[str, LocalFile], progress: Progress | None) -> str:
        try:
            self.releases.mkdir(parents=True, exist_ok=True)
            release = self._new_release_path()
            partial = release.with_name(release.name + PARTIAL)
            _fill(partial, local, plan, self.live_release(), progress)
            os.rename(partial, release)
            self._switch(release)
        except OSError as e:
            raise DeployError(f"deploy.{self.name}: {e} (the live site was not switched)") from e
        self._prune(release)
        return f"release {release.name} at {self.link}"

    def up_to_date(self) -> str:
        live = self.live_release()
        return f"release {live.name} at {self.link}" if live else ""

    def _new_release_path(self) -> Path:
        """A name that sorts after every release made before (names are the order of releases, also
        for rollback): the UTC time, with a counter when that second, or a later one, is taken."""
        name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        names = [p.name.removesuffix(PARTIAL) for p in self.releases.iterdir() if not p.name.startswith(".")]
        latest = max(names, default="")
        if name <= latest:
            base, _, count = latest.rpartition("-")
            name = f"{base}-{int(count) + 1:03d}" if base and count.isdigit() else f"{latest}-002"
        return self.releases / name

    def _switch(self, release: Path) -> None:
        self.link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        # Relative, so the site folder and its releases can be moved or mounted elsewhere together.
        os.symlink(os.path.relpath(release, self.link.parent), tmp)
        os.replace(tmp, self.link)
        _fsync_dir(self.link.parent)

    def _all_releases(self) -> list[Path]:
        if not self.releases.is_dir():
            return []
        return sorted(p for p in self.releases.iterdir()
                      if p.is_dir() and not p.name.startswith(".") and not p.name.endswith(PARTIAL))

    def _prune(self, live: Path) -> None:
        """Keep the newest ``keep`` releases and the live one; drop leftovers of interrupted deploys."""
        releases = self._all_releases()
        for old in releases[:-self.keep]:
            if old != live:
                shutil.rmtree(old, ignore_errors=True)
        for leftover in self.releases.glob("*" + PARTIAL):
            shutil.rmtree(leftover, ignore_errors=True)

    # --- rollback ---------------------------------------------------------------------------------

    def rollback(self, dry_run: bool) -> tuple[Plan, str]:
        live = self.live_release()
        if live is None:
            raise DeployError(f"deploy.{self.name}: nothing published at {self.link} yet")
        older = [r for r in self._all_releases() if r.name < live.name]
        if not older:
            raise DeployError(f"deploy.{self.name}: no release older than the live one ({live.name}) "
                              f"is kept in {self.releases}")
        previous = older[-1]
        plan = _difference(scan(previous), scan(live))
        if not dry_run:
            try:
                self._switch(previous)
            except OSError as e:
                raise DeployError(f"deploy.{self.name}: {e} (the live site was not switched)") from e
        return plan, f"release {previous.name} (was {live.name})"


def _difference(new: dict[str, LocalFile], old: dict[str, LocalFile]) -> Plan:
    return compare(new, {rel: f.size for rel, f in old.items()}, same=lambda f: _same(f, old[f.rel]))


def _same(a: LocalFile, b: LocalFile) -> bool:
    if a.mtime_ns == b.mtime_ns:
        return True  # same size (checked before) and mtime: the quick check rsync makes
    with a.path.open("rb") as fa, b.path.open("rb") as fb:
        while True:
            ca, cb = fa.read(1 << 16), fb.read(1 << 16)
            if ca != cb:
                return False
            if not ca:
                return True


def _fill(release: Path, local: dict[str, LocalFile], plan: Plan, live: Path | None,
          progress: Progress | None) -> None:
    """Copies and links in a few threads: creating 100,000 folders and files is bound by file-system
    latency, not by the CPU, and the syscalls release the GIL."""
    if release.exists():
        shutil.rmtree(release)
    copy = {rel for rel, _ in plan.new + plan.changed}
    files = sorted(local.values(), key=lambda f: f.rel)  # a chunk then fills whole folders
    chunks = [files[i:i + FILL_CHUNK] for i in range(0, len(files), FILL_CHUNK)]

    def fill(chunk: list[LocalFile]) -> int:
        made: set[str] = set()
        for f in chunk:
            dest = release / f.rel
            parent = os.path.dirname(dest)
            if parent not in made:
                os.makedirs(parent, exist_ok=True)
                made.add(parent)
            if f.rel in copy or live is None:
                shutil.copy2(f.path, dest)  # keeps the mtime, for the quick check of the next deploy
            else:
                os.link(live / f.rel, dest)  # same folder of releases, so the same file system
        return len(chunk)

    done = 0
    with ThreadPoolExecutor(FILL_THREADS) as pool:
        for n in pool.map(fill, chunks):
            done += n
            if progress:
                progress(done, len(files))


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
