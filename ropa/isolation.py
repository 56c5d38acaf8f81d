"""Read a file someone sent us in a child process with a memory limit, so no file can stop the server.

The readers underneath (calamine, for .xlsx, .xls and .ods) are native code: when one of them
asks for more memory than there is, the allocation failure aborts the whole process, and no
Python ``except`` runs. :mod:`ropa.excel.extent` refuses the sheets known to do that; this
module is for everything nobody has thought of yet. The Import page and ``python -m ropa
import`` read (and, from the CLI, import) in a child process whose address space is capped
(``RLIMIT_AS``, :func:`ropa.settings.import_memory_mb`); whatever happens there, the caller
gets a result or a :class:`~ropa.errors.RopaError` with one sentence, never a dead server. A
child that dies writes nothing: its transaction was never committed.

The child opens its own engine from the caller's database URL; arguments and results travel
as pickles, and its output (with any traceback) is passed on to this process's log. The
Streamlit server runs threads, so its child is a fresh interpreter (about a second of start-up);
the CLI runs none, so its child is a fork of itself (no second start-up).
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional, Union

from ropa import access
from ropa.errors import Problem, RopaError, ValidationFailed
from ropa.settings import PROJECT_DIR, import_memory_mb

log = logging.getLogger(__name__)


def stopped(source: str, memory_mb: int) -> ValidationFailed:
    """What a person is told when the reading process died (out of memory, or a crash in a reader)."""
    return ValidationFailed(
        [
            Problem(
                source,
                "reader_stopped",
                (
                    f"the file could not be read: it needs more memory than allowed ({memory_mb:,} MB) or the reader stopped; nothing "
                    f"was written / filen kunne ikke leses: den trenger mer minne enn tillatt ({memory_mb:,} MB), eller leseren "
                    "stoppet; ingenting ble lagret"
                ),
            )
        ]
    )


def run(
    target: str,
    *args: Any,
    source: str,
    memory_mb: Optional[int] = None,
    diagnose: Optional[Callable[[], Optional[RopaError]]] = None,
    fork: bool = False,
    **kwargs: Any,
) -> Any:
    """Call ``module:function`` with the arguments in a child process capped at ``memory_mb``
    (default :func:`ropa.settings.import_memory_mb`); return what it returns, raise the
    :class:`RopaError` it raises, and turn its death into :func:`stopped` (naming ``source``),
    or into what ``diagnose`` finds (run here, after the child died; pure Python). ``fork``: copy
    this process instead of starting a new interpreter (only from a process without threads)."""
    limit = memory_mb or import_memory_mb()
    if fork:
        returncode, stdout, stderr = _forked(target, args, kwargs, limit)
    else:
        returncode, stdout, stderr = _spawned(target, args, kwargs, limit)
    return _outcome(returncode, stdout, stderr, source=source, limit=limit, diagnose=diagnose)


def _spawned(target: str, args: Any, kwargs: Any, limit: int) -> tuple[int, bytes, bytes]:
    """A fresh interpreter: safe from any process, even one running threads (the Streamlit server)."""
    payload = pickle.dumps((target, args, kwargs, limit))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_DIR), os.environ.get("PYTHONPATH")) if p),
        "MALLOC_ARENA_MAX": "2",
    }  # glibc reserves 64 MB of address space per thread's arena otherwise
    proc = subprocess.run([sys.executable, "-c", "from ropa.isolation import _child; _child()"], input=payload, capture_output=True, env=env, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def _forked(target: str, args: Any, kwargs: Any, limit: int) -> tuple[int, bytes, bytes]:
    """A copy of this process (os.fork): no second start-up and imports, for the CLI, which runs
    no threads. The caller disposes its engines first: a pooled connection must not be shared."""
    read_end, write_end = os.pipe()
    errors = tempfile.TemporaryFile()  # the child's stdout and stderr (a reader's abort message, a traceback)
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        os.dup2(errors.fileno(), 1)
        os.dup2(errors.fileno(), 2)
        code = 0
        try:
            with os.fdopen(write_end, "wb") as out:
                out.write(_call(target, args, kwargs, limit))
        except BaseException:  # noqa: BLE001 - nothing may escape a forked child
            code = 70
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as f:
        stdout = f.read()
    _, status = os.waitpid(pid, 0)
    with errors:
        errors.seek(0)
        stderr = errors.read()
    return os.waitstatus_to_exitcode(status), stdout, stderr


def _outcome(returncode: int, stdout: bytes, stderr: bytes, *, source: str, limit: int, diagnose: Optional[Callable[[], Optional[RopaError]]]) -> Any:
    """The child's result, its RopaError raised, or its death in words."""
    proc = subprocess.CompletedProcess([], returncode, stdout, stderr)
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
    log.warning(
        "reading %s: the child process stopped (%s)",
        source,
        signal.Signals(died).name if died and died in signal.Signals._value2member_map_ else f"exit {proc.returncode}",
    )
    found = diagnose() if diagnose else None
    if found is not None:
        raise found
    raise stopped(source, limit)


def _child() -> None:
    """The spawned child's side: read the call from stdin, pickle the outcome to stdout."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    target, args, kwargs, limit = pickle.loads(sys.stdin.buffer.read())
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing the function prints may corrupt the result
    out.write(_call(target, args, kwargs, limit))
    out.flush()


def _call(target: str, args: Any, kwargs: Any, limit: int) -> bytes:
    """In the child: cap the address space, call the function, and pickle what came of it."""
    import importlib
    import resource
    import traceback

    cap = limit * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
    try:
        module, _, name = target.partition(":")
        result: tuple[str, Any] = ("ok", getattr(importlib.import_module(module), name)(*args, **kwargs))
    except MemoryError:
        result = ("memory", None)
    except RopaError as exc:
        result = ("error", exc) if _picklable(exc) else ("failed", str(exc))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which logs and says one sentence
        traceback.print_exc()
        result = ("error", exc) if _picklable(exc) else ("failed", f"{type(exc).__name__}: {exc}")
    try:
        return pickle.dumps(result)
    except Exception as exc:  # noqa: BLE001
        return pickle.dumps(("failed", f"the result could not be passed back: {exc}"))


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


def _prepare(engine: Any, fork: bool) -> None:
    if fork and not isinstance(engine, str):
        engine.dispose()  # no pooled connection may be shared with the copy


def plan_file(engine: Any, path: Union[str, Path], *, fork: bool = False, **options: Any) -> Any:
    """:func:`ropa.imports.plan` in a memory-limited child process."""
    p = Path(path).absolute()
    _prepare(engine, fork)
    options = {**options, "reader": access.reader()}  # the child reads as this thread's reader, scoped alike
    return run("ropa.isolation:_plan", _url(engine), str(p), options, source=p.name, diagnose=_diagnosis(p), fork=fork)


def import_file(engine: Any, path: Union[str, Path], *, fork: bool = False, **options: Any) -> Any:
    """:func:`ropa.imports.import_` in a memory-limited child process, in a transaction of its own
    (which the import rolls back in a dry run)."""
    p = Path(path).absolute()
    _prepare(engine, fork)
    options = {**options, "reader": access.reader()}
    return run("ropa.isolation:_import", _url(engine), str(p), options, source=p.name, diagnose=_diagnosis(p), fork=fork)


def import_json(engine: Any, path: Union[str, Path], *, actor: str, dry_run: bool = False, fork: bool = False) -> Any:
    """A JSON register file imported as it is (:func:`import_file` without options)."""
    return import_file(engine, path, actor=actor, dry_run=dry_run, fork=fork)


def _plan(url: str, path: str, options: dict[str, Any]) -> Any:
    from ropa import db, imports

    engine = db.make_engine(url)
    reader = options.pop("reader", None)
    try:
        with access.reading_as(reader), db.session(engine) as s:
            return imports.plan(s, path, **options)
    finally:
        engine.dispose()


def _import(url: str, path: str, options: dict[str, Any]) -> Any:
    from ropa import db, imports

    engine = db.make_engine(url)
    reader = options.pop("reader", None)
    try:
        with access.reading_as(reader), db.transaction(engine) as s:
            return imports.import_(s, path, **options)
    finally:
        engine.dispose()


__all__ = ["import_file", "import_json", "plan_file", "run", "stopped"]
