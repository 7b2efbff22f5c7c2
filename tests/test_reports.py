"""Network earnings reports -> actions (showcase.reports): every network's JSON and CSV, encodings,
money and currencies, times, statuses, line items, CJ corrections, malformed rows and wrong files."""

from __future__ import annotations

import gzip
import json
import time
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from showcase.config import NetworkConfig, parse_config
from showcase.errors import ShowcaseError
from showcase.reports import Action, LineItem, parse_report, parse_time

NEUTRAL_COLUMNS = {"id": "Conversion", "status": "State", "sold": "Sold at", "price": "Order total",
                   "revenue": "Payout", "currency": "Currency", "custom_1": "Sub ID", "program": "Shop"}
NETWORKS = {
    "admitad": NetworkConfig(type="admitad"),
    "awin": NetworkConfig(type="awin", publisher_id="123456"),
    "cj": NetworkConfig(type="cj", publisher_id="7654321"),
    "impact": NetworkConfig(type="impact"),
    "partnerka": NetworkConfig(type="template", template="https://go.partnerka.example/?u={url_encoded}&s={subid}",
                               report_columns=NEUTRAL_COLUMNS,
                               report_statuses={"Hold": "pending", "Confirmed": "approved", "Rejected": "declined"}),
}
LABELS = {"admitad": "an Admitad actions report", "awin": "an Awin transactions report",
          "cj": "a CJ commissions report", "impact": "an Impact actions report",
          "partnerka": "a partnerka report (the neutral CSV mapped in site.yml)"}

# One CSV layout per network, the same columns in the same order:
# id; status; action time; order amount; commission; currency; sub-id; program
CSV_HEADERS = {
    "admitad": "ID действия;Статус;Дата действия;Сумма заказа;Вознаграждение;Валюта;SubID;ID программы",
    "awin": "Transaction ID;Commission Status;Date;Sale Amount;Commission Amount;Currency;Click Ref;Advertiser ID",
    "cj": "Commission ID;Action Status;Event Date;Sale Amount;Commission Amount;Currency;SID;Advertiser ID",
    "impact": "Action_Id;Status;Action_Date;Sale_Amount;Payout;Currency;SubId1;Campaign",
    "partnerka": "Conversion;State;Sold at;Order total;Payout;Currency;Sub ID;Shop",
}
APPROVED = {"admitad": "approved", "awin": "approved", "cj": "locked", "impact": "APPROVED", "partnerka": "Confirmed"}
ALL = list(NETWORKS)
MSK = ZoneInfo("Europe/Moscow")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def write(tmp_path, content, name="report.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def parse(path, network="admitad", *, rates=None, tz="Europe/Moscow", site="RUB"):
    return parse_report(path, network, NETWORKS[network], site_currency=site, rates=rates or {}, timezone=tz)


def csv_report(network: str, *rows: str) -> str:
    return "\n".join([CSV_HEADERS[network], *rows]) + "\n"


def ok(network: str, aid="A1", amount="1000", commission="100", currency="RUB", sub="s1", date="01.03.2024 12:30",
       status=None) -> str:
    return ";".join([aid, status or APPROVED[network], date, amount, commission, currency, sub, "prog7"])


# --------------------------------------------------------------------------- every network's CSV


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8-sig", "utf-8", "utf-16"])
@pytest.mark.parametrize("network", ALL)
def test_csv_matched_row_in_each_encoding_with_decimal_commas(tmp_path, network, encoding):
    text = csv_report(network, ok(network, amount="1 299,50", commission="129,95", sub="клик-1"))
    report = parse(write(tmp_path, text, encoding=encoding), network)
    assert report.errors == [] and report.rows == 1 and report.format == "csv"
    assert report.actions == [Action(
        network=network, action_id="A1", order_id="", program="prog7", status="approved", paid=False,
        subids=("клик-1",), click_time=None, action_time=utc(2024, 3, 1, 9, 30), order_amount=D("1299.50"),
        commission=D("129.95"), currency="RUB", original_currency="RUB", items=(), line=2,
        raw_status=APPROVED[network])]


@pytest.mark.parametrize("network", ALL)
def test_csv_rows_of_one_action_are_summed_into_line_items(tmp_path, network):
    text = csv_report(network,
                      ok(network, "A1", "1000", "100"),
                      ok(network, "A2", "10", "1"),
                      ok(network, "A1", "500,50", "50,05"),
                      ok(network, "A1", "500,50", "50,05"))  # the same row again: counted once
    report = parse(write(tmp_path, text), network)
    a1, a2 = report.actions
    assert (a1.action_id, a1.order_amount, a1.commission, a1.line) == ("A1", D("1500.50"), D("150.05"), 2)
    assert a1.items == (LineItem("", "", 1, D("1000"), D("100")), LineItem("", "", 1, D("500.50"), D("50.05")))
    assert (a2.order_amount, a2.items) == (D("10"), ())
    assert [(e.line, e.message) for e in report.errors] == [(5, "action A1: line 5 repeats line 4; counted once")]
    assert report.rows == 4


@pytest.mark.parametrize("network", ALL)
def test_csv_foreign_currency_converted_with_site_rate_and_missing_rate_is_a_row_error(tmp_path, network):
    text = csv_report(network,
                      ok(network, "A1", "10.00", "1.50", currency="USD"),
                      ok(network, "A2", "10.00", "1.50", currency="EUR"),
                      ok(network, "A3", "20,00", "2,00", currency="RUR"),
                      ok(network, "A4", "30", "3", currency="руб."),
                      ok(network, "A5", "30", "3", currency="roubles"))
    report = parse(write(tmp_path, text), network, rates={"USD": D("92.5")})
    assert [(a.action_id, a.order_amount, a.commission, a.original_currency, a.currency) for a in report.actions] == [
        ("A1", D("925.00"), D("138.75"), "USD", "RUB"), ("A3", D("20.00"), D("2.00"), "RUB", "RUB"),
        ("A4", D("30"), D("3"), "RUB", "RUB")]
    assert [(e.line, e.message) for e in report.errors] == [(3, "action A2: no exchange rate EUR->RUB"),
                                                            (6, "action A5: bad currency: 'roubles'")]


@pytest.mark.parametrize("network", ALL)
def test_csv_malformed_rows_are_reported_with_their_line_and_skipped(tmp_path, network):
    text = csv_report(network,
                      ok(network, "A1"),
                      ok(network, "A2", date="31.02.2024 10:00"),
                      ok(network, "A3", amount="abc"),
                      ok(network, ""),
                      ok(network, "A5", status="weird"),
                      ok(network, "A6", commission="10,5"),
                      "A7;" + APPROVED[network] + ";01.03.2024")
    report = parse(write(tmp_path, text), network)
    assert [a.action_id for a in report.actions] == ["A1", "A6"]
    assert report.actions[1].commission == D("10.5")
    assert report.rows == 7
    lines = {e.line: e.message for e in report.errors}
    assert sorted(lines) == [3, 4, 5, 6, 8]
    assert "bad" in lines[3] and "'31.02.2024 10:00'" in lines[3]
    assert "bad" in lines[4] and "'abc'" in lines[4]
    assert "missing" in lines[5] and "id" in lines[5]
    assert "unknown status 'weird'" in lines[6] and "known:" in lines[6]
    assert lines[8] == "wrong number of columns: 3, the header has 8"


@pytest.mark.parametrize("network", ALL)
def test_unknown_status_names_the_known_ones(tmp_path, network):
    report = parse(write(tmp_path, csv_report(network, ok(network, status="Maybe"))), network)
    (error,) = report.errors
    assert error.line == 2 and "unknown status 'Maybe'" in error.message
    known = {"admitad": "approved_but_stalled", "awin": "deleted", "cj": "extended", "impact": "reversed",
             "partnerka": "Confirmed, Hold, Rejected"}[network]
    assert known in error.message


@pytest.mark.parametrize("network", ALL)
@pytest.mark.parametrize("content, what", [
    (b"", "the file is empty"),
    (b"  \r\n\r\n", "the file is empty"),
    (b"<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in</body></html>", "an HTML page"),
    (b"<?xml version='1.0'?><commissions><commission/></commissions>", "an XML document"),
    (b"%PDF-1.4 binary", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls"),
    (b"just one line of prose without any delimiter\n", "expected columns"),
])
def test_files_that_are_not_reports_fail_with_a_clear_message(tmp_path, network, content, what):
    path = write(tmp_path, content)
    with pytest.raises(ShowcaseError) as e:
        parse(path, network)
    assert str(e.value).startswith(f"{path}: not {LABELS[network]}: ")
    assert what in str(e.value)


@pytest.mark.parametrize("network, given", [(n, other) for n in ALL for other in ALL if other != n])
def test_another_networks_csv_is_rejected_and_named(tmp_path, network, given):
    path = write(tmp_path, csv_report(given, ok(given)))
    with pytest.raises(ShowcaseError) as e:
        parse(path, network)
    message = str(e.value)
    assert message.startswith(f"{path}: not {LABELS[network]}: expected columns ")
    assert "found: " + CSV_HEADERS[given].replace(";", ", ") in message
    if given != "partnerka":
        assert f"(it looks like {LABELS[given]}: is the network right?)" in message


def test_xlsx_workbook_is_rejected(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ShowcaseError, match="an Excel workbook"):
        parse(path, "awin")


def test_gzip_and_zip_reports_are_read_by_content(tmp_path):
    text = csv_report("awin", ok("awin", "T1"))
    gz = write(tmp_path, gzip.compress(text.encode()), name="report.csv.gz")
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("transactions.csv", text.encode("utf-8-sig"))
    for path in (gz, zipped):
        assert [a.action_id for a in parse(path, "awin").actions] == ["T1"]
    big = csv_report("awin", *(ok("awin", f"T{i}") for i in range(20000)))
    truncated = write(tmp_path, gzip.compress(big.encode())[:-5000], name="cut.csv.gz")
    with pytest.raises(ShowcaseError, match="not an Awin transactions report: cannot decompress it"):
        parse(truncated, "awin")


def test_csv_title_lines_total_rows_and_blank_lines_are_skipped(tmp_path):
    text = ("Отчёт по действиям за 01.03.2024 — 31.03.2024\n\n" + CSV_HEADERS["admitad"] + "\n"
            + ok("admitad", "A1") + "\n\n" + ok("admitad", "A2") + "\n"
            + "Итого;;;2000;200;;;\n")
    report = parse(write(tmp_path, text, encoding="cp1251"), "admitad")
    assert [(a.action_id, a.line) for a in report.actions] == [("A1", 4), ("A2", 6)]
    assert report.errors == [] and report.rows == 2


def test_csv_excel_sep_line_and_crlf(tmp_path):
    text = "sep=;\r\n" + csv_report("cj", ok("cj", "C1"), ok("cj", "C2")).replace("\n", "\r\n")
    report = parse(write(tmp_path, text, encoding="utf-8-sig"), "cj")
    assert [(a.action_id, a.line) for a in report.actions] == [("C1", 3), ("C2", 4)] and report.errors == []


def test_csv_cp1251_file_that_is_ascii_at_first_is_still_read_right(tmp_path):
    rows = [ok("admitad", f"A{i}") for i in range(3000)] + [ok("admitad", "LAST", sub="последний")]
    text = csv_report("admitad", *rows).replace("ID действия", "Action ID").replace("Статус", "Status") \
        .replace("Дата действия", "Action date").replace("Сумма заказа", "Cart").replace("Вознаграждение", "Payment") \
        .replace("Валюта", "Currency").replace("ID программы", "Advcampaign ID")
    report = parse(write(tmp_path, text, encoding="cp1251"), "admitad")
    assert report.errors == [] and report.actions[-1].subids == ("последний",)


# --------------------------------------------------------------------------- Admitad


ADMITAD_ACTION = {
    "id": 807084960, "order_id": "c-145792467", "tariff_id": 7106, "action_id": 807084960, "advcampaign_id": 14361,
    "advcampaign_name": "Adv name", "website_name": "website", "click_user_ip": None,
    "click_user_referer": "http://admitad.com/", "click_country_code": None, "conversion_time": 0,
    "action": "buy 01.10.16", "action_type": "sale", "cart": 209.32, "status": "approved", "processed": 1,
    "subid": "click-1", "subid1": None, "subid2": "page-9", "subid3": None, "subid4": None, "payment": 104.66,
    "currency": "RUB", "keyword": None, "comment": None,
    "positions": [
        {"id": 915191242, "tariff_id": 8343, "datetime": "2021-12-26 10:48:02", "amount": "109.32", "payment": "54.66",
         "rate": "50.00", "rate_id": 74578, "percentage": True, "product_url": "", "product_id": "SKU-1",
         "product_image": "", "product_name": "Чайник", "product_category_id": "", "product_category_name": ""},
        {"id": 915191243, "tariff_id": 8343, "datetime": "2021-12-26 10:48:02", "amount": "100", "payment": "50",
         "rate": "50.00", "rate_id": 74578, "percentage": True, "product_url": "", "product_id": "SKU-2",
         "product_image": "", "product_name": "Тостер", "product_category_id": "", "product_category_name": ""}],
    "paid": 0, "promocode": None, "click_date": "2021-12-26 10:40:00", "action_date": "2021-12-26 10:48:02",
    "closing_date": "2022-02-03", "status_updated": "2022-02-02 05:24:24",
}


def test_admitad_statistics_actions_json(tmp_path):
    stalled = {**ADMITAD_ACTION, "id": 2, "action_id": 2, "status": "approved_but_stalled", "paid": 1,
               "currency": "USD", "cart": 100, "payment": 5.5, "click_date": None, "conversion_time": 3600,
               "positions": [], "subid": None, "subid2": None}
    declined = {**ADMITAD_ACTION, "id": 3, "action_id": 3, "status": "declined", "positions": []}
    doc = {"_meta": {"count": 3, "limit": 500, "offset": 0}, "results": [ADMITAD_ACTION, stalled, declined]}
    report = parse(write(tmp_path, json.dumps(doc), name="actions.json"), "admitad", rates={"USD": D("90")})
    assert report.errors == [] and report.format == "json" and report.rows == 3
    first, second, third = report.actions
    assert first == Action(
        network="admitad", action_id="807084960", order_id="c-145792467", program="14361", status="approved",
        paid=False, subids=("click-1", "", "page-9"), click_time=utc(2021, 12, 26, 7, 40),
        action_time=utc(2021, 12, 26, 7, 48, 2), order_amount=D("209.32"), commission=D("104.66"), currency="RUB",
        original_currency="RUB", items=(LineItem("SKU-1", "Чайник", 1, D("109.32"), D("54.66")),
                                        LineItem("SKU-2", "Тостер", 1, D("100"), D("50"))),
        line=1, raw_status="approved")
    assert sum(i.amount for i in first.items) == first.order_amount
    assert (second.status, second.paid, second.raw_status) == ("pending", True, "approved_but_stalled")
    assert (second.order_amount, second.commission, second.original_currency) == (D("9000"), D("495.00"), "USD")
    assert second.click_time == second.action_time - timedelta(hours=1)  # from conversion_time
    assert second.subids == ()
    assert third.status == "declined"


def test_admitad_money_is_never_float(tmp_path):
    doc = {"results": [{**ADMITAD_ACTION, "payment": 0.1, "cart": 0.2, "positions": []}]}
    (action,) = parse(write(tmp_path, json.dumps(doc), name="a.json"), "admitad").actions
    assert action.commission == D("0.1") and action.order_amount == D("0.2")
    assert isinstance(action.commission, D)


def test_json_record_repeated_by_overlapping_pages_keeps_the_later(tmp_path):
    later = {**ADMITAD_ACTION, "status": "declined"}
    doc = {"results": [ADMITAD_ACTION, {**ADMITAD_ACTION, "action_id": 5, "id": 5}, later]}
    report = parse(write(tmp_path, json.dumps(doc), name="a.json"), "admitad")
    assert [(a.action_id, a.status) for a in report.actions] == [("807084960", "declined"), ("5", "approved")]
    assert [(e.line, e.message) for e in report.errors] == [
        (3, "action 807084960 repeats record 1; the later record is kept")]


def test_admitad_json_malformed_records(tmp_path):
    doc = {"results": [
        ADMITAD_ACTION,
        {**ADMITAD_ACTION, "action_id": 2, "id": 2, "action_date": "yesterday"},
        {**ADMITAD_ACTION, "action_id": 3, "id": 3, "payment": "двенадцать"},
        {**ADMITAD_ACTION, "action_id": None, "id": None},
        {**ADMITAD_ACTION, "action_id": 5, "id": 5, "status": "open_for_business"},
        {**ADMITAD_ACTION, "action_id": 6, "id": 6, "currency": "EUR"},
        "not an object",
    ]}
    report = parse(write(tmp_path, json.dumps(doc), name="a.json"), "admitad")
    assert [a.action_id for a in report.actions] == ["807084960"]
    assert [(e.line, e.message) for e in report.errors] == [
        (2, "action 2: bad action date: 'yesterday'"),
        (3, "action 3: bad payment: 'двенадцать'"),
        (4, "missing action id"),
        (5, "action 5: unknown status 'open_for_business' (known: approved, approved_but_stalled, declined, hold, "
            "on hold, open, paid, pending, в обработке, в ожидании, ожидает, оплачен, оплачено, отклонен, отклонено, "
            "подтвержден, подтверждено, принят, принято, холд)"),
        (6, "action 6: no exchange rate EUR->RUB"),
        (7, "expected an object, found str"),
    ]


def test_admitad_csv_item_rows_with_product_columns(tmp_path):
    text = ("ID действия;Номер заказа;Статус;Дата действия;ID товара;Название товара;Количество;Сумма заказа;"
            "Вознаграждение;Валюта\n"
            "77;З-1;отклонено;01.03.2024 10:00;T-1;Чайник;1;2 000,00;100,00;руб.\n"
            "77;З-1;подтверждено;01.03.2024 10:00;T-2;Кружка;3;600,00;30,00;руб.\n")
    report = parse(write(tmp_path, text, encoding="cp1251"), "admitad")
    (action,) = report.actions
    assert (action.order_id, action.status, action.raw_status) == ("З-1", "approved", "отклонено / подтверждено")
    assert (action.order_amount, action.commission) == (D("2600.00"), D("130.00"))
    assert action.items == (LineItem("T-1", "Чайник", 1, D("2000.00"), D("100.00")),
                            LineItem("T-2", "Кружка", 3, D("600.00"), D("30.00")))


def test_admitad_english_csv_with_bom_and_comma_delimiter(tmp_path):
    text = ("Action ID,Order ID,Status,Paid,Action date,Click date,Cart,Payment,Currency,SubID,SubID1,SubID2,"
            "Advcampaign ID\n"
            '11,O-11,Approved,1,2024-03-01 12:00:00,2024-03-01 11:59:00,"1,299.50",129.95,RUB,c1,,c3,14361\n')
    (action,) = parse(write(tmp_path, text, encoding="utf-8-sig"), "admitad").actions
    assert (action.order_id, action.paid, action.order_amount, action.subids, action.click_time) == (
        "O-11", True, D("1299.50"), ("c1", "", "c3"), utc(2024, 3, 1, 8, 59))


# --------------------------------------------------------------------------- Awin


AWIN_TRANSACTION = {
    "id": 920699395, "url": "https://my-site.example/", "advertiserId": 17874, "publisherId": 123456,
    "commissionSharingPublisherId": None, "siteName": "my-site", "commissionStatus": "approved",
    "commissionAmount": {"amount": 4.5, "currency": "GBP"}, "saleAmount": {"amount": 55.96, "currency": "GBP"},
    "ipHash": "-8103813414857796536", "customerCountry": "GB",
    "clickRefs": {"clickRef": "c1", "clickRef3": "c3"}, "clickDate": "2021-07-09T06:38:00",
    "transactionDate": "2021-07-09T06:46:00", "validationDate": None, "type": "Commission group transaction",
    "declineReason": None, "voucherCodeUsed": False, "voucherCode": None, "lapseTime": 458, "amended": False,
    "amendReason": None, "oldSaleAmount": None, "oldCommissionAmount": None, "clickDevice": "Windows",
    "transactionDevice": "Windows", "publisherUrl": "https://my-site.example/", "advertiserCountry": "GB",
    "orderRef": "111222333444", "customParameters": [{"key": "1", "value": "555666"}],
    "transactionParts": [
        {"commissionGroupId": 12345, "amount": 44.76, "commissionAmount": 3.0, "commissionGroupCode": "DEFAULT",
         "commissionGroupName": "Default Commission"},
        {"commissionGroupId": 654321, "amount": 11.20, "commissionAmount": 1.5, "commissionGroupCode": "EXISTING",
         "commissionGroupName": "EXISTING"}],
    "paidToPublisher": True, "paymentId": 42, "transactionQueryId": 0, "originalSaleAmount": None,
}


def test_awin_transactions_json(tmp_path):
    deleted = {**AWIN_TRANSACTION, "id": 2, "commissionStatus": "deleted", "paidToPublisher": False,
               "commissionAmount": {"amount": 1, "currency": "RUB"}, "saleAmount": {"amount": 10, "currency": "RUB"},
               "clickRefs": None, "transactionParts": []}
    report = parse(write(tmp_path, json.dumps([AWIN_TRANSACTION, deleted]), name="tx.json"), "awin",
                   rates={"GBP": D("115")}, tz="Europe/London")
    assert report.errors == []
    first, second = report.actions
    assert first == Action(
        network="awin", action_id="920699395", order_id="111222333444", program="17874", status="approved",
        paid=True, subids=("c1", "", "c3"), click_time=utc(2021, 7, 9, 5, 38), action_time=utc(2021, 7, 9, 5, 46),
        order_amount=D("6435.40"), commission=D("517.50"), currency="RUB", original_currency="GBP",
        items=(LineItem("DEFAULT", "Default Commission", 1, D("5147.40"), D("345.00")),
               LineItem("EXISTING", "EXISTING", 1, D("1288.00"), D("172.50"))),
        line=1, raw_status="approved")
    assert (second.status, second.paid, second.raw_status, second.subids) == ("declined", False, "deleted", ())


def test_awin_csv_export_with_commas_quotes_and_day_first_dates(tmp_path):
    text = ("Transaction ID,Date,Click Date,Advertiser ID,Commission Status,Sale Amount,Commission Amount,"
            "Click Ref,Click Ref 2,Order Ref,Paid To Publisher\n"
            '301,26/11/2019 14:43,26/11/2019 14:38,1001,pending,"GBP 1,030.00",£51.50,c1,c2,ORD-1,No\n'
            '302,27/11/2019 09:00,,1001,approved,€10.00,€1.00,,,ORD-2,Yes\n')
    report = parse(write(tmp_path, text), "awin", rates={"GBP": D("100")}, tz="UTC")
    first = report.actions[0]
    assert (first.order_amount, first.commission, first.original_currency) == (D("103000.00"), D("5150.00"), "GBP")
    assert (first.action_time, first.click_time, first.subids) == (utc(2019, 11, 26, 14, 43), utc(2019, 11, 26, 14, 38),
                                                                  ("c1", "c2"))
    assert [(e.line, e.message) for e in report.errors] == [(3, "action 302: no exchange rate EUR->RUB")]


# --------------------------------------------------------------------------- CJ


def cj_record(cid, **kw):
    base = {"commissionId": cid, "originalActionId": cid, "original": True, "actionStatus": "new",
            "actionType": "item_sale", "actionTrackerId": "123", "actionTrackerName": "Sale", "advertiserId": "5550",
            "advertiserName": "Shop", "publisherId": "7654321", "websiteId": "100", "orderId": f"O-{cid}",
            "shopperId": f"sid-{cid}", "eventDate": "2024-03-01T10:00:00Z", "postingDate": "2024-03-01T11:00:00Z",
            "clickDate": "2024-03-01T09:00:00Z", "saleAmountUsd": 200, "pubCommissionAmountUsd": 20.5, "items": []}
    return {**base, **kw}


def test_cj_corrections_are_summed_into_their_original(tmp_path):
    records = [
        cj_record("1001", items=[
            {"sku": "A", "quantity": 2, "perItemSaleAmountPubCurrency": 50, "totalCommissionPubCurrency": 10},
            {"sku": "B", "quantity": 1, "perItemSaleAmountPubCurrency": 100, "totalCommissionPubCurrency": 10.5}]),
        cj_record("1002", originalActionId="1001", original=False, actionStatus="locked",
                  postingDate="2024-03-20T11:00:00Z", saleAmountUsd=-50, pubCommissionAmountUsd=-5,
                  correctionReason="RETURNED_MERCHANDISE",
                  items=[{"sku": "A", "quantity": -1, "perItemSaleAmountPubCurrency": 50,
                          "totalCommissionPubCurrency": -5}]),
        cj_record("2001", actionStatus="closed"),
        cj_record("2002", originalActionId="2001", original=False, actionStatus="new",
                  postingDate="2024-04-02T00:00:00Z", saleAmountUsd=-200, pubCommissionAmountUsd=-20.5),
        cj_record("3002", originalActionId="3001", original=False, saleAmountUsd=-10, pubCommissionAmountUsd=-1),
    ]
    doc = {"data": {"publisherCommissions": {"count": 5, "payloadComplete": True, "records": records}}}
    report = parse(write(tmp_path, json.dumps(doc), name="cj.json"), "cj", rates={"USD": D("90")})
    assert report.errors == [] and report.rows == 5
    corrected, reversed_, alone = report.actions
    assert (corrected.action_id, corrected.order_amount, corrected.commission) == ("1001", D("13500.00"), D("1395.00"))
    assert (corrected.status, corrected.paid, corrected.raw_status) == ("approved", False, "new / locked")
    assert [(i.sku, i.quantity, i.amount, i.commission) for i in corrected.items] == [
        ("A", 2, D("9000.00"), D("900.00")), ("B", 1, D("9000.00"), D("945.00")), ("A", -1, D("-4500.00"),
                                                                                  D("-450.00"))]
    assert (corrected.subids, corrected.program, corrected.order_id, corrected.original_currency) == (
        ("sid-1001",), "5550", "O-1001", "USD")
    assert (reversed_.action_id, reversed_.commission, reversed_.status) == ("2001", D("0.00"), "declined")
    assert (alone.action_id, alone.commission, alone.status) == ("3002", D("-90.00"), "pending")


def test_cj_csv_correction_found_by_original_action_id_or_by_order(tmp_path):
    text = ("Commission ID,Original Action ID,Original,Action Type,Action Status,Event Date,Posting Date,"
            "Advertiser ID,Order ID,SID,Sale Amount,Commission Amount,Currency\n"
            "5001,5001,true,sim_sale,closed,2024-03-01 10:00:00,2024-03-02 10:00:00,77,O-9,s9,100.00,10.00,RUB\n"
            "5002,5001,false,correction,corrected,2024-03-01 10:00:00,2024-04-01 10:00:00,77,O-9,s9,-40.00,-4.00,RUB\n"
            "6001,,true,sim_sale,new,2024-03-05 10:00:00,2024-03-05 10:00:00,77,O-10,s10,50.00,5.00,RUB\n"
            "6002,,false,correction,new,2024-03-05 10:00:00,2024-03-06 10:00:00,77,O-10,s10,-50.00,-5.00,RUB\n")
    report = parse(write(tmp_path, text), "cj", tz="UTC")
    partial, full = report.actions
    # a partial correction: amounts reduced, the original's closed (approved, paid) status kept
    assert (partial.order_amount, partial.commission, partial.status, partial.paid, partial.raw_status) == (
        D("60.00"), D("6.00"), "approved", True, "closed / corrected")
    assert (full.action_id, full.commission, full.status) == ("6001", D("0.00"), "declined")


def test_cj_correction_listed_before_its_original_and_the_latest_status_wins(tmp_path):
    records = [
        cj_record("9002", originalActionId="9001", original=False, actionStatus="closed",
                  postingDate="2024-05-01T00:00:00Z", saleAmountUsd=-20, pubCommissionAmountUsd=-2),
        cj_record("9001", actionStatus="locked", saleAmountUsd=100, pubCommissionAmountUsd=10),
    ]
    report = parse(write(tmp_path, json.dumps(records), name="cj.json"), "cj", site="USD")
    (action,) = report.actions
    assert (action.action_id, action.order_amount, action.commission) == ("9001", D("80"), D("8"))
    assert (action.status, action.paid, action.raw_status, action.line) == ("approved", True, "locked / closed", 2)


# --------------------------------------------------------------------------- Impact


def impact_action(aid, **kw):
    base = {"Id": aid, "CampaignId": "9", "CampaignName": "Brand", "ActionTrackerId": "1", "EventCode": "",
            "State": "APPROVED", "AdId": "5", "Payout": "10.00", "DeltaPayout": "0", "IntendedPayout": "10.00",
            "Amount": "100.00", "DeltaAmount": "0", "IntendedAmount": "100.00", "Currency": "USD",
            "ReferringDate": "2024-03-01T09:00:00-08:00", "EventDate": "2024-03-01T10:00:00-08:00",
            "CreationDate": "2024-03-01T10:05:00-08:00", "LockingDate": "2024-04-15T00:00:00-07:00",
            "ClearedDate": "", "ReferringType": "CLICK_COOKIE", "Oid": f"O-{aid}", "SharedId": "",
            "SubId1": "a", "SubId2": "", "SubId3": "c"}
    return {**base, **kw}


def test_impact_actions_json_with_reversal_and_clearing(tmp_path):
    doc = {"@page": "1", "@numpages": "1", "Actions": [
        impact_action("1000.1", ClearedDate="2024-05-01T00:00:00-07:00"),
        impact_action("1000.2", State="REVERSED", Amount="50", Payout="5"),
        impact_action("1000.3", State="PENDING", Currency="RUB", Amount="1000", Payout="70"),
    ]}
    report = parse(write(tmp_path, json.dumps(doc), name="actions.json"), "impact", rates={"USD": D("90")})
    assert report.errors == []
    cleared, reversed_, pending = report.actions
    assert cleared == Action(
        network="impact", action_id="1000.1", order_id="O-1000.1", program="9", status="approved", paid=True,
        subids=("a", "", "c"), click_time=utc(2024, 3, 1, 17), action_time=utc(2024, 3, 1, 18),
        order_amount=D("9000.00"), commission=D("900.00"), currency="RUB", original_currency="USD", items=(),
        line=1, raw_status="APPROVED")
    assert (reversed_.status, reversed_.paid, reversed_.commission) == ("declined", False, D("450.00"))
    assert (pending.status, pending.paid, pending.commission, pending.original_currency) == (
        "pending", False, D("70"), "RUB")


def test_impact_partner_report_csv_items_and_the_reports_own_rate(tmp_path):
    text = ("Action_Id,Oid,Status,Action_Date,Referral_Date,Campaign,Sale_Amount,Payout,SKU,Item_Name,Quantity,"
            "SubId1,SubId2,Paystub,original_currency,original_currency_sale_amount\n"
            "7.1,O-7,Approved,2024-03-01 10:00:00,2024-03-01 09:00:00,Brand,60.00,6.00,S1,Lamp,2,x,,PS-1,RUB,5400\n"
            "7.1,O-7,Approved,2024-03-01 10:00:00,2024-03-01 09:00:00,Brand,40.00,4.00,S2,Bulb,1,x,,PS-1,RUB,3600\n"
            "8.1,O-8,Pending,2024-03-02 10:00:00,,Brand,10.00,1.00,S3,Cable,1,y,,,EUR,9.50\n")
    report = parse(write(tmp_path, text), "impact", rates={"EUR": D("100")}, tz="America/Los_Angeles")
    assert report.errors == []
    seven, eight = report.actions
    assert (seven.order_amount, seven.commission, seven.paid, seven.subids) == (D("9000.00"), D("900.00"), True,
                                                                                ("x",))
    assert seven.items == (LineItem("S1", "Lamp", 2, D("5400.00"), D("540.00")),
                           LineItem("S2", "Bulb", 1, D("3600.00"), D("360.00")))
    assert seven.action_time == utc(2024, 3, 1, 18)
    # EUR 9.50 for 10.00 in the account currency: 0.95 EUR each, at the site.yml EUR rate
    assert (eight.order_amount, eight.commission, eight.status, eight.paid) == (D("950.00"), D("95.00"), "pending",
                                                                                False)


def test_impact_singer_jsonl_snake_case(tmp_path):
    lines = [
        {"type": "SCHEMA", "stream": "actions", "schema": {}, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "actions", "record": {
            "id": "9.1", "state": "APPROVED", "payout": 2.5, "amount": 25, "currency": "RUB",
            "event_date": "2024-03-01T10:00:00Z", "referring_date": "2024-03-01T09:00:00Z", "campaign_id": 9,
            "order_id": "O-9", "cleared_date": None}},
        {"type": "STATE", "value": {}},
    ]
    path = write(tmp_path, "\n".join(json.dumps(x) for x in lines), name="actions.jsonl")
    report = parse(path, "impact")
    (action,) = report.actions
    assert report.format == "jsonl" and action.line == 2
    assert (action.action_id, action.program, action.commission, action.paid) == ("9.1", "9", D("2.5"), False)


# --------------------------------------------------------------------------- neutral CSV


SITE_YML = """
site: {title: T, base_url: "https://shop.example/", language: ru, currency: RUB, timezone: Europe/Moscow}
rates: {EUR: 100}
networks:
  partnerka:
    type: template
    template: "https://go.partnerka.example/?url={url_encoded}&sub={subid}"
    report_columns:
      id: Conversion ID
      sold: Conversion time
      clicked: Click time
      revenue: Payout
      price: Order total
      status: State
      custom_1: Sub 1
      custom_3: Sub 3
      currency: Currency
    report_statuses: {Hold: pending, Confirmed: approved, Rejected: declined, Paid out: paid}
  other:
    type: rakuten
    publisher_id: "42"
"""


def parse_with_site(path, network):
    config = parse_config(SITE_YML)
    return parse_report(path, network, config.networks[network], site_currency=config.site.currency,
                        rates=config.rates, timezone=config.site.timezone)


def test_neutral_csv_with_a_mapping_from_site_yml(tmp_path):
    text = ("conversion id;CONVERSION TIME;click time;payout;order total;state;sub 1;sub 2;sub 3;currency\n"
            "N1;2024-03-01 12:00;2024-03-01 11:00;10,50;105;Paid out;a;ignored;c;\n"
            "N2;2024-03-02 12:00;;1;10;hold;b;;;EUR\n"
            "N3;2024-03-03 12:00;;1;10;Lost;b;;;\n")
    report = parse_with_site(write(tmp_path, text, encoding="cp1251"), "partnerka")
    n1, n2 = report.actions
    assert n1 == Action(
        network="partnerka", action_id="N1", order_id="", program="", status="approved", paid=True,
        subids=("a", "", "c"), click_time=utc(2024, 3, 1, 8), action_time=utc(2024, 3, 1, 9),
        order_amount=D("105"), commission=D("10.50"), currency="RUB", original_currency="RUB", items=(), line=2,
        raw_status="Paid out")
    assert (n2.status, n2.commission, n2.original_currency) == ("pending", D("100.00"), "EUR")
    (error,) = report.errors
    assert error.line == 4 and "unknown status 'Lost'" in error.message and "report_statuses" in error.message


def test_neutral_mapped_column_missing_from_the_file(tmp_path):
    path = write(tmp_path, "Conversion ID;Conversion time;Payout\nN1;2024-03-01;1\n")
    with pytest.raises(ShowcaseError) as e:
        parse_with_site(path, "partnerka")
    assert "not a partnerka report" in str(e.value) and "'State'" in str(e.value)


def test_neutral_csv_without_a_mapping_is_a_clear_error(tmp_path):
    path = write(tmp_path, "id,sold,revenue,status\n1,2024-03-01,1,approved\n")
    with pytest.raises(ShowcaseError) as e:
        parse_with_site(path, "other")
    message = str(e.value)
    assert "no built-in parser for rakuten reports" in message and "networks.other.report_columns" in message


def test_neutral_mapping_with_an_unknown_field(tmp_path):
    network = NetworkConfig(type="template", template="https://x.example/?u={url}",
                            report_columns={"id": "ID", "sold": "Date", "status": "S", "revenue": "R", "profit": "P"})
    with pytest.raises(ShowcaseError, match=r"networks\.x\.report_columns: unknown neutral field\(s\) profit"):
        parse_report(write(tmp_path, "ID,Date\n"), "x", network, site_currency="RUB", rates={})


def test_neutral_json_is_refused(tmp_path):
    with pytest.raises(ShowcaseError, match="read as CSV"):
        parse(write(tmp_path, "[]", name="r.json"), "partnerka")


def test_neutral_without_report_statuses_reads_our_own_words(tmp_path):
    network = NetworkConfig(type="template", template="https://x.example/?u={url}",
                            report_columns={"id": "ID", "sold": "Date", "status": "S", "revenue": "R"})
    path = write(tmp_path, "ID,Date,S,R\n1,2024-03-01,Paid,1\n2,2024-03-01,declined,0\n")
    report = parse_report(path, "x", network, site_currency="RUB", rates={})
    assert [(a.status, a.paid) for a in report.actions] == [("approved", True), ("declined", False)]


# --------------------------------------------------------------------------- JSON shapes


def test_json_that_is_another_networks_response(tmp_path):
    path = write(tmp_path, json.dumps({"results": [ADMITAD_ACTION]}), name="r.json")
    with pytest.raises(ShowcaseError) as e:
        parse(path, "awin")
    assert str(e.value) == (f"{path}: not an Awin transactions report: expected a list of transactions (the "
                            f"/transactions/ response), found an object with keys results (it looks like an "
                            f"Admitad actions report: is the network right?)")
    path = write(tmp_path, json.dumps([AWIN_TRANSACTION]), name="t.json")
    with pytest.raises(ShowcaseError, match=r"expected fields status .*found: .*commissionStatus.*looks like an Awin"):
        parse(path, "impact")


def test_json_api_error_and_invalid_json(tmp_path):
    path = write(tmp_path, json.dumps({"errors": [{"message": "Not authorized"}], "data": None}), name="e.json")
    with pytest.raises(ShowcaseError, match="an API error response: Not authorized"):
        parse(path, "cj")
    path = write(tmp_path, '{"results": [', name="bad.json")
    with pytest.raises(ShowcaseError, match=r"not an Admitad actions report: invalid JSON at line 1"):
        parse(path, "admitad")


def test_empty_record_lists_are_empty_reports(tmp_path):
    for network, doc in [("admitad", {"_meta": {"count": 0}, "results": []}), ("awin", []),
                         ("cj", {"data": {"publisherCommissions": {"count": 0, "records": []}}}),
                         ("impact", {"@page": "1", "Actions": []})]:
        report = parse(write(tmp_path, json.dumps(doc), name=f"{network}.json"), network)
        assert (report.actions, report.errors, report.rows) == ([], [], 0)


def test_header_only_csv_is_an_empty_report(tmp_path):
    report = parse(write(tmp_path, CSV_HEADERS["awin"] + "\n"), "awin")
    assert (report.actions, report.errors, report.rows) == ([], [], 0)


# --------------------------------------------------------------------------- times


@pytest.mark.parametrize("value, expected", [
    ("2024-03-01T12:00:00Z", utc(2024, 3, 1, 12)),
    ("2024-03-01T12:00:00.250+03:00", utc(2024, 3, 1, 9, 0, 0, 250000)),
    ("2009-06-12T21:20:33-0700", utc(2009, 6, 13, 4, 20, 33)),
    ("2024-03-01 12:00:00", utc(2024, 3, 1, 9)),
    ("2024-03-01 12:00", utc(2024, 3, 1, 9)),
    ("2024-03-01", utc(2024, 2, 29, 21)),
    ("01.03.2024 12:30", utc(2024, 3, 1, 9, 30)),
    ("01.03.2024 12:30:15", utc(2024, 3, 1, 9, 30, 15)),
    ("1.3.2024", utc(2024, 2, 29, 21)),
    ("26/11/2019 14:43", utc(2019, 11, 26, 11, 43)),
    ("11/26/2019 14:43", utc(2019, 11, 26, 11, 43)),  # day-first impossible: month-first
    ("03/01/2024 2:15:00 PM", utc(2024, 3, 1, 11, 15)),  # 12-hour clock: US month-first
    ("03/01/2024 12:05 AM", utc(2024, 2, 29, 21, 5)),
    ("2024/03/01 12:00", utc(2024, 3, 1, 9)),
    ("2024-03-01 12:00:00 PST", utc(2024, 3, 1, 20)),
    ("2024-03-01 12:00:00 UTC", utc(2024, 3, 1, 12)),
    ("01.03.2024 12:00 +0100", utc(2024, 3, 1, 11)),
    ("1709294400", utc(2024, 3, 1, 12)),
    ("1709294400000", utc(2024, 3, 1, 12)),
    (1709294400, utc(2024, 3, 1, 12)),
    ("", None), (None, None),
])
def test_parse_time(value, expected):
    assert parse_time(value, MSK) == expected


@pytest.mark.parametrize("value", ["yesterday", "31.02.2024", "2024-13-01", "01.03.2024 25:00", "12:00",
                                   "2024-03-01 12:00 XYZ", True, "13/13/2024"])
def test_parse_time_rejects(value):
    with pytest.raises(ValueError):
        parse_time(value, MSK)


def test_times_are_utc_aware_in_every_network(tmp_path):
    for network in ALL:
        (action,) = parse(write(tmp_path, csv_report(network, ok(network))), network, tz="Asia/Tokyo").actions
        assert action.action_time == utc(2024, 3, 1, 3, 30) and action.action_time.tzinfo is UTC


def test_unknown_timezone(tmp_path):
    with pytest.raises(ShowcaseError, match="unknown time zone 'Mars/Base'"):
        parse(write(tmp_path, csv_report("awin", ok("awin"))), "awin", tz="Mars/Base")


# --------------------------------------------------------------------------- size


def test_100k_actions_parse_in_a_few_seconds(tmp_path):
    n = 100_000
    lines = [CSV_HEADERS["admitad"]]
    lines += [f"{i};approved;2024-03-{i % 28 + 1:02d} 12:{i % 60:02d}:00;{i % 1000},50;{i % 100},05;RUB;c{i};7"
              for i in range(n)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    start = time.perf_counter()
    report = parse(path, "admitad")
    csv_seconds = time.perf_counter() - start
    assert len(report.actions) == n and report.errors == []
    records = ",".join(f'{{"Id": "{i}", "State": "PENDING", "Payout": 1.5, "Amount": 15, "Currency": "RUB", '
                       f'"EventDate": "2024-03-01T10:00:00-08:00", "CampaignId": 9, "SubId1": "c{i}"}}'
                       for i in range(n))
    path = write(tmp_path, '{"Actions": [' + records + "]}", name="big.json")
    start = time.perf_counter()
    report = parse(path, "impact")
    json_seconds = time.perf_counter() - start
    assert len(report.actions) == n and report.errors == []
    assert csv_seconds < 6 and json_seconds < 6, (csv_seconds, json_seconds)
