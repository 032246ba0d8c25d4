"""The S&R workflow table (SPEC §5): the facility submits; the member's plan or the agency
accepts it or returns it with a reason."""

from portal.core.workflow import transition
from portal.reports.notifications import preparer, reviewers

from .models import Report

S = Report.Status
REVIEWERS = reviewers("sr.reviewer")
TRANSITIONS = [
    transition(
        "submit",
        "Submit",
        {S.DRAFT},
        S.SUBMITTED,
        {"sr.submitter"},
        "submitted",
        submits=True,
        tell=REVIEWERS,
        message="A seclusion or restraint report about a member of your health plan is ready "
        "for review.",
    ),
    transition(
        "accept",
        "Accept",
        {S.SUBMITTED},
        S.ACCEPTED,
        {"sr.reviewer"},
        "accepted",
        side="reviewer",
        tell=preparer,
        message="Your seclusion or restraint report was reviewed and accepted.",
    ),
    transition(
        "return",
        "Return to the facility",
        {S.SUBMITTED},
        S.RETURNED,
        {"sr.reviewer"},
        "returned",
        needs_reason=True,
        side="reviewer",
        reason_label="What the facility must correct",
        reason_required="Tell the facility what to correct",
        history_label="Returned to the facility",
        tell=preparer,
        message="Your seclusion or restraint report was returned to you with a reason. Correct "
        "it and submit it again.",
    ),
    transition(
        "resubmit",
        "Submit again",
        {S.RETURNED},
        S.SUBMITTED,
        {"sr.submitter"},
        "resubmitted",
        history_label="Submitted again",
        tell=REVIEWERS,
        message="A returned seclusion or restraint report was corrected and waits for your "
        "review again.",
    ),
]
