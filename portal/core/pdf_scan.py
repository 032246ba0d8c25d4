"""What an uploaded PDF holds, read with pypdf: whether it is encrypted, its number of pages and
the kinds of active content it carries. `uploads` imports this module when a PDF arrives, not
at start-up (pypdf adds 7.5 MB to a process, ADR 0029)."""

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# What a PDF may not hold, named by the refusal that says so, in the order they are named when
# a file holds several. Each is recognized by a key of a dictionary, or by a key's value.
ACTIVE_CONTENT = ("javascript", "launch", "embedded_files", "xfa")
_ACTIVE_KEYS = {
    "/JS": "javascript",  # the script of a JavaScript (or rendition) action
    "/JavaScript": "javascript",  # the document's scripts, in the catalog's /Names
    "/EmbeddedFiles": "embedded_files",  # the document's attachments, in /Names
    "/EF": "embedded_files",  # a file specification that carries the file itself
    "/XFA": "xfa",  # in /AcroForm
}
_ACTIVE_VALUES = {
    ("/S", "/JavaScript"): "javascript",
    ("/S", "/Launch"): "launch",
    ("/Subtype", "/FileAttachment"): "embedded_files",  # an annotation holding a file
}


@dataclass(frozen=True)
class Scanned:
    encrypted: bool
    pages: int  # 0 when encrypted: the pages cannot be counted without the password
    active: set[str]  # of ACTIVE_CONTENT; empty when encrypted


def scan(content: bytes) -> Scanned:
    """What `content` holds; any exception means pypdf could not read it."""
    reader = PdfReader(BytesIO(content))
    if reader.is_encrypted:
        return Scanned(encrypted=True, pages=0, active=set())
    return Scanned(encrypted=False, pages=len(reader.pages), active=_active_content(reader))


def _active_content(reader: PdfReader) -> set[str]:
    """The kinds of active content (ACTIVE_CONTENT) in every object the trailer reaches.

    Actions hide in many places (the catalog's /OpenAction and /AA, pages, annotations, form
    fields, outlines, the /Next of another action), so every reachable dictionary is looked at
    rather than a list of places. Objects nothing refers to are left alone: no viewer acts on
    them, and old revisions of an edited file keep such objects. Stream data is never decoded.
    """
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [reader.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):  # streams too: their dictionary only
            found.update(_active_in(item))
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return found


def _active_in(dictionary: DictionaryObject) -> set[str]:
    found = {code for key, code in _ACTIVE_KEYS.items() if key in dictionary}
    for (key, value), code in _ACTIVE_VALUES.items():
        named = dictionary.get(key)
        if isinstance(named, IndirectObject):
            named = named.get_object()
        if named == value:
            found.add(code)
    return found
