"""showcase update: fetch -> import -> build -> deploy, as one run for cron.

- The site lock (``showcase.lock``) stops a second run, or a build or deploy by hand, while one is
  going.
- A feed that failed to download or import keeps its last good copy and its catalog; the others still
  update and the run goes on with a warning (``strict``: the run fails before deploying).
- A build that fails stops the run: nothing is deployed, the live site stays as it was.
- Each run writes a log with timings and counts to ``.showcase/logs/update-<UTC time>.log``; the newest
  ``KEEP_LOGS`` are kept.
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from showcase.errors import ShowcaseError
from showcase.lock import SiteLock

KEEP_LOGS = 100


@dataclass
class Step:
    name: str  # fetch | import | build | deploy
    status: str = "ok"  # ok | warning | failed | skipped
    elapsed: float = 0.0
    summary: str = ""
    counts: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"name": self.name, "status": self.status, "elapsed": round(self.elapsed, 3),
                "summary": self.summary, "counts": self.counts, "warnings": self.warnings}


@dataclass
class UpdateResult:
    steps: list[Step] = field(default_factory=list)
    failed: str | None = None  # the one-line reason the run stopped
    log: Path | None = None
    elapsed: float = 0.0

    @property
    def warnings(self) -> list[str]:
        return [w for step in self.steps for w in step.warnings]

    @property
    def ok(self) -> bool:
        return self.failed is None

    def summary_line(self) -> str:
        if self.failed:
            return f"update FAILED: {self.failed}"
        steps = "; ".join(f"{s.name}: {s.summary}" for s in self.steps if s.summary)
        warned = f" with {len(self.warnings)} warning(s)" if self.warnings else ""
        return f"update done in {self.elapsed:.1f}s{warned}: {steps}"

    def to_dict(self) -> dict:
        return {"ok": self.ok, "failed": self.failed, "elapsed": round(self.elapsed, 3),
                "warnings": self.warnings, "log": str(self.log) if self.log else None,
                "steps": [s.to_dict() for s in self.steps]}


class RunLog:
    """Lines with a time stamp, written (and flushed) as they happen, so a killed run leaves its log."""

    def __init__(self, logs_dir: Path):
        logs_dir.mkdir(parents=True, exist_ok=True)
        stamp = _now().strftime("%Y%m%dT%H%M%SZ")
        self.path, n = logs_dir / f"update-{stamp}.log", 1
        while self.path.exists():
            n += 1
            self.path = logs_dir / f"update-{stamp}-{n}.log"
        self.file = self.path.open("w", encoding="utf-8")
        for old in sorted(logs_dir.glob("update-*.log"))[:-KEEP_LOGS]:
            old.unlink(missing_ok=True)

    def write(self, line: str) -> None:
        self.file.write(f"{_now():%H:%M:%S} {line}\n")
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def run_update(site, *, targets: list[str] | None = None, strict: bool = False, jobs: int | None = None,
               say: Callable[[str], None] | None = None) -> UpdateResult:
    """One update run under the site's lock; raises Locked when another run holds it."""
    with SiteLock(site, "update"):
        log = RunLog(site.logs_dir)
        result = UpdateResult(log=log.path)

        def note(line: str) -> None:
            log.write(line)
            if say:
                say(line)

        started = time.perf_counter()
        note(f"update of {site.root} (targets: {', '.join(targets) if targets is not None else 'all'}"
             f"{', strict' if strict else ''})")
        try:
            _run_steps(site, result, targets, strict, jobs, note)
        except Exception:  # a bug, not a user error: keep the traceback in the log, then let it surface
            log.write("crashed:\n" + traceback.format_exc())
            log.close()
            raise
        result.elapsed = time.perf_counter() - started
        log.write(result.summary_line())
        log.write("result " + json.dumps(result.to_dict(), ensure_ascii=False))
        log.close()
        return result


def _run_steps(site, result: UpdateResult, targets, strict, jobs, note) -> None:
    names = list(site.config.feeds)
    for run_step in (_fetch, _import, _build, _deploy):
        step = Step(run_step.__name__.strip("_"))
        result.steps.append(step)
        started = time.perf_counter()
        try:
            run_step(site, step, names=names, targets=targets, jobs=jobs)
        except ShowcaseError as e:
            step.status = "failed"
            result.failed = f"{step.name}: {e}"
        step.elapsed = time.perf_counter() - started
        for warning in step.warnings:
            note(f"{step.name}: warning: {warning}")
        note(f"{step.name}: {step.status} in {step.elapsed:.1f}s" + (f": {step.summary}" if step.summary else ""))
        if step.warnings and step.status == "ok":
            step.status = "warning"
            if strict and step.name in ("fetch", "import"):  # --strict: every feed must come through
                step.status = "failed"
                result.failed = f"{step.name}: {step.warnings[0]} (--strict)"
        if result.failed:
            note(f"stopped before deploying: {result.failed}" if step.name != "deploy" else f"stopped: {result.failed}")
            return


def _fetch(site, step: Step, *, names, **_) -> None:
    from showcase.fetch import fetch_site

    results = fetch_site(site, names)
    counts = {"updated": 0, "not_modified": 0, "failed": 0}
    for r in results:
        counts[r.status] += 1
        if r.status == "failed":
            kept = "kept the last good copy" if r.path.exists() else "no earlier copy to fall back on"
            step.warnings.append(f"feed {r.name}: download failed: {r.error} ({kept})")
    step.counts = {**counts, "local": len(names) - len(results), "bytes": sum(r.bytes for r in results)}
    step.summary = (f"{counts['updated']} updated, {counts['not_modified']} not modified, {counts['failed']} failed"
                    + (f", {step.counts['local']} local" if step.counts["local"] else ""))


def _import(site, step: Step, *, names, **_) -> None:
    from showcase.ingest import import_feeds

    run = import_feeds(site, names)
    for failure in run.failures:
        step.warnings.append(f"feed {failure['feed']}: import {failure['status']}: {failure['error']} "
                             f"(its catalog stays as it was)")
    imported = [r for r in run.results if r.status != "unchanged"]
    step.counts = {"imported": len(imported), "unchanged": len(run.results) - len(imported),
                   "failed": len(run.failures),
                   "offers": sum(r.offers for r in imported), "new": sum(r.new for r in imported),
                   "gone": sum(r.gone for r in imported),
                   "price_changes": sum(r.price_up + r.price_down for r in imported)}
    step.summary = (f"{len(imported)} imported, {step.counts['unchanged']} unchanged, "
                    f"{len(run.failures)} failed")


def _build(site, step: Step, *, jobs, **_) -> None:
    from showcase.render.build import build

    built = build(site, jobs=jobs)
    step.warnings.extend(built.warnings[:20])
    step.counts = {"pages": built.pages, "written": built.written, "removed": built.removed,
                   "stages": {k: round(v, 3) for k, v in built.stages.items()}}
    step.summary = f"{built.pages} pages, {built.written} files written, {built.removed} removed"


def _deploy(site, step: Step, *, targets, **_) -> None:
    from showcase.deploy import deploy

    names = list(site.config.deploy) if targets is None else targets
    if not names:
        step.status, step.summary = "skipped", "no deploy targets in site.yml"
        return
    parts, errors = [], []
    for name in names:  # targets are independent: one that fails does not keep the others stale
        try:
            done = deploy(site, name)
        except ShowcaseError as e:
            errors.append(str(e))
            parts.append(f"{name} FAILED")
            continue
        step.counts[name] = done.to_dict()
        parts.append(f"{name} {len(done.plan.new) + len(done.plan.changed)} uploaded, {len(done.plan.deleted)} deleted")
    step.summary = ", ".join(parts)
    if errors:
        raise ShowcaseError("; ".join(errors))


def _now() -> datetime:
    return datetime.now(UTC)
