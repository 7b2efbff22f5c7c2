"""``showcase build``: catalog -> static storefront, in fixed stages.

1. catalog: import the local feeds first when the catalog is missing or older than them;
2. images: prepare pictures (hotlinked, or downloaded and resized once);
3. gather: the whole site model (``model.Site``);
4. render: every page, in a pool of processes; each worker compiles the templates once, reads
   product bodies from its own SQLite connection, skips pages whose context is unchanged, and
   returns manifest entries and counts, not pages; changed pages go to the staging folder;
5. extras: assets, pictures, category data for the filters, sitemaps, robots.txt, the Atom feed;
6. search: the Pagefind index, rebuilt from one small document per product
   (``.showcase/search/``) only when one of them changed;
7. commit: the staging folder reaches build/ (see ``output``).
Every stage's time is reported.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from html import escape
from pathlib import Path

import jinja2

from showcase import __version__
from showcase.config import Site as SiteFolder
from showcase.errors import ShowcaseError
from showcase.render import seo
from showcase.render.context import ProductPage
from showcase.render.images import PLACEHOLDER, Images
from showcase.render.model import Site, check_collisions
from showcase.render.output import Manifest, Writer, commit, digest, finish_commit
from showcase.render.theme import fingerprinted, make_env, static_files, templates_digest

PRODUCTS_PER_TASK = 200


@dataclass
class BuildResult:
    pages: int = 0
    written: int = 0  # files whose bytes changed
    kept: int = 0  # rendered, same bytes as before: linked
    skipped: int = 0  # context unchanged: not rendered at all
    removed: int = 0  # files of the previous build no longer produced
    stages: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


class _Stages:
    def __init__(self, result: BuildResult, report: Callable[[str], None] | None):
        self.result, self.report, self.name, self.start = result, report, "", 0.0

    def __call__(self, name: str) -> _Stages:
        self.name = name
        return self

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, exc_type, *rest):
        elapsed = round(time.perf_counter() - self.start, 3)
        self.result.stages[self.name] = elapsed
        if self.report and exc_type is None:
            self.report(f"{self.name:<8} {elapsed:7.2f}s")


def build(folder: SiteFolder, *, clean: bool = False, jobs: int | None = None, search: bool = True,
          report: Callable[[str], None] | None = None, progress: Callable[[int, int], None] | None = None,
          now=None) -> BuildResult:
    config = folder.config
    result = BuildResult()
    stage = _Stages(result, report)
    live = folder.build_dir
    staging = folder.root / ".build.next"
    journal = folder.state_dir / "build-commit.json"
    search_root = folder.state_dir / "search"
    manifest_path = folder.state_dir / "build-manifest.json"
    folder.state_dir.mkdir(parents=True, exist_ok=True)
    finish_commit(journal)  # a commit that a previous run could not finish
    if staging.exists():
        shutil.rmtree(staging)
    old = Manifest.load(manifest_path)
    full = clean or not live.exists() or not old.files
    if clean and search_root.exists():
        shutil.rmtree(search_root)
    with stage("catalog"):
        _ensure_catalog(folder, report)
    db = _connect(folder.catalog_path)
    try:
        with stage("images"):
            images = Images(config.images, folder.root, folder.state_dir / "images")
            sources = [src for (pictures,) in db.execute("SELECT DISTINCT pictures FROM offers WHERE gone_at IS NULL")
                       for src in json.loads(pictures)]
            image_report = images.prepare(sources, progress=progress is not None)
            result.warnings += [f"image {src}: {why} (placeholder shown)" for src, why in image_report.failed]
            result.warnings += [f"image {src}: {why} (kept the last good copy)" for src, why in image_report.stale]
        with stage("gather"):
            site = Site(config, db, images.picture, now=now).gather()
            inputs = _inputs_digest(folder)
            site.assets = _asset_names(folder)
            site.search_shards = search_shards(len(site.products))
            search_docs = _search_docs(search_root, site.search_shards)
            tasks = _plan(site)
        staging.mkdir(parents=True)
        writer = Writer(live, staging, old, inputs_unchanged=old.inputs == inputs, full=full)
        with stage("render"):
            entries, counts = _render_all(site, folder, tasks, writer, search_docs, jobs, progress)
        with stage("extras"):
            _write_extras(site, folder, writer, images)
        if search:
            with stage("search"):
                _index_search(search_docs, site.search_shards, writer, old, counts["search_changed"], full)
        entries.update(writer.entries)
        with stage("commit"):
            manifest = Manifest(manifest_path)
            manifest.inputs, manifest.files = inputs, entries
            result.removed = commit(staging, live, journal, manifest, old, full)
            result.pages = counts["pages"]
            result.written, result.kept = counts["written"] + writer.written, counts["kept"] + writer.kept
            result.skipped = counts["skipped"]
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # the live build stays as it was
        raise
    finally:
        db.close()
    return result


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.execute("PRAGMA query_only=1")
    return db


def _ensure_catalog(folder: SiteFolder, report) -> None:
    """Import local feeds when the catalog is missing or older than any of them."""
    catalog = folder.catalog_path
    local = [n for n, f in folder.config.feeds.items() if not f.is_remote]
    stale = not catalog.exists() or any(
        folder.feed_path(n).is_file() and folder.feed_path(n).stat().st_mtime > catalog.stat().st_mtime for n in local)
    if not stale:
        return
    from showcase.catalog import Catalog
    from showcase.ingest import import_feed

    with Catalog(catalog) as cat:
        cat.sync_site_categories(folder.config.category_paths())
        for name in folder.config.feeds:
            try:
                r = import_feed(folder, cat, name)
                if report:
                    report(f"  {r.summary_line()}")
            except ShowcaseError as e:  # the last good catalog of that feed stays; the build goes on
                if report:
                    report(f"  {name}: not imported: {e}")
        os.utime(catalog)  # checked: the catalog is as fresh as the feeds allow
    if not catalog.exists():
        raise ShowcaseError(f"{catalog}: no catalog could be built; check the feeds")


def _inputs_digest(folder: SiteFolder) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    h.update(folder.config_path.read_bytes())
    h.update(templates_digest(folder.root, folder.config.theme).encode())
    return h.hexdigest()


def _asset_names(folder: SiteFolder) -> dict[str, str]:
    return {name: "/assets/" + fingerprinted(name, path.read_bytes())
            for name, path in static_files(folder.root, folder.config.theme).items()}


# --- planning and rendering ------------------------------------------------------------------------------


def _plan(site: Site) -> list[tuple]:
    """Every page as (kind, argument) tasks, and a check that no two pages want one URL."""
    tasks: list[tuple] = [("simple", k) for k in ("home", "search", "disclosure", "404", "brands", "shops")]
    tasks += [("category", path) for path, cat in site.categories.items() if cat.products]
    tasks += [("listing", "brand", slug) for slug in site.brands]
    tasks += [("listing", "shop", key) for key in site.shops]
    ids = list(site.products)
    tasks += [("products", ids[i:i + PRODUCTS_PER_TASK]) for i in range(0, len(ids), PRODUCTS_PER_TASK)]
    if site.config.links.mode == "redirect":
        keys = [k for (k,) in site.db.execute("SELECT key FROM offers WHERE gone_at IS NULL ORDER BY id")]
        tasks += [("go", keys[i:i + 500]) for i in range(0, len(keys), 500)]
    check_collisions([("/", "the home page"), ("/search/", "search"), ("/disclosure/", "disclosure"),
                      ("/brands/", "brands"), ("/shops/", "shops")]
                     + [(cat.url, f"category {path}") for path, cat in site.categories.items() if cat.products]
                     + [(f"/brand/{s}/", f"brand {s}") for s in site.brands]
                     + [(f"/shop/{k}/", f"shop {k}") for k in site.shops])
    return tasks


_WORKER: dict = {}  # per process: the site model (inherited by fork), its templates and writer


def _render_all(site: Site, folder: SiteFolder, tasks: list[tuple], writer: Writer, search_docs: Path,
                jobs: int | None, progress) -> tuple[dict, dict]:
    jobs = jobs or os.cpu_count() or 1
    totals = {"pages": 0, "written": 0, "kept": 0, "skipped": 0, "search_changed": set()}
    entries: dict[str, list[str]] = {}
    _WORKER.update(site=site, folder=folder, writer=writer, search_docs=search_docs, env=None)
    pool = None
    try:
        if jobs == 1 or len(tasks) < 8 or "fork" not in multiprocessing.get_all_start_methods():
            results = map(_render_task, tasks)
        else:
            # fork: workers inherit the gathered model instead of rebuilding or unpickling it
            pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_init)
            results = pool.imap_unordered(_render_task, tasks, chunksize=1)
        for done, (task_entries, counts) in enumerate(results, 1):
            entries.update(task_entries)
            for k in totals:
                totals[k] |= counts[k] if k == "search_changed" else 0
                if k != "search_changed":
                    totals[k] += counts[k]
            if progress:
                progress(done, len(tasks))
        if pool:
            pool.close()
            pool.join()
    except BaseException:
        if pool:
            pool.terminate()  # a failed page (a template error): stop the other workers, leak no processes
            pool.join()
        raise
    finally:
        _WORKER.clear()
    return entries, totals


def _worker_init() -> None:
    site: Site = _WORKER["site"]
    site.db = _connect(_WORKER["folder"].catalog_path)  # never share a connection across fork


def _render_task(task: tuple) -> tuple[dict, dict]:
    site: Site = _WORKER["site"]
    if _WORKER["env"] is None:
        folder = _WORKER["folder"]
        env = make_env(folder.root, folder.config.theme)
        strings = site.strings
        env.globals.update(_=lambda key, **kw: strings[key].format(**kw) if kw else strings[key],
                           asset=lambda name: site.assets.get(name, f"/assets/{name}"))
        _WORKER["env"] = env
    parent: Writer = _WORKER["writer"]
    writer = Writer(parent.live, parent.staging, parent.old, parent.inputs_unchanged, parent.full)
    pages, search_changed = 0, set()
    for url, ctx in _pages(site, task):
        pages += 1
        rel = _file_of(url)
        context_hash = _context_hash(ctx)
        if writer.reuse(rel, context_hash):
            continue
        if isinstance(ctx, ProductPage):
            shard = shard_of(rel, site.search_shards)
            if _update_search_doc(_WORKER["search_docs"] / str(shard) / rel, ctx):
                search_changed.add(shard)
        name = _template_of(ctx)
        try:
            html = _WORKER["env"].get_template(name).render(page=ctx, site=ctx.site)
        except jinja2.TemplateSyntaxError as e:
            raise ShowcaseError(f"template {e.filename or e.name}:{e.lineno}: {e.message}") from None
        except jinja2.TemplateError as e:  # an undefined variable, a failing filter...
            raise ShowcaseError(f"template {name} failed on {url}: {e}") from None
        writer.write(rel, html.encode(), context_hash)
    return writer.entries, {"pages": pages, "written": writer.written, "kept": writer.kept,
                            "skipped": writer.skipped, "search_changed": search_changed}


def _pages(site: Site, task: tuple):
    kind = task[0]
    if kind == "simple":
        if task[1] == "home":
            yield "/", site.home_page()
        elif task[1] in ("brands", "shops"):
            yield site.index_page(task[1])
        else:
            yield site.simple_page(task[1])
    elif kind == "category":
        yield from site.category_pages(task[1])
    elif kind == "listing":
        yield from site.listing_pages(task[1], task[2])
    elif kind == "products":
        yield from site.product_pages(task[1])
    elif kind == "go":
        for key in task[1]:
            page = site.go_page(key)
            if page:
                yield page


def _template_of(ctx) -> str:
    from showcase.render.context import PAGE_TYPES

    return next(name for name, cls in PAGE_TYPES.items() if isinstance(ctx, cls))


def _file_of(url: str) -> str:
    return url.lstrip("/") if url.endswith(".html") else url.strip("/") + "/index.html" if url != "/" else "index.html"


def _context_hash(ctx) -> str:
    """Everything but ``site`` (covered by the manifest's global inputs hash): same hash, same page."""
    values = tuple(getattr(ctx, f.name) for f in fields(ctx) if f.name != "site")
    return digest(repr(values).encode())


# --- extras ------------------------------------------------------------------------------------------------


def _write_extras(site: Site, folder: SiteFolder, writer: Writer, images: Images) -> None:
    for name, path in static_files(folder.root, folder.config.theme).items():
        writer.write(site.assets[name].lstrip("/"), path.read_bytes())
    for rel, source in images.files():
        # resized pictures are named by their content hash; only the placeholder needs its bytes read
        writer.place(rel, source, None if rel.endswith(PLACEHOLDER) else rel)
    for path, cat in site.categories.items():
        if cat.products:
            writer.write(f"data/{path}/cards.json",
                         json.dumps(site.category_data(path), ensure_ascii=False, separators=(",", ":")).encode())
    urls = seo.indexable_urls(site)
    for rel, data in seo.sitemaps(site.config.site.base_url, urls):
        writer.write(rel, data)
    writer.write("robots.txt", seo.robots(site))
    writer.write("feed.xml", seo.atom(site))


# --- search ------------------------------------------------------------------------------------------------


def _update_search_doc(path: Path, page: ProductPage) -> int:
    """Keep ``.showcase/search/p/<slug>/index.html``, the small document Pagefind indexes for one product
    (title, brand, breadcrumbs, codes, price, picture), in step with its page; 1 when it changed."""
    if page.gone:
        if path.exists():
            path.unlink()
            return 1
        return 0
    picture = page.gallery[0].src if page.gallery else ""
    words = " ".join(crumb.name for crumb in page.breadcrumbs[1:-1])
    doc = (f'<!doctype html><html lang="{page.meta.lang}"><head><meta charset="utf-8"><title>{escape(page.title)}'
           f'</title></head><body><main data-pagefind-body><h1 data-pagefind-meta="title">{escape(page.title)}</h1>'
           f"<p>{escape(page.brand.text if page.brand else '')} {escape(words)} {escape(page.vendor_code)}</p>"
           f'<img data-pagefind-meta="image[src]" src="{escape(picture)}" alt="">'
           f'<span data-pagefind-meta="price">{escape(page.price.text if page.price else "")}</span>'
           f"</main></body></html>").encode()
    try:
        if path.read_bytes() == doc:
            return 0
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(doc)
    return 1


# The search index is split into shards of about this many products, indexed one after another and merged
# in the browser (Pagefind's mergeIndex): the indexer holds a whole index in memory (about 23 kB a product,
# 2.2 GB at 100,000), so shards bound the build's memory, and a change re-indexes only its shard.
SHARD_PRODUCTS = 4000


def search_shards(products: int) -> int:
    return max(1, -(-products // SHARD_PRODUCTS))


def shard_of(rel: str, shards: int) -> int:
    """The shard of a product page (by its path, so a product never moves while the shard count holds)."""
    return int.from_bytes(hashlib.blake2b(rel.encode(), digest_size=4).digest(), "big") % shards


def _search_docs(root: Path, shards: int) -> Path:
    """``.showcase/search/n<shards>/``: a new shard count starts a new, empty layout (everything is indexed)."""
    docs = root / f"n{shards}"
    if root.is_dir():
        for other in root.iterdir():
            if other != docs:
                shutil.rmtree(other, ignore_errors=True)
    return docs


# Pagefind names these files by their content, so an unchanged one is known by its name alone.
_HASHED = re.compile(r"/(fragment|index|filter)/|\.pf_")


def _index_search(docs: Path, shards: int, writer: Writer, old: Manifest, changed: set[int], full: bool) -> None:
    """Pagefind over each shard's search documents (one bundle per shard, ``/pagefind/<k>/``) when one of
    them changed; an unchanged shard keeps its files in build/ as they are. Empty shards get no bundle."""
    for shard in range(shards):
        prefix = f"pagefind/{shard}/"
        shard_docs = docs / str(shard)
        if not shard_docs.is_dir() or not any(shard_docs.iterdir()):
            continue  # no product in it (Pagefind refuses an empty folder)
        kept = {rel: entry for rel, entry in old.files.items() if rel.startswith(prefix)}
        if kept and shard not in changed and not full:
            writer.entries.update(kept)
            continue
        with tempfile.TemporaryDirectory(dir=docs.parent) as tmp:
            out = Path(tmp) / "pagefind"
            proc = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(shard_docs), "--output-path",
                                   str(out), "--quiet"], capture_output=True, text=True)
            if proc.returncode:
                raise ShowcaseError(f"search index (pagefind) failed: {proc.stderr.strip() or proc.stdout.strip()}")
            for path in sorted(out.rglob("*")):
                if path.is_file():
                    rel = prefix + path.relative_to(out).as_posix()
                    writer.place(rel, path, rel if _HASHED.search(rel) else None)
