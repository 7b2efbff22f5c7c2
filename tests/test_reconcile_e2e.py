"""Reconciliation end to end, with real processes: the demo site built with `links.mode: tracker`, the
tracker (`showcase track`) started in a subprocess, buy links of the built product pages clicked with an
HTTP client, reports written in each supported format (Admitad JSON and CSV, Awin JSON, CJ JSON, Impact
CSV, a neutral CSV mapped in site.yml) naming the click ids the tracker handed out, and `showcase
reconcile` run as a subprocess on each.

The demo's site.yml has admitad and awin networks only: the copy here moves the domisad feed to a CJ
program, tropa to an Impact program, and adds a second feed of tropa's file on a neutral-CSV network."""

from __future__ import annotations

import html
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import yaml

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
SUBID_PARAM = {"technomir": "subid", "gadgethub": "clickref", "domisad": "sid", "tropa": "subId1", "tropa_np": "s"}
CLICKS_PER_FEED = {"technomir": 8, "gadgethub": 4, "domisad": 3, "tropa": 2, "tropa_np": 3}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def showcase(site: Path, *args, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "showcase", "--site", str(site), *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"showcase {' '.join(map(str, args))}: exit {proc.returncode}\n{proc.stdout}\n"
                             f"{proc.stderr}")
    return proc


def configure(site: Path, tracker_url: str) -> None:
    data = yaml.safe_load((site / "site.yml").read_text(encoding="utf-8"))
    data["images"] = "hotlink"
    data["links"] = {"mode": "tracker", "tracker_url": tracker_url}
    data["networks"]["cj"] = {"type": "cj", "publisher_id": "7654321"}
    data["networks"]["impact"] = {"type": "impact"}
    data["networks"]["partnerka"] = {
        "type": "template", "template": "https://go.partnerka.example/?u={url_encoded}&s={subid}",
        "report_columns": {"id": "Conversion", "status": "State", "sold": "Sold at", "price": "Order total",
                           "revenue": "Payout", "custom_1": "Sub ID", "program": "Shop", "order_id": "Order"},
        "report_statuses": {"Hold": "pending", "Confirmed": "approved", "Rejected": "declined"}}
    programs = data["programs"]
    programs["technomir"]["report_id"] = "14361"  # Admitad reports name it by advcampaign_id
    programs["domisad"].update(network="cj", id="15550001", report_id="5550",  # AID for links, CID in reports
                               terms={"rate_percent": 7, "cookie_days": 45, "currency": "RUB"})
    programs["tropa"].update(network="impact", tracking_url="https://tropa.sjv.io/c/111/222/4455",
                             terms={"payout": 150, "cookie_days": 60, "currency": "RUB"})
    programs["tropa_np"] = {"name": "Тропа (партнёрка)", "network": "partnerka", "id": "np1",
                            "terms": {"rate_percent": 10, "cookie_days": 14}}
    data["feeds"]["tropa_np"] = {**data["feeds"]["tropa"], "program": "tropa_np"}
    (site / "site.yml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


class Clicked:
    """The clicks made through the tracker: feed -> [(click id, click time, product id)]."""

    def __init__(self, site: Path):
        self.site = site
        self.by_feed: dict[str, list[tuple[str, datetime, int]]] = {}

    def __getitem__(self, feed: str) -> list[tuple[str, datetime, int]]:
        return self.by_feed[feed]


@pytest.fixture(scope="module")
def clicked(tmp_path_factory) -> Clicked:
    import shutil

    repo = Path(__file__).resolve().parents[1]
    site = tmp_path_factory.mktemp("reconcile_e2e") / "demo"
    site.mkdir()
    shutil.copy(repo / "site.yml", site / "site.yml")
    shutil.copytree(repo / "feeds" / "demo", site / "feeds" / "demo")
    port = free_port()
    tracker_url = f"http://127.0.0.1:{port}"
    configure(site, tracker_url)
    showcase(site, "build", "--no-search", "--jobs", "1")

    # the buy links of the built product pages, by feed (keys are <feed>.<offer id>)
    links: dict[str, list[str]] = {}
    pattern = re.compile(r'href="(' + re.escape(tracker_url) + r'/go/([a-z0-9_-]+)\.[^"?]+\?from=product)"')
    for page in sorted((site / "build" / "p").glob("*/index.html")):
        for url, feed in pattern.findall(page.read_text(encoding="utf-8")):
            url = html.unescape(url)
            if url not in links.setdefault(feed, []):
                links[feed].append(url)
    assert set(CLICKS_PER_FEED) <= set(links), links.keys()

    log = open(site / "tracker.log", "w")  # noqa: SIM115 - closed below
    tracker = subprocess.Popen([sys.executable, "-m", "showcase", "--site", str(site), "track", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    result = Clicked(site)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(f"{tracker_url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if tracker.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the tracker did not start:\n" + (site / "tracker.log").read_text())
            time.sleep(0.1)
        session = requests.Session()
        session.headers["User-Agent"] = BROWSER
        for feed, n in CLICKS_PER_FEED.items():
            urls = links[feed]
            ids = []
            for i in range(n):
                r = session.get(urls[i % len(urls)], allow_redirects=False, timeout=5)
                assert r.status_code == 302, (r.status_code, r.text)
                query = parse_qs(urlsplit(r.headers["Location"]).query)
                (click_id,) = query[SUBID_PARAM[feed]]
                ids.append(click_id)
            result.by_feed[feed] = ids  # type: ignore[assignment]
    finally:
        tracker.send_signal(signal.SIGTERM)
        try:
            tracker.wait(timeout=15)
        finally:
            if tracker.poll() is None:
                os.killpg(tracker.pid, signal.SIGKILL)
            log.close()
    assert tracker.returncode == 0, (site / "tracker.log").read_text()
    db = sqlite3.connect(site / ".showcase" / "clicks.sqlite")
    try:
        for feed, ids in list(result.by_feed.items()):
            rows = []
            for cid in ids:
                at, product, ua = db.execute("SELECT at, product_id, ua_class FROM clicks WHERE id = ?",
                                             (cid,)).fetchone()
                assert ua == "human"
                rows.append((cid, datetime.fromisoformat(at), product))
            result.by_feed[feed] = rows
    finally:
        db.close()
    return result


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds")


def reconcile(site: Path, network: str, *reports: Path, expect_exit: int = 0, extra=()) -> dict:
    proc = showcase(site, "reconcile", "--network", network, *reports, "--json", *extra, check=False)
    assert proc.returncode == expect_exit, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def found(doc: dict) -> set[tuple[str, str]]:
    return {(f["kind"], f["action_id"]) for f in doc["findings"]}


H = timedelta(hours=1)
DAY = timedelta(days=1)


# --------------------------------------------------------------------------- Admitad: JSON, then a later CSV


def test_admitad_json_then_a_later_csv(clicked):
    site = clicked.site
    c = clicked["technomir"]

    def action(aid, n, order, payment, status="approved", at=None, cart=10000, subid=None, program=14361):
        cid, t, _ = c[n]
        return {"action_id": aid, "id": aid, "order_id": order, "advcampaign_id": program, "status": status,
                "paid": 0, "action_date": iso(at or t + H), "click_date": iso(t), "cart": cart, "payment": payment,
                "currency": "RUB", "subid": cid if subid is None else subid, "positions": []}

    first = {"_meta": {"count": 10}, "results": [
        action("M1", 0, "ORD-M1", 650),                      # 6.5% of 10000: all fine
        action("O1", 0, "ORD-O1", 650, subid="ZZnotaclick"),  # orphan
        action("D1", 1, "ORD-D", 650),
        action("D2", 1, "ORD-D", 650, at=c[1][1] + 2 * H),    # the same order again
        action("W1", 2, "ORD-W1", 500),                      # expected 650
        action("L1", 3, "ORD-L1", 650),                      # declined in the later report
        action("C1", 4, "ORD-C1", 650, at=c[4][1] + 31 * DAY),  # technomir's cookie window is 30 days
        action("B1", 5, "ORD-B1", 650, at=c[5][1] - 2 * H),  # before its click
        action("S1", 6, "ORD-S1", 650, subid=f"p{c[6][2]}product"),  # a storefront sub-id
        action("U1", 7, "ORD-U1", 650, program=999),         # no such program
    ]}
    r1 = site / "admitad-1.json"
    r1.write_text(json.dumps(first), encoding="utf-8")
    doc = reconcile(site, "admitad", r1, "--fail-on", "declined")  # none declined yet: exit 0
    assert found(doc) == {("orphan_action", "O1"), ("duplicate_action", "D2"), ("commission_mismatch", "W1"),
                          ("outside_cookie_window", "C1"), ("action_before_click", "B1"), ("unknown_program", "U1")}
    by = {(f["kind"], f["action_id"]): f for f in doc["findings"]}
    mismatch = by[("commission_mismatch", "W1")]
    assert (mismatch["commission"], mismatch["expected_commission"], mismatch["program"]) == (
        "500", "650.00", "technomir")
    assert mismatch["click"]["id"] == c[2][0] and mismatch["click"]["product_id"] == c[2][2]
    assert mismatch["click"]["page"] == "product" and mismatch["click"]["ua_class"] == "human"
    assert by[("duplicate_action", "D2")]["other_action_id"] == "D1"
    assert doc["summary"]["matching"] == {"click": 8, "static": 1, "no_subid": 0, "unknown_subid": 1}
    assert doc["imports"][0]["new"] == 10 and doc["imports"][0]["format"] == "json"

    # a later export, as CSV: L1 is declined now, M1 unchanged; one malformed row
    later = ("ID действия;ID заказа;ID программы;Статус;Дата действия;Сумма заказа;Вознаграждение;Валюта;SubID\n"
             f"M1;ORD-M1;14361;approved;{iso(c[0][1] + H)};10000;650;RUB;{c[0][0]}\n"
             f"L1;ORD-L1;14361;declined;{iso(c[3][1] + H)};10000;0;RUB;{c[3][0]}\n"
             "X9;ORD-X9;14361;approved;not a date;10000;650;RUB;\n")
    r2 = site / "admitad-2.csv"
    r2.write_text(later, encoding="utf-8")
    doc2 = reconcile(site, "admitad", r2, expect_exit=1, extra=["--fail-on", "status_regressed"])
    imp = doc2["imports"][0]
    assert (imp["new"], imp["changed"], imp["unchanged"], imp["format"]) == (0, 1, 1, "csv")
    assert imp["errors"] == [{"path": str(r2), "line": 4, "message": "action X9: bad action date: 'not a date'"}]
    assert found(doc2) - found(doc) == {("status_regressed", "L1"), ("declined", "L1")}
    regressed = next(f for f in doc2["findings"] if f["kind"] == "status_regressed")
    assert "admitad-1.json" in regressed["detail"] and regressed["report"] == str(r2)

    # the first report again: already imported, nothing changes (L1 stays declined)
    doc3 = reconcile(site, "admitad", r1, expect_exit=1, extra=["--fail-on", "declined"])
    assert doc3["imports"][0]["already_imported"]
    assert {("status_regressed", "L1"), ("declined", "L1")} <= found(doc3)
    db = sqlite3.connect(site / ".showcase" / "ledger.sqlite")
    try:
        assert db.execute("SELECT status FROM action_history WHERE network = 'admitad' AND action_id = 'L1' "
                          "ORDER BY seq").fetchall() == [("approved",), ("declined",)]
    finally:
        db.close()


# --------------------------------------------------------------------------- Awin JSON


def test_awin_json(clicked, tmp_path):
    site = clicked.site
    c = clicked["gadgethub"]

    def tx(tid, n, commission, status="approved", at=None, ref=None):
        cid, t, _ = c[n]
        return {"id": tid, "advertiserId": 18542, "publisherId": 123456, "commissionStatus": status,
                "commissionAmount": {"amount": commission, "currency": "RUB"},
                "saleAmount": {"amount": 5000, "currency": "RUB"},
                "clickRefs": {"clickRef": cid if ref is None else ref},
                "clickDate": iso(t), "transactionDate": iso(at or t + H), "orderRef": f"AW-{tid}",
                "paidToPublisher": False, "transactionParts": []}

    report = tmp_path / "awin.json"
    report.write_text(json.dumps([
        tx(9001, 0, 200),                         # 4% of 5000
        tx(9002, 0, 200, ref=""),                 # orphan: no click ref
        tx(9003, 1, 150),                         # expected 200
        tx(9004, 2, 200, status="declined"),
        tx(9005, 3, 200, at=c[3][1] + 31 * DAY),  # gadgethub: 30 days
    ]), encoding="utf-8")
    html_path = tmp_path / "awin.html"
    doc = reconcile(site, "awin", report, extra=["--html", html_path, "--csv", tmp_path / "awin.csv"])
    assert found(doc) == {("orphan_action", "9002"), ("commission_mismatch", "9003"), ("declined", "9004"),
                          ("outside_cookie_window", "9005")}
    assert doc["summary"]["by_program"][0]["program"] == "gadgethub"
    page = html_path.read_text(encoding="utf-8")
    assert "<svg" in page and not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page)
    assert len((tmp_path / "awin.csv").read_text(encoding="utf-8").strip().splitlines()) == 1 + 4


# --------------------------------------------------------------------------- CJ JSON


def test_cj_json(clicked, tmp_path):
    site = clicked.site
    c = clicked["domisad"]

    def record(cid, n, commission, order=None):
        sid, t, _ = c[n]
        return {"commissionId": cid, "originalActionId": cid, "original": True, "actionStatus": "new",
                "actionType": "item_sale", "advertiserId": "5550", "publisherId": "7654321",
                "orderId": order or f"CJ-{cid}", "shopperId": sid, "eventDate": iso(t + H),
                "postingDate": iso(t + 2 * H), "clickDate": iso(t), "pubCurrency": "RUB",
                "saleAmountPubCurrency": 3000, "pubCommissionAmountPubCurrency": commission, "items": []}

    report = tmp_path / "cj.json"
    report.write_text(json.dumps({"data": {"publisherCommissions": {"count": 4, "records": [
        record("5001", 0, 210),                   # 7% of 3000
        record("5002", 1, 210, order="CJ-SAME"),
        record("5003", 2, 210, order="CJ-SAME"),  # the same order
        record("5004", 2, 90),                    # expected 210
    ]}}}), encoding="utf-8")
    doc = reconcile(site, "cj", report, expect_exit=1, extra=["--fail-on", "duplicate_action"])
    assert found(doc) == {("duplicate_action", "5003"), ("commission_mismatch", "5004")}


# --------------------------------------------------------------------------- Impact CSV


def test_impact_partner_report_csv(clicked, tmp_path):
    site = clicked.site
    c = clicked["tropa"]
    rows = ["Action_Id,Oid,Status,Action_Date,Referral_Date,Campaign,Sale_Amount,Payout,SubId1"]
    rows += [f"7.1,IM-1,Approved,{iso(c[0][1] + H)},{iso(c[0][1])},4455,4000,150,{c[0][0]}",  # payout 150
             f"7.2,IM-2,Pending,{iso(c[1][1] + H)},{iso(c[1][1])},4455,4000,100,{c[1][0]}",   # expected 150
             f"7.3,IM-3,Approved,{iso(c[1][1] + H)},{iso(c[1][1])},4456,4000,150,{c[1][0]}"]  # another campaign
    report = tmp_path / "impact.csv"
    report.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = reconcile(site, "impact", report)
    assert found(doc) == {("commission_mismatch", "7.2"), ("unknown_program", "7.3")}
    assert {f["program"] for f in doc["findings"]} == {"tropa", None}


# --------------------------------------------------------------------------- neutral CSV mapped in site.yml


def test_neutral_csv(clicked, tmp_path):
    site = clicked.site
    c = clicked["tropa_np"]
    rows = ["Conversion;Order;Shop;State;Sold at;Order total;Payout;Sub ID",
            f"N1;NO-1;np1;Confirmed;{iso(c[0][1] + H)};2000;200;{c[0][0]}",          # 10% of 2000
            f"N2;NO-2;np1;Hold;{iso(c[0][1] + H)};2000;200;",                         # orphan
            f"N3;NO-3;np1;Rejected;{iso(c[1][1] + H)};2000;200;{c[1][0]}",            # declined
            f"N4;NO-4;np1;Confirmed;{iso(c[2][1] - DAY)};2000;200;{c[2][0]}",         # before the click
            f"N5;NO-5;np1;Confirmed;{iso(c[2][1] + 15 * DAY)};2000;200;{c[2][0]}"]    # 14-day window
    report = tmp_path / "partnerka.csv"
    report.write_text("\n".join(rows) + "\n", encoding="utf-8")
    doc = reconcile(site, "partnerka", report, expect_exit=1, extra=["--fail-on", "orphan_action"])
    assert found(doc) == {("orphan_action", "N2"), ("declined", "N3"), ("action_before_click", "N4"),
                          ("outside_cookie_window", "N5")}
    total = doc["summary"]["total"]  # the period runs from N4's day to N5's: the 3 clicks are in it
    assert (total["clicks"], total["actions"], total["epc"]) == (3, 5, "266.6667")  # (4 x 200) / 3
    table = showcase(site, "reconcile", "--network", "partnerka", report).stdout
    assert "already imported" in table and "outside_cookie_window (1)" in table
