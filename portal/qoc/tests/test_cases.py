"""A case from intake to its close through the kit's pages and services: what each step refuses,
what it records, who is told (SPEC §4, issue #16's bad input)."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.models import AuditEvent, OutboundEmail
from portal.core.workflow import TransitionRefused
from portal.qoc.models import Case, Category
from portal.reports import services

from .factories import cap_facts, days_from_today, make

pytestmark = pytest.mark.django_db
S = Case.Status


def case_of(actors, status: str = S.RECEIVED, **fields) -> Case:
    about = {
        "organization": actors.plan,
        "health_plan": actors.plan,
        "provider": actors.provider,
        "preparer": actors.recorder,
    }
    return make("qoc", status, **(about | fields))


def url(case: Case, page: str = "") -> str:
    return f"/qoc/reports/{case.code}/{page}"


def triage(case: Case, **more) -> dict:
    return {"topic": str(case.topic_id), "severity": "2", **more}


# --- Intake ------------------------------------------------------------------------------------


def test_a_plan_records_a_case_and_its_investigators_are_told(client, actors) -> None:
    client.force_login(actors.recorder)
    start = client.post("/qoc/reports/new/", {"kind": "qoc", "client_key": str(uuid.uuid4())})
    case = Case.objects.get(preparer=actors.recorder)
    assert start.status_code == 302 and case.status == S.DRAFT
    lacking = services.missing_items(case)
    assert "where the concern came from" in lacking and "the severity level" in lacking
    fields = {
        "source": Case.Source.MEMBER_COMPLAINT,
        "received_on": days_from_today(-1),
        "topic": Category.objects.first(),
        "severity": 3,
        "description": "Missed doses.",
        "member_id": "D12345678",
        "member_last_name": "Nez",
        "member_first_name": "Ray",
        "health_plan": actors.plan,
        "provider": actors.provider,
    }
    services.update_draft(case, fields, by=actors.recorder)
    assert services.missing_items(case) == ["who raised the concern"]
    services.update_draft(case, {"complainant_name": "Rosa Nez"}, by=actors.recorder)
    services.submit_report(case, by=actors.recorder)
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    told = OutboundEmail.objects.filter(to__in=[actors.investigator.email, actors.colleague.email])
    assert told.count() == 2
    assert all("Nez" not in mail.text_body + mail.subject for mail in told)


def test_a_provider_holding_the_submitter_role_cannot_open_a_case(client, actors) -> None:
    client.force_login(actors.provider_user)
    assert client.get("/qoc/reports/new/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.start_report("qoc", by=actors.provider_user)


def test_a_severity_outside_1_to_3_is_refused_by_page_service_and_database(client, actors) -> None:
    case = case_of(actors, S.DRAFT, severity=None)
    client.force_login(actors.recorder)
    answer = client.post(url(case, "draft/concern/"), {"severity": "4", "description": "Kept."})
    assert answer.status_code == 400
    assert "Choose a severity level of 1, 2 or 3" in answer.content.decode()
    assert "Kept." in answer.content.decode()
    case.refresh_from_db()
    assert case.severity is None and case.description != "Kept."
    with pytest.raises(ValidationError, match="severity"):
        services.update_draft(case, {"severity": 7}, by=actors.recorder)
    with pytest.raises(IntegrityError):
        Case.objects.filter(pk=case.pk).update(severity=0)


def test_a_referral_cannot_be_chosen_as_a_source_by_hand(client, actors) -> None:
    case = case_of(actors, S.DRAFT, source="")
    client.force_login(actors.recorder)
    answer = client.post(url(case, "draft/concern/"), {"source": Case.Source.REFERRAL})
    assert answer.status_code == 400
    assert "Choose where the concern came from" in answer.content.decode()


# --- Triage ------------------------------------------------------------------------------------


def test_closing_at_triage_needs_a_reason_and_keeps_what_was_typed(client, actors) -> None:
    case = case_of(actors)
    client.force_login(actors.investigator)
    answer = client.post(url(case, "not-quality/"), triage(case))
    assert answer.status_code == 400
    assert "Say why it is not a quality-of-care issue" in answer.content.decode()
    case.refresh_from_db()
    assert case.status == S.RECEIVED
    done = client.post(url(case, "not-quality/"), triage(case, reason="A billing question."))
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == S.CLOSED and case.closure_reason == "A billing question."


def test_opening_an_investigation_assigns_the_investigator_who_is_told(client, actors) -> None:
    case = case_of(actors, topic=None, severity=None, source=Case.Source.REFERRAL)
    client.force_login(actors.investigator)
    page = client.get(url(case, "investigate/")).content.decode()
    assert actors.colleague.get_full_name() in page and actors.manager.get_full_name() in page
    missing = client.post(url(case, "investigate/"), {"investigator": str(actors.colleague.pk)})
    assert missing.status_code == 400 and "Choose the category" in missing.content.decode()
    chosen = {"investigator": str(actors.colleague.pk), "topic": Category.objects.first().pk}
    done = client.post(url(case, "investigate/"), {**chosen, "severity": "3"})
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.investigator, case.severity) == (S.INVESTIGATING, actors.colleague, 3)
    assert OutboundEmail.objects.filter(to=actors.colleague.email).count() == 1


def test_an_investigator_of_another_plan_cannot_be_assigned(actors) -> None:
    case = case_of(actors)
    facts = {"topic": case.topic, "severity": 2, "investigator": actors.other_plan}
    with pytest.raises(ValidationError, match="investigator"):
        services.take_transition(case, "investigate", by=actors.investigator, facts=facts)
    case.refresh_from_db()
    assert case.status == S.RECEIVED and case.investigator is None


def test_a_tampered_severity_at_triage_is_refused_and_nothing_changes(client, actors) -> None:
    case = case_of(actors)
    client.force_login(actors.investigator)
    answer = client.post(
        url(case, "investigate/"),
        triage(case, severity="9", investigator=str(actors.investigator.pk)),
    )
    assert answer.status_code == 400
    assert "Choose a severity level of 1, 2 or 3" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == S.RECEIVED


# --- Investigation -----------------------------------------------------------------------------


def test_notes_are_timestamped_entries_of_the_assigned_investigator(client, actors) -> None:
    case = case_of(actors, S.INVESTIGATING, investigator=actors.colleague)
    with pytest.raises(TransitionRefused):
        services.take_transition(case, "note", by=actors.investigator, reason="Not mine.")
    services.take_transition(case, "note", by=actors.colleague, reason="Called the nurse.")
    services.take_transition(case, "note", by=actors.manager, reason="Reviewed.")
    notes = list(case.history.filter(transition="note").values_list("actor", "reason"))
    assert notes == [(actors.colleague.pk, "Called the nurse."), (actors.manager.pk, "Reviewed.")]
    client.force_login(actors.colleague)
    page = client.get(url(case)).content.decode()
    assert "Investigation note added by" in page and "Called the nurse." in page


def test_only_a_manager_reassigns(actors) -> None:
    case = case_of(actors, S.INVESTIGATING, investigator=actors.investigator)
    facts = {"investigator": actors.colleague}
    with pytest.raises(TransitionRefused):
        services.take_transition(case, "reassign", by=actors.investigator, facts=facts)
    services.take_transition(case, "reassign", by=actors.manager, facts=facts)
    case.refresh_from_db()
    assert case.investigator == actors.colleague and case.status == S.INVESTIGATING


def test_a_determination_needs_its_rationale(client, actors) -> None:
    case = case_of(actors, S.INVESTIGATING, investigator=actors.investigator)
    client.force_login(actors.investigator)
    answer = client.post(url(case, "determine/"), {"determination": "substantiated"})
    assert answer.status_code == 400
    assert "Give the rationale for the determination" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).status == S.INVESTIGATING
    done = client.post(
        url(case, "determine/"), {"determination": "unable", "reason": "No records kept."}
    )
    assert done.status_code == 302
    case.refresh_from_db()
    assert (case.determination, case.determination_rationale) == ("unable", "No records kept.")


def test_two_investigators_determining_at_once_one_wins_and_the_other_is_told(actors) -> None:
    case = case_of(actors, S.INVESTIGATING)
    seen_by_first, seen_by_second = (Case.objects.get(pk=case.pk) for _ in range(2))
    services.take_transition(
        seen_by_first, "determine", by=actors.investigator, choice="substantiated", reason="A."
    )
    with pytest.raises(TransitionRefused, match="Someone else has already acted"):
        services.take_transition(
            seen_by_second, "determine", by=actors.colleague, choice="unsubstantiated", reason="B."
        )
    case.refresh_from_db()
    assert (case.determination, case.determination_rationale) == ("substantiated", "A.")
    assert case.history.filter(transition="determine").count() == 1


# --- Corrective action plan ----------------------------------------------------------------------


def test_a_plan_due_in_the_past_is_refused_with_what_was_typed_kept(client, actors) -> None:
    case = case_of(actors, S.DETERMINED, investigator=actors.investigator)
    client.force_login(actors.investigator)
    typed = {
        "cap_provider": str(actors.provider.pk),
        "cap_actions": "Retrain the staff.",
        "cap_due_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
    }
    answer = client.post(url(case, "require-cap/"), typed)
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "The due day must be after today" in page and "Retrain the staff." in page
    assert Case.objects.get(pk=case.pk).status == S.DETERMINED
    with pytest.raises(ValidationError, match="cap_due_on"):
        facts = cap_facts(case) | {"cap_due_on": timezone.localdate()}
        services.take_transition(case, "require_cap", by=actors.investigator, facts=facts)


def test_a_plan_follows_a_substantiated_determination_only(actors) -> None:
    case = case_of(actors, S.DETERMINED, determination="unsubstantiated")
    with pytest.raises(ValidationError, match="substantiated determination"):
        services.take_transition(case, "require_cap", by=actors.investigator, facts=cap_facts(case))


def test_a_plan_goes_to_a_provider_involved_only(actors) -> None:
    case = case_of(actors, S.DETERMINED)
    stranger = actors.other_provider.organization
    with pytest.raises(ValidationError, match="providers involved"):
        facts = cap_facts(case) | {"cap_provider": stranger}
        services.take_transition(case, "require_cap", by=actors.investigator, facts=facts)


def test_the_plan_goes_back_and_forth_until_it_is_accepted(client, actors) -> None:
    case = case_of(actors, S.DETERMINED, investigator=actors.investigator)
    services.take_transition(case, "require_cap", by=actors.investigator, facts=cap_facts(case))
    assert OutboundEmail.objects.filter(to=actors.provider_user.email).count() == 1
    services.take_transition(case, "respond_cap", by=actors.provider_user, reason="Trained all.")
    with pytest.raises(TransitionRefused, match="Give a reason"):
        services.take_transition(
            case, "return_cap", by=actors.investigator, facts={"cap_due_on": days_from_today(7)}
        )
    services.take_transition(
        case,
        "return_cap",
        by=actors.investigator,
        reason="Say how the training is checked.",
        facts={"cap_due_on": days_from_today(7)},
    )
    case.refresh_from_db()
    assert case.status == S.CORRECTIVE_ACTION and case.cap_due_on == days_from_today(7)
    services.take_transition(case, "respond_cap", by=actors.provider_user, reason="Audited weekly.")
    services.take_transition(case, "accept_cap", by=actors.investigator)
    case.refresh_from_db()
    assert case.status == S.CLOSED
    actions = AuditEvent.objects.filter(target_id=str(case.code)).values_list("action", flat=True)
    assert list(actions) == [
        "qoc.cap_required",
        "qoc.cap_responded",
        "qoc.cap_returned",
        "qoc.cap_responded",
        "qoc.cap_accepted",
    ]
    client.force_login(actors.provider_user)
    page = client.get(f"/qoc/corrective-action/{case.code}/").content.decode()
    assert "Say how the training is checked." in page and "Audited weekly." in page
    assert "Rosa Benally" not in page  # who raised the concern stays with the investigation


def test_a_provider_answers_only_the_plan_asked_of_it(actors) -> None:
    case = case_of(actors, S.CORRECTIVE_ACTION)
    with pytest.raises(TransitionRefused):
        services.take_transition(case, "respond_cap", by=actors.other_provider, reason="Ours.")
    with pytest.raises(TransitionRefused):
        services.take_transition(case, "respond_cap", by=actors.recorder, reason="Ours.")


# --- Who sees what -------------------------------------------------------------------------------


def test_a_provider_involved_gets_404_on_every_page_of_the_case(client, actors) -> None:
    case = case_of(actors, S.CORRECTIVE_ACTION)
    client.force_login(actors.provider_user)
    pages = [url(case), url(case, "pdf/"), f"/qoc/cases/{case.code}/record-requests/new/"]
    pages += [url(case, f"{step.replace('_', '-')}/") for step in ("respond_cap", "note", "close")]
    for page in pages:
        assert client.get(page).status_code == 404, page
    assert client.get(f"/qoc/corrective-action/{case.code}/").status_code == 200
    client.force_login(actors.other_provider)
    assert client.get(f"/qoc/corrective-action/{case.code}/").status_code == 404


def test_another_plan_never_sees_a_case_about_a_provider_they_share(client, actors) -> None:
    other_plan = actors.other_plan.organization
    actors.provider.contracted_plans.add(other_plan)
    case = case_of(actors)
    client.force_login(actors.other_plan)
    assert client.get(url(case)).status_code == 404
    assert client.get("/qoc/reports/").context["rows"] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_the_lists_count_by_date_received_reads_one_index_alone(client, actors) -> None:
    """Counting a plan's cases received since a day needs visibility's columns as well: read
    from `qoc_case_trending` alone, or PostgreSQL scans the whole table (a million cases: 160 ms
    a page, docs/performance.md)."""
    case_of(actors, S.CLOSED)
    client.force_login(actors.investigator)
    since = days_from_today(-30).isoformat()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/qoc/reports/?occurred_from={since}").status_code == 200
    count = next(q["sql"] for q in captured if q["sql"].startswith("SELECT COUNT(*)"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {count}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using qoc_case_trending" in plan, plan
