"""Settings every test run shares."""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Production hashers cost ~0.1 s a check; tests prove behaviour, not hashing cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personas(db: None):
    """One account per persona (portal.core.testing)."""
    from portal.core.testing import make_personas

    return make_personas()
