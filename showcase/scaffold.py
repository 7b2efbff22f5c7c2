"""``showcase init``: a new site folder for a publisher to fill in."""

from __future__ import annotations

from pathlib import Path

from showcase.config import CONFIG_NAME
from showcase.errors import ShowcaseError

SITE_YML = """\
# site.yml: one storefront. Every key is described in showcase's README ("site.yml reference").
# Check your edits with:  showcase check

site:
  title: My storefront            # shown in page titles
  base_url: https://example.com/  # where the site will be published
  language: ru                    # interface language: ru | en
  currency: RUB                   # prices are shown in this currency (ISO 4217)
  timezone: Europe/Moscow         # optional, IANA name

# Exchange rates into the site currency, for feeds priced in other currencies.
# rates:
#   USD: 92.5

# Your own category tree; feeds map their categories into it (feeds.<name>.category_map).
categories:
  - slug: electronics
    name: Электроника
    children:
      - slug: smartphones
        name: Смартфоны

# Your accounts at affiliate networks.
networks: {}
#  admitad:
#    type: admitad                # admitad | awin | cj | impact | rakuten | amazon | ebay | template
#  awin:
#    type: awin
#    publisher_id: "123456"       # your Awin publisher id (awinaffid)

# One program per partner shop.
programs: {}
#  myshop:
#    name: My Shop                # the shop's name on the site
#    network: admitad
#    id: "abc123def456"           # admitad: the code in https://ad.admitad.com/g/<code>/
#    terms: {rate_percent: 5, cookie_days: 30, currency: RUB}
#    erid: "2VtzqvXyz12"          # optional ad-marking token, needs advertiser:
#    advertiser: {name: ООО «Магазин», inn: "7701234567"}

# Product feeds: an http(s) URL (downloaded by `showcase fetch`) or a path in this folder.
feeds: {}
#  myshop:
#    source: https://myshop.example/export/yml.xml
#    program: myshop
#    category_map:
#      "Телефоны": electronics/smartphones

# Where `showcase deploy` and `showcase update` publish build/ (see the README for every key).
deploy: {}
#  live:
#    type: dir                    # dir | rsync | s3 | git
#    path: /var/www/myshop        # becomes a symlink to the live release
"""

GITIGNORE = """\
# showcase output and state
/build/
/.build.next/
/.build.previous/
/.showcase/
# feeds downloaded by `showcase fetch` (and its in-progress temp files)
/feeds/*.feed
/feeds/.*.part-*
"""


def create_site(directory: Path) -> list[Path]:
    """Create the site skeleton; refuse when a site.yml is already there. Returns what was created."""
    config = directory / CONFIG_NAME
    if config.exists():
        raise ShowcaseError(f"{config} already exists; not overwriting an existing site")
    created: list[Path] = []
    for folder in (directory, directory / "feeds", directory / "templates"):
        if not folder.exists():
            folder.mkdir(parents=True)
            created.append(folder)
    for path, text in ((config, SITE_YML), (directory / ".gitignore", GITIGNORE)):
        if not path.exists():
            path.write_text(text, encoding="utf-8")
            created.append(path)
    keep = directory / "templates" / "README.md"
    if not keep.exists():
        keep.write_text("Templates here override the theme's templates of the same name.\n", encoding="utf-8")
        created.append(keep)
    return created
