"""Awin: the publisher API's ``GET /publishers/{id}/transactions/`` JSON and the transactions CSV.

JSON: a list of transactions (or JSON Lines). A transaction has ``id``, ``advertiserId``,
``publisherId``, ``transactionDate``, ``clickDate``, ``commissionStatus``, ``paidToPublisher``,
``commissionAmount`` and ``saleAmount`` (each ``{"amount", "currency"}``), ``clickRefs``
(``{"clickRef", "clickRef2".."clickRef6"}``), ``orderRef`` and ``transactionParts`` (one per
commission group: ``amount``, ``commissionAmount``, ``commissionGroupCode``, ``commissionGroupName``),
as listed in ../shared/realdata/reports/SOURCES.md and in the API examples it cites
(FriedrichtenHagen/awin-py README; RogerPazzagliniCeo8earn/laravel-affiliate tests).
``transactionParts`` become the line items (they carry the commission; ``basketProducts`` do not).

CSV: the transactions export, headers such as ``Transaction ID``, ``Date`` / ``Transaction Date``,
``Click Date``, ``Advertiser ID``, ``Commission Status``, ``Sale Amount``, ``Commission Amount``
(``12.50``, ``GBP 12.50`` or ``£12.50``), ``Currency``, ``Click Ref`` .. ``Click Ref 6``, ``Order Ref``,
``Paid To Publisher``. Matched case- and punctuation-insensitively, so the API field names work as
headers too. The export's exact header text could not be checked against a real file.

Times without a zone (the API's ``2021-07-09T06:46:00``; the UI's ``26/11/2019 14:43``, day first)
are read in the site's time zone: ask the API with ``timezone=`` set to it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from showcase.reports import (
    LineItem,
    Parser,
    Row,
    RowError,
    currency_code,
    flag,
    norm_key,
    pick,
    status_table,
    text,
    trim_subids,
)

# Awin API, transactions `commissionStatus`: pending, approved, declined, deleted (a transaction the
# advertiser removed: no money, so declined). Paid comes from `paidToPublisher`.
STATUSES = status_table({
    "pending": ("pending", None),
    "approved": ("approved", None),
    "declined": ("declined", None),
    "deleted": ("declined", None),
})

CLICK_REFS = ("clickref", "clickref2", "clickref3", "clickref4", "clickref5", "clickref6")


class AwinParser(Parser):
    label = "an Awin transactions report"
    json_paths = (("transactions",),)
    json_shape = "a list of transactions (the /transactions/ response)"
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "action_id": ("id", "transactionid"),
        "order_id": ("orderref", "orderreference", "orderid"),
        "program": ("advertiserid", "merchantid"),
        "status": ("commissionstatus", "status", "transactionstatus"),
        "paid": ("paidtopublisher", "paid"),
        "action_time": ("transactiondate", "date", "transactiontime"),
        "click_time": ("clickdate", "clicktime"),
        "amount": ("saleamount", "salevalue", "orderamount"),
        "commission": ("commissionamount", "commission"),
        "currency": ("currency",),
        "sale_currency": ("saleamountcurrency", "salecurrency"),
        "commission_currency": ("commissionamountcurrency", "commissioncurrency"),
        "clickrefs": ("clickrefs",),
        "clickref": ("clickref", "clickref1"),
        **{ref: (ref,) for ref in CLICK_REFS[1:]},
        "parts": ("transactionparts",),
        "sku": ("commissiongroupcode", "productid", "sku"),
        "item_name": ("commissiongroupname", "productname"),
        "quantity": ("quantity",),
    }  # fmt: skip
    required = (("action_id",), ("status",), ("commission",), ("action_time",))
    names: ClassVar[dict[str, str]] = {
        "action_id": "id, Transaction ID", "status": "commissionStatus, Commission Status",
        "commission": "commissionAmount, Commission Amount", "action_time": "transactionDate, Date"}

    def row(self, rec: dict[str, Any], line: int) -> Row:
        c = self.ctx
        aid = text(rec.get("action_id"))
        if not aid:
            raise RowError("missing transaction id")
        status, paid, raw = c.status(STATUSES, rec.get("status"))
        if paid is None:
            paid = flag(rec.get("paid"), "paidToPublisher")
        action_time = c.required_time(rec.get("action_time"), "transaction date")
        click_time = c.time(rec.get("click_time"), "click date")
        currency = currency_code(rec.get("currency"))
        amount, sale_currency = self.money(rec.get("amount"), "sale amount",
                                           currency_code(rec.get("sale_currency")) or currency)
        commission, original = self.money(rec.get("commission"), "commission amount",
                                          currency_code(rec.get("commission_currency")) or currency)
        items = self.parts(rec.get("parts"), sale_currency, original)
        return Row(
            action_id=aid, order_id=text(rec.get("order_id")), program=text(rec.get("program")), status=status,
            paid=paid, raw_status=raw, subids=self.click_refs(rec), click_time=click_time, action_time=action_time,
            amount=amount, commission=commission, original_currency=original,
            items=items or c.item(rec, amount, commission),
        )

    def money(self, value: Any, what: str, currency: str) -> tuple:
        """An amount given as ``{"amount": 1.5, "currency": "GBP"}`` (API) or as a number/text (CSV)."""
        if isinstance(value, dict):
            return self.ctx.amount(pick(value, "amount"), what, currency_code(pick(value, "currency")) or currency)
        return self.ctx.amount(value, what, currency)

    def click_refs(self, rec: dict[str, Any]) -> tuple[str, ...]:
        refs = rec.get("clickrefs")
        if isinstance(refs, dict):
            norm = {norm_key(k): text(v) for k, v in refs.items()}
            norm.setdefault("clickref", norm.get("clickref1", ""))
            return trim_subids([norm.get(k, "") for k in CLICK_REFS])
        if refs is not None and not isinstance(refs, str):
            raise RowError("bad clickRefs: expected an object")
        values = [text(rec.get(k)) for k in CLICK_REFS]
        if not any(values) and isinstance(refs, str):
            values = [refs]  # one "Click Refs" column
        return trim_subids(values)

    def parts(self, value: Any, sale_currency: str, commission_currency: str) -> list[LineItem]:
        if not value:
            return []
        if not isinstance(value, list):
            raise RowError("bad transactionParts: expected a list")
        items = []
        for p in value:
            if not isinstance(p, dict):
                raise RowError("bad transactionParts: expected a list of objects")
            amount, _ = self.ctx.amount(pick(p, "amount"), "transaction part amount", sale_currency)
            commission, _ = self.ctx.amount(pick(p, "commissionamount"), "transaction part commission",
                                            commission_currency)
            items.append(LineItem(text(pick(p, "commissiongroupcode", "commissiongroupid")),
                                  text(pick(p, "commissiongroupname")), 1, amount, commission))
        return items


PARSER = AwinParser
