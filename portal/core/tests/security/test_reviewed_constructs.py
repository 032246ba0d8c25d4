"""Every construct that turns off a safety net was reviewed (issue #7 item 9; reference SA-1..3).

The scan covers the project's own source (portal, config, templates, tools, e2e, bench): code
that marks text safe, turns off escaping or CSRF, runs SQL by hand, quiets the security linter,
or turns off TLS checks. Each occurrence must be on the allow-list `reviewed_constructs.toml`
(file, construct, a snippet of the line, the reason it is safe); line numbers are not used, so
moving code keeps its review, while a new occurrence, even a copy of a reviewed line, fails.
To add one: read the code, make sure it is safe, then add an entry with an honest reason.
"""

import io
import re
import tokenize
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[4]
ALLOW_LIST = Path(__file__).with_name("reviewed_constructs.toml")
SCANNED = ("portal", "config", "templates", "tools", "e2e", "bench")
SKIPPED_DIRS = {"node_modules", ".venv", "__pycache__", "static", "build"}
TEMPLATE_SUFFIXES = {".html", ".txt", ".xml", ".svg"}

# Constructs found in Python code (strings and comments taken out).
CODE = {
    "mark_safe(": re.compile(r"\bmark_safe\("),
    "SafeString(": re.compile(r"\bSafe(?:String|Text)\("),
    "csrf_exempt": re.compile(r"\bcsrf_exempt\b"),
    ".raw(": re.compile(r"\.raw\("),
    ".extra(": re.compile(r"\.extra\("),
    "RawSQL(": re.compile(r"\bRawSQL\("),
    "cursor.execute(": re.compile(r"\.execute(?:many|script)?\("),
    "connection.cursor(": re.compile(r"\.cursor\("),
    "csp_exempt": re.compile(r"\b_?csp_(?:exempt|update|replace)\b"),
    "xframe_options_exempt": re.compile(r"\bxframe_options_(?:exempt|sameorigin)\b"),
    "verify=False": re.compile(r"\bverify=False\b"),
    "DEBUG=True": re.compile(r"\bDEBUG=True\b"),
}
# Constructs found in templates, and in Python strings (inline templates).
SAFE_FILTER = "|safe"
AUTOESCAPE_OFF = "{% autoescape off"
TEMPLATE = {
    SAFE_FILTER: re.compile(r"\|\s*safe(?:seq)?\b"),
    AUTOESCAPE_OFF: re.compile(r"\{%\s*autoescape\s+off\b"),
}
# Constructs found in Python comments.
COMMENT = {
    "# noqa: S": re.compile(r"#\s*noqa:[^#]*\bS\d{3}"),
    "# noqa (blanket)": re.compile(r"#\s*noqa\b(?!:)"),
    "# nosec": re.compile(r"#\s*nosec\b"),
}
CONSTRUCTS = {*CODE, *TEMPLATE, *COMMENT, "format_html(non-literal)"}


@dataclass(frozen=True)
class Finding:
    file: str
    line_no: int
    construct: str
    line: str  # the whole source line, stripped

    def __str__(self) -> str:
        return f"{self.file}:{self.line_no}: {self.construct}: {self.line}"


def scan_python(source: str, file: str) -> list[Finding]:
    lines = source.splitlines()
    code: dict[int, list[str]] = defaultdict(list)
    found: list[tuple[int, str]] = []
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline)
              if t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                                tokenize.DEDENT)]  # fmt: skip
    for i, token in enumerate(tokens):
        row = token.start[0]
        if token.type == tokenize.COMMENT:
            found += [(row, name) for name, rx in COMMENT.items() if rx.search(token.string)]
        elif token.type == tokenize.STRING:
            found += [(row, name) for name, rx in TEMPLATE.items() if rx.search(token.string)]
            code[row].append('""')
        else:
            previous = code[row][-1] if code[row] else ""
            word = token.type in (tokenize.NAME, tokenize.NUMBER)
            gap = " " if word and previous[-1:].isalnum() else ""
            code[row].append(gap + token.string)
        if token.string == "format_html" and tokens[i + 1 : i + 3] and \
                tokens[i + 1].string == "(" and tokens[i + 2].type != tokenize.STRING:  # fmt: skip
            found.append((row, "format_html(non-literal)"))
    for row, parts in code.items():
        text = "".join(parts)
        found += [(row, name) for name, rx in CODE.items() if rx.search(text)]
    return [Finding(file, row, name, lines[row - 1].strip()) for row, name in sorted(set(found))]


def scan_template(source: str, file: str) -> list[Finding]:
    return [Finding(file, n, name, line.strip())
            for n, line in enumerate(source.splitlines(), start=1)
            for name, rx in TEMPLATE.items() if rx.search(line)]  # fmt: skip


def source_files() -> list[Path]:
    files = []
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            parts = set(path.relative_to(ROOT).parts)
            if not path.is_file() or parts & SKIPPED_DIRS:
                continue
            is_template = "templates" in parts and path.suffix in TEMPLATE_SUFFIXES
            if path.suffix == ".py" or is_template:
                files.append(path)
    return files


def scan_project() -> list[Finding]:
    findings = []
    for path in source_files():
        name = path.relative_to(ROOT).as_posix()
        text = path.read_text("utf-8")
        findings += scan_python(text, name) if path.suffix == ".py" else scan_template(text, name)
    return findings


@dataclass(frozen=True)
class Reviewed:
    file: str
    construct: str
    snippet: str
    reason: str
    count: int = 1  # how many occurrences of the snippet this review covers


def reviewed() -> list[Reviewed]:
    entries = tomllib.loads(ALLOW_LIST.read_text("utf-8"))["reviewed"]
    return [Reviewed(**entry) for entry in entries]


def unreviewed(findings: list[Finding], entries: list[Reviewed]) -> tuple[list[str], list[str]]:
    """(findings no entry covers, entries that cover fewer occurrences than they say)."""
    left = list(findings)
    stale = []
    for entry in entries:
        matches = [f for f in left if (f.file, f.construct) == (entry.file, entry.construct)
                   and entry.snippet in f.line][: entry.count]  # fmt: skip
        if len(matches) < entry.count:
            stale.append(f"{entry.file}: {entry.construct}: {entry.snippet!r} "
                         f"({len(matches)} of {entry.count} found)")  # fmt: skip
        left = [f for f in left if f not in matches]
    return [str(f) for f in left], stale


def test_every_occurrence_is_reviewed_and_every_review_still_applies() -> None:
    missing, stale = unreviewed(scan_project(), reviewed())
    assert missing == [], "Unreviewed constructs: review them, then list them in " + ALLOW_LIST.name
    assert stale == [], "Reviews of code that is gone or changed: remove or update them"


def test_every_review_names_a_known_construct_and_gives_a_reason() -> None:
    entries = reviewed()
    assert entries
    for entry in entries:
        assert entry.construct in CONSTRUCTS, entry
        assert (ROOT / entry.file).is_file(), entry
        assert len(entry.snippet) >= 8, entry  # specific enough to name one line
        assert len(entry.reason.split()) >= 5, entry  # a reason, not a word


SAMPLE_PY = """
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt as exempt_it
from django.db.models.expressions import RawSQL

@exempt_it
def view(request, html, name):
    rows = Person.objects.raw("SELECT * FROM people")
    more = Person.objects.extra(where=["1=1"]).annotate(x=RawSQL("1", []))
    with connections["default"].cursor() as c:
        c.execute(f"SELECT {name}")  # noqa: E501, S608
    requests.get(url, verify=False)  # nosec B501
    settings.DEBUG = True
    page = format_html(html, name)
    safe = format_html("<b>{}</b>", name)
    Template("{{ x|safe }}{% autoescape off %}")
    response = HttpResponse(mark_safe(html))  # noqa
    response._csp_exempt = True
    return xframe_options_exempt(response)
"""


def test_the_scanner_finds_each_construct_in_code_and_templates() -> None:
    found = {(f.line_no, f.construct) for f in scan_python(SAMPLE_PY, "sample.py")}
    assert found == {
        (3, "csrf_exempt"), (8, ".raw("), (9, ".extra("), (9, "RawSQL("),
        (10, "connection.cursor("), (11, "cursor.execute("), (11, "# noqa: S"),
        (12, "verify=False"), (12, "# nosec"), (13, "DEBUG=True"),
        (14, "format_html(non-literal)"), (16, SAFE_FILTER), (16, AUTOESCAPE_OFF),
        (17, "mark_safe("), (17, "# noqa (blanket)"), (18, "csp_exempt"),
        (19, "xframe_options_exempt"),
    }  # fmt: skip
    # Words in strings and comments are not code: "mark_safe(" here is only text.
    assert scan_python('x = "call mark_safe(y)"  # or .raw(\n', "sample.py") == []
    template = "{{ a }}\n{{ b | safe }}\n{% autoescape off %}{{ c|safeseq }}{% endautoescape %}\n"
    assert [(f.line_no, f.construct) for f in scan_template(template, "t.html")] == [
        (2, SAFE_FILTER), (3, SAFE_FILTER), (3, AUTOESCAPE_OFF),
    ]  # fmt: skip


def test_a_new_occurrence_of_a_reviewed_line_is_not_covered_by_its_review() -> None:
    entry = Reviewed("a.py", "mark_safe(", "mark_safe(html)", "trusted repository content")
    one = Finding("a.py", 3, "mark_safe(", "return mark_safe(html)")
    two = Finding("a.py", 9, "mark_safe(", "return mark_safe(html)")
    assert unreviewed([one], [entry]) == ([], [])
    assert unreviewed([one, two], [entry]) == ([str(two)], [])
    assert unreviewed([], [entry])[1]  # a review of code that is gone is reported
