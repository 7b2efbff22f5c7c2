"""The page contexts are the theme's contract: every field of every context must be documented."""

import ast
import dataclasses
from pathlib import Path

from showcase.render import context

SOURCE = Path(context.__file__)


def test_every_context_field_has_a_comment():
    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    undocumented = []
    for node in ast.parse(SOURCE.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and "#" not in lines[item.lineno - 1]:
                    undocumented.append(f"{node.name}.{item.target.id}")
    assert not undocumented, f"document these context fields in {SOURCE.name}: {', '.join(undocumented)}"


def test_every_page_type_has_site_and_meta_and_a_template():
    theme = Path(__file__).resolve().parents[1] / "themes" / "default" / "templates"
    for template, cls in context.PAGE_TYPES.items():
        names = [f.name for f in dataclasses.fields(cls)]
        assert names[:2] == ["site", "meta"], cls
        assert (theme / template).is_file(), template
