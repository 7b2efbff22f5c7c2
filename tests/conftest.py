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
