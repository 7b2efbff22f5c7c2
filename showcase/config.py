"""site.yml: load, validate, and hand on a typed config.

Validation is strict (unknown keys are errors) and every message names the file, the
line and the key path, then says what was expected, e.g.::

    site.yml:14: feeds.technomir.program: unknown program 'technomr' (defined: technomir, gadgethub)

YAML is composed into nodes first so each key path keeps its line; pydantic checks the
types; cross-references (feed -> program -> network, category_map -> category tree)
are checked afterwards. Nothing runs on an invalid config.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from showcase.errors import ConfigError

CONFIG_NAME = "site.yml"
STATE_DIR = ".showcase"

# First path segments of the storefront's own pages: top-level categories and feeds may not use them.
RESERVED_PATHS = frozenset({"p", "brand", "brands", "shop", "shops", "search", "go", "assets", "img", "pagefind",
                            "sitemaps", "disclosure", "page", "feed.xml", "data"})
NETWORK_TYPES = ("admitad", "awin", "cj", "impact", "rakuten", "amazon", "ebay", "template")
TEMPLATE_FIELDS = {"url", "url_encoded", "subid", "program_id"}
NAME_RE = r"^[a-z0-9][a-z0-9_-]*$"
SLUG_RE = r"^[a-z0-9][a-z0-9-]*$"
CURRENCY_RE = r"^[A-Z]{3}$"
BUCKET_RE = r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"

Name = Annotated[str, Field(pattern=NAME_RE)]
Currency = Annotated[str, Field(pattern=CURRENCY_RE)]
Rate = Annotated[Decimal, Field(gt=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError(f"expected an http(s) URL, got {value!r}")
    return value


HttpUrl = Annotated[str, Field(min_length=1)]


class SiteSection(Strict):
    title: str = Field(min_length=1)
    base_url: HttpUrl
    language: Literal["ru", "en"]
    currency: Currency
    timezone: str = "UTC"

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, v: str) -> str:
        _check_http_url(v)
        return v if v.endswith("/") else v + "/"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"expected an IANA time zone such as Europe/Moscow, got {v!r}") from None
        return v


class CategoryNode(Strict):
    slug: Annotated[str, Field(pattern=SLUG_RE)]
    name: str = Field(min_length=1)
    children: list[CategoryNode] = []


class NetworkConfig(Strict):
    """An affiliate network account. Which ids are required depends on ``type``."""

    type: Literal[NETWORK_TYPES]  # type: ignore[valid-type]
    publisher_id: str | None = None  # awin: awinaffid; cj: PID; rakuten: publisher id
    tag: str | None = None  # amazon: associate tag
    campaign_id: str | None = None  # ebay: campid
    template: str | None = None  # template: URL with {url} {url_encoded} {subid} {program_id}
    domain: str | None = None  # tracking host override
    # Earnings reports of a network without a built-in parser, as neutral CSV (showcase/reports/):
    report_columns: dict[str, str] = {}  # neutral field (id, clicked, sold, revenue, price, status, custom_1, ...)
    #                                      -> the report's column header
    report_statuses: dict[str, Literal["pending", "approved", "declined", "paid"]] = {}  # report status -> ours

    @model_validator(mode="after")
    def _required_ids(self) -> NetworkConfig:
        needs = {"awin": "publisher_id", "cj": "publisher_id", "rakuten": "publisher_id",
                 "amazon": "tag", "ebay": "campaign_id", "template": "template"}
        key = needs.get(self.type)
        if key and not getattr(self, key):
            raise ValueError(f"a network of type {self.type} needs `{key}`")
        if self.type == "template":
            _check_template(self.template or "")
        if self.domain is not None and not re.fullmatch(r"[a-z0-9.-]+(:\d+)?", self.domain):
            raise ValueError(f"domain: expected a host name such as ad.admitad.com, got {self.domain!r}")
        return self


def _check_template(template: str) -> None:
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}
    except ValueError as e:
        raise ValueError(f"template: {e}") from None
    unknown = fields - TEMPLATE_FIELDS
    if unknown:
        raise ValueError(f"template: unknown placeholder(s) {', '.join(sorted(unknown))}; "
                         f"expected {', '.join('{' + f + '}' for f in sorted(TEMPLATE_FIELDS))}")
    if not fields & {"url", "url_encoded"}:
        raise ValueError("template: needs {url} or {url_encoded} to carry the offer URL")
    sample = template.format(url="https://shop.example/p", url_encoded="x", subid="s", program_id="p")
    try:
        _check_http_url(sample)
    except ValueError:
        raise ValueError(f"template: expected an http(s) URL template, got {template!r}") from None


class Terms(Strict):
    """What the program promises: the reconciliation checks the network's numbers against it."""

    rate_percent: Annotated[Decimal, Field(ge=0, le=100)] | None = None
    payout: Annotated[Decimal, Field(ge=0)] | None = None
    per_click: Annotated[Decimal, Field(ge=0)] | None = None  # paid per click: the amount per click
    cookie_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Terms:
        if self.rate_percent is not None and self.payout is not None:
            raise ValueError("give either rate_percent or payout, not both")
        return self


class Advertiser(Strict):
    name: str = Field(min_length=1)
    inn: Annotated[str, Field(pattern=r"^\d{10}(\d{2})?$")] | None = None
    url: HttpUrl | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return v if v is None else _check_http_url(v)


class ProgramConfig(Strict):
    """One partner shop's affiliate program."""

    name: str = Field(min_length=1)
    network: Name
    id: str | None = None  # admitad: link code; awin: advertiser id; cj: AID; rakuten: mid
    tracking_url: HttpUrl | None = None  # impact: the campaign tracking link
    report_id: str | None = None  # how the network's earnings reports name this program (Admitad advcampaign_id,
    #                               Awin advertiser id, CJ advertiser CID, Impact campaign id); default: `id`
    terms: Terms = Terms()
    erid: Annotated[str, Field(pattern=r"^[A-Za-z0-9]{4,64}$")] | None = None
    advertiser: Advertiser | None = None

    @field_validator("tracking_url")
    @classmethod
    def _tracking_url(cls, v: str | None) -> str | None:
        return v if v is None else _check_http_url(v)

    @model_validator(mode="after")
    def _erid_needs_advertiser(self) -> ProgramConfig:
        if self.erid and not self.advertiser:
            raise ValueError("a program with an erid needs `advertiser` (name, inn) for the «Реклама» label")
        return self


class CsvConfig(Strict):
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] | None = None
    columns: dict[str, str] = {}


class Filters(Strict):
    include_categories: list[str] = []
    exclude_categories: list[str] = []
    min_price: Annotated[Decimal, Field(ge=0)] | None = None
    max_price: Annotated[Decimal, Field(ge=0)] | None = None
    available_only: bool = False
    exclude_keywords: list[Annotated[str, Field(min_length=1)]] = []

    @model_validator(mode="after")
    def _range(self) -> Filters:
        if self.min_price is not None and self.max_price is not None and self.min_price > self.max_price:
            raise ValueError(f"min_price {self.min_price} is above max_price {self.max_price}")
        return self


class FeedConfig(Strict):
    source: str = Field(min_length=1)
    program: Name
    format: Literal["yml", "merchant", "csv"] | None = None
    encoding: str | None = None
    currency: Currency | None = None  # of prices that name none (default: the feed's base, else the site's)
    csv: CsvConfig = CsvConfig()
    filters: Filters = Filters()
    category_map: dict[str, str] = {}
    rates: dict[Currency, Rate] = {}
    max_shrink_percent: Annotated[Decimal, Field(ge=0, le=100)] = Decimal(50)
    timeout: Annotated[float, Field(gt=0)] = 60.0
    max_size_mb: Annotated[int, Field(gt=0)] = 2048

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if "://" in v:
            _check_http_url(v)
        return v

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | None) -> str | None:
        import codecs

        if v is not None:
            try:
                codecs.lookup(v)
            except LookupError:
                raise ValueError(f"unknown encoding {v!r}; expected e.g. utf-8 or windows-1251") from None
        return v

    @property
    def is_remote(self) -> bool:
        return "://" in self.source


class LinksConfig(Strict):
    """How buy links reach the shop: the deep link itself, a static /go/<key>/ page, or the click tracker."""

    mode: Literal["direct", "redirect", "tracker"] = "direct"
    tracker_url: HttpUrl | None = None  # links.mode tracker: where `showcase track` answers /go/<key>

    @field_validator("tracker_url")
    @classmethod
    def _tracker_url(cls, v: str | None) -> str | None:
        return v if v is None else _check_http_url(v).rstrip("/")

    @model_validator(mode="after")
    def _tracker_needs_url(self) -> LinksConfig:
        if self.mode == "tracker" and not self.tracker_url:
            raise ValueError("links.mode tracker needs `tracker_url` (e.g. https://go.example.com)")
        return self


class TrackerConfig(Strict):
    """The click tracker (`showcase track`) and its click store."""

    store: str = ".showcase/clicks.sqlite"  # SQLite file, relative to the site folder
    salt: Annotated[str, Field(min_length=16)] | None = None  # for hashing IPs; default: a random one kept
    #                                                           in .showcase/tracker-salt


# --- deploy targets (showcase deploy / update) -------------------------------------------------------


class DirTarget(Strict):
    """A local folder a web server serves: ``path`` becomes a symlink to the live release."""

    type: Literal["dir"]
    path: str = Field(min_length=1)  # the symlink the web server's root points at
    releases: str | None = None  # where release folders live (default: <path>.releases next to it)
    keep: Annotated[int, Field(ge=2, le=100)] = 3  # releases kept; the live one and the one before always are


class RsyncTarget(Strict):
    """The system rsync to a local folder or ``user@host:path`` over ssh."""

    type: Literal["rsync"]
    dest: str = Field(min_length=1)  # /srv/www/shop/ or deploy@host:/srv/www/shop/
    ssh: str | None = None  # remote shell, e.g. "ssh -p 2222 -i ~/.ssh/deploy" (rsync -e)
    checksum: bool = False  # compare file contents instead of size + mtime (slower; build/ keeps mtimes stable)
    protect: list[Annotated[str, Field(min_length=1)]] = []  # remote paths never deleted, e.g. ".well-known/"
    timeout: Annotated[int, Field(gt=0)] = 120  # seconds without I/O before rsync gives up


class S3CacheControl(Strict):
    fingerprinted: str = "public, max-age=31536000, immutable"  # files whose name carries their content hash
    other: str = "public, max-age=300"  # HTML, sitemaps, feeds: short, so updates show within minutes


class S3Target(Strict):
    """An S3-compatible bucket through boto3; credentials come from the usual AWS environment/profile."""

    type: Literal["s3"]
    bucket: Annotated[str, Field(pattern=BUCKET_RE)]
    prefix: str = ""  # keys live under this folder; nothing outside it is ever touched
    endpoint_url: HttpUrl | None = None  # e.g. https://storage.yandexcloud.net (default: AWS)
    region: str | None = None
    profile: str | None = None  # a profile of ~/.aws/credentials
    cache_control: S3CacheControl = S3CacheControl()
    parallel: Annotated[int, Field(ge=1, le=64)] = 8  # uploads at once

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint(cls, v: str | None) -> str | None:
        return v if v is None else _check_http_url(v)

    @field_validator("prefix")
    @classmethod
    def _prefix(cls, v: str) -> str:
        v = v.strip("/")
        if any(part in ("", ".", "..") for part in v.split("/")) and v:
            raise ValueError(f"expected a key prefix such as 'shop' or 'sites/shop', got {v!r}")
        return v + "/" if v else ""


class GitTarget(Strict):
    """A branch of a git remote (GitHub Pages and the like): one commit per deploy, pushed."""

    type: Literal["git"]
    remote: str = Field(min_length=1)  # git@github.com:me/shop.git, https://…, or a local path
    branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9._/-]+$")] = "gh-pages"
    cname: str | None = None  # custom domain written to CNAME
    message: str = "showcase deploy"  # commit message (the time is appended)
    author: Annotated[str, Field(pattern=r"^[^<>]+ <[^<>]+>$")] = "showcase <showcase@localhost>"


DeployTarget = Annotated[DirTarget | RsyncTarget | S3Target | GitTarget, Field(discriminator="type")]


class Config(Strict):
    site: SiteSection
    tracker: TrackerConfig = TrackerConfig()
    theme: Annotated[str, Field(pattern=SLUG_RE)] = "default"
    links: LinksConfig = LinksConfig()
    images: Literal["hotlink", "local"] = "hotlink"
    page_size: Annotated[int, Field(ge=4, le=500)] = 48
    rates: dict[Currency, Rate] = {}
    categories: list[CategoryNode] = []
    networks: dict[Name, NetworkConfig] = {}
    programs: dict[Name, ProgramConfig] = {}
    feeds: dict[Name, FeedConfig] = {}
    deploy: dict[Name, DeployTarget] = {}  # publishing targets, deployed in this order
    extra: dict[str, Any] = {}  # free-form values for themes

    def category_paths(self) -> dict[str, str]:
        """Site category path ("electronics/smartphones") -> name, in tree order."""
        out: dict[str, str] = {}

        def walk(nodes: list[CategoryNode], prefix: str) -> None:
            for node in nodes:
                path = prefix + node.slug
                out[path] = node.name
                walk(node.children, path + "/")

        walk(self.categories, "")
        return out


class Site:
    """A site folder: its config, and where its feeds, state and output live."""

    def __init__(self, root: Path, config: Config, config_path: Path):
        self.root = root
        self.config = config
        self.config_path = config_path

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def catalog_path(self) -> Path:
        return self.state_dir / "catalog.sqlite"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def fetch_state_path(self) -> Path:
        return self.state_dir / "fetch.json"

    @property
    def downloads_dir(self) -> Path:
        return self.root / "feeds"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    def resolve(self, path: str) -> Path:
        """A path from site.yml: ``~`` expanded, relative to the site folder."""
        return (self.root / Path(path).expanduser()).absolute()

    def feed_path(self, name: str) -> Path:
        """Where feed ``name`` is read from: the local source in place, or its last good download."""
        feed = self.config.feeds[name]
        if feed.is_remote:
            return self.downloads_dir / f"{name}.feed"
        return (self.root / feed.source).resolve()


# --- loading -----------------------------------------------------------------------------------


def load_site(root: Path | str) -> Site:
    root = Path(root).resolve()
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ConfigError([(f"{path}: no {CONFIG_NAME} here; run `showcase init DIR` to create a site, "
                           f"or pass --site DIR")])
    return Site(root, load_config(path), path)


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError([f"{path}: not UTF-8 text ({e.reason} at byte {e.start})"]) from None
    return parse_config(text, str(path))


def parse_config(text: str, filename: str = CONFIG_NAME) -> Config:
    data, lines = _compose(text, filename)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError([f"{filename}:1: expected a mapping of sections (site, networks, programs, feeds)"])
    try:
        config = Config.model_validate(data)
    except ValidationError as e:
        raise ConfigError(_format_errors(e, filename, lines)) from None
    problems = _check_references(config)
    if problems:
        raise ConfigError([_located(filename, lines, loc, msg) for loc, msg in problems])
    return config


def _compose(text: str, filename: str) -> tuple[Any, dict[tuple, int]]:
    """YAML -> plain data, plus the line of every key path. Duplicate keys are errors."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        raise ConfigError([f"{where}: not valid YAML: {getattr(e, 'problem', None) or e}"]) from None
    lines: dict[tuple, int] = {}
    errors: list[str] = []
    constructor = yaml.SafeLoader("")

    def build(n: yaml.Node, loc: tuple) -> Any:
        lines.setdefault(loc, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            constructor.flatten_mapping(n)
            out: dict = {}
            for key_node, value_node in n.value:
                key = constructor.construct_object(key_node)
                if isinstance(key, (int, float)):
                    key = str(key)
                if not isinstance(key, str):
                    errors.append(f"{filename}:{key_node.start_mark.line + 1}: {_dotted(loc)}: "
                                  f"expected a text key, got {key!r}")
                    continue
                if key in out:
                    errors.append(f"{filename}:{key_node.start_mark.line + 1}: {_dotted((*loc, key))}: "
                                  f"duplicate key (first at line {lines[(*loc, key)]})")
                    continue
                lines[(*loc, key)] = key_node.start_mark.line + 1
                out[key] = build(value_node, (*loc, key))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, (*loc, i)) for i, item in enumerate(n.value)]
        return constructor.construct_object(n, deep=True)

    data = build(node, ()) if node is not None else None
    if errors:
        raise ConfigError(errors)
    return data, lines


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _located(filename: str, lines: dict[tuple, int], loc: tuple, message: str) -> str:
    line = None
    for i in range(len(loc), -1, -1):  # the deepest key we know a line for
        line = lines.get(tuple(loc[:i]))
        if line is not None:
            break
    return f"{filename}:{line or 1}: {_dotted(loc)}: {message}"


def _format_errors(error: ValidationError, filename: str, lines: dict[tuple, int]) -> list[str]:
    out = []
    for err in error.errors():
        raw = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))  # drop validator tags
        loc, _ = _walk(raw)
        out.append(_located(filename, lines, loc, _explain(err, loc, raw)))
    return out


def _explain(err: dict, loc: tuple, raw: tuple) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}" + _allowed_keys_hint(raw)
    if kind == "missing":
        return "required key is missing"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = ", ".join(_tagged_models(_walk(raw)[1]))
        got = f"got {err['ctx']['tag']!r}" if kind == "union_tag_invalid" else "the key is missing"
        return f"expected `type`: one of {expected}; {got}"
    if kind == "string_pattern_mismatch":
        pattern = err.get("ctx", {}).get("pattern", "")
        expected = {
            NAME_RE: "a name of lower-case letters, digits, '-' or '_'",
            SLUG_RE: "a slug of lower-case letters, digits and '-'",
            CURRENCY_RE: "a three-letter ISO 4217 currency code such as RUB",
            BUCKET_RE: "a bucket name of 3-63 lower-case letters, digits, '.' or '-'",
        }.get(pattern, f"text matching {pattern}")
        return f"expected {expected}, got {err['input']!r}"
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    elif "input" in err and kind not in ("model_type", "dict_type"):
        msg = f"{msg[0].lower()}{msg[1:]}, got {err['input']!r}"
    return msg


def _allowed_keys_hint(loc: tuple) -> str:
    _, model = _walk(loc[:-1])
    return f"; expected one of: {', '.join(model.model_fields)}" if _is_model(model) else ""


def _walk(loc: tuple) -> tuple[tuple, Any]:
    """Follow an error location through the models: the location as written in site.yml (without the
    tags pydantic inserts for tagged unions such as a deploy target's ``type``), and the annotation
    that validates the value there (a model class, a union, ...; None when unknown)."""
    ann: Any = Config
    clean: list = []
    parts = list(loc)
    while parts:
        ann = _unwrap(ann)
        part = parts.pop(0)
        clean.append(part)
        if _is_model(ann):
            field = ann.model_fields.get(part) if isinstance(part, str) else None
            ann = field.annotation if field else None
        elif get_origin(ann) in (dict, list):
            ann = get_args(ann)[-1]
            tagged = _tagged_models(ann)
            if tagged and parts and parts[0] in tagged:
                ann = tagged[parts.pop(0)]
        else:
            ann = None
    return tuple(clean), _unwrap(ann)


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _tagged_models(ann: Any) -> dict[str, type[BaseModel]]:
    """For a union of models told apart by their ``type`` literal: tag -> model; else {}."""
    if get_origin(ann) is Annotated:
        ann = get_args(ann)[0]
    if get_origin(ann) not in (Union, UnionType):
        return {}
    out = {}
    for model in get_args(ann):
        field = model.model_fields.get("type") if _is_model(model) else None
        if field is None:
            return {}
        out.update({tag: model for tag in get_args(field.annotation)})
    return out


def _unwrap(ann: Any) -> Any:
    """Annotated[X, ...] -> X; X | None -> X (a union of several models stays as it is)."""
    while True:
        if get_origin(ann) is Annotated:
            ann = get_args(ann)[0]
        elif get_origin(ann) in (Union, UnionType) and len([a for a in get_args(ann) if a is not type(None)]) == 1:
            ann = next(a for a in get_args(ann) if a is not type(None))
        else:
            return ann


def _check_references(config: Config) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []

    def defined(names) -> str:
        return ", ".join(names) or "none"

    for name, program in config.programs.items():
        if program.network not in config.networks:
            problems.append((("programs", name, "network"),
                             f"unknown network {program.network!r} (defined: {defined(config.networks)})"))
            continue
        network = config.networks[program.network]
        if network.type in ("admitad", "awin", "cj", "rakuten") and not program.id:
            problems.append((("programs", name), (f"a program on {network.type} needs `id` "
                             f"({_PROGRAM_ID_MEANING[network.type]})")))
        if network.type == "impact" and not program.tracking_url:
            problems.append((("programs", name), ("a program on impact needs `tracking_url` "
                             "(the campaign tracking link, e.g. https://brand.sjv.io/c/123/456/789)")))
    paths = config.category_paths()
    seen: dict[str, tuple] = {}

    def walk(nodes: list[CategoryNode], loc: tuple, prefix: str) -> None:
        for i, node in enumerate(nodes):
            path = prefix + node.slug
            if path in seen:
                problems.append(((*loc, i, "slug"), f"duplicate category {path!r}"))
            seen[path] = (*loc, i)
            walk(node.children, (*loc, i, "children"), path + "/")

    walk(config.categories, ("categories",), "")
    top_level = {node.slug for node in config.categories}
    for i, node in enumerate(config.categories):
        if node.slug in RESERVED_PATHS:
            problems.append((("categories", i, "slug"), f"{node.slug!r} is reserved for the site's own pages "
                             f"(reserved: {', '.join(sorted(RESERVED_PATHS))})"))
    for name, feed in config.feeds.items():
        if name in RESERVED_PATHS:
            problems.append((("feeds", name), f"feed name {name!r} is reserved for the site's own pages "
                             f"(unmapped categories of a feed live under /{name}/)"))
        if name in top_level:
            problems.append((("feeds", name), (f"feed name {name!r} is also a top-level category slug; unmapped "
                             f"categories of a feed live under /{name}/, so rename one of them")))
        if feed.program not in config.programs:
            problems.append((("feeds", name, "program"),
                             f"unknown program {feed.program!r} (defined: {defined(config.programs)})"))
        for source_category, target in feed.category_map.items():
            if target.strip("/") not in paths:
                problems.append((("feeds", name, "category_map", source_category),
                                 (f"unknown site category {target!r}; expected a path from `categories` "
                                 f"such as {next(iter(paths), 'electronics/phones')!r}")))
        for field in feed.csv.columns:
            if field not in _CSV_FIELDS:
                problems.append((("feeds", name, "csv", "columns", field),
                                 f"unknown offer field {field!r}; expected one of: {', '.join(_CSV_FIELDS)}"))
    return problems


_PROGRAM_ID_MEANING = {
    "admitad": "the link code in https://ad.admitad.com/g/<code>/",
    "awin": "the advertiser id, awinmid",
    "cj": "the advertiser link id, AID",
    "rakuten": "the advertiser id, mid",
}

# Offer fields a CSV column can be mapped to (see showcase.feeds.csvfeed).
_CSV_FIELDS = ("id", "name", "url", "price", "old_price", "currency", "available", "vendor", "vendor_code",
               "model", "category", "picture", "description", "barcode", "group_id", "type_prefix")
