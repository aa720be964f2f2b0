"""A device card as a QR code: the matrix both front ends draw (the CLI with two-column
cells, the app with half blocks)."""

from __future__ import annotations


def qr_matrix(text: str) -> list[list[bool]]:
    """The modules of `text`'s QR code, True for dark, with a quiet border of 2."""
    import qrcode

    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_L)
    code.add_data(text)
    return [list(row) for row in code.get_matrix()]
