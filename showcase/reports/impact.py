"""impact.com: partner API ``Actions`` (JSON) and the partner action-listing report (CSV).

JSON: ``{"@page": ..., "Actions": [...]}`` as the API answers with ``Accept: application/json``, a
bare list, or JSON Lines (Singer records of tap-impact, snake_case). Field names as in
../shared/realdata/reports/singer-io__tap-impact__actions.json: ``Id``, ``CampaignId``/``Name``,
``State``, ``Payout``, ``Amount``, ``Currency``, ``ReferringDate`` (the click), ``EventDate``,
``CreationDate``, ``LockingDate``, ``ClearedDate``, ``Oid``, ``SharedId``, ``SubId1``..``SubId3``,
... (PascalCase and snake_case compare equal). ``Amount``/``Payout`` are the current values after
adjustments (``Intended...``/``Delta...`` are not read).

CSV: the partner report whose columns are listed in
../shared/realdata/reports/voxmedia__tap-impact-publisher__reports.schema.json: ``Action_Id``,
``Oid``, ``Status``, ``Action_Date``, ``Referral_Date``, ``Sale_Amount``, ``Payout``, ``SubId1``..3,
``Campaign``/``brand_id``, ``Paystub``, ``SKU``, ``Item_Name``, ``Quantity`` (item-level rows of
one ``Action_Id`` are summed), ``original_currency``, ``original_currency_sale_amount``.

Currency: ``Currency`` when given. The partner report names only ``original_currency`` and
``original_currency_sale_amount`` (the sale in the shopper's currency); ``Sale_Amount``/``Payout``
are in the account currency. The report's own rate is then ``original amount / Sale_Amount``: when
the original currency is the site currency (or has a rate in site.yml) amounts are converted with
it. Otherwise an amount without a named currency is taken to be in the site currency.

Program: ``CampaignId`` (API) or ``brand_id`` / ``Campaign`` (report). (site.yml's Impact programs
carry the campaign id only inside ``tracking_url``: .../c/<partner>/<ad>/<campaign>.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from showcase.reports import (
    ONE,
    ZERO,
    Parser,
    Row,
    RowError,
    currency_code,
    money_value,
    status_table,
    text,
    trim_subids,
)

# impact.com Action `State` (API reference, Actions; partner report `Status`): PENDING, APPROVED,
# REVERSED (declined by the brand). An approved action is LOCKED at its locking date (no more
# changes) and CLEARED when paid out; the report's Status may say so. Paid: CLEARED/PAID, or a
# `ClearedDate`, or a `Paystub` (the payment it went out in).
STATUSES = status_table({
    "pending": ("pending", None),
    "approved": ("approved", None),
    "reversed": ("declined", False),
    "locked": ("approved", None),
    "cleared": ("approved", True),
    "paid": ("approved", True),
})


class ImpactParser(Parser):
    label = "an Impact actions report"
    json_paths = (("Actions",), ("records",))
    json_shape = 'the Actions response ({"Actions": [...]}) or a list of actions'
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "action_id": ("id", "actionid"),
        "order_id": ("oid", "orderid"),
        "program": ("campaignid", "brandid", "programid", "campaign", "campaignname"),
        "status": ("state", "status", "actionstate"),
        "cleared": ("cleareddate",),
        "paystub": ("paystub",),
        "action_time": ("eventdate", "actiondate", "creationdate"),
        "click_time": ("referringdate", "referraldate"),
        "amount": ("amount", "saleamount"),
        "commission": ("payout",),
        "currency": ("currency",),
        "original_currency": ("originalcurrency",),
        "original_amount": ("originalcurrencysaleamount",),
        "subid1": ("subid1",), "subid2": ("subid2",), "subid3": ("subid3",),
        "sku": ("sku",),
        "item_name": ("itemname",),
        "quantity": ("quantity",),
    }  # fmt: skip
    required = (("action_id",), ("status",), ("commission",), ("action_time",))
    names: ClassVar[dict[str, str]] = {
        "action_id": "Id, Action_Id", "status": "State, Status", "commission": "Payout",
        "action_time": "EventDate, Action_Date"}

    def row(self, rec: dict[str, Any], line: int) -> Row:
        c = self.ctx
        aid = text(rec.get("action_id"))
        if not aid:
            raise RowError("missing action id")
        status, paid, raw = c.status(STATUSES, rec.get("status"))
        if paid is None:
            paid = bool(text(rec.get("paystub")))
            if not paid and rec.get("cleared") is not None:
                paid = c.time(rec["cleared"], "cleared date") is not None
        action_time = c.required_time(rec.get("action_time"), "action date")
        click_time = c.time(rec.get("click_time"), "referral date")
        sale = money_value(rec.get("amount"), "sale amount")
        payout = money_value(rec.get("commission"), "payout")
        currency = currency_code(rec.get("currency")) or (payout[1] if payout else "") or (sale[1] if sale else "")
        rate = self.rate(rec, currency, sale[0] if sale else ZERO)
        amount = c.apply(sale[0], rate) if sale else ZERO
        commission = c.apply(payout[0], rate) if payout else ZERO
        items = c.item(rec, amount, commission)
        return Row(
            action_id=aid, order_id=text(rec.get("order_id")), program=text(rec.get("program")), status=status,
            paid=paid, raw_status=raw, subids=trim_subids([text(rec.get(k)) for k in ("subid1", "subid2", "subid3")]),
            click_time=click_time, action_time=action_time, amount=amount, commission=commission,
            original_currency=currency or c.site, items=items,
        )

    def rate(self, rec: dict[str, Any], currency: str, sale: Decimal) -> Decimal:
        """Site currency per unit of the report's amounts: named currency, else the report's own rate."""
        c = self.ctx
        if currency == c.site:
            return ONE
        original = currency_code(rec.get("original_currency"))
        parsed = money_value(rec.get("original_amount"), "original currency sale amount")
        implied = original and original != currency and parsed is not None and sale != 0 and parsed[0] != 0
        if implied and original == c.site:
            return parsed[0] / sale
        if currency and currency in c.rates:
            return c.rates[currency]
        if implied and original in c.rates:
            return parsed[0] * c.rates[original] / sale
        if not currency:
            return ONE  # no currency named anywhere: the site's
        return c.rate(currency)  # raises: no exchange rate


PARSER = ImpactParser
