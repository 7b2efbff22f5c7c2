"""Deploy benchmark: `showcase deploy` of a large build to each target type, three times.

    .venv/bin/python bench/deploy.py                                  # the 10k build of bench/build.py
    .venv/bin/python bench/deploy.py --build bench/out/site-100000/build --targets dir,rsync,git

The build is hard-linked (``cp -al``) into bench/out/deploy-<name>/ (git-ignored), a site with one
target of each type: ``dir`` (a local folder with releases), ``rsync`` (a local folder), ``git`` (a
local bare repository) and ``s3`` (moto's S3 server on 127.0.0.1, in its own process, so its memory
is not ours). Runs per target: ``first`` (an empty target), ``again`` (nothing changed), ``1%`` (1% of
the pages rewritten with other bytes, the way a rebuild replaces them). Each run is the real command
in its own process, ``showcase --site DIR deploy --target T --json``: wall time, CPU s (user + sys of
it and of the children it waited for, e.g. rsync and git) and peak RSS (``ru_maxrss`` of the largest
process) from ``os.wait4``. Prints a Markdown table and the command.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"
TARGETS = ("dir", "rsync", "git", "s3")


def site_yml(work: Path, targets: list[str], s3_port: int | None) -> str:
    lines = ['site: {title: Bench, base_url: "https://bench.example/", language: en, currency: RUB}', "deploy:"]
    config = {
        "dir": f"  dir: {{type: dir, path: {work / 'www' / 'shop'}}}",
        "rsync": f"  rsync: {{type: rsync, dest: {work / 'mirror'}}}",
        "git": f"  git: {{type: git, remote: {work / 'pages.git'}}}",
        "s3": f"  s3: {{type: s3, bucket: bench, endpoint_url: 'http://127.0.0.1:{s3_port}', region: us-east-1, "
              f"parallel: 16}}",
    }
    return "\n".join(lines + [config[t] for t in targets]) + "\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_s3() -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import boto3

    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id="bench", aws_secret_access_key="bench")
    for _ in range(100):
        try:
            client.create_bucket(Bucket="bench")
            return proc, port
        except Exception:  # not listening yet
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def run(site: Path, target: str) -> dict:
    """One deploy in a child process: its JSON result, wall time, CPU s and peak RSS from os.wait4."""
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
           "AWS_EC2_METADATA_DISABLED": "true"}
    cmd = [sys.executable, "-m", "showcase", "--site", str(site), "deploy", "--target", target, "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if status:
            err.seek(0)
            raise SystemExit(f"{shlex.join(cmd)} failed:\n{err.read().decode()}")
        out.seek(0)
        result = json.load(out)["targets"][0]
    return {**result, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}


def change_pages(build: Path, percent: float) -> int:
    pages = sorted(build.rglob("index.html"))
    step = max(1, round(100 / percent))
    for page in pages[::step]:
        tmp = page.with_name(".bench.tmp")
        tmp.write_bytes(page.read_bytes() + b"<!-- new prices -->")
        os.replace(tmp, page)
    return len(pages[::step])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", type=Path, default=OUT / "site-10000" / "build",
                        help="a built site's build/ folder (default: the 10k build of bench/build.py)")
    parser.add_argument("--targets", default=",".join(TARGETS), help="comma-separated: dir,rsync,git,s3")
    parser.add_argument("--change-percent", type=float, default=1.0, help="pages rewritten before the third run")
    args = parser.parse_args()
    targets = [t for t in args.targets.split(",") if t]
    if not (args.build / "index.html").is_file():
        raise SystemExit(f"{args.build}: no built site; run `.venv/bin/python bench/build.py 10000 --skip-hugo` first")

    work = OUT / f"deploy-{args.build.parent.name}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    subprocess.run(["cp", "-al", str(args.build), str(work / "build")], check=True)
    files = sum(1 for p in (work / "build").rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in (work / "build").rglob("*") if p.is_file())
    if "git" in targets:
        subprocess.run(["git", "init", "--quiet", "--bare", str(work / "pages.git")], check=True)
    s3 = port = None
    if "s3" in targets:
        s3, port = start_s3()
    rows = []
    try:
        (work / "site.yml").write_text(site_yml(work, targets, port), encoding="utf-8")
        for scenario in ("first", "again", f"{args.change_percent:g}%"):
            if scenario.endswith("%"):
                changed = change_pages(work / "build", args.change_percent)
                print(f"rewrote {changed} pages", file=sys.stderr)
            for target in targets:
                r = run(work, target)
                print(f"{target} {scenario}: {r['wall']:.1f}s", file=sys.stderr)
                rows.append((target, scenario, r))
    finally:
        if s3:
            s3.kill()
            s3.wait()

    print(f"\n```sh\n.venv/bin/python bench/deploy.py {shlex.join(sys.argv[1:])}\n```\n")
    print(f"{files:,} files, {size / 2**20:,.0f} MB ({args.build})\n")
    print("| target | run | new | changed | deleted | sent MB | wall s | CPU s | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for target, scenario, r in rows:
        print(f"| {target} | {scenario} | {r['new']:,} | {r['changed']:,} | {r['deleted']:,} | "
              f"{r['upload_bytes'] / 2**20:,.1f} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
