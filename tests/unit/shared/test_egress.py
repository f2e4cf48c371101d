"""The callback egress policy (services/shared/egress.py), resolving through a table: no sockets."""

import ipaddress
import socket
from collections.abc import Mapping, Sequence

import pytest

from services.shared import egress
from services.shared.egress import EgressPolicy, Refused
from services.shared.settings import Env, SettingsError

STRICT = EgressPolicy()
PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:4700::6810:84e5"


def table(names: Mapping[str, Sequence[str]]) -> egress.Resolve:
    """A resolver answering from `names`; any other name fails as getaddrinfo does."""

    def resolve(host: str, port: int) -> Sequence[str]:
        if host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return names[host]

    return resolve


RESOLVER = table(
    {
        "hooks.example.com": [PUBLIC_V4, PUBLIC_V6],
        "internal.example.com": ["10.1.2.3"],
        "half.example.com": [PUBLIC_V4, "192.168.1.20"],
        "metadata.example.com": ["169.254.169.254"],
        "mapped.example.com": ["::ffff:10.0.0.1"],
        "garbage.example.com": ["not-an-address"],
    }
)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://127.0.0.2:5432/",
        "https://[::1]/hook",
        "https://10.0.0.1/hook",
        "https://172.16.0.1/hook",
        "https://172.31.255.254/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",  # CGNAT
        "https://169.254.169.254/latest/meta-data/",
        "https://169.254.1.1/",
        "https://[fd00:ec2::254]/",
        "https://[fe80::1]/",
        "https://[fc00::1]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:a9fe:a9fe]/",  # ::ffff:169.254.169.254
        "https://0.0.0.0/",
        "https://[::]/",
        "https://224.0.0.1/",
        "https://[ff02::1]/",
        "https://255.255.255.255/",
        "https://240.0.0.1/",
        "https://192.0.2.10/",  # documentation
        "https://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "https://[2002:a00:1::]/",  # 6to4 of 10.0.0.1
        "https://internal.example.com/hook",
        "https://half.example.com/hook",
        "https://metadata.example.com/hook",
        "https://mapped.example.com/hook",
        "https://garbage.example.com/hook",
        "https://unknown.example.com/hook",
    ],
)
def test_non_public_destinations_are_refused(url: str) -> None:
    with pytest.raises(Refused):
        egress.pin(url, STRICT, RESOLVER)


def test_a_public_name_is_pinned_to_its_first_address_and_keeps_its_name() -> None:
    pinned = egress.pin("https://hooks.example.com:8443/a?b=1", STRICT, RESOLVER)
    assert pinned.address == PUBLIC_V4
    assert (pinned.target.host, pinned.target.port) == ("hooks.example.com", 8443)
    assert egress.pin(f"https://[{PUBLIC_V6}]/", STRICT, RESOLVER).address == PUBLIC_V6
    assert egress.pin(f"https://{PUBLIC_V4}/", STRICT, RESOLVER).target.port == 443


def test_one_private_address_among_public_ones_is_enough_to_refuse_and_is_named() -> None:
    with pytest.raises(Refused, match=r"half\.example\.com resolves to 192\.168\.1\.20"):
        egress.pin("https://half.example.com/", STRICT, RESOLVER)


def test_http_needs_the_development_setting() -> None:
    with pytest.raises(Refused, match="must use https"):
        egress.pin("http://hooks.example.com/", STRICT, RESOLVER)
    dev = EgressPolicy(allow_http=True)
    assert egress.pin("http://hooks.example.com/", dev, RESOLVER).target.port == 80
    for url in ("ftp://hooks.example.com/", "file:///etc/passwd", "gopher://hooks.example.com/"):
        with pytest.raises(Refused):
            egress.pin(url, dev, RESOLVER)


def test_userinfo_is_refused() -> None:
    for url in ("https://user:pw@hooks.example.com/", "https://hooks.example.com@10.0.0.1/"):
        with pytest.raises(Refused):
            egress.pin(url, STRICT, RESOLVER)


def test_the_allow_list_admits_its_networks_but_never_metadata_or_unspecified() -> None:
    policy = EgressPolicy(
        allow_http=True, allowed_networks=egress.parse_networks("127.0.0.0/8, 10.0.0.0/8, 169.254.0.0/16")
    )
    assert egress.pin("http://127.0.0.1:9000/", policy, RESOLVER).address == "127.0.0.1"
    assert egress.pin("https://internal.example.com/", policy, RESOLVER).address == "10.1.2.3"
    # A mapped address is judged as the IPv4 address it is.
    assert egress.pin("https://mapped.example.com/", policy, RESOLVER).address == "::ffff:10.0.0.1"
    for url in ("https://169.254.169.254/", "https://metadata.example.com/", "https://0.0.0.0/"):
        with pytest.raises(Refused, match="never a callback address"):
            egress.pin(url, policy, RESOLVER)
    with pytest.raises(Refused):
        egress.pin("https://192.168.1.1/", policy, RESOLVER)


def test_refusal_of_single_addresses() -> None:
    def reason(text: str) -> str | None:
        return egress.refusal(ipaddress.ip_address(text), STRICT)

    assert reason(PUBLIC_V4) is None and reason(PUBLIC_V6) is None and reason("8.8.8.8") is None
    assert reason("100.64.0.1") == "100.64.0.1 is not a public address"
    assert reason("::ffff:127.0.0.1") == "127.0.0.1 is not a public address"
    assert reason("2002:a00:1::") is not None


def test_settings_are_read_from_the_environment_and_named_when_wrong() -> None:
    assert EgressPolicy.from_env(Env({})) == EgressPolicy(allow_http=False, allowed_networks=())
    read = EgressPolicy.from_env(
        Env({"CALLBACK_ALLOW_HTTP": "1", "CALLBACK_ALLOWED_NETWORKS": "10.20.0.0/16, fd12::/64"})
    )
    assert read.allow_http and [str(n) for n in read.allowed_networks] == ["10.20.0.0/16", "fd12::/64"]
    with pytest.raises(SettingsError, match="CALLBACK_ALLOWED_NETWORKS"):
        EgressPolicy.from_env(Env({"CALLBACK_ALLOWED_NETWORKS": "10.0.0.1/8"}))
    with pytest.raises(SettingsError, match="CALLBACK_ALLOWED_NETWORKS"):
        EgressPolicy.from_env(Env({"CALLBACK_ALLOWED_NETWORKS": "intranet"}))
    with pytest.raises(SettingsError, match="CALLBACK_ALLOW_HTTP"):
        EgressPolicy.from_env(Env({"CALLBACK_ALLOW_HTTP": "yes"}))
