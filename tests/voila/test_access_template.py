"""The page template's accessibility parts, checked without a browser (tests/ui/test_access_ui.py checks
them in one): the template renders the <main> the learner pages' skip links point to, its script is
valid JavaScript, its styles never take a focus ring away, and nothing in it uses Jinja's own delimiters
by accident (the script and styles are included as templates)."""

from __future__ import annotations

import re
import shutil
import subprocess

import jinja2
import pytest

from peerkit.voila.serve import template_root
from peerkit.widgets.frame import MAIN_ID

TEMPLATE = template_root() / "voila" / "templates" / "peerkit"


def test_the_template_wraps_the_cells_in_the_main_the_skip_links_point_to() -> None:
    index = (TEMPLATE / "index.html.j2").read_text()
    header = index[index.index("{%- block body_header -%}") : index.index("{%- endblock body_header -%}")]
    footer = index[index.index("{%- block body_footer -%}") : index.index("{%- endblock body_footer -%}")]
    assert f'<main id="{MAIN_ID}" tabindex="-1">' in header and f'href="#{MAIN_ID}"' in header
    assert header.index("{{ super() }}") < header.index("<main")  # inside #rendered_cells, after Voilà's spinner
    assert footer.index("</main>") < footer.index("{{ super() }}")
    assert '<main id="main"' not in index  # the Lumino shell's id: a skip link there would land on the shell
    assert "{% include 'peerkit-access.css.j2' %}" in index and "{% include 'peerkit-access.js' %}" in index


def test_the_included_files_render_as_they_are_written() -> None:
    loader = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE)), autoescape=True)
    script = (TEMPLATE / "peerkit-access.js").read_text()
    assert loader.get_template("peerkit-access.js").render() == script.rstrip("\n")
    styles = loader.get_template("peerkit-access.css.j2").render()
    assert styles.lstrip().startswith("<style>") and styles.rstrip().endswith("</style>")


def test_the_styles_keep_every_focus_ring() -> None:
    styles = re.sub(r"/\*.*?\*/", "", (TEMPLATE / "peerkit-access.css.j2").read_text(), flags=re.S)
    removed = [m.group(0) for m in re.finditer(r"[^{}]*\{[^}]*outline:\s*none[^}]*\}", styles)]
    # Only the skip link's landing place (a container focused by script, never by Tab) goes without one.
    assert [r.split("{")[0].strip() for r in removed] == ["#peerkit-main:focus, .peerkit-skip-target:focus"]
    assert "prefers-reduced-motion: reduce" in styles and "animation: none !important" in styles
    assert "text-decoration: underline !important" in styles


def test_the_script_is_valid_javascript() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    result = subprocess.run([node, "--check", str(TEMPLATE / "peerkit-access.js")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
