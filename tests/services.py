"""Tests that need a real service (PostgreSQL, Redis, Chromium) skip on a laptop without it, and
fail in CI, where SPBE_REQUIRE_SERVICES=1 says every service must be there."""

import os

import pytest

REQUIRE_SERVICES = os.environ.get("SPBE_REQUIRE_SERVICES", "").lower() in {"1", "true", "yes"}


def require_service(available, what):
    if available:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (SPBE_REQUIRE_SERVICES=1) but not available.")
    pytest.skip(f"{what} is not available here.")
