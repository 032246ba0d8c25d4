"""The pages an account passes between a correct password and its first session (SPEC §2.4).

After the password is right, the session remembers only which account is at which gate, and
for how long; it is not signed in until the gates are passed. The second factor is the first
gate (ADR 0025): once it is given, the session also remembers how (`factor`), so the later
gates do not ask again and the sign-in's audit event can say it.
"""

from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from .models import User

GATE_KEY = "sign_in_gate"
GATE_LIFETIME = timedelta(minutes=15)


def enter_gate(
    request: HttpRequest,
    user: User,
    gate: str,
    *,
    factor: str | None = None,
    amr: list[str] | None = None,
) -> None:
    """Hold `user` at `gate`; `factor` is how the second factor was given, if it was (with the
    identity provider's `amr` for single sign-on)."""
    request.session.cycle_key()  # a new session key for the half-signed-in state
    request.session[GATE_KEY] = {
        "user": user.pk,
        "gate": gate,
        "at": timezone.now().isoformat(),
        "factor": factor,
        "amr": amr,
    }


def factor_given(request: HttpRequest, user: User) -> tuple[str | None, list[str] | None]:
    """How this session gave `user`'s second factor on the way in, if it did."""
    held = request.session.get(GATE_KEY) or {}
    if held.get("user") != user.pk:
        return None, None
    return held.get("factor"), held.get("amr")


def account_at_gate(request: HttpRequest, gate: str) -> User | None:
    """The account waiting at `gate` in this session, if it came there recently."""
    held = request.session.get(GATE_KEY) or {}
    if held.get("gate") != gate:
        return None
    if timezone.now() - datetime.fromisoformat(held["at"]) > GATE_LIFETIME:
        request.session.pop(GATE_KEY, None)
        return None
    return User.objects.select_related("organization").filter(pk=held["user"]).first()


def leave_gate(request: HttpRequest) -> None:
    request.session.pop(GATE_KEY, None)


def pass_gate(
    request: HttpRequest,
    user: User,
    *,
    factor: str | None = None,
    amr: list[str] | None = None,
) -> HttpResponseRedirect:
    """After one gate: on to the next one, or into a fresh session when none is left.

    `factor` says how the second factor was just given (single sign-on gives
    "identity_provider"); without it, what this session gave before counts.
    """
    from .services import next_gate, start_session

    if factor is None:
        factor, amr = factor_given(request, user)
    gate = next_gate(user, factor=factor)
    if gate is not None:
        enter_gate(request, user, gate, factor=factor, amr=amr)
        return redirect(f"accounts:{gate}")
    leave_gate(request)
    if not user.is_active:  # locked or removed on the way: no session
        return redirect("accounts:sign_in")
    start_session(request, user, factor=factor, amr=amr)
    return redirect("core:home")
