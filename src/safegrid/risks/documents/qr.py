"""QR codes that lead from a printed card (or a sticker at the post) to the card's phone page."""

from __future__ import annotations

import io

import qrcode
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from qrcode.constants import ERROR_CORRECT_M

from ..rules.cards import absolute_url

BOX_SIZE = 10
BORDER = 4


def card_qr_path(token: str) -> str:
    return reverse("risks:card_by_qr", kwargs={"token": token})


def card_url(request: HttpRequest | None, token: str) -> str:
    """The absolute URL a card's QR code encodes.

    `SAFEGRID_PUBLIC_URL` (the address workers' phones reach, e.g. "https://safegrid.example.cn") wins
    when set, so codes printed from an internal host still work; otherwise the request's own host.
    """
    path = card_qr_path(token)
    base = str(getattr(settings, "SAFEGRID_PUBLIC_URL", "") or "")
    if base:
        return absolute_url(base, path)
    if request is None:
        raise ValueError("A request or SAFEGRID_PUBLIC_URL is needed to build an absolute card URL")
    return request.build_absolute_uri(path)


def make_qr(data: str) -> qrcode.QRCode:  # type: ignore[type-arg]
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str) -> bytes:
    """A black-on-white PNG of `data` (medium error correction survives a scuffed sticker)."""
    image = make_qr(data).make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_matrix(data: str) -> list[list[bool]]:
    """The module matrix (including the quiet border) that `qr_png` draws, True = dark."""
    return [list(row) for row in make_qr(data).get_matrix()]
