"""The page's own script shows each `<time>` in the browser's zone: the date is the reader's local date."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import peerkit
from peerkit.widgets.status import local_time

pytestmark = pytest.mark.ui

TEMPLATE = Path(peerkit.__file__).parent / "templates/voila/templates/peerkit/index.html.j2"


def _page_script() -> str:
    """The footer script of the learner pages' Voilà template, as served."""
    block = TEMPLATE.read_text().split("{% block footer_js %}", 1)[1].split("{% endblock footer_js %}", 1)[0]
    return block.replace("{{ super() }}", "")


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("America/Los_Angeles", r"Mar 1, 2026, 04:30\s?PM PST"),  # 2 March 00:30 UTC is 1 March there
        ("Australia/Sydney", r"Mar 2, 2026, 11:30\s?AM GMT\+11|Mar 2, 2026, 11:30\s?AM AEDT"),
    ],
)
def test_a_deadline_shows_the_readers_own_date(browser: Any, zone: str, shown: str) -> None:
    due = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    context = browser.new_context(timezone_id=zone, locale="en-US")
    try:
        page = context.new_page()
        page.set_content(
            f"<body><p>due {local_time(due)}</p><p>{local_time(due, style='date')}</p>{_page_script()}</body>"
        )
        first, second = page.locator("time.peerkit-time").all()
        assert first.get_attribute("data-local") == "1" and first.get_attribute("title") == "2 Mar 2026, 00:30 UTC"
        assert re.fullmatch(shown, first.inner_text()), first.inner_text()
        assert second.inner_text() == ("Mar 1, 2026" if zone == "America/Los_Angeles" else "Mar 2, 2026")
    finally:
        context.close()
