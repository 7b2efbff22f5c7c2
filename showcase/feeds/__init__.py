"""Streaming feed parsers: one raw feed file in, a stream of raw offers plus the feed's header out.

Usage::

    with open_feed("feeds/shop.xml.gz") as feed:
        print(feed.info.format, feed.info.encoding, feed.info.compression)
        for item in feed:            # RawOffer | Skip, in file order
            ...
        feed.info.categories         # complete once iteration has finished

Formats (see each module's docstring for what it supports):

* ``"yml"``: Yandex Market Language (:mod:`showcase.feeds.yml`);
* ``"merchant"``: Google Merchant RSS 2.0 / Atom 1.0 (dialects ``"rss"`` / ``"atom"``) and the
  Merchant tab-separated text feed (dialect ``"tsv"``) (:mod:`showcase.feeds.merchant`);
* ``"csv"``: affiliate CSV with delimiter sniffing and column mapping (:mod:`showcase.feeds.csvfeed`).

The file is recognized by its bytes, not its name: plain, gzip or a zip holding one file
(:mod:`showcase.feeds.source`). ``format`` forces a parser (``format="csv"`` reads a Merchant
TSV with the generic CSV columns); ``encoding`` forces the text encoding. ``csv_options`` apply
to the CSV parser only; a configured delimiter makes any text (non-XML) file CSV with it.

Parsers only read. They yield strings as written (trimmed); money, titles, HTML, duplicate ids
and category trees are for ``showcase.normalize`` / ``showcase.catalog``. A document that is
not well-formed raises :class:`~showcase.errors.FeedError` (with line and column) from iteration,
after everything before the error was yielded; a single bad offer or row is a :class:`Skip`.
"""

from __future__ import annotations

from collections.abc import Iterator

from showcase.errors import FeedError
from showcase.feeds.base import Category, FeedInfo, RawOffer, Skip
from showcase.feeds.csvfeed import CsvOptions
from showcase.feeds.source import Source, detect, open_source

__all__ = ["Category", "CsvOptions", "Feed", "FeedError", "FeedInfo", "RawOffer", "Skip", "detect", "open_feed"]


class Feed:
    """An opened feed. Iterate it for offers; ``info`` holds the header (filled as parsing goes).

    Each ``iter()`` streams the file from the start (the first one reuses the bytes read while
    sniffing). Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, source: Source, csv_options: CsvOptions | None = None):
        self.path = source.path
        self._source = source
        self._csv_options = csv_options or CsvOptions()
        self.info = FeedInfo(
            format=source.format,
            encoding=source.encoding,
            compression=source.compression,
            dialect=source.dialect,
        )

    def _switched(self) -> None:
        self.info.encoding = "windows-1251"

    def __iter__(self) -> Iterator[RawOffer | Skip]:
        src, info = self._source, self.info
        if src.format == "yml":
            from showcase.feeds import yml

            stream, enc = src.open_binary(self._switched)
            return yml.parse(stream, info, self.path, encoding=enc)
        if src.format == "merchant":
            from showcase.feeds import merchant

            if src.dialect == "tsv":
                return merchant.parse_tsv(src.open_text(self._switched), info, self.path)
            stream, enc = src.open_binary(self._switched)
            return merchant.parse_xml(stream, info, self.path, encoding=enc)
        from showcase.feeds import csvfeed

        return csvfeed.parse(src.open_text(self._switched), info, self.path, self._csv_options)

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> Feed:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        i = self.info
        return f"<Feed {self.path} {i.format}/{i.dialect or '-'} {i.encoding} {i.compression}>"


def open_feed(
    path,
    *,
    format: str | None = None,
    encoding: str | None = None,
    csv_options: CsvOptions | None = None,
) -> Feed:
    """Open the feed file at ``path`` and recognize it; raises FeedError when it is not a feed.

    ``format``: "yml" | "merchant" | "csv" to skip detection. ``encoding``: any Python codec name,
    wins over BOM / declaration / sniffing. ``csv_options``: delimiter and column mapping for CSV.
    """
    if csv_options is not None:
        from showcase.feeds.csvfeed import check_options

        check_options(str(path), csv_options)
    delimiter = csv_options.delimiter if csv_options is not None else None
    return Feed(open_source(path, format=format, encoding=encoding, csv_delimiter=delimiter), csv_options)
