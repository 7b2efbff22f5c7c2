"""The ``s3`` target: an S3-compatible bucket through boto3 (AWS, Yandex Object Storage, R2, MinIO, ...).

A file is uploaded when its MD5 differs from the object's ETag (which is the MD5 of an object uploaded
in one part, as showcase uploads them), not when its mtime does. Every object gets its Content-Type
and a Cache-Control: long and immutable for names that carry a content hash, short for everything
else. Order: the listing first (bad credentials or a missing bucket fail there, before any write),
then fingerprinted files, then the rest (so no new page names an asset not yet uploaded), then the
deletions of keys no longer built. Only keys under ``prefix`` are listed, written or deleted.

MD5s of build/ are cached in ``.showcase/deploy/<name>/md5.json`` by size, inode, mtime and ctime
(build/ leaves unchanged files alone, and any write changes the ctime), so a deploy of a large site
reads only the files that changed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from showcase.deploy import DeployError, LocalFile, Plan, Progress, compare
from showcase.mediatypes import content_type, is_fingerprinted


class S3Target:
    def __init__(self, site, name: str, config, state: Path):
        self.name, self.config = name, config
        self.md5_cache = state / "md5.json"
        self.where = f"s3://{config.bucket}/{config.prefix}" + (f" at {config.endpoint_url}" if config.endpoint_url
                                                                else "")
        self._client = None
        self._etags: dict[str, str] = {}
        self._md5: dict[str, str] = {}

    @property
    def client(self):
        if self._client is None:
            try:
                import boto3
                from botocore.config import Config
            except ImportError:
                raise DeployError(f"deploy.{self.name}: the s3 target needs boto3: "
                                  f"pip install 'showcase[s3]' (or pip install boto3)") from None
            try:
                session = boto3.Session(profile_name=self.config.profile)
            except Exception as e:  # botocore's ProfileNotFound and friends
                raise DeployError(f"deploy.{self.name}.profile: {e}") from None
            self._client = session.client(
                "s3", endpoint_url=self.config.endpoint_url, region_name=self.config.region,
                config=Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=10, read_timeout=60,
                              max_pool_connections=self.config.parallel + 2))
        return self._client

    # --- plan -------------------------------------------------------------------------------------

    def plan(self, local: dict[str, LocalFile]) -> Plan:
        remote = self._listing()
        self._md5 = self._local_md5(local)
        return compare(local, {rel: size for rel, (size, _) in remote.items()},
                       same=lambda f: self._etags.get(f.rel) == self._md5[f.rel])

    def _listing(self) -> dict[str, tuple[int, str]]:
        prefix = self.config.prefix
        out: dict[str, tuple[int, str]] = {}
        with self._errors("list the bucket"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.config.bucket,
                                                                                Prefix=prefix):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(prefix):]
                    if rel and not rel.endswith("/"):  # "folder" placeholder objects are not ours
                        out[rel] = (obj["Size"], obj["ETag"].strip('"'))
        self._etags = {rel: etag for rel, (_, etag) in out.items()}
        return out

    def _local_md5(self, local: dict[str, LocalFile]) -> dict[str, str]:
        try:
            cached = json.loads(self.md5_cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cached = {}
        out, fresh = {}, {}
        for rel, f in local.items():
            key = [f.size, *f.stamp]
            hit = cached.get(rel)
            if hit and hit[:-1] == key:
                out[rel] = hit[-1]
            else:
                out[rel] = hashlib.md5(f.path.read_bytes(), usedforsecurity=False).hexdigest()
            fresh[rel] = [*key, out[rel]]
        self.md5_cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.md5_cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(fresh, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.md5_cache)
        return out

    # --- apply ------------------------------------------------------------------------------------

    def apply(self, plan: Plan, local: dict[str, LocalFile], progress: Progress | None) -> str:
        uploads = [rel for rel, _ in plan.new + plan.changed]
        # Fingerprinted files first, then the rest with pages last: a page never names an asset not yet there.
        waves = [sorted(r for r in uploads if is_fingerprinted(r)),
                 sorted((r for r in uploads if not is_fingerprinted(r)), key=lambda r: (r.endswith(".html"), r))]
        total, done = len(uploads) + len(plan.deleted), 0
        with self._errors(f"upload ({len(uploads)} files to send)"), \
                ThreadPoolExecutor(self.config.parallel) as pool:
            for wave in waves:
                # A few uploads queued per thread, not the whole wave: memory stays flat at 100,000 files,
                # and the first error stops the sending at once.
                pending: set = set()
                for rel in wave:
                    pending.add(pool.submit(self._put, local[rel]))
                    if len(pending) >= 4 * self.config.parallel:
                        done += self._settle(pending, FIRST_COMPLETED)
                        if progress:
                            progress(done, total)
                done += self._settle(pending, ALL_COMPLETED)
                if progress:
                    progress(done, total)
        keys = [self.config.prefix + rel for rel, _ in plan.deleted]
        with self._errors(f"delete ({len(keys)} keys no longer built; every upload is done)"):
            for start in range(0, len(keys), 1000):
                batch = keys[start:start + 1000]
                answer = self.client.delete_objects(Bucket=self.config.bucket,
                                                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True})
                if answer.get("Errors"):
                    first = answer["Errors"][0]
                    raise DeployError(f"deploy.{self.name}: {len(answer['Errors'])} keys could not be deleted, "
                                      f"e.g. {first.get('Key')}: {first.get('Code')} {first.get('Message', '')}")
                done += len(batch)
                if progress:
                    progress(done, total)
        return f"to {self.where}"

    def up_to_date(self) -> str:
        return f"at {self.where}"

    @staticmethod
    def _settle(pending: set, until: str) -> int:
        """Waits for uploads; raises the first failure (the ones still queued are dropped with the pool)."""
        finished, still = wait(pending, return_when=until)
        pending.clear()
        pending.update(still)
        for future in finished:
            if future.exception() is not None:
                for queued in still:
                    queued.cancel()
                raise future.exception()
        return len(finished)

    def _put(self, f: LocalFile) -> None:
        md5 = self._md5.get(f.rel) or hashlib.md5(f.path.read_bytes(), usedforsecurity=False).hexdigest()
        self.client.put_object(
            Bucket=self.config.bucket, Key=self.config.prefix + f.rel, Body=f.path.read_bytes(),
            ContentType=content_type(f.rel), ContentMD5=base64.b64encode(bytes.fromhex(md5)).decode(),
            CacheControl=(self.config.cache_control.fingerprinted if is_fingerprinted(f.rel)
                          else self.config.cache_control.other))

    def _errors(self, doing: str):
        return _S3Errors(self, doing)


class _S3Errors:
    """Turns boto3's exceptions into one DeployError line that names the target and what failed."""

    def __init__(self, target: S3Target, doing: str):
        self.target, self.doing = target, doing

    def __enter__(self):
        return self

    def __exit__(self, kind, error, tb):
        if error is None or isinstance(error, DeployError):
            return False
        from botocore.exceptions import BotoCoreError, ClientError

        if not isinstance(error, BotoCoreError | ClientError):
            return False
        if isinstance(error, ClientError):
            info = error.response.get("Error", {})
            code = info.get("Code", "?")
            hint = _HINTS.get(code, "")
            reason = f"{code}: {info.get('Message') or 'no message'}" + (f" ({hint})" if hint else "")
        else:
            reason = str(error)
        where = "nothing was written" if self.doing.startswith("list") else "rerun to finish"
        raise DeployError(f"deploy.{self.target.name}: cannot {self.doing} at {self.target.where}: "
                          f"{reason}; {where}") from None


_HINTS = {
    "NoSuchBucket": "check deploy.<name>.bucket; showcase does not create buckets",
    "AccessDenied": "the credentials lack permission for this bucket or prefix",
    "InvalidAccessKeyId": "check AWS_ACCESS_KEY_ID or the profile's key",
    "SignatureDoesNotMatch": "check AWS_SECRET_ACCESS_KEY or the profile's secret",
    "PermanentRedirect": "the bucket lives in another region: set deploy.<name>.region",
}
