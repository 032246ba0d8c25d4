"""The pages an account passes between a correct password and its first session (SPEC §2.4).

After the password is right, the session remembers only which account is at which gate, and
for how long; it is not signed in until the gates are passed.
"""

from datetime import datetime, timedelta

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from .models import User

GATE_KEY = "sign_in_gate"
GATE_LIFETIME = timedelta(minutes=15)


def enter_gate(request: HttpRequest, user: User, gate: str) -> None:
    request.session.cycle_key()  # a new session key for the half-signed-in state
    request.session[GATE_KEY] = {"user": user.pk, "gate": gate, "at": timezone.now().isoformat()}


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


def pass_gate(request: HttpRequest, user: User) -> HttpResponseRedirect:
    """After one gate: on to the next one, or into a fresh session when none is left."""
    from .services import next_gate, start_session

    gate = next_gate(user)
    if gate is not None:
        enter_gate(request, user, gate)
        return redirect(f"accounts:{gate}")
    leave_gate(request)
    start_session(request, user)
    return redirect("core:home")
