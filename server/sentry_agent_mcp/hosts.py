"""Host names as the HTTP client will connect to them, so that host rules judge the real destination.

``sentry。io`` (an ideographic full stop), ``SENTRY.IO.`` and ``sentry.io`` in fullwidth letters all reach
sentry.io: IDNA maps the first and the last, DNS ignores the trailing dot, and hosts are case-blind. A
rule such as "no plain http to sentry.io" must see ``sentry.io`` in each of them. ``canonical_host``
maps a host the way IDNA (``encodings.idna``, nameprep) does; callers then build their URL from the
result, so what was checked is exactly what is connected to.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

SAAS_HOSTS = frozenset({"sentry.io", "us.sentry.io", "de.sentry.io"})
"""sentry.io (the control host) and its region hosts, as ``/users/me/regions/`` names them."""

_DOTS = re.compile("[\u002e\u3002\uff0e\uff61]")
"""The characters IDNA reads as a label separator."""
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
"""One ASCII label (underscores allowed: container and compose service names use them)."""
_DEFAULT_PORTS = {"http": 80, "https": 443}


class BadHostError(ValueError):
    """A host that no HTTP client could connect to as written."""


def canonical_host(host: str) -> str:
    """``host`` as the client connects to it: IDNA-mapped, lower-case ASCII, without trailing dots.

    IP addresses come back in their standard form. Raises ``BadHostError`` for a host that cannot be
    encoded (empty labels, ``%``, characters IDNA refuses, an invalid ``xn--`` label).
    """
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = _DOTS.sub(".", host.strip()).rstrip(".")
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise BadHostError(f"{host!r} cannot be encoded as a host name (IDNA)") from None
    name = name.lower()
    labels = name.split(".")
    if not name or len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise BadHostError(f"{host!r} is not a valid host name")
    for label in labels:
        if label.startswith("xn--"):
            try:
                label.encode("ascii").decode("idna")
            except UnicodeError:
                raise BadHostError(f"{host!r} holds an invalid IDNA label") from None
    return name


def is_saas(host: str) -> bool:
    """True for sentry.io and every host under it (a canonical host)."""
    return host == "sentry.io" or host.endswith(".sentry.io")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (a canonical host): traffic that never leaves the machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Origin:
    """Scheme, canonical host, port (the scheme's default when none is given) and path prefix of a URL."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def url(self) -> str:
        """The URL again, canonical: the default port left out, IPv6 in brackets, no trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if _DEFAULT_PORTS.get(self.scheme) == self.port else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}"


def parse_origin(url: str) -> Origin:
    """The ``Origin`` of an http(s) URL without credentials, query or fragment (else ``BadHostError``).

    Error messages never repeat the URL: it may hold a password.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # a bad port, or a netloc that NFKC turns into '/', '@', ':' ...
        raise BadHostError("it is not a valid URL (check the port and the host)") from None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadHostError("it is not an http(s) URL with a host")
    if "@" in parts.netloc or parts.query or parts.fragment:
        raise BadHostError("it must not carry credentials, a query or a fragment")
    host = canonical_host(parts.hostname)
    port = port if port is not None else _DEFAULT_PORTS[parts.scheme]
    return Origin(parts.scheme, host, port, parts.path.rstrip("/"))
