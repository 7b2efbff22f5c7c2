"""showcase deploy: publish build/ to the targets declared under ``deploy:`` in site.yml.

Every target works in two steps: ``plan`` compares build/ with what is published (and changes
nothing), ``apply`` carries the plan out. ``--dry-run`` stops after the plan. Each target leaves the
published site as it was when it fails before its switch-over point:

- ``dir``: a new release folder, then one atomic symlink switch (the previous release stays for
  ``--rollback``);
- ``rsync``: ``--delay-updates``: files are renamed into place together at the end, stale ones
  deleted after that;
- ``s3``: the listing (which fails first on bad credentials or a missing bucket) before any write;
  fingerprinted assets first, then the pages that name them, deletions last;
- ``git``: one commit built beside the remote branch, then one push.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from showcase.errors import ShowcaseError
from showcase.text import human_size

Progress = Callable[[int, int], None]  # (done, total)


class DeployError(ShowcaseError):
    """A target cannot be published to (auth, network, a folder in the way); nothing live changed
    unless the message says otherwise."""


@dataclass(frozen=True, slots=True)
class LocalFile:
    root: Path
    rel: str  # path under the root, with "/" separators
    size: int
    mtime_ns: int
    stamp: tuple[int, int, int]  # (inode, mtime, ctime): any write or rename changes it, touch included

    @property
    def path(self) -> Path:
        return self.root / self.rel


def scan(root: Path) -> dict[str, LocalFile]:
    """Every file under ``root`` by relative path. os.scandir, not os.walk and pathlib: a build of
    100,000 products is 110,000 folders, and this is most of a no-change deploy's time."""
    files: dict[str, LocalFile] = {}
    stack = [("", str(root))]
    while stack:
        prefix, directory = stack.pop()
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.is_dir():
                    stack.append((prefix + entry.name + "/", entry.path))
                else:
                    st = entry.stat()
                    rel = prefix + entry.name
                    files[rel] = LocalFile(root, rel, st.st_size, st.st_mtime_ns,
                                           (st.st_ino, st.st_mtime_ns, st.st_ctime_ns))
    return files


@dataclass
class Plan:
    """What a deploy changes: paths with their sizes in bytes."""

    new: list[tuple[str, int]] = field(default_factory=list)
    changed: list[tuple[str, int]] = field(default_factory=list)
    deleted: list[tuple[str, int]] = field(default_factory=list)  # size as published, 0 when unknown
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.deleted)

    @property
    def upload_bytes(self) -> int:
        return sum(size for _, size in self.new) + sum(size for _, size in self.changed)

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "changed": len(self.changed), "deleted": len(self.deleted),
                "unchanged": self.unchanged, "upload_bytes": self.upload_bytes,
                "deleted_bytes": sum(size for _, size in self.deleted)}

    def lines(self) -> list[str]:
        """One line per path, as ``--dry-run`` lists them: ``+ new``, ``~ changed``, ``- deleted``."""
        return ([f"+ {rel} ({size} B)" for rel, size in self.new]
                + [f"~ {rel} ({size} B)" for rel, size in self.changed]
                + [f"- {rel}" for rel, _ in self.deleted])


def compare(local: dict[str, LocalFile], remote: dict[str, int], same: Callable[[LocalFile], bool]) -> Plan:
    """The plan from build/ and a published listing (path -> size); ``same(file)`` decides, for a
    path published at the same size, whether its content is unchanged."""
    plan = Plan()
    for rel, f in local.items():
        if rel not in remote:
            plan.new.append((rel, f.size))
        elif remote[rel] != f.size or not same(f):
            plan.changed.append((rel, f.size))
        else:
            plan.unchanged += 1
    plan.deleted = [(rel, size) for rel, size in sorted(remote.items()) if rel not in local]
    plan.new.sort()
    plan.changed.sort()
    return plan


@dataclass
class DeployResult:
    target: str
    type: str
    plan: Plan
    dry_run: bool = False
    rollback: bool = False
    elapsed: float = 0.0
    detail: str = ""  # where it went: the release, the commit, the bucket

    def summary_line(self) -> str:
        c = self.plan.counts()
        verb = "would publish" if self.dry_run else ("rolled back" if self.rollback else "published")
        if self.plan.empty and not self.rollback:
            return f"{self.target} ({self.type}): up to date, {c['unchanged']} files unchanged"
        return (f"{self.target} ({self.type}): {verb} {c['new']} new, {c['changed']} changed, "
                f"{c['deleted']} deleted, {c['unchanged']} unchanged; {human_size(c['upload_bytes'])} uploaded"
                + (f"; {self.detail}" if self.detail else "") + f" [{self.elapsed:.1f}s]")

    def to_dict(self, with_files: bool = False) -> dict:
        out = {"target": self.target, "type": self.type, "dry_run": self.dry_run, "rollback": self.rollback,
               **self.plan.counts(), "elapsed": round(self.elapsed, 3), "detail": self.detail}
        if with_files:
            out["files"] = {"new": [r for r, _ in self.plan.new], "changed": [r for r, _ in self.plan.changed],
                            "deleted": [r for r, _ in self.plan.deleted]}
        return out


def built_site(site) -> Path:
    """build/, checked to be a complete build; a deploy never publishes a half-committed or empty one."""
    build = site.build_dir
    if not (build / "index.html").is_file():
        raise DeployError(f"{build}: no built site here (no index.html); run `showcase build` first")
    if (site.state_dir / "build-commit.json").exists():
        raise DeployError(f"{build}: a build commit was interrupted; run `showcase build` to finish it first")
    return build


def target(site, name: str):
    """The target object for ``deploy.<name>`` (modules imported on demand: s3 needs boto3)."""
    config = site.config.deploy[name]
    state = site.state_dir / "deploy" / name
    if config.type == "dir":
        from showcase.deploy.folder import FolderTarget
        return FolderTarget(site, name, config)
    if config.type == "rsync":
        from showcase.deploy.rsync import RsyncTarget
        return RsyncTarget(site, name, config)
    if config.type == "s3":
        from showcase.deploy.s3 import S3Target
        return S3Target(site, name, config, state)
    from showcase.deploy.git import GitTarget
    return GitTarget(site, name, config, state)


def describe(config) -> tuple[str, str | None]:
    """Where a target publishes to, and what this machine lacks to do it (None when nothing)."""
    import importlib.util
    import shutil

    if config.type == "dir":
        return config.path, None
    if config.type == "rsync":
        return config.dest, None if shutil.which("rsync") else "rsync is not installed"
    if config.type == "git":
        return f"{config.remote} {config.branch}", None if shutil.which("git") else "git is not installed"
    where = f"s3://{config.bucket}/{config.prefix}" + (f" at {config.endpoint_url}" if config.endpoint_url else "")
    return where, None if importlib.util.find_spec("boto3") else "boto3 is not installed: pip install 'showcase[s3]'"


def deploy(site, name: str, *, dry_run: bool = False, progress: Progress | None = None) -> DeployResult:
    started = time.perf_counter()
    build = built_site(site)
    t = target(site, name)
    local = scan(build)
    plan = t.plan(local)
    result = DeployResult(name, site.config.deploy[name].type, plan, dry_run=dry_run)
    if not dry_run and not plan.empty:
        result.detail = t.apply(plan, local, progress) or ""
    elif not dry_run:
        result.detail = t.up_to_date()
    result.elapsed = time.perf_counter() - started
    return result


def rollback(site, name: str, *, dry_run: bool = False) -> DeployResult:
    """Publish the previous deploy again (targets that keep one: dir and git)."""
    started = time.perf_counter()
    t = target(site, name)
    kind = site.config.deploy[name].type
    if not hasattr(t, "rollback"):
        raise DeployError(f"deploy.{name}: the {kind} target keeps no previous release to roll back to; "
                          f"rebuild the site you want and deploy it")
    plan, detail = t.rollback(dry_run=dry_run)
    return DeployResult(name, kind, plan, dry_run=dry_run, rollback=True, detail=detail,
                        elapsed=time.perf_counter() - started)

