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


def sqlite_busy_timeout() -> float:
    """Seconds a write on SQLite waits for another (an import holds the lock for its whole run):
    ``ROPA_SQLITE_BUSY_TIMEOUT``, default 60; after that the save says the register is busy."""
    try:
        return max(0.0, float(os.environ.get("ROPA_SQLITE_BUSY_TIMEOUT") or 60))
    except ValueError:
        return 60.0


def current_actor() -> str:
    """Who is making a change, for the audit trail: ``ROPA_USER`` or the login name."""
    env = os.environ.get("ROPA_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


DEFAULT_IMPORT_MEMORY_MB = 4096


def import_memory_mb() -> int:
    """``ROPA_IMPORT_MEMORY_MB``: the address space a child process reading an uploaded or imported
    file may use (:mod:`ropa.isolation`); 4096 MB unless set (at least 512)."""
    try:
        return max(512, int(os.environ.get("ROPA_IMPORT_MEMORY_MB") or DEFAULT_IMPORT_MEMORY_MB))
    except ValueError:
        return DEFAULT_IMPORT_MEMORY_MB


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


WORKBOOK_KEY_FILE = DATA_DIR / "workbook.key"
_workbook_keys: dict[str, bytes] = {}


def workbook_key() -> bytes:
    """The key of the workbook's row fingerprints (``ropa:digest``): ``ROPA_WORKBOOK_KEY``, else a
    random key kept in ``data/workbook.key`` (made on first use, readable by its owner alone).
    Without the key nobody can write a fingerprint that makes an edited hidden ``ropa:json``
    cell pass for an untouched row; a workbook fingerprinted with another key is read cell by
    cell (slower, the same result)."""
    env = os.environ.get("ROPA_WORKBOOK_KEY")
    if env:
        return env.encode("utf-8")[:64]
    path = str(WORKBOOK_KEY_FILE)
    if path not in _workbook_keys:
        _workbook_keys[path] = _key_file(WORKBOOK_KEY_FILE)
    return _workbook_keys[path]


def _key_file(path: Path) -> bytes:
    """The 32 bytes in ``path``, written there first (mode 0600) when there is none yet; a key of
    this process alone when the folder cannot be written."""
    import secrets

    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())[:64] or secrets.token_bytes(32)
    except (OSError, ValueError):
        pass
    key = secrets.token_bytes(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it meanwhile
        try:
            return bytes.fromhex(path.read_text(encoding="ascii").strip())[:64] or key
        except (OSError, ValueError):
            return key
    except OSError:
        return key
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key
