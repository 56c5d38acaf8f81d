"""Uploaded files on disk only while they are read, and private while they exist.

The readers check files (size first), so an upload is written to disk to be read. A register
holds personal data: the copy lives in its own ``mkdtemp`` folder (mode 0700, the file 0600)
and is removed as soon as the read or the import is over. A copy left behind by a killed
process is swept once it is a day old.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

PREFIX = "ropa-import-"
LEGACY = "ropa-import"  # the shared, world-readable folder of earlier versions
STALE_AFTER = 24 * 3600  # seconds
_SWEEP_EVERY = 3600
_last_sweep = 0.0


def safe_name(name: str) -> str:
    """The upload's own file name (kept for the audit trail and the reader's format), reduced to
    characters that cannot leave the folder."""
    cleaned = re.sub(r"[^\w.\- ]+", "_", Path(str(name)).name).strip().lstrip(".")
    return cleaned[:200] or "upload"


def sweep(*, folder: Optional[Path] = None, now: Optional[float] = None, older_than: float = STALE_AFTER) -> int:
    """Remove this user's upload folders older than ``older_than`` seconds (left by a process
    that was killed mid-read), and the same in the legacy shared folder; the number removed."""
    base = Path(folder or tempfile.gettempdir())
    now = time.time() if now is None else now
    legacy = base / LEGACY
    candidates = list(base.glob(f"{PREFIX}*"))
    if legacy.is_dir() and not legacy.is_symlink():
        candidates += list(legacy.iterdir())
    removed = 0
    for p in candidates:
        try:
            st = p.lstat()
            if (hasattr(os, "getuid") and st.st_uid != os.getuid()) or now - st.st_mtime < older_than:
                continue
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def _sweep_now_and_then() -> None:
    global _last_sweep
    if time.time() - _last_sweep >= _SWEEP_EVERY:
        _last_sweep = time.time()
        sweep()


@contextmanager
def private_copy(name: str, data: bytes, *, folder: Optional[Path] = None) -> Iterator[Path]:
    """The upload as a file only this process's user can read, removed when the block ends."""
    if folder is None:
        _sweep_now_and_then()
    tmp = Path(tempfile.mkdtemp(prefix=PREFIX, dir=folder))  # mode 0700
    try:
        path = tmp / safe_name(name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        yield path
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
