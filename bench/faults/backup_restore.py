"""Backups with a manifest, and the restore drill: `pg_dump` a portal database, restore it into a
fresh database, compare the row count of every table with the source, and verify the audit chain
of the copy against the head the source had.

The counts and the audit head are read in the very snapshot pg_dump copies (an exported
snapshot of a REPEATABLE READ transaction), so they are exact on a live database too; they are
kept beside the dump (`FILE.json`).

    # back up (nightly): the dump and its manifest
    python -m bench.faults.backup_restore --database-url postgres:///qmportal --dump FILE
    # restore drill (on a spare host): restore FILE, compare with FILE.json, verify the chain
    python -m bench.faults.backup_restore --dump FILE --scratch-url postgres:///restore_check
    # both at once, the dump in a temporary folder
    python -m bench.faults.backup_restore --database-url URL --scratch-url URL

Needs pg_dump and pg_restore of the server's major version (PG_BINDIR, else Debian's newest),
and the portal's environment (the AUDIT_HMAC_KEY the backup was sealed with) to verify the chain.
The scratch database is dropped and created: never point it at a database you need.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .cluster import bindir
from .context import Context, Result
from .journeys import Load

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Manifest:
    """What the dump holds, read in its own snapshot: rows per table and the audit head."""

    counts: dict[str, int]
    audit_events: int
    audit_head: str
    dump_bytes: int = 0
    dump_seconds: float = 0.0


@dataclass
class Check:
    tables: int = 0
    rows: int = 0
    restore_seconds: float = 0.0
    mismatches: list[str] = field(default_factory=list)
    chain: str = ""


def _client(url: str) -> tuple[str, dict[str, str]]:
    """The connection string without its password, and an environment that carries it: a
    password on a command line is visible to every user of the host."""
    parts = conninfo_to_dict(url)
    password = parts.pop("password", None)
    env = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    return make_conninfo(**{k: str(v) for k, v in parts.items() if v is not None}), env


def count_rows(connection: psycopg.Connection) -> dict[str, int]:
    tables = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    counts = {}
    for (table,) in tables:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        counts[table] = int(connection.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


def backup(source_url: str, dump: Path) -> Manifest:
    """pg_dump (custom format) of `source_url` into `dump`, with its manifest beside it."""
    with psycopg.connect(source_url) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        counts = count_rows(connection)
        last = connection.execute(
            "SELECT hash FROM core_auditseal ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        conninfo, env = _client(source_url)
        started = time.monotonic()
        subprocess.run(  # noqa: S603 (fixed program)
            [
                str(bindir() / "pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={dump}",
                f"--dbname={conninfo}",
            ],
            env=env,
            check=True,
        )
        seconds = time.monotonic() - started
    head = last[0] if last else ""
    manifest = Manifest(
        counts, counts.get("core_auditevent", 0), head, dump.stat().st_size, seconds
    )
    dump.with_suffix(".json").write_text(json.dumps(asdict(manifest), indent=1))
    return manifest


def restore_and_check(
    dump: Path,
    manifest: Manifest,
    scratch_url: str,
    *,
    keep: bool = False,
    env: dict[str, str] | None = None,
) -> Check:
    """Restore `dump` into a fresh `scratch_url` database, compare counts, verify the chain
    (with the portal settings in `env`, default ours)."""
    name = str(conninfo_to_dict(scratch_url)["dbname"])
    maintenance = make_conninfo(scratch_url, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    check = Check()
    try:
        conninfo, client_env = _client(scratch_url)
        started = time.monotonic()
        subprocess.run(  # noqa: S603 (fixed program)
            [
                str(bindir() / "pg_restore"),
                "--no-owner",
                "--exit-on-error",
                f"--dbname={conninfo}",
                str(dump),
            ],
            env=client_env,
            check=True,
        )
        check.restore_seconds = time.monotonic() - started
        _compare(scratch_url, manifest, check)
        check.chain = _verify_chain(
            scratch_url, manifest.audit_head, check, env or dict(os.environ)
        )
    finally:
        if not keep:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    return check


def _compare(url: str, manifest: Manifest, check: Check) -> None:
    with psycopg.connect(url) as connection:
        restored = count_rows(connection)
    check.tables, check.rows = len(restored), sum(restored.values())
    for table in sorted(set(manifest.counts) | set(restored)):
        source, copy = manifest.counts.get(table), restored.get(table)
        if source != copy:
            check.mismatches.append(f"{table}: {source} in the source, {copy} restored")


def _verify_chain(url: str, head: str, check: Check, env: dict[str, str]) -> str:
    command = [sys.executable, "manage.py", "verify_audit_chain"]
    if head:
        command += ["--expect-head", head]
    done = subprocess.run(  # noqa: S603 (fixed program)
        command,
        cwd=ROOT,
        env={**env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        check.mismatches.append("audit chain: " + (done.stderr.strip().splitlines() or ["?"])[-1])
    return (done.stdout or done.stderr).strip()


def drill(ctx: Context) -> Result:
    """Drill (d): the drill database dumped while a client keeps filing reports, restored into
    a fresh database on the private cluster, counted and its chain verified."""
    result = Result("(d) backup and restore")
    load = Load(ctx.portal.port, ctx.facts, 1)
    load.start()
    try:
        time.sleep(2)
        manifest = backup(ctx.url, ctx.portal.logs.parent / "drill.dump")
        time.sleep(1)
    finally:
        load.stop()
    with psycopg.connect(ctx.url) as connection:
        after = count_rows(connection)
    check = restore_and_check(
        ctx.portal.logs.parent / "drill.dump",
        manifest,
        ctx.cluster.url("qm_faults_restored"),
        env=ctx.portal.env,
    )
    written = sum(after.values()) - sum(manifest.counts.values())
    result.add(
        "dump",
        f"{manifest.dump_bytes:,} bytes in {manifest.dump_seconds:.1f} s, taken "
        f"while a client filed reports ({written} rows written meanwhile, not in it)",
    )
    result.add("restore", f"{check.restore_seconds:.1f} s into a fresh database")
    result.add(
        "tables / rows compared / mismatches",
        f"{check.tables} / {check.rows:,} / {len(check.mismatches)}",
    )
    result.add("audit chain of the copy", check.chain)
    result.require(not check.mismatches, f"restored copy differs: {check.mismatches[:3]}")
    result.require(not load.errors, f"client stopped on unexpected answers: {load.errors[:1]}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="back this database up")
    parser.add_argument("--scratch-url", help="restore into this database (dropped first)")
    parser.add_argument("--dump", type=Path, help="the dump file (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="leave the scratch database in place")
    args = parser.parse_args()
    if not args.database_url and not (args.dump and args.scratch_url):
        parser.error("give --database-url (to back up), or --dump and --scratch-url (to check)")
    with tempfile.TemporaryDirectory() as folder:
        dump = args.dump or Path(folder) / "portal.dump"
        if args.database_url:
            manifest = backup(args.database_url, dump)
            print(
                f"Dump: {dump}, {manifest.dump_bytes:,} bytes in {manifest.dump_seconds:.1f} s; "
                f"{sum(manifest.counts.values()):,} rows, audit head {manifest.audit_head}"
            )
        else:
            manifest = Manifest(**json.loads(dump.with_suffix(".json").read_text()))
        if not args.scratch_url:
            return 0
        check = restore_and_check(dump, manifest, args.scratch_url, keep=args.keep)
    print(
        f"Restore: {check.restore_seconds:.1f} s; {check.tables} tables, {check.rows:,} rows "
        f"compared; {len(check.mismatches)} mismatches"
    )
    for line in [*check.mismatches, check.chain]:
        print(line)
    return 1 if check.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
