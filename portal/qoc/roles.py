"""Roles of the Quality of Care application (SPEC §1.3, §4). Providers hold `qoc.submitter` to
answer what an investigation asks of them (record requests, corrective action plans); they open
no case (ADR 0026)."""

from portal.core.roles import NavLink, Role

ROLES = [
    Role(
        "qoc.submitter",
        "QOC: record quality-of-care cases (plans and the agency); answer record requests and "
        "corrective action plans (providers)",
        frozenset({"provider", "health_plan", "trbha", "agency"}),
    ),
    Role(
        "qoc.investigator",
        "QOC: triage and investigate cases, ask providers for records, determine, require "
        "corrective action",
        frozenset({"health_plan", "trbha", "agency"}),
    ),
    Role(
        "qoc.manager",
        "QOC: everything an investigator does on every case, reassign cases, see trends",
        frozenset({"agency"}),
    ),
]

CASE_ROLES = ("qoc.submitter", "qoc.investigator", "qoc.manager")
INVESTIGATORS = ("qoc.investigator", "qoc.manager")

CASE_KINDS = ("health_plan", "trbha", "agency")  # where cases are recorded and worked

NAV = [
    NavLink("Quality of care", "qoc:reports", order=16, roles=CASE_ROLES, kinds=CASE_KINDS),
    NavLink(
        "Quality of care requests",
        "qoc_work:inbox",
        order=17,
        roles=("qoc.submitter",),
        kinds=("provider",),
    ),
    NavLink("Quality of care trends", "qoc_work:trends", order=18, roles=("qoc.manager",)),
]
