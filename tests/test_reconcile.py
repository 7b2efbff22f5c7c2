"""Reconciliation (showcase.reconcile): a real click store and ledger on disk, reports written inline.

Every finding kind, idempotent re-import, status transitions across reports, storefront sub-ids in
aggregate, the summary numbers (hand-computed), and the CLI: exit codes, --json, --csv, --html."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from datetime import date
from decimal import Decimal as D

import pytest
from click.testing import CliRunner

from showcase.cli import main
from showcase.clicks import Click, ClickStore
from showcase.config import load_site
from showcase.reconcile import (
    FINDING_KINDS,
    Ledger,
    Options,
    check_click_counts,
    impact_campaign_id,
    ledger_path,
    program_index,
    reconcile,
)

SITE_YML = """
site: {title: T, base_url: "https://shop.example/", language: en, currency: RUB, timezone: UTC}
rates: {USD: 90}
networks:
  adm: {type: admitad}
  imp: {type: impact}
  aw: {type: awin, publisher_id: "1"}
programs:
  shop:                      # the report calls it 77
    name: Shop
    network: adm
    id: abc
    report_id: "77"
    terms: {rate_percent: 10, cookie_days: 30}
  fixed:                     # no report_id: the report calls it by its id
    name: Fixed
    network: adm
    id: fix
    terms: {payout: 150, cookie_days: 7}
  usd:
    name: Dollar
    network: adm
    id: usd
    terms: {payout: 2, currency: USD}
  brand:
    name: Brand
    network: imp
    tracking_url: https://brand.sjv.io/c/111/222/789
    terms: {rate_percent: 5}
  solo:
    name: Solo
    network: aw
    id: "5005"
"""

HEADER = "action_id;order_id;advcampaign_id;status;action_date;cart;payment;currency;subid"


def make_site(tmp_path, extra: str = ""):
    root = tmp_path / "site"
    root.mkdir(exist_ok=True)
    (root / "site.yml").write_text(SITE_YML + extra, encoding="utf-8")
    return load_site(root)


def click(cid: str, at: str, product: int | None = 5, program: str = "shop", page: str = "product",
          ua: str = "human") -> Click:
    return Click(cid, at if "+" in at else at + ".000+00:00", f"f.{product}", "f", str(product), product, product,
                 program, page, "", ua, "", "tracker")


def store_clicks(site, *clicks: Click) -> None:
    with ClickStore(site.state_dir / "clicks.sqlite") as store:
        store.record_many(list(clicks))


def admitad_csv(tmp_path, name: str, *rows: str) -> str:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return str(path)


def row(aid, order="", program="77", status="approved", at="2024-03-10 12:00:00", cart="1000", payment="100",
        subid="") -> str:
    return ";".join([aid, order, program, status, at, cart, payment, "RUB", subid])


def kinds(result) -> set[tuple[str, str | None]]:
    return {(f.kind, f.action_id) for f in result.findings}


def run(site, *reports, network="adm", **kw):
    return reconcile(site, network, list(reports), **kw)


# --------------------------------------------------------------------------- every finding kind


def test_each_finding_kind(tmp_path):
    site = make_site(tmp_path)
    store_clicks(
        site,
        click("Kok", "2024-03-10T10:00:00"),
        click("Kearly", "2024-03-10T12:00:00"),  # the action is stamped 1 h before it
        click("Kskew", "2024-03-10T12:03:00"),  # 3 min before: within the 5 min clock skew allowance
        click("Kold", "2024-01-30T12:00:00"),  # 40 days before the action: cookie window is 30
        click("Kfix", "2024-03-01T12:00:00", program="fixed"),  # 9 days: cookie window of `fixed` is 7
    )
    path = admitad_csv(
        tmp_path, "r.csv",
        row("A1", "O1", subid="Kok"),  # clean
        row("A2", "O2", subid=""),  # orphan: no sub-id
        row("A3", "O3", subid="Knosuchclick"),  # orphan: no such click
        row("A4", "O4", subid="Kok"),
        row("A5", "O4", subid="Kok", at="2024-03-10 13:00:00"),  # the same order as A4
        row("A6", "O6", payment="80", subid="Kok"),  # 10% of 1000 is 100
        row("A6ok", "O6ok", payment="100.99", subid="Kok"),  # within max(1%, 0.01) = 1.00
        row("A6hi", "O6hi", payment="101.01", subid="Kok"),  # beyond it
        row("A7", "O7", status="declined", payment="0", subid="Kok"),  # declined: commission not checked
        row("A8", "O8", at="2024-03-10 11:00:00", subid="Kearly"),
        row("A8ok", "O8ok", at="2024-03-10 12:00:00", subid="Kskew"),
        row("A9", "O9", subid="Kold"),
        row("A10", "O10", program="999", payment="1", subid="Kok"),  # unknown program: terms not checked
        row("F1", "F1", program="fix", cart="0", payment="150", subid="Kfix"),  # payout 150, but 9 days
        row("F2", "F2", program="fix", cart="5000", payment="140", at="2024-03-05 12:00:00", subid="Kfix"),
        row("U1", "U1", program="usd", cart="0", payment="180", subid="p7product"),  # 2 USD x 90
        row("U2", "U2", program="usd", cart="0", payment="179.5", subid="p7product"),  # tolerance 1.80
        row("U3", "U3", program="usd", cart="0", payment="170", subid="p7go"),
    )
    result = run(site, path)
    assert result.imports[0].errors == [] and result.imports[0].new == 18
    assert kinds(result) == {
        ("orphan_action", "A2"), ("orphan_action", "A3"),
        ("duplicate_action", "A5"),
        ("commission_mismatch", "A6"), ("commission_mismatch", "A6hi"), ("commission_mismatch", "F2"),
        ("commission_mismatch", "U3"),
        ("declined", "A7"),
        ("action_before_click", "A8"),
        ("outside_cookie_window", "A9"), ("outside_cookie_window", "F1"),
        ("unknown_program", "A10"),
    }
    by = {(f.kind, f.action_id): f for f in result.findings}
    mismatch = by[("commission_mismatch", "A6")]
    assert (mismatch.expected_commission, mismatch.tolerance, mismatch.difference) == (D("100.00"), D("1.00"),
                                                                                      D("-20.00"))
    assert mismatch.click["id"] == "Kok" and mismatch.click["product_id"] == 5 and mismatch.program == "shop"
    assert by[("commission_mismatch", "U3")].expected_commission == D("180.00")
    assert by[("duplicate_action", "A5")].other_action_id == "A4"
    assert by[("orphan_action", "A2")].detail == "no sub-id" and by[("orphan_action", "A2")].click is None
    assert by[("unknown_program", "A10")].report_program == "999" and by[("unknown_program", "A10")].program is None
    assert by[("outside_cookie_window", "A9")].click["at"].startswith("2024-01-30")
    assert result.summary["matching"] == {"click": 13, "static": 3, "no_subid": 1, "unknown_subid": 1}


def test_program_matching_by_report_id_id_and_impact_campaign(tmp_path):
    site = make_site(tmp_path)
    assert impact_campaign_id("https://brand.sjv.io/c/111/222/789") == "789"
    assert impact_campaign_id("https://brand.sjv.io/c/111/222/789?x=1#f") == "789"
    assert impact_campaign_id(None) is None
    assert program_index(site.config, "adm") == {"77": "shop", "abc": "shop", "fix": "fixed", "usd": "usd"}
    assert program_index(site.config, "imp") == {"789": "brand"}
    # a report that names no program: the network's only program (solo on aw)
    awin = tmp_path / "awin.csv"
    awin.write_text("Transaction ID;Commission Status;Date;Sale Amount;Commission Amount;Click Ref\n"
                    "T1;approved;2024-03-01 10:00:00;100;5;\n", encoding="utf-8")
    result = run(site, str(awin), network="aw")
    assert kinds(result) == {("orphan_action", "T1")}
    assert result.summary["by_program"][0]["program"] == "solo"


def test_impact_report_matches_the_campaign_id_of_the_tracking_url(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kimp", "2024-03-01T09:00:00", program="brand"))
    path = tmp_path / "impact.json"
    path.write_text(json.dumps({"Actions": [
        {"Id": "1.1", "State": "APPROVED", "Payout": "5", "Amount": "100", "Currency": "RUB",
         "EventDate": "2024-03-01T10:00:00Z", "CampaignId": 789, "SubId1": "Kimp", "Oid": "X"},
        {"Id": "1.2", "State": "APPROVED", "Payout": "9", "Amount": "100", "Currency": "RUB",
         "EventDate": "2024-03-01T10:00:00Z", "CampaignId": 790, "SubId1": "Kimp", "Oid": "Y"}]}), encoding="utf-8")
    result = run(site, str(path), network="imp")
    assert kinds(result) == {("unknown_program", "1.2")}


# --------------------------------------------------------------------------- the ledger


def test_same_report_twice_changes_nothing(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kok", "2024-03-10T10:00:00"))
    rows = [row("A1", "O1", subid="Kok"), row("A2", "O2", payment="50", subid="Kok"), row("A3", status="declined")]
    path = admitad_csv(tmp_path, "r.csv", *rows)
    first = run(site, path)
    with Ledger(ledger_path(site)) as ledger:
        counts = ledger.count("adm")
        assert ledger.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert counts == (3, 3)
    again = run(site, path)
    assert again.imports[0].already_imported
    # the same actions in another file (other bytes: rows reordered, a blank line): unchanged states
    other = admitad_csv(tmp_path, "copy.csv", *reversed(rows), "")
    third = run(site, other)
    assert (third.imports[0].already_imported, third.imports[0].new, third.imports[0].changed,
            third.imports[0].unchanged) == (False, 0, 0, 3)
    with Ledger(ledger_path(site)) as ledger:
        assert ledger.count("adm") == counts
        assert len(ledger.history("adm", "A1")) == 1
    assert [f.to_dict() for f in first.findings] == [f.to_dict() for f in again.findings]
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in third.findings]
    assert first.summary == again.summary == third.summary


def test_a_later_report_records_transitions_and_regressions(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kok", "2024-03-10T10:00:00"))
    r1 = admitad_csv(tmp_path, "march-01.csv", row("B1", "O1", subid="Kok"),
                     row("B2", "O2", status="pending", subid="Kok"), row("B3", "O3", subid="Kok"))
    r2 = admitad_csv(tmp_path, "march-15.csv", row("B1", "O1", status="declined", payment="0", subid="Kok"),
                     row("B2", "O2", subid="Kok"), row("B3", "O3", status="pending", subid="Kok"))
    first = run(site, r1)
    assert kinds(first) == set()
    second = run(site, r2)
    assert second.imports[0].changed == 3
    assert kinds(second) == {("status_regressed", "B1"), ("declined", "B1"), ("status_regressed", "B3")}
    regressed = next(f for f in second.findings if f.kind == "status_regressed" and f.action_id == "B1")
    assert "march-01.csv" in regressed.detail and regressed.status == "declined"
    with Ledger(ledger_path(site)) as ledger:
        history = ledger.history("adm", "B1")
        assert [(h["seq"], h["status"], h["commission"], h["report"]) for h in history] == [
            (1, "approved", "100", r1), (2, "declined", "0", r2)]
        assert [h["status"] for h in ledger.history("adm", "B2")] == ["pending", "approved"]
        # the older file again: already imported, the clock is not turned back
        third = run(site, r1)
        assert third.imports[0].already_imported
        assert [h["status"] for h in ledger.history("adm", "B1")] == ["approved", "declined"]
    assert kinds(third) == kinds(second)


def test_fields_a_later_report_lacks_are_not_changes(tmp_path):
    site = make_site(tmp_path)
    run(site, admitad_csv(tmp_path, "full.csv", row("G1", "O1", subid="Kok")))
    poor = tmp_path / "poor.csv"
    poor.write_text("action_id;status;action_date;cart;payment\nG1;approved;2024-03-10 12:00:00;1000;100\n"
                    "G2;approved;2024-03-10 12:00:00;1000;100\n", encoding="utf-8")
    result = run(site, str(poor))
    assert (result.imports[0].new, result.imports[0].changed, result.imports[0].unchanged) == (1, 0, 1)
    with Ledger(ledger_path(site)) as ledger:
        (state,) = ledger.history("adm", "G1")
        assert (state["order_id"], state["program"], state["subid"]) == ("O1", "77", "Kok")


def test_an_action_id_seen_with_other_content_is_a_duplicate(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kok", "2024-03-10T10:00:00"), click("Kother", "2024-03-10T10:00:00"))
    run(site, admitad_csv(tmp_path, "a.csv", row("C1", "O1", subid="Kok")))
    result = run(site, admitad_csv(tmp_path, "b.csv", row("C1", "O-other", subid="Kother")))
    (dup,) = [f for f in result.findings if f.kind == "duplicate_action"]
    assert dup.action_id == "C1" and "O1" in dup.detail and "O-other" in dup.detail


def test_cj_style_negative_correction_of_an_earlier_order_is_not_a_duplicate(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kok", "2024-03-10T10:00:00"))
    result = run(site, admitad_csv(tmp_path, "r.csv", row("D1", "O1", subid="Kok"),
                                   row("D2", "O1", cart="-1000", payment="-100", subid="Kok")))
    assert not [f for f in result.findings if f.kind == "duplicate_action"]


# --------------------------------------------------------------------------- matching and the summary


def test_storefront_subids_are_matched_by_product_and_page_in_aggregate(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, *(click(f"L{i}", f"2024-03-10T0{i}:00:00", product=55, page="product") for i in range(3)),
                 click("Lbot", "2024-03-10T05:00:00", product=55, ua="bot"),
                 click("Lother", "2024-03-10T05:00:00", product=56, page="category"))
    path = admitad_csv(tmp_path, "r.csv", row("S1", "O1", subid="p55product"), row("S2", "O2", subid="p55product"),
                       row("S3", "O3", subid="p55go", status="pending"))
    result = run(site, path)
    assert kinds(result) == set()
    s = result.summary
    assert s["matching"] == {"click": 0, "static": 3, "no_subid": 0, "unknown_subid": 0}
    assert [(g["product_id"], g["page"], g["actions"], g["clicks"]) for g in s["static_subids"]] == [
        (55, "product", 2, 3), (55, "go", 1, 3)]
    product = {r["product_id"]: r for r in s["by_product"]}
    assert (product[55]["clicks"], product[55]["actions"]) == (3, 3)
    assert (product[56]["clicks"], product[56]["actions"]) == (1, 0)
    page = {r["page"]: r for r in s["by_page"]}
    assert (page["product"]["clicks"], page["product"]["actions"], page["go"]["actions"]) == (3, 2, 1)
    assert (page["category"]["clicks"], page["category"]["actions"]) == (1, 0)


def test_summary_numbers(tmp_path):
    site = make_site(tmp_path)
    store_clicks(
        site,
        *(click(f"D1s{i}", f"2024-03-01T1{i}:00:00") for i in range(4)),  # day 1: 4 human clicks on shop
        click("D1bot", "2024-03-01T10:30:00", ua="bot"),  # not counted
        click("D1pre", "2024-03-01T10:40:00", ua="prefetch"),  # not counted
        *(click(f"D2s{i}", f"2024-03-02T1{i}:00:00", product=6, page="category") for i in range(6)),  # day 2: 6
        *(click(f"D1f{i}", f"2024-03-01T0{i}:00:00", program="fixed", product=9) for i in range(2)),  # fixed: 2
        click("Dout", "2024-03-03T00:00:00"),  # after the period
        click("Dother", "2024-03-01T10:00:00", program="brand"),  # another network's program
    )
    path = admitad_csv(
        tmp_path, "r.csv",
        row("X1", "O1", at="2024-03-01 12:00:00", cart="1000", payment="100", subid="D1s0"),
        row("X2", "O2", status="pending", at="2024-03-02 12:00:00", cart="500", payment="50", subid="D2s0"),
        row("X3", "O3", status="declined", at="2024-03-02 13:00:00", cart="200", payment="20", subid="D2s1"),
        row("Y1", "P1", program="fix", at="2024-03-01 09:00:00", cart="0", payment="150", subid="D1f0"),
    )
    result = run(site, path, since=date(2024, 3, 1), until=date(2024, 3, 2))
    assert kinds(result) == {("declined", "X3")}
    s = result.summary
    assert s["total"] == {
        "clicks": 12, "actions": 4, "actions_by_status": {"pending": 1, "approved": 2, "declined": 1},
        "conversion_rate": 0.3333, "order_sum": "1700",
        "commission": {"pending": "50", "approved": "250", "declined": "20"},
        "epc": "25.0000",  # (250 + 50) / 12
        "approval_rate": 0.5, "reversal_rate": 0.25}
    programs = {r["program"]: r for r in s["by_program"]}
    assert (programs["shop"]["clicks"], programs["shop"]["actions"], programs["shop"]["conversion_rate"],
            programs["shop"]["epc"], programs["shop"]["approval_rate"]) == (10, 3, 0.3, "15.0000", 0.3333)
    assert (programs["fixed"]["clicks"], programs["fixed"]["actions"], programs["fixed"]["epc"]) == (2, 1, "75.0000")
    assert list(programs) == ["fixed", "shop"]  # by approved + pending commission: 150, then 150 -> name
    days = {r["day"]: (r["clicks"], r["actions"], r["commission"]["approved"]) for r in s["by_day"]}
    assert days == {"2024-03-01": (6, 2, "250"), "2024-03-02": (6, 2, "0")}
    products = {r["product_id"]: (r["clicks"], r["actions"]) for r in s["by_product"]}
    assert products == {5: (4, 1), 6: (6, 2), 9: (2, 1)}
    pages = {r["page"]: (r["clicks"], r["actions"]) for r in s["by_page"]}
    assert pages == {"product": (6, 2), "category": (6, 2)}
    assert result.since == date(2024, 3, 1) and result.until == date(2024, 3, 2)


def test_the_period_defaults_to_the_reports_action_days_and_filters_the_ledger(tmp_path):
    site = make_site(tmp_path)
    run(site, admitad_csv(tmp_path, "feb.csv", row("E1", "O1", at="2024-02-10 12:00:00", subid="x")))
    result = run(site, admitad_csv(tmp_path, "mar.csv", row("E2", "O2", at="2024-03-05 12:00:00", subid="y"),
                                   row("E3", "O3", at="2024-03-07 23:59:00", subid="z")))
    assert (result.since, result.until) == (date(2024, 3, 5), date(2024, 3, 7))
    assert {f.action_id for f in result.findings} == {"E2", "E3"}
    everything = run(site)  # no report, no period: the whole ledger
    assert {f.action_id for f in everything.findings} == {"E1", "E2", "E3"}
    feb = run(site, until=date(2024, 2, 28))
    assert {f.action_id for f in feb.findings} == {"E1"}


def test_paid_per_click_programs(tmp_path):
    site = make_site(tmp_path)
    ours = {("shop", "2024-03-01"): 100, ("shop", "2024-03-02"): 50, ("fixed", "2024-03-01"): 10}
    theirs = {("shop", "2024-03-01"): 104, ("shop", "2024-03-02"): 40, ("fixed", "2024-03-01"): 99}
    found = check_click_counts(ours, theirs, {"shop": D("2.5")}, "adm")
    assert [(f.kind, f.action_id, f.day, f.clicks_ours, f.clicks_network, f.difference) for f in found] == [
        ("click_count_mismatch", None, "2024-03-02", 50, 40, D("25.00"))]  # 104 vs 100 is within 5%
    store_clicks(site, *(click(f"P{i}", "2024-03-01T10:00:00") for i in range(3)))
    result = run(site, since=date(2024, 3, 1), until=date(2024, 3, 1), per_click={"shop": D("1")},
                 network_clicks={("shop", "2024-03-01"): 9})
    assert kinds(result) == {("click_count_mismatch", None)}
    warned = run(site, since=date(2024, 3, 1), until=date(2024, 3, 1), per_click={"shop": D("1")})
    assert kinds(warned) == set() and "click_count_mismatch not checked" in warned.warnings[0]


def test_tolerances_are_options(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kok", "2024-03-10T12:00:00"))
    path = admitad_csv(tmp_path, "r.csv", row("T1", "O1", payment="95", subid="Kok"),
                       row("T2", "O2", at="2024-03-10 11:50:00", subid="Kok"))
    assert kinds(run(site, path)) == {("commission_mismatch", "T1"), ("action_before_click", "T2")}
    loose = Options(tolerance_percent=D("5"), clock_skew=Options().clock_skew * 3)
    assert kinds(run(site, path, options=loose)) == set()


def test_no_click_store_yet_makes_tracker_subids_orphans(tmp_path):
    site = make_site(tmp_path)
    result = run(site, admitad_csv(tmp_path, "r.csv", row("N1", "O1", subid="Kabc"), row("N2", subid="p1product")))
    assert kinds(result) == {("orphan_action", "N1")}
    assert not (site.state_dir / "clicks.sqlite").exists()


# --------------------------------------------------------------------------- the command line


def cli(*args, ok=None):
    result = CliRunner().invoke(main, [str(a) for a in args])
    if ok is not None:
        assert result.exit_code == ok, result.output
    return result


@pytest.fixture
def cli_site(tmp_path):
    site = make_site(tmp_path)
    store_clicks(site, click("Kok", "2024-03-10T10:00:00"))
    path = admitad_csv(tmp_path, "r.csv", row("A1", "O1", subid="Kok"), row("A2", "O2", status="declined"),
                       "broken;row", row("A3", "O3", payment="12", subid="Kok"))
    return site, path


def test_cli_fail_on_exit_codes(cli_site, tmp_path):
    site, path = cli_site
    base = ["--site", site.root, "reconcile", "--network", "adm", path]
    cli(*base, ok=0)
    cli(*base, "--fail-on", "declined", ok=1)
    cli(*base, "--fail-on", "action_before_click,outside_cookie_window", ok=0)
    cli(*base, "--fail-on", "status_regressed, commission_mismatch", ok=1)
    cli(*base, "--fail-on", "any", ok=1)
    assert "unknown finding kind 'nope'" in cli(*base, "--fail-on", "declined,nope", ok=2).output
    assert "unknown network 'zzz'" in cli("--site", site.root, "reconcile", "--network", "zzz", path, ok=2).output
    cli(*base, "--since", "2024-03-10", "--until", "2024-03-01", ok=2)
    cli(*base, "--tolerance-percent", "abc", ok=2)
    awin = tmp_path / "awin.csv"
    awin.write_text("Transaction ID;Commission Status;Date;Sale Amount;Commission Amount;Click Ref\n"
                    "T1;approved;2024-03-01 10:00:00;100;5;\n", encoding="utf-8")
    out = cli("--site", site.root, "reconcile", "--network", "adm", awin, ok=2).output
    assert "not an Admitad actions report" in out
    cli("--site", site.root, "reconcile", "--network", "adm", tmp_path / "missing.csv", ok=2)


def test_cli_table_lists_malformed_rows_with_file_and_line(cli_site):
    site, path = cli_site
    out = cli("--site", site.root, "reconcile", "--network", "adm", path, ok=0).output
    assert f"{path}:4: wrong number of columns" in out
    assert "declined (1)" in out and "commission_mismatch (1)" in out and "by program" in out


def test_cli_json_shape(cli_site):
    site, path = cli_site
    doc = json.loads(cli("--site", site.root, "reconcile", "--network", "adm", path, "--json", ok=0).output)
    assert {"summary", "findings", "imports", "period", "finding_counts", "network"} <= set(doc)
    assert doc["finding_counts"] == {**dict.fromkeys(FINDING_KINDS, 0), "declined": 1, "commission_mismatch": 1,
                                     "orphan_action": 1}
    for f in doc["findings"]:
        assert {"kind", "network", "action_id", "click", "commission", "order_amount", "detail"} <= set(f)
        assert f["network"] == "adm"
    mismatch = next(f for f in doc["findings"] if f["kind"] == "commission_mismatch")
    assert (mismatch["action_id"], mismatch["expected_commission"], mismatch["click"]["id"]) == ("A3", "100.00", "Kok")
    assert doc["imports"][0]["errors"] == [{"path": path, "line": 4, "message": "wrong number of columns: 2, the "
                                                                               "header has 9"}]
    assert doc["summary"]["total"]["actions"] == 3 and doc["summary"]["epc_is"]


def test_cli_writes_csv_and_self_contained_html(cli_site, tmp_path):
    site, path = cli_site
    csv_path, html_path = tmp_path / "out" / "findings.csv", tmp_path / "out" / "report.html"
    result = cli("--site", site.root, "reconcile", "--network", "adm", path, "--csv", csv_path, "--html", html_path,
                 "--json", ok=0)
    doc = json.loads(result.stdout)
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(doc["findings"]) == 3
    assert {(r["kind"], r["action_id"]) for r in rows} == {("declined", "A2"), ("orphan_action", "A2"),
                                                           ("commission_mismatch", "A3")}
    assert next(r for r in rows if r["kind"] == "commission_mismatch")["click_id"] == "Kok"
    page = html_path.read_text(encoding="utf-8")
    assert page.count("<svg") >= 2 and "<script" not in page.lower()
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert "commission_mismatch" in page and "A3" in page


def test_ledger_file_lives_in_the_state_dir(cli_site):
    site, path = cli_site
    cli("--site", site.root, "reconcile", "--network", "adm", path, ok=0)
    db = sqlite3.connect(site.state_dir / "ledger.sqlite")
    try:
        assert db.execute("SELECT count(*) FROM actions").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM action_history").fetchone()[0] == 3
        assert db.execute("SELECT count(*) FROM imports").fetchone()[0] == 1
    finally:
        db.close()


def test_cli_network_clicks_file_checks_per_click_programs(tmp_path):
    site = make_site(tmp_path)
    config = (site.root / "site.yml").read_text(encoding="utf-8")
    (site.root / "site.yml").write_text(config.replace("terms: {rate_percent: 10, cookie_days: 30}",
                                                       "terms: {rate_percent: 10, cookie_days: 30, per_click: 2}"),
                                        encoding="utf-8")
    store_clicks(site, *(click(f"C{i}", "2024-03-10T10:00:00") for i in range(3)))
    report = admitad_csv(tmp_path, "r.csv", row("A1", "O1", subid="C0"))
    counts = tmp_path / "clicks.csv"
    counts.write_text("date,program,clicks\n2024-03-10,77,12\n", encoding="utf-8")  # 77: shop's report_id
    base = ["--site", site.root, "reconcile", "--network", "adm", report, "--json"]
    found = json.loads(cli(*base, "--network-clicks", counts, ok=0).output)["findings"]
    [mismatch] = [f for f in found if f["kind"] == "click_count_mismatch"]
    assert (mismatch["program"], mismatch["clicks_ours"], mismatch["clicks_network"]) == ("shop", 3, 12)
    counts.write_text("date,program,clicks\n2024-03-10,nobody,12\n", encoding="utf-8")
    out = cli(*base, "--network-clicks", counts, ok=2).output
    assert "clicks.csv:2: 'nobody' is no program of network adm" in out
