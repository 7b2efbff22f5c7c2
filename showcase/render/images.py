"""The storefront's pictures: feed picture sources in, resized WebP + JPEG variants and ``Picture``s out.

``Images(mode, site_root, cache_dir)`` works in three steps: ``prepare(sources)`` makes sure every
distinct source has its variants in the cache, ``picture(source)`` gives a template what one
``<img>``/``<picture>`` needs, ``publish(out_dir)`` puts the files those pictures refer to under
``out_dir/img/``. Guarantees:

* **Sources.** A source is an http(s) URL or a path relative to ``site_root`` (as local feeds write
  them, e.g. ``feeds/demo/images/phone-blue.jpg``). A path must stay inside ``site_root``: a ``..``
  part, an absolute path, a symlink leading out and any other URL scheme are refused.
* **Modes.** ``local``: URLs are downloaded and resized like local files. ``hotlink``: a URL goes into
  the page as it is (only http(s) with a host; dimensions unknown, so the ``box`` size is given and the
  CSS uses ``object-fit``); local paths cannot be hotlinked, so they are resized as in ``local`` mode.
* **Never an exception for one picture.** A missing file, a 404, a refused path, bytes that are not
  an image, an image over the byte or pixel limit: a ``(source, reason)`` in ``ImageReport.failed``
  and a warning in the log (the first 20 one by one); the picture is the placeholder. A transient
  download error (timeout, connection, 5xx) for a URL that has a good copy from an earlier run keeps
  that copy (``ImageReport.stale``).
* **Untrusted bytes.** Only JPEG, PNG, WebP, GIF, BMP, TIFF and AVIF are decoded (never EPS and the
  like, which call external programs). The image size is checked from its header before anything
  is decoded (``max_pixels``), bytes are limited (``max_bytes``) on disk and on the wire. Outputs
  are re-encoded pixels only: no EXIF, no GPS, no comments.
* **Right way up, right colours, never upscaled.** EXIF orientation is applied; an embedded ICC
  profile (Adobe RGB, CMYK) is converted to sRGB; transparency goes on white. Each width in
  ``widths`` is clamped to the original width, so a 400 px image gives 160, 320 and 400, and a
  100 px image gives only 100. Heights keep the aspect ratio.
* **Processed once.** Outputs are named by a content hash: ``img/<s[:2]>/<s>-<width>.<jpg|webp>``,
  ``s`` = 16 hex digits of sha256(RECIPE + sha256(source bytes)). The index is checked before any
  decoding: an unchanged image (same bytes, from whichever source) is never processed again, a new
  width is added without touching the others, and a change of the encoder settings (``RECIPE``)
  gives every output a new name, so no browser or CDN cache can serve old bytes under a kept name.
* **Downloaded once.** ETag and Last-Modified are kept per URL and sent back; a 304 costs one
  request and nothing else. A URL known to serve broken bytes is not downloaded again while it
  answers 304.
* **Safe to interrupt and re-run.** Every file is written to a temp name and renamed into place;
  the index (SQLite, WAL) is updated after the files it describes. Work runs ``parallel`` at a time
  in threads (Pillow and the network release the GIL); memory holds one image per thread (a JPEG is
  decoded at the smallest 1/2, 1/4 or 1/8 scale that still covers the largest width needed).
* **Cheap ``picture()``.** After ``prepare`` it is a dict lookup and some string formatting, with no
  I/O: call it from forked workers, or pickle the ``Images`` object to spawned ones.
* **publish** hard-links from the cache (copies across filesystems), never rewrites a file whose
  bytes are already in place, and writes ``img/placeholder.svg``.

Cache layout (``cache_dir``, e.g. ``SITE/.showcase/images/``)::

    index.sqlite                  sources (url or path -> etag, last_modified, sha256, stem, status, error)
                                  images  (stem -> sha256, width, height of the original, upright)
    originals/<h[:2]>/<h>         downloaded bytes, h = sha256(URL)
    img/<s[:2]>/<s>-<w>.jpg|webp  variants, laid out as published under out_dir/img/
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import math
import os
import secrets
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import click
import requests
from PIL import Image, ImageOps

from showcase import __version__
from showcase.fetch import error_reason

try:
    from PIL import ImageCms
except ImportError:  # Pillow built without littlecms: ICC profiles are dropped, not converted
    ImageCms = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

MODES = ("hotlink", "local")
RECIPE = "1;jpeg:q78,progressive;webp:q78,m4;lanczos"  # change it and every output gets a new name
JPEG_OPTIONS = {"quality": 78, "progressive": True, "optimize": True}
WEBP_OPTIONS = {"quality": 78, "method": 4}
FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF", "AVIF")  # what Image.open may decode, if built in
PLACEHOLDER = "placeholder.svg"
USER_AGENT = f"showcase/{__version__}"
CHUNK = 64 * 1024
RETRY_DELAY = 0.5  # seconds before the one retry of a transient download error
EXIF_ORIENTATION = 0x0112
LOG_FAILED = 20  # failures logged one by one; the report has them all
INDEX_VERSION = 1


@dataclass(frozen=True, slots=True)
class Picture:
    """What a template needs for one ``<img>``/``<picture>``."""

    src: str  # fallback JPEG, site-absolute ("/img/ab/…-640.jpg"), or the remote URL when hotlinked
    width: int  # intrinsic size of ``src``, always set (no layout shift)
    height: int
    srcset: str = ""  # "…-160.jpg 160w, …-320.jpg 320w, …-640.jpg 640w"; '' when hotlinked or placeholder
    webp_srcset: str = ""  # the same widths as WebP, for <source type="image/webp">; '' likewise
    placeholder: bool = False  # the picture was missing or broken: src is the placeholder SVG


@dataclass
class ImageReport:
    """What one ``prepare`` did. ``total == processed + cached + hotlinked + len(stale) + len(failed)``."""

    total: int  # distinct sources
    processed: int  # decoded and resized this run
    cached: int  # outputs already in the cache: unchanged file, a 304, or bytes seen under another source
    failed: list[tuple[str, str]]  # (source, reason): these get the placeholder
    hotlinked: int = 0  # URLs left on the shop's server (hotlink mode)
    stale: list[tuple[str, str]] = field(default_factory=list)  # (URL, reason): transient error, last good copy kept
    elapsed: float = 0.0  # seconds


@dataclass(frozen=True, slots=True)
class _Entry:
    """A prepared image: output name stem and the size of the original, upright."""

    stem: str
    width: int
    height: int


class _Failed(Exception):
    """This source gets the placeholder; the message is the reason shown to the publisher."""


class _Transient(_Failed):
    """A download error that another attempt may not repeat (timeout, connection, 5xx)."""


class _Broken(_Failed):
    """Bytes were read, but they are not an image we accept."""


_HOTLINK = object()  # entry marker: a URL that goes into the page as it is


class Images:
    """Prepare, look up and publish the pictures of one site (see the module docstring)."""

    def __init__(
        self,
        mode: str,
        site_root: Path,
        cache_dir: Path,
        *,
        widths: Iterable[int] = (160, 320, 640),
        box: tuple[int, int] = (640, 640),
        timeout: float = 15.0,
        parallel: int = 4,
        session: requests.Session | None = None,
        base_url: str = "/",
        max_bytes: int = 20 << 20,
        max_pixels: int = 40_000_000,
    ):
        if mode not in MODES:
            raise ValueError(f"images mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.widths = tuple(sorted({int(w) for w in widths}))
        if not self.widths or self.widths[0] < 1:
            raise ValueError(f"image widths must be positive integers, not {widths!r}")
        self.mode = mode
        self.site_root = Path(site_root).resolve()
        self.cache_dir = Path(cache_dir)
        self.box = (int(box[0]), int(box[1]))
        self.timeout = timeout
        self.parallel = max(1, parallel)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.max_bytes = max_bytes
        self.max_pixels = max_pixels
        self._session = session
        self._entries: dict[str, _Entry | object | None] = {}  # source -> entry, _HOTLINK, None (placeholder)
        self._setup_runtime()

    def _setup_runtime(self) -> None:
        self._index: _Index | None = None
        self._stem_locks = [threading.Lock() for _ in range(64)]
        self._dirs: set[Path] = set()  # cache folders known to exist
        self.placeholder = Picture(f"{self.base_url}img/{PLACEHOLDER}", *self.box, placeholder=True)

    def __getstate__(self) -> dict:  # for spawned worker processes: the lookup table, not the machinery
        state = self.__dict__.copy()
        for name in ("_session", "_index", "_stem_locks", "_dirs", "placeholder"):
            state.pop(name)
        state["_entries"] = {k: (v if v is not _HOTLINK else "hotlink") for k, v in self._entries.items()}
        return state

    def __setstate__(self, state: dict) -> None:
        state["_entries"] = {k: (_HOTLINK if v == "hotlink" else v) for k, v in state["_entries"].items()}
        self.__dict__.update(state)
        self._session = None
        self._setup_runtime()

    # --- prepare ---------------------------------------------------------------------------------

    def prepare(self, sources: Iterable[str], *, progress: bool = False) -> ImageReport:
        """Make sure every distinct source has its variants in the cache; never raises for one picture.

        May be called more than once: the pictures prepared add up.
        """
        started = time.monotonic()
        distinct = list(dict.fromkeys(s.strip() for s in sources if isinstance(s, str)))
        report = ImageReport(total=len(distinct), processed=0, cached=0, failed=[])
        failed: dict[str, str] = {}
        stale: dict[str, str] = {}
        todo = []
        for source in distinct:
            kind = _kind(source)
            if self.mode == "hotlink" and kind == "url":
                self._entries[source] = _HOTLINK
                report.hotlinked += 1
            elif kind in ("url", "path"):
                todo.append(source)
            else:
                self._entries[source] = None
                failed[source] = kind
        if todo:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            own_session = self._session is None
            session = self._session or _new_session(self.parallel)
            self._index = _Index(self.cache_dir / "index.sqlite")
            bar = _Progress(progress, len(todo))
            try:
                for source, (outcome, entry, reason) in self._run(todo, session):
                    self._entries[source] = entry
                    if outcome == "processed":
                        report.processed += 1
                    elif outcome == "cached":
                        report.cached += 1
                    elif outcome == "stale":
                        stale[source] = reason
                    else:
                        failed[source] = reason
                    bar.advance(outcome == "failed")
            finally:
                bar.close()
                self._index.close()
                self._index = None
                if own_session:
                    session.close()
        order = {source: i for i, source in enumerate(distinct)}  # report in the order given
        report.failed = sorted(failed.items(), key=lambda item: order[item[0]])
        report.stale = sorted(stale.items(), key=lambda item: order[item[0]])
        for source, reason in report.failed[:LOG_FAILED]:
            log.warning("picture %s: %s (the placeholder is shown)", source, reason)
        if len(report.failed) > LOG_FAILED:
            log.warning("%d more pictures failed (see the report)", len(report.failed) - LOG_FAILED)
        for source, reason in report.stale:
            log.warning("picture %s: %s (the copy from an earlier build is kept)", source, reason)
        report.elapsed = time.monotonic() - started
        log.info("images: %d sources, %d processed, %d cached, %d hotlinked, %d stale, %d failed in %.2f s",
                 report.total, report.processed, report.cached, report.hotlinked, len(report.stale),
                 len(report.failed), report.elapsed)
        return report

    def _run(self, todo: list[str], session: requests.Session):
        """Yield (source, outcome) as sources finish, with a bounded number of them in flight."""
        pending: dict[Future, str] = {}
        queue = iter(todo)
        with ThreadPoolExecutor(max_workers=self.parallel, thread_name_prefix="images") as pool:
            try:
                while True:
                    while len(pending) < self.parallel * 4 and (source := next(queue, None)) is not None:
                        pending[pool.submit(self._prepare_one, source, session)] = source
                    if not pending:
                        return
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield pending.pop(future), future.result()
            except BaseException:  # Ctrl-C or the consumer stopped: do not start what is queued
                for future in pending:
                    future.cancel()
                raise

    def _prepare_one(self, source: str, session: requests.Session) -> tuple[str, _Entry | None, str]:
        """(outcome, entry, reason); outcome is processed | cached | stale | failed. Never raises."""
        try:
            if _kind(source) == "url":
                return self._prepare_url(source, session)
            return self._prepare_path(source)
        except _Failed as exc:
            return "failed", None, str(exc)
        except Exception as exc:  # a bug: keep going with the other pictures, but show the traceback
            log.exception("picture %s failed unexpectedly", source)
            return "failed", None, f"unexpected error: {exc!r}"

    def _prepare_path(self, source: str) -> tuple[str, _Entry | None, str]:
        path = self._local_path(source)
        try:
            with open(path, "rb") as f:
                data = f.read(self.max_bytes + 1)
        except OSError as exc:
            raise _Failed(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(data) > self.max_bytes:
            raise _Failed(f"file is over the limit of {self.max_bytes} bytes")
        sha = hashlib.sha256(data).hexdigest()
        try:
            entry, processed = self._render(data, sha)
        except _Broken as exc:
            self._index.put_source(source, sha256=sha, stem=None, status="broken", error=str(exc))
            raise
        self._index.put_source(source, sha256=sha, stem=entry.stem, status="ok", error=None)
        return ("processed" if processed else "cached"), entry, ""

    def _local_path(self, source: str) -> Path:
        """The file a relative source names, refused unless it stays inside site_root."""
        rel = PurePosixPath(source)
        if "\\" in source or "\x00" in source:
            raise _Failed("refused: a backslash or NUL in a local path")
        if ".." in rel.parts:
            raise _Failed("refused: the path leaves the site folder ('..')")
        try:
            path = (self.site_root / rel).resolve(strict=True)
        except FileNotFoundError:
            raise _Failed(f"no such file: {self.site_root / rel}") from None
        except (OSError, RuntimeError) as exc:  # a symlink loop, a permission problem
            raise _Failed(f"cannot open {self.site_root / rel}: {exc}") from None
        if not path.is_relative_to(self.site_root):
            raise _Failed("refused: the path leads out of the site folder (a symlink)")
        if not path.is_file():
            raise _Failed(f"not a file: {path}")
        return path

    def _prepare_url(self, url: str, session: requests.Session) -> tuple[str, _Entry | None, str]:
        row = self._index.source(url) or {}
        original = self._original_path(url)
        previous = self._cached_entry(row["stem"]) if row.get("status") == "ok" and row.get("stem") else None
        headers = {}
        if (row.get("status") == "ok" and (previous or original.is_file())) or row.get("status") == "broken":
            if row.get("etag"):
                headers["If-None-Match"] = row["etag"]
            if row.get("last_modified"):
                headers["If-Modified-Since"] = row["last_modified"]
        try:
            got = self._download(url, original, headers, session)
            if got is None and not previous and row.get("status") != "broken" and not original.is_file():
                got = self._download(url, original, {}, session)  # a 304, but we have nothing to keep
        except _Transient as exc:
            self._index.put_source(url, error=str(exc))
            if previous:
                return "stale", previous, str(exc)
            raise
        except _Failed as exc:
            self._index.put_source(url, etag=None, last_modified=None, sha256=None, stem=None,
                                   status="error", error=str(exc))
            raise
        if got is None:  # 304: nothing changed since the last run
            if row.get("status") == "broken":
                raise _Broken(row.get("error") or "not an image")
            if previous:
                if row.get("error"):
                    self._index.put_source(url, error=None)
                return "cached", previous, ""
            validators = {"etag": row.get("etag"), "last_modified": row.get("last_modified")}
        else:
            validators = got
        sha = _file_sha256(original)
        try:
            entry, processed = self._render(original, sha)
        except _Broken as exc:
            original.unlink(missing_ok=True)  # keep the verdict (and validators), not the junk
            self._index.put_source(url, **validators, sha256=sha, stem=None, status="broken", error=str(exc))
            raise
        self._index.put_source(url, **validators, sha256=sha, stem=entry.stem, status="ok", error=None)
        return ("processed" if processed else "cached"), entry, ""

    def _original_path(self, url: str) -> Path:
        h = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / "originals" / h[:2] / h

    def _download(self, url: str, dest: Path, headers: dict, session: requests.Session) -> dict | None:
        """GET url into dest (atomically). None for a 304, else the new validators. One retry if transient."""
        try:
            return self._download_once(url, dest, headers, session)
        except _Transient as exc:
            log.info("picture %s: %s; retrying in %.1f s", url, exc, RETRY_DELAY)
            time.sleep(RETRY_DELAY)
            return self._download_once(url, dest, headers, session)

    def _download_once(self, url: str, dest: Path, headers: dict, session: requests.Session) -> dict | None:
        headers = {"User-Agent": USER_AGENT, "Accept": "image/webp,image/jpeg,image/png,image/*;q=0.8", **headers}
        try:
            resp = session.get(url, headers=headers, timeout=(self.timeout, self.timeout), stream=True)
        except requests.Timeout:
            raise _Transient(f"no response within {self.timeout:g} s") from None
        except requests.ConnectionError as exc:
            raise _Transient(f"cannot connect: {error_reason(exc)}") from None
        except requests.RequestException as exc:
            raise _Failed(f"download failed: {error_reason(exc)}") from None
        with resp:
            status = f"HTTP {resp.status_code} {resp.reason or ''}".rstrip()
            if resp.status_code == 304:
                if "If-None-Match" in headers or "If-Modified-Since" in headers:
                    return None
                raise _Failed(f"{status} to a request that was not conditional")
            if resp.status_code >= 500 or resp.status_code == 429:
                raise _Transient(status)
            if resp.status_code != 200:
                raise _Failed(status)
            length = resp.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                raise _Failed(f"image is {length} bytes, over the limit of {self.max_bytes} bytes")
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = _temp_name(dest)
            try:
                size = 0
                with open(tmp, "xb") as out:
                    for chunk in resp.iter_content(CHUNK):
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise _Failed(f"image is over the limit of {self.max_bytes} bytes")
                        out.write(chunk)
                if size == 0:
                    raise _Failed("server sent an empty body")
                os.replace(tmp, dest)
            except requests.RequestException as exc:
                tmp.unlink(missing_ok=True)
                raise _Transient(f"download broke off: {error_reason(exc)}") from None
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            return {"etag": resp.headers.get("ETag"), "last_modified": resp.headers.get("Last-Modified")}

    # --- decode, resize, encode ------------------------------------------------------------------

    def _render(self, data: bytes | Path, sha: str) -> tuple[_Entry, bool]:
        """The entry for these source bytes; (entry, True) when variants had to be made."""
        stem = _stem(sha)
        with self._stem_locks[int(stem[:4], 16) % len(self._stem_locks)]:  # same bytes in two sources: once
            entry = self._cached_entry(stem)
            if entry:
                return entry, False
            width, height = self._encode(data, stem)
            self._index.put_image(stem, sha, width, height)
            return _Entry(stem, width, height), True

    def _cached_entry(self, stem: str) -> _Entry | None:
        """The entry when the index knows the image and every variant file is there."""
        size = self._index.image(stem)
        if size is None:
            return None
        entry = _Entry(stem, *size)
        for rel in self._files(entry):
            try:
                if (self.cache_dir / rel).stat().st_size == 0:
                    return None
            except OSError:
                return None
        return entry

    def _encode(self, data: bytes | Path, stem: str) -> tuple[int, int]:
        """Decode, orient, convert, resize and write the missing variants; the upright original size."""
        try:
            with Image.open(io.BytesIO(data) if isinstance(data, bytes) else data, formats=_formats()) as im:
                w, h = im.size
                if w * h > self.max_pixels:
                    raise _Broken(f"image is {w}×{h} pixels, over the limit of {self.max_pixels}")
                turned = im.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8)
                width, height = (h, w) if turned else (w, h)
                missing: dict[tuple[int, int], list[str]] = {}  # (width, height) -> extensions to write
                for vw, vh in _variants(width, height, self.widths):
                    for ext in ("jpg", "webp"):
                        if not _nonempty(self._variant_path(stem, vw, ext)):
                            missing.setdefault((vw, vh), []).append(ext)
                if not missing:
                    return width, height
                largest = max(vw for vw, _ in missing)
                scale = largest / width
                im.draft(None, (math.ceil(w * scale), math.ceil(h * scale)))  # JPEG: decode at 1/2, 1/4, 1/8
                im.load()
                ImageOps.exif_transpose(im, in_place=True)
                rgb = _to_srgb(im)
        except _Failed:
            raise
        except Image.UnidentifiedImageError:
            raise _Broken(f"not an image (or not one of {', '.join(_formats())})") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _Broken(f"refused as a decompression bomb: {exc}") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError, IndexError, TypeError) as exc:
            raise _Broken(f"cannot decode the image: {exc}") from None
        try:
            for (vw, vh), exts in missing.items():
                resized = rgb if rgb.size == (vw, vh) else rgb.resize((vw, vh), Image.Resampling.LANCZOS,
                                                                      reducing_gap=3.0)
                for ext in exts:
                    self._save(resized, self._variant_path(stem, vw, ext), ext)
        except OSError as exc:
            raise _Failed(f"cannot write the cache in {self.cache_dir}: {exc}") from None
        return width, height

    def _save(self, image: Image.Image, path: Path, ext: str) -> None:
        if path.parent not in self._dirs:  # a set lookup is cheaper than a mkdir call per file
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        tmp = _temp_name(path)
        try:
            with open(tmp, "xb") as f:
                if ext == "jpg":
                    image.save(f, "JPEG", **JPEG_OPTIONS)
                else:
                    image.save(f, "WEBP", **WEBP_OPTIONS)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _variant_path(self, stem: str, width: int, ext: str) -> Path:
        return self.cache_dir / "img" / stem[:2] / f"{stem}-{width}.{ext}"

    def _files(self, entry: _Entry) -> list[str]:
        """Paths of an entry's variants, relative to the cache (and to out_dir when published)."""
        return [f"img/{entry.stem[:2]}/{entry.stem}-{vw}.{ext}"
                for vw, _ in _variants(entry.width, entry.height, self.widths) for ext in ("jpg", "webp")]

    # --- picture ---------------------------------------------------------------------------------

    def picture(self, source: str, alt_unused=None) -> Picture:
        """The Picture for a source: no I/O. Unknown to ``prepare`` or broken: the placeholder."""
        source = source.strip() if isinstance(source, str) else ""
        entry = self._entries.get(source)
        if entry is None:
            if self.mode == "hotlink" and source not in self._entries and _kind(source) == "url":
                return Picture(source.replace(" ", "%20"), *self.box)
            return self.placeholder
        if entry is _HOTLINK:
            return Picture(source.replace(" ", "%20"), *self.box)
        variants = _variants(entry.width, entry.height, self.widths)
        base = f"{self.base_url}img/{entry.stem[:2]}/{entry.stem}-"
        largest_w, largest_h = variants[-1]
        return Picture(
            src=f"{base}{largest_w}.jpg",
            width=largest_w,
            height=largest_h,
            srcset=", ".join(f"{base}{vw}.jpg {vw}w" for vw, _ in variants),
            webp_srcset=", ".join(f"{base}{vw}.webp {vw}w" for vw, _ in variants),
        )

    # --- publish ---------------------------------------------------------------------------------

    def files(self) -> list[tuple[str, Path]]:
        """(path under the site, file in the cache) for every variant of the prepared pictures and the
        placeholder: for an output layer that decides itself what to place. Variant names hold a hash of
        their content; the placeholder's does not."""
        placeholder = self.cache_dir / "img" / PLACEHOLDER
        placeholder.parent.mkdir(parents=True, exist_ok=True)
        _write_if_changed(placeholder, _placeholder_svg(*self.box))
        rels = set()
        for entry in self._entries.values():
            if isinstance(entry, _Entry):
                rels.update(self._files(entry))
        return [(f"img/{PLACEHOLDER}", placeholder)] + [(rel, self.cache_dir / rel) for rel in sorted(rels)]

    def publish(self, out_dir: Path) -> list[str]:
        """Link (or copy) every file of ``files()`` into out_dir/img/; returns their paths relative to
        out_dir, sorted, whether written now or already in place. (The build places them itself.)"""
        out_dir = Path(out_dir)
        pairs = self.files()
        written = sum(_link_or_copy(source, out_dir / rel) for rel, source in pairs)
        log.info("images: %d files in %s, %d written", len(pairs), out_dir / "img", written)
        return sorted(rel for rel, _ in pairs)


# --- helpers ---------------------------------------------------------------------------------------


def _kind(source: str) -> str:
    """'url', 'path', or the reason the source is refused."""
    if not source:
        return "refused: empty picture source"
    lower = source[:8].lower()
    if lower.startswith(("http://", "https://")):
        parts = urlsplit(source)
        if not parts.hostname or any(ord(ch) < 32 or ord(ch) == 127 for ch in source):
            return "refused: not a valid http(s) URL"
        return "url"
    if source.startswith("//"):
        return "refused: a protocol-relative URL ('//host/...'), only http(s)"
    if source.startswith(("/", "\\")):
        return "refused: absolute paths are not allowed, only paths relative to the site folder"
    head = source.split("/", 1)[0]
    if ":" in head:
        return f"refused: unsupported URL scheme {head.split(':', 1)[0]!r}, only http(s)"
    return "path"


@functools.cache
def _formats() -> tuple[str, ...]:
    """The accepted formats this Pillow can open (all plugins registered once, so none is missed)."""
    Image.init()
    return tuple(name for name in FORMATS if name in Image.OPEN)


def _variants(width: int, height: int, widths: tuple[int, ...]) -> list[tuple[int, int]]:
    """(width, height) of each variant, ascending: each width clamped to the original (never upscaled)."""
    return [(vw, max(1, round(height * vw / width))) for vw in sorted({min(w, width) for w in widths})]


def _stem(sha: str) -> str:
    return hashlib.sha256(f"{RECIPE}\n{sha}".encode()).hexdigest()[:16]


def _to_srgb(im: Image.Image) -> Image.Image:
    """RGB pixels in sRGB: ICC profile converted, transparency flattened on white."""
    icc = im.info.get("icc_profile")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        im = Image.new("RGB", rgba.size, (255, 255, 255))
        im.paste(rgba, mask=rgba.getchannel("A"))
    if icc and ImageCms is not None and im.mode in ("RGB", "CMYK", "L"):
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(im, profile, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError) as exc:
            log.debug("ignoring an unusable ICC profile: %s", exc)
    return im if im.mode == "RGB" else im.convert("RGB")


def _nonempty(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{secrets.token_hex(6)}")


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        sa, sb = a.stat(), b.stat()
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            return True
        if sa.st_size != sb.st_size:
            return False
        with open(a, "rb") as fa, open(b, "rb") as fb:
            while True:
                ca, cb = fa.read(CHUNK), fb.read(CHUNK)
                if ca != cb:
                    return False
                if not ca:
                    return True
    except OSError:
        return False


def _link_or_copy(src: Path, dest: Path) -> bool:
    """Hard-link src at dest (copy across filesystems); False when dest already has those bytes."""
    if _same_bytes(src, dest):
        return False
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(dest)
    try:
        try:
            os.link(src, tmp)
        except FileNotFoundError:
            raise
        except OSError:  # another filesystem, or one without hard links
            shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return True


def _placeholder_svg(width: int, height: int) -> bytes:
    """A light-grey box with a simple picture icon (frame, sun, hills) in the middle."""
    x, y = width / 2 - 120, height / 2 - 100
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="No picture">'
        f'<rect width="{width}" height="{height}" fill="#f1f3f5"/>'
        f'<g transform="translate({x:g} {y:g})" fill="none" stroke="#adb5bd" stroke-width="12" '
        f'stroke-linecap="round" stroke-linejoin="round">'
        f'<rect x="6" y="6" width="228" height="188" rx="16"/>'
        f'<circle cx="72" cy="66" r="20"/>'
        f'<path d="M12 168l64-64 44 44 32-32 76 76"/>'
        f"</g></svg>\n"
    ).encode()


def _new_session(parallel: int) -> requests.Session:
    session = requests.Session()
    session.max_redirects = 5
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(1, parallel))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class _Index:
    """index.sqlite, shared by the worker threads of one ``prepare`` under a lock."""

    SCHEMA = """
    CREATE TABLE IF NOT EXISTS sources (
        source TEXT PRIMARY KEY,        -- a URL or a path relative to the site folder
        etag TEXT,                      -- validators of the last 200 (URLs)
        last_modified TEXT,
        sha256 TEXT,                    -- of the last bytes read
        stem TEXT,                      -- output name stem when those bytes made an image
        status TEXT NOT NULL,           -- ok | broken (not an image) | error (no bytes: 404, refused...)
        error TEXT,                     -- the last problem, NULL when the last run went well
        updated_at TEXT NOT NULL        -- when this row last changed
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS images (
        stem TEXT PRIMARY KEY,          -- 16 hex: sha256(RECIPE + sha256 of the source bytes)
        sha256 TEXT NOT NULL,
        width INTEGER NOT NULL,         -- the original, upright (EXIF orientation applied)
        height INTEGER NOT NULL
    ) WITHOUT ROWID;
    """
    COLUMNS = ("etag", "last_modified", "sha256", "stem", "status", "error")

    def __init__(self, path: Path):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30, isolation_level=None)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            if self._db.execute("PRAGMA user_version").fetchone()[0] != INDEX_VERSION:
                self._db.executescript("DROP TABLE IF EXISTS sources; DROP TABLE IF EXISTS images;")
                self._db.executescript(self.SCHEMA)
                self._db.execute(f"PRAGMA user_version={INDEX_VERSION}")
        except BaseException:
            self._db.close()
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def source(self, source: str) -> dict | None:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(self.COLUMNS)} FROM sources WHERE source = ?",
                                   (source,)).fetchone()
        return dict(zip(self.COLUMNS, row, strict=True)) if row else None

    def put_source(self, source: str, **changes) -> None:
        """Update the given columns of a source's row (created when new); no write when nothing changes."""
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(self.COLUMNS)} FROM sources WHERE source = ?",
                                   (source,)).fetchone()
            values = dict(zip(self.COLUMNS, row, strict=True)) if row else {"status": "error"}
            merged = {**values, **changes}
            if row and merged == values:
                return
            self._db.execute(
                f"INSERT OR REPLACE INTO sources (source, {', '.join(self.COLUMNS)}, updated_at) "
                f"VALUES (?, {', '.join('?' * len(self.COLUMNS))}, ?)",
                (source, *(merged.get(c) for c in self.COLUMNS), _now()),
            )

    def image(self, stem: str) -> tuple[int, int] | None:
        with self._lock:
            return self._db.execute("SELECT width, height FROM images WHERE stem = ?", (stem,)).fetchone()

    def put_image(self, stem: str, sha: str, width: int, height: int) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO images VALUES (?, ?, ?, ?)", (stem, sha, width, height))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _Progress:
    """``images 120/305`` redrawn on stderr when it is a terminal; nothing otherwise."""

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled and sys.stderr.isatty()
        self.total, self.done, self.failed = total, 0, 0
        self._drawn_at = 0.0

    def advance(self, failed: bool) -> None:
        self.done += 1
        self.failed += failed
        now = time.monotonic()
        if self.enabled and (now - self._drawn_at > 0.2 or self.done == self.total):
            self._drawn_at = now
            extra = f" ({self.failed} failed)" if self.failed else ""
            click.echo(f"\rimages {self.done}/{self.total}{extra}", err=True, nl=False)

    def close(self) -> None:
        if self.enabled and self._drawn_at:
            click.echo("\r" + " " * 40 + "\r", err=True, nl=False)


__all__ = ["ImageReport", "Images", "Picture"]
