"""A real SMTP server in the test process (aiosmtpd), recording what arrives; it can refuse on command, offer
STARTTLS or speak TLS from the start with a throw-away certificate."""
import email
import socket
import ssl
import subprocess
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """Keeps every accepted message; `refuse_data` / `refuse_rcpt` answer with an SMTP reply instead."""

    def __init__(self):
        self.messages = []
        self.refuse_data = None
        self.refuse_rcpt = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_rcpt:
            return self.refuse_rcpt
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.original_content or envelope.content,
                                                       policy=policy.default)))
        return "250 Message accepted"

    def by_recipient(self, address):
        return [m for _f, to, m in self.messages if address in to]


def make_certificate(folder):
    """A self-signed certificate for 127.0.0.1 and its key, made with openssl."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class _TlsController(Controller):
    """STARTTLS offered and required before any mail."""

    def __init__(self, handler, context, **kwargs):
        self.tls = context
        super().__init__(handler, **kwargs)

    def factory(self):
        return SMTP(self.handler, tls_context=self.tls, require_starttls=True)


def start(handler, starttls_context=None, implicit_context=None) -> Controller:
    port = free_port()
    if starttls_context is not None:
        controller = _TlsController(handler, starttls_context, hostname="127.0.0.1", port=port)
    else:
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=implicit_context)
    controller.start()
    return controller


def server_context(cert, key) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
