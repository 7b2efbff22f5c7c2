"""The image pipeline (showcase.render.images): real files, real Pillow, a real HTTP server on 127.0.0.1."""

import http.server
import io
import os
import pickle
import threading
from pathlib import Path

import pytest
from PIL import Image

from showcase import __version__
from showcase.render import images as images_module
from showcase.render.images import Images, Picture


def jpeg(width: int, height: int, color=(200, 30, 30), *, orientation: int | None = None) -> bytes:
    im = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    im.save(out, "JPEG", quality=95, exif=exif.tobytes())
    return out.getvalue()


def put(site: Path, rel: str, data: bytes) -> str:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return rel


def cache_files(cache: Path) -> dict[str, int]:
    """Every generated variant in the cache with its mtime (ns)."""
    return {str(p.relative_to(cache)): p.stat().st_mtime_ns for p in sorted((cache / "img").rglob("*.*"))}


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    return root


@pytest.fixture
def cache(site) -> Path:
    return site / ".showcase" / "images"


@pytest.fixture
def server():
    """A local HTTP server: ``files`` maps a path to (body, etag), ``status`` forces an error status for a
    path; ``requests`` records (path, headers)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.server.requests.append((self.path, dict(self.headers)))
            if self.path in self.server.status:
                self.send_error(self.server.status[self.path])
                return
            if self.path not in self.server.files:
                self.send_error(404)
                return
            body, etag = self.server.files[self.path]
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.files, httpd.requests, httpd.status = {}, [], {}
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_local_file_resized_into_each_width_as_jpeg_and_webp(site, cache):
    src = put(site, "feeds/demo/images/phone-blue.jpg", jpeg(800, 600))
    images = Images("local", site, cache)

    report = images.prepare([src, src, f"  {src} "])  # the same picture three times: one source

    assert (report.total, report.processed, report.cached, report.failed) == (1, 1, 0, [])
    pic = images.picture(src)
    stem = pic.src.rsplit("/", 1)[1].rsplit("-", 1)[0]
    base = f"/img/{stem[:2]}/{stem}"
    assert pic == Picture(
        src=f"{base}-640.jpg",
        width=640,
        height=480,
        srcset=f"{base}-160.jpg 160w, {base}-320.jpg 320w, {base}-640.jpg 640w",
        webp_srcset=f"{base}-160.webp 160w, {base}-320.webp 320w, {base}-640.webp 640w",
    )
    for width, height in ((160, 120), (320, 240), (640, 480)):
        for ext, fmt in (("jpg", "JPEG"), ("webp", "WEBP")):
            with Image.open(cache / "img" / stem[:2] / f"{stem}-{width}.{ext}") as im:
                assert (im.format, im.size, im.mode) == (fmt, (width, height), "RGB")
                if fmt == "JPEG":
                    assert im.info.get("progressive")
                    assert "exif" not in im.info


def test_never_upscaled_the_original_width_is_the_largest(site, cache):
    tiny = put(site, "img/tiny.png", b"")
    Image.new("RGB", (100, 50), "blue").save(site / tiny)
    medium = put(site, "img/medium.jpg", jpeg(400, 400))
    images = Images("local", site, cache)

    assert images.prepare([tiny, medium]).processed == 2

    small = images.picture(tiny)
    assert (small.width, small.height) == (100, 50)
    assert small.srcset == small.src + " 100w"  # only the original size: no 160, 320 or 640
    assert small.webp_srcset == small.src.replace(".jpg", ".webp") + " 100w"
    mid = images.picture(medium)
    assert (mid.width, mid.height) == (400, 400)
    assert [part.split()[1] for part in mid.srcset.split(", ")] == ["160w", "320w", "400w"]
    with Image.open(cache / mid.src.removeprefix("/")) as im:
        assert im.size == (400, 400)


def test_exif_orientation_is_applied(site, cache):
    # Stored 200x100, left half red, right half blue; orientation 6 means "rotate 90° clockwise to view":
    # shown upright it is 100x200 with red on top.
    im = Image.new("RGB", (200, 100), (255, 0, 0))
    im.paste((0, 0, 255), (100, 0, 200, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    im.save(out, "JPEG", quality=95, exif=exif.tobytes())
    src = put(site, "img/turned.jpg", out.getvalue())
    images = Images("local", site, cache)

    images.prepare([src])

    pic = images.picture(src)
    assert (pic.width, pic.height) == (100, 200)
    with Image.open(cache / pic.src.removeprefix("/")) as result:
        assert result.size == (100, 200)
        top, bottom = result.getpixel((50, 20)), result.getpixel((50, 180))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_transparent_png_goes_on_white_and_cmyk_becomes_rgb(site, cache):
    Image.new("RGBA", (300, 300), (0, 0, 0, 0)).save(site / "clear.png")
    Image.new("CMYK", (300, 300), (0, 255, 255, 0)).save(site / "cmyk.jpg")
    images = Images("local", site, cache)

    assert images.prepare(["clear.png", "cmyk.jpg"]).processed == 2

    with Image.open(cache / images.picture("clear.png").src.removeprefix("/")) as im:
        assert im.getpixel((150, 150)) == (255, 255, 255)
    with Image.open(cache / images.picture("cmyk.jpg").src.removeprefix("/")) as im:
        assert im.mode == "RGB"
        r, g, b = im.getpixel((150, 150))
        assert r > 200 and g < 60 and b < 60


def test_second_run_processes_nothing_and_same_bytes_are_processed_once(site, cache):
    a = put(site, "a.jpg", jpeg(500, 500))
    b = put(site, "copy-of-a.jpg", (site / a).read_bytes())
    first = Images("local", site, cache).prepare([a, b])
    assert (first.processed, first.cached) == (1, 1)  # the copy reuses the outputs of the first
    before = cache_files(cache)

    images = Images("local", site, cache)
    again = images.prepare([a, b])

    assert (again.processed, again.cached, again.failed) == (0, 2, [])
    assert cache_files(cache) == before
    assert images.picture(a) == images.picture(b)

    put(site, a, jpeg(500, 500, color=(0, 128, 0)))  # a changed picture gets new names
    changed = Images("local", site, cache)
    assert changed.prepare([a]).processed == 1
    assert changed.picture(a).src != images.picture(a).src


def test_new_width_is_added_without_touching_the_others(site, cache):
    src = put(site, "a.jpg", jpeg(1000, 500))
    Images("local", site, cache).prepare([src])
    before = cache_files(cache)

    images = Images("local", site, cache, widths=(160, 320, 640, 960))
    assert images.prepare([src]).processed == 1

    after = cache_files(cache)
    assert {k: after[k] for k in before} == before
    assert len(after) == len(before) + 2
    assert images.picture(src).srcset.endswith("-960.jpg 960w")


def test_remote_image_downloaded_once_then_a_304_costs_nothing(site, cache, server):
    server.files["/p/phone.jpg"] = (jpeg(700, 350), '"v1"')
    url = server.url + "/p/phone.jpg"

    first = Images("local", site, cache)
    report = first.prepare([url, url])
    assert (report.total, report.processed, report.failed) == (1, 1, [])
    assert len(server.requests) == 1
    path, headers = server.requests[0]
    assert path == "/p/phone.jpg"
    assert headers["User-Agent"] == f"showcase/{__version__}"
    assert "If-None-Match" not in headers
    pic = first.picture(url)
    assert (pic.width, pic.height) == (640, 320)
    assert pic.src.startswith("/img/") and not pic.placeholder
    before = cache_files(cache)
    assert len(before) == 6

    second = Images("local", site, cache)
    report = second.prepare([url])

    assert (report.processed, report.cached, report.failed) == (0, 1, [])
    assert len(server.requests) == 2
    assert server.requests[1][1]["If-None-Match"] == '"v1"'
    assert cache_files(cache) == before  # nothing regenerated
    assert second.picture(url) == pic

    server.files["/p/phone.jpg"] = (jpeg(300, 300, color=(0, 0, 200)), '"v2"')  # the shop replaced it
    third = Images("local", site, cache)
    assert third.prepare([url]).processed == 1
    assert (third.picture(url).width, third.picture(url).height) == (300, 300)


def test_deleted_variants_are_made_again_from_the_kept_original(site, cache, server):
    server.files["/a.jpg"] = (jpeg(500, 250), '"a"')
    url = server.url + "/a.jpg"
    Images("local", site, cache).prepare([url])
    for path in (cache / "img").rglob("*.webp"):
        path.unlink()

    images = Images("local", site, cache)
    report = images.prepare([url])

    assert (report.processed, report.failed) == (1, [])
    assert server.requests[-1][1]["If-None-Match"] == '"a"'  # answered 304: the original in the cache is used
    assert len(server.requests) == 2
    pic = images.picture(url)
    assert (cache / pic.webp_srcset.split()[0].removeprefix("/")).is_file()


def test_transient_error_keeps_the_last_good_copy(site, cache, server, monkeypatch):
    monkeypatch.setattr(images_module, "RETRY_DELAY", 0)
    server.files["/a.jpg"] = (jpeg(300, 300), '"a"')
    url, new_url = server.url + "/a.jpg", server.url + "/b.jpg"
    good = Images("local", site, cache)
    good.prepare([url])
    server.status["/a.jpg"] = server.status["/b.jpg"] = 503

    images = Images("local", site, cache)
    report = images.prepare([url, new_url])

    assert report.stale == [(url, "HTTP 503 Service Unavailable")]
    assert report.failed == [(new_url, "HTTP 503 Service Unavailable")]  # no earlier copy: placeholder
    assert images.picture(url) == good.picture(url)
    assert images.picture(new_url).placeholder
    assert [path for path, _ in server.requests].count("/a.jpg") == 3  # the first GET, then one retry


def test_broken_missing_and_refused_sources_get_the_placeholder(site, cache, server, tmp_path):
    (tmp_path / "x.jpg").write_bytes(jpeg(50, 50))  # a real picture just outside the site
    put(site, "broken.jpg", b"this is not an image at all")
    server.files["/html.jpg"] = (b"<!doctype html><p>sorry</p>", '"h"')
    sources = [
        "broken.jpg",
        "missing.jpg",
        "../x.jpg",
        "img/../../x.jpg",
        str(tmp_path / "x.jpg"),
        "javascript:alert(1)",
        "file:///etc/passwd",
        "//cdn.example/x.jpg",
        server.url + "/gone.jpg",
        server.url + "/html.jpg",
    ]
    images = Images("local", site, cache)

    report = images.prepare(sources)

    assert (report.total, report.processed, report.cached) == (len(sources), 0, 0)
    assert [source for source, _ in report.failed] == sources
    reasons = dict(report.failed)
    assert "not an image" in reasons["broken.jpg"]
    assert "no such file" in reasons["missing.jpg"]
    assert "leaves the site" in reasons["../x.jpg"]
    assert "absolute" in reasons[str(tmp_path / "x.jpg")]
    assert "scheme 'javascript'" in reasons["javascript:alert(1)"]
    assert "404" in reasons[server.url + "/gone.jpg"]
    assert "not an image" in reasons[server.url + "/html.jpg"]
    for source in sources:
        pic = images.picture(source)
        assert pic.placeholder and pic.src == "/img/placeholder.svg"
        assert (pic.width, pic.height) == (640, 640) and pic.srcset == pic.webp_srcset == ""
    assert images.picture("never-prepared.jpg").placeholder

    # A URL known to serve junk is not downloaded again while the server answers 304.
    again = Images("local", site, cache).prepare([server.url + "/html.jpg"])
    assert "not an image" in again.failed[0][1]
    assert server.requests[-1][1]["If-None-Match"] == '"h"'


def test_symlink_out_of_the_site_is_refused(site, cache, tmp_path):
    (tmp_path / "secret.jpg").write_bytes(jpeg(50, 50))
    (site / "link.jpg").symlink_to(tmp_path / "secret.jpg")
    images = Images("local", site, cache)
    report = images.prepare(["link.jpg"])
    assert "symlink" in report.failed[0][1]
    assert images.picture("link.jpg").placeholder


def test_size_limits_guard_against_bombs(site, cache):
    src = put(site, "big.jpg", jpeg(300, 300))
    report = Images("local", site, cache, max_pixels=200 * 200).prepare([src])
    assert "300×300 pixels, over the limit" in report.failed[0][1]
    report = Images("local", site, cache, max_bytes=100).prepare([src])
    assert "over the limit of 100 bytes" in report.failed[0][1]


def test_hotlink_mode_uses_the_url_with_the_box_size(site, cache, server):
    url = server.url + "/p/remote.jpg"
    local = put(site, "feeds/demo/images/local.jpg", jpeg(320, 320))
    images = Images("hotlink", site, cache, box=(400, 300))

    report = images.prepare([url, local, "javascript:alert(1)"])

    assert server.requests == []  # nothing downloaded
    assert (report.total, report.hotlinked, report.processed, len(report.failed)) == (3, 1, 1, 1)
    assert images.picture(url) == Picture(src=url, width=400, height=300)
    assert images.picture(server.url + "/never-prepared.jpg").src.endswith("/never-prepared.jpg")
    assert images.picture(local).srcset.endswith("-320.jpg 320w")  # local paths cannot be hotlinked
    assert images.picture("javascript:alert(1)").placeholder


def test_publish_hard_links_from_the_cache_and_is_idempotent(site, cache):
    srcs = [put(site, f"img/{i}.jpg", jpeg(400, 300, color=(i * 40, 90, 90))) for i in range(3)]
    images = Images("local", site, cache)
    images.prepare([*srcs, "missing.jpg"])
    out = site / "build"

    paths = images.publish(out)

    assert len(paths) == 3 * 6 + 1 and "img/placeholder.svg" in paths
    for rel in paths:
        if rel != "img/placeholder.svg":
            assert (out / rel).stat().st_ino == (cache / rel).stat().st_ino
    for src in srcs:
        pic = images.picture(src)
        for part in (pic.srcset + ", " + pic.webp_srcset).split(", "):
            assert (out / part.split()[0].removeprefix("/")).is_file()
    svg = (out / "img/placeholder.svg").read_text()
    assert svg.startswith("<svg") and 'width="640"' in svg and 'height="640"' in svg
    stamps = {rel: (out / rel).stat().st_mtime_ns for rel in paths}

    assert images.publish(out) == paths
    assert {rel: (out / rel).stat().st_mtime_ns for rel in paths} == stamps


def test_publish_copies_across_filesystems(site, cache, monkeypatch):
    src = put(site, "a.jpg", jpeg(200, 200))
    images = Images("local", site, cache)
    images.prepare([src])

    def no_link(a, b):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(images_module.os, "link", no_link)
    out = site / "build"
    paths = images.publish(out)
    rel = images.picture(src).src.removeprefix("/")
    assert rel in paths
    assert (out / rel).read_bytes() == (cache / rel).read_bytes()
    assert (out / rel).stat().st_ino != (cache / rel).stat().st_ino
    stamp = (out / rel).stat().st_mtime_ns
    images.publish(out)
    assert (out / rel).stat().st_mtime_ns == stamp  # same bytes already there: not rewritten


def test_pictures_survive_pickling_for_worker_processes(site, cache):
    src = put(site, "a.jpg", jpeg(200, 100))
    images = Images("hotlink", site, cache)
    images.prepare([src, "http://127.0.0.1:9/x.jpg", "nope.jpg"])

    copy = pickle.loads(pickle.dumps(images))

    for source in (src, "http://127.0.0.1:9/x.jpg", "nope.jpg"):
        assert copy.picture(source) == images.picture(source)


def test_parallel_prepare_of_many_pictures(site, cache):
    srcs = [put(site, f"many/{i}.jpg", jpeg(180 + i, 120, color=(i * 9, 50, 50))) for i in range(24)]
    images = Images("local", site, cache, parallel=4)
    report = images.prepare(srcs)
    assert (report.processed, report.failed) == (24, [])
    assert {images.picture(s).width for s in srcs} == {180 + i for i in range(24)}
    assert not [p for p in cache.rglob("*") if ".tmp-" in p.name]


def test_bad_mode_is_an_error(site, cache):
    with pytest.raises(ValueError, match="hotlink, local"):
        Images("remote", site, cache)


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_outputs_are_world_readable(site, cache):
    src = put(site, "a.jpg", jpeg(200, 200))
    images = Images("local", site, cache)
    images.prepare([src])
    out = site / "build"
    for rel in images.publish(out):
        assert (out / rel).stat().st_mode & 0o044 == 0o044
