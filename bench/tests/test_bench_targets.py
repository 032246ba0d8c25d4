"""`make bench` fails on a miss: `main` exits with 1 when any target its `summarize` functions
(the pages' and the audit part's) judged is not met, so each target must be judged a miss just
past its line. No server runs here; the figures are made up to sit either side of a line."""

import argparse
from typing import Any

import pytest

from bench import audit, run
from bench.measure import Run

ARGS = argparse.Namespace(
    reports=1_000_000,
    sr_reports=200_000,
    qoc_cases=1_000_000,
    ohr_notifications=200_000,
    seed=1,
    pairs=1,
    seconds=5,
    connections=16,
)


def _run(rps: float, p99_ms: float = 50.0, errors: int = 0, cpu_us: float = 2_000.0) -> Run:
    return Run(
        requests=int(rps * 5),
        seconds=5,
        rps=rps,
        p50_ms=p99_ms / 2,
        p99_ms=p99_ms,
        errors=errors,
        server_cpu_us=cpu_us,
        database_cpu_us=0,
        foreign_share=0.01,
    )


def _page(name: str, rps: float, **page: Any) -> run.Result:
    result = run.Result(name, "/", target_ratio=0.3, connections=16)
    result.pairs.append(run.Pair(page=_run(rps, **page), reference=_run(1_000)))
    return result


def _export(rows_per_second: float, peak_rss_mb: float = 120) -> run.Export:
    return run.Export(
        rows=180_000, seconds=180_000 / rows_per_second, peak_rss_mb=peak_rss_mb, other_work=0
    )


def _missed(figures: dict[str, Any]) -> list[str]:
    return [target["what"] for target in figures["targets"] if not target["met"]]


def test_a_run_that_meets_every_page_target_misses_nothing():
    figures = run.summarize(ARGS, [_page("report", 350)], None, [_export(50_000)])
    assert _missed(figures) == []


@pytest.mark.parametrize(
    ("page", "export", "missed"),
    [
        ({"rps": 290}, {}, "report: req/s ÷ reference ≥ 0.3"),
        ({"rps": 350, "p99_ms": 151}, {}, "report: p99 ≤ 150 ms at 16 connections"),
        ({"rps": 350, "errors": 1}, {}, "every answer as a person gets it"),
        ({"rps": 350}, {"rows_per_second": 39_000}, "CSV export ≥ 40,000 rows/s"),
        ({"rps": 350}, {"peak_rss_mb": 150}, "CSV export peak RSS < 150 MB"),
    ],
)
def test_a_page_or_export_figure_past_its_line_is_a_miss(page, export, missed):
    exports = [_export(**{"rows_per_second": 50_000, **export})]
    figures = run.summarize(ARGS, [_page("report", **page)], None, exports)
    assert [what for what in _missed(figures) if what.startswith(missed)] != []
    assert len(_missed(figures)) == 1


def test_the_report_list_is_held_to_five_times_the_references_cpu():
    within = run.summarize(ARGS, [_page("report list, filtered", 350, cpu_us=10_000)], None, [])
    beyond = run.summarize(ARGS, [_page("report list, filtered", 350, cpu_us=10_001)], None, [])
    assert _missed(within) == []
    assert _missed(beyond) == ["report list: CPU per request at most 5 times the reference's"]


def _step(writers: int, rate: float, lag_p99: float = 0.5) -> audit.Step:
    return audit.Step(
        writers=writers,
        seconds=5,
        writes=int(rate * 5),
        start=0,
        end=5,
        lag={"p50": lag_p99 / 2, "p99": lag_p99, "max": lag_p99},
    )


INTACT = "Audit chain intact: 100 events in 2 batches. Head: ab"
RISING = [(1, 2_800), (2, 3_600), (4, 4_700), (8, 5_100), (16, 5_600)]


def _audit(steps=RISING, lag_p99=0.5, sealer=30_000.0, verified=INTACT) -> dict[str, Any]:
    made = [_step(writers, rate, lag_p99) for writers, rate in steps]
    alone = {"sealed": 20_000, "seconds": 0.7, "batches": 5, "rows_per_second": sealer}
    return audit.summarize(made, alone, verified, 5)


def test_an_audit_run_that_meets_every_target_misses_nothing():
    assert _missed(_audit()) == []


@pytest.mark.parametrize(
    ("figures", "missed"),
    [
        ({"steps": [*RISING[:4], (16, 4_999)]}, "audited reads/s at 16 writers ≥ 5,000"),
        ({"lag_p99": 1.01}, "sealing lag p99 ≤ 1 s at 16 writers"),
        ({"steps": [*RISING[:2], (4, 3_200), *RISING[3:]]}, "throughput does not fall"),
        ({"sealer": 5_500.0}, "the sealer alone seals faster than 16 writers write"),
        ({"verified": "Audit chain broken at event 7"}, "the audit chain verifies after the run"),
    ],
)
def test_an_audit_figure_past_its_line_is_a_miss(figures, missed):
    assert [what for what in _missed(_audit(**figures)) if what.startswith(missed)] != []
    assert len(_missed(_audit(**figures))) == 1
