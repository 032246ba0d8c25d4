"""Files people attach to records (SPEC §3.1, DESIGN §11): checked by content, kept outside the
web root under random names, read back only by name as stored.

Accepted: PDF, PNG and JPEG, as found in the bytes themselves, and PDFs only without active
content. The file name and the type the browser claims are never trusted; the name is kept as
display text only, and always ends in the extension of the type found.
"""

import hashlib
import math
import os
import re
import secrets
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from PIL import Image, ImageFile

PDF = "application/pdf"
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}  # Pillow's format name: MIME type
# The one extension each accepted type is named with, whatever the uploaded name said.
EXTENSIONS = {PDF: ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# Beyond a 50-megapixel photo, decoding costs more memory than a page of evidence needs.
MAX_PIXELS = 50_000_000
NAME_LENGTH = 120
# Every character str.isspace() knows (the last is U+3000), and the dot.
_SPACES_AND_DOT = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace()) + "."
STORED_NAME = re.compile(r"[0-9a-f]{32}")
# WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when it is imported;
# an upload check turns it off while it decodes, one check at a time.
_STRICT_DECODING = threading.Lock()
MIB = 1024 * 1024


def limit_words() -> str:
    """The size limit as people read it ("10 MB")."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if limit >= MIB:
        return f"{round(limit / MIB, 1):g} MB"
    return f"{math.ceil(limit / 1024)} KB"


_REPRINT = (
    "Print it to a new PDF without active content (choose “Save as PDF” or “Microsoft Print to "
    "PDF” as the printer) and attach that copy."
)


def _refusal(code: str) -> ValidationError:
    messages = {
        "empty": "The file you chose is empty. Choose the file again, or another one.",
        "too_large": f"The file is larger than {limit_words()}. Attach a smaller file, for "
        "example a scan at a lower resolution, or split it into several files.",
        "wrong_type": "The file must be a PDF, or a PNG or JPEG image. Save it in one of those "
        "formats and attach it again.",
        "corrupt": "The file cannot be read: it may be damaged or incomplete. Open it on your "
        "computer to check it, save it again and attach the new copy.",
        "encrypted": "The PDF is protected by a password. Save a copy without the password "
        "and attach that copy.",
        "too_many_pixels": "The image is too large in pixels. Save a smaller copy of it and "
        "attach that copy.",
        "javascript": "This PDF contains JavaScript, which could run when the file is opened. "
        f"{_REPRINT}",
        "launch": "This PDF contains an action that starts another program or opens another "
        f"file. {_REPRINT}",
        "embedded_files": "This PDF has other files embedded in it. Attach each file the report "
        f"needs on its own, as a PDF, PNG or JPEG. {_REPRINT}",
        "xfa": "This PDF is an XFA form, which can run scripts and show different content in "
        f"different programs. {_REPRINT}",
    }
    return ValidationError(messages[code], code=code)


@dataclass(frozen=True)
class CheckedFile:
    name: str  # display text only, never a path
    content: bytes
    content_type: str  # as found in the content
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Read an uploaded file and check it; a ValidationError says what the person should do.
    The size is checked before anything is read."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        raise _refusal("too_large")
    upload.seek(0)
    content = upload.read(limit + 1)
    if not content:
        raise _refusal("empty")
    if len(content) > limit:
        raise _refusal("too_large")
    content_type = detect_type(content)
    digest = hashlib.sha256(content).hexdigest()
    return CheckedFile(display_name(upload.name or "", content_type), content, content_type, digest)


def detect_type(content: bytes) -> str:
    """The MIME type of `content` if it is a readable PDF, PNG or JPEG; a ValidationError
    otherwise."""
    if content.startswith(b"%PDF-"):
        return _pdf_type(content)
    # Only PNG and JPEG reach Pillow: its many other decoders are never exposed to uploads.
    if content.startswith((PNG_SIGNATURE, JPEG_SIGNATURE)):
        return _image_type(content)
    raise _refusal("wrong_type")


def _pdf_type(content: bytes) -> str:
    # pypdf is loaded by a worker's first PDF, not at start: it adds 7.5 MB to every process,
    # and most web workers never receive an upload.
    from . import pdf_scan

    try:
        found = pdf_scan.scan(content)
    # A parser of hostile input fails in many ways; each means the file cannot be read, and a
    # file that cannot be read to the end cannot be shown to be free of active content.
    except Exception as error:
        raise _refusal("corrupt") from error
    if found.encrypted:
        raise _refusal("encrypted")
    if not found.pages:
        raise _refusal("corrupt")
    for code in pdf_scan.ACTIVE_CONTENT:
        if code in found.active:
            raise _refusal(code)
    return PDF


def _image_type(content: bytes) -> str:
    try:
        found = _decoded_image_format(content)
    except Image.DecompressionBombError as error:
        raise _refusal("too_many_pixels") from error
    except Exception as error:
        raise _refusal("corrupt") from error
    if found not in IMAGE_TYPES:
        raise _refusal("wrong_type")
    return IMAGE_TYPES[found]


def _decoded_image_format(content: bytes) -> str:
    formats = list(IMAGE_TYPES)
    with Image.open(BytesIO(content), formats=formats) as image:
        found = str(image.format)
        image.verify()
    # verify() checks the structure only: decoding every pixel finds truncated or damaged data.
    with Image.open(BytesIO(content), formats=formats) as image:
        if image.width * image.height > MAX_PIXELS:
            raise Image.DecompressionBombError("more pixels than MAX_PIXELS")
        with _STRICT_DECODING:
            tolerant, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                image.load()
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = tolerant
    return found


def display_name(name: str, content_type: str) -> str:
    """The file's own name as display text, ending in the extension of `content_type` whatever
    extension it came with: no folders, no control or formatting characters (which could
    disguise the extension), at most NAME_LENGTH characters."""
    extension = EXTENSIONS[content_type]
    name = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    stem, dot, suffix = _trimmed(name).rpartition(".")
    if dot and _is_extension(suffix):
        name = stem
    name = _trimmed(_trimmed(name)[: NAME_LENGTH - len(extension)])
    return (name or "attachment") + extension


def _trimmed(name: str) -> str:
    # A leading dot hides a file; Windows drops trailing dots and spaces.
    return name.strip(_SPACES_AND_DOT)


def _is_extension(suffix: str) -> bool:
    # "scan.exe" and "photo.jpeg" end in one; "Minutes 3.5.2026" and "Report v1.2 final" do not,
    # and keep their last words.
    return 0 < len(suffix) <= 10 and suffix.isalnum() and not suffix.isdigit()


def content_disposition(name: str) -> str:
    """A download header with the name for every browser: an ASCII fallback and the exact
    name in UTF-8 (RFC 6266 and RFC 8187)."""
    fallback = "".join(ch if " " <= ch < "\x7f" and ch not in '"\\%' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def store(content: bytes) -> str:
    """Write `content` under a new random name, readable by the portal's user only, and return
    that name. The file appears whole or not at all."""
    folder = Path(settings.ATTACHMENTS_ROOT)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".incoming-")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / stored_name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return stored_name


def stored_path(stored_name: str) -> Path:
    """Where a stored file lives. Only names made by `store` are accepted, so no other path
    can be reached through it."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError("This is not the name of a stored attachment.")
    return Path(settings.ATTACHMENTS_ROOT) / stored_name


def open_stored(stored_name: str) -> BinaryIO:
    """A stored file, open for reading; a symbolic link in its place is refused."""
    descriptor = os.open(stored_path(stored_name), os.O_RDONLY | os.O_NOFOLLOW)
    return os.fdopen(descriptor, "rb")


def download_response(stored_name: str, name: str, content_type: str) -> FileResponse:
    """A stored file as a download under its display name: never shown in the page, never
    sniffed for another type, never cached."""
    response = FileResponse(open_stored(stored_name), content_type=content_type)
    # Named again here, not only when uploaded: files stored before names followed the type
    # kept the extension they came with.
    response["Content-Disposition"] = content_disposition(display_name(name, content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def delete_stored(stored_name: str) -> None:
    stored_path(stored_name).unlink(missing_ok=True)
