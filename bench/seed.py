"""bench/seed: fill a database with a realistic volume of data for the benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qm_bench .venv/bin/python -m bench.seed

Migrates, loads the demo data (so the demo sign-ins work), then adds organizations up to
`--organizations`, accounts up to `--accounts` and `--reports` IAD/IRF reports spread over the
five years before `--until`, each with its incident types, the history rows of the steps it went
through and their audit events, sealed into the one hash chain as the portal would have written
them. The same seed, counts and `--until` give the same rows. PostgreSQL takes the rows by COPY,
SQLite by executemany, in chunks, so a million reports take minutes.
"""

from __future__ import annotations

import argparse
import heapq
import io
import itertools
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 20_000
YEARS = 5

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Carla",
    "Deshawn",
    "Esther",
    "Felipe",
    "Gloria",
    "Hiroshi",
    "Imani",
    "Jorge",
    "Kateri",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Paloma",
    "Quinn",
    "Rafael",
    "Sienna",
    "Tobias",
    "Uma",
    "Vera",
    "Wyatt",
    "Ximena",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Acosta",
    "Begaye",
    "Chavez",
    "Dominguez",
    "Etsitty",
    "Flores",
    "Garcia",
    "Haskie",
    "Ibarra",
    "Jim",
    "Kim",
    "Lopez",
    "Morales",
    "Nguyen",
    "Ortiz",
    "Patel",
    "Quiroz",
    "Romero",
    "Silversmith",
    "Tsosie",
    "Valdez",
    "Walker",
    "Yellowhair",
    "Zamora",
)
SITES = (
    "Palo Verde group home",
    "Mesquite adult day program",
    "Sonoran crisis unit",
    "Ironwood outpatient clinic",
    "Agave residential treatment",
    "Juniper supported living",
)
STREETS = (
    "W. Camelback Road",
    "E. Broadway Boulevard",
    "N. 7th Street",
    "S. Mill Avenue",
    "E. Route 66",
    "W. Grant Road",
)
# Sentences the narratives are built from: written for the benchmark, no real event behind them.
SENTENCES = (
    "The member became upset during the evening group and left the room.",
    "Staff followed the de-escalation plan and stayed with the member.",
    "A nurse checked the member and noted a small bruise on the left forearm.",
    "The member said they had slipped on the wet floor near the kitchen.",
    "The on-call clinician was informed and reviewed the medication record.",
    "The guardian was called and told what had happened.",
    "The member rested in their room and was checked every fifteen minutes.",
    "A second dose was given by mistake and poison control was consulted.",
    "The member returned to the program on their own about two hours later.",
    "Transportation to urgent care was arranged and the member was seen the same day.",
)
LOCATIONS = ("Residence", "Day program", "Community", "Vehicle", "Clinic")


@dataclass
class Org:
    pk: int
    kind: str
    region: str
    plans: list[int] = field(default_factory=list)  # a provider's contracted plans
    submitters: list[int] = field(default_factory=list)
    directors: list[int] = field(default_factory=list)
    reviewers: list[int] = field(default_factory=list)


@dataclass
class Step:
    """One transition: what the history row and the audit event record."""

    name: str
    done: str
    source: str
    target: str
    role: str  # whose account takes it: submitter, director or reviewer


STEPS = {
    "submit": Step("submit", "submitted", "draft", "awaiting_approval", "submitter"),
    "file": Step("file", "submitted", "draft", "submitted", "submitter"),
    "return": Step("return", "returned", "awaiting_approval", "returned", "director"),
    "resubmit": Step("resubmit", "resubmitted", "returned", "awaiting_approval", "submitter"),
    "approve": Step("approve", "approved", "awaiting_approval", "submitted", "director"),
    "start_review": Step("start_review", "review_started", "submitted", "in_review", "reviewer"),
    "request_info": Step(
        "request_info", "info_requested", "in_review", "info_requested", "reviewer"
    ),
    "respond": Step("respond", "responded", "info_requested", "in_review", "submitter"),
    "close": Step("close", "closed", "in_review", "closed", "reviewer"),
}
REVIEW_TAIL = {
    "submitted": [],
    "in_review": ["start_review"],
    "info_requested": ["start_review", "request_info"],
    "closed": ["start_review", "close"],
    "closed_after_info": ["start_review", "request_info", "respond", "close"],
}
REASONS = {
    "return": "Please add the time the member was found.",
    "request_info": "Which staff were on shift at the time?",
    "respond": "Two support staff and the shift lead were on shift.",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        default=datetime.now(UTC).date(),
        help="last day of the five years the reports span (default: today)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    Seeder(args.seed, datetime.combine(args.until, datetime.min.time(), UTC)).run(
        args.organizations, args.accounts, args.reports
    )
    return 0


class Seeder:
    def __init__(self, seed: int, until: datetime) -> None:
        self.rng = random.Random(seed)
        self.until = until
        self.started = time.monotonic()
        self.user_org: dict[int, int] = {}  # account → its organization, for audit events

    def say(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:6.0f} s] {text}", flush=True)

    def run(self, organizations: int, accounts: int, reports: int) -> None:
        from django.core.management import call_command

        from portal.iad.models import Report

        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=io.StringIO())
        if Report.objects.count() > 100:
            raise SystemExit(
                "This database already holds a seeded volume: start from an empty one."
            )
        self.say("migrated, demo data loaded")
        orgs = self.organizations(organizations)
        self.say(f"{len(orgs)} organizations")
        made = self.accounts(orgs, accounts)
        self.say(f"{made} accounts")
        self.reports(orgs, reports)
        self.finish()

    # --- organizations and accounts -----------------------------------------------------------
    def organizations(self, total: int) -> dict[int, Org]:
        from portal.registry.models import Organization

        plans_wanted = max(2, total // 16)
        regions = ["north", "central", "south"]
        have = Organization.objects.count()
        new: list[Organization] = []
        for n in range(max(0, total - have)):
            region = regions[n % 3]
            if n < plans_wanted:
                new.append(
                    Organization(
                        name=f"{LAST_NAMES[n % 24]} Health Plan {n + 1}",
                        kind="health_plan",
                        identifier=f"BP{n + 1:04d}",
                        region=region,
                    )
                )
            else:
                new.append(
                    Organization(
                        name=f"{SITES[n % 6].split()[0]} Behavioral Health {n}",
                        kind="provider",
                        identifier=f"{900000 + n}",
                        region=region,
                    )
                )
        Organization.objects.bulk_create(new, batch_size=500)
        orgs = {
            pk: Org(pk, kind, region or "central")
            for pk, kind, region in Organization.objects.values_list("pk", "kind", "region")
        }
        plans = sorted(o.pk for o in orgs.values() if o.kind in {"health_plan", "trbha"})
        through = Organization.contracted_plans.through
        existing = set(through.objects.values_list("from_organization_id", "to_organization_id"))
        links = []
        for org in sorted(orgs.values(), key=lambda o: o.pk):
            if org.kind != "provider":
                continue
            org.plans = sorted({p for f, p in existing if f == org.pk})
            if not org.plans:
                org.plans = sorted(self.rng.sample(plans, min(len(plans), self.rng.randint(2, 4))))
                links += [
                    through(from_organization_id=org.pk, to_organization_id=p) for p in org.plans
                ]
        through.objects.bulk_create(links, batch_size=1000)
        return orgs

    def accounts(self, orgs: dict[int, Org], total: int) -> int:
        from django.conf import settings
        from django.contrib.auth.hashers import make_password

        from portal.accounts.demo import DEMO_ANSWER, DEMO_QUESTIONS
        from portal.accounts.models import (
            RoleGrant,
            SecurityAnswer,
            TermsAcceptance,
            TermsVersion,
            User,
        )
        from portal.accounts.services.registration import hash_answer

        for user_pk, org_pk, role in RoleGrant.objects.filter(
            user__organization__isnull=False
        ).values_list("user_id", "user__organization_id", "role"):
            self._file_under(orgs[org_pk], user_pk, role)
        self.user_org.update(
            User.objects.filter(organization__isnull=False).values_list("pk", "organization_id")
        )
        working = [o for o in orgs.values() if o.kind in {"provider", "health_plan", "trbha"}]
        wanted = max(0, total - User.objects.count())
        per_org = max(3, -(-wanted // len(working)))  # rounded up: the count stops at `wanted`
        password = make_password(settings.DEMO_PASSWORD or "bench-only-password-0000")
        answer = hash_answer(DEMO_ANSWER)
        terms = TermsVersion.current()
        first_pk = (User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        users, grants, answers, acceptances = [], [], [], []
        now = self.until - timedelta(days=1)
        pk = first_pk
        for org in working:
            for n in range(per_org):
                if pk - first_pk >= wanted:
                    break
                role = self._role_for(org, n)
                users.append(
                    {
                        "id": pk,
                        "password": password,
                        "username": f"bench.{org.pk}.{n}",
                        "first_name": self.rng.choice(FIRST_NAMES),
                        "last_name": self.rng.choice(LAST_NAMES),
                        "email": f"bench.{org.pk}.{n}@bench.qmportal.invalid",
                        "organization_id": org.pk,
                        "code": self._uuid(),
                        "account_type": "master" if n == 0 else "individual",
                        "status": "active",
                        "created_at": now - timedelta(days=self.rng.randint(30, 2000)),
                        "last_activity_at": now - timedelta(hours=self.rng.randint(1, 2000)),
                    }
                )
                self.user_org[pk] = org.pk
                if role:
                    grants.append({"user_id": pk, "role": role, "granted_at": now})
                    self._file_under(org, pk, role)
                answers += [
                    {"user_id": pk, "question": q, "answer_hash": answer} for q in DEMO_QUESTIONS
                ]
                if terms is not None:
                    acceptances.append({"user_id": pk, "terms_id": terms.pk, "accepted_at": now})
                pk += 1
        for model, rows in (
            (User, users),
            (RoleGrant, grants),
            (SecurityAnswer, answers),
            (TermsAcceptance, acceptances),
        ):
            insert(model, rows)
        reset_sequences(User, RoleGrant, SecurityAnswer, TermsAcceptance)
        return len(users)

    @staticmethod
    def _role_for(org: Org, n: int) -> str:
        if n == 0:
            return ""  # the master account manages accounts; it files nothing
        if org.kind == "provider":
            return "iad.clinical_director" if n <= 2 else "iad.submitter"
        return "iad.reviewer" if n % 4 else "irf.submitter"

    @staticmethod
    def _file_under(org: Org, user_pk: int, role: str) -> None:
        if role in {"iad.submitter", "irf.submitter"}:
            org.submitters.append(user_pk)
        elif role == "iad.clinical_director":
            org.directors.append(user_pk)
        elif role == "iad.reviewer":
            org.reviewers.append(user_pk)

    # --- reports ----------------------------------------------------------------------------------
    def reports(self, orgs: dict[int, Org], total: int) -> None:
        from portal.core.models import AuditEvent
        from portal.iad.models import IncidentType, Report, ReportEvent

        types = list(IncidentType.objects.values_list("pk", "sentinel"))
        providers = [
            o
            for o in orgs.values()
            if o.kind == "provider" and o.submitters and o.directors and o.plans
        ]
        plans = {o.pk: o for o in orgs.values() if o.kind in {"health_plan", "trbha"}}
        reviewers = {pk: plan.reviewers for pk, plan in plans.items()}
        irf_filers = [p for p in plans.values() if p.submitters]
        by_plan: dict[int, list[Org]] = {}
        for provider in providers:
            for plan_pk in provider.plans:
                by_plan.setdefault(plan_pk, []).append(provider)
        irf_filers = [p for p in irf_filers if by_plan.get(p.pk)]
        links = Report.incident_types.through
        next_report = (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        next_event = (
            ReportEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        chain = Chain()
        span = YEARS * 365 * 86400
        start = self.until - timedelta(seconds=span)
        # Creation times in order, so the audit events can be written in time order too.
        moments = sorted(self.rng.randrange(span) for _ in range(total))
        pending: list[tuple[datetime, int, dict[str, Any]]] = []  # audit events still to come
        tie = itertools.count()
        batch: dict[str, list[dict[str, Any]]] = {
            "reports": [],
            "links": [],
            "history": [],
            "audit": [],
        }
        for n, offset in enumerate(moments):
            created = start + timedelta(seconds=offset, microseconds=self.rng.randrange(10**6))
            if irf_filers and self.rng.random() < 0.12:  # an IRF, filed by a plan
                filer = self.rng.choice(irf_filers)
                provider, plan = self.rng.choice(by_plan[filer.pk]), filer.pk
            else:
                filer = provider = self.rng.choice(providers)
                plan = self.rng.choice(provider.plans)
            kind = "iad" if filer is provider else "irf"
            report = self._report(next_report + n, kind, filer, provider, plan, created)
            chosen = self.rng.sample(types, 2 if self.rng.random() < 0.2 else 1)
            report["sentinel"] = any(sentinel for _, sentinel in chosen)
            batch["links"] += [
                {"report_id": report["id"], "incidenttype_id": pk} for pk, _ in chosen
            ]
            events = self._history(report, filer, reviewers.get(plan) or [], created)
            for event in events:
                event["id"] = next_event
                next_event += 1
            batch["history"] += events
            for event in [None, *events]:
                audit = self._audit(report, event)
                heapq.heappush(pending, (audit["at"], next(tie), audit))
            batch["reports"].append(report)
            while pending and pending[0][0] <= created:
                batch["audit"].append(chain.seal(heapq.heappop(pending)[2]))
            if len(batch["reports"]) >= CHUNK:
                self._write(batch, links)
                self.say(f"{n + 1:,} reports")
        while pending:
            batch["audit"].append(chain.seal(heapq.heappop(pending)[2]))
        self._write(batch, links)
        reset_sequences(Report, ReportEvent, AuditEvent, links)
        self.say(
            f"{total:,} reports, {next_event - 1:,} history rows, "
            f"{chain.seq:,} audit events in the chain"
        )

    def _write(self, batch: dict[str, list[dict[str, Any]]], links: Any) -> None:
        from portal.core.models import AuditEvent, AuditSeal
        from portal.iad.models import Report, ReportEvent

        batch["seals"] = [Chain.seal_row(event) for event in batch["audit"]]
        for model, key in (
            (Report, "reports"),
            (links, "links"),
            (ReportEvent, "history"),
            (AuditEvent, "audit"),
            (AuditSeal, "seals"),
        ):
            insert(model, batch[key])
            batch[key] = []

    def _report(
        self, pk: int, kind: str, filer: Org, provider: Org, plan: int, created: datetime
    ) -> dict[str, Any]:
        rng = self.rng
        occurred = created - timedelta(minutes=rng.randint(30, 60 * 30))
        born = occurred.date() - timedelta(days=rng.randint(6 * 365, 85 * 365))
        words = rng.sample(SENTENCES, rng.randint(2, 5))
        return {
            "id": pk,
            "code": self._uuid(),
            "kind": kind,
            "status": "draft",
            "status_changed_at": created,
            "organization_id": filer.pk,
            "provider_id": provider.pk,
            "preparer_id": rng.choice(filer.submitters),
            "site_name": rng.choice(SITES),
            "site_address": f"{rng.randint(100, 9999)} {rng.choice(STREETS)}",
            "contact_phone": f"602-555-{rng.randint(0, 9999):04d}",
            "member_id": f"A{rng.randint(0, 99_999_999):08d}",
            "member_last_name": rng.choice(LAST_NAMES),
            "member_first_name": rng.choice(FIRST_NAMES),
            "member_birth_date": born,
            "member_sex": rng.choice(["female", "male", "unknown"]),
            "health_plan_id": plan,
            "category": rng.choice(["smi", "gmh_su", "child", "none"]),
            "occurred_at": occurred,
            "aware_at": occurred + timedelta(minutes=rng.randint(5, 240)),
            "location_type": rng.choice(LOCATIONS),
            "location_description": "",
            "narrative": " ".join(words),
            "injuries": rng.random() < 0.3,
            "injury_description": "",
            "injury_treatment": "",
            "immediate_actions": "Staff stayed with the member and informed the on-call lead.",
            "follow_up": "Review at the next team meeting.",
            "due_at": created + timedelta(days=2),
            "created_at": created,
            "updated_at": created,
            "outcome": "",
            "referral_note": "",
            "late_reason": "",
            "submitted_at": None,
        }

    def _history(
        self, report: dict[str, Any], filer: Org, reviewers: list[int], created: datetime
    ) -> list[dict[str, Any]]:
        """The steps this report went through: older reports are mostly closed."""
        age_days = (self.until - created).days
        roll = self.rng.random()
        if roll < (0.03 if age_days > 90 else 0.10):
            return []  # a draft, never sent
        if report["kind"] == "iad":
            path = ["submit", "return", "resubmit"] if self.rng.random() < 0.08 else ["submit"]
            if age_days < 3 and roll < 0.3:
                return self._steps(report, filer, reviewers, created, path)  # awaits approval
            path.append("approve")
        else:
            path = ["file"]
        if path[-1] in {"approve", "file"} and reviewers:
            if age_days > 90:
                tail = "closed_after_info" if roll > 0.9 else "closed"
            else:
                tail = self.rng.choice(list(REVIEW_TAIL))
            path += REVIEW_TAIL[tail]
        return self._steps(report, filer, reviewers, created, path)

    def _steps(
        self,
        report: dict[str, Any],
        filer: Org,
        reviewers: list[int],
        created: datetime,
        path: list[str],
    ) -> list[dict[str, Any]]:
        """The history rows of `path`, hours or days apart; the report ends where they lead."""
        events, moment = [], created
        for name in path:
            step = STEPS[name]
            moment += timedelta(hours=self.rng.randint(1, 24 * (10 if name == "close" else 2)))
            actor = {
                "submitter": report["preparer_id"],
                "director": self.rng.choice(filer.directors or filer.submitters),
                "reviewer": self.rng.choice(reviewers) if reviewers else None,
            }[step.role]
            events.append(
                {
                    "report_id": report["id"],
                    "at": moment,
                    "actor_id": actor,
                    "transition": name,
                    "from_status": step.source,
                    "to_status": step.target,
                    "reason": REASONS.get(name, ""),
                }
            )
            report["status"], report["status_changed_at"] = step.target, moment
            report["updated_at"] = moment
            if name in {"submit", "file"}:
                report["submitted_at"] = moment
            if name == "close":
                report["outcome"] = self.rng.choice(
                    ["no_further_action", "no_further_action", "referred_qoc", "referred_agency"]
                )
        return events

    def _audit(self, report: dict[str, Any], event: dict[str, Any] | None) -> dict[str, Any]:
        """The audit event of the report's creation (`event` None) or of one of its steps, with
        the organization of whoever acted, as audit.record() takes it."""
        if event is None:
            at, actor, action, data = report["created_at"], report["preparer_id"], "created", {}
        else:
            at, actor, action = event["at"], event["actor_id"], STEPS[event["transition"]].done
            data = {"from": event["from_status"], "to": event["to_status"]}
        return {
            "at": at,
            "actor_id": actor,
            "organization_id": self.user_org[actor],
            "action": f"iad.{action}",
            "target_type": "iad.report",
            "target_id": str(report["code"]),
            "ip": "",
            "data": data,
        }

    def _uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def finish(self) -> None:
        from django.db import connection

        from portal.core.audit import seal_pending

        # The events were sealed one by one above, as ADR 0004 did; the sealer covers them with
        # its batches (Merkle roots, chained) as it does an upgraded database's (ADR 0024), and
        # seals whatever the set-up wrote through record().
        done = seal_pending()
        self.say(f"sealer: {done.adopted:,} events put in batches, {done.events:,} sealed")

        # Without VACUUM the visibility map is empty: the list's count cannot be read from its
        # covering index alone, and a fresh seed measured 60 % more PostgreSQL work per page.
        command = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(command)
        self.say("vacuumed and analyzed; done")


class Chain:
    """Continues the audit chain from its head, sealing each event as the sealer does (without
    the batches: `Seeder.finish` has the sealer add them)."""

    def __init__(self) -> None:
        from django.db.models import Max

        from portal.core.audit import GENESIS
        from portal.core.models import AuditEvent, AuditSeal

        last = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first()
        self.seq, self.head = last if last else (0, GENESIS)
        self.id = AuditEvent.objects.aggregate(top=Max("id"))["top"] or 0

    def seal(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row with its id, its place in the chain and its seal; `data` as JSON text to
        write. The event's columns are written to its table, the seal's to AuditSeal's."""
        from portal.core.audit import seal

        self.seq += 1
        self.id += 1
        row = {**row, "id": self.id, "seq": self.seq, "prev_hash": self.head}
        # seal() reads the event's attributes only: a namespace spares a model instance per row.
        row["hash"] = self.head = seal(self.head, SimpleNamespace(**row))
        row["data"] = json.dumps(row["data"])
        return row

    @staticmethod
    def seal_row(event: dict[str, Any]) -> dict[str, Any]:
        return {k: event[k] for k in ("seq", "prev_hash", "hash")} | {"event_id": event["id"]}


# --- bulk writing -----------------------------------------------------------------------------
def insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Write rows (dicts by attribute name; missing fields take their static default) fast:
    COPY on PostgreSQL, executemany on SQLite, in one transaction."""
    if not rows:
        return
    from django.db import connection, transaction

    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0] or not f.primary_key]
    defaults = {f.attname: _static_default(f) for f in fields if f.attname not in rows[0]}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    values = ([row.get(f.attname, defaults.get(f.attname)) for f in fields] for row in rows)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            convert = [(n, SQLITE[f.get_internal_type()]) for n, f in enumerate(fields)
                       if f.get_internal_type() in SQLITE]  # fmt: skip
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
                [_converted(value, convert) for value in values],
            )


def _static_default(field: Any) -> Any:
    from django.db.models import NOT_PROVIDED

    if field.default is not NOT_PROVIDED and not callable(field.default):
        return field.default
    if field.null:
        return None
    if field.get_internal_type() in {"CharField", "TextField", "EmailField"}:
        return ""
    raise ValueError(f"{field.model.__name__}.{field.attname} needs a value")


# Values as Django's SQLite backend stores them (PostgreSQL's COPY takes the Python values).
SQLITE = {
    "UUIDField": lambda v: v and v.hex,
    "DateTimeField": lambda v: v and v.astimezone(UTC).replace(tzinfo=None).isoformat(" "),
    "DateField": lambda v: v and v.isoformat(),
}


def _converted(value: list[Any], convert: list[tuple[int, Any]]) -> list[Any]:
    for n, to_sqlite in convert:
        value[n] = to_sqlite(value[n])
    return value


def added_seeder(doc: str, default: int, seed: Any) -> int:
    """The command line of a seeder that adds one application's rows to a seeded database:
    `--count` rows over the years before `--until`, from `--seed`; `seed(count, rng, until)`
    runs once Django is set up."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=default)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--until", type=date.fromisoformat, default=datetime.now(UTC).date())
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    seed(args.count, random.Random(args.seed), args.until)
    return 0


def reset_sequences(*models: Any) -> None:
    """Point each table's id sequence past the rows written with explicit ids (PostgreSQL)."""
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(statement)


if __name__ == "__main__":
    sys.exit(main())
