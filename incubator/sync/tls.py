"""Pinned mutual TLS 1.3 between member devices.

Python's `ssl` has no verify callback, so each side loads the self-signed
certificates it trusts as the only trust anchors (`CERT_REQUIRED` both ways)
and compares the peer's device ID after the handshake. A context cannot forget
an anchor: the server builds a fresh one whenever the membership changes and
swaps it in per connection through `sni_callback`, so a revocation takes effect
on the next handshake without a restart. Certificate dates are not checked
(village laptops have wrong clocks); the pin is the key, not the calendar.
"""

from __future__ import annotations

import os
import ssl
import tempfile
from collections.abc import Callable

from ..domain.errors import DomainError
from ..store.identity import Identity, PassphraseError, device_id_of_certificate, password_for

X509_V_FLAG_NO_CHECK_TIME = 0x200000


class PinError(DomainError):
    """The peer is not the device we meant to reach, or not a member."""


def _context(purpose: ssl.Purpose, identity: Identity, trusted: list[str]) -> ssl.SSLContext:
    protocol = ssl.PROTOCOL_TLS_SERVER if purpose is ssl.Purpose.CLIENT_AUTH else ssl.PROTOCOL_TLS_CLIENT
    context = ssl.SSLContext(protocol)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.maximum_version = ssl.TLSVersion.TLSv1_3
    context.check_hostname = False
    context.verify_mode = ssl.CERT_REQUIRED
    context.verify_flags |= X509_V_FLAG_NO_CHECK_TIME
    if trusted:
        context.load_verify_locations(cadata="".join(trusted))
    with tempfile.TemporaryDirectory() as folder:
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        for path, text in ((cert, identity.certificate_pem), (key, identity.private_key_pem)):
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
                handle.write(text)
        password = password_for(identity.private_key_pem)
        try:
            context.load_cert_chain(cert, key, password)
        except ssl.SSLError:
            raise PassphraseError("Wrong passphrase for this device's keys") from None
    return context


def client_context(identity: Identity, peer_certificate: str) -> ssl.SSLContext:
    """A context that trusts exactly one peer: the device we mean to reach."""
    return _context(ssl.Purpose.SERVER_AUTH, identity, [peer_certificate])


class ServerContexts:
    """Server contexts trusting the current members, rebuilt when they change."""

    def __init__(self, identity: Identity, members: Callable[[], dict[str, str]]) -> None:
        self.identity = identity
        self.members = members
        self._key: tuple | None = None
        self._context: ssl.SSLContext | None = None

    def current(self) -> ssl.SSLContext:
        trusted = self.members()
        key = tuple(sorted(trusted))
        if self._context is None or key != self._key:
            context = _context(ssl.Purpose.CLIENT_AUTH, self.identity, list(trusted.values()))
            context.sni_callback = self._swap
            self._context, self._key = context, key
        return self._context

    def _swap(self, connection: ssl.SSLObject, _server_name, _context) -> None:
        connection.context = self.current()


def peer_device_id(ssl_object: ssl.SSLObject | ssl.SSLSocket) -> str:
    certificate = ssl_object.getpeercert(binary_form=True)
    if not certificate:
        raise PinError("The peer presented no certificate")
    return device_id_of_certificate(certificate)
