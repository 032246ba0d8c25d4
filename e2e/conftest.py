"""Browser tests: Playwright drives Debian's chromium on a live server; axe checks every page."""

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

# The sync Playwright API runs an event loop; Django's ORM refuses calls made under one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it.")
    return {**browser_type_launch_args, "executable_path": chromium, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe is injected as a script tag, which the portal's strict CSP would (rightly) block.
    return {**browser_context_args, "bypass_csp": True}


def assert_accessible(page: Page, title: str) -> None:
    """The page is the one we meant (its title) and axe finds no WCAG 2.2 AA violation."""
    assert page.title() == f"{title} \N{EN DASH} QM Portal", page.title()
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]
    assert violations == [], f"{title}: " + "; ".join(violations)
    assert len(result["passes"]) > 10  # axe really ran over a real page


def assert_accessible_with_scripts_on(browser: Browser, page: Page, title: str) -> None:
    """axe needs scripts: scan the same URL, in the same session, in a context where they run.

    The page served is the same whether or not scripts run; the no-script page itself is not
    what axe reads.
    """
    context = browser.new_context(bypass_csp=True)
    context.add_cookies(page.context.cookies())
    twin = context.new_page()
    twin.goto(page.url)
    assert_accessible(twin, title)
    context.close()
