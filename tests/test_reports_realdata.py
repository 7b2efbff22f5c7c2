"""The report parsers against the real field lists in ../shared/realdata/reports (see SOURCES.md).

Few public repositories commit real network exports; what is there are JSON schemas of the
records that real publishers' pipelines read (tap-impact, tap-impact-publisher, tap-cj). For each, a
record is built with every property the schema lists, filled by its declared type, and parsed: the
parser must accept every field name and read the ones that matter under the schema's own names.
The files are never copied into this repository.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from showcase.config import NetworkConfig
from showcase.errors import ShowcaseError
from showcase.reports import Context, parse_report
from showcase.reports.cj import CJParser
from showcase.reports.impact import ImpactParser

REALDATA = Path(__file__).resolve().parents[2] / "shared/realdata/reports"
if not REALDATA.is_dir():
    pytest.skip(f"real report samples absent: {REALDATA} does not exist", allow_module_level=True)

pytestmark = pytest.mark.realdata

IMPACT = NetworkConfig(type="impact")
CJ = NetworkConfig(type="cj", publisher_id="7654321")


def schema(name: str) -> dict:
    return json.loads((REALDATA / name).read_text(encoding="utf-8"))["properties"]


def sample(name: str, prop: dict, overrides: dict):
    """A value for one schema property: an override, else one of its declared type."""
    if name in overrides:
        return overrides[name]
    types = prop.get("type", [])
    types = [types] if isinstance(types, str) else types
    if prop.get("format") == "date-time":
        return "2024-03-01T10:00:00-08:00"
    if "array" in types:
        return [record(prop.get("items", {}).get("properties", {}), overrides)]
    if "object" in types:
        return record(prop.get("properties", {}), overrides)
    if "integer" in types:
        return 7
    if "number" in types:
        return 12.5
    if "boolean" in types:
        return False
    return f"{name}-value"


def record(properties: dict, overrides: dict) -> dict:
    return {name: sample(name, prop, overrides) for name, prop in properties.items()}


def mapped(parser_cls, names) -> set[str]:
    """The names a parser reads (others are accepted and ignored)."""
    parser = parser_cls(Context("x", "n", "RUB", {}, None))
    plan = parser.plan(list(names))
    return {names[i] for idx in plan.values() for i in idx}


def write(tmp_path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_impact_actions_schema_record(tmp_path):
    props = schema("singer-io__tap-impact__actions.json")
    rec = record(props, {"id": "1000.1", "state": "APPROVED", "payout": 10.5, "amount": 105, "currency": "USD",
                         "campaign_id": 9, "order_id": "O-1", "cleared_date": None})
    read = mapped(ImpactParser, list(props))
    assert {"id", "state", "payout", "amount", "currency", "event_date", "referring_date", "campaign_id", "order_id",
            "cleared_date", "creation_date"} <= read
    report = parse_report(write(tmp_path, "actions.json", {"Actions": [rec]}), "impact", IMPACT, site_currency="RUB",
                          rates={"USD": D("90")})
    assert report.errors == []
    (action,) = report.actions
    assert (action.action_id, action.program, action.order_id, action.status, action.paid) == (
        "1000.1", "9", "O-1", "approved", False)
    assert (action.order_amount, action.commission, action.original_currency) == (D("9450"), D("945.00"), "USD")
    assert action.action_time == datetime(2024, 3, 1, 18, tzinfo=UTC)
    assert action.click_time == action.action_time  # referring_date filled with the same sample time


def test_impact_partner_report_schema_columns(tmp_path):
    props = schema("voxmedia__tap-impact-publisher__reports.schema.json")
    columns = list(props)
    read = mapped(ImpactParser, columns)
    assert {"Action_Id", "Oid", "Status", "Action_Date", "Referral_Date", "Sale_Amount", "Payout", "SubId1", "SubId2",
            "SubId3", "Paystub", "original_currency", "original_currency_sale_amount", "SKU", "Item_Name", "Quantity",
            "Campaign", "brand_id"} <= read
    values = {"Referral_Date": "2024-03-01 09:00:00", "Action_Date": "2024-03-01 10:00:00", "Locking_Date": "",
              "Adj_Date": "", "Scheduled_Clearing_Date": "2024-04-15", "Action_Id": "19816.4", "Oid": "O-77",
              "brand_id": "9", "Status": "Approved", "Quantity": "2", "Sale_Amount": "100.00",
              "Original_Sale_Amount": "100.00", "Payout": "8.00", "Original_Payout": "8.00", "VAT": "0",
              "SubId1": "click-1", "SubId2": "", "SubId3": "x", "Paystub": "", "original_currency": "RUB",
              "original_currency_sale_amount": "9000.00", "SKU": "SKU-9", "Item_Name": "Lamp"}
    row = [values.get(c, f"{c}-value") for c in columns]
    text = ",".join(columns) + "\n" + ",".join(row) + "\n"
    report = parse_report(write(tmp_path, "impact.csv", text), "impact", IMPACT, site_currency="RUB", rates={},
                          timezone="America/Los_Angeles")
    assert report.errors == []
    (action,) = report.actions
    # no Currency column: the report's own rate (9000 RUB for 100.00) converts the payout too
    assert (action.order_amount, action.commission, action.subids, action.program) == (
        D("9000.00"), D("720.00"), ("click-1", "", "x"), "9")
    assert [(i.sku, i.name, i.quantity) for i in action.items] == [("SKU-9", "Lamp", 2)]
    assert action.action_time == datetime(2024, 3, 1, 18, tzinfo=UTC)


def test_impact_action_updates_are_not_an_actions_report(tmp_path):
    """The status-change history has no payout: rejected, saying what is missing."""
    props = schema("singer-io__tap-impact__action_updates.json")
    rec = record(props, {"state": "APPROVED"})
    path = write(tmp_path, "updates.json", [rec])
    with pytest.raises(ShowcaseError, match=r"not an Impact actions report: expected fields commission \(Payout\)"):
        parse_report(path, "impact", IMPACT, site_currency="RUB", rates={})


def test_cj_commissions_schema_record(tmp_path):
    props = schema("voxmedia__tap-cj__commissions.schema.json")
    rec = record(props, {"commissionId": "3001", "actionStatus": "closed", "actionType": "item_sale",
                         "advertiserId": "5550", "orderId": "O-3001", "shopperId": "sid-9", "saleAmountUsd": 100,
                         "pubCommissionAmountUsd": 10, "quantity": 2, "perItemSaleAmountPubCurrency": 50,
                         "totalCommissionPubCurrency": 10, "sku": "SKU-1"})
    read = mapped(CJParser, list(props))
    assert {"commissionId", "postingDate", "eventDate", "clickDate", "actionStatus", "actionType", "shopperId",
            "advertiserId", "orderId", "saleAmountUsd", "pubCommissionAmountUsd", "items"} <= read
    doc = {"data": {"publisherCommissions": {"count": 1, "payloadComplete": True, "records": [rec]}}}
    report = parse_report(write(tmp_path, "cj.json", doc), "cj", CJ, site_currency="USD", rates={})
    assert report.errors == []
    (action,) = report.actions
    assert (action.action_id, action.program, action.order_id, action.subids) == ("3001", "5550", "O-3001",
                                                                                   ("sid-9",))
    assert (action.status, action.paid, action.order_amount, action.commission) == ("approved", True, D("100"),
                                                                                   D("10"))
    assert [(i.sku, i.quantity, i.amount, i.commission) for i in action.items] == [("SKU-1", 2, D("100"), D("10"))]
    # the same record as a Singer JSON Lines stream, as tap-cj writes it
    lines = [json.dumps({"type": "SCHEMA", "stream": "commissions", "schema": {"properties": props}}),
             json.dumps({"type": "RECORD", "stream": "commissions", "record": rec})]
    report = parse_report(write(tmp_path, "cj.jsonl", "\n".join(lines)), "cj", CJ, site_currency="USD", rates={})
    assert report.format == "jsonl" and [a.action_id for a in report.actions] == ["3001"]


@pytest.mark.parametrize("name", ["danthelion__tap-amazon-associates__earnings-report.json",
                                  "MeltanoLabs__tap-rakutenadvertising__openapi.json",
                                  "affiliateforge__php-admitad-api__adspace-coupons.json"])
@pytest.mark.parametrize("network", ["admitad", "awin", "cj", "impact"])
def test_other_json_files_are_rejected_clearly(name, network):
    config = NetworkConfig(type=network, publisher_id="1")
    with pytest.raises(ShowcaseError) as e:
        parse_report(REALDATA / name, network, config, site_currency="RUB", rates={})
    message = str(e.value)
    assert message.startswith(f"{REALDATA / name}: not a")
    assert ("a JSON Schema" in message) == name.startswith("danthelion")


def test_the_schemas_themselves_are_not_reports():
    with pytest.raises(ShowcaseError, match="a JSON Schema \\(a list of fields\\), not a report"):
        parse_report(REALDATA / "singer-io__tap-impact__actions.json", "impact", IMPACT, site_currency="RUB",
                     rates={})


def test_cj_product_search_xml_is_rejected_clearly():
    path = REALDATA / "aevernon__commission_junction__test_response.xml"
    with pytest.raises(ShowcaseError, match="not a CJ commissions report: an XML document"):
        parse_report(path, "cj", CJ, site_currency="RUB", rates={})
