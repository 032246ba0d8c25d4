"""Part A, B and C through the kit's pages and services: what each part refuses, what it
records, who is told (SPEC §6, issue #17's bad input)."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from portal.core.business_days import PHOENIX
from portal.core.models import AuditEvent, OutboundEmail
from portal.core.workflow import TransitionRefused
from portal.humanrights import rules
from portal.humanrights.models import Report
from portal.reports import services
from portal.reports.listing import report_list
from portal.reports.types import get

from .factories import PART_B, ReportFactory, days_ago, part_c

pytestmark = pytest.mark.django_db
S = Report.Status


def notification(actors, status: str = S.DRAFT, **fields) -> Report:
    about = {
        "organization": actors.provider,
        "provider": actors.provider,
        "preparer": actors.filer,
        "health_plan": actors.plan,
        "status": status,
    }
    if status in {S.ACCEPTED, S.ENDED}:
        about |= {**PART_B, "assistance_started_on": days_ago(1)}
    return ReportFactory(**(about | fields))


def url(report: Report, page: str = "") -> str:
    return f"/ohr/reports/{report.code}/{page}"


# --- Part A -------------------------------------------------------------------------------------


def test_a_member_without_smi_is_refused_with_the_reason_and_what_was_typed_kept(
    client, actors
) -> None:
    report = notification(actors, member_id="", category="")
    client.force_login(actors.filer)
    typed = {
        "member_id": "c12345678",
        "member_last_name": "Nez",
        "member_first_name": "Ray",
        "member_birth_date": "1980-01-02",
        "health_plan": str(actors.plan.pk),
        "category": Report.Category.GMH_SU,
    }
    response = client.post(url(report, "draft/member/"), typed)

    assert response.status_code == 400
    page = response.content.decode()
    assert "This member is not in the SMI category" in page
    assert 'value="Nez"' in page and 'value="c12345678"' in page  # as typed
    assert Report.objects.get(pk=report.pk).member_last_name == report.member_last_name
    with pytest.raises(ValidationError) as refused:
        services.update_draft(report, {"category": Report.Category.CHILD}, by=actors.filer)
    assert "category" in refused.value.error_dict


def test_a_notification_without_an_area_of_need_cannot_be_sent(actors) -> None:
    report = notification(actors, needs_service_planning=False, needs_grievance=False)

    with pytest.raises(TransitionRefused, match="at least one area of need"):
        services.submit_report(report, by=actors.filer)
    assert Report.objects.get(pk=report.pk).status == S.DRAFT


def test_a_decision_maker_needs_a_well_formed_email(client, actors) -> None:
    report = notification(actors, decision_maker_email="")
    client.force_login(actors.filer)
    people = {
        "has_decision_maker": "yes",
        "decision_maker_name": "Elena Morales",
        "decision_maker_relationship": "guardian",
        "member_aware": "yes",
    }
    missing = client.post(url(report, "draft/people/"), people)
    malformed = client.post(
        url(report, "draft/people/"), {**people, "decision_maker_email": "elena@"}
    )

    assert missing.status_code == malformed.status_code == 400
    assert "Enter the e-mail address of the guardian or decision maker" in missing.content.decode()
    assert "Enter the e-mail address as name@example.com" in malformed.content.decode()
    assert Report.objects.get(pk=report.pk).decision_maker_email == ""
    report.refresh_from_db()
    report.decision_maker_email = ""
    report.save()
    with pytest.raises(TransitionRefused, match="decision maker's name and e-mail"):
        services.submit_report(report, by=actors.filer)


def test_a_second_open_notification_for_a_member_shows_the_open_one(client, actors) -> None:
    first = notification(actors, S.SUBMITTED, member_id="C22223333")
    second = notification(actors, member_id="")
    client.force_login(actors.filer)
    typed = {
        "member_id": "c22223333",
        "member_last_name": "Nez",
        "member_first_name": "Ray",
        "health_plan": str(actors.plan.pk),
        "category": Report.Category.SMI,
    }
    response = client.post(url(second, "draft/member/"), typed)

    page = response.content.decode()
    assert response.status_code == 400
    assert "already has an open notification for this member" in page
    assert f'href="/ohr/reports/{first.code}/"' in page
    with pytest.raises(ValidationError):
        services.update_draft(second, {"member_id": "C22223333"}, by=actors.filer)
    assert Report.objects.get(pk=second.pk).member_id == ""


def test_the_database_refuses_two_open_notifications_the_rules_did_not_see(actors) -> None:
    notification(actors, S.ACCEPTED, member_id="C22223333")
    with pytest.raises(IntegrityError):
        notification(actors, member_id="C22223333")


def test_a_member_declined_or_ended_before_can_be_notified_again(actors) -> None:
    notification(actors, S.DECLINED, member_id="C22223333")
    notification(actors, S.ENDED, member_id="C22223334", **part_c())
    again = notification(actors, member_id="")

    services.update_draft(again, {"member_id": "C22223333"}, by=actors.filer)

    assert Report.objects.get(pk=again.pk).member_id == "C22223333"


def test_part_a_is_due_five_days_after_the_determination_moved_to_a_business_day(actors) -> None:
    report = notification(actors, determined_on=None)
    services.update_draft(report, {"determined_on": date(2026, 9, 10)}, by=actors.filer)
    assert report.due_at == datetime(2026, 9, 15, 23, 59, 59, tzinfo=PHOENIX)  # a Tuesday
    services.update_draft(report, {"determined_on": date(2026, 9, 9)}, by=actors.filer)
    # The 14th is a Monday; the 12th and 13th, a weekend, would have moved it.
    assert report.due_at == datetime(2026, 9, 14, 23, 59, 59, tzinfo=PHOENIX)
    services.update_draft(report, {"determined_on": date(2026, 9, 2)}, by=actors.filer)
    assert report.due_at == datetime(2026, 9, 8, 23, 59, 59, tzinfo=PHOENIX)  # after Labor Day


def test_a_late_part_a_needs_a_reason_and_is_tagged_late(actors) -> None:
    report = notification(actors, determined_on=days_ago(30))
    services.update_draft(report, {"determined_on": days_ago(30)}, by=actors.filer)

    with pytest.raises(TransitionRefused, match="late"):
        services.submit_report(report, by=actors.filer)
    services.submit_report(report, by=actors.filer, late_reason="Sent on paper first.")

    report.refresh_from_db()
    assert report.status == S.SUBMITTED and report.late_reason == "Sent on paper first."
    assert rules.tags(report) == ["Part A late"]


def test_sending_part_a_tells_ohr_staff_without_phi(actors) -> None:
    report = notification(actors)
    services.update_draft(report, {"determined_on": days_ago(1)}, by=actors.filer)

    services.submit_report(report, by=actors.filer)

    mail = OutboundEmail.objects.get(to=actors.staff.email)
    assert "Part B" in mail.text_body
    for value in (report.member_last_name, report.member_first_name, report.member_id):
        assert value not in mail.text_body and value not in mail.subject


# --- Part B -------------------------------------------------------------------------------------


def test_ohr_accepts_with_areas_and_a_representative_and_the_filer_is_told(client, actors) -> None:
    report = notification(actors, S.SUBMITTED)
    client.force_login(actors.staff)
    decided = {
        "confirmed": ["service_planning", "appeal"],
        "representative_name": "Jordan Pike",
        "representative_organization": "Office of Human Rights",
        "representative_email": "jordan.pike@example.com",
    }
    response = client.post(url(report, "accept/"), decided)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == S.ACCEPTED
    assert report.confirmed_areas == ["Service planning", "Appeal process"]
    assert (report.representative_name, report.representative_email) == (
        "Jordan Pike",
        "jordan.pike@example.com",
    )
    assert report.assistance_started_on == timezone.localdate()
    told = OutboundEmail.objects.get(to=actors.filer.email)
    assert "meets the criteria" in told.text_body and report.member_last_name not in told.text_body
    page = client.get(url(report)).content.decode()
    assert "Jordan Pike" in page and "Part B" in page


def test_part_b_without_a_representative_or_an_area_changes_nothing(client, actors) -> None:
    report = notification(actors, S.SUBMITTED)
    client.force_login(actors.staff)

    response = client.post(url(report, "accept/"), {"representative_name": "Jordan Pike"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose at least one area" in page
    assert "Give a phone number or an e-mail address for the representative" in page
    assert 'value="Jordan Pike"' in page
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    with pytest.raises(ValidationError):
        services.take_transition(
            report, "accept", by=actors.staff, facts={**PART_B, "representative_name": " "}
        )
    with pytest.raises(ValueError, match="Not facts"):
        services.take_transition(report, "accept", by=actors.staff, facts={"status": "ended"})
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


def test_a_tampered_area_is_named_and_refused(client, actors) -> None:
    report = notification(actors, S.SUBMITTED)
    client.force_login(actors.staff)
    response = client.post(
        url(report, "accept/"),
        {"confirmed": ["everything"], "representative_name": "J", "representative_phone": "1"},
    )
    assert response.status_code == 400
    assert "Choose the areas from the list" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED


def test_declining_needs_a_reason_which_the_filer_reads(client, actors) -> None:
    report = notification(actors, S.SUBMITTED)
    client.force_login(actors.staff)

    empty = client.post(url(report, "decline/"), {"reason": " "})
    client.post(url(report, "decline/"), {"reason": "An interpreter bridges the barrier."})

    assert empty.status_code == 400
    report.refresh_from_db()
    assert report.status == S.DECLINED
    assert report.decline_reason == "An interpreter bridges the barrier."
    client.force_login(actors.filer)
    assert "An interpreter bridges the barrier." in client.get(url(report)).content.decode()


def test_plans_cannot_decide_part_b(actors) -> None:
    report = notification(actors, S.SUBMITTED)
    with pytest.raises(TransitionRefused):
        services.take_transition(report, "accept", by=actors.plan_filer, facts=PART_B)


# --- Part C -------------------------------------------------------------------------------------


def test_part_c_on_a_declined_notification_is_refused_plainly(client, actors) -> None:
    report = notification(actors, S.DECLINED)
    client.force_login(actors.filer)

    response = client.post(url(report, "end/"), part_c(), follow=True)

    assert "This report is now declined" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == S.DECLINED
    assert not AuditEvent.objects.filter(action="ohr.ended").exists()


def test_part_c_cannot_end_before_the_determination_or_in_the_future(client, actors) -> None:
    report = notification(actors, S.ACCEPTED, determined_on=days_ago(20))
    client.force_login(actors.filer)

    before = client.post(url(report, "end/"), {**part_c(), "ended_on": days_ago(21)})
    future = client.post(url(report, "end/"), {**part_c(), "ended_on": days_ago(-1)})

    assert before.status_code == future.status_code == 400
    assert "before the need was determined" in before.content.decode()
    assert "cannot be in the future" in future.content.decode()
    assert Report.objects.get(pk=report.pk).status == S.ACCEPTED


def test_the_services_refuse_a_part_c_without_its_date_or_reason(actors) -> None:
    report = notification(actors, S.ACCEPTED)
    for facts in ({"end_reason": "Guardian appointed."}, {**part_c(), "end_reason": " "}):
        with pytest.raises(ValidationError):
            services.take_transition(report, "end", by=actors.filer, facts=facts)
    assert Report.objects.get(pk=report.pk).status == S.ACCEPTED


def test_a_late_part_c_needs_a_reason_and_is_counted_late(client, actors) -> None:
    report = notification(
        actors, S.ACCEPTED, determined_on=days_ago(60), assistance_started_on=days_ago(55)
    )
    client.force_login(actors.filer)
    ended = {**part_c(), "ended_on": days_ago(30)}

    refused = client.post(url(report, "end/"), ended)
    client.post(url(report, "end/"), {**ended, "part_c_late_reason": "We learned of it late."})

    assert refused.status_code == 400 and "say why it is late" in refused.content.decode()
    report.refresh_from_db()
    assert report.status == S.ENDED and report.part_c_late
    assert report.part_c_due_at is not None
    assert timezone.localtime(report.part_c_due_at).date() >= days_ago(20)
    listed = client.get("/ohr/reports/?late=on").context["rows"]
    assert [row.label for row in listed] == [str(report)]


def test_an_ended_notification_is_read_only(client, actors) -> None:
    report = notification(actors, S.ENDED, **part_c())
    client.force_login(actors.filer)

    page = client.get(url(report))

    assert page.context["actions"] == [] and not page.context["editable"]
    for draft_page in ("draft/need/", "draft/attachments/"):
        answer = client.get(url(report, draft_page), follow=True)
        assert answer.redirect_chain == [(url(report), 302)]
        assert "was submitted: it can no longer be changed" in answer.content.decode()
    with pytest.raises(TransitionRefused):
        services.update_draft(report, {"clinical_basis": "Changed."}, by=actors.filer)


def test_confirming_resets_the_clock_of_a_stale_member(actors, settings) -> None:
    report = notification(actors, S.ACCEPTED)
    Report.objects.filter(pk=report.pk).update(
        status_changed_at=timezone.now() - timedelta(days=settings.OHR_STALE_DAYS + 1)
    )
    report.refresh_from_db()
    assert list(report_list(get("ohr"), actors.filer, "confirm")) == [report]
    services.take_transition(report, "confirm", by=actors.filer)
    assert list(report_list(get("ohr"), actors.filer, "confirm")) == []


def test_home_pages_count_part_b_to_decide_and_members_to_confirm(client, actors, settings) -> None:
    notification(actors, S.SUBMITTED)
    stale = notification(actors, S.ACCEPTED)
    Report.objects.filter(pk=stale.pk).update(
        status_changed_at=timezone.now() - timedelta(days=settings.OHR_STALE_DAYS + 1)
    )
    client.force_login(actors.staff)
    staff_items = {item.label: item.count for item in client.get("/").context["waiting"]}
    client.force_login(actors.filer)
    filer_items = {item.label: item.count for item in client.get("/").context["waiting"]}

    assert staff_items["Special assistance notifications to decide (Part B)"] == 1
    assert filer_items["Special assistance to confirm or end (Part C)"] == 1
    assert "Special assistance notifications to decide (Part B)" not in filer_items


def test_what_is_missing_is_listed_in_the_order_of_the_task_list(actors) -> None:
    report = notification(
        actors,
        needs_service_planning=False,
        needs_grievance=False,
        clinical_basis="",
        diagnoses="",
        member_aware=None,
    )
    assert services.missing_items(report) == [
        "the clinical basis",
        "at least one area of need",
        "the diagnoses",
        "whether the member knows of the notification",
    ]


def test_part_c_cannot_end_before_special_assistance_started(actors) -> None:
    report = notification(actors, S.ACCEPTED, determined_on=days_ago(30))
    Report.objects.filter(pk=report.pk).update(assistance_started_on=days_ago(5))
    report.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.take_transition(
            report, "end", by=actors.filer, facts={**part_c(), "ended_on": days_ago(20)}
        )
    assert "before special assistance started" in str(refused.value)
    assert Report.objects.get(pk=report.pk).status == S.ACCEPTED


def test_a_step_cannot_be_given_what_the_rules_derive(actors) -> None:
    report = notification(actors, S.SUBMITTED)
    faked = {**PART_B, "assistance_started_on": date(1990, 1, 1)}
    with pytest.raises(ValueError, match="Not facts"):
        services.take_transition(report, "accept", by=actors.staff, facts=faked)
    services.take_transition(report, "accept", by=actors.staff, facts=PART_B)
    report.refresh_from_db()
    assert report.assistance_started_on == timezone.localdate()
