"""Walk the whole URLconf: every named pattern with a sample path (shared by the security tests).

`ALL_URLS` lists (name, sample path) for every pattern; `PUBLIC` lists the pages anyone may
open. Adding a public page means adding it to `PUBLIC`, on purpose.
"""

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

# Pages anyone may open. Adding a public page means adding it here, on purpose.
PUBLIC = {
    "accounts:sign_in",
    "accounts:agency_sign_in",
    "accounts:agency_callback",
    "accounts:sign_out",
    "accounts:signed_out",
    "accounts:register",
    "accounts:register_terms",
    "accounts:register_organization",
    "accounts:register_identifiers",
    "accounts:register_person",
    "accounts:register_address",
    "accounts:register_check",
    "accounts:register_done",
    "accounts:activate",
    "accounts:second_factor",
    "accounts:second_factor_recovery",
    "accounts:enrol_second_factor",
    "accounts:enrol_app_at_gate",
    "accounts:enrol_passkey_at_gate",
    "accounts:accept_terms",
    "accounts:renew_npi",
    "accounts:confirm_email",
    "accounts:port_account",
    "accounts:new_password",
    "accounts:forgot_password",
    "accounts:recovery_questions",
    "accounts:recovery_sent",
    "accounts:recovery_reset",
    "core:help",
    "core:guide",
    "core:privacy",
    "core:accessibility",
    "core:hipaa",
    "core:healthz",
    "core:healthz_audit",
    "core:mailbox",
    "back_office:login",  # the back office has no sign-in of its own: it sends people to ours
}

# Fixed values: parallel workers must collect the same test ids.
_UUID = "00000000-0000-4000-8000-000000000000"
_SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": _UUID, "path": "x"}
_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def _concrete(pattern: object) -> str:
    """A path matching one pattern segment, with sample values for its parameters."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m.group(1) or "str"], str(pattern))
    assert isinstance(pattern, RegexPattern)

    def sample(match: re.Match[str]) -> str:
        body = match.group(2)
        first = body.split("|")[0]
        return first if re.fullmatch(r"[\w-]+", first) else "1"

    text = _GROUP.sub(sample, str(pattern))
    return text.lstrip("^").rstrip("$").replace("\\", "")


def walk(
    patterns: list[object], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """Yield (name, sample path) for every pattern under `patterns`."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + _concrete(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name or entry.lookup_str}",
                "/" + prefix + _concrete(entry.pattern),
            )


ALL_URLS = sorted(set(walk(get_resolver().url_patterns)))
