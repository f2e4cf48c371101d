"""Where outbound callbacks may go: https to a host whose every address is public (or on a network the
operator allows), checked at registration and again, pinned, at each delivery.

A callback URL is refused when:
- its scheme is not https (http only with CALLBACK_ALLOW_HTTP=1, for development), or it carries
  userinfo (`https://user:pass@host/`: a secret in a stored URL, and a classic parser confusion);
- its host does not resolve, or ANY address it resolves to is not public: loopback, private (RFC 1918,
  ULA), link-local (and so cloud metadata, 169.254.169.254 / fd00:ec2::254), CGNAT (100.64/10),
  multicast, reserved, unspecified (0.0.0.0, ::), documentation ranges, or an IPv6 address that embeds
  such an IPv4 address (IPv4-mapped ::ffff:a.b.c.d, 6to4, Teredo). One bad address is enough: the
  connection could go to any of them, and an attacker chooses which a resolver returns first.

CALLBACK_ALLOWED_NETWORKS (CIDRs) lets an operator admit integrations on the centre's own network;
metadata addresses, multicast and unspecified addresses stay refused even inside an allowed network.

The policy is pure apart from `resolve`, a function the caller passes (the system resolver by default,
a dictionary in tests). `pin` returns the one address the caller must connect to, so a name that
resolves differently a moment later (DNS rebinding) cannot redirect the connection.
"""

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from services.shared.settings import Env, SettingsError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) -> the addresses the host resolves to, as text; raises OSError when it does not resolve.
Resolve = Callable[[str, int], Sequence[str]]

# Never a callback, whatever the allow-list says: the cloud instance-metadata services (their
# credentials are the prize of most SSRF), and addresses that mean "this host" or "everyone".
ALWAYS_REFUSED: tuple[IPNetwork, ...] = (
    ipaddress.ip_network("169.254.169.254/32"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("0.0.0.0/8"),
    ipaddress.ip_network("::/128"),
    ipaddress.ip_network("224.0.0.0/4"),
    ipaddress.ip_network("ff00::/8"),
    ipaddress.ip_network("255.255.255.255/32"),
)


class Refused(ValueError):
    """The URL may not be used as a callback; the message says why, for the integration to read."""


@dataclass(frozen=True)
class EgressPolicy:
    """What the operator allows beyond public https hosts."""

    # Development only: lets a callback use plain http (the body is signed but readable on the wire).
    allow_http: bool = False
    # Non-public networks callbacks may reach (integrations inside the centre). Each one widens
    # what a stolen integration token can make the workers post to, so keep it narrow.
    allowed_networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_env(cls, env: Env) -> "EgressPolicy":
        allow_http = env.str("CALLBACK_ALLOW_HTTP", "0")
        if allow_http not in ("0", "1"):
            raise SettingsError(f"CALLBACK_ALLOW_HTTP must be 0 or 1, not {allow_http!r}")
        return cls(
            allow_http=allow_http == "1",
            allowed_networks=parse_networks(env.str("CALLBACK_ALLOWED_NETWORKS", "")),
        )


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """`10.20.0.0/16, fd12::/64` -> networks; SettingsError naming CALLBACK_ALLOWED_NETWORKS."""
    networks = []
    for part in text.split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=True))
            except ValueError as exc:
                raise SettingsError(f"CALLBACK_ALLOWED_NETWORKS: {exc}") from None
    return tuple(networks)


@dataclass(frozen=True)
class Target:
    """A callback URL taken apart: what to ask the resolver, and what to present to the server."""

    url: httpx.URL
    # ASCII (IDNA) host name or IP literal, without brackets: for the resolver, SNI and Host.
    host: str
    port: int


@dataclass(frozen=True)
class Pinned:
    """A checked target and the address a connection to it must use."""

    target: Target
    address: str


def parse(url: str, policy: EgressPolicy) -> Target:
    """The URL's parts, or Refused for a scheme, userinfo or host no callback may have (pure)."""
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError) as exc:
        raise Refused(f"not a usable URL: {exc}") from None
    if parsed.scheme != "https" and not (parsed.scheme == "http" and policy.allow_http):
        allowed = "https or http" if policy.allow_http else "https"
        raise Refused(f"the URL must use {allowed}, not {parsed.scheme or 'no scheme'}")
    if parsed.userinfo:
        raise Refused("the URL may not carry a user name or password")
    if not host:
        raise Refused("the URL needs a host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return Target(url=parsed, host=host, port=port)


def refusal(address: IPAddress, policy: EgressPolicy) -> str | None:
    """Why a callback may not connect to `address`; None when it may (pure)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # ::ffff:a.b.c.d is a.b.c.d on a dual-stack socket: judged (and allow-listed) as such.
        address = address.ipv4_mapped
    if any(address in network for network in ALWAYS_REFUSED):
        return f"{address} is never a callback address"
    if any(address.version == net.version and address in net for net in policy.allowed_networks):
        return None
    if not _public(address):
        return f"{address} is not a public address"
    if isinstance(address, ipaddress.IPv6Address):
        teredo = address.teredo
        for embedded in (address.sixtofour, *(teredo or ())):
            if embedded is not None and not _public(embedded):
                return f"{address} embeds {embedded}, which is not a public address"
    return None


def _public(address: IPAddress) -> bool:
    # is_global alone lets multicast (and some reserved IPv6) through.
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_unspecified)


def check_addresses(target: Target, addresses: Sequence[str], policy: EgressPolicy) -> Pinned:
    """Pins the first address when every one is allowed, else Refused naming the first that is not."""
    if not addresses:
        raise Refused(f"{target.host} resolves to no address")
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise Refused(f"{target.host} resolves to {text!r}, which is not an address") from None
        reason = refusal(address, policy)
        if reason is not None:
            shown = "" if text == target.host else f"{target.host} resolves to {text}: "
            raise Refused(f"{shown}{reason}")
    return Pinned(target=target, address=addresses[0])


def pin(url: str, policy: EgressPolicy, resolve: Resolve) -> Pinned:
    """Checks a callback URL and chooses the address to connect to; Refused with the reason.

    Blocking (it resolves): an event loop calls it in a thread.
    """
    target = parse(url, policy)
    try:
        addresses = [str(ipaddress.ip_address(target.host))]
    except ValueError:
        try:
            addresses = list(dict.fromkeys(resolve(target.host, target.port)))
        except (OSError, UnicodeError) as exc:
            raise Refused(f"{target.host} does not resolve: {exc}") from None
    return check_addresses(target, addresses, policy)


def system_resolve(host: str, port: int) -> list[str]:
    """The operating system's resolver (getaddrinfo): every address, IPv4 and IPv6, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    # An IPv6 link-local answer carries a scope (fe80::1%eth0); ipaddress keeps it, and refuses it.
    return [str(info[4][0]) for info in infos]
