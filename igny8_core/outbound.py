"""Outbound URL policy for every request the server makes on a user's behalf.

A WordPress address or an image URL comes from outside; without a policy the server would
send requests (and credentials) to its own loopback, the private network or the cloud metadata
service (SSRF). `check_url` allows http/https only, resolves the host once and checks every
address it resolves to; `outbound_session()` gives a `requests` session that re-checks every
request and every redirect hop and connects to the address that was checked (a second DNS
answer cannot swap in an internal address between check and connect: no rebinding window).

Settings:
- OUTBOUND_ALLOW_PRIVATE (default false): also allow private networks (10/8, 172.16/12,
  192.168/16, 100.64/10, fc00::/7), for a WordPress on the intranet. Loopback, link-local,
  multicast, reserved and cloud metadata addresses stay refused.
- OUTBOUND_ALLOWED_ADDRESSES (default empty): addresses allowed whatever they are, as
  "IP", "CIDR" or "IP:port" / "[IPv6]:port" (tests point it at their local servers).
"""

import http
import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest, Response
from urllib3 import HTTPConnectionPool

MAX_REDIRECTS = 5

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Instance metadata services (AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba, Oracle): refused even
# when private networks are allowed, since they hand out the cloud credentials of the host.
METADATA_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32", "192.0.0.192/32")
)
# What OUTBOUND_ALLOW_PRIVATE opens: the private ranges an intranet server lives in, nothing more.
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)


class OutboundURLRefused(ValueError):
    """The URL may not be requested; str() is a message for the user."""


class HostNotFound(OutboundURLRefused):
    """The host name does not resolve (now): may work later, unlike the other refusals."""


@dataclass(frozen=True)
class CheckedURL:
    url: str
    scheme: str
    host: str  # as written, lower case, IPv6 without brackets
    port: int
    addresses: tuple[str, ...]  # everything the host resolved to; all of it allowed

    @property
    def address(self) -> str:
        """The address connections go to."""
        return self.addresses[0]

    @property
    def host_is_ip(self) -> bool:
        return _parse_ip(self.host) is not None

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _parse_ip(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _unwrap(ip: Address) -> Address:
    """The IPv4 address inside an IPv4-mapped / 6to4 / Teredo IPv6 address (it is where packets go)."""
    if isinstance(ip, ipaddress.IPv6Address):
        return ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or ip
    return ip


def _allow_list() -> list[tuple[Network, int | None]]:
    entries = []
    for entry in getattr(settings, "OUTBOUND_ALLOWED_ADDRESSES", []) or []:
        entry, port = str(entry).strip(), None
        match = re.fullmatch(r"\[?([^\[\]]+?)\]?:(\d+)", entry)
        if match and (":" not in match.group(1) or entry.startswith("[")):
            entry, port = match.group(1), int(match.group(2))
        entries.append((ipaddress.ip_network(entry, strict=False), port))
    return entries


def _refusal(ip: Address, port: int) -> str | None:
    """Why `ip` may not be connected to, or None when it may."""
    if any(ip in network and allowed_port in (None, port) for network, allowed_port in _allow_list()):
        return None
    target = _unwrap(ip)
    if any(target in network for network in METADATA_NETWORKS):
        return "a cloud metadata address"
    if target.is_global and not target.is_multicast:
        return None
    if getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False) and any(target in n for n in PRIVATE_NETWORKS):
        return None
    return "a private or local address"


def check_url(url: str) -> CheckedURL:
    """Parse, resolve and check `url`; OutboundURLRefused (a ValueError) says why it is refused."""
    try:
        parts = urlsplit(str(url).strip())
        port = parts.port
    except ValueError:
        raise OutboundURLRefused("This is not a valid address.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise OutboundURLRefused("Only http:// and https:// addresses are allowed.")
    if parts.username is not None or parts.password is not None:
        raise OutboundURLRefused("The address must not contain a user name or password.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundURLRefused("The address has no host name.")
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise HostNotFound(f"The host name {host} could not be resolved.") from None
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        ip = _parse_ip(address.split("%", 1)[0])
        why = "an address that is not an IP address" if ip is None else _refusal(ip, port)
        if why:
            shown = host if host == address else f"{host} ({address})"
            raise OutboundURLRefused(f"{shown} points to {why}; the server does not connect there.")
    if not addresses:
        raise HostNotFound(f"The host name {host} could not be resolved.")
    return CheckedURL(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def check_url_for_saving(url: str) -> str:
    """Check an address the user saves. A host name that does not resolve now is accepted (DNS may
    be down, the site not live yet): every request checks it again before connecting."""
    try:
        check_url(url)
    except HostNotFound:
        pass
    return url


# Where send() leaves the checked address for get_connection_with_tls_context() on the request.
CHECKED_ATTRIBUTE = "outbound_checked"


class PinnedAddressAdapter(HTTPAdapter):
    """Checks every request (redirect hops included: requests sends each one through the adapter)
    and connects to the checked address, keeping the Host header, TLS SNI and certificate check
    on the name."""

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: Any = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> Response:
        checked = check_url(request.url or "")
        request = request.copy()  # the Host header must not follow a redirect to another host
        request.headers["Host"] = checked.host_header
        setattr(request, CHECKED_ATTRIBUTE, checked)
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)

    def get_connection_with_tls_context(
        self, request: PreparedRequest, verify: Any, proxies: dict[str, str] | None = None, cert: Any = None
    ) -> HTTPConnectionPool:
        checked: CheckedURL = getattr(request, CHECKED_ATTRIBUTE)
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = checked.address
        if checked.scheme == "https" and not checked.host_is_ip:
            pool_kwargs["server_hostname"] = checked.host
            pool_kwargs["assert_hostname"] = checked.host
        return self.poolmanager.connection_from_host(**host_params, pool_kwargs=pool_kwargs)


def outbound_session() -> requests.Session:
    """A requests session that applies the policy to every request and redirect."""
    session = requests.Session()
    # Environment proxies would connect to the proxy instead of the checked address.
    session.trust_env = False
    session.max_redirects = MAX_REDIRECTS
    adapter = PinnedAddressAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "IGNY8-Automation/1.0"
    return session


def describe_status(status: int) -> str:
    """'404 Not Found': the standard phrase, never the remote's own reason text."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def describe_request_error(exc: Exception) -> str:
    """A one-line reason for a failed request, from our side of the connection only."""
    if isinstance(exc, OutboundURLRefused):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.TooManyRedirects):
        return f"more than {MAX_REDIRECTS} redirects"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS handshake or certificate check failed"
    match = re.search(r"\[Errno -?\d+\] ([^'\"\)\]]+)", str(exc))
    return match.group(1).strip().rstrip(".") if match else "connection failed"


# What the OS says, as a reader would say it (the phrases of socket errors on Linux and macOS).
_PLAIN_REASONS = (
    ("connection refused", "connection refused"),
    ("name or service not known", "host name not found"),
    ("nodename nor servname", "host name not found"),
    ("temporary failure in name resolution", "host name not found"),
    ("no address associated with hostname", "host name not found"),
    ("could not be resolved", "host name not found"),
    ("no route to host", "no route to host"),
    ("network is unreachable", "network unreachable"),
    ("connection reset", "connection reset by the server"),
    ("timed out", "timed out"),
    ("certificate", "TLS certificate check failed"),
    ("ssl", "TLS handshake failed"),
)


def connection_failure(url: str, exc: BaseException) -> str:
    """'Could not connect to 127.0.0.1:1 (connection refused)': where, and why in a few words,
    never the library's exception text (it can be long and carry the remote's own words)."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or str(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        host, port = str(url)[:100], None
    if isinstance(exc, requests.Timeout):
        reason = "timed out"
    else:
        text = " ".join(str(part) for part in (exc, exc.__cause__, exc.__context__) if part).lower()
        reason = next((plain for needle, plain in _PLAIN_REASONS if needle in text), "connection failed")
    where = f"{host}:{port}" if port else host
    return f"Could not connect to {where} ({reason})"
