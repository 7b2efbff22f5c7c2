"""Sitemaps (split at 50,000 URLs, with an index), robots.txt and the Atom feed."""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

SITEMAP_MAX = 50_000
ATOM_ENTRIES = 50


def indexable_urls(site) -> list[str]:
    """Every page a search engine should index: no gone products, no redirects, no search page."""
    urls = ["/", "/brands/", "/shops/", "/disclosure/"]
    size = site.config.page_size
    for cat in site.categories.values():
        if cat.products:
            urls += [cat.url] + [f"{cat.url}page/{n}/" for n in range(2, -(-len(cat.products) // size) + 1)]
    for base, count in [(f"/brand/{slug}/", len(ids)) for slug, (_, ids) in site.brands.items()] + \
            [(f"/shop/{key}/", len(ids)) for key, ids in site.shops.items()]:
        urls += [base] + [f"{base}page/{n}/" for n in range(2, -(-count // size) + 1)]
    urls += [p.url for p in site.products.values() if not p.gone]
    return urls


def sitemaps(base_url: str, urls: list[str]) -> Iterator[tuple[str, bytes]]:
    """sitemap.xml is always an index, pointing at sitemaps/sitemap-N.xml of at most 50,000 URLs each."""
    parts = [urls[i:i + SITEMAP_MAX] for i in range(0, len(urls), SITEMAP_MAX)] or [[]]
    for n, part in enumerate(parts, 1):
        body = "".join(f"<url><loc>{escape(base_url + u.lstrip('/'))}</loc></url>\n" for u in part)
        yield (f"sitemaps/sitemap-{n}.xml",
               ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{body}</urlset>\n").encode())
    index = "".join(f"<sitemap><loc>{escape(base_url)}sitemaps/sitemap-{n}.xml</loc></sitemap>\n"
                    for n in range(1, len(parts) + 1))
    yield ("sitemap.xml", ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex '
                           f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}</sitemapindex>\n').encode())


def robots(site) -> bytes:
    lines = ["User-agent: *", "Disallow: /search/"]
    if site.config.links.mode == "redirect":
        lines.append("Disallow: /go/")
    lines += ["", f"Sitemap: {site.config.site.base_url}sitemap.xml", ""]
    return "\n".join(lines).encode()


def atom(site) -> bytes:
    """New and discounted products, newest first."""
    live = [p for p in site.products.values() if not p.gone and p.available]
    newest = sorted(live, key=lambda p: (p.created_at, p.id), reverse=True)[:ATOM_ENTRIES // 2]
    discounted = sorted((p for p in live if p.discount and p not in newest), key=lambda p: -p.discount)
    entries = newest + discounted[:ATOM_ENTRIES - len(newest)]
    base = site.config.site.base_url
    updated = max((p.created_at for p in entries), default=site.now.isoformat(timespec="seconds"))
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{escape(site.config.site.title)}</title>", f'<link href="{escape(base)}"/>',
           f'<link rel="self" href="{escape(base)}feed.xml"/>', f"<id>{escape(base)}</id>",
           f"<updated>{updated}</updated>"]
    for p in entries:
        price = site.money(p.price_cents).text if p.price_cents is not None else ""
        summary = f"{price} (−{p.discount}%)" if p.discount else price
        out += ["<entry>", f"<title>{escape(p.title)}</title>", f'<link href="{escape(base + p.url.lstrip("/"))}"/>',
                f"<id>{escape(base + p.url.lstrip('/'))}</id>", f"<updated>{p.created_at}</updated>",
                f"<summary>{escape(summary)}</summary>", "</entry>"]
    out.append("</feed>\n")
    return "\n".join(out).encode()
