"""Open a feed file: undo its compression, find its format and its text encoding, by content.

Nothing here trusts the file name. The first bytes decide:

* compression: gzip (``1f 8b``), zip (``PK\\x03\\x04``; the archive must hold exactly one
  feed file, ``__MACOSX/`` and directory entries are ignored), else none. Decompression
  streams: nothing reads the whole file into memory.
* format, from the first ``HEAD_SIZE`` bytes after decompression:
  XML with root ``yml_catalog`` (or any other XML root with ``<offer`` in it) → ``"yml"``;
  ``rss`` / Atom ``feed`` with the Google namespace or with ``<item>`` / ``<entry>`` →
  ``"merchant"`` (dialect ``"rss"`` / ``"atom"``); text whose first line is a delimited header →
  ``"csv"`` (dialect: the delimiter's name), except a tab-separated header with Google Merchant
  attribute names (``id``, ``title`` and ``link`` or ``price``) → ``"merchant"``, dialect ``"tsv"``.
  HTML pages, DTDs, XML schemas, JSON, PDFs, images, other archives and empty files are
  rejected with a :class:`~showcase.errors.FeedError` that says what the file looks like.
* encoding. XML: an explicit override wins; else the BOM or the XML declaration (handed to
  libxml2, or transcoded in Python when libxml2 does not know the name); with neither, UTF-8
  when the leading ``HEAD_SIZE`` bytes are valid UTF-8, else windows-1251. Because a windows-1251
  file may be pure ASCII for its first megabytes, an undeclared UTF-8 stream is checked as it is
  read and switches to windows-1251 at the first byte that is not UTF-8 (what came before was
  valid UTF-8, usually ASCII, so nothing is decoded twice); ``FeedInfo.encoding`` then changes to
  ``"windows-1251"``. CSV/TSV: override, BOM, then the same UTF-8 / windows-1251 rule.
* old-Mac CR-only line ends in XML become LF on the way to libxml2 (which would otherwise count
  the whole file as line 1); XML treats both the same. The csv module reads CR-only as written.

The bottom of the module holds small value helpers the three parsers share (availability
words, packed picture lists, category paths).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import gzip
import html
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from showcase.errors import FeedError

HEAD_SIZE = 1 << 20  # bytes sniffed for format and encoding (kept, then replayed to the parser)
CHUNK = 1 << 16
GOOGLE_NS = "http://base.google.com/ns/1.0"
FALLBACK_ENCODING = "windows-1251"

_DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DELIMITER_NAMES = {
    ",": ",", "comma": ",", ";": ";", "semicolon": ";", "\t": "\t", "\\t": "\t", "tab": "\t",
    "|": "|", "pipe": "|",
}  # fmt: skip


def delimiter_char(name: str) -> str:
    """``","``, ``"tab"``, ``"\\t"``, ... -> the delimiter character."""
    return DELIMITER_NAMES.get(name, name)


def delimiter_name(char: str) -> str:
    """The FeedInfo.dialect for a CSV delimiter: comma, semicolon, tab, pipe, or the character."""
    return _DELIMITERS.get(char, char)


_MERCHANT_TSV_NEED = ("id", "title")
_MERCHANT_TSV_ANY = ("link", "price")

_MAGIC = [
    (b"BZh", "a bzip2 archive (only gzip and zip are supported)"),
    (b"\xfd7zXZ\x00", "an xz archive (only gzip and zip are supported)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive (only gzip and zip are supported)"),
    (b"Rar!", "a RAR archive (only gzip and zip are supported)"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive (only gzip and zip are supported)"),
    (b"%PDF", "a PDF document, not a feed"),
    (b"\x89PNG", "a PNG image, not a feed"),
    (b"\xff\xd8\xff", "a JPEG image, not a feed"),
    (b"GIF8", "a GIF image, not a feed"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (xls/doc); export the sheet as CSV"),
    (b"SQLite format 3\x00", "an SQLite database, not a feed"),
]


# --------------------------------------------------------------------------- streams


class _Reader(io.RawIOBase):
    """Replays the sniffed head, then reads on; turns decompression errors into FeedError."""

    def __init__(self, path: str, compression: str, head: bytes, raw, closers: list):
        super().__init__()
        self._path = path
        self._compression = compression
        self._head = head
        self._pos = 0
        self._raw = raw
        self._closers = closers

    def readable(self) -> bool:
        return True

    def _read_raw(self, n: int) -> bytes:
        try:
            return self._raw.read(n)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
            what = f"{self._compression} data" if self._compression != "none" else "file"
            raise FeedError(self._path, f"cannot read {what}: {e}") from None

    def read(self, n: int | None = -1) -> bytes:
        if self._pos < len(self._head):
            if n is None or n < 0:
                data = self._head[self._pos :] + self._read_raw(-1)
                self._pos = len(self._head)
                return data
            data = self._head[self._pos : self._pos + n]
            self._pos += len(data)
            return data
        return self._read_raw(-1 if n is None else n)

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for c in reversed(self._closers):
                with contextlib.suppress(Exception):  # closing must not mask the real error
                    c.close()
        super().close()


class CrToLf(io.RawIOBase):
    """Old-Mac CR-only line ends turned into LF, so libxml2 counts lines (XML reads both as LF)."""

    def __init__(self, raw):
        super().__init__()
        self._raw = raw

    def readable(self) -> bool:
        return True

    def read(self, n: int | None = -1) -> bytes:
        return self._raw.read(n).replace(b"\r", b"\n")

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class Recoder(io.RawIOBase):
    """Reads a byte stream and hands on UTF-8.

    ``codec=None``: the input should be UTF-8; it is validated as it streams and, at the first
    byte sequence that is not UTF-8, the rest is decoded as windows-1251 (``on_switch`` is
    called once). Otherwise the input is decoded with ``codec`` (invalid bytes replaced).
    """

    def __init__(self, raw, codec: str | None = None, on_switch=None):
        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(codec)("replace") if codec else None
        self._on_switch = on_switch
        self._pending = b""
        self._out = b""
        self._eof = False
        self.switched = False

    def readable(self) -> bool:
        return True

    def _fill(self, size: int) -> None:
        chunk = self._raw.read(size)
        final = not chunk
        if final:
            self._eof = True
        if self._decoder is not None:
            self._out = self._decoder.decode(chunk, final).encode("utf-8")
            return
        data = self._pending + chunk if self._pending else chunk
        self._pending = b""
        try:
            data.decode("utf-8")
            self._out = data
            return
        except UnicodeDecodeError as e:
            if not final and e.end == len(data) and len(data) - e.start < 4 and "end of data" in e.reason:
                self._out = data[: e.start]  # an incomplete sequence at the chunk end: wait for more
                self._pending = data[e.start :]
                return
            start = e.start
        self.switched = True
        if self._on_switch is not None:
            self._on_switch()
        self._decoder = codecs.getincrementaldecoder("cp1251")("replace")
        self._out = data[:start] + self._decoder.decode(data[start:], final).encode("utf-8")

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while True:
                part = self.read(CHUNK)
                if not part:
                    return b"".join(parts)
                parts.append(part)
        while not self._out and not self._eof:
            self._fill(max(n, 4096))
        if len(self._out) <= n:
            data, self._out = self._out, b""
        else:
            data, self._out = self._out[:n], self._out[n:]
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


# --------------------------------------------------------------------------- opening


def _open_decompressed(path: str) -> tuple[BinaryIO, str, str, list]:
    """(stream, compression, zip member name, things to close)."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed through the returned closers
    except OSError as e:
        raise FeedError(path, f"cannot open feed file: {e.strerror or e}") from None
    closers: list = [f]
    try:
        magic = f.read(4)
        f.seek(0)
        if magic[:2] == b"\x1f\x8b":
            g = gzip.GzipFile(fileobj=f, mode="rb")
            closers.append(g)
            return g, "gzip", "", closers
        if magic == b"PK\x03\x04":
            try:
                zf = zipfile.ZipFile(f)
            except (zipfile.BadZipFile, OSError) as e:
                raise FeedError(path, f"not a readable zip archive: {e}") from None
            closers.append(zf)
            names = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            if not names:
                raise FeedError(path, "the zip archive holds no file")
            if any(i.filename == "[Content_Types].xml" for i in names):
                raise FeedError(path, "looks like an Excel/Office document (xlsx), not a feed; export it as CSV")
            if len(names) > 1:
                listed = ", ".join(i.filename for i in names[:10]) + (", ..." if len(names) > 10 else "")
                raise FeedError(
                    path, f"the zip archive holds {len(names)} files ({listed}); expected exactly one feed file"
                )
            info = names[0]
            if info.flag_bits & 0x1:
                raise FeedError(path, f"the zip member {info.filename} is encrypted")
            try:
                member = zf.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as e:
                raise FeedError(path, f"cannot read zip member {info.filename}: {e}") from None
            closers.append(member)
            return member, "zip", info.filename, closers
        return f, "none", "", closers
    except BaseException:
        for c in reversed(closers):
            c.close()
        raise


def _read_head(path: str, stream, compression: str) -> bytes:
    parts, size = [], 0
    try:
        while size < HEAD_SIZE:
            part = stream.read(HEAD_SIZE - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as e:
        what = f"{compression} data" if compression != "none" else "file"
        raise FeedError(path, f"cannot read {what}: {e}") from None
    return b"".join(parts)


@dataclass
class Source:
    """A sniffed feed file. ``open_binary`` (XML) / ``open_text`` (CSV, TSV) give a parser its stream."""

    path: str
    format: str
    dialect: str
    compression: str
    encoding: str  # the encoding reported in FeedInfo
    member: str = ""  # zip member name
    # how to read it
    xml_encoding: str | None = None  # passed to lxml (None: libxml2 reads BOM / declaration)
    transcode: str | None = None  # Python codec to transcode to UTF-8 first (XML) / text codec (CSV)
    lenient_utf8: bool = False  # validate UTF-8 while streaming, fall back to windows-1251
    cr_only: bool = False  # CR-only line ends in an ASCII-compatible XML file: make them LF
    _reader: _Reader | None = field(default=None, repr=False)
    _open: list = field(default_factory=list, repr=False)

    def _binary(self) -> _Reader:
        if self._reader is not None:  # the stream we sniffed from: use it once
            r, self._reader = self._reader, None
            return r
        stream, compression, _member, closers = _open_decompressed(self.path)
        return _Reader(self.path, compression, b"", stream, closers)

    def open_binary(self, on_switch=None):
        """(byte stream, encoding for lxml or None) for an XML parser."""
        r = self._binary()
        self._open.append(r)
        encoding = self.xml_encoding
        if self.transcode:
            r = Recoder(r, self.transcode)
            encoding = "utf-8"
        elif self.lenient_utf8:
            r = Recoder(r, None, on_switch)
            encoding = "utf-8"
        if self.cr_only:
            r = CrToLf(r)
        if r is not self._open[-1]:
            self._open.append(r)
        return r, encoding

    def open_text(self, on_switch=None) -> io.TextIOWrapper:
        """A text stream (newline='' so csv sees CR, LF and CRLF as written)."""
        r = self._binary()
        self._open.append(r)
        if self.lenient_utf8:
            r = Recoder(r, None, on_switch)
            self._open.append(r)
            codec = "utf-8"
        else:
            codec = self.transcode or "utf-8"
        t = io.TextIOWrapper(io.BufferedReader(r, CHUNK), encoding=codec, errors="replace", newline="")
        self._open.append(t)
        return t

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        while self._open:
            s = self._open.pop()
            with contextlib.suppress(Exception):
                s.close()


def open_source(
    path, *, format: str | None = None, encoding: str | None = None, csv_delimiter: str | None = None
) -> Source:
    """Open and sniff ``path``. ``format``: "yml" | "merchant" | "csv" to skip detection.

    ``csv_delimiter`` (a configured CSV delimiter): a text file is then read as CSV with it."""
    path = str(path)
    if format is not None and format not in ("yml", "merchant", "csv"):
        raise FeedError(path, f"unknown feed format {format!r}: expected yml, merchant or csv")
    if encoding is not None:
        try:
            encoding = _canonical(codecs.lookup(encoding).name, encoding)
        except LookupError:
            raise FeedError(path, f"unknown encoding {encoding!r}") from None
    stream, compression, member, closers = _open_decompressed(path)
    try:
        head = _read_head(path, stream, compression)
        reader = _Reader(path, compression, head, stream, closers)
    except BaseException:
        for c in reversed(closers):
            c.close()
        raise
    try:
        try:
            if format is None and csv_delimiter and not _sniff_text(head).lstrip().startswith("<"):
                reject_non_feed(path, head)
                fmt, dialect = "csv", delimiter_name(delimiter_char(csv_delimiter))
            elif format is None:
                fmt, dialect = sniff_format(path, head)
            else:
                reject_non_feed(path, head)
                fmt, dialect = format, _forced_dialect(format, head)
        except FeedError as e:
            if member:
                raise FeedError(path, f"{e.reason} (zip member {member})") from None
            raise
        src = Source(path, fmt, dialect, compression, "", member)
        if fmt in ("yml",) or (fmt == "merchant" and dialect != "tsv"):
            _xml_encoding(src, head, encoding)
            ascii_compatible = not (src.encoding.startswith("utf-16") or src.encoding.startswith("utf-32"))
            src.cr_only = ascii_compatible and b"\r" in head and b"\n" not in head
        else:
            _text_encoding(src, head, encoding)
        src._reader = reader
        return src
    except BaseException:
        reader.close()
        raise


def detect(path) -> tuple[str, str]:
    """(format, compression) of the feed file at ``path``; FeedError when it is not a feed."""
    src = open_source(path)
    src.close()
    return src.format, src.compression


# --------------------------------------------------------------------------- format


_PROLOG = re.compile(r"""\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]*\[.*?\])?[^>]*>)""", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_DTD_DECL = re.compile(r"\s*<!(?:ELEMENT|ATTLIST|ENTITY|NOTATION)\b")


def _sniff_text(head: bytes) -> str:
    """The head decoded well enough to look at its structure (ASCII-level)."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", "replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", "replace")
    return head.decode("latin-1")


def _skip_prolog(text: str) -> int:
    pos = 0
    while True:
        m = _PROLOG.match(text, pos)
        if not m:
            return pos
        pos = m.end()


def xml_root(text: str) -> str | None:
    """The root element name of an XML document's head, or None when there is none."""
    m = _ROOT.match(text, _skip_prolog(text))
    return m.group(1) if m else None


def reject_non_feed(where: str, head: bytes) -> None:
    """FeedError for what is never a feed, whatever format was asked for: empty, HTML, binary."""
    text = _sniff_text(head)
    stripped = text.lstrip()
    if not stripped:
        raise FeedError(where, "empty file" if not head else "empty file (only whitespace)")
    low = stripped[:4000].lower()
    if low.startswith(("<!doctype html", "<html")) or re.match(r"(?:<!--.*?-->\s*)+<(?:!doctype html|html)", low, re.S):
        raise FeedError(where, "looks like an HTML page, not a feed (an error or login page saved instead?)")
    if stripped.startswith("<"):
        if (xml_root(text) or "").lower() == "html":
            raise FeedError(where, "looks like an HTML page, not a feed (an error or login page saved instead?)")
        return
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise FeedError(where, f"looks like {what}")
    sample = text[:8192]
    if "\x00" in sample or sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n\f") > len(sample) // 20:
        raise FeedError(where, "binary data, not a feed (first bytes: " + head[:8].hex(" ") + ")")


def sniff_format(where: str, head: bytes) -> tuple[str, str]:
    """(format, dialect) from the first bytes; FeedError naming what the file looks like."""
    reject_non_feed(where, head)
    text = _sniff_text(head)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        pos = _skip_prolog(text)
        if _DTD_DECL.match(text, pos):
            raise FeedError(where, "looks like a DTD (document type definition), not a feed")
        m = _ROOT.match(text, pos)
        if m is None:
            if "<yml_catalog" in text or "<offer" in text:
                return "yml", ""
            raise FeedError(where, "XML whose root element was not found in the first megabyte; not a known feed")
        root = m.group(1)
        local = root.rsplit(":", 1)[-1]
        llow = local.lower()
        if local == "yml_catalog":
            return "yml", ""
        if llow == "rss":
            if GOOGLE_NS in text or "<item" in text:
                return "merchant", "rss"
            raise FeedError(where, "an RSS feed without Google Merchant items (no g: namespace, no <item>)")
        if llow == "feed":
            if GOOGLE_NS in text or "<entry" in text:
                return "merchant", "atom"
            raise FeedError(where, "an Atom feed without Google Merchant entries (no g: namespace, no <entry>)")
        if llow == "schema":
            raise FeedError(where, "looks like an XML Schema (XSD), not a feed")
        if "<offer" in text:
            return "yml", ""
        if GOOGLE_NS in text:
            return "merchant", "atom" if "<entry" in text else "rss"
        raise FeedError(where, f"unknown XML format: root element <{root}> is not yml_catalog, rss or feed")
    if stripped[0] in "{[":
        raise FeedError(where, "looks like JSON, which is not a supported feed format")
    delim = sniff_delimiter(text)
    if delim is None:
        raise FeedError(where, "unknown format: not XML, and the first line is not a delimited header")
    if delim == "\t" and is_merchant_header(_first_line(text).split("\t")):
        return "merchant", "tsv"
    return "csv", _DELIMITERS[delim]


def _forced_dialect(fmt: str, head: bytes) -> str:
    text = _sniff_text(head)
    if fmt == "yml":
        return ""
    if fmt == "merchant":
        if text.lstrip().startswith("<"):
            root = (xml_root(text) or "").rsplit(":", 1)[-1].lower()
            return "atom" if root == "feed" else "rss"
        return "tsv"
    return _DELIMITERS.get(sniff_delimiter(text) or ",", "comma")


def _first_line(text: str) -> str:
    return re.split(r"\r\n|\r|\n", text.lstrip("\ufeff"), maxsplit=1)[0]


def merchant_key(name: str) -> str:
    """A Merchant attribute name from a TSV header cell or XML local name."""
    k = name.strip().lstrip("\ufeff").lower()
    k = k.removeprefix("g:")
    return k.replace(" ", "_")


def is_merchant_header(cells: list[str]) -> bool:
    keys = {merchant_key(c) for c in cells}
    return all(k in keys for k in _MERCHANT_TSV_NEED) and any(k in keys for k in _MERCHANT_TSV_ANY)


def sniff_delimiter(text: str) -> str | None:
    """The delimiter of a CSV sample: the one giving the widest header that most rows agree with."""
    text = text.lstrip("\ufeff")
    cut = max(text.rfind("\n", 0, 65536), text.rfind("\r", 0, 65536))
    sample = text[: cut + 1] if cut > 0 else text[:65536]
    header = _first_line(sample)
    best, best_score = None, None
    for d in _DELIMITERS:
        if d not in header:
            continue
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=d) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        agree = sum(1 for r in rows[1:50] if len(r) == width)
        score = (agree, width)
        if best_score is None or score > best_score:
            best, best_score = d, score
    return best


# --------------------------------------------------------------------------- encoding

_DECL = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_MISSPELLED = {"windows1251": "cp1251", "win1251": "cp1251", "windows1252": "cp1252", "win1252": "cp1252"}
_NAMES = {"cp1251": "windows-1251", "cp1252": "windows-1252", "utf_8": "utf-8", "utf_8_sig": "utf-8"}


def _canonical(python_name: str, written: str) -> str:
    return _NAMES.get(python_name, written.lower())


@functools.lru_cache(maxsize=32)
def _libxml2_knows(enc: str) -> bool:
    from lxml import etree

    try:
        etree.fromstring(f'<?xml version="1.0" encoding="{enc}"?><a/>'.encode("ascii"))
        return True
    except etree.XMLSyntaxError:
        return False
    except (LookupError, ValueError):
        return False


def valid_utf8_head(head: bytes) -> bool:
    """True when ``head`` is UTF-8 (an incomplete sequence cut off at its end is fine)."""
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        return e.end == len(head) and len(head) - e.start < 4 and "end of data" in e.reason


def _xml_encoding(src: Source, head: bytes, override: str | None) -> None:
    if override:
        src.encoding = override
        src.transcode = override
        return
    if head.startswith(codecs.BOM_UTF8):
        src.encoding = "utf-8"
        return
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        src.encoding = "utf-16"
        return
    m = _DECL.match(head)
    if m:
        written = m.group(1).decode("ascii")
        try:
            pyname = codecs.lookup(written).name
        except LookupError:  # "windows1251", "win-1251": misspellings seen in generated feeds
            pyname = _MISSPELLED.get(re.sub(r"[^a-z0-9]", "", written.lower()))
        src.encoding = _canonical(pyname, written) if pyname else written.lower()
        if pyname and not _libxml2_knows(written):
            src.transcode = pyname  # e.g. "windows1251": Python knows it, libxml2 does not
        return
    if valid_utf8_head(head):
        src.encoding = "utf-8"
        src.lenient_utf8 = True
    else:
        src.encoding = FALLBACK_ENCODING
        src.xml_encoding = FALLBACK_ENCODING


def _text_encoding(src: Source, head: bytes, override: str | None) -> None:
    if override:
        src.encoding = override
        src.transcode = "utf-8-sig" if override == "utf-8" else override
    elif head.startswith(codecs.BOM_UTF8):
        src.encoding, src.transcode = "utf-8", "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        src.encoding, src.transcode = "utf-16", "utf-16"
    elif valid_utf8_head(head):
        src.encoding, src.lenient_utf8 = "utf-8", True
    else:
        src.encoding, src.transcode = FALLBACK_ENCODING, "cp1251"


# --------------------------------------------------------------------------- value helpers

_AVAILABILITY = {
    "true": True, "1": True, "yes": True, "y": True, "+": True, "in stock": True, "instock": True,
    "available": True, "available for order": True, "limited availability": True, "preorder": True,
    "pre order": True, "backorder": True, "back order": True, "on order": True, "on backorder": True,
    "false": False, "0": False, "no": False, "n": False, "-": False, "out of stock": False,
    "outofstock": False, "sold out": False, "soldout": False, "discontinued": False,
    "not available": False, "unavailable": False, "not in stock": False,
    "да": True, "есть": True, "в наличии": True, "под заказ": True, "так": True, "в наявності": True,
    "нет": False, "нет в наличии": False, "ні": False, "немає": False, "немає в наявності": False,
}  # fmt: skip


def parse_availability(value: str | None) -> bool | None:
    """True/False from the many ways feeds say it; a stock count > 0 is True; else None.

    ``in stock``, ``in_stock``, ``limited availability``, ``preorder`` and ``backorder`` (it can be
    ordered) are True; ``out of stock``, ``discontinued`` are False; also true/false, yes/no, 1/0
    and the Russian/Ukrainian да/нет, в наличии, под заказ, так/ні. A schema.org URL
    (``https://schema.org/InStock``) is read by its last part.
    """
    if not value:
        return None
    v = value.strip().lower()
    if "/" in v:
        v = v.rstrip("/").rsplit("/", 1)[-1]
    v = v.replace("_", " ").replace("-", " ") if v not in ("-",) else v
    r = _AVAILABILITY.get(v)
    if r is None and v:
        r = _AVAILABILITY.get(" ".join(v.split()))
        if r is None:
            r = _AVAILABILITY.get(v.replace(" ", ""))
    if r is None:
        n = parse_count(v)
        if n is not None:
            return n > 0
    return r


def parse_count(value: str | None) -> int | None:
    """A stock quantity as an int, or None when it is not a number."""
    if not value:
        return None
    v = value.strip().replace(" ", "")
    if v.startswith(("+", "-")):
        sign, v = v[0], v[1:]
    else:
        sign = ""
    if v.isdigit():
        return int(sign + v)
    try:
        return int(float(sign + v.replace(",", ".")))
    except ValueError:
        return None


_URL_SPLIT = re.compile(r"\s*\|\s*|\s*,\s*(?=(?:https?:)?//)|\s+(?=(?:https?:)?//)|;\s*(?=(?:https?:)?//)")


def split_urls(value: str) -> list[str]:
    """One or several URLs from one cell: ``a | b |``, ``a,b``, ``a b``. Commas that are part of a
    URL (``w_300,h_200``) are kept: a comma splits only when a URL follows it."""
    v = value.strip()
    if not v:
        return []
    if "|" not in v and "," not in v and " " not in v and "\n" not in v and ";" not in v and "\t" not in v:
        return [v]
    return [p for p in _URL_SPLIT.split(v) if p]


def split_path(value: str) -> list[str]:
    """A category path cell: split on ``>`` (after unescaping a double-escaped ``&gt;`` once more);
    without any ``>``, on ``/``; parts stripped, empty parts dropped."""
    v = value.strip()
    if not v:
        return []
    if "&" in v:
        v = html.unescape(v)
    sep = ">" if ">" in v else "/" if "/" in v else None
    if sep is None:
        return [v]
    return [p.strip() for p in v.split(sep) if p.strip()]
