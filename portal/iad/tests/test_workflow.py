"""Every (kind, state, transition, person) of SPEC §3.3, through the core workflow engine."""

import itertools
import threading

import pytest
from django.db import connection

from portal.core.models import AuditEvent
from portal.core.workflow import TransitionRefused
from portal.iad.models import Report, ReportEvent
from portal.iad.report_types import REPORT_WORKFLOW
from portal.iad.workflow import TRANSITIONS

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status
PEOPLE = ["submitter", "director", "plan_reviewer", "plan_filer", "agency_reviewer",
          "other_reviewer", "outsider"]  # fmt: skip
REVIEWERS = {"plan_reviewer", "agency_reviewer"}

# Written out by hand from SPEC §3.3 and §1.4: everything not listed must be refused.
ALLOWED = {
    "iad": {
        ("submit", S.DRAFT): {"submitter"},
        ("approve", S.AWAITING_APPROVAL): {"director"},
        ("return", S.AWAITING_APPROVAL): {"director"},
        ("resubmit", S.RETURNED): {"submitter"},
        ("start_review", S.SUBMITTED): REVIEWERS,
        ("request_info", S.IN_REVIEW): REVIEWERS,
        ("respond", S.INFO_REQUESTED): {"submitter"},
        ("close", S.IN_REVIEW): REVIEWERS,
    },
    "irf": {
        ("file", S.DRAFT): {"plan_filer"},
        ("start_review", S.SUBMITTED): REVIEWERS,
        ("request_info", S.IN_REVIEW): REVIEWERS,
        ("respond", S.INFO_REQUESTED): {"plan_filer"},
        ("close", S.IN_REVIEW): REVIEWERS,
    },
}
TARGETS = {t.name: t.target for t in TRANSITIONS}
CLOSING = {"outcome": Report.Outcome.NO_FURTHER_ACTION}


def make_report(actors, kind: str, status: str) -> Report:
    outcome = "no_further_action" if status == S.CLOSED else ""
    if kind == "iad":
        return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                             preparer=actors.submitter, status=status, outcome=outcome)  # fmt: skip
    return ReportFactory(kind="irf", organization=actors.plan, provider=actors.personas.provider,
                         health_plan=actors.plan, preparer=actors.plan_filer, status=status,
                         outcome=outcome)  # fmt: skip


@pytest.mark.parametrize("kind", ["iad", "irf"])
def test_every_state_transition_and_person(actors, kind) -> None:
    outcomes = []
    for status, transition, who in itertools.product(S.values, TARGETS, PEOPLE):
        report = make_report(actors, kind, status)
        person = getattr(actors, who)
        events_before = AuditEvent.objects.count()
        try:
            REPORT_WORKFLOW.apply(report, transition, by=person, reason="Because.",
                                  changes=CLOSING if transition == "close" else None)  # fmt: skip
        except TransitionRefused:
            report.refresh_from_db()
            assert report.status == status  # a refusal changes nothing
            assert not ReportEvent.objects.filter(report=report).exists()
            assert AuditEvent.objects.count() == events_before
            continue
        outcomes.append((transition, status, who))
        report.refresh_from_db()
        assert report.status == TARGETS[transition]
        event = ReportEvent.objects.get(report=report)
        assert (event.actor, event.from_status, event.to_status) == (person, status, report.status)
        assert AuditEvent.objects.filter(target_id=str(report.code)).count() == 1
    expected = {(t, s, w) for (t, s), people in ALLOWED[kind].items() for w in people}
    assert set(outcomes) == expected


@pytest.mark.parametrize("transition", ["return", "request_info", "respond"])
def test_a_reason_is_required_where_the_spec_asks_for_one(actors, transition) -> None:
    sources = {"return": S.AWAITING_APPROVAL, "request_info": S.IN_REVIEW,
               "respond": S.INFO_REQUESTED}  # fmt: skip
    person = {"return": actors.director, "request_info": actors.plan_reviewer,
              "respond": actors.submitter}[transition]  # fmt: skip
    report = make_report(actors, "iad", sources[transition])

    with pytest.raises(TransitionRefused, match="Give a reason"):
        REPORT_WORKFLOW.apply(report, transition, by=person, reason="   ")

    report.refresh_from_db()
    assert report.status == sources[transition]


def test_a_stale_page_is_told_someone_else_acted(actors) -> None:
    report = make_report(actors, "iad", S.AWAITING_APPROVAL)
    stale = Report.objects.get(pk=report.pk)
    REPORT_WORKFLOW.apply(report, "approve", by=actors.director)

    with pytest.raises(TransitionRefused, match="already acted"):
        REPORT_WORKFLOW.apply(stale, "return", by=actors.director, reason="Missing details.")

    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    assert ReportEvent.objects.filter(report=report).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_acting_at_once_one_wins(actors) -> None:
    report = make_report(actors, "iad", S.SUBMITTED)
    barrier, results = threading.Barrier(2), []

    def start(person) -> None:
        copy = Report.objects.get(pk=report.pk)
        barrier.wait()
        try:
            REPORT_WORKFLOW.apply(copy, "start_review", by=person)
            results.append("won")
        except TransitionRefused:
            results.append("told")
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(p,))
               for p in (actors.plan_reviewer, actors.agency_reviewer)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["told", "won"]
    assert ReportEvent.objects.filter(report=report).count() == 1
