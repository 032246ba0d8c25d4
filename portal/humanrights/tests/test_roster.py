"""The roster of members under special assistance: each plan its own members, OHR statewide,
a provider those it notified; filters, export, counts over time, audited reads (SPEC §6)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.models import AuditEvent, OutboundEmail
from portal.humanrights import roster
from portal.humanrights.models import Report
from portal.registry.tests.factories import HealthPlanFactory
from portal.reports import services

from .factories import PART_B, days_ago, part_c
from .test_parts import notification

pytestmark = pytest.mark.django_db
QOC_NONE = ", 0 record requests due or late, 0 corrective action plans due or late."
S = Report.Status


def names(response) -> list[str]:
    return [report.member_id for report in response.context["page"].object_list]


def test_each_plan_sees_its_own_members_and_ohr_sees_every_plans(client, actors) -> None:
    ours = notification(actors, S.ACCEPTED, member_id="C10000001")
    theirs = notification(
        actors, S.ACCEPTED, member_id="C10000002", health_plan=HealthPlanFactory()
    )
    notification(actors, S.SUBMITTED, member_id="C10000003")  # not decided: not on the roster
    notification(actors, S.ENDED, member_id="C10000004", **part_c())  # ended: left the roster

    seen = {}
    for who in ("plan_filer", "staff", "filer", "other_plan", "outsider"):
        client.force_login(getattr(actors, who))
        seen[who] = names(client.get("/ohr/roster/"))

    assert seen["plan_filer"] == [ours.member_id]
    assert sorted(seen["staff"]) == sorted([ours.member_id, theirs.member_id])
    assert sorted(seen["filer"]) == sorted([ours.member_id, theirs.member_id])
    assert seen["other_plan"] == [] and seen["outsider"] == []


def test_people_without_an_ohr_role_get_404(client, personas) -> None:
    for person in (personas.provider_master, personas.agency_admin, personas.ioc_member):
        client.force_login(person)
        assert client.get("/ohr/roster/").status_code == 404
        assert client.get("/ohr/roster/export/csv/").status_code == 404


def test_a_member_joins_when_accepted_and_leaves_at_part_c(client, actors) -> None:
    report = notification(actors, S.SUBMITTED, member_id="C10000009")
    client.force_login(actors.plan_filer)
    assert names(client.get("/ohr/roster/")) == []

    services.take_transition(report, "accept", by=actors.staff, facts=PART_B)
    assert names(client.get("/ohr/roster/")) == ["C10000009"]

    services.take_transition(report, "end", by=actors.filer, facts=part_c())
    assert names(client.get("/ohr/roster/")) == []


def test_filters_narrow_the_roster_and_nonsense_is_named(client, actors) -> None:
    appeal = notification(actors, S.ACCEPTED, member_id="C10000011", confirmed_appeal=True)
    notification(actors, S.ACCEPTED, member_id="C10000012")
    other = HealthPlanFactory()
    elsewhere = notification(actors, S.ACCEPTED, member_id="C10000013", health_plan=other)
    client.force_login(actors.staff)

    assert names(client.get("/ohr/roster/?area=appeal")) == [appeal.member_id]
    assert names(client.get(f"/ohr/roster/?health_plan={other.pk}")) == [elsewhere.member_id]
    assert sorted(names(client.get("/ohr/roster/?member_id=c10000012"))) == [
        appeal.member_id,
        "C10000012",
        elsewhere.member_id,
    ]  # no search by AHCCCS ID: it would sit in addresses and logs
    wrong = client.get("/ohr/roster/?area=everything")
    assert wrong.status_code == 400
    assert "Choose an area from the list" in wrong.content.decode()


def test_a_plan_cannot_widen_its_roster_by_naming_another_plan(client, actors) -> None:
    notification(actors, S.ACCEPTED, member_id="C10000021")
    other = HealthPlanFactory()
    notification(actors, S.ACCEPTED, member_id="C10000022", health_plan=other)
    client.force_login(actors.plan_filer)

    response = client.get(f"/ohr/roster/?health_plan={other.pk}")

    assert names(response) == ["C10000021"]  # the field is not its to use: ignored
    assert "health_plan" not in response.context["form"].fields


def test_the_export_holds_the_filtered_roster_and_each_read_is_audited(client, actors) -> None:
    notification(actors, S.ACCEPTED, member_id="C10000031", confirmed_appeal=True)
    notification(actors, S.ACCEPTED, member_id="C10000032")
    client.force_login(actors.staff)
    before = AuditEvent.objects.count()

    page = client.get("/ohr/roster/?area=appeal")
    exported = client.get("/ohr/roster/export/csv/?area=appeal")

    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["Member ID", "Member name"]
    assert [row[0] for row in rows[1:]] == ["C10000031"]
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [event.action for event in events] == ["ohr.roster_viewed", "ohr.roster_exported"]
    assert events[0].data["filters"] == {"area": "appeal"} and page.status_code == 200
    assert events[1].data["rows"] == 1


def test_counts_over_time_follow_each_member_in_and_out(actors) -> None:
    today = timezone.localdate()
    days = roster.month_ends(today)
    notification(actors, S.ACCEPTED, member_id="C10000041", assistance_started_on=days[2])
    notification(
        actors,
        S.ENDED,
        member_id="C10000042",
        assistance_started_on=days[4],
        **{**part_c(), "ended_on": days[1]},
    )

    ((plan, counts),) = roster.counts_over_time(actors.staff, days)

    assert plan == actors.plan.name
    assert counts == [1, 1, 2, 1, 1, 0]
    assert days[0] == today and days[1] == today.replace(day=1) - timedelta(days=1)


def test_the_roster_page_keeps_its_query_count_as_members_grow(client, actors) -> None:
    client.force_login(actors.staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ohr/roster/").status_code == 200
        return len(captured)

    notification(actors, S.ACCEPTED)
    count()
    few = count()
    for _ in range(5):
        notification(actors, S.ACCEPTED, health_plan=HealthPlanFactory())
    assert count() == few


# --- Stale special assistance ------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_due_reminders", *args, stdout=out)
    return out.getvalue()


def test_stale_special_assistance_is_asked_about_once_per_period(actors, settings) -> None:
    report = notification(actors, S.ACCEPTED, determined_on=days_ago(200))
    long_ago = timezone.now() - timedelta(days=settings.OHR_STALE_DAYS + 1)
    Report.objects.filter(pk=report.pk).update(status_changed_at=long_ago)
    notification(actors, S.ACCEPTED)  # accepted just now: not stale

    assert run("--dry-run").endswith(f"1 special assistance to confirm or end{QOC_NONE}\n")
    assert not OutboundEmail.objects.exists()
    assert run().endswith(f"1 special assistance to confirm or end{QOC_NONE}\n")
    assert run().endswith(f"0 special assistance to confirm or end{QOC_NONE}\n")

    (sent,) = OutboundEmail.objects.filter(to=actors.filer.email)
    assert f"/ohr/reports/{report.code}/" in sent.text_body
    assert report.member_last_name not in sent.text_body
    reminded = AuditEvent.objects.filter(action="ohr.reminder_sent", target_id=str(report.code))
    assert reminded.count() == 1

    # A period later with still no word, it is asked again.
    Report.objects.filter(pk=report.pk).update(stale_reminded_at=long_ago)
    assert run().endswith(f"1 special assistance to confirm or end{QOC_NONE}\n")


def test_the_demo_has_a_notification_in_every_state_once() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    statuses = set(Report.objects.values_list("status", flat=True))
    assert statuses == set(S.values) and Report.objects.count() == 6
    stale = Report.objects.get(status=S.ACCEPTED, member_last_name="Reyna")
    assert stale.status_changed_at < timezone.now() - timedelta(days=90)
