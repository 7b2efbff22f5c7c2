"""Ingest benchmark: a synthetic YML of N offers, imported end to end, against a bare lxml pass.

    .venv/bin/python bench/ingest.py 100000 1000000          # print the figures
    .venv/bin/python bench/ingest.py 100000 --repeat 3       # best of 3 runs each

Each measurement runs in its own process, so peak RSS (ru_maxrss of that child) is the
stage's own. The baseline is the least any streaming reader must do: ``lxml.etree.iterparse``
over the file with ``tag="offer"``, clearing each element. The import is the real command,
``showcase --site DIR import --force``, on a temporary site whose one feed is the file: parse,
normalize, merge and write the SQLite catalog, in one transaction.
Generated files go to bench/out/ (git-ignored) and are reused when present.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

BRANDS = ["Samsung", "Xiaomi", "Apple", "Bosch", "Tefal", "Philips", "Redmond", "Polaris", "Lenovo", "Huawei",
          "Sony", "LG", "Braun", "Dyson", "Makita", "Gorenje", "Бирюса", "Витязь", "Аквафор", "Scarlett"]
KINDS = [("Смартфон", "Смартфоны"), ("Ноутбук", "Ноутбуки"), ("Наушники", "Наушники"), ("Чайник", "Кухня"),
         ("Пылесос", "Уборка"), ("Дрель", "Инструменты"), ("Телевизор", "Телевизоры"), ("Утюг", "Уход за одеждой")]


def ean13(n: int) -> str:
    body = f"460{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def generate(path: Path, n: int, seed: int = 42) -> None:
    """A realistic shop export: ~1 KB per offer with description, pictures and params."""
    rnd = random.Random(seed)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8") as f:
        w = f.write
        w('<?xml version="1.0" encoding="UTF-8"?>\n<yml_catalog date="2026-11-23 10:00">\n<shop>\n'
          "<name>Bench</name><company>ООО «Бенч»</company><url>https://bench.example/</url>\n"
          '<currencies><currency id="RUR" rate="1"/><currency id="USD" rate="92.5"/></currencies>\n<categories>\n')
        for i, (_, cat) in enumerate(KINDS, 1):
            w(f'<category id="{i}">{cat}</category>\n')
            for j in range(1, 26):
                w(f'<category id="{i * 100 + j}" parentId="{i}">{cat} серия {j}</category>\n')
        w("</categories>\n<offers>\n")
        for i in range(n):
            kind, _ = KINDS[i % len(KINDS)]
            brand = BRANDS[rnd.randrange(len(BRANDS))]
            price = rnd.randrange(500, 150000)
            old = f"<oldprice>{price * rnd.randrange(110, 160) // 100}</oldprice>" if i % 4 == 0 else ""
            available = "false" if i % 10 == 0 else "true"
            category = (i % len(KINDS) + 1) * 100 + rnd.randrange(1, 26)
            model = f"{brand[:2].upper()}-{i:07d}"
            w(f'<offer id="{i}" available="{available}">'
              f"<url>https://bench.example/p/{i}?utm_source=feed&amp;ref=yml</url><price>{price}</price>{old}"
              f"<currencyId>RUR</currencyId><categoryId>{category}</categoryId>"
              f"<picture>https://bench.example/img/{i}/1.jpg</picture><picture>https://bench.example/img/{i}/2.jpg"
              f"</picture><name>{kind} {brand} {model}</name><vendor>{brand}</vendor><vendorCode>{model}</vendorCode>"
              f"<barcode>{ean13(i)}</barcode>"
              f"<description><![CDATA[<p>{kind} {brand} {model}: надёжная модель с гарантией 2 года.</p>"
              f"<ul><li>Цвет: чёрный</li><li>Вес: {rnd.randrange(100, 5000)} г</li></ul>]]></description>"
              f'<param name="Цвет">чёрный</param><param name="Вес" unit="г">{rnd.randrange(100, 5000)}</param>'
              f'<param name="Гарантия" unit="мес">24</param></offer>\n')
        w("</offers>\n</shop>\n</yml_catalog>\n")
    tmp.replace(path)


BASELINE = """
import sys
from lxml import etree
count = 0
for _, el in etree.iterparse(sys.argv[1], tag="offer", resolve_entities=False, no_network=True):
    count += 1
    el.clear(keep_tail=False)
    while el.getprevious() is not None:
        del el.getparent()[0]
print(count)
"""

SITE = """\
site: {{title: Bench, base_url: "https://bench.example/", language: ru, currency: RUB}}
networks: {{adm: {{type: admitad}}}}
programs: {{bench: {{name: Bench, network: adm, id: bench1}}}}
feeds: {{bench: {{source: "{path}", program: bench}}}}
"""


def run_child(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB of that child alone (os.wait4 gives its own rusage), stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        if proc.returncode:
            sys.exit(f"failed: {' '.join(args)}\n{stdout}\n{err.read()}")
    return elapsed, usage.ru_maxrss // 1024, stdout


def measure(n: int, repeat: int) -> dict:
    OUT.mkdir(exist_ok=True)
    feed = OUT / f"synthetic-{n}.xml"
    if not feed.exists():
        t = time.perf_counter()
        generate(feed, n)
        print(f"generated {feed.name}: {feed.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t:.1f}s",
              file=sys.stderr)
    base_times, import_times, base_rss, import_rss = [], [], 0, 0
    for _ in range(repeat):
        elapsed, rss, out = run_child([sys.executable, "-c", BASELINE, str(feed)])
        assert int(out) == n, out
        base_times.append(elapsed)
        base_rss = max(base_rss, rss)
        with tempfile.TemporaryDirectory(dir=OUT) as site:
            Path(site, "site.yml").write_text(SITE.format(path=feed), encoding="utf-8")
            elapsed, rss, out = run_child([sys.executable, "-m", "showcase", "--site", site, "import", "--force"])
            assert f"bench: ok: {n} offers" in out, out
            import_times.append(elapsed)
            import_rss = max(import_rss, rss)
    base, imp = min(base_times), min(import_times)
    return {"n": n, "mb": feed.stat().st_size / 1e6, "base_s": base, "base_rate": n / base, "base_rss": base_rss,
            "import_s": imp, "import_rate": n / imp, "import_rss": import_rss, "ratio": base / imp}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="+", type=int, help="offer counts, e.g. 100000 1000000")
    parser.add_argument("--repeat", type=int, default=1, help="runs per size; the best is reported")
    args = parser.parse_args()
    print("| offers | file MB | bare iterparse offers/s | peak RSS MB | showcase import offers/s | peak RSS MB "
          "| import time s | import / bare |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        r = measure(n, args.repeat)
        print(f"| {r['n']:,} | {r['mb']:.0f} | {r['base_rate']:,.0f} | {r['base_rss']} | {r['import_rate']:,.0f} "
              f"| {r['import_rss']} | {r['import_s']:.1f} | {r['ratio']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
