"""Settings from the environment, read in one place."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
DEMO_DIR = DATA_DIR / "demo"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'ropa.db'}"


def database_url() -> str:
    """``ROPA_DATABASE_URL``, or the embedded SQLite file ``data/ropa.db``."""
    return os.environ.get("ROPA_DATABASE_URL") or DEFAULT_DATABASE_URL


def current_actor() -> str:
    """Who is making a change, for the audit trail: ``ROPA_USER`` or the login name."""
    env = os.environ.get("ROPA_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def _number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def signin_max_failures() -> int:
    """Failed sign-ins in a row after which an account locks (``ROPA_SIGNIN_MAX_FAILURES``, 5)."""
    return max(1, int(_number("ROPA_SIGNIN_MAX_FAILURES", 5)))


def signin_lock_minutes() -> float:
    """How long a locked account stays locked (``ROPA_SIGNIN_LOCK_MINUTES``, 15)."""
    return _number("ROPA_SIGNIN_LOCK_MINUTES", 15)


def signin_delay_seconds() -> float:
    """The pause after a failed sign-in, doubled with each further failure up to 8 times
    (``ROPA_SIGNIN_DELAY_SECONDS``, 1): guessing gets slow long before the lock."""
    return _number("ROPA_SIGNIN_DELAY_SECONDS", 1)


def session_idle_minutes() -> float:
    """A dashboard session idle this long is signed out (``ROPA_SESSION_IDLE_MINUTES``, 30)."""
    return _number("ROPA_SESSION_IDLE_MINUTES", 30)
