"""site.yml validation: every error names the file, the line and the key path, and says what was expected."""

import textwrap

import pytest

from showcase.config import load_site, parse_config
from showcase.errors import ConfigError

VALID = """\
site:
  title: Demo
  base_url: https://demo.example
  language: ru
  currency: RUB
categories:
  - slug: electronics
    name: Электроника
    children:
      - {slug: phones, name: Телефоны}
networks:
  adm: {type: admitad}
  aw: {type: awin, publisher_id: "123"}
  tpl: {type: template, template: "https://t.example/r?u={url_encoded}&s={subid}"}
programs:
  shop:
    name: Shop
    network: adm
    id: abc123
    terms: {rate_percent: 7.5, cookie_days: 30, currency: RUB}
    erid: Kra23abcd
    advertiser: {name: ООО «Шоп», inn: "7701234567"}
feeds:
  myshop:
    source: feeds/shop.yml
    program: shop
    category_map: {"12": electronics/phones}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        parse_config(textwrap.dedent(text), "site.yml")
    return info.value.errors


def test_valid_config_loads_typed_values():
    config = parse_config(VALID)
    assert config.site.base_url == "https://demo.example/"  # normalized with a trailing slash
    assert config.programs["shop"].terms.rate_percent == 7.5
    assert config.networks["aw"].publisher_id == "123"
    assert config.category_paths() == {"electronics": "Электроника", "electronics/phones": "Телефоны"}
    assert config.feeds["myshop"].max_shrink_percent == 50


def test_unknown_key_names_line_path_and_allowed_keys():
    text = VALID.replace("    id: abc123\n", "    id: abc123\n    colour: red\n")
    [error] = errors_of(text)
    assert error.startswith("site.yml:20: programs.shop.colour: unknown key 'colour'; expected one of: name, network")


def test_wrong_type_and_bad_values():
    text = VALID.replace("cookie_days: 30", "cookie_days: thirty").replace("currency: RUB\ncategories",
                                                                             "currency: rub\ncategories")
    errors = errors_of(text)
    assert any(e.startswith("site.yml:5: site.currency: expected a three-letter ISO 4217") for e in errors)
    assert any(e.startswith("site.yml:20: programs.shop.terms.cookie_days: input should be a valid integer")
               and "'thirty'" in e for e in errors), errors


def test_missing_required_key():
    errors = errors_of(VALID.replace("  title: Demo\n", ""))
    assert errors == ["site.yml:1: site.title: required key is missing"]


def test_references_to_undefined_names():
    text = VALID.replace("network: adm", "network: admx").replace("program: shop", "program: shopx")
    text = text.replace('"12": electronics/phones', '"12": electronics/phonez')
    errors = errors_of(text)
    assert "site.yml:18: programs.shop.network: unknown network 'admx' (defined: adm, aw, tpl)" in errors
    assert "site.yml:26: feeds.myshop.program: unknown program 'shopx' (defined: shop)" in errors
    assert any(e.startswith("site.yml:27: feeds.myshop.category_map.12: unknown site category 'electronics/phonez'")
               for e in errors)


def test_bad_urls():
    errors = errors_of(VALID.replace("https://demo.example", "demo.example").replace(
        "source: feeds/shop.yml", "source: ftp://x.example/feed.xml"))
    assert any(e.startswith("site.yml:3: site.base_url: expected an http(s) URL") for e in errors), errors
    errors = errors_of(VALID.replace("source: feeds/shop.yml", "source: https:// bad"))
    assert any(e.startswith("site.yml:25: feeds.myshop.source: expected an http(s) URL") for e in errors), errors


def test_network_type_needs_its_ids():
    errors = errors_of(VALID.replace('aw: {type: awin, publisher_id: "123"}', "aw: {type: awin}"))
    assert errors == ["site.yml:13: networks.aw: a network of type awin needs `publisher_id`"]
    errors = errors_of(VALID.replace("{url_encoded}&s={subid}", "{bad}"))
    assert "unknown placeholder(s) bad" in errors[0] and errors[0].startswith("site.yml:14: networks.tpl")
    errors = errors_of(VALID.replace("    id: abc123\n", ""))
    assert errors == ["site.yml:16: programs.shop: a program on admitad needs `id` "
                      "(the link code in https://ad.admitad.com/g/<code>/)"]


def test_erid_needs_advertiser_and_terms_one_of():
    errors = errors_of(VALID.replace("    advertiser: {name: ООО «Шоп», inn: \"7701234567\"}\n", ""))
    assert errors[0].startswith("site.yml:16: programs.shop: a program with an erid needs `advertiser`")
    errors = errors_of(VALID.replace("rate_percent: 7.5,", "rate_percent: 7.5, payout: 100,"))
    assert errors[0].startswith("site.yml:20: programs.shop.terms: give either rate_percent or payout")


def test_duplicate_keys_are_errors_not_silent_overrides():
    errors = errors_of(VALID.replace("  tpl: {", "  aw: {type: admitad}\n  tpl: {"))
    assert errors == ["site.yml:14: networks.aw: duplicate key (first at line 13)"]


def test_yaml_syntax_error_has_line_and_column():
    errors = errors_of("site:\n  title: [unclosed\n")
    assert errors[0].startswith("site.yml:3:1: not valid YAML")


def test_feed_name_may_not_shadow_a_top_level_category():
    errors = errors_of(VALID.replace("feeds:\n  myshop:", "feeds:\n  electronics:"))
    assert any("feeds.electronics: feed name 'electronics' is also a top-level category" in e for e in errors)


def test_load_site_without_site_yml(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_site(tmp_path)
    assert "no site.yml here" in info.value.errors[0] and "showcase init" in info.value.errors[0]


def test_site_paths_resolve_from_site_folder(tmp_path):
    (tmp_path / "site.yml").write_text(VALID, encoding="utf-8")
    site = load_site(tmp_path)
    assert site.feed_path("myshop") == tmp_path / "feeds" / "shop.yml"
    assert site.catalog_path == tmp_path / ".showcase" / "catalog.sqlite"
