"""Feed parsers: YML, Google Merchant (RSS, Atom, TSV), CSV; compression, encodings, hostile XML.

Every fixture is written inline, so feed and expectation sit side by side.
"""

from __future__ import annotations

import gzip
import io
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

from showcase.errors import FeedError
from showcase.feeds import CsvOptions, Feed, RawOffer, Skip, detect, open_feed
from showcase.feeds.source import HEAD_SIZE, split_path, split_urls


def write(tmp_path: Path, data: str | bytes, name: str = "feed.bin", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    return path


def parse(path: Path, **kw) -> tuple[Feed, list[RawOffer | Skip]]:
    with open_feed(path, **kw) as feed:
        items = list(feed)
    return feed, items


def offers(items) -> dict[str, RawOffer]:
    return {o.id: o for o in items if isinstance(o, RawOffer)}


def yml(offers_xml: str, head: str = "", decl: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    return (
        f'{decl}<yml_catalog date="2024-01-02 10:00">\n<shop>\n<name>Shop</name>\n<company>Shop LLC</company>\n'
        f"<url>https://shop.example/</url>\n{head}<offers>\n{offers_xml}\n</offers>\n</shop>\n</yml_catalog>\n"
    )


# --------------------------------------------------------------------------- YML


def test_yml_every_offer_type(tmp_path):
    path = write(tmp_path, yml("""
<offer id="s1" available="true"><name>Чайник</name><price>1 299,50</price><currencyId>RUR</currencyId>
  <categoryId>1</categoryId><url>https://shop.example/p/1?a=1&amp;b=2</url><vendor>Tefal</vendor></offer>
<offer id="vm" type="vendor.model"><typePrefix>Принтер</typePrefix><vendor>НP</vendor><model>LaserJet 3000</model>
  <vendorCode>Q7533A</vendorCode><price>15000</price></offer>
<offer id="bk" type="book"><author>Маринина</author><name>Все не так</name><publisher>ЭКСМО</publisher>
  <series>Детектив</series><year>2009</year><ISBN>978-5-699-23647-3</ISBN><volume>2</volume><part>1</part></offer>
<offer id="ab" type="audiobook"><author>Кунин</author><name>Иванов</name><performed_by>Фоменко</performed_by>
  <storage>CD</storage><format>mp3</format><recording_length>45m23s</recording_length></offer>
<offer id="at" type="artist.title"><artist>Pink Floyd</artist><title>Dark Side Of The Moon</title>
  <year>1999</year><media>CD</media></offer>
<offer id="md" type="medicine"><name>БАД Селен</name><vendor>Диод</vendor><barcode>4981046350037</barcode></offer>
<offer id="et" type="event-ticket"><name>Концерт</name><place>Дом музыки</place>
  <hall plan="https://shop.example/plan.jpg">Большой зал</hall><hall_part>Партер</hall_part>
  <date>2014-12-31T19:00</date><is_premiere>0</is_premiere><is_kids>0</is_kids></offer>
<offer id="tr" type="tour"><worldRegion>Африка</worldRegion><country>Египет</country><region>Хургада</region>
  <days>7</days><dataTour>01/06/2014</dataTour><dataTour>08/06/2014</dataTour><name>Hilton</name>
  <hotel_stars>5*****</hotel_stars><room>SNG</room><meal>ALL</meal><included>перелет</included>
  <transport>Авиа</transport></offer>
<offer id="al" type="alco"><name>Вино</name><vendor>Santa Margherita</vendor>
  <param name="Объем" unit="л">0.75</param><param name="крепость">12.5%</param></offer>
"""))
    feed, items = parse(path)
    got = offers(items)
    assert feed.info.format == "yml" and feed.info.encoding == "utf-8" and feed.info.compression == "none"
    assert list(got) == ["s1", "vm", "bk", "ab", "at", "md", "et", "tr", "al"]
    s1 = got["s1"]
    assert (s1.type, s1.available, s1.name, s1.price, s1.currency) == ("", True, "Чайник", "1 299,50", "RUR")
    assert s1.url == "https://shop.example/p/1?a=1&b=2" and s1.category_id == "1" and s1.vendor == "Tefal"
    vm = got["vm"]
    assert (vm.type, vm.name, vm.type_prefix, vm.vendor, vm.model, vm.vendor_code) == (
        "vendor.model", "", "Принтер", "НP", "LaserJet 3000", "Q7533A")
    assert vm.available is None
    bk = got["bk"]
    assert bk.type == "book" and bk.barcodes == ["978-5-699-23647-3"]
    assert bk.attrs == {"author": "Маринина", "publisher": "ЭКСМО", "series": "Детектив", "year": "2009",
                        "ISBN": "978-5-699-23647-3", "volume": "2", "part": "1"}
    assert got["ab"].attrs["performed_by"] == "Фоменко" and got["ab"].attrs["recording_length"] == "45m23s"
    at = got["at"]
    assert at.name == "" and at.attrs == {"artist": "Pink Floyd", "title": "Dark Side Of The Moon", "year": "1999",
                                          "media": "CD"}
    assert got["md"].type == "medicine" and got["md"].barcodes == ["4981046350037"]
    et = got["et"].attrs
    assert et["hall"] == "Большой зал" and et["hall_plan"] == "https://shop.example/plan.jpg"
    assert et["date"] == "2014-12-31T19:00" and et["place"] == "Дом музыки" and et["is_kids"] == "0"
    tr = got["tr"]
    assert tr.name == "Hilton" and tr.attrs["dataTour"] == "01/06/2014; 08/06/2014"
    assert [tr.attrs[k] for k in ("worldRegion", "country", "region", "days", "hotel_stars", "room", "meal",
                                  "included", "transport")] == [
        "Африка", "Египет", "Хургада", "7", "5*****", "SNG", "ALL", "перелет", "Авиа"]
    assert got["al"].params == [("Объем", "л", "0.75"), ("крепость", "", "12.5%")]
    assert got["al"].line == 27  # the line of <offer>, counted from the XML declaration on line 1


def test_yml_header_currencies_and_categories(tmp_path):
    path = write(tmp_path, yml(
        '<offer id="1"><price>1</price></offer>',
        head="""<currencies><currency id="RUR" rate="1" plus="0"/><currency id="usd" rate="CBRF" plus="3"/>
<currency id="UAH" rate="NBU"/><currency id="KZT" rate="CB"/><currency id="EUR" rate="90.5"/><currency id="BYN"/>
</currencies>
<categories>
  <category id="1">
      Электроника
  </category>
  <category id="2" parentId="1">Телефоны</category>
  <category id="3" parentId="2">Смартфоны</category>
  <category id="4" parent_id="1">Ноутбуки</category>
  <category id="5" parentId="5">Сам себе родитель</category>
  <category>без id</category>
</categories>
"""))
    feed, items = parse(path)
    info = feed.info
    assert len(items) == 1
    assert info.date == "2024-01-02 10:00"
    assert info.shop == {"name": "Shop", "company": "Shop LLC", "url": "https://shop.example/"}
    assert info.currencies == {"RUR": "1", "USD": "CBRF", "UAH": "NBU", "KZT": "CB", "EUR": "90.5", "BYN": ""}
    assert info.currency_plus == {"RUR": "0", "USD": "3"}
    cats = {c.id: (c.name, c.parent_id) for c in info.categories.values()}
    assert cats == {"1": ("Электроника", ""), "2": ("Телефоны", "1"), "3": ("Смартфоны", "2"),
                    "4": ("Ноутбуки", "1"), "5": ("Сам себе родитель", "")}


def test_yml_epicentr_dialect_offers_under_root(tmp_path):
    path = write(tmp_path, """<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2026-05-02 18:11">
  <offers>
    <offer id="33703-L" available="true">
      <name lang="ua">Валіза Snowball</name>
      <name lang="ru">Чемодан Snowball</name>
      <price>3250</price>
      <price_old>3900</price_old>
      <category code="5442">Валізи</category>
      <vendor code="fd29">Snowball</vendor>
      <description lang="ua">Опис</description>
      <description lang="ru">Описание</description>
      <picture>https://x.example/1.jpg</picture>
      <param name="Бренд" paramcode="5" valuecode="fd29">Snowball</param>
      <height>750</height>
    </offer>
    <offer id="ru-first"><name lang="ru">Русское</name><name lang="ua">Українське</name></offer>
  </offers>
</yml_catalog>
""")
    feed, items = parse(path)
    got = offers(items)
    o = got["33703-L"]
    assert (o.name, o.price, o.old_price, o.category_id, o.category_path, o.vendor, o.description) == (
        "Чемодан Snowball", "3250", "3900", "5442", ["Валізи"], "Snowball", "Описание")
    assert o.params == [("Бренд", "", "Snowball")] and o.attrs == {"height": "750"}
    assert got["ru-first"].name == "Русское"
    assert feed.info.shop == {} and feed.info.categories == {}


@pytest.mark.parametrize("tag", ["oldprice", "old_price", "price_old", "oldPrice"])
def test_yml_oldprice_spellings(tmp_path, tag):
    path = write(tmp_path, yml(f'<offer id="1"><price>100</price><{tag}>150</{tag}></offer>'))
    _, items = parse(path)
    assert items[0].old_price == "150" and items[0].price == "100"


def test_yml_pictures_repeated_and_packed(tmp_path):
    path = write(tmp_path, yml("""
<offer id="1"><picture>https://x.example/1.jpg</picture><picture>https://x.example/2.jpg</picture></offer>
<offer id="2"><picture> https://x.example/a.jpg | https://x.example/b.jpg | https://x.example/c.jpg |</picture></offer>
<offer id="3"><picture>https://x.example/a.jpg,https://x.example/b.jpg, //cdn.example/c.jpg</picture></offer>
<offer id="4"><picture>https://res.example/image/upload/w_300,h_200,c_fill/v1/a.jpg</picture><picture/></offer>
<offer id="5"><picture>https://x.example/a.jpg https://x.example/b.jpg</picture></offer>
"""))
    _, items = parse(path)
    got = offers(items)
    assert got["1"].pictures == ["https://x.example/1.jpg", "https://x.example/2.jpg"]
    assert got["2"].pictures == ["https://x.example/a.jpg", "https://x.example/b.jpg", "https://x.example/c.jpg"]
    assert got["3"].pictures == ["https://x.example/a.jpg", "https://x.example/b.jpg", "//cdn.example/c.jpg"]
    assert got["4"].pictures == ["https://res.example/image/upload/w_300,h_200,c_fill/v1/a.jpg"]
    assert got["5"].pictures == ["https://x.example/a.jpg", "https://x.example/b.jpg"]


def test_yml_params_barcodes_title_group_and_empty_category(tmp_path):
    path = write(tmp_path, yml("""
<offer id="1" group_id="G7"><title>Запчасть</title><categoryId></categoryId>
  <param name="Цвет">черный</param><param name="Цвет">black</param><param name="Размер" unit="дюйм">5.6</param>
  <param name="Пустая единица" unit="">1</param>
  <barcode>4601546021298</barcode><barcode>4601546021299, 4601546021300</barcode><vendorCode>A-1</vendorCode>
</offer>
"""))
    _, items = parse(path)
    o = items[0]
    assert o.name == "Запчасть" and o.attrs == {"title": "Запчасть"} and o.category_id == "" and o.group_id == "G7"
    assert o.params == [("Цвет", "", "черный"), ("Цвет", "", "black"), ("Размер", "дюйм", "5.6"),
                        ("Пустая единица", "", "1")]
    assert o.barcodes == ["4601546021298", "4601546021299", "4601546021300"] and o.vendor_code == "A-1"


@pytest.mark.parametrize("offer_xml, expected", [
    ('<offer id="1" available="true"/>', True),
    ('<offer id="1" available="false"/>', False),
    ('<offer id="1"/>', None),
    ('<offer id="1"><available>false</available></offer>', False),
    ('<offer id="1"><stock_quantity>0</stock_quantity></offer>', False),
    ('<offer id="1"><stock_quantity>325</stock_quantity></offer>', True),
    ('<offer id="1" available="true"><stock_quantity>0</stock_quantity></offer>', True),
])
def test_yml_availability(tmp_path, offer_xml, expected):
    _, items = parse(write(tmp_path, yml(offer_xml)))
    assert items[0].available is expected


def test_yml_offer_without_id_is_skipped_with_its_line(tmp_path):
    path = write(tmp_path, yml('<offer id="1"><price>1</price></offer>\n<offer><price>2</price></offer>\n'
                               '<offer id="  "><price>3</price></offer>'))
    _, items = parse(path)
    assert isinstance(items[0], RawOffer)
    assert items[1] == Skip("", "missing id", 9) and items[2] == Skip("", "missing id", 10)


def test_yml_cdata_keeps_html_entities_and_raw_html_is_serialized(tmp_path):
    path = write(tmp_path, yml("""
<offer id="1"><name><![CDATA[Сокира & колун <A18>]]></name>
  <description>
     <![CDATA[<p>Ціна&nbsp;&mdash; низька &amp; чесна</p>]]>
  </description></offer>
<offer id="2"><description><p>Raw <b>bold</b> text</p> tail</description></offer>
"""))
    _, items = parse(path)
    got = offers(items)
    assert got["1"].name == "Сокира & колун <A18>"
    assert got["1"].description == "<p>Ціна&nbsp;&mdash; низька &amp; чесна</p>"
    assert got["2"].description == "<p>Raw <b>bold</b> text</p> tail"


def test_yml_not_well_formed_raises_with_line_and_column_after_good_offers(tmp_path):
    path = write(tmp_path, """<yml_catalog date="2012-05-12 08:23">
  <shop><offers>
      <offer id="1"><currencyId>RUR</currencyId></offer>
      <offer id="2">
        <currencyId />RUR</currencyId>
      </offer>
  </offers></shop>
</yml_catalog>""")
    seen = []
    with open_feed(path) as feed, pytest.raises(FeedError) as err:
        for item in feed:
            seen.append(item.id)
    assert seen == ["1"]
    e = err.value
    assert e.line == 5 and e.column == 39
    assert e.reason.startswith("not well-formed XML: Opening and ending tag mismatch: offer line 4 and currencyId")
    assert str(e).startswith(f"{path}:5:39: not well-formed XML")


def test_yml_garbage_instead_of_root_start_tag(tmp_path):
    path = write(tmp_path, '<?xml version="1.0" encoding="windows-1251"?>\nP25-12-07 07:51">\n<shop><offers>'
                           '<offer id="1"/></offers></shop></yml_catalog>')
    assert detect(path) == ("yml", "none")  # no root start tag, but offers: a (broken) YML
    with pytest.raises(FeedError) as err:
        parse(path)
    assert (err.value.line, err.value.column) == (2, 1) and "Start tag expected" in err.value.reason


# --------------------------------------------------------------------------- hostile XML


def test_xxe_file_entity_is_never_read(tmp_path):
    path = write(tmp_path, """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE yml_catalog [
    <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<yml_catalog date="2026-07-15 12:00"><shop><name>&xxe;</name><company>XXE LLC</company>
<offers><offer id="1"><price>1</price><name>&xxe;</name><description>a &xxe; b</description></offer></offers>
</shop></yml_catalog>""")
    feed, items = parse(path)
    everything = repr(items) + repr(feed.info)
    assert "root:" not in everything and "/bin/" not in everything and "nologin" not in everything
    assert items[0].name == "" and items[0].price == "1"
    assert feed.info.shop == {"company": "XXE LLC"}


def test_billion_laughs_is_refused_fast(tmp_path):
    ents = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    for body in ('<offer id="1"><name>&lol9;</name></offer>', '<offer id="&lol9;"><name>x</name></offer>'):
        path = write(tmp_path, f'<?xml version="1.0"?>\n<!DOCTYPE yml_catalog [{ents}]>\n'
                               f"<yml_catalog><shop><offers>{body}</offers></shop></yml_catalog>")
        start = time.perf_counter()
        try:
            _, items = parse(path)
        except FeedError as e:
            assert "amplification" in e.reason or "entity" in e.reason.lower()
        else:
            assert len(repr(items)) < 10_000  # not expanded
        assert time.perf_counter() - start < 2


class _Listener:
    """A local TCP port that records whether anything connects to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        time.sleep(0.2)  # give a (wrong) fetch the time to arrive
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE yml_catalog SYSTEM "http://127.0.0.1:{port}/shops.dtd">',
    '<!DOCTYPE yml_catalog PUBLIC "-//X//Y" "http://127.0.0.1:{port}/shops.dtd">',
    '<!DOCTYPE yml_catalog [<!ENTITY % ext SYSTEM "http://127.0.0.1:{port}/evil.dtd"> %ext;]>',
    '<!DOCTYPE yml_catalog [<!ENTITY ext SYSTEM "http://127.0.0.1:{port}/x.txt">]>',
])
def test_external_dtd_and_entities_are_never_fetched(tmp_path, doctype):
    listener = _Listener()
    try:
        path = write(tmp_path, f'<?xml version="1.0"?>\n{doctype.format(port=listener.port)}\n'
                               '<yml_catalog><shop><offers><offer id="1"><name>x&ext;</name></offer>'
                               "</offers></shop></yml_catalog>".replace("&ext;", "&ext;" if "ENTITY ext" in doctype
                                                                           else ""))
        start = time.perf_counter()
        try:
            _, items = parse(path)
            assert items[0].id == "1"
        except FeedError as e:  # refusing the document is fine too; fetching it is not
            assert e.line is not None
        assert time.perf_counter() - start < 2
    finally:
        listener.close()
    assert listener.connections == 0


# --------------------------------------------------------------------------- encodings


CP1251_DOC = yml('<offer id="1"><name>Чайник электрический</name><vendor>Бирюса</vendor></offer>',
                 head='<categories><category id="1">Кухня</category></categories>\n', decl="")


def test_cp1251_with_declaration(tmp_path):
    path = write(tmp_path, '<?xml version="1.0" encoding="windows-1251"?>\n' + CP1251_DOC, encoding="cp1251")
    feed, items = parse(path)
    assert feed.info.encoding == "windows-1251"
    assert items[0].name == "Чайник электрический" and feed.info.categories["1"].name == "Кухня"


def test_cp1251_without_declaration(tmp_path):
    path = write(tmp_path, CP1251_DOC, encoding="cp1251")
    with open_feed(path) as feed:
        assert feed.info.encoding == "windows-1251"  # known right after open
        items = list(feed)
    assert items[0].vendor == "Бирюса"


def test_cp1251_without_declaration_first_cyrillic_far_into_the_file(tmp_path):
    filler = "".join(f'<offer id="a{i}"><name>Item {i}</name><price>{i}</price></offer>\n' for i in range(25_000))
    doc = yml(filler + '<offer id="late"><name>Кофеварка</name></offer>', decl="")
    data = doc.encode("cp1251")
    assert data.index("Кофеварка".encode("cp1251")) > HEAD_SIZE
    path = write(tmp_path, data)
    with open_feed(path) as feed:
        assert feed.info.encoding == "utf-8"  # the first megabyte is plain ASCII
        items = list(feed)
        assert feed.info.encoding == "windows-1251"  # switched when the first non-UTF-8 byte came
    assert len(items) == 25_001 and items[-1].name == "Кофеварка"
    assert items[-1].line == doc.count("\n", 0, doc.index('"late"')) + 1


def test_utf8_bom_and_encoding_override(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + yml('<offer id="1"><name>Чай</name></offer>').encode())
    feed, items = parse(path)
    assert feed.info.encoding == "utf-8" and items[0].name == "Чай"
    # declared UTF-8 but really windows-1251: the override wins
    path = write(tmp_path, yml('<offer id="1"><name>Чай</name></offer>').encode("cp1251"))
    with pytest.raises(FeedError, match="encoding"):
        parse(path)
    feed, items = parse(path, encoding="cp1251")
    assert feed.info.encoding == "windows-1251" and items[0].name == "Чай"
    with pytest.raises(FeedError, match="unknown encoding"):
        open_feed(path, encoding="klingon-8")


def test_cr_only_line_ends(tmp_path):
    doc = yml('<offer id="1"><name>A</name></offer>\n<offer id="2"><name>B</name></offer>', decl="")
    path = write(tmp_path, doc.replace("\n", "\r"))
    _, items = parse(path)
    assert [(o.id, o.line) for o in items] == [("1", 7), ("2", 8)]


# --------------------------------------------------------------------------- compression & detection


def test_gzip_and_zip(tmp_path):
    doc = yml('<offer id="1"><name>A</name></offer>').encode()
    gz = write(tmp_path, gzip.compress(doc), "feed.xml")  # the name says nothing
    assert detect(gz) == ("yml", "gzip")
    feed, items = parse(gz)
    assert feed.info.compression == "gzip" and items[0].name == "A"

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("export/", "")
        z.writestr("export/feed.xml", doc)
    zp = write(tmp_path, buf.getvalue(), "feed.dat")
    feed, items = parse(zp)
    assert (feed.info.compression, feed.info.format, items[0].id) == ("zip", "yml", "1")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.xml", doc)
        z.writestr("b.csv", "id,name\n1,x\n")
    with pytest.raises(FeedError, match=r"2 files \(a\.xml, b\.csv\)"):
        open_feed(write(tmp_path, buf.getvalue(), "two.zip"))


def test_truncated_gzip_is_a_feed_error(tmp_path):
    doc = yml("".join(f'<offer id="{i}"><name>Item {i}</name></offer>' for i in range(20_000))).encode()
    data = gzip.compress(doc)
    path = write(tmp_path, data[: len(data) // 2])
    with pytest.raises(FeedError, match="gzip"):
        parse(path)


@pytest.mark.parametrize("data, message", [
    (b"", "empty file"),
    (b"  \n\t ", "empty file"),
    (b"<!DOCTYPE html>\n<html><head><title>Login</title></head><body></body></html>", "HTML page"),
    (b"\n<!-- cached -->\n<HTML><body>Error 502</body></HTML>", "HTML page"),
    (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body/></html>", "HTML page"),
    (b"<!ELEMENT yml_catalog (shop)>\n<!ATTLIST yml_catalog date CDATA #REQUIRED>", "DTD"),
    (b'<?xml version="1.0"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>', "XML Schema"),
    (b'{"offers": []}', "JSON"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
    (b"\x00\x01\x02\x03binary\x00\x00", "binary data"),
    (b"<catalog><product sku='1'/></catalog>", "root element <catalog>"),
    (b'<rss version="2.0"><channel><title>Blog</title></channel></rss>', "RSS feed without"),
    (b"just one line of prose without any delimiter", "not a delimited header"),
])
def test_not_a_feed(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(FeedError, match=message) as err:
        open_feed(path)
    assert err.value.path == str(path)


def test_empty_gzip_and_missing_file(tmp_path):
    with pytest.raises(FeedError, match="empty file"):
        open_feed(write(tmp_path, gzip.compress(b"")))
    with pytest.raises(FeedError, match="cannot open"):
        open_feed(tmp_path / "nope.xml")


def test_feed_can_be_iterated_twice_and_closed(tmp_path):
    path = write(tmp_path, gzip.compress(yml('<offer id="1"/><offer id="2"/>').encode()))
    feed = open_feed(path)
    assert [o.id for o in feed] == ["1", "2"]
    assert [o.id for o in feed] == ["1", "2"]
    feed.close()
    assert "yml" in repr(feed)


# --------------------------------------------------------------------------- Google Merchant

G = 'xmlns:g="http://base.google.com/ns/1.0"'


def test_merchant_rss_with_g_prefix(tmp_path):
    path = write(tmp_path, f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" {G}><channel><title>Opispot</title><link>https://opispot.example</link>
<lastBuildDate>Mon, 01 Jan 2024 10:00:00 GMT</lastBuildDate>
<item>
  <g:id>SKU-1</g:id><g:item_group_id>GRP</g:item_group_id>
  <g:title><![CDATA[Funda "Luna" 15″]]></g:title>
  <g:description><![CDATA[<p>Bonita &amp; barata</p>]]></g:description>
  <g:link>https://opispot.example/p/1</g:link>
  <g:image_link>https://img.example/1.jpg</g:image_link>
  <g:additional_image_link>https://img.example/2.jpg</g:additional_image_link>
  <g:additional_image_link>https://img.example/3.jpg,https://img.example/4.jpg</g:additional_image_link>
  <g:price>39.99 USD</g:price><g:sale_price>32.0 USD</g:sale_price>
  <g:availability>in_stock</g:availability><g:brand>Opispot</g:brand><g:gtin>4006381333931</g:gtin>
  <g:mpn>MPN-1</g:mpn><g:condition>new</g:condition><g:color>Negro</g:color><g:size>15</g:size>
  <g:product_type>Home &amp;gt; Laptop Cases &amp;gt; 15"</g:product_type>
  <g:google_product_category>5562</g:google_product_category>
  <g:shipping><g:country>US</g:country><g:price>4.99 USD</g:price></g:shipping>
  <g:custom_label_0>sale</g:custom_label_0>
</item>
<item><g:title>No id</g:title></item>
</channel></rss>""")
    feed, items = parse(path)
    info = feed.info
    assert (info.format, info.dialect) == ("merchant", "rss")
    assert info.shop == {"name": "Opispot", "url": "https://opispot.example"}
    assert info.date == "Mon, 01 Jan 2024 10:00:00 GMT"
    o = items[0]
    assert (o.id, o.group_id, o.name, o.url) == ("SKU-1", "GRP", 'Funda "Luna" 15″', "https://opispot.example/p/1")
    assert o.description == "<p>Bonita &amp; barata</p>"
    assert o.pictures == ["https://img.example/1.jpg", "https://img.example/2.jpg", "https://img.example/3.jpg",
                          "https://img.example/4.jpg"]
    assert (o.price, o.old_price, o.currency) == ("32.0 USD", "39.99 USD", "")
    assert (o.available, o.vendor, o.barcodes, o.vendor_code) == (True, "Opispot", ["4006381333931"], "MPN-1")
    assert o.category_path == ["Home", "Laptop Cases", '15"']
    assert o.params == [("color", "", "Negro"), ("size", "", "15")]
    assert o.attrs["condition"] == "new" and o.attrs["custom_label_0"] == "sale"
    assert o.attrs["google_product_category"] == "5562" and o.attrs["availability"] == "in_stock"
    assert "shipping" not in o.attrs
    assert o.line == 4 and items[1] == Skip("", "missing id", 20)


def test_merchant_rss_without_g_prefix_on_title_link_description(tmp_path):
    path = write(tmp_path, f"""<?xml version="1.0" encoding="UTF-8"?>
<rss {G} version="2.0"><channel>
<item><g:id>1</g:id><title>Title 1</title><description>Desc 1</description><link>https://shop.example/1</link>
<g:price>39.99 PLN</g:price><g:availability>in stock</g:availability><g:currency>PLN</g:currency>
<g:google_product_category>Apparel &amp; Accessories &gt; Shoes</g:google_product_category></item>
<item><g:id>2</g:id><title>Plain</title><g:title>Prefixed wins</g:title><g:price/><g:image_link/>
<g:availability>out of stock</g:availability></item>
</channel></rss>""")
    _, items = parse(path)
    a, b = items
    assert (a.name, a.description, a.url, a.price, a.currency, a.available) == (
        "Title 1", "Desc 1", "https://shop.example/1", "39.99 PLN", "PLN", True)
    assert a.category_path == ["Apparel & Accessories", "Shoes"]
    assert (b.name, b.price, b.pictures, b.available) == ("Prefixed wins", "", [], False)


def test_merchant_atom(tmp_path):
    path = write(tmp_path, f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" {G}>
  <title>Samsung KZ</title>
  <link rel="self" href="http://www.samsung.example/kz"/>
  <updated>2026-02-28T12:02:37+0000</updated>
  <entry>
    <g:id>WW80</g:id>
    <title> Стиральная машина </title>
    <link href="https://shop.example/ww80"/>
    <summary>Узкая</summary>
    <g:description/>
    <g:price>284990 KZT</g:price>
    <g:sale_price/>
    <g:availability>preorder</g:availability>
    <g:availability_date>2026-03-01</g:availability_date>
    <g:product_type>Products &amp;gt; Бытовая техника</g:product_type>
  </entry>
  <entry><g:id>2</g:id><g:title>X</g:title><g:link>https://shop.example/2</g:link>
    <link rel="enclosure" href="https://shop.example/file.pdf"/>
    <g:google_product_category>Products &amp;gt; ТВ</g:google_product_category></entry>
</feed>""")
    feed, items = parse(path)
    assert (feed.info.format, feed.info.dialect) == ("merchant", "atom")
    assert feed.info.shop == {"name": "Samsung KZ", "url": "http://www.samsung.example/kz"}
    assert feed.info.date == "2026-02-28T12:02:37+0000"
    a, b = items
    assert (a.name, a.url, a.description, a.price, a.old_price, a.available) == (
        "Стиральная машина", "https://shop.example/ww80", "Узкая", "284990 KZT", "", True)
    assert a.category_path == ["Products", "Бытовая техника"] and a.attrs["availability_date"] == "2026-03-01"
    assert b.url == "https://shop.example/2" and b.category_path == ["Products", "ТВ"]


@pytest.mark.parametrize("value, expected", [
    ("in stock", True), ("in_stock", True), ("In Stock", True), ("limited availability", True),
    ("preorder", True), ("backorder", True), ("out of stock", False), ("out_of_stock", False),
    ("discontinued", False), ("https://schema.org/InStock", True), ("maybe", None),
])
def test_merchant_availability_spellings(tmp_path, value, expected):
    path = write(tmp_path, f'<rss {G}><channel><item><g:id>1</g:id><g:availability>{value}</g:availability>'
                           "</item></channel></rss>")
    _, items = parse(path)
    assert items[0].available is expected


def test_merchant_tsv(tmp_path):
    path = write(tmp_path, "id\ttitle\tlink\tprice\tsale price\tbrand\tgtin\tavailability\tgoogle_product_category"
                           "\timage_link\tadditional_image_link\tvehicle_fulfillment(option)\r\n"
                           "97853\t2014 VW CADDY\thttps://c.example/a\t11995 GBP\t\tVolkswagen\t\tin_stock\t"
                           "Vehicles & Parts > Vehicles\thttps://i.example/1.jpg\t"
                           "https://i.example/2.jpg,https://i.example/3.jpg\tonline\r\n"
                           "97854\tshort row\r\n", "feed.txt")
    feed, items = parse(path)
    assert (feed.info.format, feed.info.dialect) == ("merchant", "tsv")
    o = items[0]
    assert (o.id, o.name, o.url, o.price, o.vendor, o.available, o.line) == (
        "97853", "2014 VW CADDY", "https://c.example/a", "11995 GBP", "Volkswagen", True, 2)
    assert o.pictures == ["https://i.example/1.jpg", "https://i.example/2.jpg", "https://i.example/3.jpg"]
    assert o.category_path == ["Vehicles & Parts", "Vehicles"] and o.attrs["vehicle_fulfillment(option)"] == "online"
    assert items[1] == Skip("97854", "wrong number of columns: 2, the header has 12", 3)
    # forced to the generic CSV parser
    feed, items = parse(path, format="csv")
    assert (feed.info.format, feed.info.dialect, items[0].name, items[0].price) == (
        "csv", "tab", "2014 VW CADDY", "11995 GBP")


def test_merchant_not_well_formed(tmp_path):
    path = write(tmp_path, f"<rss {G}><channel><item><g:id>1</g:id></item>\n<item><g:id>2</g:id></channel></rss>")
    with open_feed(path) as feed, pytest.raises(FeedError) as err:
        ids = [o.id for o in feed]
    assert err.value.line == 2 and err.value.reason.startswith("not well-formed XML")
    assert "ids" not in locals()


# --------------------------------------------------------------------------- CSV


def test_csv_semicolon_quoted_newlines_and_lines(tmp_path):
    path = write(tmp_path, 'id;name;price;description;category;picture\n'
                           '1;"Чайник ""Люкс""";1 299,50;"Строка 1\nСтрока 2; с точкой с запятой";Кухня > Чайники;'
                           "https://x.example/1.jpg|https://x.example/2.jpg\n"
                           '\n'
                           '2;Утюг;990;;Дом/Утюги;\n'
                           ';Без id;1;;;\n'
                           '3;too;many;cells;here;x;y\n'
                           '4;trailing empty;5;;;;\n', "feed.csv")
    feed, items = parse(path)
    assert (feed.info.format, feed.info.dialect, feed.info.encoding) == ("csv", "semicolon", "utf-8")
    a, b, c, d, e = items
    assert (a.id, a.name, a.price, a.line) == ("1", 'Чайник "Люкс"', "1 299,50", 2)
    assert a.description == "Строка 1\nСтрока 2; с точкой с запятой"
    assert a.category_path == ["Кухня", "Чайники"]
    assert a.pictures == ["https://x.example/1.jpg", "https://x.example/2.jpg"]
    assert (b.id, b.line, b.category_path, b.pictures) == ("2", 5, ["Дом", "Утюги"], [])
    assert c == Skip("", "missing id", 6)
    assert d == Skip("3", "wrong number of columns: 7, the header has 6", 7)
    assert (e.id, e.line) == ("4", 8)


def test_csv_awin_columns(tmp_path):
    header = ("aw_deep_link,product_name,aw_product_id,merchant_product_id,merchant_image_url,description,"
              "merchant_category,search_price,currency,merchant_deep_link,display_price,brand_name,rrp_price,"
              "aw_image_url,large_image,ean,mpn,in_stock,category_name,Fashion:size")
    row = ('https://www.awin1.com/pclick.php?p=389&a=394&m=105,"ASICS GT-2160, weiss",389,003750677,'
           "https://cdn.example/i.jpg,Der GT-2160,Women's Footwear,130.00,EUR,https://shop.example/p/702948,"
           "EUR130.00,ASICS,150.00,https://images2.productserve.com/?w=200&url=x,,4550457535267,,1,Schuhe,36")
    path = write(tmp_path, gzip.compress(f"{header}\r\n{row}\r\n".encode()))
    feed, items = parse(path)
    assert (feed.info.format, feed.info.compression, feed.info.dialect) == ("csv", "gzip", "comma")
    o = items[0]
    assert (o.id, o.name, o.url, o.price, o.old_price, o.currency, o.vendor, o.available) == (
        "389", "ASICS GT-2160, weiss", "https://shop.example/p/702948", "130.00", "150.00", "EUR", "ASICS", True)
    assert o.pictures == ["https://cdn.example/i.jpg"] and o.barcodes == ["4550457535267"]
    assert o.category_path == ["Women's Footwear"] and o.description == "Der GT-2160"
    assert o.attrs["aw_deep_link"] == "https://www.awin1.com/pclick.php?p=389&a=394&m=105"
    assert o.attrs["merchant_product_id"] == "003750677" and o.attrs["display_price"] == "EUR130.00"
    assert o.attrs["aw_image_url"].startswith("https://images2") and o.attrs["Fashion:size"] == "36"
    assert "merchant_deep_link" not in o.attrs and "search_price" not in o.attrs


def test_csv_column_mapping(tmp_path):
    path = write(tmp_path, "Артикул|Наименование|Цена|Ссылка|Фото|Наличие|sku\n"
                           "A1|Чайник|100|https://x.example/a1|https://x.example/a1.jpg|да|S-1\n", "feed.csv")
    opts = CsvOptions(columns={"id": "Артикул", "name": "наименование", "price": "Цена", "url": "Ссылка",
                               "picture": "Фото", "available": "Наличие"})
    feed, items = parse(path, csv_options=opts)
    o = items[0]
    assert feed.info.dialect == "pipe"
    assert (o.id, o.name, o.price, o.url, o.pictures, o.available) == (
        "A1", "Чайник", "100", "https://x.example/a1", ["https://x.example/a1.jpg"], True)
    assert o.attrs == {"sku": "S-1"}
    with pytest.raises(FeedError, match="unknown field"):
        open_feed(path, csv_options=CsvOptions(columns={"colour": "Цвет"}))
    with pytest.raises(FeedError, match="'Цвет' \\(mapped to vendor\\) is not in the CSV header") as err:
        parse(path, csv_options=CsvOptions(columns={"vendor": "Цвет"}))
    assert err.value.line == 1
    feed, items = parse(path, csv_options=CsvOptions(delimiter=",", columns={"id": "Артикул|Наименование|Цена|"
                                                                             "Ссылка|Фото|Наличие|sku"}))
    assert feed.info.dialect == "comma" and items[0].id.startswith("A1|Чайник")


def test_csv_encodings_bom_and_cr_only(tmp_path):
    text = "id,name,price\r1,Чайник,100\r2,Утюг,200\r"
    feed, items = parse(write(tmp_path, text.encode("cp1251"), "a.csv"))
    assert feed.info.encoding == "windows-1251" and [(o.name, o.line) for o in items] == [("Чайник", 2), ("Утюг", 3)]
    feed, items = parse(write(tmp_path, b"\xef\xbb\xbf" + text.encode(), "b.csv"))
    assert feed.info.encoding == "utf-8" and items[0].id == "1" and items[1].name == "Утюг"
    # a windows-1251 file whose first non-ASCII byte is past the sniffed head
    big = "id,name\n" + "".join(f"{i},item {i}\n" for i in range(120_000)) + "late,Кофеварка\n"
    data = big.encode("cp1251")
    assert data.index("Кофеварка".encode("cp1251")) > HEAD_SIZE
    with open_feed(write(tmp_path, data, "c.csv")) as feed:
        last = list(feed)[-1]
        assert feed.info.encoding == "windows-1251"
    assert (last.id, last.name, last.line) == ("late", "Кофеварка", 120_002)


def test_csv_tab_and_unbalanced_quote(tmp_path):
    _, items = parse(write(tmp_path, "sku\ttitle\tprice\nX\tY\t1\n"))
    assert (items[0].id, items[0].name) == ("X", "Y")
    path = write(tmp_path, 'id,name\n1,ok\n2,"never closed\n' + "x" * 200_000 + "\n3,z\n")
    with pytest.raises(FeedError, match="unbalanced quote") as err:
        parse(path)
    assert err.value.line == 3


# --------------------------------------------------------------------------- helpers


def test_split_urls_and_paths():
    assert split_urls(" a | b |") == ["a", "b"]
    assert split_urls("https://x/w_1,h_2/a.jpg, https://x/b.jpg") == ["https://x/w_1,h_2/a.jpg", "https://x/b.jpg"]
    assert split_urls("") == []
    assert split_path("A &gt; B &gt; C") == ["A", "B", "C"]  # "&amp;gt;" in the XML
    assert split_path("A > B/C") == ["A", "B/C"] and split_path("A/B") == ["A", "B"]
    assert split_path("  ") == [] and split_path("Single") == ["Single"]


def test_utf16_and_misspelled_declared_encodings(tmp_path):
    doc = yml('<offer id="1"><name>Привет</name></offer>', decl='<?xml version="1.0" encoding="UTF-16"?>\n')
    feed, items = parse(write(tmp_path, doc.encode("utf-16"), "a.xml"))
    assert (feed.info.encoding, items[0].name) == ("utf-16", "Привет")
    feed, items = parse(write(tmp_path, "id,name\n1,Привет\n".encode("utf-16"), "a.csv"))
    assert (feed.info.encoding, items[0].name) == ("utf-16", "Привет")
    doc = yml('<offer id="1"><name>Привет</name></offer>', decl='<?xml version="1.0" encoding="win-1251"?>\n')
    feed, items = parse(write(tmp_path, doc.encode("cp1251"), "b.xml"))
    assert (feed.info.encoding, items[0].name) == ("windows-1251", "Привет")
    doc = yml('<offer id="1"/>', decl='<?xml version="1.0" encoding="x-klingon"?>\n')
    with pytest.raises(FeedError, match=r"Unsupported encoding: x-klingon .*override"):
        parse(write(tmp_path, doc, "c.xml"))


def test_csv_any_single_character_delimiter(tmp_path):
    path = write(tmp_path, "id:name:price\n1:Чай:10\n")
    feed, items = parse(path, csv_options=CsvOptions(delimiter=":"))
    assert (feed.info.dialect, items[0].name, items[0].price) == (":", "Чай", "10")
    with pytest.raises(FeedError, match="delimiter"):
        open_feed(path, csv_options=CsvOptions(delimiter='"'))
