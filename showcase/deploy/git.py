"""The ``git`` target: one commit of build/ on a branch (``gh-pages``), pushed to a remote.

build/ is never copied: a bare repository in ``.showcase/deploy/<name>/repo.git`` uses build/ as its
work tree with an index of its own, so ``git add`` re-hashes only files whose size or mtime changed
(build/ keeps both for unchanged files). The commit's parent is the remote branch as fetched just
before, and the push is a plain fast-forward: if someone else pushed in between, the push is refused
and the published branch stays as it was. ``.nojekyll`` (GitHub Pages would otherwise hide folders
starting with ``_``) and ``CNAME`` are added to the commit, not to build/.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from showcase.deploy import DeployError, LocalFile, Plan, Progress

_STATUS = {"A": "new", "M": "changed", "T": "changed", "D": "deleted"}


class GitTarget:
    def __init__(self, site, name: str, config, state: Path):
        self.name, self.config = name, config
        self.build = site.build_dir
        self.state = state
        self.repo = state / "repo.git"
        self.index = state / "index"
        self.base_file = state / "index-base"  # the commit the index was last made equal to
        remote = config.remote
        local_path = "://" not in remote and not _scp_like(remote)
        self.remote = str(site.resolve(remote)) if local_path else remote
        self.tracking = f"refs/remotes/deploy/{config.branch}"
        self.parent: str | None = None
        self.tree: str | None = None

    # --- plumbing ---------------------------------------------------------------------------------

    def git(self, *args: str, work_tree: Path | None = None, stdin: str | None = None) -> str:
        name, email = self.config.author[:-1].split(" <")
        env = {**os.environ, "GIT_DIR": str(self.repo), "GIT_INDEX_FILE": str(self.index),
               "GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email,
               "GIT_TERMINAL_PROMPT": "0",  # cron has no terminal: fail instead of waiting for a password
               "LC_ALL": "C"}
        cmd = ["git", "-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "-c", "core.excludesFile=/dev/null",
               "-c", "core.quotepath=off", "-c", "http.lowSpeedLimit=1000", "-c", "http.lowSpeedTime=60"]
        if work_tree is not None:
            cmd += ["--work-tree", str(work_tree)]
        try:
            proc = subprocess.run([*cmd, *args], env=env, input=stdin, capture_output=True, text=True,
                                  errors="replace", check=False)
        except FileNotFoundError:
            raise DeployError(f"deploy.{self.name}: git is not installed (Debian: apt install git)") from None
        if proc.returncode != 0:
            raise _GitFailed(args[0], proc.stderr.strip())
        return proc.stdout

    def _init(self) -> None:
        if not (self.repo / "HEAD").exists():
            self.state.mkdir(parents=True, exist_ok=True)
            self.git("init", "--quiet", "--bare")

    def _fetch(self) -> str | None:
        """The remote branch's head (fetched with its parent, for rollback), or None when it does not exist."""
        self._init()
        try:
            heads = self.git("ls-remote", "--heads", self.remote, f"refs/heads/{self.config.branch}")
            if not heads.strip():
                return None
            self.git("fetch", "--quiet", "--no-tags", "--depth=2", self.remote,
                     f"+refs/heads/{self.config.branch}:{self.tracking}")
        except _GitFailed as e:
            raise DeployError(f"deploy.{self.name}: cannot read {self.remote}: {e.stderr_tail} "
                              f"(nothing was pushed)") from None
        return self.git("rev-parse", self.tracking).strip()

    # --- plan -------------------------------------------------------------------------------------

    def plan(self, local: dict[str, LocalFile]) -> Plan:
        try:
            return self._plan(local)
        except _GitFailed as e:
            raise DeployError(f"deploy.{self.name}: git failed preparing the commit: {e} "
                              f"(nothing was pushed)") from None

    def _plan(self, local: dict[str, LocalFile]) -> Plan:
        self.parent = self._fetch()
        base = self.base_file.read_text().strip() if self.base_file.exists() else None
        if base != self.parent or not self.index.exists():
            # The index no longer describes the branch's head (first deploy, someone else pushed, a
            # rollback): start from the head's tree; git re-hashes build/ once.
            self.git("read-tree", self.parent or "--empty")
            self.base_file.write_text(self.parent or "")
        self.git("add", "--all", "--force", ".", work_tree=self.build)
        extras = {".nojekyll": ""}
        if self.config.cname:
            extras["CNAME"] = self.config.cname + "\n"
        elif "CNAME" not in local:
            self.git("update-index", "--force-remove", "CNAME", work_tree=self.build)
        for path, text in extras.items():
            blob = self.git("hash-object", "-w", "--stdin", stdin=text).strip()
            self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
        self.tree = self.git("write-tree").strip()
        sizes = {rel: f.size for rel, f in local.items()} | {p: len(t.encode()) for p, t in extras.items()}
        plan = self._diff(self.parent, self.tree, sizes)
        plan.unchanged = len(sizes) - len(plan.new) - len(plan.changed)
        return plan

    def _diff(self, old: str | None, new: str, sizes: dict[str, int]) -> Plan:
        old_tree = f"{old}^{{tree}}" if old else self.git("mktree", stdin="").strip()
        plan = Plan()
        out = self.git("diff-tree", "-r", "--no-renames", "--name-status", "-z", old_tree, new)
        fields = out.split("\0")
        for status, path in zip(fields[0::2], fields[1::2], strict=False):
            kind = _STATUS.get(status[:1])
            if kind:
                getattr(plan, kind).append((path, sizes.get(path, 0) if kind != "deleted" else 0))
        return plan

    def _tree_sizes(self, tree: str) -> dict[str, int]:
        out = self.git("ls-tree", "-r", "-l", "-z", tree)
        sizes = {}
        for entry in filter(None, out.split("\0")):
            meta, path = entry.split("\t", 1)
            size = meta.split()[-1]
            sizes[path] = int(size) if size.isdigit() else 0
        return sizes

    # --- apply ------------------------------------------------------------------------------------

    def apply(self, plan: Plan, local: dict[str, LocalFile], progress: Progress | None) -> str:
        try:
            return self._commit_and_push()
        except _GitFailed as e:
            raise DeployError(f"deploy.{self.name}: git failed: {e} (nothing was pushed)") from None

    def _commit_and_push(self) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        parents = ["-p", self.parent] if self.parent else []
        commit = self.git("commit-tree", self.tree, *parents, "-m", f"{self.config.message} {stamp}").strip()
        self._push(commit)
        self.base_file.write_text(commit)
        return f"commit {commit[:10]} on {self.config.branch} at {self.remote}"

    def up_to_date(self) -> str:
        return f"{self.config.branch} at {self.remote}"

    def _push(self, commit: str) -> None:
        try:
            self.git("push", "--quiet", self.remote, f"{commit}:refs/heads/{self.config.branch}")
        except _GitFailed as e:
            moved = "non-fast-forward" in e.stderr_tail or "fetch first" in e.stderr_tail
            why = "the branch moved on the remote since the fetch; rerun" if moved else e.stderr_tail
            raise DeployError(f"deploy.{self.name}: push to {self.remote} {self.config.branch} failed: {why} "
                              f"(the published branch is unchanged)") from None
        self.git("update-ref", self.tracking, commit)

    # --- rollback ---------------------------------------------------------------------------------

    def rollback(self, dry_run: bool) -> tuple[Plan, str]:
        """A new commit with the tree of the one before the head: history keeps both."""
        try:
            return self._rollback(dry_run)
        except _GitFailed as e:
            raise DeployError(f"deploy.{self.name}: git failed: {e} (nothing was pushed)") from None

    def _rollback(self, dry_run: bool) -> tuple[Plan, str]:
        head = self._fetch()
        if head is None:
            raise DeployError(f"deploy.{self.name}: {self.remote} has no branch {self.config.branch} yet")
        try:
            previous = self.git("rev-parse", "--verify", "--quiet", f"{head}^").strip()
        except _GitFailed:
            raise DeployError(f"deploy.{self.name}: the head of {self.config.branch} has no parent commit "
                              f"to roll back to") from None
        self.tree = self.git("rev-parse", f"{previous}^{{tree}}").strip()
        sizes = self._tree_sizes(self.tree)
        plan = self._diff(head, self.tree, sizes)
        plan.unchanged = len(sizes) - len(plan.new) - len(plan.changed)
        if dry_run:
            return plan, f"to the tree of {previous[:10]}"
        commit = self.git("commit-tree", self.tree, "-p", head, "-m", f"showcase rollback to {previous[:10]}").strip()
        self._push(commit)
        self.base_file.unlink(missing_ok=True)  # the index describes build/, not this tree: rebuild it next time
        return plan, f"commit {commit[:10]} restores {previous[:10]} on {self.config.branch}"


class _GitFailed(Exception):
    def __init__(self, command: str, stderr: str):
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        # what the remote said and why git gave up, not the progress chatter around it
        telling = [line for line in lines if line.startswith(("remote:", "fatal:", "error:", "!"))] or lines
        self.stderr_tail = " | ".join(telling[-4:]) or f"git {command} failed"
        super().__init__(self.stderr_tail)


def _scp_like(remote: str) -> bool:
    """git's scp-like syntax, user@host:path or host:path (a colon before any slash)."""
    head = remote.split("/", 1)[0]
    return ":" in head and not remote.startswith(("/", "./", "../"))
