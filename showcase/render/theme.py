"""Templates and static files: the site's overrides, then its theme, then the built-in default theme.

An override can extend the template it replaces: ``{% extends "theme/product.html" %}`` names the
theme's own version. Static files are published under /assets/ with a content hash in their names
(``site.3f9a1c2b.css``), so they can be cached for a year.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from showcase.errors import ShowcaseError

BUILTIN_THEMES = Path(__file__).resolve().parents[2] / "themes"


def theme_dirs(site_root: Path, theme: str) -> list[Path]:
    """The theme's folders, most specific first: the site's own themes/<name>, then the built-in one."""
    found = [d / theme for d in (site_root / "themes", BUILTIN_THEMES) if (d / theme / "templates").is_dir()]
    if not found:
        raise ShowcaseError(f"theme {theme!r} not found in {site_root / 'themes'} or {BUILTIN_THEMES}")
    return found


def make_env(site_root: Path, theme: str) -> jinja2.Environment:
    theme_loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(d / "templates") for d in theme_dirs(site_root, theme)])
    loader = jinja2.ChoiceLoader([
        jinja2.FileSystemLoader(site_root / "templates"),  # single-template overrides
        jinja2.PrefixLoader({"theme": theme_loader}),
        theme_loader,
    ])
    return jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True,
                              undefined=jinja2.StrictUndefined, auto_reload=False)


def static_files(site_root: Path, theme: str) -> dict[str, Path]:
    """name -> file, the site's theme first (a file there replaces the built-in one of the same name)."""
    out: dict[str, Path] = {}
    for d in reversed(theme_dirs(site_root, theme)):
        static = d / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    out[path.relative_to(static).as_posix()] = path
    return out


def fingerprinted(name: str, data: bytes) -> str:
    stem, dot, suffix = name.rpartition(".")
    digest = hashlib.blake2b(data, digest_size=4).hexdigest()
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


def templates_digest(site_root: Path, theme: str) -> str:
    """A hash of every template and static file that can shape the output."""
    digest = hashlib.blake2b(digest_size=16)
    dirs = [site_root / "templates", *theme_dirs(site_root, theme)]
    for d in dirs:
        if d.is_dir():
            for path in sorted(d.rglob("*")):
                if path.is_file():
                    digest.update(path.relative_to(d).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
