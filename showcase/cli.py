"""The command line: thin commands over the pipeline stages.

Exit codes (for cron): 0 done; 1 a step failed for at least one feed or target (the others were
still processed, and nothing good was lost); 2 invalid site.yml or bad usage; 3 ``update``,
``build`` or ``deploy`` found another of them working on the site (the site lock) and did nothing.
Heavy modules are imported inside the commands so ``--help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import click

from showcase import __version__
from showcase.text import human_size

EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_LOCKED = 3  # showcase update: another run holds the lock


class Context:
    def __init__(self, site_dir: Path):
        self.site_dir = site_dir
        self._site = None

    @property
    def site(self):
        """The loaded, validated site; invalid config stops the command with exit code 2."""
        if self._site is None:
            from showcase.config import load_site
            from showcase.errors import ConfigError

            try:
                self._site = load_site(self.site_dir)
            except ConfigError as e:
                for line in e.errors:
                    click.secho(line, fg="red", err=True)
                raise SystemExit(EXIT_CONFIG) from None
        return self._site


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path), default=".",
              show_default=True, envvar="SHOWCASE_SITE",
              help="The site folder (the one with site.yml). Relative paths in site.yml resolve from it.")
@click.version_option(__version__, prog_name="showcase")
@click.pass_context
def main(ctx: click.Context, site_dir: Path) -> None:
    """showcase: affiliate storefronts from partner product feeds.

    \b
    Typical run:
      showcase check            validate site.yml
      showcase fetch            download remote feeds (conditional GET)
      showcase import           parse feeds into the catalog
      showcase build            render the static site into build/
      showcase serve            preview build/ on 127.0.0.1
      showcase deploy           publish build/ to the targets in site.yml
      showcase update           fetch + import + build + deploy, for cron
    Clicks and money:
      showcase track            the click tracker (links.mode: tracker)
      showcase clicks import    count /go/ hits of web-server logs
      showcase reconcile        check network reports against clicks and terms

    State (catalog, clicks, ledger, fetch metadata) lives in SITE/.showcase/.
    """
    ctx.obj = Context(site_dir)


# --- init --------------------------------------------------------------------------------------------


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Create a new site folder: a commented site.yml, feeds/, templates/ and a .gitignore.

    Refuses to touch a folder that already holds a site.yml.
    """
    from showcase.errors import ShowcaseError
    from showcase.scaffold import create_site

    try:
        created = create_site(directory)
    except ShowcaseError as e:
        click.secho(str(e), fg="red", err=True)
        raise SystemExit(EXIT_FAILED) from None
    for path in created:
        click.echo(f"created {path}")
    click.echo(f"Next: edit {directory / 'site.yml'}, then run `showcase --site {directory} check`.")


# --- check -------------------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@pass_ctx
def check(ctx: Context, as_json: bool) -> None:
    """Validate site.yml and print a summary. Exit code 2 when invalid."""
    from showcase.deploy import describe

    site = ctx.site
    config = site.config
    feeds = {}
    for name, feed in config.feeds.items():
        path = site.feed_path(name)
        feeds[name] = {"source": feed.source, "program": feed.program, "remote": feed.is_remote,
                       "file": str(path), "file_present": path.is_file()}
    summary = {
        "config": str(site.config_path), "site": config.site.model_dump(mode="json"),
        "networks": {n: c.type for n, c in config.networks.items()},
        "programs": {n: {"name": p.name, "network": p.network, "erid": bool(p.erid)}
                     for n, p in config.programs.items()},
        "categories": len(config.category_paths()), "feeds": feeds,
        "deploy": {n: dict(zip(("type", "to", "missing"), (t.type, *describe(t)), strict=True))
                   for n, t in config.deploy.items()},
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    s = config.site
    click.secho(f"{site.config_path}: valid", fg="green")
    click.echo(f"site       {s.title} <{s.base_url}> language={s.language} currency={s.currency} tz={s.timezone}")
    click.echo(f"networks   {len(config.networks)}: " + ", ".join(f"{n} ({t})" for n, t in summary["networks"].items()))
    click.echo(f"programs   {len(config.programs)}: " + ", ".join(
        f"{n} ({p['network']}{', erid' if p['erid'] else ''})" for n, p in summary["programs"].items()))
    click.echo(f"categories {summary['categories']}")
    click.echo(f"feeds      {len(feeds)}")
    for name, f in feeds.items():
        state = "" if f["file_present"] else ("  (not downloaded yet)" if f["remote"] else "  (FILE MISSING)")
        click.echo(f"  {name:<16} {f['source']} -> {f['program']}{state}")
    click.echo(f"deploy     {len(summary['deploy'])}" + ("" if summary["deploy"] else " (no targets)"))
    for name, d in summary["deploy"].items():
        missing = f"  (CANNOT RUN: {d['missing']})" if d["missing"] else ""
        click.echo(f"  {name:<16} {d['type']:<6} {d['to']}{missing}")


# --- fetch -------------------------------------------------------------------------------------------


@main.command()
@click.option("--feed", "names", multiple=True, metavar="NAME", help="Only this feed (repeatable).")
@click.option("--parallel", default=4, show_default=True, help="Downloads at once.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with a result per feed.")
@pass_ctx
def fetch(ctx: Context, names: tuple[str, ...], parallel: int, as_json: bool) -> None:
    """Download remote feeds into feeds/, keeping the last good copy of each.

    Uses conditional GET (ETag / Last-Modified), so an unchanged feed costs one request and no
    re-import. A failed, truncated or HTML-page download never replaces the last good copy; the
    other feeds still update, and the exit code is 1. Local feed sources are read in place.
    """
    from showcase.fetch import fetch_site

    site = ctx.site
    selected = _select_feeds(site, names)
    local = [n for n in selected if not site.config.feeds[n].is_remote]
    results = fetch_site(site, selected, parallel=parallel, progress=not as_json and sys.stderr.isatty())
    failed = [r for r in results if r.status == "failed"]
    if as_json:
        out = {"feeds": [{"name": r.name, "status": r.status, "path": str(r.path), "bytes": r.bytes,
                          "changed": r.changed, "elapsed": round(r.elapsed, 3), "error": r.error} for r in results]
               + [{"name": n, "status": "local", "path": str(site.feed_path(n))} for n in local],
               "failed": len(failed)}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for r in results:
            if r.status == "failed":
                click.secho(f"{r.name}: FAILED: {r.error} (kept the last good copy)" if r.path.exists()
                            else f"{r.name}: FAILED: {r.error}", fg="red", err=True)
            else:
                detail = "not modified" if r.status == "not_modified" else \
                    f"{human_size(r.bytes)} in {r.elapsed:.1f}s{'' if r.changed else ', same content'}"
                click.echo(f"{r.name}: {r.status} ({detail})")
        for n in local:
            click.echo(f"{n}: local file, read in place")
    if failed:
        raise SystemExit(EXIT_FAILED)


# --- import ------------------------------------------------------------------------------------------


@main.command("import")
@click.option("--feed", "names", multiple=True, metavar="NAME", help="Only this feed (repeatable).")
@click.option("--force", is_flag=True,
              help="Import even an unchanged file, and accept a feed that shrank more than max_shrink_percent.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with a summary per feed.")
@pass_ctx
def import_(ctx: Context, names: tuple[str, ...], force: bool, as_json: bool) -> None:
    """Parse feeds and merge them into the catalog (one transaction per feed).

    Each feed prints a change summary: offers new, gone, price up/down, became unavailable.
    A feed that is not well-formed, or that shrank by more than its max_shrink_percent, is
    refused: that feed's catalog stays as it was, the other feeds still import, exit code 1.
    """
    from showcase.ingest import import_feeds

    site = ctx.site

    def done(name: str, result, failure: dict | None, seconds: float) -> None:
        if as_json:
            return
        if failure:
            click.secho(f"{name}: {failure['status'].upper()}: {failure['error']}", fg="red", err=True)
            return
        click.echo(f"{result.summary_line()} [{seconds:.2f}s]")
        for reason, count in list(result.skip_reasons.items())[:10]:
            example = next((s for s in result.skips if s["reason"].startswith(reason)), None)
            where = f" e.g. offer {example['id']!r} line {example['line']}" if example else ""
            click.echo(f"    {count:>7} × {reason}{where}")

    run = import_feeds(site, _select_feeds(site, names), force=force, done=done,
                       ticker=lambda name: _Ticker(name, enabled=not as_json and sys.stderr.isatty()))
    if as_json:
        click.echo(json.dumps({"feeds": [r.to_dict() for r in run.results] + run.failures,
                               "failed": len(run.failures)}, ensure_ascii=False, indent=2, default=str))
    if run.failures:
        raise SystemExit(EXIT_FAILED)


class _Ticker:
    """A one-line live counter on a terminal (offers parsed, rate); silent otherwise."""

    def __init__(self, name: str, enabled: bool):
        self.name, self.enabled, self.count, self.start, self.last = name, enabled, 0, time.perf_counter(), 0.0

    def __call__(self, n: int = 1) -> None:
        self.count += n
        if self.enabled and (n > 1 or not self.count % 1000):
            now = time.perf_counter()
            if now - self.last > 0.2:
                self.last = now
                rate = self.count / max(now - self.start, 1e-9)
                click.echo(f"\r{self.name}: {self.count:,} offers ({rate:,.0f}/s)", nl=False, err=True)

    def __enter__(self):
        return self if self.enabled else None

    def __exit__(self, *exc):
        if self.enabled and self.last:
            click.echo("\r\033[K", nl=False, err=True)


# --- build / serve -----------------------------------------------------------------------------------


@main.command()
@click.option("--clean", is_flag=True, help="Render every page anew, ignoring what the previous build left.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for rendering (default: the number of CPUs).")
@click.option("--no-search", is_flag=True, help="Skip the search index (faster previews).")
@click.option("--json", "as_json", is_flag=True, help="Print the result (counts, stage timings) as JSON.")
@pass_ctx
def build(ctx: Context, clean: bool, jobs: int | None, no_search: bool, as_json: bool) -> None:
    """Render the catalog into the static site in build/.

    Imports the local feeds first when the catalog is missing or older than them. Pages whose
    content did not change are not rewritten (their mtimes stay put for rsync and CDN sync);
    pages no longer produced are removed. The new site replaces build/ only when the whole build
    succeeded: a failure leaves the previous build/ as it was (exit code 1).
    """
    from showcase.errors import ShowcaseError
    from showcase.render.build import build as run_build

    site = ctx.site
    quiet = as_json
    bar = _LazyBar("rendering", enabled=not quiet and sys.stderr.isatty())
    try:
        with _site_lock(site, "build"):
            result = run_build(site, clean=clean, jobs=jobs, search=not no_search,
                               report=None if quiet else (lambda line: click.echo(line, err=True)), progress=bar)
    except ShowcaseError as e:
        bar.close()
        click.secho(f"build failed: {e} (build/ left as it was)", fg="red", err=True)
        raise SystemExit(EXIT_FAILED) from None
    bar.close()
    for warning in result.warnings[:20]:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    if len(result.warnings) > 20:
        click.secho(f"warning: … and {len(result.warnings) - 20} more", fg="yellow", err=True)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    total = sum(result.stages.values())
    click.echo(f"{result.pages} pages in {total:.1f}s: {result.written} files written, {result.kept} unchanged, "
               f"{result.skipped} pages not re-rendered, {result.removed} removed -> {site.build_dir}")


class _LazyBar:
    """A click progress bar that appears on the first update (when the total is known)."""

    def __init__(self, label: str, enabled: bool):
        self.label, self.enabled, self.bar, self.done = label, enabled, None, 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command()
@click.option("--port", default=8000, show_default=True, help="TCP port.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@pass_ctx
def serve(ctx: Context, port: int, host: str) -> None:
    """Preview build/ over HTTP (Ctrl-C stops). Not for production: publish build/ with a web server."""
    from showcase.render.preview import make_server

    root = ctx.site.build_dir
    if not (root / "index.html").is_file():
        click.secho(f"{root}: nothing built yet; run `showcase build`", fg="red", err=True)
        raise SystemExit(EXIT_FAILED)
    server = make_server(root, host, port)
    click.echo(f"Serving {root} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- deploy / update ---------------------------------------------------------------------------------


@main.command()
@click.option("--target", "targets", multiple=True, metavar="NAME",
              help="Only this target of `deploy:` in site.yml (repeatable; default: every target, in order).")
@click.option("--dry-run", is_flag=True, help="List what would be uploaded, changed and deleted; change nothing.")
@click.option("--rollback", is_flag=True,
              help="Publish the previous deploy again (dir: the previous release; git: the previous commit).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with a result per target.")
@pass_ctx
def deploy(ctx: Context, targets: tuple[str, ...], dry_run: bool, rollback: bool, as_json: bool) -> None:
    """Publish build/ to the targets under `deploy:` in site.yml.

    \b
    Target types:
      dir    a local folder: a new release folder, then an atomic symlink switch
      rsync  the system rsync to a folder or user@host:path (only changed files)
      s3     an S3-compatible bucket (only files whose MD5 changed; content types, cache headers)
      git    a commit on a branch such as gh-pages, pushed to a remote

    Each target reports counts and bytes. A target that fails (auth, network, a folder in the way)
    leaves what it publishes as it was, the others still deploy, and the exit code is 1.
    """
    site = ctx.site
    names = _select_targets(site, targets)
    results, failures = [], []
    with _site_lock(site, "deploy"):
        _deploy_each(site, names, dry_run, rollback, as_json, results, failures)
    if as_json:
        click.echo(json.dumps({"targets": [r.to_dict(with_files=dry_run) for r in results], "failures": failures,
                               "failed": len(failures)}, ensure_ascii=False, indent=2))
    if failures:
        raise SystemExit(EXIT_FAILED)


def _deploy_each(site, names: list[str], dry_run: bool, rollback: bool, as_json: bool, results: list,
                 failures: list) -> None:
    from showcase.deploy import deploy as run_deploy
    from showcase.deploy import rollback as run_rollback
    from showcase.errors import ShowcaseError

    for name in names:
        bar = _LazyBar(f"{name}", enabled=not as_json and sys.stderr.isatty())
        try:
            if rollback:
                result = run_rollback(site, name, dry_run=dry_run)
            else:
                result = run_deploy(site, name, dry_run=dry_run, progress=bar)
        except ShowcaseError as e:
            failures.append({"target": name, "error": str(e)})
            if not as_json:
                click.secho(f"{name}: FAILED: {e}", fg="red", err=True)
            continue
        finally:
            bar.close()
        results.append(result)
        if not as_json:
            if dry_run:
                for line in result.plan.lines():
                    click.echo(f"  {line}")
            click.echo(result.summary_line())


@contextmanager
def _site_lock(site, command: str):
    """The site lock for a build or deploy by hand: exit code 3 at once when another run holds it."""
    from showcase.lock import Locked, SiteLock

    lock = SiteLock(site, command)
    try:
        lock.__enter__()
    except Locked as e:
        click.secho(f"{command} skipped: {e}", fg="yellow", err=True)
        raise SystemExit(EXIT_LOCKED) from None
    try:
        yield
    finally:
        lock.__exit__(None, None, None)


@main.command()
@click.option("--target", "targets", multiple=True, metavar="NAME",
              help="Deploy only to this target (repeatable; default: every target in site.yml).")
@click.option("--strict", is_flag=True,
              help="Fail (and deploy nothing) when any feed fails to download or import.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes for rendering.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing when all went well (for cron's MAILTO).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's result (steps, timings, counts) as JSON.")
@pass_ctx
def update(ctx: Context, targets: tuple[str, ...], strict: bool, jobs: int | None, quiet: bool,
           as_json: bool) -> None:
    """fetch, import, build and deploy in one run: the command for cron.

    \b
    A feed that fails to download or import keeps its last good copy and its catalog; the others
    still update, and the run goes on with a warning (--strict: it stops before deploying).
    A failed build stops the run: nothing is deployed and the live site stays as it was.
    A log with timings and counts goes to .showcase/logs/update-<UTC time>.log.
    \b
    Exit codes: 0 done (warnings on stderr), 1 a step failed (one-line summary on stderr),
    2 invalid site.yml, 3 another update, build or deploy of this site is still running (this one
    did nothing).
    """
    from showcase.lock import Locked
    from showcase.update import run_update

    site = ctx.site
    names = list(_select_targets(site, targets)) if targets else None
    say = (lambda line: click.echo(line, err=True)) if sys.stderr.isatty() and not (as_json or quiet) else None
    try:
        result = run_update(site, targets=names, strict=strict, jobs=jobs, say=say)
    except Locked as e:
        click.secho(f"update skipped: {e}", fg="yellow", err=True)
        raise SystemExit(EXIT_LOCKED) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        for warning in result.warnings:
            click.secho(f"warning: {warning}", fg="yellow", err=True)
        if result.failed:
            click.secho(f"{result.summary_line()} (log: {result.log})", fg="red", err=True)
        elif not quiet:
            click.echo(result.summary_line())
    if result.failed:
        raise SystemExit(EXIT_FAILED)


def _select_targets(site, names: tuple[str, ...]) -> list[str]:
    defined = list(site.config.deploy)
    if not defined:
        click.secho("site.yml has no `deploy:` targets; see the README's deploy section", fg="red", err=True)
        raise SystemExit(EXIT_CONFIG)
    unknown = [n for n in names if n not in defined]
    if unknown:
        raise click.BadParameter(f"unknown deploy target(s) {', '.join(unknown)}; site.yml defines: "
                                 f"{', '.join(defined)}", param_hint="--target")
    return list(names) or defined


# --- feed inspect ------------------------------------------------------------------------------------


@main.group()
def feed() -> None:
    """Look at a single feed file."""


@feed.command("inspect")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(["yml", "merchant", "csv"]), help="Skip detection.")
@click.option("--encoding", help="Force the text encoding (e.g. windows-1251).")
@click.option("--feed", "feed_name", metavar="NAME",
              help="Apply this site feed's settings (CSV mapping, rates, category map, filters).")
@click.option("--sample", "sample_size", default=3, show_default=True, help="Normalized offers to show.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (format, encoding, offers, "
              "skipped, categories, sample; error when unreadable).")
@pass_ctx
def feed_inspect(ctx: Context, path: Path, format_: str | None, encoding: str | None, feed_name: str | None,
                 sample_size: int, as_json: bool) -> None:
    """Parse one feed file without touching the catalog, and report what is in it.

    Detects format, encoding and compression; counts offers accepted and skipped (with the
    reasons and offer ids); shows the first normalized offers. Exit code 1 when the file
    cannot be read as a feed.
    """
    from showcase.ingest import inspect_feed

    site = ctx.site if feed_name else None
    if site and feed_name not in site.config.feeds:
        raise click.BadParameter(f"no feed {feed_name!r} in site.yml", param_hint="--feed")
    if not path.is_file():
        report = {"path": str(path), "error": f"{path}: no such file"}
        _emit_error(report, as_json)
        raise SystemExit(EXIT_FAILED)
    result = inspect_feed(path, format=format_, encoding=encoding, site=site, feed_name=feed_name,
                          sample_size=sample_size)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        _print_inspection(result)
    if result.error:
        raise SystemExit(EXIT_FAILED)


def _emit_error(report: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        click.secho(report["error"], fg="red", err=True)


def _print_inspection(r) -> None:
    click.echo(f"file        {r.path}")
    click.echo(f"format      {r.format or '?'}{f' ({r.dialect})' if r.dialect else ''}, encoding {r.encoding or '?'}, "
               f"compression {r.compression or '?'}")
    if r.shop:
        click.echo("shop        " + ", ".join(f"{k}={v}" for k, v in r.shop.items()))
    if r.currencies:
        click.echo("currencies  " + ", ".join(f"{k}={v}" for k, v in r.currencies.items()))
    click.echo(f"categories  {r.categories}")
    click.echo(f"offers      {r.offers} accepted, {sum(r.skip_reasons.values())} skipped")
    for reason, count in r.skip_reasons.items():
        ids = [s["id"] or f"line {s['line']}" for s in r.skipped if s["reason"].split(":")[0] == reason][:5]
        click.echo(f"  {count:>6} × {reason}: {', '.join(map(str, ids))}")
    for offer in r.sample:
        old = f" (was {offer['old_price']}, -{offer['discount_percent']}%)" if offer["old_price"] else ""
        click.echo(f"- [{offer['id']}] {offer['title']}")
        click.echo(f"    {offer['price']}{old} from {offer['source_price']}; "
                   f"{'available' if offer['available'] else 'not available'}; {' > '.join(offer['category'])}")
        click.echo(f"    {offer['url']}")
    if r.error:
        click.secho(f"error: {r.error}", fg="red", err=True)


# --- catalog -----------------------------------------------------------------------------------------


@main.group()
def catalog() -> None:
    """Look at the catalog database."""


@catalog.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_ctx
def catalog_stats(ctx: Context, as_json: bool) -> None:
    """Products, offers, shops, categories, offers per feed, gone offers, last import per feed."""
    from showcase.catalog import Catalog

    site = ctx.site
    if not site.catalog_path.exists():
        click.secho(f"{site.catalog_path}: no catalog yet; run `showcase import`", fg="red", err=True)
        raise SystemExit(EXIT_FAILED)
    with Catalog(site.catalog_path) as cat:
        stats = cat.stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    click.echo(f"products  {stats['products']} ({stats['products_available']} available, "
               f"{stats['products_multi_shop']} sold by several shops)")
    click.echo(f"offers    {stats['offers']} live, {stats['offers_gone']} gone")
    click.echo(f"shops {stats['shops']}  categories {stats['categories']}  brands {stats['brands']}")
    for name, f in stats["feeds"].items():
        last = f["last_import"] or {}
        click.echo(f"  {name:<16} {f['offers']:>8} offers {f['gone']:>6} gone  last import {last.get('at', '-')} "
                   f"{last.get('status', '')}")


# --- helpers -----------------------------------------------------------------------------------------


def _select_feeds(site, names: tuple[str, ...]) -> list[str]:
    unknown = [n for n in names if n not in site.config.feeds]
    if unknown:
        raise click.BadParameter(f"unknown feed(s) {', '.join(unknown)}; site.yml defines: "
                                 f"{', '.join(site.config.feeds) or 'none'}", param_hint="--feed")
    return list(names) or list(site.config.feeds)




# --- click tracking ----------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0: any free port; the URL printed says which).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads (requests served at once; clicks are committed in groups).")
@click.option("--trusted-proxy", metavar="ADDR",
              help="The reverse proxy in front (e.g. 127.0.0.1): take the client address from its X-Forwarded-For.")
@click.option("--fsync", is_flag=True,
              help="fsync every commit (synchronous=FULL): clicks survive a machine crash, not only a process crash.")
@pass_ctx
def track(ctx: Context, host: str, port: int, threads: int, trusted_proxy: str | None, fsync: bool) -> None:
    """Serve the click tracker: GET /go/<key> stores the click, then redirects to the deep link.

    \b
    The click id (22 letters and digits, unguessable) is the deep link's sub-id; the click (time,
    offer, product, program, ?from= page, referrer host, human/bot/prefetch/head, a salted
    hash of the IP) is committed to the click store (tracker.store in site.yml) before the
    302 goes out. Gone offers redirect to their product page; unknown keys get a 404.
    Runs on waitress until SIGTERM or Ctrl-C, then finishes the requests in progress and exits 0.
    """
    from showcase.errors import ShowcaseError
    from showcase.tracker import serve

    site = ctx.site

    def ready(url: str) -> None:
        click.echo(f"Tracking clicks at {url}go/<key> -> {site.config.tracker.store} "
                   f"(SIGTERM or Ctrl-C stops)")

    try:
        app = serve(site, host, port, threads=threads, trusted_proxy=trusted_proxy,
                    synchronous="FULL" if fsync else "NORMAL", on_ready=ready)
    except ModuleNotFoundError as e:
        click.secho(f"track: {e}; the tracker runs on waitress: pip install waitress", fg="red", err=True)
        raise SystemExit(EXIT_FAILED) from None
    except (ShowcaseError, OSError) as e:
        click.secho(f"track: {e}", fg="red", err=True)
        raise SystemExit(EXIT_FAILED) from None
    click.echo(f"Stopped: {app.writer.committed} clicks stored in {app.writer.batches} commits.")


@main.group()
def clicks() -> None:
    """Clicks: import web-server logs of /go/ redirect pages, report."""


@clicks.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(["combined", "nginx", "apache"]), default="combined",
              show_default=True, help="Access log format (plain or gzip files).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with a report per file.")
@pass_ctx
def clicks_import(ctx: Context, files: tuple[Path, ...], format_: str, as_json: bool) -> None:
    """Count the /go/<key>/ hits in access logs (links.mode redirect) as clicks.

    GET or HEAD of /go/<key>/ answered 200 or 304 is a click; bots and HEADs are stored flagged.
    Each line has a stable id, so importing the same log again (or a rotated, gzipped copy of
    it) counts nothing twice.
    """
    from showcase.clicks import CatalogLookup, ClickStore, IpHasher, load_salt, store_path
    from showcase.errors import ShowcaseError

    site = ctx.site
    catalog = CatalogLookup(site.catalog_path) if site.catalog_path.is_file() else None
    try:
        with ClickStore(store_path(site)) as store:
            report = store.import_log(files, format_, catalog=catalog, hash_ip=IpHasher(load_salt(site)))
    except ShowcaseError as e:
        click.secho(f"clicks import: {e}", fg="red", err=True)
        raise SystemExit(EXIT_FAILED) from None
    finally:
        if catalog is not None:
            catalog.close()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for f in report["files"]:
        classes = ", ".join(f"{n} {c}" for c, n in f["by_class"].items() if n)
        click.echo(f"{f['path']}: {f['lines']} lines, {f['go_hits']} /go/ hits: {f['new']} new"
                   f"{f' ({classes})' if classes else ''}, {f['duplicates']} already imported"
                   + (f", {f['unparsed']} not in {format_} format (lines "
                      f"{', '.join(map(str, f['unparsed_lines']))})" if f["unparsed"] else ""))
    if not catalog:
        click.secho(f"warning: no catalog at {site.catalog_path}: clicks stored without product and program",
                    fg="yellow", err=True)


@clicks.command("stats")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day (UTC), e.g. 2026-03-01.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), inclusive.")
@click.option("--top", default=20, show_default=True, type=click.IntRange(1, 100000), help="Products listed.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_ctx
def clicks_stats(ctx: Context, since, until, top: int, as_json: bool) -> None:
    """Clicks per day, program, product and page: human clicks, with bots, prefetches and HEADs apart."""
    from showcase.clicks import CatalogLookup, ClickStore, store_path

    site = ctx.site
    path = store_path(site)
    if not path.is_file():
        click.secho(f"{path}: no clicks yet (run `showcase track`, or `showcase clicks import LOG`)",
                    fg="red", err=True)
        raise SystemExit(EXIT_FAILED)
    catalog = CatalogLookup(site.catalog_path) if site.catalog_path.is_file() else None
    try:
        with ClickStore(path) as store:
            stats = store.stats(since=since.date() if since else None, until=until.date() if until else None,
                                top=top, titles=catalog.titles if catalog else None)
    finally:
        if catalog is not None:
            catalog.close()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    t = stats["total"]
    click.echo(f"clicks {stats['first'] or '-'} .. {stats['last'] or '-'} (UTC): {t['human']} human; "
               f"{t['bot']} bot, {t['prefetch']} prefetch, {t['head']} HEAD not counted "
               f"(tracker {stats['sources']['tracker']}, logs {stats['sources']['log']})")
    sections = [("day", "by_day", lambda r: r["day"]), ("program", "by_program", lambda r: r["program"] or "-"),
                (f"product (top {top})", "by_product",
                 lambda r: f"{r['product_id'] or '-'} {r.get('title', '')}".strip()),
                ("page", "by_page", lambda r: r["page"] or "-")]
    for title, name, label in sections:
        rows = stats[name]
        if not rows:
            continue
        labels = [label(r)[:60] for r in rows]
        width = max(len(title), *map(len, labels))
        click.echo(f"\n{title:<{width}}  {'human':>8} {'bot':>7} {'prefetch':>8} {'head':>6}")
        for text, r in zip(labels, rows, strict=True):
            click.echo(f"{text:<{width}}  {r['human']:>8} {r['bot']:>7} {r['prefetch']:>8} {r['head']:>6}")


# --- reconcile ---------------------------------------------------------------------------------------


def _decimal_option(ctx, param, value):
    from decimal import Decimal, InvalidOperation

    try:
        d = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"expected a number, got {value!r}") from None
    if not d.is_finite() or d < 0:
        raise click.BadParameter(f"expected a number >= 0, got {value!r}")
    return d


def _fail_on_option(ctx, param, value):
    from showcase.reconcile import FINDING_KINDS

    kinds: set[str] = set()
    for part in (value or "").split(","):
        part = part.strip()
        if not part:
            continue
        if part in ("any", "all"):
            kinds.update(FINDING_KINDS)
        elif part in FINDING_KINDS:
            kinds.add(part)
        else:
            raise click.BadParameter(f"unknown finding kind {part!r}; expected any, or some of: "
                                     f"{', '.join(FINDING_KINDS)}")
    return kinds


class _EchoStream:
    """A text stream that writes through click.echo (what the CliRunner captures)."""

    @staticmethod
    def write(text: str) -> None:
        click.echo(text, nl=False)


@main.command("reconcile")
@click.option("--network", required=True, metavar="NAME", help="The site.yml network the reports come from.")
@click.argument("reports", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="First day (UTC) of the actions checked. Default: the reports' first action day.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day (UTC), inclusive. Default: the reports' last action day.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object: summary, findings, imports (with "
              "the reports' malformed rows), warnings.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the findings to FILE, one row each.")
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write a self-contained HTML report with charts to FILE.")
@click.option("--fail-on", "fail_on", metavar="KIND,...", callback=_fail_on_option,
              help="Exit 1 when a finding of one of these kinds exists ('any' for every kind).")
@click.option("--tolerance-percent", default="1", show_default=True, callback=_decimal_option, metavar="PCT",
              help="commission_mismatch: allowed difference, percent of the expected commission...")
@click.option("--tolerance-amount", default="0.01", show_default=True, callback=_decimal_option, metavar="AMOUNT",
              help="...but at least this much (site currency).")
@click.option("--clock-skew", default=5, show_default=True, type=click.IntRange(0, 24 * 60), metavar="MINUTES",
              help="action_before_click: how much earlier than the click an action may be stamped.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 100000),
              help="Products and pages listed in the table.")
@click.option("--network-clicks", "network_clicks_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE", help="The network's daily click counts (CSV: date, program, clicks), for programs "
              "paid per click (terms.per_click): enables click_count_mismatch.")
@pass_ctx
def reconcile_(ctx: Context, network: str, reports: tuple[Path, ...], since, until, as_json: bool,
               csv_path: Path | None, html_path: Path | None, fail_on: set[str], tolerance_percent,
               tolerance_amount, clock_skew: int, top: int, network_clicks_path: Path | None) -> None:
    """Check a network's earnings reports against our clicks and the programs' terms.

    \b
    The reports' actions go into the ledger (.showcase/ledger.sqlite), which keeps every status an
    action has had: the same report twice changes nothing; a later one records the changes. The
    actions of the period are matched to clicks by sub-id (tracker click ids; storefront sub-ids
    such as p55product in aggregate) and checked. Findings: orphan_action, duplicate_action,
    commission_mismatch, status_regressed, declined, action_before_click, outside_cookie_window,
    unknown_program, click_count_mismatch. Summary per program, product, page and day: clicks,
    actions, conversion, orders, commission by status, EPC, approval and reversal rates.
    Malformed report rows are listed with file and line and skipped.
    Exit codes: 1 when a finding of a --fail-on kind exists (or the ledger cannot be written);
    2 for usage or config errors, and for a file that is not this network's report.
    """
    from datetime import timedelta

    from showcase.errors import ShowcaseError
    from showcase.reconcile import LedgerError, Options, read_network_clicks, reconcile
    from showcase.reconcile_report import render_text, write_csv, write_html

    site = ctx.site
    config = site.config
    if network not in config.networks:
        raise click.BadParameter(f"unknown network {network!r}; site.yml defines: "
                                 f"{', '.join(config.networks) or 'none'}", param_hint="--network")
    if since and until and since > until:
        raise click.BadParameter(f"{since.date()} is after --until {until.date()}", param_hint="--since")
    per_click = {name: p.terms.per_click for name, p in config.programs.items()
                 if p.network == network and p.terms.per_click is not None}
    options = Options(tolerance_percent=tolerance_percent, tolerance_amount=tolerance_amount,
                      clock_skew=timedelta(minutes=clock_skew))
    try:
        network_clicks = read_network_clicks(network_clicks_path, config, network) if network_clicks_path else None
        result = reconcile(site, network, reports, since=since.date() if since else None,
                           until=until.date() if until else None, options=options, per_click=per_click or None,
                           network_clicks=network_clicks)
    except LedgerError as e:
        click.secho(f"reconcile: {e}", fg="red", err=True)
        raise SystemExit(EXIT_FAILED) from None
    except ShowcaseError as e:
        click.secho(f"reconcile: {e}", fg="red", err=True)
        raise SystemExit(EXIT_CONFIG) from None
    if as_json:
        result.write_json(_EchoStream())
    else:
        click.echo(render_text(result, top=top), nl=False)
    for path, write in ((csv_path, write_csv), (html_path, write_html)):
        if path is not None:
            write(result, path)
            click.echo(f"wrote {path}", err=as_json)
    counts = result.counts()
    if any(counts[k] for k in fail_on):
        raise SystemExit(EXIT_FAILED)
