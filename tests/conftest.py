import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REALDATA = REPO.parent / "shared" / "realdata"


@pytest.fixture
def demo_site(tmp_path) -> Path:
    """A copy of the repository's demo site (site.yml + feeds/demo) in a temporary folder."""
    site = tmp_path / "demo"
    site.mkdir()
    shutil.copy(REPO / "site.yml", site / "site.yml")
    shutil.copytree(REPO / "feeds" / "demo", site / "feeds" / "demo")
    return site


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory):
    """The demo site built once per test run in a temporary folder and served on 127.0.0.1 while the
    session lasts: a tests.site_fixture.ServedSite (root, build, origin, base_url, catalog, url(), file())."""
    from tests.site_fixture import build_demo, serve

    root = build_demo(tmp_path_factory.mktemp("built_demo") / "demo")
    with serve(root) as served:
        yield served
