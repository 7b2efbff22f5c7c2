"""Download partner feeds over HTTP(S), keeping the last good copy of each one safe.

``fetch_feeds`` downloads each ``FetchSpec`` to ``dest_dir / f"{name}.feed"`` and returns one
``FetchResult`` per spec, in the order given. Guarantees:

* **The last good copy survives.** A download goes to a temp file in ``dest_dir``
  (``.{name}.feed.part-<random>``); it is fsynced and checked before ``os.replace`` puts it in
  place. A connection error, a timeout, an HTTP error, a truncated body, a cut or corrupt gzip
  stream, a damaged zip, an HTML page served with 200, an empty body or a body over
  ``max_bytes`` leaves the previous copy untouched and reports the feed as ``"failed"``.
  Temp files are removed on every failure (temp files a killed run left behind are removed by the
  next run once they are an hour old).
* **Bytes as received.** The copy holds the body as the server sent it: a ``.gz`` or ``.zip``
  feed is stored compressed (the parser sniffs the bytes). Only ``Content-Encoding: gzip``, a
  transfer detail, is decoded. ``max_bytes`` limits the bytes received on the wire.
* **Conditional GET.** ETag and Last-Modified are kept per feed in the state file and sent back
  as If-None-Match / If-Modified-Since, but only while the stored copy is there, has the size
  recorded and was fetched from the same URL. A 304 leaves the copy as it is.
* **Retries** on connection errors (a body cut off mid-transfer included), timeouts (``timeout``
  is per connect and per read, not for the whole transfer) and 5xx, with exponential backoff:
  ``backoff * 2**n`` seconds. A 4xx, an HTML page, an empty or oversized body and a corrupt
  archive are not retried.
* **Independent feeds.** Feeds download in parallel; one failing feed never stops the others.
  The state file (JSON) is rewritten atomically under a lock after each feed, so it is always
  valid and parallel feeds do not clobber each other's entries. Ctrl-C stops every download at
  its next chunk and cleans up.

State file format::

    {"version": 1,
     "feeds": {"<name>": {"url": ..., "etag": ..., "last_modified": ...,
                          "last_success": "2024-05-01T12:00:00+00:00", "sha256": ..., "bytes": ...,
                          "last_error": null | "...", "last_failure": null | "<UTC ISO time>"}}}
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import requests
import urllib3.exceptions

from showcase import __version__

log = logging.getLogger(__name__)

USER_AGENT = f"showcase/{__version__}"
CHUNK = 256 * 1024
LARGE = 1 << 20  # progress is shown for downloads larger than this
STALE_PART_AGE = 3600.0  # seconds after which a leftover temp file counts as abandoned
NAME_RE = re.compile(r"[a-z0-9_-]+")
STATE_VERSION = 1


@dataclass(frozen=True)
class FetchSpec:
    name: str  # feed name, [a-z0-9_-]
    url: str  # http(s) URL
    timeout: float = 30.0  # connect + read timeout, seconds (per read, not whole transfer)
    retries: int = 3  # extra attempts on connection errors, timeouts and 5xx
    max_bytes: int = 1 << 30  # size limit of the body as received (compressed bytes)
    backoff: float = 1.0  # base seconds for exponential backoff


@dataclass
class FetchResult:
    name: str
    status: str  # "updated" | "not_modified" | "failed"
    path: Path  # the last good copy (may not exist when a first fetch failed)
    bytes: int = 0  # bytes received this run
    elapsed: float = 0.0
    error: str | None = None  # one line for the publisher, with URL and HTTP status
    changed: bool = False  # content differs from the previous copy (sha256)


class _Failure(Exception):
    """One attempt failed; ``retryable`` says whether another attempt may help."""

    def __init__(self, message: str, retryable: bool = False, received: int = 0):
        super().__init__(message)
        self.retryable = retryable
        self.received = received


@dataclass
class _Downloaded:
    """A successful attempt: 200 with a checked copy in place, or 304."""

    status: str
    received: int = 0
    sha256: str = ""
    size: int = 0
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class _Run:
    """What every worker of one ``fetch_feeds`` call shares."""

    dest_dir: Path
    state: _State
    previous: dict[str, dict]
    session: requests.Session
    progress: _Progress
    cancel: threading.Event


def fetch_feeds(
    specs: list[FetchSpec],
    dest_dir: Path,
    state_path: Path,
    *,
    parallel: int = 4,
    progress: bool = False,
    session: requests.Session | None = None,
) -> list[FetchResult]:
    """Fetch every feed, ``parallel`` at a time; results come back in the order of ``specs``.

    Raises ``ValueError`` for a bad or duplicate feed name (the config should have caught it);
    every other problem is reported in that feed's ``FetchResult``.
    """
    _check_names(specs)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    state = _State(Path(state_path))
    own_session = session is None
    run = _Run(
        dest_dir=dest_dir,
        state=state,
        previous=state.load(),
        session=session or _new_session(parallel),
        progress=_Progress(progress),
        cancel=threading.Event(),
    )
    try:
        with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="fetch") as pool:
            futures = [pool.submit(_fetch_one, spec, run) for spec in specs]
            try:
                return [future.result() for future in futures]
            except BaseException:  # Ctrl-C: stop the workers at their next chunk, then re-raise
                run.cancel.set()
                for future in futures:
                    future.cancel()
                raise
    finally:
        run.progress.close()
        if own_session:
            run.session.close()


def fetch_site(site, names: list[str], *, parallel: int = 4, progress: bool = False) -> list[FetchResult]:
    """Fetch the remote ones of a site's feeds ``names`` (local sources are read in place, not fetched)."""
    feeds = site.config.feeds
    specs = [FetchSpec(name=n, url=feeds[n].source, timeout=feeds[n].timeout, max_bytes=feeds[n].max_size_mb << 20)
             for n in names if feeds[n].is_remote]
    if not specs:
        return []
    return fetch_feeds(specs, site.downloads_dir, site.fetch_state_path, parallel=parallel, progress=progress)


def _check_names(specs: list[FetchSpec]) -> None:
    seen: set[str] = set()
    for spec in specs:
        if not NAME_RE.fullmatch(spec.name):
            raise ValueError(f"feed name {spec.name!r} must match [a-z0-9_-]+")
        if spec.name in seen:
            raise ValueError(f"feed name {spec.name!r} is used twice")
        seen.add(spec.name)


def _new_session(parallel: int) -> requests.Session:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(1, parallel))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


# --- one feed ----------------------------------------------------------------------------------


def _fetch_one(spec: FetchSpec, run: _Run) -> FetchResult:
    started = time.monotonic()
    final = run.dest_dir / f"{spec.name}.feed"
    previous = run.previous.get(spec.name, {})
    try:
        _remove_stale_parts(run.dest_dir, spec.name)
        outcome = _download_with_retries(spec, final, _conditional_headers(spec, final, previous), run)
        run.state.update(spec.name, _success_entry(spec, outcome, previous))
    except _Failure as exc:
        error = f"{spec.url}: {exc}"
        return _failed(spec, final, run, error, exc.received, started)
    except OSError as exc:  # local trouble: disk full, permissions, the state file
        return _failed(spec, final, run, f"{spec.url}: {exc}", 0, started)
    except Exception as exc:  # a bug: report it with its traceback, keep going with the other feeds
        log.exception("fetching feed %s failed unexpectedly", spec.name)
        return _failed(spec, final, run, f"{spec.url}: unexpected error: {exc!r}", 0, started)
    return FetchResult(
        name=spec.name,
        status=outcome.status,
        path=final,
        bytes=outcome.received,
        elapsed=time.monotonic() - started,
        changed=outcome.status == "updated" and outcome.sha256 != previous.get("sha256"),
    )


def _failed(spec: FetchSpec, final: Path, run: _Run, error: str, received: int, started: float):
    log.info("feed %s: %s", spec.name, error)
    try:
        run.state.update(spec.name, {"last_error": error, "last_failure": _now()})
    except OSError as exc:
        log.error("cannot record the failure of feed %s in %s: %s", spec.name, run.state.path, exc)
    return FetchResult(
        name=spec.name,
        status="failed",
        path=final,
        bytes=received,
        elapsed=time.monotonic() - started,
        error=error,
    )


def _conditional_headers(spec: FetchSpec, final: Path, previous: dict) -> dict[str, str]:
    """If-None-Match / If-Modified-Since, only when the stored copy is the one they describe."""
    try:
        intact = final.stat().st_size == previous.get("bytes")
    except OSError:
        intact = False
    if not intact or previous.get("url") != spec.url:
        return {}
    headers = {}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    return headers


def _success_entry(spec: FetchSpec, outcome: _Downloaded, previous: dict) -> dict:
    entry = {"url": spec.url, "last_success": _now(), "last_error": None, "last_failure": None}
    if outcome.status == "updated":
        entry.update(etag=outcome.etag, last_modified=outcome.last_modified)
        entry.update(sha256=outcome.sha256, bytes=outcome.size)
    else:  # a 304 may carry fresh validators; otherwise the old ones still hold
        entry.update(
            etag=outcome.etag or previous.get("etag"),
            last_modified=outcome.last_modified or previous.get("last_modified"),
        )
    return entry


def _download_with_retries(spec: FetchSpec, final: Path, headers: dict, run: _Run) -> _Downloaded:
    attempts = spec.retries + 1
    for attempt in range(attempts):
        try:
            return _attempt(spec, final, headers, run)
        except _Failure as exc:
            if not exc.retryable or attempt == attempts - 1:
                if attempt:
                    raise _Failure(f"{exc} (gave up after {attempt + 1} attempts)", received=exc.received) from exc
                raise
            delay = spec.backoff * 2**attempt
            log.info("feed %s: %s; retrying in %.1f s", spec.name, exc, delay)
            if run.cancel.wait(delay):
                raise _Failure("interrupted") from None
    raise AssertionError("unreachable")


def _attempt(spec: FetchSpec, final: Path, headers: dict, run: _Run) -> _Downloaded:
    if not spec.url.lower().startswith(("http://", "https://")):
        raise _Failure("not an http(s) URL")
    resp = _get(spec, headers, run.session)
    with resp:
        status = f"HTTP {resp.status_code} {resp.reason or ''}".rstrip()
        etag, last_modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        if resp.status_code == 304:
            if not headers or not final.exists():
                raise _Failure(f"{status}, but there is no stored copy to keep")
            return _Downloaded("not_modified", etag=etag, last_modified=last_modified)
        if resp.status_code >= 500:
            raise _Failure(status, retryable=True)
        if resp.status_code != 200:
            raise _Failure(status)
        received, sha256, size = _save_body(resp, spec, final, run)
        return _Downloaded("updated", received, sha256, size, etag, last_modified)


def _get(spec: FetchSpec, headers: dict, session: requests.Session) -> requests.Response:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip", **headers}
    try:
        return session.get(spec.url, headers=headers, timeout=(spec.timeout, spec.timeout), stream=True)
    except requests.Timeout:
        raise _Failure(f"no response within {spec.timeout:g} s", retryable=True) from None
    except requests.exceptions.SSLError as exc:
        raise _Failure(f"TLS error: {error_reason(exc)}") from None
    except requests.ConnectionError as exc:
        raise _Failure(f"cannot connect: {error_reason(exc)}", retryable=True) from None
    except requests.RequestException as exc:
        raise _Failure(error_reason(exc)) from None


def error_reason(exc: BaseException) -> str:
    """The innermost, most specific message of a requests/urllib3 exception chain."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None) or exc.__cause__ or exc.__context__
        if inner is None and exc.args and isinstance(exc.args[0], BaseException):
            inner = exc.args[0]
        if not isinstance(inner, BaseException):
            break
        exc = inner
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc).split(": ", 1)[-1] if "object at 0x" in str(exc) else str(exc)


# --- body: stream to a temp file, check, put in place -------------------------------------------


def _save_body(resp: requests.Response, spec: FetchSpec, final: Path, run: _Run) -> tuple[int, str, int]:
    """Stream the body to a temp file next to ``final``, check it, replace ``final``.

    Returns (bytes received, sha256 of the stored bytes, stored size).
    """
    length = _content_length(resp)
    if length is not None and length > spec.max_bytes:
        raise _Failure(f"feed is {length} bytes, over the limit of {spec.max_bytes} bytes")
    part = final.with_name(f".{final.name}.part-{secrets.token_hex(6)}")
    try:
        received, sha256, size = _stream_to(part, resp, spec, length, run)
        if length is not None and received < length:
            raise _Failure(f"body truncated: received {received} of {length} bytes", True, received)
        _check_feed_file(part, size)
        os.replace(part, final)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    _fsync_dir(final.parent)
    return received, sha256, size


def _stream_to(part: Path, resp, spec: FetchSpec, length: int | None, run: _Run) -> tuple[int, str, int]:
    decoder = _transfer_decoder(resp)
    digest = hashlib.sha256()
    received = size = 0
    try:
        with open(part, "xb") as out, run.progress.track(spec.name, length) as advance:
            for chunk in resp.raw.stream(CHUNK, decode_content=False):
                received += len(chunk)
                if received > spec.max_bytes:
                    raise _Failure(f"feed is over the limit of {spec.max_bytes} bytes", received=received)
                if run.cancel.is_set():
                    raise _Failure("interrupted", received=received)
                for data in decoder.feed(chunk) if decoder else (chunk,):
                    out.write(data)
                    digest.update(data)
                    size += len(data)
                advance(len(chunk))
            if decoder:
                decoder.finish()
            out.flush()
            os.fsync(out.fileno())
    except urllib3.exceptions.ReadTimeoutError:
        raise _Failure(f"download stalled: no data for {spec.timeout:g} s", True, received) from None
    except urllib3.exceptions.HTTPError as exc:
        if length is not None and received < length:
            raise _Failure(f"body truncated: received {received} of {length} bytes", True, received) from None
        raise _Failure(f"connection broke off after {received} bytes: {error_reason(exc)}", True, received) from None
    except _GzipTransferError as exc:
        raise _Failure(f"gzip transfer encoding is broken: {exc}", True, received) from None
    except OSError as exc:
        raise _Failure(f"cannot write {part.parent}: {exc.strerror or exc}", received=received) from None
    return received, digest.hexdigest(), size


def _content_length(resp: requests.Response) -> int | None:
    try:
        return int(resp.headers["Content-Length"])
    except (KeyError, ValueError):
        return None


class _GzipTransferError(Exception):
    pass


class _Gunzip:
    """Decodes ``Content-Encoding: gzip`` (possibly several members) and knows when it was cut.

    Output comes in pieces of at most ``CHUNK`` bytes, so a highly compressed body never
    expands in memory.
    """

    def __init__(self) -> None:
        self._z = zlib.decompressobj(wbits=31)

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            while True:
                piece = self._z.decompress(data, CHUNK)
                if piece:
                    yield piece
                if self._z.eof:  # end of a member: another one may follow
                    data = self._z.unused_data
                    if not data:
                        return
                    self._z = zlib.decompressobj(wbits=31)
                else:
                    data = self._z.unconsumed_tail
                    if not data and len(piece) < CHUNK:  # input used up, no output pending
                        return
        except zlib.error as exc:
            raise _GzipTransferError(str(exc)) from None

    def finish(self) -> None:
        if not self._z.eof:  # after the end of a member, decompress() has returned everything
            raise _GzipTransferError("the compressed stream was cut short")


def _transfer_decoder(resp: requests.Response) -> _Gunzip | None:
    encoding = resp.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _Gunzip()
    raise _Failure(f"server sent Content-Encoding {encoding!r}, only gzip was asked for")


def _check_feed_file(path: Path, size: int) -> None:
    """Reject what cannot be a feed: empty, a cut/corrupt gzip or zip, an HTML page."""
    if size == 0:
        raise _Failure("server sent an empty body")
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic[:2] == b"\x1f\x8b":
        head = _check_gzip(path)
    elif magic == b"PK\x03\x04":
        head = _check_zip(path)
    else:
        with open(path, "rb") as f:
            head = f.read(512)
    if _looks_like_html(head):
        raise _Failure("server sent an HTML page, not a feed")


def _check_gzip(path: Path) -> bytes:
    """Decompress the whole file (stream, flat memory); return its first bytes."""
    head = b""
    total = 0
    try:
        with gzip.open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                if len(head) < 512:
                    head += chunk[:512]
                total += len(chunk)
    except (OSError, EOFError, zlib.error) as exc:
        raise _Failure(f"gzip data is cut short or corrupt: {exc}") from None
    if total == 0:
        raise _Failure("server sent an empty body (an empty gzip file)")
    return head


def _check_zip(path: Path) -> bytes:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            if not members:
                raise _Failure("zip archive holds no file")
            with archive.open(members[0]) as f:
                return f.read(512)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise _Failure(f"zip archive is cut short or damaged: {exc}") from None
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, unsupported compression
        raise _Failure(f"zip archive cannot be read: {exc}") from None


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype html", b"<html"))


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_stale_parts(dest_dir: Path, name: str) -> None:
    """Remove temp files a killed run left behind (fresh ones may belong to a running fetch)."""
    cutoff = time.time() - STALE_PART_AGE
    for part in dest_dir.glob(f".{name}.feed.part-*"):
        try:
            if part.stat().st_mtime < cutoff:
                part.unlink()
        except OSError:
            pass


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- state file --------------------------------------------------------------------------------


class _State:
    """The JSON state file. Each update re-reads it and rewrites it atomically, under a lock."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def load(self) -> dict[str, dict]:
        with self._lock:
            return self._read()

    def update(self, name: str, changes: dict) -> None:
        with self._lock:
            feeds = self._read()
            feeds.setdefault(name, {}).update(changes)
            self._write(feeds)

    def _read(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable fetch state %s (%s); feeds are fetched in full", self.path, exc)
            return {}
        feeds = data.get("feeds") if isinstance(data, dict) else None
        return {k: v for k, v in feeds.items() if isinstance(v, dict)} if isinstance(feeds, dict) else {}

    def _write(self, feeds: dict[str, dict]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.tmp-{secrets.token_hex(6)}")
        try:
            with open(tmp, "x", encoding="utf-8") as f:
                json.dump({"version": STATE_VERSION, "feeds": feeds}, f, indent=2, sort_keys=True)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


# --- progress ----------------------------------------------------------------------------------


class _Progress:
    """Progress of large downloads (known Content-Length over 1 MB) on stderr.

    On a terminal: one line, redrawn in place, adding up all large downloads in flight (parallel
    downloads share it instead of fighting over the cursor). Elsewhere (a log file): one line as
    each large download starts. Small or unsized downloads show nothing.
    """

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self._lock = threading.Lock()
        self._feeds: dict[str, list[int]] = {}  # name -> [done, total], while any is running
        self._running = 0
        self._drawn_at = 0.0
        self._width = 0

    @contextmanager
    def track(self, name: str, total: int | None) -> Iterator[Callable[[int], None]]:
        if not self.enabled or total is None or total <= LARGE:
            yield lambda n: None
            return
        with self._lock:
            self._feeds[name] = [0, total]
            self._running += 1
            if not self.tty:
                click.echo(f"fetching {name} ({_mb(total)})", err=True)
        try:
            yield lambda n: self._advance(name, n)
        finally:
            with self._lock:
                self._running -= 1
                if self._running == 0:
                    self._feeds.clear()
                    self._clear()
                else:
                    self._draw(force=True)

    def _advance(self, name: str, n: int) -> None:
        with self._lock:
            self._feeds[name][0] += n
            self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not self.tty or (not force and now - self._drawn_at < 0.2):
            return
        self._drawn_at = now
        done = sum(d for d, _ in self._feeds.values())
        total = sum(t for _, t in self._feeds.values())
        fraction = min(1.0, done / total) if total else 0.0
        bar = "#" * int(fraction * 24)
        label = f"{len(self._feeds)} feeds" if len(self._feeds) > 1 else next(iter(self._feeds))
        line = f"fetching {label} [{bar:-<24}] {fraction:4.0%} {_mb(done)} of {_mb(total)}"
        line = line[: shutil.get_terminal_size().columns - 1]
        click.echo("\r" + line.ljust(self._width), err=True, nl=False)
        self._width = len(line)

    def _clear(self) -> None:
        if self.tty and self._width:
            click.echo("\r" + " " * self._width + "\r", err=True, nl=False)
            self._width = 0

    def close(self) -> None:
        with self._lock:
            self._clear()


def _mb(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB"
