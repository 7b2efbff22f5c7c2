"""Click records: what the tracker stores, and clicks counted from web-server access logs.

One SQLite file (``tracker.store`` in site.yml, default ``.showcase/clicks.sqlite``) in WAL mode,
shared by ``showcase track`` (which writes while it serves), ``showcase clicks import`` and
``showcase clicks stats`` (which may run at the same time) and, later, the reconciliation.

Public API::

    ClickStore(path)                        # open or create the store (WAL, busy_timeout, schema)
      .record(click) / .record_many(clicks) # insert and commit (durable when it returns)
      .import_log(files, format, catalog=, hash_ip=) -> dict   # count /go/<key>/ hits in access logs
      .stats(since=, until=, top=, titles=) -> dict            # per day, program, product, page
    ClickWriter(store).write(click)         # group commit for many threads: returns once committed
    CatalogLookup(catalog_path).get(key)    # key -> OfferRef, read-only catalog, never stale
    Click, OfferRef                         # plain tuples
    new_click_id(), classify(...), referrer_host(...), IpHasher(salt), load_salt(site)

The table
---------
``clicks``: ``id`` (the click id; for tracker clicks it is also the sub-id in the deep link, so the
network's report hands it back), ``at`` (UTC, ISO 8601 with milliseconds, ``+00:00``: sorts as
text), ``key`` (the ``/go/<key>``), the offer as a stable identity (``feed`` + ``offer_id``, the
feed's own id; plus ``offer_row``, the catalog's ``offers.id`` at the time, which a rebuilt catalog
may renumber), ``product_id``, ``program``, ``page`` (the ``?from=`` of the link: the page type that
linked, e.g. ``product``; '' when absent), ``referrer_host`` (the host of the Referer, never its
path), ``ua_class`` (below), ``ip_hash`` (never the address), ``source`` (``tracker`` | ``log``)
and ``log_line_id`` (imported lines only; UNIQUE, so a log imported twice counts once).

Click ids (``new_click_id``) are 22 base62 characters: 7 of the time in milliseconds, then 15 from
``secrets`` (about 89 bits: unguessable). Ids made later sort later, so each commit appends to the
primary key index instead of rewriting a random page of it (a third less written per click). Log
clicks get ids of the same shape, from the line's time and its ``log_line_id``.

Indexes: the primary key (lookups and joins by click id: 100k report actions against 1M clicks take
0.4 s, bench/tracker.py), ``(at, ua_class)`` for per-day counts and date ranges (covering), and
``(program, at)`` for one program's clicks over a period (the reconciliation's question).

User-agent classes
------------------
``head`` for HEAD requests (link checkers); ``bot`` when the User-Agent is empty or contains one of
``BOT_MARKERS`` (crawlers, link-preview fetchers of messengers and social networks, monitoring,
and HTTP libraries such as curl, wget, python-requests: a script is not a shopper); ``prefetch``
when the browser says it is only prefetching (``Purpose: prefetch``, ``Sec-Purpose: prefetch``
(also ``prefetch;prerender``), ``X-Moz: prefetch``, ``X-Purpose: preview``); else ``human``.
Only ``human`` clicks are counted as clicks in stats; the others are reported next to them. Access
logs carry no prefetch headers, so log clicks are human, bot or head.

IP addresses
------------
Only a keyed hash is stored: ``blake2b(ip, key=salt, digest_size=12)`` in hex. The salt is
``tracker.salt`` from site.yml, else a random one created once in ``.showcase/tracker-salt``
(mode 0600); the tracker and the log import use the same one, so the same visitor hashes the same.
Keep the salt secret: IPv4 has only 2^32 addresses.

Access logs
-----------
``import_log`` reads plain or gzip files (told apart by their first bytes) in these formats:

* ``combined``: the NCSA combined format, the default of both nginx and Apache:
  ``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i"`` (fields after it are ignored);
* ``nginx``: nginx's ``main`` format, combined plus ``"$http_x_forwarded_for"``; when the client
  address is loopback or private (nginx behind a local proxy or load balancer), the first
  X-Forwarded-For address is taken as the client's;
* ``apache``: Apache ``combined`` or ``vhost_combined`` (a leading ``host:port``).

A line counts as a click when it is a GET or HEAD of ``/go/<key>/`` (or ``/go/<key>/index.html``)
answered 200 or 304: the static redirect page was served. Redirects (``/go/<key>`` -> ``/go/<key>/``)
and errors are not clicks; other paths are skipped. ``?from=<page>`` is read as in the tracker.

Each counted line gets a stable id, ``log_line_id``: a hash of its raw bytes and of how many
identical lines came before it in the same file (two shoppers can leave identical lines in the same
second). The file's name is deliberately not part of it: log rotation renames and compresses files
(``access.log`` -> ``access.log.1`` -> ``access.log.2.gz``), and a re-import of a rotated copy,
or of a log that grew since, must not count the same lines again. Imports commit every
``LOG_CHUNK`` lines, so a tracker writing to the same store is never held up for long, and an
interrupted import is simply run again.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import ipaddress
import os
import re
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, Self
from urllib.parse import unquote, urlsplit

from showcase.db import migrate, open_wal
from showcase.errors import ShowcaseError

SCHEMA_VERSION = 1
UA_CLASSES = ("human", "bot", "prefetch", "head")
LOG_FORMATS = ("combined", "nginx", "apache")
LOG_CHUNK = 500  # lines per transaction: a tracker writing the same store waits at most a few ms
CLICK_ID_LENGTH = 22  # base62; well under the 30-character sub-id limit (see new_click_id)

SCHEMA = """
CREATE TABLE IF NOT EXISTS clicks (
    id TEXT NOT NULL PRIMARY KEY,       -- the click id (tracker clicks: the sub-id of the deep link)
    at TEXT NOT NULL,                   -- UTC, e.g. 2026-03-01T12:00:00.123+00:00
    key TEXT NOT NULL,                  -- /go/<key>: links.offer_key(feed, offer_id)
    feed TEXT NOT NULL,
    offer_id TEXT,                      -- the feed's own offer id; NULL when the catalog did not know the key
    offer_row INTEGER,                  -- catalog offers.id at the time
    product_id INTEGER,
    program TEXT NOT NULL DEFAULT '',
    page TEXT NOT NULL DEFAULT '',      -- ?from= of the link: the page type that linked
    referrer_host TEXT NOT NULL DEFAULT '',
    ua_class TEXT NOT NULL CHECK (ua_class IN ('human', 'bot', 'prefetch', 'head')),
    ip_hash TEXT NOT NULL DEFAULT '',   -- keyed blake2b of the address; the address itself is never stored
    source TEXT NOT NULL CHECK (source IN ('tracker', 'log')),
    log_line_id TEXT UNIQUE             -- imported log lines only: hash of the raw line and its occurrence
);
CREATE INDEX IF NOT EXISTS clicks_at ON clicks(at, ua_class);
CREATE INDEX IF NOT EXISTS clicks_program ON clicks(program, at);
"""

COLUMNS = ("id", "at", "key", "feed", "offer_id", "offer_row", "product_id", "program", "page", "referrer_host",
           "ua_class", "ip_hash", "source", "log_line_id")
_INSERT = f"INSERT INTO clicks ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_INSERT_LOG = _INSERT.replace("INSERT", "INSERT OR IGNORE", 1)
_ROWS_PER_STATEMENT = 100
_ROW = f"({', '.join('?' * len(COLUMNS))})"


@functools.lru_cache(maxsize=_ROWS_PER_STATEMENT)
def _insert_rows(n: int) -> str:
    return f"INSERT INTO clicks ({', '.join(COLUMNS)}) VALUES {', '.join([_ROW] * n)}"


class ClickStoreError(ShowcaseError):
    """The click store cannot be opened or written."""


class Click(NamedTuple):
    """One outbound click, as stored (the field order is the table's)."""

    id: str
    at: str
    key: str
    feed: str
    offer_id: str | None
    offer_row: int | None
    product_id: int | None
    program: str
    page: str
    referrer_host: str
    ua_class: str
    ip_hash: str
    source: str = "tracker"
    log_line_id: str | None = None


# --- small pieces shared by the tracker and the log import -------------------------------------------

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"  # in ASCII order: sorts as numbers


def _base62(n: int, length: int) -> str:
    """``n`` in ``length`` base62 digits, most significant first (wraps modulo 62**length)."""
    out = []
    for _ in range(length):
        n, d = divmod(n, 62)
        out.append(_BASE62[d])
    return "".join(reversed(out))


def new_click_id(now_ms: int | None = None) -> str:
    """22 characters: 7 base62 digits of the time in milliseconds (good until the year 2080), then 15
    random ones from ``secrets`` (about 89 bits): a valid sub-id, unguessable, and ids made later sort
    later, so the primary key index grows at its end instead of rewriting a random page per click."""
    if now_ms is None:
        now_ms = time.time_ns() // 1_000_000
    return _base62(now_ms, 7) + _base62(int.from_bytes(secrets.token_bytes(12)), CLICK_ID_LENGTH - 7)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# Lower-case substrings of a User-Agent that mark a robot. "bot" covers Googlebot, bingbot,
# YandexBot, Twitterbot, TelegramBot, Slackbot, Discordbot, LinkedInBot, Applebot, AhrefsBot, ...
BOT_MARKERS = (
    "bot", "crawl", "spider", "slurp", "preview", "facebookexternalhit", "facebookcatalog", "meta-externalagent",
    "whatsapp", "vkshare", "embedly", "pinterest", "bitlybot", "mediapartners-google", "google-inspectiontool",
    "feedfetcher", "lighthouse", "headlesschrome", "phantomjs", "monitor", "uptime", "pingdom", "check_http",
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client", "okhttp",
    "java/", "apache-httpclient", "libwww-perl", "scrapy", "axios/", "node-fetch", "httpie",
)
_BOT_RE = re.compile("|".join(re.escape(m) for m in BOT_MARKERS))
# (header as in a WSGI environ, lower-case value that marks a prefetch)
PREFETCH_HEADERS = (("HTTP_PURPOSE", "prefetch"), ("HTTP_SEC_PURPOSE", "prefetch"), ("HTTP_X_MOZ", "prefetch"),
                    ("HTTP_X_PURPOSE", "preview"))


def classify(method: str, user_agent: str, environ: Mapping[str, str] | None = None) -> str:
    """'head', 'bot', 'prefetch' or 'human' (in that order of precedence); see the module docs."""
    if method == "HEAD":
        return "head"
    ua = user_agent.strip().lower()
    if not ua or ua == "-" or _BOT_RE.search(ua):
        return "bot"
    if environ:
        for header, marker in PREFETCH_HEADERS:
            value = environ.get(header)
            if value and marker in value.lower():
                return "prefetch"
    return "human"


_HOST_OK = re.compile(r"[a-z0-9.\-:\[\]_]{1,253}")


def referrer_host(referer: str) -> str:
    """The host of a Referer ('' when there is none or it is not an http(s) URL). Never the path."""
    if not referer or referer == "-":
        return ""
    try:
        parts = urlsplit(referer.strip())
        host = parts.hostname if parts.scheme in ("http", "https") else None
    except ValueError:
        return ""
    return host if host and _HOST_OK.fullmatch(host) else ""


_PAGE_OK = re.compile(r"[A-Za-z0-9_-]{1,40}")


def page_param(query: str) -> str:
    """The ``from`` parameter of a query string when it is a plain page name, else ''."""
    if "from=" not in query:
        return ""
    for part in query.split("&"):
        if part.startswith("from="):
            value = unquote(part[5:])
            return value if _PAGE_OK.fullmatch(value) else ""
    return ""


class IpHasher:
    """ip -> keyed blake2b hex digest (24 characters). The same salt gives the same hash."""

    def __init__(self, salt: bytes):
        if len(salt) < 16:
            raise ValueError("the IP salt needs at least 16 bytes")
        self.key = salt if len(salt) <= 64 else hashlib.blake2b(salt).digest()

    def __call__(self, ip: str) -> str:
        if not ip:
            return ""
        return hashlib.blake2b(ip.encode("ascii", "replace"), key=self.key, digest_size=12).hexdigest()


SALT_FILE = "tracker-salt"


def load_salt(site) -> bytes:
    """``tracker.salt`` from site.yml, else ``.showcase/tracker-salt``, created once (0600, 32 random bytes
    in hex). Safe when two processes start at once: the file appears complete or not at all."""
    configured = site.config.tracker.salt
    if configured:
        return configured.encode("utf-8")
    path = site.state_dir / SALT_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{SALT_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (secrets.token_hex(32) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and fails when another process got there first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    salt = path.read_text(encoding="ascii").strip()
    if len(salt) < 16:
        raise ClickStoreError(f"{path}: the IP salt is too short; delete the file to get a new one")
    return salt.encode("ascii")


def store_path(site) -> Path:
    """Where the site's click store is: ``tracker.store``, relative to the site folder."""
    path = Path(site.config.tracker.store)
    return path if path.is_absolute() else site.root / path


# --- the catalog, read-only --------------------------------------------------------------------------


class OfferRef(NamedTuple):
    """What a click needs to know about the offer behind a key."""

    row: int  # offers.id
    feed: str
    offer_id: str
    key: str
    product_id: int
    program: str
    url: str
    gone: bool
    slug: str  # the product's slug: /p/<slug>/


class CatalogLookup:
    """key -> OfferRef from the catalog opened read-only, with an LRU cache shared by all threads.

    Never stale: before each lookup, ``PRAGMA data_version`` on the calling thread's own read-only
    connection tells whether anyone (an import) committed to the catalog since that thread last
    looked, and the cache is dropped when it did. An entry read before such a commit and stored
    after the drop is not kept (``_epoch``). The file itself is checked once a second: a catalog
    deleted and created anew is reopened. Each thread has its own connection, so lookups never wait
    on one another's reads; the lock only guards the cache dict.
    """

    _QUERY = ("SELECT o.id, o.feed, o.offer_id, o.key, o.product_id, o.program, o.url, o.gone_at IS NOT NULL, "
              "coalesce(p.slug, '') FROM offers o LEFT JOIN products p ON p.id = o.product_id WHERE o.key = ?")

    def __init__(self, path: Path | str, cache_size: int = 20_000):
        self.path = Path(path)
        if not self.path.is_file():
            raise ClickStoreError(f"{self.path}: no catalog yet; run `showcase import`")
        self.uri = self.path.resolve().as_uri() + "?mode=ro"
        self.cache_size = cache_size
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, OfferRef] = OrderedDict()
        self._epoch = 0  # bumped whenever the cache is dropped
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._file = self._file_id()
        self._generation = 0  # bumped when the file was replaced: every thread reopens
        self._next_stat = time.monotonic() + 1.0
        self._connection()  # fail here, not on the first request, when the file cannot be opened

    def _file_id(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        db = getattr(local, "db", None)
        if db is None or local.generation != self._generation:
            db = sqlite3.connect(self.uri, uri=True, check_same_thread=False)
            db.execute("PRAGMA busy_timeout=5000")
            local.db, local.generation, local.version = db, self._generation, None
            with self._lock:
                self._connections.append(db)
        return db

    def _drop_cache(self) -> None:
        with self._lock:
            self._cache.clear()
            self._epoch += 1

    def get(self, key: str) -> OfferRef | None:
        now = time.monotonic()
        if now >= self._next_stat:
            self._next_stat = now + 1.0
            file = self._file_id()
            if file is not None and file != self._file:
                self._file = file
                self._generation += 1
                self._drop_cache()
        db = self._connection()
        version = db.execute("PRAGMA data_version").fetchone()[0]
        if version != self._local.version:  # also on a new connection: it cannot tell what it missed
            self._drop_cache()
            self._local.version = version
        with self._lock:
            ref = self._cache.get(key)
            if ref is not None:
                self._cache.move_to_end(key)
                return ref
            epoch = self._epoch
        row = db.execute(self._QUERY, (key,)).fetchone()
        if row is None:
            return None
        ref = OfferRef(*row[:7], bool(row[7]), row[8])
        with self._lock:
            if epoch == self._epoch:
                self._cache[key] = ref
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return ref

    def titles(self, product_ids: Iterable[int]) -> dict[int, str]:
        ids = sorted({int(i) for i in product_ids if i is not None})
        db = self._connection()
        out: dict[int, str] = {}
        for i in range(0, len(ids), 900):
            part = ids[i:i + 900]
            out.update(db.execute(f"SELECT id, title FROM products WHERE id IN ({','.join('?' * len(part))})", part))
        return out

    def close(self) -> None:
        with self._lock:
            for db in self._connections:
                db.close()
            self._connections.clear()


# --- the store ---------------------------------------------------------------------------------------


class ClickStore:
    """The click store: one SQLite file in WAL mode (synchronous=NORMAL: a committed click survives a
    crash of the process; ``synchronous="FULL"`` also survives a crash of the machine, at the cost of
    an fsync per commit). Use from one thread at a time; ``ClickWriter`` serves many."""

    def __init__(self, path: Path | str, *, synchronous: str = "NORMAL"):
        if synchronous not in ("NORMAL", "FULL"):
            raise ValueError(f"synchronous: expected NORMAL or FULL, got {synchronous!r}")
        self.path = Path(path)
        self.db = open_wal(self.path, "the click store", ClickStoreError, synchronous=synchronous,
                           check_same_thread=False)
        migrate(self.db, self.path, "click store", SCHEMA, SCHEMA_VERSION, ClickStoreError)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- writing -----------------------------------------------------------------------------------
    def record(self, click: Click) -> None:
        self.record_many([click])

    def record_many(self, clicks: list[Click]) -> None:
        """Insert ``clicks`` in one transaction; committed (durable) when this returns.

        Up to ``_ROWS_PER_STATEMENT`` clicks go in as one multi-row INSERT in autocommit mode: a
        single call into SQLite, so the writer thread of a busy threaded server lets go of the GIL
        and needs it back once per batch, not once per row and statement (it would queue for it
        behind the request threads each time)."""
        db = self.db
        if len(clicks) <= _ROWS_PER_STATEMENT:
            db.execute(_insert_rows(len(clicks)), [v for c in clicks for v in c])
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for i in range(0, len(clicks), _ROWS_PER_STATEMENT):
                part = clicks[i:i + _ROWS_PER_STATEMENT]
                db.execute(_insert_rows(len(part)), [v for c in part for v in c])
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM clicks").fetchone()[0]

    # --- access logs -------------------------------------------------------------------------------
    def import_log(self, files: Iterable[Path | str], format: str = "combined", *,
                   catalog: CatalogLookup | None = None, hash_ip: Callable[[str], str] | None = None) -> dict:
        """Count the ``/go/<key>/`` hits of access logs as clicks (see the module docs); returns a report:
        ``{"files": [{path, lines, go_hits, new, duplicates, skipped, unparsed, unparsed_lines,
        by_class}], "new", "duplicates", "unparsed"}``. Lines already imported are not counted again."""
        if format not in LOG_FORMATS:
            raise ValueError(f"format: expected one of {', '.join(LOG_FORMATS)}, got {format!r}")
        hash_ip = hash_ip or (lambda ip: "")
        reports = [self._import_file(Path(f), format, catalog, hash_ip) for f in files]
        return {"files": reports, "new": sum(r["new"] for r in reports),
                "duplicates": sum(r["duplicates"] for r in reports), "unparsed": sum(r["unparsed"] for r in reports)}

    def _import_file(self, path: Path, format: str, catalog, hash_ip) -> dict:
        report = {"path": str(path), "lines": 0, "go_hits": 0, "new": 0, "duplicates": 0, "skipped": 0,
                  "unparsed": 0, "unparsed_lines": [], "by_class": dict.fromkeys(UA_CLASSES, 0)}
        parse = _LogParser(format)
        occurrences: OrderedDict[bytes, int] = OrderedDict()
        batch: list[Click] = []
        try:
            with _open_log(path) as f:
                for number, raw in enumerate(f, 1):
                    line = raw.rstrip(b"\r\n")
                    report["lines"] = number
                    if b"/go/" not in line:
                        report["skipped"] += 1
                        continue
                    hit = parse(line)
                    if hit is None:
                        report["unparsed"] += 1
                        if len(report["unparsed_lines"]) < 10:
                            report["unparsed_lines"].append(number)
                        continue
                    if hit is _NOT_A_CLICK:
                        report["skipped"] += 1
                        continue
                    report["go_hits"] += 1
                    batch.append(self._log_click(line, hit, occurrences, catalog, hash_ip))
                    if len(batch) >= LOG_CHUNK:
                        self._insert_log(batch, report)
                        batch = []
            if batch:
                self._insert_log(batch, report)
        except (OSError, EOFError, gzip.BadGzipFile) as e:
            raise ClickStoreError(f"{path}: cannot read the log: {e}") from None
        return report

    @staticmethod
    def _log_click(line: bytes, hit: _Hit, occurrences: OrderedDict, catalog, hash_ip) -> Click:
        digest = hashlib.blake2b(line, digest_size=16).digest()
        n = occurrences.get(digest, 0)
        occurrences[digest] = n + 1
        occurrences.move_to_end(digest)
        if len(occurrences) > 10_000:  # identical lines come within the same second: a short memory is enough
            occurrences.popitem(last=False)
        line_id = hashlib.blake2b(digest + n.to_bytes(4, "big"), digest_size=16).hexdigest()
        ref = catalog.get(hit.key) if catalog is not None else None
        if ref is not None:
            feed, offer_id, row, product, program = ref.feed, ref.offer_id, ref.row, ref.product_id, ref.program
        else:
            feed, offer_id, row, product, program = hit.key.partition(".")[0], None, None, None, ""
        at_ms = int(datetime.fromisoformat(hit.at).timestamp() * 1000)
        click_id = _base62(at_ms, 7) + _base62(int(line_id, 16), CLICK_ID_LENGTH - 7)  # as a tracker id, but stable
        return Click(click_id, hit.at, hit.key, feed, offer_id, row, product, program, hit.page,
                     referrer_host(hit.referer), hit.ua_class, hash_ip(hit.ip), "log", line_id)

    def _insert_log(self, batch: list[Click], report: dict) -> None:
        db = self.db
        ids = [c.log_line_id for c in batch]
        db.execute("BEGIN IMMEDIATE")
        try:
            known = {row[0] for row in db.execute(
                f"SELECT log_line_id FROM clicks WHERE log_line_id IN ({','.join('?' * len(ids))})", ids)}
            db.executemany(_INSERT_LOG, batch)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for c in batch:
            if c.log_line_id in known:
                report["duplicates"] += 1
            else:
                known.add(c.log_line_id)
                report["new"] += 1
                report["by_class"][c.ua_class] += 1

    # --- reading -----------------------------------------------------------------------------------
    def stats(self, since: date | str | None = None, until: date | str | None = None, top: int = 20,
              titles: Callable[[Iterable[int]], dict[int, str]] | None = None) -> dict:
        """Clicks per day (UTC), program, product and page, human clicks apart from bots, prefetches and
        HEADs. ``since``/``until``: first and last day, inclusive. Products: the ``top`` by human clicks
        (``titles`` maps product ids to titles, e.g. ``CatalogLookup.titles``). Plain dicts and lists,
        for the table and ``--json`` alike."""
        where, args = [], []
        if since:
            where.append("at >= ?")
            args.append(str(since))
        if until:
            end = (until if isinstance(until, date) else date.fromisoformat(str(until))) + timedelta(days=1)
            where.append("at < ?")
            args.append(end.isoformat())
        sql_where = f"WHERE {' AND '.join(where)}" if where else ""
        counts = ", ".join(f"count(*) FILTER (WHERE ua_class = '{c}')" for c in UA_CLASSES)

        def grouped(expr: str, name: str, order: str, limit: int | None = None) -> list[dict]:
            sql = f"SELECT {expr}, {counts} FROM clicks {sql_where} GROUP BY 1 ORDER BY {order}"
            if limit:
                sql += f" LIMIT {int(limit)}"
            return [{name: row[0], **dict(zip(UA_CLASSES, row[1:], strict=True))}
                    for row in self.db.execute(sql, args)]

        human_first = "2 DESC, 1"
        total_row = self.db.execute(f"SELECT {counts}, min(at), max(at) FROM clicks {sql_where}", args).fetchone()
        products = grouped("product_id", "product_id", human_first, top)
        if titles is not None:
            names = titles(p["product_id"] for p in products if p["product_id"] is not None)
            for p in products:
                p["title"] = names.get(p["product_id"], "")
        sources = {row[0]: row[1] for row in self.db.execute(
            f"SELECT source, count(*) FROM clicks {sql_where} GROUP BY source", args)}
        return {
            "since": str(since) if since else None, "until": str(until) if until else None,
            "first": total_row[4], "last": total_row[5],
            "total": dict(zip(UA_CLASSES, total_row[:4], strict=True)),
            "sources": {"tracker": sources.get("tracker", 0), "log": sources.get("log", 0)},
            "by_day": grouped("substr(at, 1, 10)", "day", "1"),
            "by_program": grouped("program", "program", human_first),
            "by_product": products,
            "by_page": grouped("page", "page", human_first),
        }


# --- group commit ------------------------------------------------------------------------------------


class _Batch:
    __slots__ = ("clicks", "done", "error")

    def __init__(self):
        self.clicks: list[Click] = []
        self.done = threading.Event()
        self.error: BaseException | None = None


class ClickWriter:
    """Group commit for a threaded server: ``write(click)`` returns only once the click is committed.

    Request threads add their click to the pending batch and wait; one writer thread takes the whole
    batch, inserts it in one transaction and wakes them all. While it commits, the next batch fills,
    so the number of commits per second adapts to the load and no click is answered before it is
    durable. ``close()`` commits what is pending and stops the thread.
    """

    def __init__(self, store: ClickStore, *, timeout: float = 10.0, checkpoint_every: float = 1.0):
        self.store = store
        self.timeout = timeout
        self.committed = 0
        self.batches = 0
        self._cond = threading.Condition()
        self._pending = _Batch()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="click-writer", daemon=True)
        self._thread.start()
        # WAL checkpoints copy the log into the database file (with an fsync). Left to SQLite, they run
        # inside a commit every 1000 pages and hold up every request waiting on it. Instead a second
        # connection copies the bulk in the background (PASSIVE: never blocks the writer), and the writer
        # then finishes with a RESTART between two batches, which only copies the few pages written
        # meanwhile and lets the next commit start the WAL file over (it would grow without end under
        # steady load otherwise). ``pause_max`` is the longest such pause, in seconds.
        self.checkpoints = 0
        self.pause_max = 0.0
        self._restart_due = False
        self._checkpointer = None
        if checkpoint_every:
            store.db.execute("PRAGMA wal_autocheckpoint=0")
            self._stop_checkpoints = threading.Event()
            self._checkpointer = threading.Thread(target=self._checkpoints, args=(checkpoint_every,),
                                                  name="click-checkpoint", daemon=True)
            self._checkpointer.start()

    def _checkpoints(self, every: float) -> None:
        db = sqlite3.connect(self.store.path, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=1000")
            done = -1
            while not self._stop_checkpoints.wait(every):
                if self.batches != done:
                    done = self.batches
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self._restart_due = True
        finally:
            db.close()

    def _restart_wal(self) -> None:
        self._restart_due = False
        db = self.store.db
        started = time.perf_counter()
        try:
            db.execute("PRAGMA busy_timeout=0")  # a reader in the way (clicks stats): try again next time
            db.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
        except sqlite3.Error:
            pass
        finally:
            db.execute("PRAGMA busy_timeout=10000")
        self.checkpoints += 1
        self.pause_max = max(self.pause_max, time.perf_counter() - started)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._closed

    def write(self, click: Click) -> None:
        with self._cond:
            if self._closed:
                raise ClickStoreError("the click writer is closed")
            batch = self._pending
            batch.clicks.append(click)
            self._cond.notify()
        if not batch.done.wait(self.timeout):
            raise ClickStoreError(f"the click was not committed within {self.timeout:.0f} s")
        if batch.error is not None:
            raise ClickStoreError(f"the click could not be stored: {batch.error}")

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending.clicks and not self._closed:
                    self._cond.wait()
                batch, self._pending = self._pending, _Batch()
                if not batch.clicks:  # closed and nothing left
                    return
            try:
                self.store.record_many(batch.clicks)
                self.committed += len(batch.clicks)
                self.batches += 1
            except Exception as e:  # the waiting requests answer 503; the writer carries on
                batch.error = e
            batch.done.set()
            if self._restart_due:
                self._restart_wal()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join()
        if self._checkpointer is not None:
            self._stop_checkpoints.set()
            self._checkpointer.join()
            self.store.db.execute("PRAGMA wal_autocheckpoint=1000")


# --- access log parsing ------------------------------------------------------------------------------


class _Hit(NamedTuple):
    key: str
    at: str
    ip: str
    page: str
    referer: str
    ua_class: str


_NOT_A_CLICK = _Hit("", "", "", "", "", "")  # a well-formed line that is not a counted /go/ hit

_Q = r'"((?:[^"\\]|\\.)*)"'  # a quoted log field; nginx escapes " as \x22, Apache as \"
_COMBINED = rf'(\S+) \S+ \S+ \[([^\]]+)\] {_Q} (\d{{3}}) \S+(?: {_Q} {_Q})?'
_LOG_RES = {
    "combined": re.compile(_COMBINED),
    "nginx": re.compile(_COMBINED + rf'(?: {_Q})?'),
    "apache": re.compile(r"(?:[^\s:]+:\d+ )?" + _COMBINED),
}
_GO_PATH = re.compile(r"/go/([a-z0-9][a-z0-9_-]{0,63}\.[A-Za-z0-9_-]{1,40})/(?:index\.html)?")
_MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                       "Dec"), 1)}
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|.)")
COUNTED_STATUSES = frozenset({"200", "304"})


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 3 else m.group(1), text)


def _log_time(text: str) -> str | None:
    """'10/Oct/2000:13:55:36 -0700' -> '2000-10-10T20:55:36.000+00:00', or None."""
    try:
        if len(text) != 26 or text[2] != "/" or text[6] != "/" or text[11] != ":" or text[20] != " ":
            return None
        local = datetime(int(text[7:11]), _MONTHS[text[3:6]], int(text[0:2]), int(text[12:14]), int(text[15:17]),
                         int(text[18:20]), tzinfo=UTC)
        sign = {"+": 1, "-": -1}[text[21]]
        offset = timedelta(hours=int(text[22:24]), minutes=int(text[24:26]))
    except (KeyError, ValueError):
        return None
    return (local - sign * offset).isoformat(timespec="milliseconds")


class _LogParser:
    """bytes line -> _Hit (a counted /go/ hit), _NOT_A_CLICK, or None (not in the format)."""

    def __init__(self, format: str):
        self.re = _LOG_RES[format]
        self.forwarded = format == "nginx"
        self._times: dict[str, str | None] = {}

    def __call__(self, line: bytes) -> _Hit | None:
        m = self.re.match(line.decode("utf-8", "replace"))
        if m is None:
            return None
        ip, when, request, status = m.group(1), m.group(2), _unescape(m.group(3)), m.group(4)
        at = self._times.get(when)
        if at is None:
            at = _log_time(when)
            if at is None:
                return None
            if len(self._times) > 1000:
                self._times.clear()
            self._times[when] = at
        parts = request.split(" ")
        if len(parts) != 3 or parts[0] not in ("GET", "HEAD") or status not in COUNTED_STATUSES:
            return _NOT_A_CLICK
        target = parts[1]
        if target.startswith(("http://", "https://")):  # absolute-form request target
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        path, _, query = target.partition("?")
        go = _GO_PATH.fullmatch(unquote(path))
        if go is None:
            return _NOT_A_CLICK
        referer, ua = _unescape(m.group(5) or ""), _unescape(m.group(6) or "")
        if self.forwarded and m.group(7) and m.group(7) != "-" and _is_local(ip):
            ip = m.group(7).split(",")[0].strip()
        return _Hit(go.group(1), at, ip, page_param(query), referer, classify(parts[0], ua))


def _is_local(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return address.is_private or address.is_loopback


class _open_log:
    """A log file as binary lines, gunzipped when it starts with the gzip magic bytes."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as probe:
            magic = probe.read(2)
        self.f = gzip.open(self.path, "rb") if magic == b"\x1f\x8b" else open(self.path, "rb")
        return self.f

    def __exit__(self, *exc) -> None:
        self.f.close()
