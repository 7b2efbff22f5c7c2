"""Click tracker benchmark: wrk against `showcase track` on 127.0.0.1, then every answered click looked up.

    .venv/bin/python bench/tracker.py                      # all scenarios below, default sizes
    .venv/bin/python bench/tracker.py --only saturate,sigterm --duration 20
    .venv/bin/python bench/tracker.py --only store --clicks 1000000 --actions 100000

Needs wrk (Debian: `apt-get install -y wrk`) and waitress. A temporary site with --offers offers of two
programs (Admitad and Awin deep links) is imported into a catalog; the tracker runs as the real command,
``python -m showcase --site DIR track --port P --threads T``, in a child process.

Scenarios
* ``saturate``: wrk -t2 -cC for --duration seconds, as fast as it goes (wrk and the tracker share the
  machine's cores). Requests carry a browser User-Agent, a Referer and ?from=product, over random keys.
* ``paced``: the same at about --rate requests per second (wrk's per-connection delay): the latency a
  steady load sees.
* ``sigterm``: saturate, SIGTERM to the tracker after a third of the time, restart it on the same port at
  once (wrk reconnects); reports the old process's exit code, how long it took to drain and exit, and the
  gap until the new one answered.
* ``sigkill``: the same with SIGKILL (a crash): no drain, but an answered click was committed before its
  answer, so none may be lost either (WAL, synchronous=NORMAL survives a process crash).
* ``store``: a store of --clicks synthetic clicks over 60 days: time of ``stats()``, and of a join of
  --actions report actions (90% matching) with the clicks by click id, as the reconciliation will do it.
* ``logs``: a gzip access log of --log-lines lines (a third /go/ hits): ``import_log`` twice; the second
  import must add nothing.

"Lost" counts answered 302s whose click id (the sub-id in the Location) is not in the store afterwards;
it must be 0. wrk's Lua ``response()`` writes every Location to a file per wrk thread. ``extra`` is the
clicks stored for requests whose answer wrk did not count (in flight when its time ran out).
Each scenario prints one line of key=value pairs; --json prints one JSON object instead. Exit code 1 when
any answered click was lost.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
SITE_YML = """\
site: {title: Bench, base_url: "https://shop.example/", language: en, currency: USD}
networks:
  adm: {type: admitad}
  aw: {type: awin, publisher_id: "777"}
programs:
  alpha: {name: Alpha, network: adm, id: abc123}
  beta: {name: Beta, network: aw, id: "555"}
feeds:
  a: {source: feeds/a.yml, program: alpha}
  b: {source: feeds/b.yml, program: beta}
links: {mode: tracker, tracker_url: "https://go.shop.example"}
"""
SUBID_PARAMS = ("subid", "clickref")

LUA = r"""
local paths = {%(paths)s}
local n = #paths
local counter = 0
local delay_ms = %(delay)d
local threads = {}
wrk.headers["User-Agent"] = "%(ua)s"
wrk.headers["Referer"] = "https://shop.example/p/bench/"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  out = io.open("%(out)s/locations-" .. id .. ".txt", "w")
  answered = 0
  counter = id * 7919
end

request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter * 2654435761) %% n + 1])
end

if delay_ms > 0 then
  delay = function() return delay_ms end
end

response = function(status, headers, body)
  if status == 302 then
    answered = answered + 1
    out:write(headers["Location"], "\n")
    if answered %% 1000 == 0 then out:flush() end
  else
    out:write("status ", status, "\n")
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('JSON {"requests": %%d, "duration_us": %%d, "connect_errors": %%d, "read_errors": %%d, ' ..
    '"write_errors": %%d, "timeouts": %%d, "status_errors": %%d, "p50_ms": %%.2f, "p90_ms": %%.2f, ' ..
    '"p99_ms": %%.2f, "max_ms": %%.2f}\n', summary.requests, summary.duration, e.connect, e.read, e.write,
    e.timeout, e.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_site(root: Path, offers: int, store: str | None = None) -> list[str]:
    from showcase.catalog import Catalog
    from showcase.links import offer_key
    from showcase.normalize import Offer

    root.mkdir(parents=True, exist_ok=True)
    (root / "site.yml").write_text(SITE_YML + (f"tracker: {{store: {store}}}\n" if store else ""), encoding="utf-8")

    def offer(feed: str, oid: str) -> Offer:
        return Offer(feed=feed, offer_id=oid, title=f"Product {feed} {oid}", url=f"https://{feed}.example/item/{oid}",
                     price=Decimal(100), old_price=None, source_price="100 USD", available=True)

    half = offers // 2
    with Catalog(root / ".showcase" / "catalog.sqlite") as catalog:
        catalog.import_feed("a", "alpha", (offer("a", str(i)) for i in range(half)))
        catalog.import_feed("b", "beta", (offer("b", f"x{i}") for i in range(offers - half)))
    return [offer_key("a", str(i)) for i in range(half)] + [offer_key("b", f"x{i}") for i in range(offers - half)]


class Tracker:
    def __init__(self, site: Path, port: int, threads: int, log: Path, options: tuple[str, ...] = ()):
        self.site, self.port, self.threads, self.log, self.options = site, port, threads, log, options
        self.proc: subprocess.Popen | None = None

    def start(self) -> float:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "showcase", "--site", str(self.site), "track", "--port", str(self.port),
             "--threads", str(self.threads), *self.options], cwd=REPO, stdout=self.log.open("a"),
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - started
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the tracker exited with {self.proc.returncode}: "
                                       f"{self.log.read_text()}") from None
                time.sleep(0.01)
        raise RuntimeError("the tracker did not answer within 20 s")

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, float]:
        started = time.perf_counter()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        return code, time.perf_counter() - started


def run_wrk(url: str, script: Path, connections: int, duration: int) -> subprocess.Popen:
    return subprocess.Popen(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", str(script), url],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_result(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate(timeout=600)
    for line in out.splitlines():
        if line.startswith("JSON "):
            return json.loads(line[5:])
    raise RuntimeError(f"wrk printed no result:\n{out}")


def click_ids(out_dir: Path) -> tuple[list[str], int]:
    ids, other = [], 0
    for path in out_dir.glob("locations-*.txt"):
        for line in path.read_text().splitlines():
            if line.startswith("status "):
                other += 1
                continue
            query = parse_qs(urlsplit(line).query)
            ids.append(next(query[p][0] for p in SUBID_PARAMS if p in query))
    return ids, other


def check_store(store: Path, ids: list[str]) -> dict:
    db = sqlite3.connect(store)
    db.execute("CREATE TEMP TABLE answered (id TEXT PRIMARY KEY)")
    db.executemany("INSERT OR IGNORE INTO answered VALUES (?)", ((i,) for i in ids))
    lost = db.execute("SELECT count(*) FROM answered a WHERE NOT EXISTS (SELECT 1 FROM clicks c WHERE c.id = a.id)"
                      ).fetchone()[0]
    stored = db.execute("SELECT count(*) FROM clicks").fetchone()[0]
    classes = dict(db.execute("SELECT ua_class, count(*) FROM clicks GROUP BY 1"))
    db.close()
    return {"answered": len(ids), "distinct": len(set(ids)), "stored": stored, "lost": lost,
            "extra": stored - len(set(ids)), "classes": classes}


def scenario(name: str, args, workdir: Path, keys: list[str], site: Path) -> dict:
    store = Path(args.store) if args.store else site / ".showcase" / "clicks.sqlite"
    for f in store.parent.glob(store.name + "*"):
        f.unlink()
    out_dir = workdir / name
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir()
    connections = args.connections
    delay = 0
    if name == "paced":
        connections = max(4, args.rate // 50)
        delay = max(1, round(connections * 1000 / args.rate) - 1)  # about 1 ms of latency per request
    paths = ", ".join(f'"/go/{k}?from=product"' for k in keys)
    script = out_dir / "load.lua"
    script.write_text(LUA % {"paths": paths, "delay": delay, "ua": UA, "out": out_dir})
    port = free_port()
    tracker = Tracker(site, port, args.threads, workdir / f"{name}.log", ("--fsync",) if args.fsync else ())
    startup = tracker.start()
    result: dict = {"scenario": name, "connections": connections, "threads": args.threads, "fsync": args.fsync,
                    "startup_s": round(startup, 2)}
    wrk = run_wrk(f"http://127.0.0.1:{port}", script, connections, args.duration)
    if name in ("sigterm", "sigkill"):
        time.sleep(args.duration / 3)
        code, drain = tracker.stop(signal.SIGTERM if name == "sigterm" else signal.SIGKILL)
        restart = tracker.start()
        result.update(exit_code=code, stop_s=round(drain, 3), restart_gap_s=round(drain + restart, 3))
    stats = wrk_result(wrk)
    code, drain = tracker.stop()
    result.setdefault("exit_code", code)
    result["final_exit_code"] = code
    ids, other = click_ids(out_dir)
    result.update(req_per_s=round(stats["requests"] / (stats["duration_us"] / 1e6)),
                  p50_ms=stats["p50_ms"], p90_ms=stats["p90_ms"], p99_ms=stats["p99_ms"], max_ms=stats["max_ms"],
                  socket_errors=stats["connect_errors"] + stats["read_errors"] + stats["write_errors"]
                  + stats["timeouts"], non_302=other, **check_store(store, ids))
    return result


def store_scenario(args, workdir: Path) -> dict:
    from showcase.clicks import Click, ClickStore, new_click_id

    path = workdir / "big-clicks.sqlite"
    for f in workdir.glob("big-clicks.sqlite*"):
        f.unlink()
    rnd = random.Random(7)
    start_ms = int(time.time() * 1000) - 60 * 86400 * 1000
    step = 60 * 86400 * 1000 // args.clicks
    classes = ["human"] * 85 + ["bot"] * 10 + ["prefetch"] * 3 + ["head"] * 2
    pages = ["product", "category", "home", "search", ""]
    t = time.perf_counter()
    ids = []
    with ClickStore(path) as store:
        batch = []
        for i in range(args.clicks):
            ms = start_ms + i * step
            cid = new_click_id(ms)
            if rnd.random() < args.actions / args.clicks:
                ids.append(cid)
            at = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms / 1000)) + f".{ms % 1000:03d}+00:00"
            product = rnd.randrange(1, 20001)
            batch.append(Click(cid, at, f"f{product % 20}.{product}", f"f{product % 20}", str(product), product,
                               product, f"program{product % 20}", rnd.choice(pages), "blog.example",
                               rnd.choice(classes), f"{rnd.getrandbits(96):024x}"))
            if len(batch) == 10_000:
                store.record_many(batch)
                batch = []
        if batch:
            store.record_many(batch)
        fill = time.perf_counter() - t
        t = time.perf_counter()
        stats = store.stats(top=20)
        stats_s = time.perf_counter() - t
        t = time.perf_counter()
        day = stats["by_day"][len(stats["by_day"]) // 2]["day"]
        store.stats(since=day, until=day)
        stats_day_s = time.perf_counter() - t
    ids = ids[:int(args.actions * 0.9)]
    actions = ids + [f"nomatch{i}" for i in range(args.actions - len(ids))]
    rnd.shuffle(actions)
    db = sqlite3.connect(path)
    db.execute("CREATE TEMP TABLE actions (action_id INTEGER PRIMARY KEY, subid TEXT NOT NULL, amount INTEGER)")
    db.executemany("INSERT INTO actions (subid, amount) VALUES (?, ?)",
                   ((a, rnd.randrange(100, 10000)) for a in actions))
    t = time.perf_counter()
    rows = db.execute("SELECT a.action_id, a.subid, a.amount, c.at, c.program, c.product_id, c.page, c.ua_class "
                      "FROM actions a LEFT JOIN clicks c ON c.id = a.subid").fetchall()
    join_s = time.perf_counter() - t
    matched = sum(1 for r in rows if r[3] is not None)
    db.close()
    size = sum(f.stat().st_size for f in workdir.glob("big-clicks.sqlite*"))
    return {"scenario": "store", "clicks": args.clicks, "fill_s": round(fill, 1), "size_mb": round(size / 1e6),
            "stats_s": round(stats_s, 2), "stats_one_day_s": round(stats_day_s, 3), "actions": len(actions),
            "matched": matched, "join_s": round(join_s, 2)}


def logs_scenario(args, workdir: Path) -> dict:
    """A gzip access log of --log-lines lines, a third of them /go/ hits: import it, then again."""
    import gzip

    from showcase.clicks import ClickStore, IpHasher

    rnd = random.Random(11)
    log = workdir / "access.log.gz"
    agents = [UA] * 8 + ["Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0"]
    with gzip.open(log, "wt") as f:
        for i in range(args.log_lines):
            t = time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(1767225600 + i // 50))
            path = f"/go/a.{rnd.randrange(5000)}/" if i % 3 == 0 else f"/p/product-{rnd.randrange(5000)}/"
            f.write(f'198.51.100.{rnd.randrange(256)} - - [{t}] "GET {path} HTTP/1.1" 200 512 '
                    f'"https://shop.example/p/x/" "{rnd.choice(agents)}"\n')
    store_path = workdir / "log-clicks.sqlite"
    hasher = IpHasher(b"bench-salt-0123456789")
    with ClickStore(store_path) as store:
        t = time.perf_counter()
        first = store.import_log([log], "combined", hash_ip=hasher)
        first_s = time.perf_counter() - t
        t = time.perf_counter()
        again = store.import_log([log], "combined", hash_ip=hasher)
        again_s = time.perf_counter() - t
    return {"scenario": "logs", "lines": args.log_lines, "go_hits": first["files"][0]["go_hits"],
            "new": first["new"], "import_s": round(first_s, 1), "lines_per_s": round(args.log_lines / first_s),
            "reimport_new": again["new"], "reimport_s": round(again_s, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="saturate,paced,sigterm,sigkill,store,logs")
    parser.add_argument("--offers", type=int, default=2000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--clicks", type=int, default=1_000_000)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--log-lines", type=int, default=300_000)
    parser.add_argument("--fsync", action="store_true", help="Run the tracker with --fsync (synchronous=FULL).")
    parser.add_argument("--store", help="Put the click store here (e.g. /dev/shm/clicks.sqlite) instead of the "
                        "temporary site's .showcase/.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    wanted = args.only.split(",")
    if set(wanted) - {"saturate", "paced", "sigterm", "sigkill", "store", "logs"}:
        parser.error(f"--only: unknown scenario in {args.only}")
    offline = {"store", "logs"}
    if set(wanted) - offline and not shutil.which("wrk"):
        sys.exit("wrk not found: apt-get install -y wrk")
    workdir = Path(tempfile.mkdtemp(prefix="bench-tracker-"))
    results = []
    try:
        site = workdir / "site"
        keys = make_site(site, args.offers, args.store) if set(wanted) - offline else []
        for name in wanted:
            if name in offline:
                r = store_scenario(args, workdir) if name == "store" else logs_scenario(args, workdir)
            else:
                r = scenario(name, args, workdir, keys, site)
            results.append(r)
            if not args.json:
                print(" ".join(f"{k}={v}" for k, v in r.items()), flush=True)
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "results": results}, indent=2))
    if any(r.get("lost") for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
