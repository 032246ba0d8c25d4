"""Real small files for upload tests, made with the same libraries that check them."""

import os
from io import BytesIO

from PIL import Image
from pypdf import PdfWriter


def image(file_format: str, size: tuple[int, int] = (24, 16), *, noise: bool = False) -> bytes:
    """An image in `file_format` (PNG, JPEG, GIF...); noise makes it hard to compress."""
    width, height = size
    if noise:
        picture = Image.frombytes("RGB", size, os.urandom(width * height * 3))
    else:
        picture = Image.new("RGB", size, (180, 40, 40))
    out = BytesIO()
    picture.save(out, file_format)
    return out.getvalue()


def png(**kwargs) -> bytes:
    return image("PNG", **kwargs)


def jpeg(**kwargs) -> bytes:
    return image("JPEG", **kwargs)


def pdf(password: str | None = None) -> bytes:
    """A one-page PDF; with a password, encrypted (RC4, which pypdf writes on its own)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if password is not None:
        writer.encrypt(user_password=password, algorithm="RC4-128")
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
# The start of a Windows program: "MZ", then the DOS stub.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def pdf_by_hand(catalog: bytes = b"", page: bytes = b"", *more: bytes) -> bytes:
    """A one-page PDF written out in PDF's own syntax, for structures a test needs exactly
    (actions, forms, odd names): `catalog` and `page` are added to those dictionaries (objects 1
    and 3) and `more` are objects 4, 5 and on. The cross-reference table is right."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " + page + b" >>",
        *more,
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % table
    return bytes(out)


def pdf_stream(data: bytes, entries: bytes = b"") -> bytes:
    """A stream object for `pdf_by_hand`."""
    return b"<< /Length %d %s >>\nstream\n%s\nendstream" % (len(data), entries, data)


# A PDF whose first bytes also make an HTML page with a script, for a browser that sniffs.
POLYGLOT = pdf_by_hand(b"/Note (<html><body><script>alert(document.cookie)</script></body></html>)")
