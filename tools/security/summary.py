"""The summary of a `make security` run: table, open findings, coverage, exit status."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from .findings import Finding, apply_suppressions, load_suppressions
from .sqlmap_scan import COMPLETED, ONE_SHOT, injectable
from .wapiti_scan import attacked_urls

Record = dict[str, object]


def report(
    out: Path,
    seconds: int,
    findings: list[Finding],
    wapiti: Record,
    sqlmap: list[Record],
    processes: int,
    traffic: Record,
) -> int:
    """Apply the suppressions, print the summary, write summary.json; the exit status."""
    rules = load_suppressions()
    for finding in findings:
        finding.suppressed_by = ""
    apply_suppressions(findings, rules)
    open_findings = [f for f in findings if not f.planted and not f.suppressed_by]
    caught = {
        "sqlmap": any(f.planted and f.kind == "SQL injection" for f in findings),
        "wapiti": any(f.planted and f.kind == "Cross Site Scripting" for f in findings),
    }
    # Only a target sqlmap gave a verdict on every parameter counts; timed out, skipped, signed
    # out or not reached do not.
    done = [r for r in sqlmap if r.get("status") == COMPLETED]
    parameters = sum(_parameters(r) for r in sqlmap)
    tested = sum(_parameters(r) for r in done)
    sqlmap_seconds = sum(int(str(r.get("seconds", 0))) for r in sqlmap)
    counts = {
        "sqlmap": f"{len(done)}/{len(sqlmap)} ({tested}/{parameters} params)",
        "wapiti": f"{wapiti.get('resources', 0)} resources",
    }
    spent = {"sqlmap": sqlmap_seconds, "wapiti": wapiti.get("seconds", 0)}
    print(f"\n{'scanner':<8} {'targets completed':>28} {'findings':>8} {'suppressed':>10} "
          f"{'planted caught':>14} {'seconds':>8}")  # fmt: skip
    for name in ("sqlmap", "wapiti"):
        portal = [f for f in findings if f.scanner == name and not f.planted]
        suppressed = sum(1 for f in portal if f.suppressed_by)
        print(f"{name:<8} {counts[name]:>28} {len(portal) - suppressed:>8} {suppressed:>10} "
              f"{'yes' if caught[name] else 'NO':>14} {spent[name]:>8}")  # fmt: skip
    print(f"(sqlmap seconds: summed over targets, {processes} run at a time)")
    one_shot = [r for r in sqlmap if r.get("status") == ONE_SHOT]
    if one_shot:
        print(f"(not counted as completed: {len(one_shot)} targets, "
              f"{sum(_parameters(r) for r in one_shot)} params, {ONE_SHOT})")  # fmt: skip
    for record in sqlmap:
        if record.get("status") != COMPLETED:
            print(f"  sqlmap {record['method']} {record['url']}: {record.get('status')}")
    print(f"wapiti: {wapiti}")
    print(f"portal: {traffic}")
    for finding in open_findings:
        print(f"FINDING {finding.scanner} | {finding.kind} | {finding.path} "
              f"[{finding.parameter}] {finding.detail[:300]}")  # fmt: skip
    for rule in rules:
        if not rule.used:
            print(f"note: suppression not used this run: {rule.scanner} {rule.kind} {rule.detail}")
    print(f"\nTotal time: {seconds // 60} min {seconds % 60} s. Reports: {out}")
    summary = {"seconds": seconds, "sqlmap_processes": processes, "sqlmap": sqlmap,
               "wapiti": wapiti, "portal": traffic, "planted_caught": caught,
               "findings": [vars(f) for f in findings]}  # fmt: skip
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    ok = all(caught.values()) and not open_findings and bool(wapiti.get("session_alive_at_end"))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _parameters(record: Record) -> int:
    names = record.get("parameters")
    return len(names) if isinstance(names, list) else 0


def rescore(out: Path) -> int:
    """Re-apply the suppression file to the last run's findings (after editing it)."""
    saved = json.loads((out / "summary.json").read_text())
    names = {f.name for f in fields(Finding)}
    findings = [Finding(**{k: v for k, v in f.items() if k in names}) for f in saved["findings"]]
    # sqlmap's results are read again from its folders, so parser fixes apply too.
    findings = [f for f in findings if f.scanner != "sqlmap"]
    for index, record in enumerate(saved["sqlmap"]):
        findings += injectable(out / "sqlmap" / f"{index:03d}", str(record["url"]))
    saved["wapiti"]["resources"] = attacked_urls(out / "wapiti.log")
    return report(
        out,
        saved["seconds"],
        findings,
        saved["wapiti"],
        saved["sqlmap"],
        int(saved.get("sqlmap_processes", 3)),
        saved.get("portal") or requests(out / "gunicorn.access"),
    )


def requests(access_log: Path) -> Record:
    """What the portal answered during the run, from gunicorn's access log: requests in all,
    sqlmap's and wapiti's (by user agent), and server errors (5xx) outside /planted/."""
    counts = {"requests": 0, "sqlmap": 0, "wapiti": 0, "server_errors": 0}
    if not access_log.exists():
        return dict(counts)
    with access_log.open(errors="replace") as lines:
        for line in lines:
            match = _ACCESS.search(line)
            if not match:
                continue
            counts["requests"] += 1
            agent = match["agent"].lower()
            for scanner in ("sqlmap", "wapiti"):
                counts[scanner] += scanner in agent
            if match["status"].startswith("5") and not match["path"].startswith("/planted/"):
                counts["server_errors"] += 1
    return dict(counts)


_ACCESS = re.compile(
    r'"[A-Z]+ (?P<path>\S+) [^"]*" (?P<status>\d{3}) \S+ "[^"]*" "(?P<agent>[^"]*)"'
)
