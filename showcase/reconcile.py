"""Reconciliation: a network's earnings reports against our clicks and the programs' terms in site.yml.

Public API::

    reconcile(site, network, reports, since=, until=, options=Options(), ...) -> Result
        # parse the reports, import them into the ledger, check every action of the period
    Ledger(path)                                  # the action ledger (SQLite, WAL), see below
      .import_actions(network, actions, report=, digest=, ...) -> ImportStats
      .history(network, action_id) -> list[dict]  # every state an action has had, oldest first
    analyse(ledger, site, network, since=, until=, options=, clicks_path=, ...) -> Result
        # the checks and the summary over what the ledger holds (no report read)
    check_click_counts(ours, theirs, per_click, network, options) -> list[Finding]
    Result.to_dict()                              # {"network", "period", "summary", "findings", "imports", ...}
    FINDING_KINDS, Options, Finding, ImportStats, Result, ledger_path(site)

Outputs (terminal table, CSV, HTML) are in :mod:`showcase.reconcile_report`; they all read one Result.

The ledger
----------
``.showcase/ledger.sqlite`` (WAL), keyed by network (the site.yml network name) and action id:

* ``actions``: the current state of each action: order id, program (as the report names it),
  status, paid, sub-id (the first non-empty one) and all sub-ids (JSON), click and action times (UTC,
  ISO 8601 with milliseconds, like the click store's), order amount and commission (exact decimal text,
  site currency), ``state`` (a hash of order id, program, status, paid, sub-id, times and amounts),
  ``seq`` (how many states it has had), when it was first seen and last changed, and the report file
  and line its current state came from;
* ``action_history``: one row per state an action has had (``seq`` 1, 2, ...), with the same fields,
  when it was seen (``seen_at``, UTC) and in which report file (``report``, ``line``, ``import_id``);
* ``imports``: one row per report file imported: path, sha256 of its bytes, time, format, rows,
  actions, parse errors, and how many actions were new / changed / unchanged.

Importing is set-based (the report's actions go into a temp table, then a handful of SQL statements
compare and apply them: one transaction per report): an action whose state equals its current state
writes nothing; a new or changed one adds a history row and becomes the current state. A field a
report leaves empty (order id, program, sub-id, click time: CSV exports often lack some) keeps the
value an earlier report gave, so the same action in a poorer export is not a change. Importing the
same report again changes nothing (a file whose sha256 was already imported for the network is not
applied again at all, so importing an old file after a newer one does not turn the clock back; import
other files in the order they were downloaded). Report rows that are malformed are listed (file and
line) and skipped; a file that is not that network's report at all raises ShowcaseError before
anything is imported.

Matching
--------
The sub-id of an action is its first non-empty sub-id (the one our deep links set: Admitad ``subid``,
Awin ``clickRef``, CJ ``SID``, Impact ``SubId1``, the neutral CSV's ``custom_1``).

* a tracker click id: the ``clicks`` row with that ``id`` (the ledger's actions of the period are
  joined to the click store's primary key in SQL: only the clicks the actions name are read);
* else a storefront sub-id ``p<product id><page>`` (``links.static_subid``, links not sent through the
  tracker): matched in aggregate: the action counts for that product and page in the summary; there
  is no single click to compare times with;
* else (no sub-id, or no such click): ``orphan_action``.

The program of an action: the report's program id compared (as text, case-insensitive) with each
site.yml program of the network: its ``report_id``, its ``id``, and for Impact the campaign id, the last
number in ``tracking_url`` (``https://brand.sjv.io/c/123/456/789`` -> ``789``). A report that names no
program: the matched click's program, else the network's only program.

Findings
--------
Each finding carries the action (id, order, program, status, sub-id, times, amounts, report file and
line), the click when there is one, and a one-line ``detail``.

``orphan_action``
    the sub-id is empty, or is neither a click id in the click store nor a storefront sub-id.
``duplicate_action``
    (a) the same non-empty order id of the same report program under two or more action ids (every
    action but the earliest is reported, ``other_action_id`` naming the earliest; actions whose order
    amount and commission are both <= 0, CJ corrections whose original came in an earlier report,
    are not counted); (b) one action id seen with a different order id, program or sub-id than before
    (in another report, or an earlier import). Repeated records inside one JSON file are a parse error
    of that file (the later record is kept), listed with the report's errors.
``commission_mismatch``
    pending and approved actions of a program whose terms give ``rate_percent`` (expected =
    order amount x rate / 100) or ``payout`` (expected = payout, converted from ``terms.currency`` with
    site.yml ``rates`` when it is not the site currency), both rounded to cents, when
    ``|commission - expected| > max(expected x tolerance_percent / 100, tolerance_amount)``; defaults
    1 % and 0.01 (``--tolerance-percent``, ``--tolerance-amount``). Declined actions are not checked.
``status_regressed``
    the action was approved in an earlier state and is now pending or declined.
``declined``
    the action's current status is declined.
``action_before_click``
    the action time is earlier than the matched click's time by more than the clock skew allowance
    (default 5 minutes, ``--clock-skew``: reports round times to the minute, and clocks differ).
``outside_cookie_window``
    action time - click time > ``terms.cookie_days`` x 24 h (programs with ``cookie_days``).
``unknown_program``
    the report's program id matches no program of the network (set ``report_id`` on the program
    to what the report says), or the report names none and neither the click nor a single program of
    the network tells. The program's terms are not checked for such an action.
``click_count_mismatch``
    programs paid per click: our human clicks of a day against the network's count of that day, when
    they differ by more than ``max(network count x click_tolerance_percent / 100, click_tolerance_count)``
    (defaults 5 % and 2). It needs, per program, the amount paid per click (``terms.per_click`` in
    site.yml) and the network's per-day click counts (``showcase reconcile --network-clicks FILE``, see
    ``read_network_clicks``); without the counts it warns about the per-click programs it cannot check.

Summary
-------
Per program, product, source page and day (UTC, like ``showcase clicks stats``), and in total:
``clicks`` (human clicks in the period, of the network's programs), ``actions`` (all statuses) and
``actions_by_status``, ``conversion_rate`` (actions / clicks), ``order_sum`` (all statuses),
``commission`` by status, ``epc`` (earnings per click: (approved + pending commission) / clicks;
declined excluded), ``approval_rate`` (approved / actions) and ``reversal_rate`` (declined / actions).
Rates are None when the divisor is 0. ``by_product`` lists every product with an action and the 100
most clicked products without one (``by_product_omitted`` counts the others). An action counts on the
day of its action time; its product and page are the matched click's (or the storefront sub-id's); its
program as above, or ``?<report id>``. ``static_subids``: per (product, page) of storefront sub-ids,
the actions, with the product's human clicks (of any page: ``p55go`` links are counted by the access
log under the page that linked to /go/).

The period: ``since``/``until`` (days, inclusive); when neither is given, the days of the first and
last action in the reports read; with no reports either, everything in the ledger; when only one is
given, the period is open on the other side. The checks and the
summary cover the network's ledger actions whose action time falls in the period, so a report that
overlaps an earlier one, or a re-run, sees the same actions.

Performance (bench/reconcile.py): 100,000 actions against 1,000,000 clicks in about 9 s and 370 MB
peak RSS for the whole command (of which parsing the report is about 2 s and 290 MB); only the clicks
the actions name are read, and the summary's click counts are two GROUP BY scans of the store.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from showcase.db import migrate, open_wal
from showcase.errors import ShowcaseError

__all__ = ["FINDING_KINDS", "Finding", "ImportStats", "Ledger", "LedgerError", "Options", "Result", "analyse",
           "check_click_counts", "impact_campaign_id", "ledger_path", "program_index", "reconcile"]

FINDING_KINDS = ("orphan_action", "duplicate_action", "commission_mismatch", "status_regressed", "declined",
                 "action_before_click", "outside_cookie_window", "unknown_program", "click_count_mismatch")
STATUSES = ("pending", "approved", "declined")
LEDGER_NAME = "ledger.sqlite"
SCHEMA_VERSION = 1
CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)
PRODUCTS_WITHOUT_ACTIONS = 100  # summary.by_product lists these many clicked products that had no action

SCHEMA = """
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    network TEXT NOT NULL,
    path TEXT NOT NULL,                 -- the report file as given
    sha256 TEXT NOT NULL,               -- of its bytes: the same file is applied once
    at TEXT NOT NULL,                   -- UTC
    format TEXT NOT NULL,
    rows INTEGER NOT NULL,
    actions INTEGER NOT NULL,
    errors INTEGER NOT NULL,
    new INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS imports_sha ON imports(network, sha256);
CREATE TABLE IF NOT EXISTS actions (
    network TEXT NOT NULL,              -- the site.yml network name
    action_id TEXT NOT NULL,
    order_id TEXT NOT NULL,
    program TEXT NOT NULL,              -- as the report names it
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'declined')),
    paid INTEGER NOT NULL,
    subid TEXT NOT NULL,                -- the first non-empty sub-id ('' when none)
    subids TEXT NOT NULL,               -- JSON list, as the report gave them
    click_time TEXT,                    -- the network's click time, UTC ISO 8601
    action_time TEXT NOT NULL,          -- UTC ISO 8601 with milliseconds, e.g. 2026-03-01T12:00:00.000+00:00
    order_amount TEXT NOT NULL,         -- exact decimal, site currency
    commission TEXT NOT NULL,
    currency TEXT NOT NULL,             -- the site currency
    original_currency TEXT NOT NULL,
    raw_status TEXT NOT NULL,
    state TEXT NOT NULL,                -- hash of the fields above (not raw_status/currencies)
    seq INTEGER NOT NULL,               -- states seen so far: the current one is action_history.seq = this
    first_seen TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    report TEXT NOT NULL,               -- where the current state came from
    line INTEGER,
    PRIMARY KEY (network, action_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actions_time ON actions(network, action_time);
CREATE INDEX IF NOT EXISTS actions_order ON actions(network, program, order_id) WHERE order_id <> '';
CREATE TABLE IF NOT EXISTS action_history (
    network TEXT NOT NULL,
    action_id TEXT NOT NULL,
    seq INTEGER NOT NULL,               -- 1 for the first state seen
    state TEXT NOT NULL,
    order_id TEXT NOT NULL,
    program TEXT NOT NULL,
    status TEXT NOT NULL,
    paid INTEGER NOT NULL,
    subid TEXT NOT NULL,
    click_time TEXT,
    action_time TEXT NOT NULL,
    order_amount TEXT NOT NULL,
    commission TEXT NOT NULL,
    raw_status TEXT NOT NULL,
    seen_at TEXT NOT NULL,              -- UTC, when the import that saw it ran
    report TEXT NOT NULL,
    line INTEGER,
    import_id INTEGER NOT NULL REFERENCES imports(id),
    PRIMARY KEY (network, action_id, seq)
) WITHOUT ROWID;
"""

_STAGE_COLUMNS = ("action_id", "order_id", "program", "status", "paid", "subid", "subids", "click_time",
                  "action_time", "order_amount", "commission", "currency", "original_currency", "raw_status",
                  "state", "line")
_HISTORY_FIELDS = ("order_id", "program", "status", "paid", "subid", "click_time", "action_time", "order_amount",
                   "commission", "raw_status")


class LedgerError(ShowcaseError):
    """The ledger cannot be opened or written."""


@dataclass(frozen=True)
class Options:
    """Tolerances of the checks (see the module docs)."""

    tolerance_percent: Decimal = Decimal("1")
    tolerance_amount: Decimal = Decimal("0.01")
    clock_skew: timedelta = timedelta(minutes=5)
    click_tolerance_percent: Decimal = Decimal("5")
    click_tolerance_count: int = 2


@dataclass(slots=True)
class Finding:
    kind: str
    network: str
    action_id: str | None  # None for click_count_mismatch (a day, not an action)
    program: str | None = None  # site.yml program name, when known
    report_program: str = ""
    order_id: str = ""
    status: str = ""
    paid: bool = False
    subid: str = ""
    match: str = ""  # click | static | none
    action_time: str | None = None
    report_click_time: str | None = None  # the click time the network reports
    order_amount: Decimal | None = None
    commission: Decimal | None = None
    currency: str = ""
    expected_commission: Decimal | None = None
    tolerance: Decimal | None = None
    difference: Decimal | None = None  # commission - expected
    product_id: int | None = None
    page: str | None = None
    click: dict | None = None  # id, at, product_id, program, page, ua_class, source, key
    other_action_id: str | None = None
    day: str | None = None  # click_count_mismatch
    clicks_ours: int | None = None
    clicks_network: int | None = None
    detail: str = ""
    report: str = ""
    line: int | None = None

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = str(v) if isinstance(v, Decimal) else v
        return out


@dataclass
class ImportStats:
    path: str
    network: str
    format: str
    rows: int
    actions: int
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    already_imported: bool = False  # the same file (sha256) was imported before: nothing applied
    errors: list = field(default_factory=list)  # ReportError (line, message)

    def to_dict(self) -> dict:
        return {"path": self.path, "network": self.network, "format": self.format, "rows": self.rows,
                "actions": self.actions, "new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "already_imported": self.already_imported,
                "errors": [{"path": self.path, "line": e.line, "message": e.message} for e in self.errors]}


@dataclass
class Result:
    network: str
    currency: str
    since: date | None
    until: date | None
    imports: list[ImportStats]
    findings: list[Finding]
    summary: dict
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(FINDING_KINDS, 0)
        for f in self.findings:
            out[f.kind] += 1
        return out

    def head(self) -> dict:
        """Everything but the findings."""
        return {"network": self.network, "currency": self.currency,
                "period": {"since": self.since.isoformat() if self.since else None,
                           "until": self.until.isoformat() if self.until else None},
                "summary": self.summary, "finding_counts": self.counts(),
                "imports": [i.to_dict() for i in self.imports], "warnings": self.warnings}

    def to_dict(self) -> dict:
        return {**self.head(), "findings": [f.to_dict() for f in self.findings]}

    def write_json(self, stream) -> None:
        """``to_dict()`` as JSON, written one finding at a time (100,000 findings never become one string)."""
        head = json.dumps(self.head(), ensure_ascii=False, indent=2)
        stream.write(head[:-2] + ',\n  "findings": [')
        for i, f in enumerate(self.findings):
            stream.write(("\n    " if i == 0 else ",\n    ") + json.dumps(f.to_dict(), ensure_ascii=False))
        stream.write("\n  ]\n}\n" if self.findings else "]\n}\n")


# --- helpers -------------------------------------------------------------------------------------------


def ledger_path(site) -> Path:
    return site.state_dir / LEDGER_NAME


def _utc_iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(UTC).isoformat(timespec="milliseconds")


def _dec_text(d: Decimal) -> str:
    """Exact, canonical text of an amount: 100, 100.0 and 100.00 are one state."""
    if d == 0:
        return "0"
    return f"{d.normalize():f}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


_LAST_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def impact_campaign_id(tracking_url: str | None) -> str | None:
    """The campaign id of an Impact tracking link: the last number of its path
    (``https://brand.sjv.io/c/123/456/789`` -> ``789``)."""
    if not tracking_url:
        return None
    path = tracking_url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("://", 1)[-1].partition("/")[2]
    m = _LAST_NUMBER.search(path)
    return m.group(1) if m else None


def program_index(config, network: str) -> dict[str, str]:
    """How reports name the network's programs (lower-cased) -> the site.yml program name.
    ``report_id`` first, then ``id``, then (Impact) the campaign id of ``tracking_url``."""
    net = config.networks[network]
    out: dict[str, str] = {}
    programs = [(n, p) for n, p in config.programs.items() if p.network == network]
    for attr in ("report_id", "id", "campaign"):
        for name, p in programs:
            value = impact_campaign_id(p.tracking_url) if attr == "campaign" and net.type == "impact" else (
                None if attr == "campaign" else getattr(p, attr))
            if value:
                out.setdefault(str(value).strip().lower(), name)
    return out


def read_network_clicks(path: Path, config, network: str) -> dict[tuple[str, str], int]:
    """The network's own daily click counts, for programs paid per click: a CSV with the columns ``date``
    (YYYY-MM-DD, UTC), ``program`` (the site.yml program name, its report_id or id) and ``clicks``, as
    exported from the network's daily statistics. -> (program, day) -> clicks. Errors name file and line."""
    import csv

    names = program_index(config, network)
    names.update({n.lower(): n for n, p in config.programs.items() if p.network == network})
    out: dict[tuple[str, str], int] = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f)
        missing = {"date", "program", "clicks"} - {(h or "").strip().lower() for h in rows.fieldnames or ()}
        if missing:
            raise ShowcaseError(f"{path}:1: expected the columns date, program, clicks; missing: "
                                f"{', '.join(sorted(missing))}")
        for line, row in enumerate(rows, 2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
            try:
                day = date.fromisoformat(row["date"]).isoformat()
                clicks = int(row["clicks"])
            except ValueError:
                raise ShowcaseError(f"{path}:{line}: expected a YYYY-MM-DD date and a whole number of clicks, "
                                    f"got {row['date']!r}, {row['clicks']!r}") from None
            program = names.get(row["program"].lower())
            if program is None:
                raise ShowcaseError(f"{path}:{line}: {row['program']!r} is no program of network {network} "
                                    f"(known: {', '.join(sorted(set(names.values()))) or 'none'})")
            out[(program, day)] = out.get((program, day), 0) + clicks
    return out


def _first_subid(subids: Sequence[str]) -> str:
    return next((s for s in subids if s), "")


_STATE_FIELDS = ("order_id", "program", "status", "paid", "subid", "click_time", "action_time", "order_amount",
                 "commission")


def _state(*values: Any) -> str:
    """The state hash of an action (the SQL function ``showcase_state``)."""
    return hashlib.blake2b("\x1f".join("" if v is None else str(v) for v in values).encode("utf-8", "surrogatepass"),
                           digest_size=12).hexdigest()


def _rate(x: int, n: int) -> float | None:
    return round(x / n, 4) if n else None


def _per(amount: Decimal, n: int) -> str | None:
    return str((amount / n).quantize(Decimal("0.0001"), ROUND_HALF_UP)) if n else None


# --- the ledger -------------------------------------------------------------------------------------------


class Ledger:
    """The action ledger (see the module docs). One connection; use from one thread."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        # a URI connection, so that ATTACH of the click store can be read-only (?mode=ro)
        self.db = open_wal(self.path, "the ledger", LedgerError, uri=True)
        try:
            migrate(self.db, self.path, "ledger", SCHEMA, SCHEMA_VERSION, LedgerError)
            self.db.create_function("showcase_state", len(_STATE_FIELDS), _state, deterministic=True)
        except sqlite3.Error as e:
            raise LedgerError(f"{self.path}: cannot open the ledger: {e}") from None
        self._clicks_attached: str | None = None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- importing --------------------------------------------------------------------------------------
    def already_imported(self, network: str, digest: str) -> bool:
        return self.db.execute("SELECT 1 FROM imports WHERE network = ? AND sha256 = ? LIMIT 1",
                               (network, digest)).fetchone() is not None

    def import_actions(self, network: str, actions: Iterable, *, report: str, digest: str = "",
                       fmt: str = "", rows: int | None = None, errors: Sequence = ()) -> ImportStats:
        """Apply one report's actions (``showcase.reports.Action``) in one transaction; see the module docs."""
        actions = list(actions)
        stats = ImportStats(report, network, fmt, len(actions) if rows is None else rows, len(actions),
                            errors=list(errors))
        if digest and self.already_imported(network, digest):
            stats.already_imported = True
            stats.unchanged = len(actions)
            return stats
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS stage (" + ", ".join(
            f"{c} {'TEXT PRIMARY KEY' if c == 'action_id' else ''}" for c in _STAGE_COLUMNS) + ")")
        db.execute("DELETE FROM stage")
        now = _now()
        try:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(f"INSERT OR REPLACE INTO stage ({', '.join(_STAGE_COLUMNS)}) "
                           f"VALUES ({', '.join('?' * len(_STAGE_COLUMNS))})", map(_stage_row, actions))
            # What a report leaves empty (a CSV export without click dates or order ids) is not a change:
            # those fields keep the value an earlier report gave.
            db.execute("UPDATE stage SET "
                       "order_id = CASE WHEN stage.order_id = '' THEN a.order_id ELSE stage.order_id END, "
                       "program = CASE WHEN stage.program = '' THEN a.program ELSE stage.program END, "
                       "subid = CASE WHEN stage.subid = '' THEN a.subid ELSE stage.subid END, "
                       "subids = CASE WHEN stage.subid = '' THEN a.subids ELSE stage.subids END, "
                       "click_time = coalesce(stage.click_time, a.click_time) "
                       "FROM actions a WHERE a.network = ? AND a.action_id = stage.action_id", (network,))
            db.execute(f"UPDATE stage SET state = showcase_state({', '.join(_STATE_FIELDS)})")
            new, changed = db.execute(
                "SELECT coalesce(sum(a.state IS NULL), 0), coalesce(sum(a.state <> s.state), 0) FROM stage s "
                "LEFT JOIN actions a ON a.network = ? AND a.action_id = s.action_id", (network,)).fetchone()
            cur = db.execute("INSERT INTO imports (network, path, sha256, at, format, rows, actions, errors, new, "
                             "changed, unchanged) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (network, report, digest, now, fmt, stats.rows, len(actions), len(stats.errors), new,
                              changed, len(actions) - new - changed))
            import_id = cur.lastrowid
            cols = ", ".join(_HISTORY_FIELDS)
            db.execute(f"INSERT INTO action_history (network, action_id, seq, state, {cols}, seen_at, report, line, "
                       f"import_id) SELECT ?, s.action_id, coalesce(a.seq, 0) + 1, s.state, "
                       f"{', '.join('s.' + c for c in _HISTORY_FIELDS)}, ?, ?, s.line, ? FROM stage s "
                       f"LEFT JOIN actions a ON a.network = ? AND a.action_id = s.action_id "
                       f"WHERE a.state IS NULL OR a.state <> s.state", (network, now, report, import_id, network))
            current = [c for c in _STAGE_COLUMNS if c != "action_id"]
            db.execute(f"INSERT INTO actions (network, action_id, {', '.join(current)}, seq, first_seen, changed_at, "
                       f"report) SELECT ?, action_id, {', '.join(current)}, 1, ?, ?, ? FROM stage WHERE true "
                       f"ON CONFLICT (network, action_id) DO UPDATE SET "
                       + ", ".join(f"{c} = excluded.{c}" for c in current)
                       + ", seq = actions.seq + 1, changed_at = excluded.changed_at, report = excluded.report "
                       "WHERE actions.state <> excluded.state", (network, now, now, report))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        finally:
            db.execute("DELETE FROM stage")
        stats.new, stats.changed, stats.unchanged = new, changed, len(actions) - new - changed
        return stats

    # --- reading ------------------------------------------------------------------------------------------
    def history(self, network: str, action_id: str) -> list[dict]:
        """Every state of an action, oldest first."""
        cur = self.db.execute(f"SELECT seq, {', '.join(_HISTORY_FIELDS)}, seen_at, report, line, import_id "
                              f"FROM action_history WHERE network = ? AND action_id = ? ORDER BY seq",
                              (network, action_id))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur]

    def count(self, network: str | None = None) -> tuple[int, int]:
        """(actions, history rows), of one network or all."""
        where, args = ("WHERE network = ?", (network,)) if network else ("", ())
        a = self.db.execute(f"SELECT count(*) FROM actions {where}", args).fetchone()[0]
        h = self.db.execute(f"SELECT count(*) FROM action_history {where}", args).fetchone()[0]
        return a, h

    def attach_clicks(self, clicks_path: Path | None) -> None:
        """Attach the click store read-only as ``clk`` (an empty in-memory one when there is none)."""
        if self._clicks_attached is not None:
            self.db.execute("DETACH DATABASE clk")
            self._clicks_attached = None
        if clicks_path is not None and Path(clicks_path).is_file():
            uri = Path(clicks_path).resolve().as_uri() + "?mode=ro"
            try:
                self.db.execute("ATTACH DATABASE ? AS clk", (uri,))
                self.db.execute("SELECT count(*) FROM clk.sqlite_master").fetchone()
                has = self.db.execute("SELECT 1 FROM clk.sqlite_master WHERE name = 'clicks'").fetchone()
            except sqlite3.Error as e:
                raise LedgerError(f"{clicks_path}: cannot read the click store: {e}") from None
            self._clicks_attached = str(clicks_path)
            if has:
                return
            self.db.execute("DETACH DATABASE clk")
        self.db.execute("ATTACH DATABASE ':memory:' AS clk")
        self.db.execute("CREATE TABLE clk.clicks (id TEXT PRIMARY KEY, at TEXT NOT NULL, key TEXT NOT NULL, "
                        "feed TEXT NOT NULL, offer_id TEXT, product_id INTEGER, program TEXT NOT NULL, "
                        "page TEXT NOT NULL, ua_class TEXT NOT NULL, source TEXT NOT NULL)")
        self._clicks_attached = ":memory:"


def _stage_row(a) -> tuple:
    return (a.action_id, a.order_id, a.program, a.status, int(a.paid), _first_subid(a.subids),
            json.dumps(list(a.subids), ensure_ascii=False), _utc_iso(a.click_time), _utc_iso(a.action_time),
            _dec_text(a.order_amount), _dec_text(a.commission), a.currency, a.original_currency, a.raw_status, None,
            a.line)


# --- the run ------------------------------------------------------------------------------------------------


def reconcile(site, network: str, reports: Sequence[Path | str] = (), *, since: date | None = None,
              until: date | None = None, options: Options | None = None, ledger: Path | str | None = None,
              clicks: Path | str | None = None, catalog: Path | str | None = None,
              per_click: Mapping[str, Decimal] | None = None,
              network_clicks: Mapping[tuple[str, str], int] | None = None) -> Result:
    """Parse ``reports`` of ``network`` (a site.yml network name), import them into the ledger and check
    the period's actions. A report that is not that network's raises ShowcaseError before anything is
    imported; malformed rows are listed in ``Result.imports[i].errors``. ``ledger``, ``clicks``,
    ``catalog``: paths (default: the site's ``.showcase/ledger.sqlite``, ``tracker.store``, catalog).
    ``per_click`` (program -> amount per click) and ``network_clicks`` ((program, day) -> clicks the
    network counted) enable ``click_count_mismatch``."""
    from showcase.reports import parse_report

    config = site.config
    if network not in config.networks:
        raise ShowcaseError(f"unknown network {network!r} (site.yml defines: {', '.join(config.networks) or 'none'})")
    if since and until and since > until:
        raise ShowcaseError(f"--since {since} is after --until {until}")
    parsed = []
    for path in reports:
        report = parse_report(path, network, config.networks[network], site_currency=config.site.currency,
                              rates=config.rates, timezone=config.site.timezone)
        parsed.append((str(path), _sha256(Path(path)), report))
    if since is None and until is None:
        days = [a.action_time.astimezone(UTC).date() for _, _, r in parsed for a in r.actions]
        if days:
            since, until = min(days), max(days)
    imports = []
    with Ledger(ledger or ledger_path(site)) as led:
        while parsed:  # each report's actions are let go once imported
            path, digest, report = parsed.pop(0)
            imports.append(led.import_actions(network, report.actions, report=path, digest=digest, fmt=report.format,
                                              rows=report.rows, errors=report.errors))
            del report
        result = analyse(led, site, network, since=since, until=until, options=options,
                         clicks_path=Path(clicks) if clicks else _default_clicks(site),
                         catalog_path=Path(catalog) if catalog else site.catalog_path,
                         per_click=per_click, network_clicks=network_clicks)
    result.imports = imports
    return result


def _default_clicks(site) -> Path:
    from showcase.clicks import store_path

    return store_path(site)


class _Agg:
    """Actions and clicks of one summary row (a program, product, page, day, or the total)."""

    __slots__ = ("actions", "approved", "c_approved", "c_declined", "c_pending", "clicks", "declined", "order_sum",
                 "pending")

    def __init__(self):
        self.actions = self.clicks = self.pending = self.approved = self.declined = 0
        self.c_pending = self.c_approved = self.c_declined = self.order_sum = ZERO

    def add(self, status: str, amount: Decimal, commission: Decimal) -> None:
        self.actions += 1
        self.order_sum += amount
        if status == "approved":
            self.approved += 1
            self.c_approved += commission
        elif status == "pending":
            self.pending += 1
            self.c_pending += commission
        else:
            self.declined += 1
            self.c_declined += commission

    def to_dict(self) -> dict:
        return {"clicks": self.clicks, "actions": self.actions,
                "actions_by_status": {"pending": self.pending, "approved": self.approved, "declined": self.declined},
                "conversion_rate": _rate(self.actions, self.clicks), "order_sum": str(self.order_sum),
                "commission": {"pending": str(self.c_pending), "approved": str(self.c_approved),
                               "declined": str(self.c_declined)},
                "epc": _per(self.c_approved + self.c_pending, self.clicks),
                "approval_rate": _rate(self.approved, self.actions),
                "reversal_rate": _rate(self.declined, self.actions)}


def _period_sql(column: str, since: date | None, until: date | None) -> tuple[str, list]:
    where, args = [], []
    if since:
        where.append(f"{column} >= ?")
        args.append(since.isoformat())
    if until:
        where.append(f"{column} < ?")
        args.append((until + timedelta(days=1)).isoformat())
    return " AND ".join(where), args


def analyse(ledger: Ledger, site, network: str, *, since: date | None = None, until: date | None = None,
            options: Options | None = None, clicks_path: Path | None = None, catalog_path: Path | None = None,
            per_click: Mapping[str, Decimal] | None = None,
            network_clicks: Mapping[tuple[str, str], int] | None = None) -> Result:
    """The findings and the summary of ``network``'s ledger actions in the period (see the module docs)."""
    from showcase.links import parse_static_subid

    options = options or Options()
    config = site.config
    currency = config.site.currency
    programs = {n: p for n, p in config.programs.items() if p.network == network}
    index = program_index(config, network)
    only_program = next(iter(programs)) if len(programs) == 1 else None
    matched_by = "report_id, id" + (", Impact campaign id" if config.networks[network].type == "impact" else "")
    warnings: list[str] = []
    expected_payout: dict[str, Decimal | None] = {}
    for name, p in programs.items():
        if p.terms.payout is not None:
            cur = p.terms.currency or currency
            rate = Decimal(1) if cur == currency else config.rates.get(cur)
            if rate is None:
                warnings.append(f"program {name}: payout is in {cur} and site.yml has no rate {cur}->{currency}: "
                                f"its commissions are not checked")
                expected_payout[name] = None
            else:
                expected_payout[name] = (p.terms.payout * Decimal(rate)).quantize(CENT, ROUND_HALF_UP)
    cookie = {n: timedelta(days=p.terms.cookie_days) for n, p in programs.items() if p.terms.cookie_days is not None}
    tol_pct, tol_abs = options.tolerance_percent / HUNDRED, options.tolerance_amount

    ledger.attach_clicks(clicks_path)
    db = ledger.db
    period, args = _period_sql("a.action_time", since, until)
    where = f"a.network = ?{' AND ' + period if period else ''}"
    sql = (f"SELECT a.action_id, a.order_id, a.program, a.status, a.paid, a.subid, a.click_time, a.action_time, "
           f"a.order_amount, a.commission, a.report, a.line, k.id, k.at, k.product_id, k.program, k.page, "
           f"k.ua_class, k.source, k.key FROM actions a LEFT JOIN clk.clicks k ON k.id = a.subid AND a.subid <> '' "
           f"WHERE {where} ORDER BY a.action_time, a.action_id")
    findings: list[Finding] = []
    totals = _Agg()
    by_program: dict[str, _Agg] = {}
    by_product: dict[int | None, _Agg] = {}
    by_page: dict[str, _Agg] = {}
    by_day: dict[str, _Agg] = {}
    matching = {"click": 0, "static": 0, "no_subid": 0, "unknown_subid": 0}
    static_groups: dict[tuple[int, str], _Agg] = {}

    # Status regressions and duplicates: set-based over the ledger, before the pass over the actions, so
    # that the pass keeps nothing per action. Each gives action id -> what the finding says.
    regressed = {aid: (seen_at, report) for aid, _seq, seen_at, report in db.execute(
        f"SELECT a.action_id, min(h.seq), h.seen_at, h.report FROM actions a JOIN action_history h "
        f"ON h.network = a.network AND h.action_id = a.action_id AND h.status = 'approved' AND h.seq < a.seq "
        f"WHERE {where} AND a.status IN ('pending', 'declined') GROUP BY a.action_id", [network, *args])}
    same_order: dict[str, tuple[str, str]] = {}  # action id -> (order id, the earliest action of that order)
    first: dict[tuple[str, str], str] = {}
    positive = "(CAST(order_amount AS REAL) > 0 OR CAST(commission AS REAL) > 0)"
    for prog, order_id, aid in db.execute(
            f"SELECT program, order_id, action_id FROM actions WHERE network = ? AND order_id <> '' AND {positive} "
            f"AND (program, order_id) IN (SELECT program, order_id FROM actions WHERE network = ? "
            f"AND order_id <> '' AND {positive} GROUP BY program, order_id HAVING count(*) > 1) "
            f"ORDER BY program, order_id, action_time, action_id", (network, network)):
        earliest = first.setdefault((prog, order_id), aid)
        if earliest != aid:
            same_order[aid] = (order_id, earliest)
    del first
    reused = {aid: variants for aid, variants in db.execute(
        "SELECT action_id, group_concat(DISTINCT order_id || ' / ' || program || ' / ' || subid) FROM action_history "
        "WHERE network = ? GROUP BY action_id "
        "HAVING count(DISTINCT order_id || char(31) || program || char(31) || subid) > 1", (network,))}

    def agg(d: dict, key) -> _Agg:
        a = d.get(key)
        if a is None:
            a = d[key] = _Agg()
        return a

    no_extra: dict = {}
    for (aid, order_id, rprog, status, paid, subid, rclick, atime, amount_s, commission_s, report, line,
         kid, kat, kproduct, kprogram, kpage, kua, ksource, kkey) in db.execute(sql, [network, *args]):
        amount, commission = Decimal(amount_s), Decimal(commission_s)
        found: list[tuple[str, str, dict]] = []  # (kind, detail, extra fields) of this action
        if kid is not None:
            match, product, page = "click", kproduct, kpage
        elif not subid:
            match, product, page = "none", None, None
            matching["no_subid"] += 1
            found.append(("orphan_action", "no sub-id", no_extra))
        else:
            static = parse_static_subid(subid)
            if static is not None:
                match, (product, page) = "static", static
            else:
                match, product, page = "none", None, None
                matching["unknown_subid"] += 1
                found.append(("orphan_action", f"sub-id {subid!r} is no click in the click store and no storefront "
                                               f"sub-id", no_extra))
        if match != "none":
            matching[match] += 1
        if rprog:
            program = index.get(rprog.strip().lower())
            if program is None:
                found.append(("unknown_program", f"the report's program {rprog!r} matches no program of network "
                                                 f"{network} ({matched_by})", no_extra))
        else:
            program = kprogram if kid is not None and kprogram in programs else only_program
            if program is None:
                found.append(("unknown_program", "the report names no program, and no click or single program tells",
                              no_extra))
        if status == "declined":
            found.append(("declined", "declined by the advertiser", no_extra))
        elif program is not None:
            terms = programs[program].terms
            expected = None
            if terms.rate_percent is not None:
                expected = (amount * terms.rate_percent / HUNDRED).quantize(CENT, ROUND_HALF_UP)
            elif terms.payout is not None:
                expected = expected_payout.get(program)
            if expected is not None:
                tolerance = max(abs(expected) * tol_pct, tol_abs).quantize(CENT, ROUND_HALF_UP)
                diff = commission - expected
                if abs(diff) > tolerance:
                    how = (f"{terms.rate_percent}% of {amount}" if terms.rate_percent is not None
                           else f"payout {terms.payout} {terms.currency or currency}")
                    found.append(("commission_mismatch", f"commission {commission} {currency}, expected {expected} "
                                                         f"({how}), off by {diff} (tolerance {tolerance})",
                                  {"expected_commission": expected, "tolerance": tolerance, "difference": diff}))
        if kid is not None:
            action_dt, click_dt = datetime.fromisoformat(atime), datetime.fromisoformat(kat)
            if action_dt < click_dt - options.clock_skew:
                found.append(("action_before_click", f"action at {atime} is {_ago(click_dt - action_dt)} before the "
                                                     f"click at {kat}", no_extra))
            window = cookie.get(program) if program else None
            if window is not None and action_dt - click_dt > window:
                found.append(("outside_cookie_window", f"action {_ago(action_dt - click_dt)} after the click; the "
                                                       f"cookie window is {window.days} days", no_extra))
        if aid in regressed:
            seen_at, seen_in = regressed[aid]
            found.append(("status_regressed", f"approved (seen {seen_at[:19]}Z in {seen_in}), now {status}", no_extra))
        if aid in same_order:
            other_order, earliest = same_order[aid]
            found.append(("duplicate_action", f"order {other_order!r} is also action {earliest}",
                          {"other_action_id": earliest}))
        if aid in reused:
            found.append(("duplicate_action", f"action id seen with different content (order / program / sub-id): "
                                              f"{reused[aid].replace(',', '; ')}", {"other_action_id": aid}))
        if found:
            click = None if kid is None else {"id": kid, "at": kat, "product_id": kproduct, "program": kprogram,
                                              "page": kpage, "ua_class": kua, "source": ksource, "key": kkey}
            for kind, detail, extra in found:
                findings.append(Finding(
                    kind, network, aid, program=program, report_program=rprog, order_id=order_id, status=status,
                    paid=bool(paid), subid=subid, match=match, action_time=atime, report_click_time=rclick,
                    order_amount=amount, commission=commission, currency=currency, product_id=product, page=page,
                    click=click, detail=detail, report=report, line=line, **extra))
        # summary
        totals.add(status, amount, commission)
        agg(by_program, program or f"?{rprog}").add(status, amount, commission)
        agg(by_product, product).add(status, amount, commission)
        agg(by_page, page or "").add(status, amount, commission)
        agg(by_day, atime[:10]).add(status, amount, commission)
        if match == "static":
            agg(static_groups, (product, page)).add(status, amount, commission)

    # clicks: human ones, of the network's programs, in the period. Two scans of the store: per
    # (program, page, day), and per product. Over the whole store a table scan beats the
    # (program, at) index, which would fetch every row again for ua_class and page.
    prog_names = list(programs)
    click_where, click_args = _period_sql("at", since, until)
    click_from = "clk.clicks" + ("" if click_where else " NOT INDEXED")
    click_sql_where = (f"WHERE ua_class = 'human' AND program IN ({', '.join('?' * len(prog_names))})"
                       + (f" AND {click_where}" if click_where else ""))
    cargs = [*prog_names, *click_args]
    daily: dict[tuple[str, str], int] = {}
    if prog_names:
        for prog, page, day, n in db.execute(f"SELECT program, page, substr(at, 1, 10), count(*) FROM {click_from} "
                                             f"{click_sql_where} GROUP BY 1, 2, 3", cargs):
            totals.clicks += n
            agg(by_program, prog).clicks += n
            agg(by_page, page).clicks += n
            agg(by_day, day).clicks += n
            daily[(prog, day)] = daily.get((prog, day), 0) + n
        for product, n in db.execute(f"SELECT product_id, count(*) FROM {click_from} {click_sql_where} GROUP BY 1",
                                     cargs):
            agg(by_product, product).clicks = n
        for (product, _page), a in static_groups.items():
            a.clicks = by_product[product].clicks if product in by_product else 0

    # paid per click
    per_click = dict(per_click or {})
    if per_click:
        if network_clicks is None:
            warnings.append(f"program(s) {', '.join(sorted(per_click))} are paid per click, but no per-day click "
                            f"counts of the network were given: click_count_mismatch not checked")
        else:
            theirs = {k: v for k, v in network_clicks.items() if _in_period(k[1], since, until)}
            findings.extend(check_click_counts(daily, theirs, per_click, network, options))

    # products: every one with actions, and the most clicked of those without (a big catalog has
    # tens of thousands of clicked products that never sold)
    idle = sorted((k for k, a in by_product.items() if not a.actions), key=lambda k: (-by_product[k].clicks, k or 0))
    for k in idle[PRODUCTS_WITHOUT_ACTIONS:]:
        del by_product[k]
    omitted = max(0, len(idle) - PRODUCTS_WITHOUT_ACTIONS)
    del idle
    titles = _titles(catalog_path, [p for p in by_product if p is not None])
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    findings.sort(key=lambda f: (order[f.kind], f.action_time or "", f.action_id or "", f.day or ""))

    def rows(d: dict, name: str, sort) -> list[dict]:
        out = [{name: k, **a.to_dict()} for k, a in d.items()]
        out.sort(key=sort)
        return out

    by_product_rows = rows(by_product, "product_id", lambda r: (-r["actions"], -r["clicks"], r["product_id"] or 0))
    for r in by_product_rows:
        r["title"] = titles.get(r["product_id"], "")
    summary = {
        "currency": currency,
        "clicks_are": "human clicks (bots, prefetches and HEAD requests not counted)",
        "epc_is": "(approved + pending commission) / clicks",
        "total": totals.to_dict(),
        "matching": matching,
        "by_program": rows(by_program, "program", lambda r: (-Decimal(r["commission"]["approved"])
                                                             - Decimal(r["commission"]["pending"]), r["program"])),
        "by_product": by_product_rows,
        "by_product_omitted": omitted,
        "by_page": rows(by_page, "page", lambda r: (-r["clicks"], -r["actions"], r["page"])),
        "by_day": rows(by_day, "day", lambda r: r["day"]),
        "static_subids": [{"product_id": p, "page": pg, **a.to_dict()}
                          for (p, pg), a in sorted(static_groups.items(), key=lambda kv: (-kv[1].actions, kv[0]))],
    }
    return Result(network, currency, since, until, [], findings, summary, warnings)


def _in_period(day: str, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since.isoformat()) and (until is None or day <= until.isoformat())


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds // 60} min"


def _titles(catalog_path: Path | None, ids: list[int]) -> dict[int, str]:
    if not ids or catalog_path is None or not Path(catalog_path).is_file():
        return {}
    try:
        db = sqlite3.connect(Path(catalog_path).resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    out: dict[int, str] = {}
    try:
        db.execute("PRAGMA busy_timeout=5000")
        for i in range(0, len(ids), 900):
            part = ids[i:i + 900]
            out.update(db.execute(f"SELECT id, title FROM products WHERE id IN ({','.join('?' * len(part))})", part))
    except sqlite3.Error:
        pass
    finally:
        db.close()
    return out


def check_click_counts(ours: Mapping[tuple[str, str], int], theirs: Mapping[tuple[str, str], int],
                       per_click: Mapping[str, Decimal], network: str, options: Options | None = None) -> list[Finding]:
    """``click_count_mismatch`` for each (program, day) of a per-click program where our human clicks and
    the network's differ by more than ``max(theirs x click_tolerance_percent / 100, click_tolerance_count)``.
    ``ours``/``theirs``: (site.yml program name, 'YYYY-MM-DD') -> clicks."""
    options = options or Options()
    out = []
    for (program, day) in sorted(set(ours) | set(theirs)):
        if program not in per_click:
            continue
        a, b = ours.get((program, day), 0), theirs.get((program, day), 0)
        allowed = max(Decimal(b) * options.click_tolerance_percent / HUNDRED, Decimal(options.click_tolerance_count))
        if abs(a - b) > allowed:
            try:
                at_stake = (Decimal(a - b) * Decimal(per_click[program])).quantize(CENT, ROUND_HALF_UP)
            except InvalidOperation:
                at_stake = None
            out.append(Finding("click_count_mismatch", network, None, program=program, day=day, clicks_ours=a,
                               clicks_network=b, difference=at_stake,
                               detail=f"{day}: we counted {a} human clicks, the network {b} "
                                      f"(paid {per_click[program]} per click)"))
    return out
