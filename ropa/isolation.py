"""Read a file someone sent us in a child process with a memory limit, so no file can stop the server.

The readers underneath (calamine, for .xlsx, .xls and .ods) are native code: when one of them
asks for more memory than there is, the allocation failure aborts the whole process, and no
Python ``except`` runs. :mod:`ropa.excel.extent` refuses the sheets known to do that; this
module is for everything nobody has thought of yet. The Import page and ``python -m ropa
import`` read (and, from the CLI, import) in a fresh Python process whose address space is
capped (``RLIMIT_AS``, :func:`ropa.settings.import_memory_mb`); whatever happens there, the
caller gets a result or a :class:`~ropa.errors.RopaError` with one sentence, never a dead
server. A child that dies writes nothing: its transaction was never committed.

The child opens its own engine from the caller's database URL; arguments and results travel
as pickles over its stdin and stdout, and its log (with any traceback) is passed on to this
process's log.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
from pathlib import Path
from collections.abc import Callable
from typing import Any, Optional, Union

from ropa.errors import Problem, RopaError, ValidationFailed
from ropa.settings import PROJECT_DIR, import_memory_mb

log = logging.getLogger(__name__)


def stopped(source: str, memory_mb: int) -> ValidationFailed:
    """What a person is told when the reading process died (out of memory, or a crash in a reader)."""
    return ValidationFailed([Problem(source, "reader_stopped", (
        f"the file could not be read: it needs more memory than allowed ({memory_mb:,} MB) or the reader stopped; nothing "
        f"was written / filen kunne ikke leses: den trenger mer minne enn tillatt ({memory_mb:,} MB), eller leseren "
        "stoppet; ingenting ble lagret"))])


def run(target: str, *args: Any, source: str, memory_mb: Optional[int] = None,
        diagnose: Optional[Callable[[], Optional[RopaError]]] = None, **kwargs: Any) -> Any:
    """Call ``module:function`` with the arguments in a child process capped at ``memory_mb``
    (default :func:`ropa.settings.import_memory_mb`); return what it returns, raise the
    :class:`RopaError` it raises, and turn its death into :func:`stopped` (naming ``source``),
    or into what ``diagnose`` finds (run here, after the child died; pure Python)."""
    limit = memory_mb or import_memory_mb()
    payload = pickle.dumps((target, args, kwargs, limit))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH")) if p),
           "MALLOC_ARENA_MAX": "2"}  # glibc reserves 64 MB of address space per thread's arena otherwise
    proc = subprocess.run([sys.executable, "-c", "from ropa.isolation import _child; _child()"], input=payload,
                          capture_output=True, env=env, check=False)
    err = proc.stderr.decode("utf-8", "replace").strip()
    if err:
        log.warning("reading %s in a child process: %s", source, err[-20_000:])
    if proc.returncode == 0 and proc.stdout:
        try:
            kind, value = pickle.loads(proc.stdout)
        except Exception:  # a child that wrote something else before it stopped
            log.warning("reading %s: the child process gave no result", source, exc_info=True)
            raise stopped(source, limit) from None
        if kind == "ok":
            return value
        if kind == "error" and isinstance(value, BaseException):
            raise value
        if kind == "memory":
            raise stopped(source, limit)
        raise RuntimeError(f"reading {source} failed in the child process: {value}")
    died = -proc.returncode if proc.returncode < 0 else None
    log.warning("reading %s: the child process stopped (%s)", source,
                signal.Signals(died).name if died and died in signal.Signals._value2member_map_ else f"exit {proc.returncode}")
    found = diagnose() if diagnose else None
    if found is not None:
        raise found
    raise stopped(source, limit)


def _child() -> None:
    """The child's side: cap the address space, call the function, pickle the outcome to stdout."""
    import importlib
    import resource
    import traceback

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    target, args, kwargs, limit = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing the function prints may corrupt the result
    cap = limit * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    try:
        module, _, name = target.partition(":")
        result: tuple[str, Any] = ("ok", getattr(importlib.import_module(module), name)(*args, **kwargs))
    except MemoryError:
        result = ("memory", None)
    except RopaError as exc:
        result = ("error", exc)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which logs and says one sentence
        traceback.print_exc()
        result = ("error", exc) if _picklable(exc) else ("failed", f"{type(exc).__name__}: {exc}")
    try:
        data = pickle.dumps(result)
    except Exception as exc:  # noqa: BLE001
        data = pickle.dumps(("failed", f"the result could not be passed back: {exc}"))
    out.write(data)
    out.flush()


def _picklable(value: Any) -> bool:
    try:
        pickle.loads(pickle.dumps(value))
        return True
    except Exception:  # noqa: BLE001
        return False


# ---------------------------------------------------------------------------------------------
# What runs in the child: the importer's entry points, each with its own engine


def _url(engine_or_url: Any) -> str:
    if isinstance(engine_or_url, str):
        return engine_or_url
    return str(engine_or_url.url.render_as_string(hide_password=False))


def _diagnosis(path: Path) -> Callable[[], Optional[RopaError]]:
    """After the child died reading ``path``: a sheet reaching too far, named (an .xlsx whose large
    sheets were not scanned before calamine read them, see :data:`ropa.excel.extent.SCAN_UP_TO`)."""
    def diagnose() -> Optional[RopaError]:
        from ropa.excel import extent

        return extent.diagnose(path) if path.suffix.lower() in (".xlsx", ".xlsm") else None
    return diagnose


def plan_file(engine: Any, path: Union[str, Path], **options: Any) -> Any:
    """:func:`ropa.excel.importer.plan_file` in a memory-limited child process."""
    p = Path(path).absolute()
    return run("ropa.isolation:_plan", _url(engine), str(p), options, source=p.name, diagnose=_diagnosis(p))


def import_file(engine: Any, path: Union[str, Path], **options: Any) -> Any:
    """:func:`ropa.excel.importer.import_file` in a memory-limited child process, in a
    transaction of its own (a dry run rolls back)."""
    p = Path(path).absolute()
    return run("ropa.isolation:_import", _url(engine), str(p), options, source=p.name, diagnose=_diagnosis(p))


def import_json(engine: Any, path: Union[str, Path], *, actor: str, dry_run: bool = False) -> Any:
    """:func:`ropa.interchange.read_json` and :func:`~ropa.interchange.import_document` in a child process."""
    return run("ropa.isolation:_import_json", _url(engine), str(Path(path).absolute()), actor, dry_run, source=Path(path).name)


def _plan(url: str, path: str, options: dict[str, Any]) -> Any:
    from ropa import db
    from ropa.excel import importer

    engine = db.make_engine(url)
    try:
        with db.session(engine) as s:
            return importer.plan_file(s, path, **options)
    finally:
        engine.dispose()


def _import(url: str, path: str, options: dict[str, Any]) -> Any:
    from ropa import db
    from ropa.excel import importer

    engine = db.make_engine(url)
    try:
        if options.get("dry_run"):
            with db.session(engine) as s:
                return importer.import_file(s, path, **options)
        with db.transaction(engine) as s:
            return importer.import_file(s, path, **options)
    finally:
        engine.dispose()


def _import_json(url: str, path: str, actor: str, dry_run: bool) -> Any:
    from ropa import db, interchange

    engine = db.make_engine(url)
    try:
        data = interchange.read_json(path)
        if dry_run:
            with db.session(engine) as s:
                try:
                    return interchange.import_document(s, data, actor=actor, source=Path(path).name, dry_run=True)
                finally:
                    s.rollback()
        with db.transaction(engine) as s:
            return interchange.import_document(s, data, actor=actor, source=Path(path).name)
    finally:
        engine.dispose()


__all__ = ["import_file", "import_json", "plan_file", "run", "stopped"]
