"""Any other network: a CSV report whose columns are mapped in site.yml.

::

    networks:
      partnerka:
        type: template
        template: "https://go.partnerka.example/?url={url_encoded}&sub={subid}"
        report_columns:          # neutral field -> the report's column header
          id: Conversion ID
          sold: Conversion time
          clicked: Click time
          revenue: Payout
          price: Order total
          status: State
          custom_1: Sub ID
        report_statuses:         # the report's status -> pending | approved | declined | paid
          Hold: pending
          Confirmed: approved
          Rejected: declined
          Paid out: paid

Neutral fields: ``id`` (the action id, required), ``sold`` (the action time, required), ``status``
(required), ``revenue`` (what the publisher earns: the commission, required), ``price`` (the
order amount), ``clicked`` (the click time), ``custom_1``, ``custom_2``, ... (sub-ids, in number
order), and optionally ``order_id``, ``program``, ``currency``, ``paid`` (a yes/no column),
``sku``, ``item``, ``quantity`` (item-level rows of one id are summed).

Headers are matched case- and punctuation-insensitively. Statuses: ``report_statuses`` (compared
case-insensitively; ``paid`` means approved and paid); without it the report must use our own words
pending / approved / declined / paid. Amounts without a currency (column or ``12.50 EUR``) are in the
site currency. Only CSV is read.
"""

from __future__ import annotations

import re
from typing import Any

from showcase.errors import ShowcaseError
from showcase.reports import (
    Context,
    Parser,
    Row,
    RowError,
    currency_code,
    flag,
    norm_key,
    status_key,
    status_table,
    text,
    trim_subids,
)

# neutral field (site.yml report_columns key) -> our field
NEUTRAL = {
    "id": "action_id", "sold": "action_time", "status": "status", "revenue": "commission", "price": "amount",
    "clicked": "click_time", "order_id": "order_id", "program": "program", "currency": "currency", "paid": "paid",
    "sku": "sku", "item": "item_name", "quantity": "quantity",
}  # fmt: skip
REQUIRED = ("id", "sold", "status", "revenue")
_CUSTOM = re.compile(r"^custom_([1-9]\d?)$")
DEFAULT_STATUSES = {"pending": "pending", "approved": "approved", "declined": "declined", "paid": "paid"}


class NeutralParser(Parser):
    reads_json = False

    def __init__(self, ctx: Context, network_name: str, network):
        super().__init__(ctx)
        self.label = f"a {network_name} report (the neutral CSV mapped in site.yml)"
        columns: dict[str, str] = dict(network.report_columns)
        where = f"networks.{network_name}.report_columns"
        known = ", ".join([*NEUTRAL, "custom_1", "custom_2", "..."])
        if not columns:
            raise ShowcaseError(
                f"{ctx.path}: showcase has no built-in parser for {network.type} reports (network {network_name!r}); "
                f"map the report's CSV columns in site.yml under {where} (neutral fields: {known}; "
                f"required: {', '.join(REQUIRED)}) and its statuses under networks.{network_name}.report_statuses")
        unknown = [k for k in columns if k not in NEUTRAL and not _CUSTOM.match(k)]
        if unknown:
            raise ShowcaseError(f"{where}: unknown neutral field(s) {', '.join(unknown)}; known: {known}")
        absent = [k for k in REQUIRED if k not in columns]
        if absent:
            raise ShowcaseError(f"{where}: map {', '.join(absent)} too (required: {', '.join(REQUIRED)})")
        self.headers = {NEUTRAL.get(k, k): h for k, h in columns.items()}
        self.fields = {f: (norm_key(h),) for f, h in self.headers.items()}  # type: ignore[misc]
        self.required = tuple((NEUTRAL[k],) for k in REQUIRED)  # type: ignore[misc]
        self.customs = sorted((int(m.group(1)), k) for k in columns if (m := _CUSTOM.match(k)))
        words = {k: v for k, v in (network.report_statuses or DEFAULT_STATUSES).items()}
        self.statuses = status_table({k: ("approved", True) if v == "paid" else (v, None) for k, v in words.items()})

    def shown(self, group: tuple[str, ...]) -> str:
        return repr(self.headers[group[0]])

    def row(self, rec: dict[str, Any], line: int) -> Row:
        c = self.ctx
        aid = text(rec.get("action_id"))
        if not aid:
            raise RowError("missing id")
        raw_status = text(rec.get("status"))
        if raw_status and status_key(raw_status) not in self.statuses:
            raise RowError(f"unknown status {raw_status!r} (known: {self.statuses.known}; "
                           f"map it under report_statuses in site.yml)")
        status, paid, raw = c.status(self.statuses, raw_status)
        if paid is None:
            paid = flag(rec.get("paid"), "paid")
        currency = currency_code(rec.get("currency"))
        amount, _ = c.amount(rec.get("amount"), "price", currency)
        commission, original = c.amount(rec.get("commission"), "revenue", currency)
        subids = [""] * (self.customs[-1][0] if self.customs else 0)
        for n, key in self.customs:
            subids[n - 1] = text(rec.get(key))
        return Row(
            action_id=aid, order_id=text(rec.get("order_id")), program=text(rec.get("program")), status=status,
            paid=paid, raw_status=raw, subids=trim_subids(subids), click_time=c.time(rec.get("click_time"), "clicked"),
            action_time=c.required_time(rec.get("action_time"), "sold"), amount=amount, commission=commission,
            original_currency=original, items=c.item(rec, amount, commission),
        )
