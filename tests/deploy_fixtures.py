"""A small site folder with a built-looking build/ for the deploy tests: real files, real targets.

The deploy targets do not care who rendered build/, so these tests write a handful of files of every
kind a build makes (pages, fingerprinted assets, images, Pagefind files, sitemaps, the Atom feed)
instead of running a whole build.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from showcase.config import load_site

BUILD_FILES = {
    "index.html": b"<!doctype html><title>Home</title><link rel=stylesheet href=/assets/site.445e27aa.css>",
    "404.html": b"<!doctype html><title>Not found</title>",
    "p/tent/index.html": b"<!doctype html><title>Tent</title>",
    "p/stove/index.html": b"<!doctype html><title>Stove</title>",
    "assets/site.445e27aa.css": b"body{margin:0}",
    "assets/search.81742722.js": b"console.log(1)",
    "img/9b/9b3cab1290ffe2d1-400.webp": b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    "pagefind/0/pagefind.js": b"export const x=1",
    "pagefind/0/fragment/ru_112e271.pf_fragment": b"\x1f\x8b\x08\x00",
    "pagefind/0/wasm.ru.pagefind": b"\x00asm",
    "sitemap.xml": b"<?xml version='1.0'?><sitemapindex/>",
    "feed.xml": b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'/>",
    "robots.txt": b"User-agent: *\n",
    "data/sport/cards.json": b"[]",
}


def make_site(root: Path, deploy: dict) -> object:
    """A site folder with ``deploy`` targets in its site.yml and BUILD_FILES in build/; the loaded Site."""
    root.mkdir(parents=True, exist_ok=True)
    config = {"site": {"title": "Deploy test", "base_url": "https://shop.example.com/", "language": "en",
                       "currency": "USD"},
              "deploy": deploy}
    (root / "site.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    write_build(root / "build", BUILD_FILES)
    return load_site(root)


def write_build(build: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        path = build / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (following a symlinked root) by relative path."""
    root = root.resolve()
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
