"""showcase deploy to the dir, rsync and git targets: real folders, the system rsync, a local bare git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from showcase.cli import main
from showcase.config import load_site
from showcase.deploy import DeployError, deploy, rollback
from showcase.deploy.rsync import parse_itemized
from showcase.mediatypes import content_type, is_fingerprinted
from tests.deploy_fixtures import BUILD_FILES, make_site, tree, write_build
from tests.site_fixture import require


def change_build(site, *, changed=(), removed=(), added=None):
    """Change build/ the way a rebuild does: new files renamed into place, stale ones unlinked."""
    for rel in changed:
        path = site.build_dir / rel
        tmp = path.with_name(path.name + ".new")
        tmp.write_bytes(path.read_bytes() + b"<!-- new price -->")
        os.replace(tmp, path)
    for rel in removed:
        (site.build_dir / rel).unlink()
    write_build(site.build_dir, added or {})


def cli(site, *args, code=0):
    result = CliRunner().invoke(main, ["--site", str(site.root), *args], catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result


# --- dir -----------------------------------------------------------------------------------------------


@pytest.fixture
def dir_site(tmp_path):
    return make_site(tmp_path / "site", {"live": {"type": "dir", "path": str(tmp_path / "www" / "shop"), "keep": 2}})


def test_dir_first_deploy_is_a_release_behind_a_symlink(dir_site, tmp_path):
    result = deploy(dir_site, "live")
    link = tmp_path / "www" / "shop"
    assert link.is_symlink()
    assert not os.path.isabs(os.readlink(link))  # relative: the folder can move with its releases
    assert link.resolve().parent == tmp_path / "www" / "shop.releases"
    assert tree(link) == BUILD_FILES
    assert result.plan.counts()["new"] == len(BUILD_FILES)
    assert result.plan.upload_bytes == sum(map(len, BUILD_FILES.values()))
    # copies, not links: a later write into build/ can never reach the published site
    (dir_site.build_dir / "index.html").write_bytes(b"edited in place")
    assert (link / "index.html").read_bytes() == BUILD_FILES["index.html"]


def test_dir_unchanged_build_makes_no_new_release(dir_site, tmp_path):
    deploy(dir_site, "live")
    first = (tmp_path / "www" / "shop").resolve()
    again = deploy(dir_site, "live")
    assert again.plan.empty and again.plan.unchanged == len(BUILD_FILES)
    assert (tmp_path / "www" / "shop").resolve() == first
    assert len(list((tmp_path / "www" / "shop.releases").iterdir())) == 1


def test_dir_changes_switch_to_a_new_release_and_rollback_returns(dir_site, tmp_path):
    link = tmp_path / "www" / "shop"
    deploy(dir_site, "live")
    first = link.resolve()
    change_build(dir_site, changed=["p/tent/index.html"], removed=["p/stove/index.html"],
                 added={"p/lamp/index.html": b"<title>Lamp</title>"})
    result = deploy(dir_site, "live")
    counts = result.plan.counts()
    assert (counts["new"], counts["changed"], counts["deleted"]) == (1, 1, 1)
    assert link.resolve() != first
    assert tree(link) == tree(dir_site.build_dir)
    assert tree(first) == BUILD_FILES  # the previous release was not touched by the new one
    # an unchanged file is a hard link to the previous release: a release costs the space of its changes
    assert (link / "index.html").stat().st_ino == (first / "index.html").stat().st_ino
    assert (link / "p/tent/index.html").stat().st_ino != (first / "p/tent/index.html").stat().st_ino

    back = rollback(dir_site, "live")
    assert link.resolve() == first
    assert (len(back.plan.new), len(back.plan.changed), len(back.plan.deleted)) == (1, 1, 1)
    with pytest.raises(DeployError, match="no release older"):
        rollback(dir_site, "live")


def test_dir_keeps_only_the_newest_releases_and_the_live_one(dir_site, tmp_path):
    for n in range(4):
        change_build(dir_site, added={"n.txt": str(n).encode()})
        deploy(dir_site, "live")
    releases = sorted((tmp_path / "www" / "shop.releases").iterdir())
    assert len(releases) == 2  # keep: 2
    assert (tmp_path / "www" / "shop").resolve() == releases[-1]
    assert (releases[-1] / "n.txt").read_text() == "3"


def test_dir_refuses_a_real_folder_at_path_and_leaves_it(tmp_path):
    site = make_site(tmp_path / "site", {"live": {"type": "dir", "path": str(tmp_path / "html")}})
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "index.html").write_text("hand-made")
    with pytest.raises(DeployError, match="is not a symlink"):
        deploy(site, "live")
    assert (tmp_path / "html" / "index.html").read_text() == "hand-made"


def test_dir_dry_run_lists_and_changes_nothing(dir_site, tmp_path):
    result = cli(dir_site, "deploy", "--dry-run")
    assert "+ p/tent/index.html" in result.output
    assert "would publish 14 new" in result.output
    assert not (tmp_path / "www").exists()
    data = json.loads(cli(dir_site, "deploy", "--dry-run", "--json").output)
    assert data["targets"][0]["new"] == len(BUILD_FILES)
    assert "p/tent/index.html" in data["targets"][0]["files"]["new"]


def test_deploy_refuses_an_unbuilt_or_half_committed_site(dir_site):
    (dir_site.state_dir).mkdir(exist_ok=True)
    (dir_site.state_dir / "build-commit.json").write_text("{}")
    with pytest.raises(DeployError, match="interrupted"):
        deploy(dir_site, "live")
    shutil.rmtree(dir_site.build_dir)
    result = cli(dir_site, "deploy", code=1)
    assert "run `showcase build` first" in result.output


def test_cli_unknown_target_and_no_targets_are_usage_errors(dir_site, tmp_path):
    assert "unknown deploy target" in cli(dir_site, "deploy", "--target", "nope", code=2).output
    bare = make_site(tmp_path / "bare", {})
    assert "no `deploy:` targets" in cli(bare, "deploy", code=2).output


# --- rsync -----------------------------------------------------------------------------------------------

@pytest.fixture
def needs_rsync():
    require(shutil.which("rsync"), "rsync is not installed (apt install rsync)")


@pytest.fixture
def rsync_site(tmp_path, needs_rsync):
    return make_site(tmp_path / "site", {"mirror": {"type": "rsync", "dest": str(tmp_path / "mirror"),
                                                    "protect": [".well-known/"]}})


def test_rsync_sends_only_changes_and_deletes_stale_files(rsync_site, tmp_path):
    first = deploy(rsync_site, "mirror")
    assert first.plan.counts()["new"] == len(BUILD_FILES)
    assert tree(tmp_path / "mirror") == BUILD_FILES
    mtime = (tmp_path / "mirror" / "index.html").stat().st_mtime_ns

    assert deploy(rsync_site, "mirror").plan.empty

    (tmp_path / "mirror" / ".well-known").mkdir()
    (tmp_path / "mirror" / ".well-known" / "security.txt").write_text("Contact: x")
    change_build(rsync_site, changed=["p/tent/index.html"], removed=["p/stove/index.html"],
                 added={"p/lamp/index.html": b"<title>Lamp</title>"})
    dry = deploy(rsync_site, "mirror", dry_run=True)
    assert (tmp_path / "mirror" / "p" / "stove" / "index.html").exists()  # a dry run changes nothing
    result = deploy(rsync_site, "mirror")
    for plan in (dry.plan, result.plan):
        assert plan.new == [("p/lamp/index.html", 19)]
        assert [rel for rel, _ in plan.changed] == ["p/tent/index.html"]
        assert plan.deleted == [("p/stove/index.html", 0)]
    published = tree(tmp_path / "mirror")
    assert published.pop(".well-known/security.txt") == b"Contact: x"  # protected from --delete
    assert published == tree(rsync_site.build_dir)
    assert (tmp_path / "mirror" / "index.html").stat().st_mtime_ns == mtime  # unchanged file not rewritten


def test_rsync_unreachable_host_fails_clearly(tmp_path, needs_rsync):
    site = make_site(tmp_path / "site", {"remote": {
        "type": "rsync", "dest": "deploy@127.0.0.1:/srv/shop/", "timeout": 5,
        "ssh": "ssh -p 9 -o BatchMode=yes -o ConnectTimeout=3 -o StrictHostKeyChecking=no"}})
    with pytest.raises(DeployError, match=r"deploy.remote: rsync to deploy@127.0.0.1:/srv/shop/ exited \d+"):
        deploy(site, "remote")


def test_parse_itemized_output():
    local = {"a.html": type("F", (), {"size": 5})(), "b.css": type("F", (), {"size": 7})(),
             "c.txt": type("F", (), {"size": 1})()}
    out = ("cd+++++++++ p/\n>f+++++++++ a.html\n>f.st...... b.css\n.f..t...... c.txt\n"
           "*deleting   old/\n*deleting   old/x.html\n")
    plan = parse_itemized(out, local)
    assert plan.new == [("a.html", 5)] and plan.changed == [("b.css", 7)]
    assert plan.deleted == [("old/x.html", 0)] and plan.unchanged == 1


# --- git -------------------------------------------------------------------------------------------------


def git(*args, cwd=None):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def git_site(tmp_path):
    git("init", "--quiet", "--bare", str(tmp_path / "pages.git"))
    return make_site(tmp_path / "site", {"pages": {"type": "git", "remote": str(tmp_path / "pages.git"),
                                                   "branch": "gh-pages", "cname": "shop.example.com"}})


def published(repo, ref="gh-pages"):
    names = git("--git-dir", str(repo), "ls-tree", "-r", "--name-only", ref).split()
    return {n: subprocess.run(["git", "--git-dir", str(repo), "show", f"{ref}:{n}"], capture_output=True,
                              check=True).stdout for n in names}


def test_git_commits_the_build_with_nojekyll_and_cname_and_pushes(git_site, tmp_path):
    repo = tmp_path / "pages.git"
    first = deploy(git_site, "pages")
    assert first.plan.counts()["new"] == len(BUILD_FILES) + 2
    files = published(repo)
    assert files.pop(".nojekyll") == b""
    assert files.pop("CNAME") == b"shop.example.com\n"
    assert files == BUILD_FILES
    assert len(git("--git-dir", str(repo), "rev-list", "gh-pages").split()) == 1

    assert deploy(git_site, "pages").plan.empty  # nothing changed: no commit
    assert len(git("--git-dir", str(repo), "rev-list", "gh-pages").split()) == 1

    change_build(git_site, changed=["p/tent/index.html"], removed=["p/stove/index.html"])
    result = deploy(git_site, "pages")
    assert [r for r, _ in result.plan.changed] == ["p/tent/index.html"]
    assert result.plan.deleted == [("p/stove/index.html", 0)]
    assert "p/stove/index.html" not in published(repo)
    assert len(git("--git-dir", str(repo), "rev-list", "gh-pages").split()) == 2

    back = rollback(git_site, "pages")
    assert published(repo)["p/stove/index.html"] == BUILD_FILES["p/stove/index.html"]
    assert [r for r, _ in back.plan.new] == ["p/stove/index.html"]
    # the next deploy publishes build/ again, on top of the rollback commit
    again = deploy(git_site, "pages")
    assert again.plan.deleted == [("p/stove/index.html", 0)]
    assert "p/stove/index.html" not in published(repo)
    assert len(git("--git-dir", str(repo), "rev-list", "gh-pages").split()) == 4


def test_git_cname_follows_the_config(git_site, tmp_path):
    repo = tmp_path / "pages.git"
    deploy(git_site, "pages")
    assert published(repo)["CNAME"] == b"shop.example.com\n"
    config = (git_site.root / "site.yml").read_text().replace("cname: shop.example.com", "message: no cname")
    (git_site.root / "site.yml").write_text(config)
    result = deploy(load_site(git_site.root), "pages")  # no cname any more: CNAME leaves the branch
    assert result.plan.deleted == [("CNAME", 0)]
    assert "CNAME" not in published(repo) and ".nojekyll" in published(repo)


def test_git_builds_on_a_branch_someone_else_pushed_to(git_site, tmp_path):
    deploy(git_site, "pages")
    work = tmp_path / "work"
    git("clone", "--quiet", "--branch", "gh-pages", str(tmp_path / "pages.git"), str(work))
    (work / "extra.txt").write_text("by hand")
    git("add", "extra.txt", cwd=work)
    git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "--quiet", "-m", "by hand", cwd=work)
    git("push", "--quiet", "origin", "gh-pages", cwd=work)
    result = deploy(git_site, "pages")  # fast-forward from their commit; their extra file is not built: gone
    assert result.plan.deleted == [("extra.txt", 0)]
    log = git("--git-dir", str(tmp_path / "pages.git"), "log", "--format=%s", "gh-pages").splitlines()
    assert log[1] == "by hand"


def test_git_unreachable_remote_fails_and_pushes_nothing(tmp_path):
    site = make_site(tmp_path / "site", {"pages": {"type": "git", "remote": str(tmp_path / "missing.git")}})
    with pytest.raises(DeployError, match=r"cannot read .*missing\.git.*nothing was pushed"):
        deploy(site, "pages")


def test_git_rejected_push_leaves_the_branch(git_site, tmp_path):
    repo = tmp_path / "pages.git"
    deploy(git_site, "pages")
    before = git("--git-dir", str(repo), "rev-parse", "gh-pages")
    hook = repo / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'denied by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    change_build(git_site, changed=["index.html"])
    with pytest.raises(DeployError, match=r"push to .* failed: .*denied by policy.*branch is unchanged"):
        deploy(git_site, "pages")
    assert git("--git-dir", str(repo), "rev-parse", "gh-pages") == before


# --- shared pieces ---------------------------------------------------------------------------------------


def test_content_types_and_fingerprints():
    assert content_type("index.html") == "text/html; charset=utf-8"
    assert content_type("feed.xml") == "application/atom+xml; charset=utf-8"
    assert content_type("sitemaps/sitemap-1.xml") == "application/xml"
    assert content_type("img/ab/x-400.webp") == "image/webp"
    assert content_type("pagefind/0/wasm.ru.pagefind") == "application/octet-stream"
    assert content_type("assets/site.445e27aa.css") == "text/css; charset=utf-8"
    assert is_fingerprinted("assets/site.445e27aa.css")
    assert is_fingerprinted("pagefind/0/fragment/ru_112e271.pf_fragment")
    assert is_fingerprinted("pagefind/0/pagefind.ru_bf152dc25f.pf_meta")
    assert is_fingerprinted("img/9b/9b3cab1290ffe2d1-400.webp")
    for plain in ("index.html", "p/defaced-7/index.html", "sitemap.xml", "pagefind/0/pagefind.js",
                  "pagefind/0/wasm.ru.pagefind", "pagefind/0/pagefind-entry.json", "p/deadbeef/index.html"):
        assert not is_fingerprinted(plain), plain


def test_deploy_config_errors_name_the_line_and_key(tmp_path):
    from showcase.errors import ConfigError

    root = tmp_path / "s"
    make_site(root, {})
    (root / "site.yml").write_text(
        "site: {title: T, base_url: 'https://x.example/', language: en, currency: USD}\n"
        "deploy:\n  live:\n    type: ftp\n  b:\n    type: s3\n    bucket: B\n  c:\n    type: dir\n    pth: /x\n")
    with pytest.raises(ConfigError) as e:
        load_site(root)
    text = "\n".join(e.value.errors)
    assert "site.yml:3: deploy.live: expected `type`: one of dir, rsync, s3, git; got 'ftp'" in text
    assert "site.yml:7: deploy.b.bucket: expected a bucket name" in text
    assert "site.yml:10: deploy.c.pth: unknown key 'pth'; expected one of: type, path, releases, keep" in text
    assert "site.yml:8: deploy.c.path: required key is missing" in text
