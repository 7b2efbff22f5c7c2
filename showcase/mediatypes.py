"""Content types and cache classes of the files a build produces, for every place that serves them
(the preview server, the S3 target)."""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath

# Explicit, so a publish never depends on the host's /etc/mime.types (which may lack .webp or .wasm).
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    # Pagefind's index files: binary, fetched by its own script
    ".pagefind": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_meta": "application/octet-stream",
}
BY_NAME = {"feed.xml": "application/atom+xml; charset=utf-8"}

# A name that carries a content hash: site.445e27aa.css, ru_112e271.pf_fragment, 9b3c…-400.webp.
# A run of 7+ hex digits with at least one digit, between separators (so words like "defaced" are not).
_FINGERPRINT = re.compile(r"(?:^|[._-])(?=[0-9a-f]*[0-9])[0-9a-f]{7,}(?=[._-]|$)")


def content_type(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.name in BY_NAME:
        return BY_NAME[path.name]
    known = TYPES.get(path.suffix.lower())
    return known or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def is_fingerprinted(rel: str) -> bool:
    """True when the file's name changes whenever its content does, so it can be cached for good."""
    return bool(_FINGERPRINT.search(PurePosixPath(rel).name))
