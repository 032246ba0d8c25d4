"""The OHR workflow table (SPEC §6): the filer sends Part A; OHR accepts it (Part B, with a
designated representative) or declines it with a reason; the filer confirms now and then that
special assistance is still needed, and ends it with Part C."""

from portal.core.workflow import transition
from portal.reports.notifications import preparer, reviewers

from .forms import AcceptForm, EndForm
from .models import Report

S = Report.Status
OHR_STAFF = reviewers("ohr.staff")
TRANSITIONS = [
    transition(
        "submit",
        "Send to the Office of Human Rights",
        {S.DRAFT},
        S.SUBMITTED,
        {"ohr.submitter"},
        "submitted",
        submits=True,
        history_label="Sent to the Office of Human Rights (Part A)",
        tell=OHR_STAFF,
        message="A special assistance notification waits for the decision of the Office of "
        "Human Rights (Part B).",
    ),
    transition(
        "accept",
        "Accept and assign a representative",
        {S.SUBMITTED},
        S.ACCEPTED,
        {"ohr.staff"},
        "accepted",
        side="reviewer",
        form=AcceptForm,
        records=AcceptForm.RECORDS,
        history_label="Accepted by the Office of Human Rights (Part B)",
        tell=preparer,
        message="The Office of Human Rights decided on your special assistance notification "
        "(Part B): the member meets the criteria and has a designated representative.",
    ),
    transition(
        "decline",
        "Decline: the criteria are not met",
        {S.SUBMITTED},
        S.DECLINED,
        {"ohr.staff"},
        "declined",
        needs_reason=True,
        side="reviewer",
        reason_label="Why the member does not meet the criteria",
        reason_required="Say why the member does not meet the criteria",
        note_field="decline_reason",
        history_label="Declined by the Office of Human Rights (Part B)",
        tell=preparer,
        message="The Office of Human Rights decided on your special assistance notification "
        "(Part B): the member does not meet the criteria. The reason is on the notification.",
    ),
    transition(
        "confirm",
        "Confirm it is still needed",
        {S.ACCEPTED},
        S.ACCEPTED,
        {"ohr.submitter"},
        "confirmed",
        history_label="Confirmed that special assistance is still needed",
    ),
    transition(
        "end",
        "End special assistance (Part C)",
        {S.ACCEPTED},
        S.ENDED,
        {"ohr.submitter"},
        "ended",
        form=EndForm,
        records=EndForm.RECORDS,
        history_label="Special assistance ended (Part C)",
        tell=OHR_STAFF,
        message="Special assistance for a member was ended (Part C).",
    ),
]
