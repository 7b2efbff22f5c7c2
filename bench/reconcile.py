"""Reconciliation benchmark: N clicks in the click store, M actions in a network report, `showcase reconcile`.

    .venv/bin/python bench/reconcile.py                        # 1,000,000 clicks, 100,000 actions, Admitad JSON
    .venv/bin/python bench/reconcile.py --clicks 100000 --actions 10000 --format admitad-csv

A temporary site (bench/out/reconcile-<clicks>/, git-ignored) with one Admitad network and ten programs
(nine paying a percentage, one a fixed payout). The click store is generated once and reused: N clicks
over 60 days, inserted with one executemany in one transaction (90% human, 7% bot, 3% prefetch; 50,000
products; five page types). The report (regenerated each run, seeded) has M actions: 72% name an
existing click id (1% stamped before their click, 2% 35 days after it: outside the 30-day cookie window),
8% an unknown id, 12% a storefront sub-id (p<product>product), 5% none, 3% repeat an earlier action's
order id; 5% carry a wrong commission, 1% an unknown program; 70% approved, 20% pending, 10% declined.
A second report, "later", has the same actions with 20% of the statuses moved on (half of the approved
ones declined).

Each run is the real command in its own process, ``showcase --site DIR reconcile --network admitad
REPORT --json > out.json``; time is wall time, peak RSS that process's ``ru_maxrss`` (os.wait4).
Runs: ``fresh`` (empty ledger: parse, import, match, check, summarize, print JSON), ``again`` (the
same file: nothing applied), ``later`` (the later report: transitions recorded, regressions found).
Prints a Markdown table and the command. Targets: under 20 s and 500 MB for 1M clicks, 100k actions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(REPO))

PROGRAMS = 10
PRODUCTS = 50_000
PAGES = ("product", "category", "home", "search", "brand")
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 60

SITE_YML = """site: {title: Bench, base_url: "https://bench.example/", language: en, currency: RUB, timezone: UTC}
networks:
  admitad: {type: admitad}
programs:
"""


def site_yml() -> str:
    out = [SITE_YML]
    for p in range(PROGRAMS):
        terms = "{payout: 150, cookie_days: 30}" if p == PROGRAMS - 1 else f"{{rate_percent: {5 + p}, cookie_days: 30}}"
        out.append(f'  p{p}: {{name: "Shop {p}", network: admitad, id: "code{p}", report_id: "{1000 + p}", '
                   f"terms: {terms}}}\n")
    return "".join(out)


def click_id(i: int) -> str:
    return f"K{i:021d}"


def click_time(i: int, n: int) -> datetime:
    return START + timedelta(seconds=i * DAYS * 86400 / n)


def make_clicks(site: Path, n: int) -> float:
    """The click store with n clicks (reused when it holds exactly n); seconds spent."""
    from showcase.clicks import ClickStore

    path = site / ".showcase" / "clicks.sqlite"
    if path.exists():
        db = sqlite3.connect(path)
        have = db.execute("SELECT count(*) FROM clicks").fetchone()[0]
        db.close()
        if have == n:
            return 0.0
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    started = time.perf_counter()
    rnd = random.Random(1)
    store = ClickStore(path)
    db = store.db
    step = DAYS * 86400 / n

    def rows():
        base = START.timestamp()
        for i in range(n):
            r = rnd.random()
            ua = "human" if r < 0.90 else ("bot" if r < 0.97 else "prefetch")
            product = rnd.randrange(1, PRODUCTS + 1)
            at = datetime.fromtimestamp(base + i * step, UTC).isoformat(timespec="milliseconds")
            yield (click_id(i), at, f"f{product % PROGRAMS}.{product}", f"f{product % PROGRAMS}", str(product), product,
                   product, f"p{product % PROGRAMS}", PAGES[i % len(PAGES)], "", ua, "", "tracker", None)

    db.execute("BEGIN IMMEDIATE")
    db.executemany("INSERT INTO clicks (id, at, key, feed, offer_id, offer_row, product_id, program, page, "
                   "referrer_host, ua_class, ip_hash, source, log_line_id) VALUES "
                   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return time.perf_counter() - started


def make_actions(n_clicks: int, n: int, seed: int = 7) -> list[dict]:
    rnd = random.Random(seed)
    actions = []
    for i in range(n):
        r = rnd.random()
        ci = rnd.randrange(n_clicks)
        product = rnd.randrange(1, PRODUCTS + 1)
        program = product % PROGRAMS
        at = click_time(ci, n_clicks) + timedelta(minutes=rnd.randrange(5, 60 * 24 * 7))
        if r < 0.72:
            subid = click_id(ci)
            q = rnd.random()
            if q < 0.01:
                at = click_time(ci, n_clicks) - timedelta(hours=2)
            elif q < 0.03:
                at = click_time(ci, n_clicks) + timedelta(days=35)
        elif r < 0.80:
            subid = f"Z{rnd.getrandbits(80):x}"[:22]
        elif r < 0.92:
            subid = f"p{product}product"
        else:
            subid = ""
        order = f"ORD-{i}"
        if i > 10 and rnd.random() < 0.03:
            order = actions[rnd.randrange(i)]["order_id"]
        cart = rnd.randrange(500, 50_000)
        payment = 150 if program == PROGRAMS - 1 else round(cart * (5 + program) / 100, 2)
        if rnd.random() < 0.05:
            payment = round(payment * 0.8, 2)
        s = rnd.random()
        status = "approved" if s < 0.7 else ("pending" if s < 0.9 else "declined")
        adv = 1000 + program if rnd.random() >= 0.01 else 9999
        actions.append({"action_id": 10_000_000 + i, "id": 10_000_000 + i, "order_id": order, "advcampaign_id": adv,
                        "advcampaign_name": f"Shop {program}", "status": status, "paid": 0,
                        "action_date": at.strftime("%Y-%m-%d %H:%M:%S"), "click_date": None, "cart": cart,
                        "payment": payment, "currency": "RUB", "subid": subid, "subid1": None, "subid2": None,
                        "positions": []})
    return actions


def later(actions: list[dict], seed: int = 8) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for a in actions:
        a = dict(a)
        if rnd.random() < 0.2:
            a["status"] = {"approved": "declined" if rnd.random() < 0.5 else "approved", "pending": "approved",
                           "declined": "declined"}[a["status"]]
            a["paid"] = 1 if a["status"] == "approved" else 0
        out.append(a)
    return out


def write_report(path: Path, actions: list[dict], fmt: str) -> None:
    if fmt == "admitad-json":
        path.write_text(json.dumps({"_meta": {"count": len(actions)}, "results": actions}), encoding="utf-8")
        return
    cols = ["action_id", "order_id", "advcampaign_id", "status", "paid", "action_date", "cart", "payment", "currency",
            "subid"]
    with open(path, "w", encoding="utf-8") as f:
        f.write(";".join(cols) + "\n")
        for a in actions:
            f.write(";".join("" if a[c] is None else str(a[c]) for c in cols) + "\n")


def run(cmd: list[str], out: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS MB, exit code) of one process."""
    started = time.perf_counter()
    with open(out, "w") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        sys.exit(f"{shlex.join(cmd)}: exit {proc.returncode}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clicks", type=int, default=1_000_000)
    ap.add_argument("--actions", type=int, default=100_000)
    ap.add_argument("--format", choices=["admitad-json", "admitad-csv"], default="admitad-json")
    args = ap.parse_args()
    site = OUT / f"reconcile-{args.clicks}"
    (site / ".showcase").mkdir(parents=True, exist_ok=True)
    (site / "site.yml").write_text(site_yml(), encoding="utf-8")
    spent = make_clicks(site, args.clicks)
    print(f"click store: {args.clicks:,} clicks" + (f" generated in {spent:.1f} s" if spent else " (reused)"),
          file=sys.stderr)
    ext = "json" if args.format.endswith("json") else "csv"
    actions = make_actions(args.clicks, args.actions)
    first, second = site / f"report-{args.actions}.{ext}", site / f"report-{args.actions}-later.{ext}"
    write_report(first, actions, args.format)
    write_report(second, later(actions), args.format)
    del actions
    for suffix in ("", "-wal", "-shm"):
        Path(str(site / ".showcase" / "ledger.sqlite") + suffix).unlink(missing_ok=True)
    rows = []
    for name, report in (("fresh", first), ("again", first), ("later", second)):
        cmd = [sys.executable, "-m", "showcase", "--site", str(site), "reconcile", "--network", "admitad",
               str(report), "--json"]
        out = site / f"out-{name}.json"
        seconds, rss, _ = run(cmd, out)
        doc = json.loads(out.read_text(encoding="utf-8"))
        counts = ", ".join(f"{k} {v}" for k, v in doc["finding_counts"].items() if v)
        rows.append(f"| {args.clicks:,} | {args.actions:,} | {args.format} | {name} | {seconds:.1f} | {rss:.0f} | "
                    f"{len(doc['findings']):,} ({counts}) |")
        print(f"{name}: {seconds:.1f} s, {rss:.0f} MB", file=sys.stderr)
    print("| clicks | actions | report | run | time s | peak RSS MB | findings |")
    print("|---:|---:|---|---|---:|---:|---|")
    print("\n".join(rows))
    print(f"\n```sh\n.venv/bin/python bench/reconcile.py --clicks {args.clicks} --actions {args.actions} "
          f"--format {args.format}\n# each run: showcase --site {site.relative_to(REPO)} reconcile --network admitad "
          f"{first.relative_to(REPO)} --json\n```")


if __name__ == "__main__":
    main()
