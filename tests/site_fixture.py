"""The demo storefront built once and served over HTTP, for the site quality tests and bench/lighthouse.py.

    site = build_demo(Path("/tmp/x/demo"))      # copies site.yml + feeds/demo there, runs `showcase build`
    with serve(site) as served:                 # a thread with http.server on 127.0.0.1, 404.html for 404s
        served.url("/electronics/smartphones/") # -> "http://127.0.0.1:<port>/electronics/smartphones/"
        served.file("/p/some-slug/")            # -> build/p/some-slug/index.html

`tests/conftest.py` turns this into the session fixture ``built_demo`` (built and served once per run).

External tools (chromium, Lighthouse and the Nu HTML checker from npm, Playwright) are looked up here;
``require(ok, why)`` skips a test that needs a missing one, except in CI (``CI`` set), where it fails:
a broken install must not pass as green.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from showcase.render.preview import make_server

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "node_modules"
LIGHTHOUSE = NODE_MODULES / ".bin" / "lighthouse"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Debian's chromium (apt); CHROME_PATH points elsewhere on other machines (Lighthouse reads it too).
CHROMIUM = Path(os.environ.get("CHROME_PATH") or "/usr/bin/chromium")
# Flags from /work/shared/TOOLING.md. Lighthouse runs add --headless and --no-sandbox (root in CI);
# Playwright adds both itself. /dev/shm is small in containers, and the Debian wrapper's check for it is broken.
CHROME_FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(ok: object, why: str) -> None:
    """Skip the calling test when ``ok`` is false (a tool is missing), saying ``why``; in CI, fail instead."""
    if ok:
        return
    import pytest

    if in_ci():
        pytest.fail(f"CI=true but {why}: the CI install (.ci/run) is broken", pytrace=False)
    pytest.skip(why)


def chromium_missing() -> str:
    """Why chromium cannot be used, or "" when it can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"chromium not found at {CHROMIUM} (apt install chromium, or set CHROME_PATH)"
    return ""


def lighthouse_missing() -> str:
    if not LIGHTHOUSE.exists():
        return f"Lighthouse not installed ({LIGHTHOUSE} missing: run `npm ci` in {REPO})"
    if not shutil.which("node"):
        return "node not found (apt install nodejs npm)"
    return chromium_missing()


def vnu_missing() -> str:
    if not VNU_JAR.is_file():
        return f"the Nu HTML checker is not installed ({VNU_JAR} missing: run `npm ci` in {REPO})"
    if not shutil.which("java"):
        return "java not found (apt install default-jre-headless)"
    return ""


# --- build ---------------------------------------------------------------------------------------


def copy_demo(dest: Path) -> Path:
    """A copy of the repository's demo site (site.yml + feeds/demo) at ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "site.yml", dest / "site.yml")
    shutil.copytree(REPO / "feeds" / "demo", dest / "feeds" / "demo", dirs_exist_ok=True)
    return dest


def build_site(root: Path) -> Path:
    """`showcase --site ROOT build` in a child process; its build/ folder. Raises with the output on failure."""
    proc = subprocess.run([sys.executable, "-m", "showcase", "--site", str(root), "build"], cwd=root,
                          capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"showcase build failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    build = root / "build"
    if not (build / "index.html").is_file():
        raise RuntimeError(f"showcase build wrote no {build / 'index.html'}:\n{proc.stdout}\n{proc.stderr}")
    return build


def build_demo(dest: Path) -> Path:
    """Copies the demo site to ``dest`` and builds it; returns ``dest`` (the site folder)."""
    copy_demo(dest)
    build_site(dest)
    return dest


# --- serve ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServedSite:
    root: Path       # the site folder (site.yml, .showcase/catalog.sqlite, build/)
    build: Path      # root / "build"
    origin: str      # "http://127.0.0.1:<port>"
    base_url: str    # site.base_url from site.yml, ending with "/"

    @property
    def catalog(self) -> Path:
        return self.root / ".showcase" / "catalog.sqlite"

    def url(self, path: str) -> str:
        return self.origin + path

    def file(self, path: str) -> Path | None:
        """The build file a site-absolute URL path is served from (/x/ -> x/index.html), or None."""
        return resolve(self.build, path)


def resolve(build: Path, path: str) -> Path | None:
    """The file under ``build`` that serves URL path ``path`` (query and fragment ignored), or None."""
    path = unquote(urlsplit(path).path)
    if not path.startswith("/"):
        return None
    target = (build / path.lstrip("/")).resolve()
    if not target.is_relative_to(build.resolve()):
        return None
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


@contextlib.contextmanager
def serve(root: Path, base_url: str | None = None) -> Iterator[ServedSite]:
    """Serves ``root/build`` on 127.0.0.1 (a free port) in a thread for the duration of the block."""
    build = root / "build"
    if base_url is None:
        from showcase.config import load_site

        base_url = str(load_site(root).config.site.base_url)
    server = make_server(build, "127.0.0.1", 0)  # the same server as `showcase serve`
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield ServedSite(root=root, build=build, origin=f"http://{host}:{port}", base_url=base_url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- the catalog behind a build --------------------------------------------------------------------


@dataclass(frozen=True)
class Product:
    id: int
    slug: str
    title: str

    @property
    def path(self) -> str:
        return f"/p/{self.slug}/"


def sample_products(site: ServedSite) -> dict[str, Product]:
    """One product of each kind the product template treats differently, read from the catalog:
    ``multi_shop_ad`` (the most offers, one of them from a program with an ad-marking erid),
    ``single_shop``, ``out_of_stock``, ``discount``, ``foreign_currency``, ``unmapped_category``, ``gone``.
    Kinds the catalog has no product for are left out."""
    import sqlite3

    from showcase.config import load_site

    programs = load_site(site.root).config.programs
    erid = sorted(name for name, p in programs.items() if p.erid) or [""]
    marks = ",".join("?" * len(erid))
    queries = {
        "multi_shop_ad": (f"""SELECT p.id FROM products p JOIN offers o ON o.product_id = p.id AND o.gone_at IS NULL
            GROUP BY p.id HAVING COUNT(DISTINCT o.program) > 1 AND SUM(o.program IN ({marks})) > 0
            ORDER BY COUNT(*) DESC, p.id LIMIT 1""", erid),
        "single_shop": (f"""SELECT p.id FROM products p JOIN offers o ON o.product_id = p.id AND o.gone_at IS NULL
            GROUP BY p.id HAVING COUNT(*) = 1 AND SUM(o.program IN ({marks})) = 0 AND MAX(o.available) = 1
            ORDER BY p.id LIMIT 1""", erid),
        "out_of_stock": ("""SELECT p.id FROM products p JOIN offers o ON o.product_id = p.id AND o.gone_at IS NULL
            GROUP BY p.id HAVING MAX(o.available) = 0 ORDER BY p.id LIMIT 1""", []),
        "discount": ("""SELECT product_id FROM offers WHERE gone_at IS NULL AND available = 1
            AND old_price_cents > price_cents ORDER BY product_id LIMIT 1""", []),
        "foreign_currency": ("""SELECT product_id FROM offers WHERE gone_at IS NULL
            AND source_price NOT LIKE '%RUB' AND source_price GLOB '*[A-Z][A-Z][A-Z]' ORDER BY product_id LIMIT 1""",
                             []),
        "unmapped_category": ("""SELECT p.id FROM products p JOIN categories c ON c.path = p.category
            WHERE c.source = 'feed' AND EXISTS (SELECT 1 FROM offers o WHERE o.product_id = p.id AND o.gone_at IS NULL)
            ORDER BY p.id LIMIT 1""", []),
        "gone": ("""SELECT p.id FROM products p WHERE NOT EXISTS
            (SELECT 1 FROM offers o WHERE o.product_id = p.id AND o.gone_at IS NULL) ORDER BY p.id LIMIT 1""", []),
    }
    out: dict[str, Product] = {}
    db = sqlite3.connect(f"file:{site.catalog}?mode=ro", uri=True)
    try:
        for kind, (sql, args) in queries.items():
            row = db.execute(sql, args).fetchone()
            if row:
                out[kind] = Product(*db.execute("SELECT id, slug, title FROM products WHERE id = ?", row).fetchone())
    finally:
        db.close()
    return out
