"""The ``rsync`` target: the system rsync to a local folder or ``user@host:path`` over ssh.

rsync sends only files whose size or mtime differ (build/ keeps the mtime of every unchanged file,
so that is exact; ``checksum: true`` compares contents instead). ``--delay-updates`` puts the new
files into place together at the end of the transfer and ``--delete-after`` removes stale ones only
after that, so a transfer that breaks off leaves the published files as they were. The plan is
rsync's own itemized dry run.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from showcase.deploy import DeployError, LocalFile, Plan, Progress

# rsync exit codes a publisher can act on (rsync(1), EXIT VALUES).
_EXIT_MEANINGS = {
    1: "syntax or usage error",
    2: "protocol incompatibility",
    3: "cannot select the files to transfer (does the destination folder exist?)",
    5: "cannot start the client-server protocol (authentication refused?)",
    10: "socket I/O error (is the host reachable?)",
    11: "file I/O error (disk full, or no write permission at the destination?)",
    12: "data stream error (the connection broke, or the remote rsync is missing)",
    23: "some files could not be transferred",
    24: "some source files vanished during the transfer (was a build running?)",
    30: "timed out waiting for the destination",
    35: "timed out waiting for the daemon connection",
    255: "the ssh connection failed (host, key or authentication)",
}


class RsyncTarget:
    def __init__(self, site, name: str, config):
        self.name, self.config = name, config
        self.build = site.build_dir
        self.remote = _is_remote(config.dest)
        dest = config.dest if self.remote else str(site.resolve(config.dest))
        self.dest = dest if dest.endswith("/") else dest + "/"

    def plan(self, local: dict[str, LocalFile]) -> Plan:
        return self._run(local, dry_run=True)

    def apply(self, plan: Plan, local: dict[str, LocalFile], progress: Progress | None) -> str:
        done = self._run(local, dry_run=False)  # what rsync really did, which a concurrent change may alter
        plan.new, plan.changed, plan.deleted, plan.unchanged = done.new, done.changed, done.deleted, done.unchanged
        return f"to {self.dest}"

    def up_to_date(self) -> str:
        return f"at {self.dest}"

    def command(self, dry_run: bool) -> list[str]:
        rsync = shutil.which("rsync")
        if rsync is None:
            raise DeployError(f"deploy.{self.name}: rsync is not installed (Debian: apt install rsync)")
        cmd = [rsync, "--recursive", "--links", "--times", "--perms", "--chmod=D755,F644",
               "--delete-after", "--delay-updates", "--itemize-changes", f"--timeout={self.config.timeout}"]
        if self.config.checksum:
            cmd.append("--checksum")
        if self.remote:
            cmd.append("--compress")
        if self.config.ssh:
            cmd += ["--rsh", self.config.ssh]
        cmd += [f"--filter=protect {pattern}" for pattern in self.config.protect]
        if dry_run:
            cmd.append("--dry-run")
        return [*cmd, str(self.build) + "/", self.dest]

    def _run(self, local: dict[str, LocalFile], dry_run: bool) -> Plan:
        if not self.remote:
            try:
                Path(self.dest).parent.mkdir(parents=True, exist_ok=True)  # rsync makes the last one
            except OSError as e:
                raise DeployError(f"deploy.{self.name}: cannot create {self.dest}: {e}") from e
        proc = subprocess.run(self.command(dry_run), capture_output=True, text=True, errors="replace", check=False)
        if proc.returncode != 0:
            meaning = _EXIT_MEANINGS.get(proc.returncode, "failed")
            detail = " | ".join(line for line in proc.stderr.strip().splitlines()[-3:] if line)
            untouched = "" if dry_run else " Files already renamed into place stay; rerun to finish."
            raise DeployError(f"deploy.{self.name}: rsync to {self.dest} exited {proc.returncode}: {meaning}"
                              + (f" ({detail})" if detail else "") + untouched)
        return parse_itemized(proc.stdout, local)


def parse_itemized(output: str, local: dict[str, LocalFile]) -> Plan:
    """A plan from ``rsync --itemize-changes`` output: ``>f+++++++++ path`` is a new file, ``>f.st......``
    a changed one, ``*deleting   path`` a deletion; attribute-only lines and directories are no upload."""
    plan = Plan()
    for line in output.splitlines():
        if line.startswith("*deleting "):
            rel = line[len("*deleting "):].strip()
            if not rel.endswith("/"):
                plan.deleted.append((rel, 0))
            continue
        if len(line) < 13 or line[1] != "f" or line[0] not in "<>c":
            continue
        rel = line[12:]
        size = local[rel].size if rel in local else 0
        (plan.new if line[2:11] == "+++++++++" else plan.changed).append((rel, size))
    plan.unchanged = len(local) - len(plan.new) - len(plan.changed)
    return plan


def _is_remote(dest: str) -> bool:
    """rsync's own rule: a colon before the first slash means host:path (or rsync://host/...)."""
    return ":" in dest.split("/", 1)[0]
