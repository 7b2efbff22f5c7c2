"""CJ (Commission Junction): ``publisherCommissions`` records (GraphQL commission detail API) and the
commission detail CSV export.

JSON: ``{"data": {"publisherCommissions": {"records": [...]}}}`` as the API answers, or
``{"records": [...]}``, a bare list, or JSON Lines (Singer ``RECORD`` messages of tap-cj). Field
names as in the tap-cj schema in ../shared/realdata/reports/ (voxmedia__tap-cj__commissions.schema.json):
``commissionId``, ``actionTrackerId``/``Name``, ``postingDate``, ``eventDate``, ``clickDate``,
``actionStatus``, ``actionType``, ``shopperId`` (the SID sub-id), ``publisherId``, ``websiteId``,
``advertiserId``/``Name``, ``orderId``, ``saleAmountUsd``, ``pubCommissionAmountUsd``,
``orderDiscountUsd``, ``items`` (``sku``, ``quantity``, ``perItemSaleAmountPubCurrency``,
``totalCommissionPubCurrency``), plus the API's ``original``, ``originalActionId``,
``correctionReason``, ``saleAmountPubCurrency``, ``pubCommissionAmountPubCurrency`` when present.

CSV: the same names as headers (``Commission ID``, ``Event Date``, ``Action Status``, ``Advertiser ID``
or ``CID``, ``Order ID``, ``SID``/``Shopper ID``, ``Sale Amount``, ``Commission Amount`` /
``Publisher Commission``, ``Original Action ID``, ``Original``, ``Posting Date``, ...); rows of one
``Commission ID`` (item-level exports) are summed. Not checked against a real export.

Amounts: the publisher-currency amounts (``...PubCurrency``) when the record names that currency
(``pubCurrency`` / ``publisherCurrency`` / ``currency``), else the ``...Usd`` amounts (USD), else
a plain ``Sale Amount`` / ``Commission Amount`` in the row's currency or the site's. Items are in
the publisher currency, taken to be the record's currency when the record does not name one.

Program: ``advertiserId`` is the advertiser's CID. (site.yml's CJ ``program.id`` is the link's AID;
the reconciler needs the CID to match.)

Corrections
-----------
CJ never edits a commission: a change is a new record, a *correction*, with negative (or positive)
amounts, ``original: false`` and the ``originalActionId`` of the action it corrects (CSV: also an
``Action Type``/``Action Status`` of ``correction``/``corrected``, or a ``Correction Reason``). Here a
correction is added into the action it corrects: found by ``originalActionId`` (which may name
the original's ``commissionId`` or its own ``originalActionId``), else by the same advertiser and
``orderId``. Amounts and items are added; the status of the latest record (by ``postingDate``,
else ``eventDate``, else file order) wins, except that a declining correction leaves a still
positive commission with the original's status; an action whose commission and sale amount are
both down to zero or below is declined. A correction whose original is not in the file stays an
action of its own (negative amounts, its own id).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from showcase.reports import (
    Action,
    LineItem,
    Parser,
    ReportError,
    Row,
    RowError,
    currency_code,
    flag,
    pick,
    quantity,
    status_key,
    status_table,
    text,
)

# CJ action statuses (CJ Developer Portal, commission detail `actionStatus`; CJ Account Manager help
# "Action Status"): new (recorded, still open to advertiser changes), extended (the advertiser
# extended the locking period) -> pending; locked (past the locking date: the advertiser can no
# longer change it, it is paid in a coming payment cycle) -> approved, not yet paid; closed (paid to
# the publisher) -> approved and paid. corrected / declined / reversed (what older CSV exports and
# correction records say) -> declined.
STATUSES = status_table({
    "new": ("pending", False),
    "extended": ("pending", False),
    "locked": ("approved", False),
    "closed": ("approved", True),
    "corrected": ("declined", None),
    "declined": ("declined", None),
    "reversed": ("declined", None),
})


class CJParser(Parser):
    label = "a CJ commissions report"
    json_paths = (("data", "publisherCommissions", "records"), ("publisherCommissions", "records"), ("records",))
    json_shape = 'the publisherCommissions response ({"data": {"publisherCommissions": {"records": [...]}}})'
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "action_id": ("commissionid",),
        "link": ("originalactionid",),
        "original": ("original",),
        "correction_reason": ("correctionreason",),
        "action_type": ("actiontype",),
        "order_id": ("orderid",),
        "program": ("advertiserid", "cid"),
        "status": ("actionstatus", "status"),
        "paid": ("paid",),
        "action_time": ("eventdate",),
        "posting_time": ("postingdate",),
        "click_time": ("clickdate",),
        "amount_pub": ("saleamountpubcurrency",),
        "amount_usd": ("saleamountusd",),
        "amount": ("saleamount", "orderamount"),
        "commission_pub": ("pubcommissionamountpubcurrency",),
        "commission_usd": ("pubcommissionamountusd",),
        "commission": ("commissionamount", "publishercommission", "pubcommissionamount", "commission"),
        "currency": ("pubcurrency", "publishercurrency", "currency"),
        "sid": ("shopperid", "sid"),
        "items": ("items",),
        "sku": ("sku",),
        "item_name": ("itemname", "productname"),
        "quantity": ("quantity",),
    }  # fmt: skip
    required = (("action_id",), ("status",), ("action_time", "posting_time"),
                ("commission_pub", "commission_usd", "commission"))
    names: ClassVar[dict[str, str]] = {
        "action_id": "commissionId, Commission ID", "status": "actionStatus, Action Status",
        "action_time": "eventDate, Event Date", "posting_time": "postingDate, Posting Date",
        "commission_usd": "pubCommissionAmountUsd", "commission_pub": "pubCommissionAmountPubCurrency",
        "commission": "Commission Amount"}

    def row(self, rec: dict[str, Any], line: int) -> Row:
        c = self.ctx
        aid = text(rec.get("action_id"))
        if not aid:
            raise RowError("missing commission id")
        status, paid, raw = c.status(STATUSES, rec.get("status"))
        if paid is None:
            paid = flag(rec.get("paid"), "paid")
        posted = c.time(rec.get("posting_time"), "posting date")
        action_time = c.time(rec.get("action_time"), "event date") or posted
        if action_time is None:
            raise RowError("missing event date")
        pub = currency_code(rec.get("currency"))
        amount, _ = self.pick_amount(rec, "amount", "sale amount", pub)
        commission, original = self.pick_amount(rec, "commission", "commission amount", pub)
        action_type = status_key(text(rec.get("action_type")))
        correction = (
            ("original" in rec and not flag(rec["original"], "original"))
            or "correction" in action_type
            or status_key(raw) == "corrected"
            or bool(text(rec.get("correction_reason")))
        )
        items = self.items(rec.get("items"), pub or original) or c.item(rec, amount, commission)
        sid = text(rec.get("sid"))
        return Row(
            action_id=aid, order_id=text(rec.get("order_id")), program=text(rec.get("program")), status=status,
            paid=paid, raw_status=raw, subids=(sid,) if sid else (), click_time=c.time(rec.get("click_time"),
                                                                                       "click date"),
            action_time=action_time, amount=amount, commission=commission, original_currency=original, items=items,
            correction=correction, link=text(rec.get("link")), posted=posted,
        )

    def pick_amount(self, rec: dict[str, Any], name: str, what: str, pub: str) -> tuple:
        if pub and f"{name}_pub" in rec:
            return self.ctx.amount(rec[f"{name}_pub"], what, pub)
        if f"{name}_usd" in rec:
            return self.ctx.amount(rec[f"{name}_usd"], what, "USD")
        if f"{name}_pub" in rec:
            return self.ctx.amount(rec[f"{name}_pub"], what, pub)
        return self.ctx.amount(rec.get(name), what, pub)

    def items(self, value: Any, currency: str) -> list[LineItem]:
        if not value:
            return []
        if not isinstance(value, list):
            raise RowError("bad items: expected a list")
        out = []
        for it in value:
            if not isinstance(it, dict):
                raise RowError("bad items: expected a list of objects")
            q = quantity(pick(it, "quantity"))
            unit, _ = self.ctx.amount(pick(it, "peritemsaleamountpubcurrency", "peritemsaleamount"),
                                      "item sale amount", currency)
            commission, _ = self.ctx.amount(pick(it, "totalcommissionpubcurrency", "totalcommission"),
                                            "item commission", currency)
            out.append(LineItem(text(pick(it, "sku")), text(pick(it, "itemname", "name")), q, unit * q, commission))
        return out

    def collect(self, rows: list[Row], errors: list[ReportError], fmt: str) -> list[Action]:
        groups = self.group(rows, errors, fmt)
        originals: dict[str, Action] = {}
        latest: dict[str, tuple] = {}  # action id -> sort key of its latest record
        index: dict[tuple, str] = {}
        corrections: list[tuple[tuple, Row, Action]] = []
        for seq, (aid, g) in enumerate(groups.items()):
            first = g[0]
            act = self.merge(g)
            when = (first.posted or first.action_time, seq)
            if first.correction:
                corrections.append((when, first, act))
                continue
            originals[aid] = act
            latest[aid] = when
            for key in (aid, first.link):
                if key:
                    index.setdefault(("id", key), aid)
            if act.order_id:
                index.setdefault(("order", act.program, act.order_id), aid)
        corrections.sort(key=lambda c: c[0])
        alone: list[Action] = []
        for when, first, cor in corrections:
            target = index.get(("id", first.link)) if first.link else None
            if target is None and cor.order_id:
                target = index.get(("order", cor.program, cor.order_id))
            if target is None:
                alone.append(cor)
                continue
            originals[target] = self.apply(originals[target], cor, newer=when >= latest[target])
            latest[target] = max(latest[target], when)
        return sorted([*originals.values(), *alone], key=lambda a: a.line or 0)

    @staticmethod
    def apply(orig: Action, cor: Action, newer: bool) -> Action:
        amount = orig.order_amount + cor.order_amount
        commission = orig.commission + cor.commission
        status, paid = orig.status, orig.paid
        if newer and not (cor.status == "declined" and commission > 0):
            status, paid = cor.status, cor.paid
        if commission <= 0 and amount <= 0:
            status = "declined"
        raw = orig.raw_status if cor.raw_status in orig.raw_status.split(" / ") else \
            f"{orig.raw_status} / {cor.raw_status}"
        items = orig.items + cor.items
        if orig.items or cor.items:  # keep the items adding up to the totals
            mine = orig.items or (LineItem("", "", 1, orig.order_amount, orig.commission),)
            theirs = cor.items or (LineItem("", "correction", 1, cor.order_amount, cor.commission),)
            items = mine + theirs
        return replace(orig, order_amount=amount, commission=commission, status=status, paid=paid,
                       raw_status=raw, items=items)


PARSER = CJParser
