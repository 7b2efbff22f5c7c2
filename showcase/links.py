"""Affiliate deep links: an offer URL + its program and network config + a sub-id -> the link we publish.

Every product link on the storefront goes through the publisher's network for that shop and carries a
sub-id that identifies the click (the page and product for static links, the click id for ``/go/``
redirects); the network's earnings report hands the sub-id back, and ``reconcile`` matches on it.

Public API::

    deep_link(url, program, network, subid) -> str   # one link (builders are cached per program/network)
    LinkBuilder(program, network).link(url, subid)   # the same, for a loop over one program's offers
    make_subid(*parts) -> str                        # a deterministic sub-id from page type, product id, ...
    valid_subid(subid) -> bool                       # [A-Za-z0-9]{1,30}
    LinkError                                        # bad offer URL, bad sub-id, unusable network config

Sub-ids
-------
Letters and digits only (``A-Z a-z 0-9``), 1 to 30 characters: the strictest limit among the networks
(some drop or truncate anything else), so one id works everywhere. ``""`` means "no sub-id": the
parameter is left out (and a sub-id already present in an existing tracking link is left as it is).

``make_subid(*parts)`` is deterministic, and different inputs give different ids:

* readable when it can be: parts that are each all ASCII letters or all digits, alternating
  (``"p", "123", "product"``), are joined as they are -> ``"p123product"`` (at most 29 characters);
  the parts can be read back by splitting at letter/digit boundaries, so no two inputs meet;
* anything else (punctuation, Cyrillic, longer input, ...) -> exactly 30 characters: up to 20 of the
  parts, transliterated and stripped to letters and digits, then a base-36 blake2b hash of the exact
  parts fills the rest (at least 10 characters, about 52 bits). Hashed ids are 30 long and readable
  ones shorter, so the two forms never collide.

Link formats
------------
``{url}`` is the offer URL percent-encoded with ``quote(url, safe='')`` (so ``parse_qs`` gives it back
exactly); config ids are percent-encoded the same way; ``&<sub-id param>={subid}`` is left out when
the sub-id is ``""``. Parameters set on a URL in place replace the first existing one of that name
(later duplicates are dropped) or are appended, in the order shown.

admitad   ``https://{domain|ad.admitad.com}/g/{program.id}/?ulp={url}&subid={subid}``
awin      ``https://{domain|www.awin1.com}/cread.php?awinmid={program.id}&awinaffid={network.publisher_id}
          &clickref={subid}&ued={url}``  (``ued`` last, as Awin asks)
cj        ``https://{domain|www.anrdoezrs.net}/click-{network.publisher_id}-{program.id}?url={url}&sid={subid}``
impact    ``{program.tracking_url}?u={url}&subId1={subid}``; a query already on the tracking URL is kept
          (its own ``u``/``subId1`` are replaced), a fragment on it goes to the end
rakuten   ``https://{domain|click.linksynergy.com}/deeplink?id={network.publisher_id}&mid={program.id}
          &murl={url}&u1={subid}``
amazon    the offer URL itself with ``tag={network.tag}`` and ``ascsubtag={subid}`` set; only Amazon store
          hosts (amazon.com, amazon.de, amazon.co.uk, ... and their subdomains), anything else is a LinkError
ebay      the offer URL itself with the eBay Partner Network parameters set: ``mkcid=1&mkrid={rotation}
          &siteid={site}&campid={network.campaign_id}&customid={subid}&toolid=10001&mkevt=1``; rotation
          id and site id by marketplace (ebay.com 711-53200-19255-0/0, ebay.co.uk 710-53481-19255-0/3,
          ebay.de 707-53477-19255-0/77, ebay.fr 709-53476-19255-0/71, ebay.it 724-53478-19255-0/101,
          ebay.es 1185-53479-19255-0/186, ebay.com.au 705-53470-19255-0/15, ebay.ca 706-53473-19255-0/2;
          other eBay hosts get the ebay.com pair); non-eBay hosts are a LinkError
template  ``network.template.format(url=url, url_encoded=quote(url, safe=''), subid=subid,
          program_id=program.id or "")``: ``{url}`` goes in as it is, ``{subid}`` may be ``""``

Existing tracking links are not wrapped twice: an offer URL that already points at the network's
tracker gets its sub-id parameter set (replaced in place, duplicates dropped) and keeps everything else
byte for byte, ``ulp``/``ued``/``url`` included:

* admitad: hosts under admitad.com, alitems.com, alitems.site, lenkmio.com, ujhjj.com, or a ``/g/`` path
  on the configured ``domain`` -> ``subid``;
* awin: ``/cread.php`` or ``/pclick.php`` on awin1.com (or the configured domain) -> ``clickref``,
  inserted before ``ued``/``p`` when new;
* cj: anrdoezrs.net, jdoqocy.com, tkqlhce.com, dpbolvw.net, kqzyfj.com (or the domain) -> ``sid``;
* impact: a ``/c/`` path on the host of ``program.tracking_url`` -> ``subId1``;
* rakuten: linksynergy.com (or the domain) -> ``u1``.

URLs changed in place (amazon, ebay, existing tracking links) keep their other parameters in order and
their fragment at the end; spaces and non-ASCII characters in them are percent-encoded (UTF-8), nothing
else is touched. A wrapped URL decodes back to exactly the offer URL (``parse_qs`` of the deep link).

erid (the Russian ad-marking token): never added here (the network puts it on its own links) and never
duplicated or dropped: an ``erid`` in a wrapped offer URL travels inside the encoded URL; one in a URL
changed in place stays where it is.

Offer URLs must be absolute http(s) URLs with a host and no control characters; anything else
(``javascript:``, ``data:``, relative paths) is a LinkError naming the URL, before it can reach a page.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from urllib.parse import quote, unquote_plus

from showcase.config import NetworkConfig, ProgramConfig
from showcase.errors import ShowcaseError
from showcase.text import transliterate

SUBID_MAX = 30

__all__ = ["SUBID_MAX", "LinkBuilder", "LinkError", "builders_for", "deep_link", "make_subid", "offer_key",
           "parse_static_subid", "static_subid", "valid_subid"]


class LinkError(ShowcaseError, ValueError):
    """An offer URL, a sub-id or a network/program config that no deep link can be built from."""


# --- sub-ids ---------------------------------------------------------------------------------------


def valid_subid(subid: str) -> bool:
    """True for 1 to 30 ASCII letters and digits."""
    return isinstance(subid, str) and 0 < len(subid) <= SUBID_MAX and subid.isascii() and subid.isalnum()


_READABLE_MAX = SUBID_MAX - 1  # hashed ids are exactly SUBID_MAX long, readable ones shorter
_PREFIX_MAX = 20  # hashed ids: at most this many readable characters, the rest (>= 10) is hash
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")


_KEY_SAFE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def offer_key(feed: str, offer_id: str) -> str:
    """The key of an offer in ``/go/<key>/`` URLs (static redirect pages and the click tracker).

    Built from the feed name and the shop's own offer id, so it survives a rebuilt catalog and a
    published link never starts pointing at another offer. '.' separates the two (feed names never
    hold one); an offer id that is not URL-safe, or is long, is replaced by a hash of it.
    """
    if not _KEY_SAFE.fullmatch(offer_id):
        offer_id = "h" + hashlib.blake2b(offer_id.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return f"{feed}.{offer_id}"


_STATIC_SUBID = re.compile(r"p(\d{1,12})([a-z]{1,16})")


def static_subid(product_id: int, page: str) -> str:
    """The sub-id of a storefront link that no tracker saw: the product and the page type that linked
    (``p55product``; ``p55go`` for /go/ redirect pages). Reconciliation reads it back in aggregate."""
    return make_subid("p", str(product_id), page)


def parse_static_subid(subid: str) -> tuple[int, str] | None:
    """``p55product`` -> (55, "product"); None for anything else (e.g. a tracker's click id)."""
    m = _STATIC_SUBID.fullmatch(subid)
    return (int(m.group(1)), m.group(2)) if m else None


def make_subid(*parts: str) -> str:
    """A sub-id for ``parts`` (e.g. page type and product id): deterministic, letters and digits only,
    at most 30 characters; different parts give different ids.

    ``make_subid("p", "123", "product") == "p123product"``; parts that are not all letters or all
    digits, or that would run longer, give 30 characters: a transliterated prefix and a hash.
    """
    for part in parts:
        if not isinstance(part, str):
            raise TypeError(f"make_subid: parts must be text, got {type(part).__name__}")
    if _readable(parts):
        joined = "".join(parts)
        if len(joined) <= _READABLE_MAX:
            return joined
    prefix = "".join(_ascii_alnum(part) for part in parts)[:_PREFIX_MAX]
    h = hashlib.blake2b(digest_size=20)  # 160 bits: enough for 30 base-36 digits
    for part in parts:  # length-prefixed, so ("ab", "c") and ("a", "bc") hash differently
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    n = int.from_bytes(h.digest(), "big")
    digits = []
    for _ in range(SUBID_MAX - len(prefix)):
        n, d = divmod(n, 36)
        digits.append(_BASE36[d])
    return prefix + "".join(digits)


def _readable(parts: tuple[str, ...]) -> bool:
    """Parts that can be joined as they are and still be told apart: each all ASCII letters or all
    digits, neighbours of different kinds."""
    if not parts:
        return False
    last = None
    for part in parts:
        if not part or not part.isascii():
            return False
        if part.isalpha():
            kind = "letters"
        elif part.isdigit():
            kind = "digits"
        else:
            return False
        if kind == last:
            return False
        last = kind
    return True


def _ascii_alnum(text: str) -> str:
    text = transliterate(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
    return _NOT_ALNUM.sub("", text)


def _check_subid(subid: str) -> None:
    if subid != "" and not valid_subid(subid):
        raise LinkError(f"bad sub-id {subid!r}: expected 1 to {SUBID_MAX} letters and digits (A-Z, a-z, 0-9), "
                        f"or '' for none; make one with make_subid()")


# --- deep links ------------------------------------------------------------------------------------

Linker = Callable[[str, str], str]


class LinkBuilder:
    """Deep links for one program on one network. Checks the config and precomputes the fixed part
    of the link once; ``link(url, subid)`` then costs one URL check and one ``quote``."""

    __slots__ = ("_link", "network", "program")

    def __init__(self, program: ProgramConfig, network: NetworkConfig):
        self.program = program
        self.network = network
        self._link: Linker = _FACTORIES[network.type](program, network)

    def link(self, url: str, subid: str = "") -> str:
        _check_subid(subid)
        return self._link(url, subid)

    __call__ = link


def builders_for(config) -> dict[str, LinkBuilder | LinkError]:
    """One LinkBuilder per program of a site.yml ``Config``; a program whose network config is unusable
    maps to its LinkError, raised when one of its links is wanted."""
    out: dict[str, LinkBuilder | LinkError] = {}
    for name, program in config.programs.items():
        try:
            out[name] = LinkBuilder(program, config.networks[program.network])
        except LinkError as e:
            out[name] = e
    return out


def deep_link(url: str, program: ProgramConfig, network: NetworkConfig, subid: str) -> str:
    """The affiliate deep link for offer ``url`` of ``program`` on ``network``, carrying ``subid``."""
    return _builder(program, network).link(url, subid)


_BUILDERS: dict[tuple[int, int], tuple[ProgramConfig, NetworkConfig, LinkBuilder]] = {}
_BUILDERS_MAX = 1024


def _builder(program: ProgramConfig, network: NetworkConfig) -> LinkBuilder:
    """The cached builder for this exact pair of config objects (keyed by identity: hashing a pydantic
    model costs more than the link; the entry holds both objects, so their ids cannot be reused)."""
    key = (id(program), id(network))
    entry = _BUILDERS.get(key)
    if entry is not None and entry[0] is program and entry[1] is network:
        return entry[2]
    builder = LinkBuilder(program, network)
    if len(_BUILDERS) >= _BUILDERS_MAX:
        _BUILDERS.clear()
    _BUILDERS[key] = (program, network, builder)
    return builder


# --- offer URLs ------------------------------------------------------------------------------------

_AUTHORITY = re.compile(r"(?i:https?)://([^/?#]*)")
_PATH = re.compile(r"[^?#]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
_QUOTE_TABLE = [chr(i) if chr(i) in _UNRESERVED else f"%{i:02X}" for i in range(128)]
# Every printable ASCII character: in-place edits percent-encode only spaces and non-ASCII.
_URI_SAFE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def _show(url: str) -> str:
    return repr(url if len(url) <= 200 else url[:200] + "...")


def _checked(url: str) -> tuple[str, int]:
    """The host of ``url`` (lower case, no trailing dot) and where its path starts, or LinkError.

    A hand-rolled split (urlsplit costs more than the rest of a link): scheme, then the authority up
    to the first ``/ ? #``; userinfo and port are dropped, a port must be a number."""
    if not isinstance(url, str):
        raise LinkError(f"offer URL: expected text, got {type(url).__name__}")
    m = _AUTHORITY.match(url)
    if m is None:
        raise LinkError(f"offer URL {_show(url)}: not an absolute http(s) URL")
    if _CONTROL.search(url):
        raise LinkError(f"offer URL {_show(url)}: contains a control character")
    authority = m.group(1)
    if "\\" in authority:
        raise LinkError(f"offer URL {_show(url)}: backslash in the host part")
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            raise LinkError(f"offer URL {_show(url)}: unclosed [ in the host")
        host, port = hostport[1:end], hostport[end + 1:]
        if port and not port.startswith(":"):
            raise LinkError(f"offer URL {_show(url)}: junk after the IPv6 host")
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        raise LinkError(f"offer URL {_show(url)}: bad port {port!r}")
    host = host.rstrip(".").lower()
    if not host:
        raise LinkError(f"offer URL {_show(url)}: no host")
    return host, m.end()


def _path(url: str, start: int) -> str:
    return _PATH.match(url, start).group()


def _encoded(url: str) -> str:
    """``quote(url, safe="")``; ASCII through a translate table (about 2.5 times faster)."""
    if url.isascii():
        return url.translate(_QUOTE_TABLE)
    try:
        return quote(url, safe="")
    except UnicodeEncodeError:
        raise LinkError(f"offer URL {_show(url)}: not encodable as UTF-8") from None


def _iri_to_uri(url: str) -> str:
    if url.isascii() and " " not in url:
        return url
    try:
        return quote(url, safe=_URI_SAFE)
    except UnicodeEncodeError:
        raise LinkError(f"offer URL {_show(url)}: not encodable as UTF-8") from None


def _param_key(piece: str) -> str:
    key = piece.partition("=")[0]
    return unquote_plus(key) if "%" in key or "+" in key else key


def _set_params(url: str, params: Iterable[tuple[str, str]], before: tuple[str, ...] = ()) -> str:
    """``url`` with each ``(key, value)`` set: the first existing ``key=`` piece is replaced in place,
    later ones dropped; new keys go before the first parameter named in ``before``, else at the end.
    Values are written as given (encode them first). Everything else keeps its bytes and order,
    except spaces and non-ASCII characters, which are percent-encoded."""
    base, hashmark, fragment = url.partition("#")
    head, qmark, query = base.partition("?")
    wanted = dict(params)
    pieces = query.split("&") if query else []
    out: list[str] = []
    done: set[str] = set()
    for piece in pieces:
        key = _param_key(piece)
        if key in wanted:
            if key not in done:
                out.append(f"{key}={wanted[key]}")
                done.add(key)
            continue
        out.append(piece)
    new = [f"{key}={value}" for key, value in wanted.items() if key not in done]
    if new:
        at = len(out)
        if before:
            at = next((i for i, piece in enumerate(out) if _param_key(piece) in before), at)
        out[at:at] = new
    query = "&".join(out)
    return _iri_to_uri(head + ("?" + query if query or qmark else "") + hashmark + fragment)


def _host_match(host: str, hosts: frozenset[str]) -> str | None:
    """The entry of ``hosts`` that ``host`` is or is a subdomain of."""
    while True:
        if host in hosts:
            return host
        dot = host.find(".")
        if dot < 0:
            return None
        host = host[dot + 1:]


# --- per network -----------------------------------------------------------------------------------


def _need(obj: ProgramConfig | NetworkConfig, key: str, network: NetworkConfig, why: str) -> str:
    value = getattr(obj, key)
    if not value:
        what = (f"program {obj.name!r} on {network.type}" if isinstance(obj, ProgramConfig)
                else f"a network of type {network.type}")
        raise LinkError(f"{what} needs `{key}` ({why}) to build deep links")
    return value


def _q(value: str) -> str:
    return quote(value, safe="")


def _domain_host(network: NetworkConfig) -> str | None:
    return network.domain.partition(":")[0].lower() if network.domain else None


def _wrapper(head: str, sub_key: str, tracking: Callable[[str, str, int], bool] | None,
             tail: str = "", sub_before: tuple[str, ...] = ()) -> Linker:
    """``head + quote(url) + "&sub_key=subid" + tail``, or the sub-id set on an existing tracking link."""
    sub_piece = f"&{sub_key}="

    def link(url: str, subid: str) -> str:
        host, path_at = _checked(url)
        if tracking is not None and tracking(url, host, path_at):
            return _set_params(url, ((sub_key, subid),), sub_before) if subid else _iri_to_uri(url)
        if subid:
            return head + _encoded(url) + sub_piece + subid + tail
        return head + _encoded(url) + tail

    return link


_ADMITAD_HOSTS = frozenset({"admitad.com", "alitems.com", "alitems.site", "lenkmio.com", "ujhjj.com"})


def _admitad(program: ProgramConfig, network: NetworkConfig) -> Linker:
    code = _need(program, "id", network, "the link code in https://ad.admitad.com/g/<code>/")
    domain = network.domain or "ad.admitad.com"
    own = _domain_host(network)

    def tracking(url: str, host: str, path_at: int) -> bool:
        return _host_match(host, _ADMITAD_HOSTS) is not None or (host == own and url.startswith("/g/", path_at))

    return _wrapper(f"https://{domain}/g/{_q(code)}/?ulp=", "subid", tracking)


def _awin(program: ProgramConfig, network: NetworkConfig) -> Linker:
    mid = _need(program, "id", network, "the advertiser id, awinmid")
    affid = _need(network, "publisher_id", network, "the publisher id, awinaffid")
    domain = network.domain or "www.awin1.com"
    hosts = frozenset({"awin1.com", _domain_host(network) or "awin1.com"})
    base = f"https://{domain}/cread.php?awinmid={_q(mid)}&awinaffid={_q(affid)}&"

    def link(url: str, subid: str) -> str:
        host, path_at = _checked(url)
        if _host_match(host, hosts) and _path(url, path_at).lower() in ("/cread.php", "/pclick.php"):
            return _set_params(url, (("clickref", subid),), ("ued", "p")) if subid else _iri_to_uri(url)
        if subid:
            return f"{base}clickref={subid}&ued={_encoded(url)}"
        return f"{base}ued={_encoded(url)}"

    return link


_CJ_HOSTS = frozenset({"anrdoezrs.net", "jdoqocy.com", "tkqlhce.com", "dpbolvw.net", "kqzyfj.com"})


def _cj(program: ProgramConfig, network: NetworkConfig) -> Linker:
    aid = _need(program, "id", network, "the advertiser link id, AID")
    pid = _need(network, "publisher_id", network, "the publisher id, PID")
    domain = network.domain or "www.anrdoezrs.net"
    hosts = _CJ_HOSTS | {_domain_host(network) or "anrdoezrs.net"}

    def tracking(url: str, host: str, path_at: int) -> bool:
        return _host_match(host, hosts) is not None

    return _wrapper(f"https://{domain}/click-{_q(pid)}-{_q(aid)}?url=", "sid", tracking)


def _impact(program: ProgramConfig, network: NetworkConfig) -> Linker:
    tracking_url = _need(program, "tracking_url", network, "the campaign tracking link, "
                         "e.g. https://brand.sjv.io/c/123/456/789")
    try:
        tracking_host, _ = _checked(tracking_url)
    except LinkError as e:
        raise LinkError(f"program {program.name!r}: tracking_url: {e}") from None
    base, hashmark, fragment = _iri_to_uri(tracking_url).partition("#")
    head, _, query = base.partition("?")
    kept = [piece for piece in query.split("&") if piece and _param_key(piece) not in ("u", "subId1")]
    prefix = head + "?" + "".join(piece + "&" for piece in kept) + "u="

    def tracking(url: str, host: str, path_at: int) -> bool:
        return host == tracking_host and url.startswith("/c/", path_at)

    return _wrapper(prefix, "subId1", tracking, tail=hashmark + fragment)


def _rakuten(program: ProgramConfig, network: NetworkConfig) -> Linker:
    mid = _need(program, "id", network, "the advertiser id, mid")
    publisher = _need(network, "publisher_id", network, "the publisher id")
    domain = network.domain or "click.linksynergy.com"
    hosts = frozenset({"linksynergy.com", _domain_host(network) or "linksynergy.com"})

    def tracking(url: str, host: str, path_at: int) -> bool:
        return _host_match(host, hosts) is not None

    return _wrapper(f"https://{domain}/deeplink?id={_q(publisher)}&mid={_q(mid)}&murl=", "u1", tracking)


_AMAZON_HOSTS = frozenset(f"amazon.{tld}" for tld in (
    "com", "ca", "com.mx", "com.br", "co.uk", "de", "fr", "it", "es", "nl", "se", "pl", "com.be", "ie",
    "com.tr", "ae", "sa", "eg", "in", "co.jp", "sg", "com.au", "co.za", "cn"))


def _amazon(program: ProgramConfig, network: NetworkConfig) -> Linker:
    tag = _q(_need(network, "tag", network, "the associate tag, e.g. mysite-20"))

    def link(url: str, subid: str) -> str:
        host, _ = _checked(url)
        if _host_match(host, _AMAZON_HOSTS) is None:
            raise LinkError(f"offer URL {_show(url)}: not an Amazon store URL (program {program.name!r} "
                            f"is on an amazon network)")
        return _set_params(url, (("tag", tag), ("ascsubtag", subid)) if subid else (("tag", tag),))

    return link


# Marketplace -> (EPN rotation id, site id).
_EBAY = {
    "ebay.com": ("711-53200-19255-0", "0"),
    "ebay.co.uk": ("710-53481-19255-0", "3"),
    "ebay.de": ("707-53477-19255-0", "77"),
    "ebay.fr": ("709-53476-19255-0", "71"),
    "ebay.it": ("724-53478-19255-0", "101"),
    "ebay.es": ("1185-53479-19255-0", "186"),
    "ebay.com.au": ("705-53470-19255-0", "15"),
    "ebay.ca": ("706-53473-19255-0", "2"),
}
_EBAY_OTHER = frozenset(f"ebay.{tld}" for tld in (
    "at", "ch", "ie", "nl", "be", "pl", "com.sg", "com.my", "ph", "com.hk", "in"))
_EBAY_HOSTS = frozenset(_EBAY) | _EBAY_OTHER


def _ebay(program: ProgramConfig, network: NetworkConfig) -> Linker:
    campid = _q(_need(network, "campaign_id", network, "the EPN campaign id, campid"))

    def link(url: str, subid: str) -> str:
        host, _ = _checked(url)
        market = _host_match(host, _EBAY_HOSTS)
        if market is None:
            raise LinkError(f"offer URL {_show(url)}: not an eBay URL (program {program.name!r} "
                            f"is on an ebay network)")
        rotation, site = _EBAY.get(market, _EBAY["ebay.com"])
        params = [("mkcid", "1"), ("mkrid", rotation), ("siteid", site), ("campid", campid)]
        if subid:
            params.append(("customid", subid))
        params += [("toolid", "10001"), ("mkevt", "1")]
        return _set_params(url, params)

    return link


def _template(program: ProgramConfig, network: NetworkConfig) -> Linker:
    template = _need(network, "template", network, "a URL with {url} or {url_encoded}, and {subid}")
    program_id = program.id or ""
    try:
        template.format(url="https://shop.example/", url_encoded="x", subid="s", program_id=program_id)
    except (KeyError, IndexError, ValueError) as e:
        raise LinkError(f"a network of type template: bad `template` {template!r}: {e}") from None
    wants_encoded = "url_encoded" in {field for _, field, _, _ in string.Formatter().parse(template)}

    def link(url: str, subid: str) -> str:
        _checked(url)
        encoded = _encoded(url) if wants_encoded else ""
        return template.format(url=url, url_encoded=encoded, subid=subid, program_id=program_id)

    return link


_FACTORIES: dict[str, Callable[[ProgramConfig, NetworkConfig], Linker]] = {
    "admitad": _admitad,
    "awin": _awin,
    "cj": _cj,
    "impact": _impact,
    "rakuten": _rakuten,
    "amazon": _amazon,
    "ebay": _ebay,
    "template": _template,
}
