"""Roles of the IAD-IRF application (SPEC §1.3)."""

from portal.core.roles import NavLink, Role

PLANS_AND_AGENCY = frozenset({"health_plan", "trbha", "agency"})

ROLES = [
    Role("iad.submitter", "IAD-IRF: file incident, accident and death reports",
         frozenset({"provider"})),
    Role("iad.clinical_director", "IAD-IRF: approve or return the organization's IAD reports",
         frozenset({"provider"})),
    Role("irf.submitter", "IAD-IRF: file incident report forms (IRF)",
         frozenset({"health_plan", "trbha", "external_agency", "agency"})),
    Role("iad.reviewer", "IAD-IRF: review IAD and IRF reports", PLANS_AND_AGENCY),
    Role("iad.redactor", "IAD-IRF: make redacted copies and release them to committees",
         PLANS_AND_AGENCY),
]  # fmt: skip

NAV = [
    NavLink("Incident reports", "iad:reports", order=10, roles=tuple(r.name for r in ROLES)),
]
