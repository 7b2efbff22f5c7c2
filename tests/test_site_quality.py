"""Quality bars of the built demo storefront (the session fixture ``built_demo``: built once, served on 127.0.0.1).

* links: every internal href/src/srcset/action/... of every page, the URLs in the category JSON the filters
  render, and url() in the stylesheets resolve to a file in build/; canonical URLs are absolute on base_url;
  robots.txt and the sitemaps list only existing pages;
* HTML: the Nu HTML Checker (vnu.jar from npm) finds no error in a page of every type of the demo build,
  nor in the theme rendered from tests/render_fixtures.py (gone product, /go/ redirect page, English);
* Lighthouse (npm, mobile preset): at least 95 in Performance, Accessibility, Best Practices and SEO on
  the home page, a category page and a product page (bench/lighthouse.py does the measuring).

Tests that need a tool (java + node_modules/vnu-jar, node_modules/lighthouse + chromium) skip without it,
saying what to install, except in CI (CI=true), where a missing tool is a failure.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.etree
import lxml.html
import pytest

from tests.site_fixture import VNU_JAR, ServedSite, require, resolve, sample_products, vnu_missing

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
# attributes that hold one URL, on any element
URL_ATTRS = ("href", "src", "action", "poster", "data-src", "cite", "formaction")


def html_pages(build: Path) -> list[Path]:
    return sorted(p for p in build.rglob("*.html") if "pagefind" not in p.relative_to(build).parts)


def page_path(build: Path, file: Path) -> str:
    """The URL path a build file is served at: x/index.html -> /x/, 404.html -> /404.html."""
    rel = file.relative_to(build).as_posix()
    return "/" + (rel.removesuffix("index.html") if rel == "index.html" or rel.endswith("/index.html") else rel)


def parse(file: Path):
    return lxml.html.document_fromstring(file.read_bytes())


def srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def page_urls(doc) -> list[tuple[str, str]]:
    """(where, url) for every URL in a page that the browser or a crawler may follow or load."""
    out: list[tuple[str, str]] = []
    for el in doc.iter(lxml.etree.Element):
        for attr in URL_ATTRS:
            value = el.get(attr)
            if value is not None:
                out.append((f"<{el.tag} {attr}>", value.strip()))
        for attr in ("srcset", "imagesrcset"):
            if el.get(attr):
                out += [(f"<{el.tag} {attr}>", u) for u in srcset_urls(el.get(attr))]
        if el.get("data-index") is not None:  # the search page's Pagefind folder
            out.append((f"<{el.tag} data-index>", el.get("data-index").rstrip("/") + "/pagefind.js"))
    for meta in doc.xpath("//meta[@http-equiv]"):
        if meta.get("http-equiv").lower() == "refresh":
            m = re.search(r"url\s*=\s*(\S+)", meta.get("content", ""), re.I)
            if m:
                out.append(("<meta refresh>", m.group(1).strip("'\"")))
    for meta in doc.xpath("//meta[@property]"):
        if meta.get("property") in ("og:url", "og:image"):
            out.append((f"<meta {meta.get('property')}>", meta.get("content", "")))
    for script in doc.xpath("//script[@type='application/ld+json']"):
        out += [("JSON-LD", u) for u in json_strings(json.loads(script.text or "null"))
                if u.startswith(("http://", "https://", "/"))]
    return out


def json_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in json_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in json_strings(v)]
    return []


def internal_path(url: str, page: str, base_url: str) -> str | None:
    """The site-absolute path ``url`` (found on page ``page``) points at, or None when it leaves the site.
    Raises ValueError for a URL no page of a static site should contain."""
    if url.startswith(("data:", "mailto:", "tel:")):
        return None
    if url.lower().startswith("javascript:"):
        raise ValueError("javascript: URL")
    if url.startswith(base_url):
        return "/" + url[len(base_url):]
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        if parts.hostname in ("127.0.0.1", "localhost", "0.0.0.0"):
            raise ValueError("a local address in a published page")
        return None  # outbound
    return urljoin(page, url)


@pytest.fixture(scope="module")
def pages(built_demo: ServedSite) -> dict[str, object]:
    """URL path -> parsed page, for every .html page in the build."""
    return {page_path(built_demo.build, f): parse(f) for f in html_pages(built_demo.build)}


# --- links and assets --------------------------------------------------------------------------------


def test_every_internal_link_and_asset_resolves(built_demo: ServedSite, pages):
    build, base = built_demo.build, built_demo.base_url
    broken: dict[str, list[str]] = defaultdict(list)  # "url (what)" -> pages
    checked = 0
    for path, doc in pages.items():
        ids = set(doc.xpath("//@id"))
        for where, url in page_urls(doc):
            if url.startswith("#"):  # a same-page anchor: its target must be on the page
                if url != "#" and unquote(url[1:]) not in ids:
                    broken[f"{url} ({where}: no such id)"].append(path)
                continue
            try:
                target = internal_path(url, path, base)
            except ValueError as e:
                broken[f"{url} ({where}: {e})"].append(path)
                continue
            if target is None:
                continue
            checked += 1
            if resolve(build, target) is None:
                broken[f"{url} ({where})"].append(path)
    assert len(pages) > 100 and checked > 1000, (len(pages), checked)
    assert not broken, report(broken)


def test_category_data_and_stylesheet_urls_resolve(built_demo: ServedSite):
    """The JSON behind the category filters (rendered into cards by site.js) and url() in the CSS."""
    build = built_demo.build
    broken: dict[str, list[str]] = defaultdict(list)
    data = sorted((build / "data").rglob("*.json"))
    assert data, "no category data under build/data/"
    for file in data:
        where = "/" + file.relative_to(build).as_posix()
        for card in json.loads(file.read_text(encoding="utf-8"))["cards"]:
            urls = [card["url"]]
            if card.get("img"):
                img = card["img"]
                urls += [img["src"], *srcset_urls(img.get("srcset") or ""), *srcset_urls(img.get("webp_srcset") or "")]
            broken_urls = [u for u in urls if u.startswith("/") and resolve(build, u) is None]
            for u in broken_urls:
                broken[u].append(where)
    for css in sorted((build / "assets").rglob("*.css")):
        where = "/" + css.relative_to(build).as_posix()
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text(encoding="utf-8")):
            if not url.startswith(("data:", "#", "http:", "https:")) and resolve(build, urljoin(where, url)) is None:
                broken[url].append(where)
    assert not broken, report(broken)


def test_canonical_urls_are_absolute_and_point_at_the_page(built_demo: ServedSite, pages):
    build, base = built_demo.build, built_demo.base_url
    problems = []
    for path, doc in pages.items():
        links = doc.xpath("//link[@rel='canonical']/@href")
        if len(links) != 1:
            problems.append(f"{path}: {len(links)} canonical links")
            continue
        url = links[0]
        if not url.startswith(base):
            problems.append(f"{path}: canonical {url!r} is not an absolute URL on {base}")
        elif resolve(build, "/" + url[len(base):]) != resolve(build, path):
            problems.append(f"{path}: canonical {url!r} is not this page")
    assert not problems, "\n".join(problems[:40])


def noindex(doc) -> bool:
    return any("noindex" in c.lower() for c in doc.xpath("//meta[@name='robots']/@content"))


def sitemap_urls(built_demo: ServedSite) -> tuple[list[str], list[str]]:
    """(page URLs, problems) from robots.txt -> sitemap.xml (an index or a urlset) -> its sitemaps."""
    build, base = built_demo.build, built_demo.base_url
    robots = (build / "robots.txt").read_text(encoding="utf-8")
    declared = re.findall(r"(?im)^sitemap:\s*(\S+)", robots)
    problems = [] if declared == [base + "sitemap.xml"] else [f"robots.txt Sitemap lines: {declared}"]
    urls: list[str] = []
    todo, seen = [base + "sitemap.xml"], set()
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        file = resolve(build, "/" + url[len(base):]) if url.startswith(base) else None
        if file is None:
            problems.append(f"sitemap {url} is missing from the build")
            continue
        root = lxml.etree.fromstring(file.read_bytes())
        todo += [loc.strip() for loc in root.xpath("/sm:sitemapindex/sm:sitemap/sm:loc/text()", namespaces=SITEMAP_NS)]
        urls += [loc.strip() for loc in root.xpath("/sm:urlset/sm:url/sm:loc/text()", namespaces=SITEMAP_NS)]
    return urls, problems


def test_robots_and_sitemaps_list_only_existing_indexable_pages(built_demo: ServedSite, pages):
    build, base = built_demo.build, built_demo.base_url
    urls, problems = sitemap_urls(built_demo)
    assert len(urls) > 100
    if len(set(urls)) != len(urls):
        problems.append(f"duplicate sitemap URLs: {sorted(u for u in set(urls) if urls.count(u) > 1)[:10]}")
    for url in urls:
        if not url.startswith(base):
            problems.append(f"{url}: not on {base}")
            continue
        path = "/" + url[len(base):]
        if resolve(build, path) is None:
            problems.append(f"{url}: no such page in the build")
        elif path in pages and noindex(pages[path]):
            problems.append(f"{url}: listed, but the page is noindex")
    assert not problems, "\n".join(problems[:40])


def test_atom_feed_links_resolve(built_demo: ServedSite):
    build, base = built_demo.build, built_demo.base_url
    root = lxml.etree.fromstring((build / "feed.xml").read_bytes())
    atom = {"a": "http://www.w3.org/2005/Atom"}
    urls = root.xpath("//a:link/@href", namespaces=atom)
    assert len(urls) > 1
    problems = [u for u in urls if not u.startswith(base) or resolve(build, "/" + u[len(base):]) is None]
    assert not problems, f"Atom feed links that are not pages of the build: {problems[:20]}"


def test_sitemaps_list_every_indexable_page(built_demo: ServedSite, pages):
    urls = {"/" + u[len(built_demo.base_url):] for u in sitemap_urls(built_demo)[0]}
    missing = sorted(path for path, doc in pages.items() if not noindex(doc) and path not in urls)
    assert not missing, f"{len(missing)} indexable pages not in the sitemaps: {missing[:20]}"


def report(broken: dict[str, list[str]], limit: int = 40) -> str:
    lines = [f"{len(broken)} broken URLs:"]
    for url, where in sorted(broken.items())[:limit]:
        more = f" (+{len(where) - 3} more)" if len(where) > 3 else ""
        lines.append(f"  {url}  on {', '.join(where[:3])}{more}")
    return "\n".join(lines)


# --- the Nu HTML Checker -----------------------------------------------------------------------------


def demo_pages_to_check(built_demo: ServedSite) -> dict[str, Path]:
    """What the HTML checker reads: a page of every type, products of every kind the template knows."""
    build = built_demo.build
    chosen = {"home": "/", "category": "/electronics/smartphones/", "parent category": "/electronics/",
              "category page 2": "/electronics/page/2/", "brands": "/brands/", "shops": "/shops/",
              "shop (ad marking)": "/shop/technomir/", "shop page 2": "/shop/technomir/page/2/",
              "search": "/search/", "disclosure": "/disclosure/", "404": "/404.html"}
    brands = sorted(p.name for p in (build / "brand").iterdir() if p.is_dir())
    if brands:
        chosen["brand"] = f"/brand/{brands[0]}/"
    for kind, product in sample_products(built_demo).items():
        chosen[f"product: {kind}"] = product.path
    out = {}
    for name, path in chosen.items():
        file = resolve(build, path)
        assert file is not None, f"{name} page {path} is not in the build"
        out[name] = file
    return out


def fixture_pages_to_check(folder: Path) -> dict[str, Path]:
    """The theme rendered from tests/render_fixtures.py (ru and en), the way the renderer sets up Jinja."""
    from showcase.render.i18n import translator
    from showcase.render.theme import make_env
    from tests import render_fixtures

    env = make_env(folder, "default")
    env.globals["asset"] = lambda name: f"/assets/{name}"
    out = {}
    for lang in ("ru", "en"):
        for n, (template, page) in enumerate(render_fixtures.all_pages(lang)):
            file = folder / f"{lang}-{n:02d}-{template}"
            file.write_text(env.get_template(template).render(page=page, site=page.site, _=translator(lang)),
                            encoding="utf-8")
            out[f"fixture {lang} {template} #{n}"] = file
    return out


@pytest.fixture(scope="module")
def vnu_results(built_demo: ServedSite, tmp_path_factory) -> dict[str, object]:
    """One run of vnu.jar over the demo pages and the rendered theme fixtures (the JVM takes ~2 s to start)."""
    require(not vnu_missing(), vnu_missing())
    demo = demo_pages_to_check(built_demo)
    fixtures: dict[str, Path] = {}
    fixture_error = ""
    try:
        fixtures = fixture_pages_to_check(tmp_path_factory.mktemp("theme_pages"))
    except Exception as e:  # reported by the fixture test; the demo pages are still checked
        fixture_error = f"rendering tests/render_fixtures.py failed: {type(e).__name__}: {e}"
    files = [*demo.values(), *fixtures.values()]
    proc = subprocess.run(["java", "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--asciiquotes",
                           "--format", "json", *map(str, files)], capture_output=True, text=True, timeout=300,
                          check=False)
    try:
        messages = json.loads(proc.stderr or proc.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar (exit {proc.returncode}) printed no JSON:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    errors: dict[Path, list[str]] = defaultdict(list)
    for m in messages:
        if m.get("type") in ("error", "non-document-error") or m.get("subType") == "fatal":
            file = Path(unquote(urlsplit(m.get("url", "")).path)).resolve() if m.get("url") else Path("?")
            extract = (m.get("extract") or "")[:120]
            errors[file].append(f"line {m.get('lastLine', '?')}: {m.get('message')}  [{extract}]")
    checked = {f.resolve() for f in files}
    other = [f"{file}: {err}" for file, errs in errors.items() if file not in checked for err in errs]
    if proc.returncode != 0 and not errors:
        other.append(f"vnu.jar exit {proc.returncode} with no error listed:\n{proc.stderr[-2000:]}")
    return {"demo": demo, "fixtures": fixtures, "fixture_error": fixture_error, "errors": errors, "other": other}


def vnu_report(checked: dict[str, Path], errors: dict[Path, list[str]], build: Path | None = None) -> str:
    lines = []
    for name, file in checked.items():
        for err in errors.get(file.resolve(), []):
            where = page_path(build, file) if build else file.name
            lines.append(f"{name} ({where}) {err}")
    return "\n".join(lines)


def test_html_of_the_demo_build_is_valid(built_demo: ServedSite, vnu_results):
    demo = vnu_results["demo"]
    assert {"home", "category", "search", "disclosure", "404", "brand", "product: multi_shop_ad"} <= set(demo)
    problems = "\n".join([vnu_report(demo, vnu_results["errors"], built_demo.build), *vnu_results["other"]]).strip()
    assert not problems, f"Nu HTML Checker errors in the demo build:\n{problems}"


def test_html_of_every_theme_template_is_valid(vnu_results):
    """The fixtures cover what the demo build may not have: a gone product, a /go/ page, English."""
    assert not vnu_results["fixture_error"], vnu_results["fixture_error"]
    problems = vnu_report(vnu_results["fixtures"], vnu_results["errors"])
    assert not problems, f"Nu HTML Checker errors in the theme rendered from tests/render_fixtures.py:\n{problems}"


# --- Lighthouse --------------------------------------------------------------------------------------


def test_lighthouse(built_demo: ServedSite, capsys):
    """>= 95 in all four categories (mobile) on the home page, a category page and a product page."""
    from bench.lighthouse import BAR, audit_pages
    from tests.site_fixture import lighthouse_missing

    require(not lighthouse_missing(), lighthouse_missing())
    product = sample_products(built_demo)["multi_shop_ad"]  # offers table, ad marking, price chart, gallery
    paths = ["/", "/electronics/smartphones/", product.path]
    results = audit_pages(built_demo.origin, paths, BAR)
    with capsys.disabled():
        print("\nLighthouse (mobile):\n" + "\n".join(page.line() for page in results))
    failing = [f"{page.line()}\n{page.explain(BAR)}" for page in results if page.below(BAR)]
    assert not failing, "Lighthouse scores below {}:\n{}".format(BAR, "\n".join(failing))
