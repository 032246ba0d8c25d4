"""E-mails of the accounts app: one function per kind of message. No PHI, a link instead."""

from portal.core.emails import queue_email

from .models import User

NOTICES = {
    "approved": "A master account holder approved your QM Portal account. You can sign in now.",
    "removed": "Your QM Portal account was removed by a master account holder of your "
    "organization. You can no longer sign in with it.",
    "made_master": "Your QM Portal account is now a master account: you can manage the "
    "accounts of your organization.",
    "details_changed": "The name, phone number or e-mail address on your QM Portal account "
    "was changed.",
    "locked": "Your QM Portal account is locked because of several wrong passwords in a short "
    'time. To open it again, use "Forgot your password?" on the sign-in page, or ask a master '
    "account holder of your organization to send you password recovery. If the wrong "
    "passwords were not yours, tell the AHCCCS service desk.",
    "password_changed": "The password of your QM Portal account was changed, and every "
    "session signed in with the old one was ended. If you did not do this, call the AHCCCS "
    "service desk at once.",
    "locked_inactive": "Your QM Portal account is locked because it was not used for a long "
    'time. To open it again, use "Forgot your password?" on the sign-in page, or ask a '
    "master account holder of your organization to send you password recovery.",
    "password_change_required": "You are asked to choose a new password for your QM Portal "
    "account. The portal will ask for it the next time you sign in.",
    "second_factor_added": "A second factor (a passkey or an authenticator app) was added to "
    "your QM Portal account. If you did not do this, call the AHCCCS service desk at once.",
    "second_factor_removed": "A second factor (a passkey or an authenticator app) was removed "
    "from your QM Portal account. If you did not do this, call the AHCCCS service desk at once.",
    "second_factor_reset": "The second factors of your QM Portal account (passkeys, "
    "authenticator apps and recovery codes) were reset. If a second factor is required of your "
    "account, the portal will ask you to set up a new one the next time you sign in. If you did "
    "not ask for this, call the AHCCCS service desk at once.",
    "privileges_changed": "Your site privileges on the QM Portal changed. Sign in to see which "
    "applications you can use.",
}


def send_account_notice(account: User, notice: str, *, by: User | None, to: str = "") -> None:
    """Tell the account holder what was done to their account, and by whom."""
    address = to or account.email
    if not address:
        return
    queue_email(
        "account_notice",
        address,
        {"person": account, "summary": NOTICES[notice], "by": by},
    )
