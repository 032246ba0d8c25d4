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
