"""One output layer: the next build is written into a staging folder, then swapped in.

- A file whose bytes equal the live build's is a hard link to the live file, not a new write,
  so its mtime stays put (rsync and CDN sync see no change).
- A page whose context is unchanged since the last build (and whose templates, site.yml and
  showcase version are unchanged) is not rendered at all: its live file is linked.
- Pages no longer produced are simply absent from the staging folder, so they disappear.
- Only a complete build is swapped in (two renames); a failed build leaves the live site as it was.

The manifest (``.showcase/build-manifest.json``) maps each output path to its context hash and
its content hash.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

MANIFEST_VERSION = 1


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Manifest:
    def __init__(self, path: Path):
        self.path = path
        self.inputs = ""  # hash of everything global that shapes pages (templates, config, version)
        self.files: dict[str, list[str]] = {}  # path -> [context hash, content hash]

    @classmethod
    def load(cls, path: Path) -> Manifest:
        m = cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == MANIFEST_VERSION:
                m.inputs, m.files = data["inputs"], data["files"]
        except (OSError, ValueError, KeyError):
            pass  # no usable manifest: everything is rendered and written
        return m

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"version": MANIFEST_VERSION, "inputs": self.inputs, "files": self.files},
                                  separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.path)


class Writer:
    """Writes outputs into the staging folder; usable from worker processes (returns manifest entries)."""

    def __init__(self, live: Path, staging: Path, old: Manifest, inputs_unchanged: bool):
        self.live, self.staging, self.old = live, staging, old
        self.inputs_unchanged = inputs_unchanged
        self.entries: dict[str, list[str]] = {}
        self.written = self.kept = self.skipped = 0

    def reuse(self, rel: str, context_hash: str) -> bool:
        """Link the live file when this page's context is unchanged; False when it must be rendered."""
        old = self.old.files.get(rel)
        if not (self.inputs_unchanged and old and old[0] == context_hash and context_hash):
            return False
        if not self._link(rel):
            return False
        self.entries[rel] = old
        self.skipped += 1
        return True

    def write(self, rel: str, data: bytes, context_hash: str = "") -> None:
        content = digest(data)
        old = self.old.files.get(rel)
        self.entries[rel] = [context_hash, content]
        if old and old[1] == content and self._link(rel):
            self.kept += 1
            return
        dest = self.staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        self.written += 1

    def record(self, rel: str) -> None:
        """A content-addressed file already placed in staging (images: the name holds the hash)."""
        self.entries[rel] = ["", rel]
        if rel in self.old.files:
            self.kept += 1
        else:
            self.written += 1

    def adopt(self, rel: str) -> None:
        """A file some tool wrote into staging (e.g. the search index): link the live copy when identical."""
        dest = self.staging / rel
        data = dest.read_bytes()
        content = digest(data)
        old = self.old.files.get(rel)
        self.entries[rel] = ["", content]
        if old and old[1] == content and (self.live / rel).is_file():
            dest.unlink()
            if self._link(rel):
                self.kept += 1
                return
            dest.write_bytes(data)
        self.written += 1

    def _link(self, rel: str) -> bool:
        src = self.live / rel
        dest = self.staging / rel
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(src, dest)
            return True
        except FileNotFoundError:
            return False  # the live file is gone (deleted by hand): write it anew
        except OSError:
            try:  # another filesystem: copy, keeping the mtime
                shutil.copy2(src, dest)
                return True
            except OSError:
                return False


def swap_in(staging: Path, live: Path) -> None:
    """Replace the live build by the staging folder: two renames, the old build removed after."""
    previous = live.with_name(f".{live.name}.previous")  # .build.previous
    if previous.exists():
        shutil.rmtree(previous)
    if live.exists():
        os.rename(live, previous)
    os.rename(staging, live)
    if previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
