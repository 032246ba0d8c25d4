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
AXE_SOURCE = AXE.read_text(encoding="utf-8") + "\n;globalThis.axe = axe;"
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


@pytest.fixture(autouse=True)
def fail_on_csp_violations(page: Page):  # type: ignore[no-untyped-def]
    """Every page runs under the portal's real Content-Security-Policy; a violation fails."""
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    yield
    assert violations == []


def assert_accessible(page: Page, title: str) -> None:
    """The page is the one we meant (its title) and axe finds no WCAG 2.2 AA violation."""
    assert page.title() == f"{title} \N{EN DASH} QM Portal", page.title()
    assert_axe_clean(page, title)


def assert_axe_clean(page: Page, title: str) -> None:
    """axe finds no WCAG 2.2 AA violation on the page (any page, ours or a partner's)."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern, so the
    # pages are tested under their real policy (no bypass).
    page.evaluate(AXE_SOURCE)
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
    context = browser.new_context()
    context.add_cookies(page.context.cookies())
    twin = context.new_page()
    twin.goto(page.url)
    assert_accessible(twin, title)
    context.close()
