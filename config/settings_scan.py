"""Scan-only settings for `make security` (tools/security/run_scans.py); never for serving users.

The portal's own settings, with the sign-in throttles lifted so scanners' probes reach the views
instead of a 429, DEBUG off as in production, and the planted vulnerable endpoints mounted
(tools/security/planted) so each scanner proves it can find what it looks for.
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import PRODUCTION

# Planted vulnerabilities must never reach a production server, whatever the environment says.
if PRODUCTION:
    raise ImproperlyConfigured("config.settings_scan cannot be loaded when DJANGO_ENV=production.")

DEBUG = False
# Lockout and throttles (portal.accounts.services.lockout, .registration, .recovery, .letters):
# with them on, the first probes lock the account and every later one answers 429, so nothing
# behind them is tested. Their behaviour is covered by the unit tests, not by the scanners.
LOCKOUT_THRESHOLD = 1_000_000
SIGN_IN_IP_LIMIT = 1_000_000
REGISTRATION_IP_LIMIT = 1_000_000
RECOVERY_CODE_TRIES = 1_000_000
ACTIVATION_MAX_TRIES = 1_000_000
# A scanner that pauses between modules must not be signed out silently (it would then only
# see the sign-in page); the idle timeout is a unit-tested control, not a scanned one.
SESSION_IDLE_SECONDS = SESSION_ABSOLUTE_SECONDS  # noqa: F405

ROOT_URLCONF = "tools.security.planted.urls"
