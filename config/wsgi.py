"""WSGI entry point (gunicorn config.wsgi)."""

import gc
import os
from typing import Any

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


# What start-up and the first request build (modules, models, every view, the templates and
# caches every page uses) lives as long as the process. Frozen, Python's collector no longer
# walks it: otherwise each of its full collections walks 200,000 objects and stops the worker
# for 100-230 ms in the middle of a request, with the requests queued behind it waiting too
# (ADR 0029).
def _freeze() -> None:
    gc.collect()  # what is garbage now is freed, not kept for ever
    gc.freeze()


def _freeze_after_first_request(**kwargs: Any) -> None:
    request_finished.disconnect(_freeze_after_first_request)
    _freeze()


get_resolver().url_patterns  # noqa: B018 (imports every view now rather than in a request)
_freeze()
request_finished.connect(_freeze_after_first_request)
