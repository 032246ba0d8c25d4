"""Settings every test run shares."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Production hashers cost ~0.1 s a check; tests prove behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No audit sealer runs beside the tests: events wait until a test seals them
    # (portal.core.testing.seal_audit_events), so /healthz/audit must not count a slow test's
    # early events as the sealer's lag. Tests of the lag set the limit themselves.
    settings.AUDIT_SEAL_LAG_LIMIT = 24 * 3600


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: kept answers (filter choices) name rows of tests
    that were rolled back, and SQLite hands their ids out again."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def personas(db: None):
    """One account per persona (portal.core.testing)."""
    from portal.core.testing import make_personas

    return make_personas()


@pytest.fixture(autouse=True)
def _attachments_in_a_scratch_folder(settings, tmp_path_factory):
    """Files stored by a test (the demo's physician's orders among them) go to a folder of the
    test run, never to the checkout's var/attachments."""
    settings.ATTACHMENTS_ROOT = tmp_path_factory.mktemp("attachments")
