"""What a server's `host:port` bind address says about who can reach it."""

import ipaddress


def host_of(bind: str) -> str:
    """The host part of `host:port`, without an IPv6 address's brackets ("" for a bare `:port`)."""
    host, _, _ = bind.rpartition(":")
    return host.strip("[]")


def is_loopback(bind: str) -> bool:
    """True when only this machine can connect: 127.0.0.0/8, ::1 or `localhost`."""
    host = host_of(bind)
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost, or "" (every address)
        return False
