"""Every real feed in ../shared/realdata/feeds through the whole import: parse, normalize, merge."""

import json
import re

import pytest
from click.testing import CliRunner

from showcase.cli import main
from tests.conftest import REALDATA

FEEDS = REALDATA / "feeds"
pytestmark = [pytest.mark.realdata,
              pytest.mark.skipif(not FEEDS.is_dir(), reason=f"{FEEDS} is absent (real feeds are not shipped)")]

NOT_FEEDS = {"lireincore__ymlparser__yml.xsd", "sirian__php-yml-parser__Tests_Fixtures_shops.dtd"}
BROKEN = {"JimStyle-gb__supplier-feeds__docs_akcent.cp1251.BROKEN.yml": 2,
          "take-five__yandex_market-parser__spec_fixture_malformed.xml": 11}


def feed_files():
    return sorted(p for p in FEEDS.iterdir() if p.name != "SOURCES.md" and not p.name.startswith(".")
                  and p.name not in NOT_FEEDS)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    site = tmp_path_factory.mktemp("realsite")
    feeds = {f"f{i}": path for i, path in enumerate(feed_files())}
    lines = ["site: {title: Real, base_url: 'https://real.example/', language: ru, currency: RUB}",
             "rates: {USD: 92, EUR: 100, UAH: 2.2, KZT: 0.18, CZK: 4, PLN: 23, GBP: 117}",
             "networks: {adm: {type: admitad}}", "programs:"]
    lines += [f"  {name}: {{name: {name}, network: adm, id: c{name}}}" for name in feeds]
    lines += ["feeds:"] + [f"  {name}: {{source: '{path}', program: {name}}}" for name, path in feeds.items()]
    (site / "site.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--site", str(site), "import", "--json"], catch_exceptions=False)
    report = {f["feed"]: f for f in json.loads(result.output)["feeds"]}
    return {path.name: report[name] for name, path in feeds.items()}, result.exit_code, site


def test_every_real_feed_imports_or_fails_clearly(imported):
    report, exit_code, _ = imported
    assert exit_code == 1  # the two broken feeds
    for name, result in report.items():
        if name in BROKEN:
            assert result["status"] == "failed"
            assert re.search(rf"{re.escape(name)}:{BROKEN[name]}:\d+: ", result["error"]), result["error"]
        else:
            assert result["status"] == "ok", (name, result)


@pytest.mark.parametrize("name, offers, skip_reasons", [
    # counts after normalization, checked by hand against the files (see SOURCES.md for their traps)
    ("AndriiSolodovnyk__feed__rozetka.xml", 0, {"missing url": 379}),  # Rozetka feeds carry no <url>
    ("jon-vy__autopriwos_ru__yandex.xml", 0, {"missing price": 72}),  # no <price> anywhere
    ("anton-kuznetsov__emporium-shwei__yml.xml", 132, {}),  # vendor.model titles built from typePrefix/model
    ("Keaton1000__groundies-product-feed__merchant_feed.xml", 2191, {"bad price": 9}),  # nine '0.00 USD'
    # two empty <g:price/>, and a trade-in bundle priced '0 KZT'
    ("az1k3n-ai__samsung-feed-fix__public_google-shopping.atom.xml", 660, {"missing price": 2, "bad price": 1}),
    ("g0tchi__soleflip__context_integrations_awin_feed_sample.csv.gz", 1150, {}),
    ("jonleroux__campers4sale-gva-feed__feed.tsv", 807, {}),
])
def test_real_feed_counts(imported, name, offers, skip_reasons):
    result = imported[0][name]
    assert result["offers"] == offers
    assert {k: v for k, v in result["skip_reasons"].items() if not k.startswith("filtered")} == skip_reasons


def test_real_feeds_merge_and_convert(imported):
    _, _, site = imported
    stats = json.loads(CliRunner().invoke(main, ["--site", str(site), "catalog", "stats", "--json"]).output)
    assert stats["offers"] == sum(r["offers"] for r in imported[0].values() if r["status"] == "ok")
    assert stats["products"] <= stats["offers"]  # item groups and shared GTINs merge
