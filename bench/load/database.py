"""What `make load` asks of its database through the portal's own models, run by the driver as
`python -m bench.load.database accounts|facts` with development settings (demo data only).

`accounts` makes the simulated people's accounts, in the demo organizations and with the demo
password, as `seed_demo` makes the personas; `facts` reads back what the run left: the reports
the load accounts started, their `iad.created` events, the e-mail outbox and the audit chain.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import django

PREFIX = "load."
# How the simulated people divide between the kinds (the locustfile's user weights). Each gets
# an account of its own and no more: the portal e-mails every holder of a role about each
# hand-off, so idle accounts would multiply the mail beyond what the people cause.
SHARES = {"filer": 6, "director": 2, "reviewer": 2}
# Who the simulated people are: (kind, organization kind, organization identifiers, roles). The
# two providers both contract with the health plan HP001, whose reviewers see their reports.
PEOPLE = [
    ("filer", "provider", ("100001", "100002"), ("iad.submitter",)),
    ("director", "provider", ("100001", "100002"), ("iad.clinical_director",)),
    ("reviewer", "health_plan", ("HP001",), ("iad.reviewer",)),
]


def accounts_for(users: int) -> dict[str, int]:
    """How many accounts of each kind `users` simulated people need."""
    total = sum(SHARES.values())
    return {kind: max(1, math.ceil(users * share / total)) for kind, share in SHARES.items()}


def make_accounts(users: int) -> dict[str, list[dict[str, str]]]:
    """The accounts of `users` simulated people, active, past every first sign-in gate; one
    password hash shared by all (Argon2 costs time on purpose; they share the demo password)."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from portal.accounts.models import TermsAcceptance, TermsVersion, User
    from portal.accounts.services import grant_role
    from portal.registry.models import Organization

    password = make_password(settings.DEMO_PASSWORD)
    terms = TermsVersion.current()
    roster: dict[str, list[dict[str, str]]] = {}
    with transaction.atomic():
        for kind, organization_kind, identifiers, roles in PEOPLE:
            organizations = [
                Organization.objects.get(kind=organization_kind, identifier=identifier)
                for identifier in identifiers
            ]
            roster[kind] = []
            for n in range(accounts_for(users)[kind]):
                organization = organizations[n % len(organizations)]
                user = User.objects.create(
                    username=f"{PREFIX}{kind}.{n:03d}", first_name="Load", last_name=f"{kind} {n}",
                    email=f"{PREFIX}{kind}.{n:03d}@load.qmportal.invalid",
                    organization=organization, account_type=User.AccountType.INDIVIDUAL,
                    status=User.Status.ACTIVE, password=password,
                )  # fmt: skip
                for role in roles:
                    grant_role(user, role, by=None)
                if terms is not None:
                    TermsAcceptance.objects.create(user=user, terms=terms)
                roster[kind].append({"username": user.username, "organization": identifier_of(
                    organization)})  # fmt: skip
    return roster


def identifier_of(organization: Any) -> str:
    return str(organization.identifier)


def facts() -> dict[str, Any]:
    """The reports the load accounts started (code, key, preparer), how many `iad.created`
    events each has, the outbox by status, and whether the audit chain still verifies."""
    from portal.core import audit
    from portal.core.models import AuditEvent, OutboundEmail
    from portal.iad.models import Report

    reports = list(
        Report.objects.filter(preparer__username__startswith=PREFIX).values_list(
            "code", "client_key", "preparer__username", "status"
        )
    )
    codes = {str(code) for code, *_ in reports}
    created = Counter(
        AuditEvent.objects.filter(action="iad.created", target_id__in=codes).values_list(
            "target_id", flat=True
        )
    )
    outbox = Counter(OutboundEmail.objects.values_list("status", flat=True))
    audit.seal_pending()  # what the run's last requests wrote (the sealer may have stopped)
    checked, _, problems = audit.verify_chain()
    return {
        "reports": [
            {"code": str(code), "key": str(key) if key else None, "preparer": who, "status": state}
            for code, key, who, state in reports
        ],
        "created_events": dict(created),
        "outbox": dict(outbox),
        "audit_events": checked,
        "audit_problems": len(problems),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["accounts", "facts"])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    found = make_accounts(args.users) if args.what == "accounts" else facts()
    args.out.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
