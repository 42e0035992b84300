"""IPv4 spellings of URL hosts: the one reading shared by PL104 and the private-address guard."""

from __future__ import annotations

import ipaddress

import pytest

from linter.hosts import ipv4_host


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),  # the last part fills the remaining bytes
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),  # a leading 0 is octal
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),  # one trailing dot, as in a fully qualified name
        ("10.1", "10.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),  # WHATWG: an empty hex number is 0
        ("134744072", "8.8.8.8"),  # public spellings are addresses too
        ("1.2.65535", "1.2.255.255"),
        ("4294967295", "255.255.255.255"),
        ("１２７.1", "127.0.0.1"),  # full-width digits, which IDNA maps to ASCII
        ("127。0。0。1", "127.0.0.1"),  # ideographic full stops
    ],
)
def test_ipv4_spellings(host: str, address: str) -> None:
    assert ipv4_host(host) == ipaddress.IPv4Address(address)


@pytest.mark.parametrize(
    "host",
    [
        "1.2.3.4.5",  # more than four parts
        "256.1.1.1.1",
        "256.1.1.1",  # a part other than the last above 255
        "1.2.3.256",
        "1.256.3",  # the last part overflows the bytes left to it
        "999999999999",
        "4294967296",
        "08.1.1.1",  # 8 is no octal digit
        "0x1g.1",
        "1..2",
        "example.123",  # a host whose last label is a number must be an address
        "example.0x1f",
        "+1.2.3.4",
        "1_0.1",
    ],
)
def test_numeric_hosts_that_are_no_address_are_invalid(host: str) -> None:
    with pytest.raises(ValueError, match="is not an IPv4 address"):
        ipv4_host(host)


@pytest.mark.parametrize(
    "host", ["example.com", "localhost", "a.b.", "0xg", "1.example", "127.0.0.1..", "x--1", ""]
)
def test_domain_names_are_not_addresses(host: str) -> None:
    assert ipv4_host(host) is None
