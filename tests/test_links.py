"""links: affiliate deep links per network, sub-ids, and offer URLs that must survive the trip exactly."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from showcase.config import parse_config
from showcase.errors import ShowcaseError
from showcase.links import LinkBuilder, LinkError, deep_link, make_subid, valid_subid

CONFIG = parse_config("""
site: {title: Test, base_url: "https://example.com/", language: ru, currency: RUB}
networks:
  admitad: {type: admitad}
  admitad_own: {type: admitad, domain: go.mysite.example}
  awin: {type: awin, publisher_id: "12345"}
  cj: {type: cj, publisher_id: "7654321"}
  impact: {type: impact}
  rakuten: {type: rakuten, publisher_id: AbCdEf1}
  amazon: {type: amazon, tag: mysite-21}
  ebay: {type: ebay, campaign_id: "5338000000"}
  tpl: {type: template, template: "https://go.example/r?p={program_id}&s={subid}&to={url_encoded}"}
  tpl_raw: {type: template, template: "https://go.example/r/{program_id}/{subid}?to={url}"}
programs:
  techno:
    name: Техномир
    network: admitad
    id: 1e8d114494b7e165239416525dc3e8
    erid: 2VtzqxYz9AB
    advertiser: {name: ООО Техномир, inn: "7701234567"}
  own: {name: Own, network: admitad_own, id: abc123}
  gadgets: {name: Gadgets UK, network: awin, id: "1001"}
  cjshop: {name: CJ Shop, network: cj, id: "12345678"}
  brand: {name: Brand, network: impact, tracking_url: "https://brand.sjv.io/c/1234/5678/9012"}
  brand_q: {name: Brand Q, network: impact,
            tracking_url: "https://brand.sjv.io/c/1234/5678/9012?sharedid=site&subId1=old"}
  rshop: {name: R Shop, network: rakuten, id: "42"}
  amz: {name: Amazon, network: amazon}
  bay: {name: eBay, network: ebay}
  tshop: {name: T Shop, network: tpl, id: P9}
  traw: {name: T Raw, network: tpl_raw, id: P9}
""")

SUB = "p123product"
URL = "https://shop.example/p/1?c=red&s=M#rev"
ENC = "https%3A%2F%2Fshop.example%2Fp%2F1%3Fc%3Dred%26s%3DM%23rev"
CODE = "1e8d114494b7e165239416525dc3e8"


def link(program: str, url: str, subid: str = SUB) -> str:
    p = CONFIG.programs[program]
    return deep_link(url, p, CONFIG.networks[p.network], subid)


# --- one exact link per network type ---------------------------------------------------------------


@pytest.mark.parametrize(("program", "url", "expected"), [
    ("techno", URL, f"https://ad.admitad.com/g/{CODE}/?ulp={ENC}&subid={SUB}"),
    ("own", URL, f"https://go.mysite.example/g/abc123/?ulp={ENC}&subid={SUB}"),
    ("gadgets", URL, f"https://www.awin1.com/cread.php?awinmid=1001&awinaffid=12345&clickref={SUB}&ued={ENC}"),
    ("cjshop", URL, f"https://www.anrdoezrs.net/click-7654321-12345678?url={ENC}&sid={SUB}"),
    ("brand", URL, f"https://brand.sjv.io/c/1234/5678/9012?u={ENC}&subId1={SUB}"),
    ("brand_q", URL, f"https://brand.sjv.io/c/1234/5678/9012?sharedid=site&u={ENC}&subId1={SUB}"),
    ("rshop", URL, f"https://click.linksynergy.com/deeplink?id=AbCdEf1&mid=42&murl={ENC}&u1={SUB}"),
    ("amz", "https://www.amazon.co.uk/dp/B0ABC?th=1&tag=someone-21&psc=1#x",
     f"https://www.amazon.co.uk/dp/B0ABC?th=1&tag=mysite-21&psc=1&ascsubtag={SUB}#x"),
    ("bay", "https://www.ebay.com/itm/1234?var=5#t",
     "https://www.ebay.com/itm/1234?var=5&mkcid=1&mkrid=711-53200-19255-0&siteid=0&campid=5338000000"
     f"&customid={SUB}&toolid=10001&mkevt=1#t"),
    ("bay", "https://www.ebay.de/itm/1234?campid=1&mkevt=1&hash=item1",
     "https://www.ebay.de/itm/1234?campid=5338000000&mkevt=1&hash=item1&mkcid=1&mkrid=707-53477-19255-0"
     f"&siteid=77&customid={SUB}&toolid=10001"),
    ("tshop", URL, f"https://go.example/r?p=P9&s={SUB}&to={ENC}"),
    ("traw", URL, f"https://go.example/r/P9/{SUB}?to={URL}"),
])
def test_exact_link(program, url, expected):
    assert link(program, url) == expected


@pytest.mark.parametrize(("program", "expected"), [
    ("techno", f"https://ad.admitad.com/g/{CODE}/?ulp={ENC}"),
    ("gadgets", f"https://www.awin1.com/cread.php?awinmid=1001&awinaffid=12345&ued={ENC}"),
    ("cjshop", f"https://www.anrdoezrs.net/click-7654321-12345678?url={ENC}"),
    ("brand", f"https://brand.sjv.io/c/1234/5678/9012?u={ENC}"),
    ("rshop", f"https://click.linksynergy.com/deeplink?id=AbCdEf1&mid=42&murl={ENC}"),
])
def test_empty_subid_leaves_the_parameter_out(program, expected):
    assert link(program, URL, "") == expected


def test_empty_subid_in_place():
    assert link("amz", "https://amazon.com/dp/B0?ascsubtag=feed1", "") == \
        "https://amazon.com/dp/B0?ascsubtag=feed1&tag=mysite-21"
    assert "customid" not in link("bay", "https://www.ebay.com/itm/1", "")


def test_cyrillic_offer_url_is_encoded_as_utf8():
    url = "https://магазин.рф/каталог/чайник 1?цвет=красный&a=b#отзывы"
    out = link("techno", url)
    assert out == f"https://ad.admitad.com/g/{CODE}/?ulp={quote(url, safe='')}&subid={SUB}"
    assert parse_qs(urlsplit(out).query)["ulp"] == [url]


def test_builder_matches_deep_link_and_is_reused():
    p, n = CONFIG.programs["gadgets"], CONFIG.networks["awin"]
    builder = LinkBuilder(p, n)
    assert builder.link(URL, SUB) == builder(URL, SUB) == deep_link(URL, p, n, SUB)
    assert builder.link(URL) == deep_link(URL, p, n, "")
    # equal but distinct config objects give the same link (the cache is keyed by identity)
    p2, n2 = p.model_copy(), n.model_copy()
    assert deep_link(URL, p2, n2, SUB) == deep_link(URL, p, n, SUB)
    # a changed config is not served from the cache of another object
    p3 = p.model_copy(update={"id": "2002"})
    assert "awinmid=2002&" in deep_link(URL, p3, n, SUB)


# --- existing tracking links: the sub-id is set, not wrapped twice -----------------------------------


@pytest.mark.parametrize(("program", "url", "expected"), [
    # admitad: subid added after everything, ulp and erid kept byte for byte
    ("techno", f"https://ad.admitad.com/g/{CODE}/?i=5&ulp=https%3A%2F%2Fshop.example%2Fp%3Fa%3D1&erid=2VtzqxYz9AB",
     f"https://ad.admitad.com/g/{CODE}/?i=5&ulp=https%3A%2F%2Fshop.example%2Fp%3Fa%3D1&erid=2VtzqxYz9AB&subid=p1"),
    # admitad: an old subid replaced in place, a duplicate dropped, the fragment kept
    ("techno", "https://ad.admitad.com/g/abc/?subid=old&ulp=https%3A%2F%2Fs.example%2F&subid=older#top",
     "https://ad.admitad.com/g/abc/?subid=p1&ulp=https%3A%2F%2Fs.example%2F#top"),
    ("techno", "https://alitems.com/g/1e8d11/?ulp=https%3A%2F%2Faliexpress.ru%2F",
     "https://alitems.com/g/1e8d11/?ulp=https%3A%2F%2Faliexpress.ru%2F&subid=p1"),
    ("techno", "https://lenkmio.com/g/xyz/", "https://lenkmio.com/g/xyz/?subid=p1"),
    ("techno", "https://ad.admitad.com/goto/abc/?erid=X1Y2", "https://ad.admitad.com/goto/abc/?erid=X1Y2&subid=p1"),
    ("own", "https://go.mysite.example/g/abc123/?ulp=https%3A%2F%2Fs.example%2F",
     "https://go.mysite.example/g/abc123/?ulp=https%3A%2F%2Fs.example%2F&subid=p1"),
    # awin: clickref goes before ued (which Awin wants last), or replaces the old one
    ("gadgets", "https://www.awin1.com/cread.php?awinmid=1001&awinaffid=12345&ued=https%3A%2F%2Fs.example%2F",
     "https://www.awin1.com/cread.php?awinmid=1001&awinaffid=12345&clickref=p1&ued=https%3A%2F%2Fs.example%2F"),
    ("gadgets", "https://www.awin1.com/cread.php?awinmid=1001&clickref=old&erid=Kq12&ued=https%3A%2F%2Fs.example%2F",
     "https://www.awin1.com/cread.php?awinmid=1001&clickref=p1&erid=Kq12&ued=https%3A%2F%2Fs.example%2F"),
    ("gadgets", "https://www.awin1.com/pclick.php?p=123&a=12345&m=1001",
     "https://www.awin1.com/pclick.php?clickref=p1&p=123&a=12345&m=1001"),
    ("cjshop", "https://www.jdoqocy.com/click-7654321-12345678?url=https%3A%2F%2Fs.example%2F&sid=old",
     "https://www.jdoqocy.com/click-7654321-12345678?url=https%3A%2F%2Fs.example%2F&sid=p1"),
    ("brand", "https://brand.sjv.io/c/1234/5678/9012?u=https%3A%2F%2Fs.example%2F",
     "https://brand.sjv.io/c/1234/5678/9012?u=https%3A%2F%2Fs.example%2F&subId1=p1"),
    ("rshop", "https://click.linksynergy.com/deeplink?id=AbCdEf1&mid=42&murl=https%3A%2F%2Fs.example%2F",
     "https://click.linksynergy.com/deeplink?id=AbCdEf1&mid=42&murl=https%3A%2F%2Fs.example%2F&u1=p1"),
])
def test_existing_tracking_link_gets_the_subid(program, url, expected):
    assert link(program, url, "p1") == expected


def test_existing_tracking_link_without_subid_is_unchanged():
    url = f"https://ad.admitad.com/g/{CODE}/?ulp=https%3A%2F%2Fs.example%2F&subid=feed"
    assert link("techno", url, "") == url


def test_not_a_tracking_link_is_wrapped():
    # a /g/ path elsewhere, a non-/g/ path on the own domain, another network's tracker
    for url in ("https://shop.example/g/abc/", "https://go.mysite.example/p/1",
                "https://www.awin1.com/cread.php?awinmid=1"):
        assert parse_qs(urlsplit(link("own", url)).query)["ulp"] == [url]
    awin_page = "https://www.awin1.com/publishers/"
    assert parse_qs(urlsplit(link("gadgets", awin_page)).query)["ued"] == [awin_page]


def test_erid_in_a_wrapped_url_travels_inside_once():
    url = "https://shop.example/p/1?erid=2VtzqxYz9AB&x=1"
    out = link("techno", url)
    q = parse_qs(urlsplit(out).query)
    assert q["ulp"] == [url]
    assert "erid" not in q  # the program's erid is not added by us either
    assert out.count("erid") == 1


# --- property tests: wrapped URLs decode back exactly ------------------------------------------------

TOKENS = [*"aZ09-_.~ &=?#%+/:;@!$'(),*[]", "а", "Я", "ё", "€", "ü", "😀", "%20", "%D0%B0", "%zz", "%2",
          "&amp;", "==", "?a=1&b=2", "#x", "\u00a0", "\u200b"]
HOSTS = ["shop.example", "www.shop.example:8080", "пример.рф", "магазин.рус", "münchen.de",
         "xn--e1afmkfd.xn--p1ai", "user:pw@shop.example", "SHOP.Example", "[2001:db8::1]:8443", "shop.example."]
text = st.lists(st.sampled_from(TOKENS), max_size=12).map("".join)
offer_urls = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}://{host}/{path}"
    + ("" if query is None else "?" + query) + ("" if fragment is None else "#" + fragment),
    st.sampled_from(["http", "https", "HTTPS"]), st.sampled_from(HOSTS), text, st.none() | text, st.none() | text)
subids = st.text(alphabet="abcXYZ0129", max_size=30)
PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# program -> (the parameter carrying the URL, the sub-id parameter, other parameters and their values)
WRAPPING = {
    "techno": ("ulp", "subid", {}),
    "gadgets": ("ued", "clickref", {"awinmid": "1001", "awinaffid": "12345"}),
    "cjshop": ("url", "sid", {}),
    "brand_q": ("u", "subId1", {"sharedid": "site"}),
    "rshop": ("murl", "u1", {"id": "AbCdEf1", "mid": "42"}),
    "tshop": ("to", "s", {"p": "P9"}),
}


@PROPS
@given(url=offer_urls, subid=subids, program=st.sampled_from(sorted(WRAPPING)))
def test_wrapped_url_decodes_back_exactly(url, subid, program):
    url_key, sub_key, fixed = WRAPPING[program]
    out = link(program, url, subid)
    parts = urlsplit(out)
    assert parts.scheme in ("http", "https") and parts.hostname
    assert out.isascii() and " " not in out and "#" not in out
    q = parse_qs(parts.query, keep_blank_values=True, strict_parsing=True)
    assert q[url_key] == [url]
    if subid or program == "tshop":
        assert q[sub_key] == [subid]
    else:
        assert sub_key not in q
    for key, value in fixed.items():
        assert q[key] == [value]
    assert set(q) <= {url_key, sub_key, *fixed}


@PROPS
@given(url=offer_urls, subid=subids)
def test_admitad_link_is_the_documented_format(url, subid):
    expected = f"https://ad.admitad.com/g/{CODE}/?ulp={quote(url, safe='')}" + (f"&subid={subid}" if subid else "")
    assert link("techno", url, subid) == expected


# --- property tests: URLs changed in place -----------------------------------------------------------

KEYS = st.sampled_from(["a", "id", "th", "psc", "tag", "erid", "ascsubtag", "campid", "customid", "mkrid",
                        "subid", "clickref", "ulp", "ued", "x_1"])
VALUES = st.lists(st.sampled_from([*"abZ09-_.~ =?/:+%", "а", "😀", "%20", "%D0%B0", "%zz"]), max_size=8).map("".join)
PATHS = st.lists(st.sampled_from([*"abZ09-_.~ =&/:+%", "ё", "%20"]), max_size=8).map("".join)
FRAGMENTS = st.none() | st.lists(st.sampled_from(TOKENS), max_size=6).map("".join)
queries = st.none() | st.lists(st.tuples(KEYS, VALUES), max_size=6)

AMAZON = ["www.amazon.com", "amazon.de", "www.amazon.co.uk", "smile.amazon.com", "www.amazon.co.jp", "WWW.AMAZON.FR"]
EBAY = {"www.ebay.com": "711-53200-19255-0", "ebay.de": "707-53477-19255-0", "www.ebay.co.uk": "710-53481-19255-0",
        "m.ebay.fr": "709-53476-19255-0", "www.ebay.it": "724-53478-19255-0", "www.ebay.es": "1185-53479-19255-0",
        "www.ebay.com.au": "705-53470-19255-0", "www.ebay.ca": "706-53473-19255-0", "www.ebay.at": "711-53200-19255-0"}


def in_place_cases():
    """(program, URL head without the query, the parameters we expect set given host and sub-id)."""
    amazon = st.tuples(st.just("amz"), st.sampled_from(AMAZON).map(lambda h: f"https://{h}/dp/"), PATHS)
    ebay = st.tuples(st.just("bay"), st.sampled_from(sorted(EBAY)).map(lambda h: f"https://{h}/itm/"), PATHS)
    admitad = st.tuples(st.just("techno"), st.sampled_from(["https://ad.admitad.com/g/abc/", "https://alitems.com/g/x/"]),
                        st.just(""))
    awin = st.tuples(st.just("gadgets"), st.sampled_from(["https://www.awin1.com/cread.php",
                                                         "https://awin1.com/pclick.php"]), st.just(""))
    return amazon | ebay | admitad | awin


def expected_params(program: str, head: str, subid: str) -> dict[str, str]:
    if program == "amz":
        return {"tag": "mysite-21", **({"ascsubtag": subid} if subid else {})}
    if program == "bay":
        host = urlsplit(head).hostname
        site = {"ebay.de": "77", "www.ebay.co.uk": "3", "m.ebay.fr": "71", "www.ebay.it": "101", "www.ebay.es": "186",
                "www.ebay.com.au": "15", "www.ebay.ca": "2"}.get(host, "0")
        return {"mkcid": "1", "mkrid": EBAY[host], "siteid": site, "campid": "5338000000",
                **({"customid": subid} if subid else {}), "toolid": "10001", "mkevt": "1"}
    return {{"techno": "subid", "gadgets": "clickref"}[program]: subid} if subid else {}


@PROPS
@given(case=in_place_cases(), query=queries, fragment=FRAGMENTS, subid=subids)
def test_in_place_link_keeps_params_and_fragment(case, query, fragment, subid):
    program, head, path = case
    url = head + path + ("" if query is None else "?" + "&".join(f"{k}={v}" for k, v in query))
    url += "" if fragment is None else "#" + fragment
    out = link(program, url, subid)

    assert out.isascii() and " " not in out
    assert urlsplit(out).scheme == "https"
    base, hashmark, out_fragment = out.partition("#")
    if fragment is None:
        assert not hashmark
    else:
        assert unquote(out_fragment) == unquote(fragment)
    out_head, _, out_query = base.partition("?")
    assert unquote(out_head) == unquote(head + path)

    ours = expected_params(program, head, subid)
    pieces = [p.partition("=") for p in out_query.split("&")] if out_query else []
    for key, value in ours.items():
        assert [v for k, _, v in pieces if k == key] == [value], key
    kept = [unquote(f"{k}={v}") for k, _, v in pieces if k not in ours]
    assert kept == [unquote(f"{k}={v}") for k, v in query or () if k not in ours]
    assert sum(k == "erid" for k, _, _ in pieces) == sum(k == "erid" for k, _ in query or ())


# --- sub-ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("parts", "expected"), [
    (("p", "123", "product"), "p123product"),
    (("product", "123"), "product123"),
    (("123",), "123"),
    (("Sku", "42"), "Sku42"),
])
def test_make_subid_readable(parts, expected):
    assert make_subid(*parts) == expected


def test_make_subid_hashed():
    slug = make_subid("p", "смартфон-xiaomi-13t", "product")
    assert slug.startswith("psmartfonxiaomi13tpr") and len(slug) == 30 and valid_subid(slug)
    long = make_subid("product", "1" * 40)
    assert long.startswith("product1111111111111") and len(long) == 30
    assert valid_subid(make_subid()) and valid_subid(make_subid("")) and valid_subid(make_subid("-", "Ω", "😀"))
    assert make_subid("p", "смартфон-xiaomi-13t", "product") == slug  # deterministic


@pytest.mark.parametrize(("a", "b"), [
    (("p", "123"), ("p1", "23")),  # the naive join of both is "p123"
    (("a-b",), ("ab",)),
    (("ab",), ("a", "b")),
    (("P",), ("p",)),
    (("",), ()),
    (("p", "",), ("p",)),
    (("ёж",), ("ezh",)),
    (("x" * 29,), ("x" * 30,)),
])
def test_make_subid_tells_near_misses_apart(a, b):
    assert make_subid(*a) != make_subid(*b)


parts_lists = st.lists(st.text(alphabet="ab12-Я ") | st.text(max_size=40), max_size=4).map(tuple)


@PROPS
@given(parts=parts_lists)
def test_make_subid_is_valid_and_deterministic(parts):
    subid = make_subid(*parts)
    assert valid_subid(subid)
    assert make_subid(*parts) == subid


@PROPS
@given(a=parts_lists, b=parts_lists)
def test_make_subid_different_inputs_different_ids(a, b):
    assume(a != b)
    assert make_subid(*a) != make_subid(*b)


@pytest.mark.parametrize(("subid", "ok"), [
    ("a", True), ("p123product", True), ("A" * 30, True), ("", False), ("A" * 31, False), ("a-b", False),
    ("a b", False), ("абв", False), ("１２", False), ("a_b", False), (None, False), (123, False),
])
def test_valid_subid(subid, ok):
    assert valid_subid(subid) is ok


# --- errors ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,<b>x</b>", "/p/1", "//shop.example/p", "shop.example/p",
    "ftp://shop.example/f", "http://", "https:///p", " https://shop.example/", "https://shop.example/\nx",
    "https://shop.example:99999/", "https://shop.example:8o/", "https://evil.example\\@www.amazon.com/",
    "https://[::1/", "https://user@/p", "",
])
def test_bad_offer_url(url):
    with pytest.raises(LinkError) as e:
        link("techno", url)
    assert repr(url) in str(e.value)


def test_url_must_be_text():
    with pytest.raises(LinkError, match="expected text"):
        link("techno", None)  # type: ignore[arg-type]


@pytest.mark.parametrize("subid", ["a-b", "x" * 31, "абв", "p 1", "p_1"])
def test_bad_subid(subid):
    with pytest.raises(LinkError, match="bad sub-id"):
        link("techno", URL, subid)


@pytest.mark.parametrize(("program", "url"), [
    ("amz", "https://shop.example/dp/B0"),
    ("amz", "https://amazon.com.evil.example/dp/B0"),
    ("amz", "https://notamazon.com/dp/B0"),
    ("amz", "https://www.amazon.com@evil.example/dp/B0"),
    ("bay", "https://www.ebay.com.evil.example/itm/1"),
    ("bay", "https://shop.example/itm/1"),
])
def test_wrong_shop_for_an_in_place_network(program, url):
    with pytest.raises(LinkError) as e:
        link(program, url)
    assert repr(url) in str(e.value)


@pytest.mark.parametrize(("program", "which", "update", "key"), [
    ("techno", "program", {"id": None}, "`id`"),
    ("gadgets", "program", {"id": None}, "`id`"),
    ("gadgets", "network", {"publisher_id": None}, "`publisher_id`"),
    ("cjshop", "network", {"publisher_id": ""}, "`publisher_id`"),
    ("rshop", "program", {"id": None}, "`id`"),
    ("brand", "program", {"tracking_url": None}, "`tracking_url`"),
    ("amz", "network", {"tag": None}, "`tag`"),
    ("bay", "network", {"campaign_id": None}, "`campaign_id`"),
    ("tshop", "network", {"template": None}, "`template`"),
])
def test_unusable_config(program, which, update, key):
    # the loader refuses such configs; model_copy skips validation, as a hand-built config might
    p = CONFIG.programs[program]
    n = CONFIG.networks[p.network]
    if which == "program":
        p = p.model_copy(update=update)
    else:
        n = n.model_copy(update=update)
    with pytest.raises(LinkError, match=key):
        deep_link(URL, p, n, SUB)
    with pytest.raises(LinkError, match=key):
        LinkBuilder(p, n)


def test_link_error_is_a_value_error_the_cli_can_print():
    with pytest.raises(ValueError) as e:
        link("techno", "javascript:alert(1)")
    assert isinstance(e.value, ShowcaseError)


def test_fast_enough():
    """The storefront links every offer on every page; catch a regression by an order of magnitude."""
    urls = [f"https://shop.example/catalog/item-{i}?color=red&size={i}" for i in range(20_000)]
    p, n = CONFIG.programs["techno"], CONFIG.networks["admitad"]
    start = time.perf_counter()
    for url in urls:
        deep_link(url, p, n, SUB)
    assert time.perf_counter() - start < 1.0  # about 0.07 s on a laptop


def test_offer_key_is_stable_url_safe_and_unambiguous():
    from showcase.links import offer_key

    assert offer_key("technomir", "TM-12345") == "technomir.TM-12345"
    odd = offer_key("shop", "Товар/1 ?x")
    assert odd.startswith("shop.h") and len(odd) == len("shop.h") + 16 and odd == offer_key("shop", "Товар/1 ?x")
    assert offer_key("a-b", "c") != offer_key("a", "b-c")
    assert offer_key("shop", "x" * 41) != offer_key("shop", "x" * 42)


def test_static_subids_name_product_and_page_and_parse_back():
    from showcase.links import parse_static_subid, static_subid

    assert static_subid(55, "product") == "p55product" and valid_subid(static_subid(10**11, "product"))
    assert parse_static_subid("p55product") == (55, "product") and parse_static_subid("p7go") == (7, "go")
    assert parse_static_subid("a1B2c3D4e5F6g7H8i9J0") is None  # a tracker's click id
