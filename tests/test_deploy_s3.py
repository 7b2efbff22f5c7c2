"""showcase deploy to an S3-compatible bucket: moto's S3 server on 127.0.0.1, driven through boto3 over HTTP."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from showcase.deploy import DeployError, deploy
from tests.deploy_fixtures import BUILD_FILES, make_site, write_build

boto3 = pytest.importorskip("boto3", reason="the s3 target needs boto3: pip install -e '.[test]'")
moto_server = pytest.importorskip("moto.server", reason="needs moto[s3], flask, flask-cors: pip install -e '.[test]'")

LONG = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


@pytest.fixture(scope="module")
def endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(autouse=True)
def credentials(monkeypatch, tmp_path):
    """Dummy keys, and no AWS files or instance metadata: nothing but the local server is asked."""
    nowhere = str(tmp_path / "none")
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_CONFIG_FILE": nowhere, "AWS_SHARED_CREDENTIALS_FILE": nowhere,
                        "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


class Puts:
    """The keys the server was asked to PUT, in order, read from the moto server's request log."""

    def __init__(self, caplog):
        self.caplog = caplog

    def put_keys(self) -> list[str]:
        return [m.group(1) for r in self.caplog.records
                if (m := re.search(r'"PUT /shop-test/(\S+) HTTP', r.getMessage()))]

    def clear(self) -> None:
        self.caplog.clear()


@pytest.fixture
def s3(endpoint, caplog):
    caplog.set_level(logging.INFO, logger="werkzeug")
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="shop-test")
    puts = Puts(caplog)
    puts.clear()
    yield client, puts
    listed = client.list_objects_v2(Bucket="shop-test").get("Contents", [])
    if listed:
        client.delete_objects(Bucket="shop-test", Delete={"Objects": [{"Key": o["Key"]} for o in listed]})
    client.delete_bucket(Bucket="shop-test")


def site_for(tmp_path, endpoint, **extra):
    return make_site(tmp_path / "site", {"bucket": {"type": "s3", "bucket": "shop-test", "prefix": "shop",
                                                    "endpoint_url": endpoint, "region": "us-east-1", **extra}})


def objects(client, prefix=""):
    return {o["Key"]: o for o in client.list_objects_v2(Bucket="shop-test", Prefix=prefix).get("Contents", [])}


def test_upload_keys_types_and_cache_headers(s3, endpoint, tmp_path):
    client, _ = s3
    site = site_for(tmp_path, endpoint)
    result = deploy(site, "bucket")
    assert result.plan.counts()["new"] == len(BUILD_FILES)
    assert result.plan.upload_bytes == sum(map(len, BUILD_FILES.values()))
    assert set(objects(client)) == {"shop/" + rel for rel in BUILD_FILES}
    expected = {
        "index.html": ("text/html; charset=utf-8", SHORT),
        "assets/site.445e27aa.css": ("text/css; charset=utf-8", LONG),
        "assets/search.81742722.js": ("text/javascript; charset=utf-8", LONG),
        "img/9b/9b3cab1290ffe2d1-400.webp": ("image/webp", LONG),
        "pagefind/0/fragment/ru_112e271.pf_fragment": ("application/octet-stream", LONG),
        "pagefind/0/pagefind.js": ("text/javascript; charset=utf-8", SHORT),
        "feed.xml": ("application/atom+xml; charset=utf-8", SHORT),
        "sitemap.xml": ("application/xml", SHORT),
        "robots.txt": ("text/plain; charset=utf-8", SHORT),
        "data/sport/cards.json": ("application/json", SHORT),
    }
    for rel, (ctype, cache) in expected.items():
        head = client.head_object(Bucket="shop-test", Key="shop/" + rel)
        assert (head["ContentType"], head["CacheControl"]) == (ctype, cache), rel
        body = client.get_object(Bucket="shop-test", Key="shop/" + rel)["Body"].read()
        assert body == BUILD_FILES[rel]


def test_second_deploy_uploads_nothing_and_changes_go_by_content(s3, endpoint, tmp_path):
    client, puts = s3
    site = site_for(tmp_path, endpoint)
    deploy(site, "bucket")
    puts.clear()
    # touched, same bytes: an mtime change alone uploads nothing (and the MD5 cache is refreshed)
    os.utime(site.build_dir / "index.html", ns=(1, 1))
    again = deploy(site, "bucket")
    assert again.plan.empty and again.plan.unchanged == len(BUILD_FILES) and puts.put_keys() == []

    # same size, same mtime, other bytes: found by the content hash
    page = site.build_dir / "p/tent/index.html"
    st = page.stat()
    page.write_bytes(page.read_bytes().replace(b"Tent", b"TENT"))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    (site.build_dir / "p/stove/index.html").unlink()
    write_build(site.build_dir, {"p/lamp/index.html": b"<title>Lamp</title>"})
    result = deploy(site, "bucket")
    assert [r for r, _ in result.plan.changed] == ["p/tent/index.html"]
    assert [r for r, _ in result.plan.new] == ["p/lamp/index.html"]
    assert [r for r, _ in result.plan.deleted] == ["p/stove/index.html"]
    assert sorted(puts.put_keys()) == ["shop/p/lamp/index.html", "shop/p/tent/index.html"]
    keys = objects(client)
    assert "shop/p/stove/index.html" not in keys
    assert client.get_object(Bucket="shop-test", Key="shop/p/tent/index.html")["Body"].read() == page.read_bytes()


def test_keys_outside_the_prefix_are_never_touched(s3, endpoint, tmp_path):
    client, _ = s3
    outside = {"other/index.html": b"another site", "shop-old/index.html": b"a sibling prefix", "top.txt": b"x"}
    for key, body in outside.items():
        client.put_object(Bucket="shop-test", Key=key, Body=body)
    client.put_object(Bucket="shop-test", Key="shop/stale.html", Body=b"no longer built")
    result = deploy(site_for(tmp_path, endpoint), "bucket")
    assert result.plan.deleted == [("stale.html", len(b"no longer built"))]
    keys = objects(client)
    assert "shop/stale.html" not in keys
    for key, body in outside.items():
        assert client.get_object(Bucket="shop-test", Key=key)["Body"].read() == body


def test_dry_run_lists_and_writes_nothing(s3, endpoint, tmp_path):
    client, puts = s3
    client.put_object(Bucket="shop-test", Key="shop/stale.html", Body=b"old")
    puts.clear()
    result = deploy(site_for(tmp_path, endpoint), "bucket", dry_run=True)
    assert result.plan.counts()["new"] == len(BUILD_FILES) and result.plan.deleted == [("stale.html", 3)]
    assert puts.put_keys() == [] and set(objects(client)) == {"shop/stale.html"}


def test_fingerprinted_files_are_uploaded_before_the_pages(s3, endpoint, tmp_path):
    _, puts = s3
    site = site_for(tmp_path, endpoint, parallel=1)
    deploy(site, "bucket")
    order = [key.removeprefix("shop/") for key in puts.put_keys()]
    assert len(order) == len(BUILD_FILES)
    fingerprinted = [i for i, rel in enumerate(order) if "445e27aa" in rel or "9b3cab12" in rel or "ru_112e" in rel]
    pages = [i for i, rel in enumerate(order) if rel.endswith(".html")]
    assert max(fingerprinted) < min(pages)


def test_missing_bucket_fails_before_any_write(s3, endpoint, tmp_path):
    site = make_site(tmp_path / "site", {"bucket": {"type": "s3", "bucket": "no-such-bucket",
                                                    "endpoint_url": endpoint, "region": "us-east-1"}})
    with pytest.raises(DeployError, match=r"deploy\.bucket: cannot list the bucket .*NoSuchBucket.*nothing was"):
        deploy(site, "bucket")


def test_unreachable_endpoint_fails_clearly(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    site = site_for(tmp_path, f"http://127.0.0.1:{port}")
    with pytest.raises(DeployError, match=r"cannot list the bucket at s3://shop-test/shop/ at http://127\.0\.0\.1"):
        deploy(site, "bucket")


def test_rejected_credentials_fail_clearly(tmp_path):
    """A second moto server that checks access keys (INITIAL_NO_AUTH_ACTION_COUNT=0): ours are unknown to it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):  # until it listens
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        site = site_for(tmp_path, f"http://127.0.0.1:{port}")
        with pytest.raises(DeployError, match=r"cannot list the bucket .*InvalidAccessKeyId.*AWS_ACCESS_KEY_ID"):
            deploy(site, "bucket")
    finally:
        server.kill()
        server.wait()
