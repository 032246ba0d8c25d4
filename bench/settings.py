"""Benchmark-only settings for `make bench` (bench/run.py): the production settings, plus the
reference view at /_bench/reference/ that every page is measured against. Never for serving users.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
