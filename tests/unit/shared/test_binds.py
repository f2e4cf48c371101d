"""Which bind addresses only this machine can reach."""

import pytest

from services.shared.binds import host_of, is_loopback


@pytest.mark.parametrize("bind", ["127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "localhost:1"])
def test_loopback_binds(bind: str) -> None:
    assert is_loopback(bind)


@pytest.mark.parametrize("bind", ["0.0.0.0:1", ":1", "[::]:1", "10.1.2.3:1", "192.168.0.1:1", "metrics:1"])
def test_every_other_bind_is_reachable_from_elsewhere(bind: str) -> None:
    assert not is_loopback(bind)


def test_host_of_strips_ipv6_brackets() -> None:
    assert (host_of("[::1]:9102"), host_of(":9102"), host_of("a.b:1")) == ("::1", "", "a.b")
