"""Network earnings reports -> one action record per conversion.

``parse_report(path, network_name, network, site_currency=..., rates=..., timezone=...)`` reads one
export of one network and returns a :class:`Report`: the actions it read, one :class:`ReportError`
per malformed row (with its line; the row is skipped, the others are read), and the number of data
rows. A file that is not a report of that network at all (another network's export, an HTML login
page, an empty file, a spreadsheet) raises :class:`~showcase.errors.ShowcaseError` whose message
names the file, what was expected and what was found::

    reports/awin.csv: not an Admitad actions report: expected columns action id (action_id, ID
    действия), status (status, Статус), ...; found: Transaction ID, Date, Commission Status, ...
    (it looks like an Awin transactions report: is the network right?)

One module per network (``admitad``, ``awin``, ``cj``, ``impact``, ``neutral``) says which fields it
reads under which names, its status table, and how a row becomes an action; this module holds what
they share: opening and sniffing files, money, times, currencies, grouping rows into actions.

Reading a file
--------------
* Compression by content, not by name: gzip, or a zip archive holding exactly one file.
* JSON or CSV by the first non-blank character: ``{`` or ``[`` is JSON (a whole API response, or
  JSON Lines: one object per line, Singer ``RECORD`` messages unwrapped); anything else must be a
  delimited text with a header row. XML (the older CJ and Impact APIs answer in XML by default), HTML
  pages, PDFs, images, Excel workbooks and empty files are rejected, saying what the file looks like.
* Encoding: a UTF-8 or UTF-16 byte-order mark; else UTF-8, switching to windows-1251 at the first
  byte that is not UTF-8 (CSV streams, so a cp1251 file that is ASCII for its first megabytes still
  reads right); a JSON file that is not UTF-8 is read as windows-1251.
* CSV: the delimiter (``,`` ``;`` tab ``|``) is the one on which the first lines agree on the widest
  row (or Excel's ``sep=;`` first line); quoted fields with delimiters, doubled quotes and newlines;
  CR, LF, CRLF. The header is the first of the first 10 non-blank rows that has the columns the
  network requires (title lines above it are skipped). Header names are compared lower-cased with
  everything but letters and digits dropped, so ``Click Ref 2``, ``clickRef2`` and ``click_ref_2``
  are one name, and so are JSON keys (``SubId1``, ``subid1``, ``Sub_Id_1``). Blank rows and total
  rows (``Итого``, ``Total``) are not counted. A row whose cell count differs from the header's is
  an error (extra cells that are all empty are fine). A row's line is the physical line it starts on.
* JSON is loaded whole (``json.load(parse_float=Decimal)``): API pages and exports are modest (100,000
  actions are some 25-60 MB and load in about a second); CSV is read one row at a time. A JSON record's
  ``line`` is its 1-based position in the record list (JSON Lines: its physical line).

Values
------
* Money is ``Decimal``, never float: JSON numbers are read as Decimal; text goes through
  :func:`showcase.normalize.parse_money` (``1 299,50``, ``12.99 USD``, ``€12,99``, ``1.299,50``);
  ``(12.50)`` is negative; an empty cell or ``-`` is 0 (a declined lead often has no amount).
* Currency: the amount's own (``12.99 USD``, Awin's ``{"amount", "currency"}``), else the row's
  currency column, else the site currency (a report that names no currency at all is taken to be
  in the site currency). Amounts are converted into the site currency with, in this order, the
  rate the report itself implies (Impact ``original_currency`` + ``original_currency_sale_amount``),
  then ``rates`` (site.yml: units of site currency per unit); converted amounts are rounded to
  cents. An amount whose currency has no rate makes the row an error (``no exchange rate
  EUR->RUB``): never a guess.
* Times: ISO 8601 (``2024-03-01T12:00:00Z``, ``...-08:00``, ``...-0700``), ``YYYY-MM-DD HH:MM:SS``,
  ``DD.MM.YYYY HH:MM(:SS)``, ``DD/MM/YYYY`` (``MM/DD/YYYY`` when the day-first reading is impossible
  or the time has AM/PM), ``YYYY/MM/DD``, a trailing zone name (``UTC``, ``GMT``, ``MSK``, ``PST``,
  ``CET``, ...), epoch seconds or milliseconds. A time without a zone is in ``timezone`` (the
  site's). Every time handed on is timezone-aware UTC.
* Statuses: each network module has its table (network status -> pending | approved | declined,
  and whether it means paid), with where it comes from. Statuses are compared lower-cased with
  ``_`` and ``-`` read as spaces. An unknown status makes the row an error naming the status and
  the known ones.
* Sub-ids: in the network's order, ``''`` kept for a missing middle one, trailing ``''`` trimmed.

Rows -> actions
---------------
* CSV: rows with the same action id are one action (exports that list one row per item): amounts
  are summed, each row becomes a :class:`LineItem`; the action is approved if any row is, else
  pending if any is, else declined; paid if any row is. A row identical to an earlier one of the
  same action is a repeated row, counted once and reported.
* JSON: a record is a whole action (its items nested in it). A record whose action id came before
  (overlapping API pages) replaces the earlier one, and that is reported.
* CJ correction records are added into the action they correct (see ``showcase.reports.cj``).
* ``LineItem.amount`` is the line's total (unit price x quantity), in the site currency.

Performance: 100,000 CSV rows or JSON records parse in a few seconds (see tests/test_reports.py).
"""

from __future__ import annotations

import codecs
import csv
import gc
import gzip
import importlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from showcase.errors import ShowcaseError
from showcase.feeds.csvfeed import rows as csv_rows
from showcase.feeds.source import Recoder, valid_utf8_head
from showcase.normalize import CENT, CURRENCY_ALIASES, CURRENCY_SIGNS, parse_money

__all__ = ["Action", "LineItem", "Report", "ReportError", "parse_report", "parse_time"]

STATUSES = ("pending", "approved", "declined")
ZERO = Decimal(0)
ONE = Decimal(1)
HEAD_SIZE = 1 << 16
HEADER_SEARCH = 10  # non-blank rows looked at for the header
TOTAL_WORDS = frozenset({"итого", "итого:", "всего", "всего:", "total", "total:", "totals", "grand total"})
NETWORK_MODULES = {"admitad": "admitad", "awin": "awin", "cj": "cj", "impact": "impact"}


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class LineItem:
    sku: str
    name: str
    quantity: int
    amount: Decimal  # the line's total, site currency
    commission: Decimal  # site currency


@dataclass(frozen=True, slots=True)
class Action:
    """One conversion as the network reports it, amounts in the site currency."""

    network: str  # the site.yml network name (not the type)
    action_id: str
    order_id: str
    program: str  # the network's advertiser/program id as in the report
    status: str  # "pending" | "approved" | "declined"
    paid: bool
    subids: tuple[str, ...]
    click_time: datetime | None  # timezone-aware UTC
    action_time: datetime  # timezone-aware UTC
    order_amount: Decimal  # site currency
    commission: Decimal  # site currency
    currency: str  # the site currency (what the amounts are in)
    original_currency: str  # the report's currency
    items: tuple[LineItem, ...]
    line: int | None  # source line (JSON: the record's 1-based position) for messages
    raw_status: str  # as the report said


@dataclass
class ReportError:
    """A malformed row: reported with its line and skipped."""

    line: int | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line is not None else self.message


@dataclass
class Report:
    network: str
    format: str  # "csv" | "json" | "jsonl"
    actions: list[Action]
    errors: list[ReportError]
    rows: int  # data rows / records read (errors included; header, blank and total rows not)


class RowError(Exception):
    """Raised by a network's row reader: the row becomes a ReportError and is skipped."""


@dataclass(slots=True)
class Row:
    """One row/record read, amounts already in the site currency; rows of one action are merged."""

    action_id: str
    order_id: str
    program: str
    status: str
    paid: bool
    raw_status: str
    subids: tuple[str, ...]
    click_time: datetime | None
    action_time: datetime
    amount: Decimal
    commission: Decimal
    original_currency: str
    items: list[LineItem] = field(default_factory=list)
    line: int | None = None
    sig: int = 0  # hash of the CSV cells: a repeated row is counted once
    # CJ corrections
    correction: bool = False
    link: str = ""  # the id of the action a correction corrects
    posted: datetime | None = None


# --------------------------------------------------------------------------- small helpers

_KEY_JUNK = re.compile(r"[^0-9a-zа-яё]+")


def norm_key(name: str) -> str:
    """A header or JSON key as compared: lower case, letters and digits only."""
    k = _KEY_JUNK.sub("", name.lower())
    return k or name.strip().lower()


def status_key(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


class StatusTable(dict):
    """A network's statuses keyed the way they are compared; ``known`` as written, for messages."""

    known: str = ""


def status_table(table: dict[str, tuple[str, bool | None]]) -> StatusTable:
    """network status -> (pending | approved | declined, paid: True/False, or None when the status does
    not say and the row's paid flag decides)."""
    out = StatusTable()
    for name, (ours, paid) in table.items():
        if ours not in STATUSES:
            raise ValueError(f"status {name!r}: {ours!r} is not one of {', '.join(STATUSES)}")
        out[status_key(name)] = (ours, paid)
    out.known = ", ".join(sorted(table, key=str.lower))
    return out


def text(value: Any) -> str:
    """A cell or JSON scalar as stripped text ('' for None)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise RowError(f"expected a value, found {type(value).__name__}")


def short(value: Any, limit: int = 40) -> str:
    s = value if isinstance(value, str) else repr(value)
    return repr(s if len(s) <= limit else s[:limit] + "…")


def trim_subids(values: list[str]) -> tuple[str, ...]:
    while values and not values[-1]:
        values.pop()
    return tuple(values)


def pick(obj: dict, *keys: str) -> Any:
    """The first non-empty value of ``obj`` under any of ``keys`` (compared as norm_key)."""
    norm = {norm_key(k): v for k, v in obj.items()}
    for k in keys:
        v = norm.get(k)
        if v is not None and v != "":
            return v
    return None


_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_TRUE = frozenset({"1", "true", "yes", "y", "paid", "да", "оплачено", "оплачен", "выплачено", "+"})
_FALSE = frozenset({"", "0", "false", "no", "n", "unpaid", "not paid", "нет", "не оплачено", "-"})


def flag(value: Any, what: str) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        return value != 0
    s = text(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise RowError(f"bad {what} flag: {short(value)} (expected yes/no, true/false, 1/0)")


def quantity(value: Any) -> int:
    if value is None or value == "":
        return 1
    try:
        amount, _ = money_value(value, "quantity") or (ONE, "")
        q = int(amount)
    except (RowError, ValueError, InvalidOperation):
        raise RowError(f"bad quantity: {short(value)}") from None
    if q != amount:
        raise RowError(f"bad quantity: {short(value)}")
    return q


def money_value(value: Any, what: str) -> tuple[Decimal, str] | None:
    """(amount, currency named with it or '') from a JSON number or a text cell; None when empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise RowError(f"bad {what}: {short(value)}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise RowError(f"bad {what}: {short(str(value))}")
        return value, ""
    if isinstance(value, int):
        return Decimal(value), ""
    if isinstance(value, float):
        return Decimal(repr(value)), ""
    if not isinstance(value, str):
        raise RowError(f"bad {what}: expected a number, found {type(value).__name__}")
    s = value.strip()
    if _PLAIN_NUMBER.fullmatch(s):
        return Decimal(s.replace(",", ".")), ""  # the common case: '1299.50', '12,5', '-3'
    if not s or s in ("-", "—", "–"):
        return None
    negative = s.startswith("(") and s.endswith(")")
    if negative:
        s = s[1:-1]
    try:
        amount, currency = parse_money(s)
    except (ValueError, InvalidOperation):
        raise RowError(f"bad {what}: {short(value)}") from None
    return (-amount if negative else amount), currency


def currency_code(value: Any) -> str:
    """An ISO code from a currency cell: 'usd', 'RUR' (-> RUB), '₽', 'руб.'; '' when empty."""
    raw = text(value)
    if not raw:
        return ""
    for candidate in (raw, raw.lower(), raw.lower().rstrip(".")):
        if candidate in CURRENCY_SIGNS:
            return CURRENCY_SIGNS[candidate]
    s = raw.upper()
    if len(s) != 3 or not s.isalpha() or not s.isascii():
        raise RowError(f"bad currency: {short(value)}")
    return CURRENCY_ALIASES.get(s, s)


# --------------------------------------------------------------------------- times

_ZONES = {"Z": 0, "UTC": 0, "GMT": 0, "WET": 0, "BST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180,
          "MSK": 180, "EST": -300, "EDT": -240, "CST": -360, "CDT": -300, "MST": -420, "MDT": -360,
          "PST": -480, "PDT": -420}  # fmt: skip
_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
_ZONE_TAIL = re.compile(rf"^(.*?{_TIME})\s*(Z|[A-Za-z]{{2,5}}|[+-]\d{{2}}(?::?\d{{2}})?)$")
_AMPM = re.compile(r"\s*([AaPp])\.?[Mm]\.?$")
_CLOCK = r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
_DMY = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}){_CLOCK}$")
_YMD = re.compile(rf"^(\d{{4}})/(\d{{1,2}})/(\d{{1,2}}){_CLOCK}$")


def parse_time(value: Any, tz: ZoneInfo | dt_timezone) -> datetime | None:
    """A report time as timezone-aware UTC; naive times are in ``tz``. None when empty;
    ValueError when it is not a time."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, Decimal)):
        return _epoch(value)
    s = str(value).strip()
    if not s:
        return None
    if s.isdigit() and len(s) in (9, 10, 12, 13):
        return _epoch(int(s))
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = _parse_other(s)
    if dt.tzinfo is None:
        return (dt - tz.utcoffset(dt)).replace(tzinfo=UTC)  # 4x faster than replace(tzinfo).astimezone
    return dt.astimezone(UTC)


def _epoch(n: int | Decimal) -> datetime:
    n = int(n)
    if n > 10**11:  # milliseconds
        return datetime.fromtimestamp(n / 1000, UTC)
    if n < 10**8:
        raise ValueError(n)
    return datetime.fromtimestamp(n, UTC)


def _parse_other(s: str) -> datetime:
    offset = None
    m = _ZONE_TAIL.match(s)
    if m and m.group(2).upper() not in ("AM", "PM"):
        s, zone = m.group(1), m.group(2)
        if zone[0] in "+-":
            digits = zone[1:].replace(":", "")
            minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
            offset = dt_timezone(timedelta(minutes=-minutes if zone[0] == "-" else minutes))
        elif zone.upper() in _ZONES:
            offset = dt_timezone(timedelta(minutes=_ZONES[zone.upper()]))
        else:
            raise ValueError(s)
    ampm = None
    m = _AMPM.search(s)
    if m:
        ampm = m.group(1).lower()
        s = s[: m.start()]
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        dt = None
    if dt is None:
        m = _DMY.match(s)
        if m:
            a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
            day, month = (a, b) if sep == "." or not ampm else (b, a)  # 12-hour clock: US month-first
            if month > 12 and day <= 12:
                day, month = month, day
            clock = m.groups()[4:]
        else:
            m = _YMD.match(s)
            if not m:
                raise ValueError(s)
            year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
            clock = m.groups()[3:]
        hour, minute, second, frac = clock
        micro = int((frac or "0").ljust(6, "0")[:6])
        dt = datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0), micro)
    if ampm:
        if not 1 <= dt.hour <= 12:
            raise ValueError(s)
        dt = dt.replace(hour=dt.hour % 12 + (12 if ampm == "p" else 0))
    if offset is not None:
        if dt.tzinfo is not None:
            raise ValueError(s)
        dt = dt.replace(tzinfo=offset)
    return dt


# --------------------------------------------------------------------------- the row context


class Context:
    """What a network's row reader needs: money, times, currencies and statuses, read one way."""

    def __init__(self, path: str, network: str, site_currency: str, rates: dict, tz: ZoneInfo):
        self.path = path
        self.network = network
        self.site = site_currency.upper()
        self.rates = {k.upper(): Decimal(v) for k, v in (rates or {}).items()}
        self.tz = tz
        self._statuses: dict[tuple[int, str], tuple[str, bool | None] | None] = {}

    def time(self, value: Any, what: str) -> datetime | None:
        try:
            return parse_time(value, self.tz)
        except (ValueError, OverflowError, OSError):
            raise RowError(f"bad {what}: {short(value)}") from None

    def required_time(self, value: Any, what: str) -> datetime:
        t = self.time(value, what)
        if t is None:
            raise RowError(f"missing {what}")
        return t

    def rate(self, currency: str) -> Decimal:
        """Units of site currency per unit of ``currency`` ('' is the site currency)."""
        if not currency or currency == self.site:
            return ONE
        r = self.rates.get(currency)
        if r is None:
            raise RowError(f"no exchange rate {currency}->{self.site}")
        return r

    @staticmethod
    def apply(amount: Decimal, rate: Decimal) -> Decimal:
        return amount if rate == ONE else (amount * rate).quantize(CENT, ROUND_HALF_UP)

    def amount(self, value: Any, what: str, currency: str = "") -> tuple[Decimal, str]:
        """(amount in the site currency, its original currency); an empty value is 0."""
        parsed = money_value(value, what)
        if parsed is None:
            return ZERO, currency or self.site
        amount, named = parsed
        cur = named or currency or self.site
        return self.apply(amount, self.rate(cur)), cur

    def status(self, table: StatusTable, value: Any) -> tuple[str, bool | None, str]:
        """(our status, paid or None when the status does not say, the status as written)."""
        raw = text(value)
        if not raw:
            raise RowError("missing status")
        key = (id(table), raw)
        found = self._statuses.get(key)
        if found is None:
            found = self._statuses[key] = table.get(status_key(raw))
        if found is None:
            raise RowError(f"unknown status {raw!r} (known: {table.known})")
        return found[0], found[1], raw

    def item(self, rec: dict, amount: Decimal, commission: Decimal) -> list[LineItem]:
        """A CSV row's own line item, when the export has item columns (sku, item name, quantity)."""
        if not ("sku" in rec or "item_name" in rec or "quantity" in rec):
            return []
        return [LineItem(text(rec.get("sku")), text(rec.get("item_name")), quantity(rec.get("quantity")),
                         amount, commission)]


# --------------------------------------------------------------------------- the parser base


class Parser:
    """One network's report reader. Subclasses set the class attributes and implement ``row``."""

    label: ClassVar[str] = "a report"  # "not <label>: ..."
    fields: ClassVar[dict[str, tuple[str, ...]]] = {}  # field -> header/key names (norm_key form)
    required: ClassVar[tuple[tuple[str, ...], ...]] = ()  # any-of groups a file must have
    json_paths: ClassVar[tuple[tuple[str, ...], ...]] = ()  # where the record list is in a response
    json_shape: ClassVar[str] = "a list of records"  # said when the JSON has none
    names: ClassVar[dict[str, str]] = {}  # field -> how messages name it (default: its first aliases)
    reads_json: ClassVar[bool] = True

    def __init__(self, ctx: Context):
        self.ctx = ctx

    # -- what subclasses implement -----------------------------------------------------------
    def row(self, rec: dict[str, Any], line: int) -> Row:
        raise NotImplementedError

    # -- naming things in messages -----------------------------------------------------------
    def shown(self, group: tuple[str, ...]) -> str:
        names = [self.names[f] for f in group if f in self.names]
        if not names:
            for f in group:
                names.extend(self.fields.get(f, ())[:2])
        return f"{group[0].replace('_', ' ')} ({' or '.join(names)})"

    # -- plans: which columns / keys give which field ------------------------------------------
    def plan(self, names: list[str]) -> dict[str, list]:
        index: dict[str, list] = {}
        for i, n in enumerate(names):
            index.setdefault(norm_key(n), []).append(i)
        out: dict[str, list] = {}
        for f, aliases in self.fields.items():
            found = [i for a in aliases for i in index.get(a, ())]
            if found:
                out[f] = found
        return out

    def missing(self, plan: dict[str, list]) -> list[tuple[str, ...]]:
        return [g for g in self.required if not any(f in plan for f in g)]

    def recognises(self, names: list[str]) -> bool:
        return not self.missing(self.plan(names))

    # -- merging rows into actions -------------------------------------------------------------
    def group(self, rows: list[Row], errors: list[ReportError], fmt: str) -> dict[str, list[Row]]:
        groups: dict[str, list[Row]] = {}
        for r in rows:
            g = groups.get(r.action_id)
            if g is None:
                groups[r.action_id] = [r]
            elif fmt != "csv":
                errors.append(ReportError(r.line, f"action {r.action_id} repeats record {g[0].line}; "
                                                  f"the later record is kept"))
                groups[r.action_id] = [r]
            else:
                same = next((x for x in g if x.sig == r.sig), None)
                if same is not None:
                    errors.append(ReportError(r.line, f"action {r.action_id}: line {r.line} repeats line "
                                                      f"{same.line}; counted once"))
                else:
                    g.append(r)
        return groups

    def merge(self, rows: list[Row]) -> Action:
        first = rows[0]
        ctx = self.ctx
        if len(rows) == 1:
            return Action(ctx.network, first.action_id, first.order_id, first.program, first.status, first.paid,
                          first.subids, first.click_time, first.action_time, first.amount, first.commission,
                          ctx.site, first.original_currency, tuple(first.items), first.line, first.raw_status)
        statuses = {r.status for r in rows}
        status = next(s for s in ("approved", "pending", "declined") if s in statuses)
        raw = list(dict.fromkeys(r.raw_status for r in rows))
        items: list[LineItem] = []
        for r in rows:
            items.extend(r.items or [LineItem("", "", 1, r.amount, r.commission)])
        clicks = [r.click_time for r in rows if r.click_time is not None]
        return Action(
            ctx.network, first.action_id, next((r.order_id for r in rows if r.order_id), ""),
            next((r.program for r in rows if r.program), ""), status, any(r.paid for r in rows),
            next((r.subids for r in rows if r.subids), ()), min(clicks) if clicks else None,
            min(r.action_time for r in rows), sum((r.amount for r in rows), ZERO),
            sum((r.commission for r in rows), ZERO), ctx.site, first.original_currency, tuple(items), first.line,
            " / ".join(raw),
        )

    def collect(self, rows: list[Row], errors: list[ReportError], fmt: str) -> list[Action]:
        return [self.merge(g) for g in self.group(rows, errors, fmt).values()]

    # -- running ---------------------------------------------------------------------------------
    def fail(self, detail: str) -> ShowcaseError:
        return ShowcaseError(f"{self.ctx.path}: not {self.label}: {detail}")

    def read_row(self, rec: dict[str, Any], line: int, rows: list[Row], errors: list[ReportError]) -> Row | None:
        try:
            r = self.row(rec, line)
        except RowError as e:
            aid = rec.get("action_id")
            who = f"action {text(aid)}: " if isinstance(aid, (str, int)) and text(aid) else ""
            errors.append(ReportError(line, f"{who}{e}"))
            return None
        except (TypeError, ValueError, ArithmeticError, AttributeError, KeyError) as e:  # a shape we did not foresee
            errors.append(ReportError(line, f"unreadable row: {type(e).__name__}: {e}"))
            return None
        r.line = line
        rows.append(r)
        return r


# --------------------------------------------------------------------------- opening files

_MAGIC = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office file (xls); save the report as CSV"),
    (b"BZh", "a bzip2 archive (only gzip and zip are read)"),
    (b"\xfd7zXZ\x00", "an xz archive (only gzip and zip are read)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (only gzip and zip are read)"),
    (b"Rar!", "a RAR archive (only gzip and zip are read)"),
    (b"SQLite format 3\x00", "an SQLite database"),
]


class _Input(io.RawIOBase):
    """A decompressed byte stream that closes everything under it (member, archive, file)."""

    def __init__(self, stream, closers: list):
        super().__init__()
        self._stream = stream
        self._closers = closers

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self._stream.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for c in reversed(self._closers):
                c.close()
        super().close()


def _open(path: str, parser: Parser) -> io.BufferedReader:
    """The file's bytes, decompressed (gzip, or a zip holding one file)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed through the returned stream
    except OSError as e:
        raise ShowcaseError(f"{path}: cannot open report: {e.strerror or e}") from None
    closers: list = [f]
    try:
        magic = f.read(4)
        f.seek(0)
        stream: Any = f
        if magic[:2] == b"\x1f\x8b":
            stream = gzip.GzipFile(fileobj=f, mode="rb")
            closers.append(stream)
        elif magic == b"PK\x03\x04":
            try:
                zf = zipfile.ZipFile(f)
            except (zipfile.BadZipFile, OSError) as e:
                raise parser.fail(f"an unreadable zip archive ({e})") from None
            closers.append(zf)
            names = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            if any(i.filename == "[Content_Types].xml" for i in names):
                raise parser.fail("an Excel workbook (xlsx); save the report as CSV")
            if len(names) != 1:
                raise parser.fail(f"a zip archive of {len(names)} files; expected exactly one report in it")
            stream = zf.open(names[0])
            closers.append(stream)
        return io.BufferedReader(_Input(stream, closers), 1 << 16)
    except BaseException:
        for c in reversed(closers):
            c.close()
        raise


def _read_head(stream: io.BufferedReader, parser: Parser) -> bytes:
    try:
        return stream.read(HEAD_SIZE)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
        raise parser.fail(f"cannot decompress it ({e})") from None


def _sniff_kind(head: bytes, parser: Parser) -> str:
    """'json' or 'csv'; ShowcaseError saying what the file looks like otherwise."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sample = head.decode("utf-16", "replace")
    else:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise parser.fail(f"it is {what}")
        sample = head.removeprefix(codecs.BOM_UTF8).decode("latin-1")
        if "\x00" in sample[:4096]:
            raise parser.fail("binary data (first bytes: " + head[:8].hex(" ") + ")")
    stripped = sample.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise parser.fail("the file is empty")
    if stripped[0] in "{[":
        return "json"
    if stripped[0] == "<":
        low = stripped[:2000].lower()
        if "<html" in low or low.startswith("<!doctype html"):
            raise parser.fail("an HTML page (a login or error page saved instead of the export?)")
        raise parser.fail("an XML document; export the report as CSV, or ask the API for JSON")
    return "csv"


def _decode_whole(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1251", "replace")


def _text_stream(stream: io.BufferedReader, head: bytes) -> tuple[io.TextIOBase, str]:
    if head.startswith(codecs.BOM_UTF8):
        return io.TextIOWrapper(stream, "utf-8-sig", errors="replace", newline=""), "utf-8"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return io.TextIOWrapper(stream, "utf-16", errors="replace", newline=""), "utf-16"
    if valid_utf8_head(head):
        return io.TextIOWrapper(io.BufferedReader(Recoder(stream)), "utf-8", errors="replace", newline=""), "utf-8"
    return io.TextIOWrapper(stream, "cp1251", errors="replace", newline=""), "windows-1251"


def sniff_delimiter(sample: str) -> str:
    """The delimiter on which the sample's lines agree on the widest row (title lines tolerated)."""
    first = sample.split("\n", 1)[0].strip()
    if len(first) == 5 and first.lower().startswith("sep="):
        return first[4]  # Excel's delimiter hint line
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if cut > 0 and len(sample) >= HEAD_SIZE - 4:
        sample = sample[: cut + 1]  # drop a last line cut off by the head size
    best, best_score = ",", (0, 0)
    for d in (",", ";", "\t", "|"):
        if d not in sample:
            continue
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=d) if r][:50]
        except csv.Error:
            continue
        counts: dict[int, int] = {}
        for w in widths:
            if w > 1:
                counts[w] = counts.get(w, 0) + 1
        if not counts:
            continue
        width, agree = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if (agree, width) > best_score:
            best, best_score = d, (agree, width)
    return best


# --------------------------------------------------------------------------- JSON


def _json_records(data: Any, parser: Parser, hint: bool = True) -> list:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise parser.fail(f"expected {parser.json_shape}, found a JSON {type(data).__name__}")
    for path in parser.json_paths:
        node: Any = data
        for key in path:
            if not isinstance(node, dict):
                node = None
                break
            node = next((v for k, v in node.items() if k.lower() == key.lower()), None)
        if isinstance(node, list):
            return node
    if parser.recognises(list(data)):
        return [data]  # a single record
    if isinstance(data.get("properties"), dict) and ("type" in data or "$schema" in data):
        raise parser.fail("a JSON Schema (a list of fields), not a report")
    err = data.get("errors") or data.get("error") or data.get("message") or data.get("Message")
    if err and not any(isinstance(v, list) and v and isinstance(v[0], dict) and k != "errors"
                       for k, v in data.items()):
        if isinstance(err, list):
            err = "; ".join(text(e.get("message")) if isinstance(e, dict) else text(e) for e in err[:3])
        elif isinstance(err, dict):
            err = text(err.get("message")) or json.dumps(err, default=str)[:200]
        desc = text(data.get("error_description")) if isinstance(data.get("error_description"), str) else ""
        raise parser.fail(f"an API error response: {text(err)}{': ' + desc if desc else ''}")
    keys = ", ".join(list(data)[:15])
    raise parser.fail(f"expected {parser.json_shape}, found an object with keys {keys}"
                      f"{_looks_like_json(parser, data) if hint else ''}")


def _json_lines(doc: str, parser: Parser) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    for n, line in enumerate(doc.splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        try:
            obj = json.loads(s, parse_float=Decimal, parse_constant=str)
        except json.JSONDecodeError as e:
            raise parser.fail(f"invalid JSON at line {n}, column {e.colno}: {e.msg}") from None
        if isinstance(obj, dict) and obj.get("type") in ("SCHEMA", "STATE", "ACTIVATE_VERSION"):
            continue  # Singer messages other than records
        if isinstance(obj, dict) and obj.get("type") == "RECORD" and isinstance(obj.get("record"), dict):
            obj = obj["record"]
        out.append((n, obj))
    return out


def _run_json(parser: Parser, doc: str, errors: list[ReportError], rows: list[Row]) -> tuple[str, int]:
    fmt = "json"
    try:
        data = json.loads(doc, parse_float=Decimal, parse_constant=str)
        numbered = list(enumerate(_json_records(data, parser), 1))
    except json.JSONDecodeError as e:
        if e.msg != "Extra data":
            raise parser.fail(f"invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
        numbered = _json_lines(doc, parser)
        fmt = "jsonl"
    keys: set[str] = set()
    for _, rec in numbered[:50]:
        if isinstance(rec, dict):
            keys.update(rec)
    if numbered:
        missing = parser.missing(parser.plan(sorted(keys)))
        if missing:
            expected = "; ".join(parser.shown(g) for g in missing)
            found = ", ".join(sorted(keys)[:25]) or "no objects"
            raise parser.fail(f"expected fields {expected}; found: {found}{_looks_like(parser, sorted(keys))}")
    plans: dict[tuple, list[tuple[str, list]]] = {}
    for line, obj in numbered:
        if not isinstance(obj, dict):
            errors.append(ReportError(line, f"expected an object, found {type(obj).__name__}"))
            continue
        names = tuple(obj)
        plan = plans.get(names)
        if plan is None:
            plan = plans[names] = [(f, [names[i] for i in idx]) for f, idx in parser.plan(list(names)).items()]
        rec: dict[str, Any] = {}
        for f, ks in plan:
            for k in ks:
                v = obj[k]
                if v is None:
                    continue
                if isinstance(v, str):
                    v = v.strip()
                    if not v:
                        continue
                rec[f] = v
                break
        parser.read_row(rec, line, rows, errors)
    return fmt, len(numbered)


# --------------------------------------------------------------------------- CSV


def _run_csv(parser: Parser, stream: io.TextIOBase, delimiter: str, errors: list[ReportError],
             rows: list[Row]) -> int:
    it = csv_rows(stream, delimiter, parser.ctx.path)  # a broken CSV raises FeedError: "path:line: CSV: ..."
    first: list[str] | None = None
    header: list[str] | None = None
    seen = 0
    for _line, row in it:
        if not any(c.strip() for c in row):
            continue
        row[0] = row[0].lstrip("\ufeff")
        if len(row) <= 2 and row[0].strip().lower().startswith("sep="):
            continue  # Excel's delimiter hint line
        if first is None:
            first = row
        if parser.recognises(row):
            header = row
            break
        seen += 1
        if seen >= HEADER_SEARCH:
            break
    if header is None:
        if first is None:
            raise parser.fail("the file is empty")
        plan = parser.plan(first)
        expected = "; ".join(parser.shown(g) for g in parser.missing(plan))
        found = ", ".join(c.strip() for c in first[:25]) + (", ..." if len(first) > 25 else "")
        raise parser.fail(f"expected columns {expected}; found: {found}{_looks_like(parser, first)}")
    plan_items = list(parser.plan(header).items())
    width = len(header)
    count = 0
    for line, row in it:
        n = len(row)
        if n != width:
            if not any(c.strip() for c in row):
                continue  # a blank line
            if _total_row(row):
                continue
            if n < width or any(c.strip() for c in row[width:]):
                count += 1
                errors.append(ReportError(line, f"wrong number of columns: {n}, the header has {width}"))
                continue
        rec: dict[str, Any] = {}
        for f, idx in plan_items:
            for i in idx:
                v = row[i].strip()
                if v:
                    rec[f] = v
                    break
        if ("action_id" not in rec or rec["action_id"].lower() in TOTAL_WORDS) and (
                not any(c.strip() for c in row) or _total_row(row)):
            continue  # a row of empty cells, or a total row
        count += 1
        r = parser.read_row(rec, line, rows, errors)
        if r is not None:
            r.sig = hash(tuple(row[:width]))
    return count


def _total_row(row: list[str]) -> bool:
    first = next((c.strip() for c in row if c.strip()), "")
    return first.lower() in TOTAL_WORDS


def _looks_like(parser: Parser, names: list[str]) -> str:
    """' (it looks like an Awin transactions report: ...)' when another built-in parser knows the file."""
    for module in NETWORK_MODULES.values():
        other = importlib.import_module(f"showcase.reports.{module}").PARSER
        if other is not type(parser) and other(parser.ctx).recognises(list(names)):
            return f" (it looks like {other.label}: is the network right?)"
    return ""


def _looks_like_json(parser: Parser, data: Any) -> str:
    for module in NETWORK_MODULES.values():
        other_cls = importlib.import_module(f"showcase.reports.{module}").PARSER
        if other_cls is type(parser):
            continue
        other = other_cls(parser.ctx)
        try:
            records = _json_records(data, other, hint=False)
        except ShowcaseError:
            continue
        keys = sorted({k for r in records[:50] if isinstance(r, dict) for k in r})
        if keys and other.recognises(keys):
            return f" (it looks like {other.label}: is the network right?)"
    return ""


# --------------------------------------------------------------------------- the entry point


def parser_for(network_name: str, network, ctx: Context) -> Parser:
    """The parser of ``network.type``; other types read the neutral CSV mapped in site.yml."""
    module = NETWORK_MODULES.get(network.type)
    if module is None:
        from showcase.reports.neutral import NeutralParser

        return NeutralParser(ctx, network_name, network)
    return importlib.import_module(f"showcase.reports.{module}").PARSER(ctx)


def parse_report(path, network_name: str, network, *, site_currency: str, rates: dict[str, Decimal] | None = None,
                 timezone: str = "UTC") -> Report:
    """Read one earnings report of ``network`` (a site.yml NetworkConfig named ``network_name``).

    Malformed rows become ``Report.errors`` and are skipped; a file that is not this network's
    report raises ShowcaseError. See the module docstring for formats, values and merging.
    """
    path = str(path)
    try:
        tz = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ShowcaseError(f"unknown time zone {timezone!r}; expected an IANA name such as Europe/Moscow") from None
    ctx = Context(path, network_name, site_currency, rates or {}, tz)
    parser = parser_for(network_name, network, ctx)
    errors: list[ReportError] = []
    rows: list[Row] = []
    stream = _open(path, parser)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small objects, none cyclic: the collector would only rescan them
    try:
        head = _read_head(stream, parser)
        kind = _sniff_kind(head, parser)
        if kind == "json":
            if not parser.reads_json:
                raise parser.fail("a JSON file; this network's reports are read as CSV")
            try:
                rest = stream.read()
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
                raise parser.fail(f"cannot decompress it ({e})") from None
            fmt, count = _run_json(parser, _decode_whole(head + rest), errors, rows)
        else:
            stream.close()
            stream = _open(path, parser)
            text_stream, _encoding = _text_stream(stream, head)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                sample = head.decode("utf-16", "replace")
            elif valid_utf8_head(head):
                sample = head.decode("utf-8", "replace")
            else:
                sample = head.decode("cp1251", "replace")
            try:
                with text_stream:  # closes the stream under it too
                    count = _run_csv(parser, text_stream, sniff_delimiter(sample.lstrip("\ufeff")), errors, rows)
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
                raise parser.fail(f"cannot decompress it ({e})") from None
            fmt = "csv"
        actions = parser.collect(rows, errors, fmt)
    finally:
        stream.close()
        if gc_was_enabled:
            gc.enable()
    errors.sort(key=lambda e: (e.line is None, e.line or 0))
    return Report(network_name, fmt, actions, errors, count)
