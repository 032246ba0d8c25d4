"""User guides: Markdown files in docs/guides, shown inside the portal's Help section."""

from dataclasses import dataclass
from functools import lru_cache

import markdown
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Guide:
    title: str
    filename: str


# One entry per application, in the order the Help page lists them.
GUIDES = {
    "accounts": Guide("Accounts: registering and managing accounts", "accounts.md"),
    "iad-irf": Guide("Incident reports (IAD and IRF)", "iad-irf.md"),
    "seclusion-restraint": Guide("Seclusion and restraint", "seclusion-restraint.md"),
    "human-rights": Guide("Special assistance (Office of Human Rights)", "human-rights.md"),
    "quality-of-care": Guide("Quality of care", "quality-of-care.md"),
}


@lru_cache(maxsize=len(GUIDES))
def render_guide(slug: str) -> SafeString:
    """The guide as HTML. The files are ours, under version control, never user input."""
    source = (settings.BASE_DIR / "docs" / "guides" / GUIDES[slug].filename).read_text("utf-8")
    html = markdown.markdown(source, extensions=["extra", "toc"], output_format="html")
    return mark_safe(html)  # noqa: S308 (trusted repository content, see docstring)
