"""Admitad: the publisher API's ``GET /statistics/actions/`` JSON and the actions CSV export.

JSON: ``{"_meta": {...}, "results": [action, ...]}`` (or a bare list of actions, or JSON Lines). An
action has ``action_id`` (and ``id``), ``order_id``, ``advcampaign_id``/``advcampaign_name``,
``status``, ``paid`` (0/1), ``action_date``, ``click_date``, ``conversion_time`` (seconds from click
to action), ``cart`` (order amount), ``payment`` (commission), ``currency``, ``subid``,
``subid1``..``subid4`` and ``positions`` (line items: ``product_id``, ``product_name``, ``amount``,
``payment``). Field names as in the API fixture of affiliateforge/php-admitad-api
(``tests/Unit/Api/Endpoints/PublisherReports/ReportsByActions/GetReportsByActionsResponseTest.php``,
cited in ../shared/realdata/reports/SOURCES.md).

CSV: the statistics export from the publisher account, in Russian or English. Its headers are matched
by the names below (``ID действия`` / ``Action ID``, ``Статус`` / ``Status``, ``Сумма заказа`` /
``Order amount``, ``Вознаграждение`` / ``Payment`` / ``Reward``, ``Дата действия`` / ``Action date``,
``SubID``..``SubID4`` ...). The export's exact header text could not be checked against a real file:
the names are the API field names plus the labels of the account UI; send a header that fails.

``action_date`` has no zone: it is read in the site's time zone (the publisher account's zone is
normally the site's). ``closing_date`` / ``status_updated`` are not read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, ClassVar

from showcase.reports import (
    LineItem,
    Parser,
    Row,
    RowError,
    currency_code,
    flag,
    money_value,
    pick,
    quantity,
    status_table,
    text,
    trim_subids,
)

# Admitad API, /statistics/actions/ `status`: pending, approved, declined, approved_but_stalled
# (approved by the advertiser, payment held back: not yet money, so pending). The paid flag comes
# from `paid` (0/1), except for a status that says it. The Russian/English words are the account
# UI's labels as they appear in CSV exports (not checked against a real export).
STATUSES = status_table({
    "pending": ("pending", None),
    "approved": ("approved", None),
    "declined": ("declined", None),
    "approved_but_stalled": ("pending", None),
    "hold": ("pending", None), "on hold": ("pending", None), "open": ("pending", None),
    "в ожидании": ("pending", None), "ожидает": ("pending", None), "в обработке": ("pending", None),
    "холд": ("pending", None),
    "подтверждено": ("approved", None), "подтвержден": ("approved", None), "принято": ("approved", None),
    "принят": ("approved", None),
    "отклонено": ("declined", None), "отклонен": ("declined", None),
    "paid": ("approved", True), "оплачено": ("approved", True), "оплачен": ("approved", True),
})  # fmt: skip


class AdmitadParser(Parser):
    label = "an Admitad actions report"
    json_paths = (("results",),)
    json_shape = 'the /statistics/actions/ response ({"results": [...]}) or a list of actions'
    fields: ClassVar[dict[str, tuple[str, ...]]] = {
        "action_id": ("actionid", "id", "idдействия", "номердействия"),
        "order_id": ("orderid", "idзаказа", "номерзаказа", "заказ"),
        "program_id": ("advcampaignid", "campaignid", "programid", "idпрограммы", "idкампании"),
        "program_name": ("advcampaignname", "advcampaign", "program", "программа", "кампания"),
        "status": ("status", "статус", "статусдействия"),
        "paid": ("paid", "оплачено", "оплачен", "выплачено"),
        "action_time": ("actiondate", "actiontime", "датадействия", "времядействия", "date", "дата"),
        "click_time": ("clickdate", "clicktime", "датаклика", "времяклика"),
        "conversion_time": ("conversiontime",),
        "amount": ("cart", "orderamount", "ordersum", "суммазаказа", "стоимостьзаказа", "корзина"),
        "commission": ("payment", "reward", "вознаграждение", "выплата", "доход", "commission", "комиссия"),
        "currency": ("currency", "валюта"),
        "subid": ("subid",), "subid1": ("subid1",), "subid2": ("subid2",), "subid3": ("subid3",),
        "subid4": ("subid4",),
        "positions": ("positions",),
        "sku": ("productid", "sku", "артикул", "idтовара"),
        "item_name": ("productname", "товар", "названиетовара"),
        "quantity": ("quantity", "количество"),
    }  # fmt: skip
    required = (("action_id",), ("status",), ("commission",), ("action_time",))
    names: ClassVar[dict[str, str]] = {
        "action_id": "action_id, ID действия, Action ID", "status": "status, Статус, Status",
        "commission": "payment, Вознаграждение, Payment", "action_time": "action_date, Дата действия, Action date"}

    def row(self, rec: dict[str, Any], line: int) -> Row:
        c = self.ctx
        aid = text(rec.get("action_id"))
        if not aid:
            raise RowError("missing action id")
        status, paid, raw = c.status(STATUSES, rec.get("status"))
        if paid is None:
            paid = flag(rec.get("paid"), "paid")
        action_time = c.required_time(rec.get("action_time"), "action date")
        click_time = c.time(rec.get("click_time"), "click date")
        if click_time is None and rec.get("conversion_time") is not None:
            seconds = money_value(rec["conversion_time"], "conversion time")
            if seconds is not None and seconds[0] >= 0:
                click_time = action_time - timedelta(seconds=int(seconds[0]))
        currency = currency_code(rec.get("currency"))
        amount, _ = c.amount(rec.get("amount"), "order amount", currency)
        commission, original = c.amount(rec.get("commission"), "payment", currency)
        items = self.positions(rec.get("positions"), currency) or c.item(rec, amount, commission)
        return Row(
            action_id=aid, order_id=text(rec.get("order_id")),
            program=text(rec.get("program_id")) or text(rec.get("program_name")), status=status, paid=paid,
            raw_status=raw, subids=trim_subids([text(rec.get(k)) for k in ("subid", "subid1", "subid2", "subid3",
                                                                          "subid4")]),
            click_time=click_time, action_time=action_time, amount=amount, commission=commission,
            original_currency=original, items=items,
        )

    def positions(self, value: Any, currency: str) -> list[LineItem]:
        if not value:
            return []
        if not isinstance(value, list):
            raise RowError("bad positions: expected a list")
        items = []
        for p in value:
            if not isinstance(p, dict):
                raise RowError("bad positions: expected a list of objects")
            amount, _ = self.ctx.amount(pick(p, "amount", "price"), "position amount", currency)
            commission, _ = self.ctx.amount(pick(p, "payment"), "position payment", currency)
            items.append(LineItem(text(pick(p, "productid", "sku")), text(pick(p, "productname", "name")),
                                  quantity(pick(p, "quantity", "count")), amount, commission))
        return items


PARSER = AdmitadParser
