"""Typed errors for the registry; the edges (CLI, pages) turn them into words and exit codes.

A rejected input carries every problem found, each naming where it is (a path such as
``("organisations", 2, "activities", 5, "transfers", 0, "country")`` or ``("sheet", "Activities",
"row", 12, "column", "Country")``) and which field, so a person can fix the source in one pass
instead of one error at a time, and a program can act on it without reading the words.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ropa.permissions import deny_message

# The language problems are told in (nb | en) while an import or check runs: set by the edges
# (CLI --lang, the page's language), read where messages are made.
MESSAGE_LANG: ContextVar[str] = ContextVar("ropa_message_lang", default="en")


# A problem's place: a JSON path ``("organisations", 0, "activities", 3, "transfers", 1, "country")``, a place
# in a file ``("sheet", "Activities", "row", 12, "column", "Country")``, or an option or file name ``("--map",)``.
PathPart = Union[str, int]


def render_path(path: tuple[PathPart, ...]) -> str:
    """A JSON path as people read it: ``("organisations", 2, "name")`` -> ``organisations[2].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True, init=False)
class Problem:
    """One thing wrong with an input: where (``path``, a tuple), which field (a key of
    :mod:`ropa.fields` when there is one), a stable code and a message. ``where`` is only the
    path's rendering for people (in their language, as the file names it); nothing reads it back.

    ``Problem("name", "duplicate", "...")`` (a place given as text) still works: its path is that text.
    """

    path: tuple[PathPart, ...]
    code: str
    message: str
    severity: str  # "error" rejects the input; "warning" is reported only
    field: Optional[str]
    where: str

    def __init__(
        self,
        path: Union[tuple[PathPart, ...], str] = (),
        code: str = "",
        message: str = "",
        severity: str = "error",
        *,
        field: Optional[str] = None,
        where: Optional[str] = None,
    ) -> None:
        if isinstance(path, str):
            text, path = path, ((path,) if path else ())
        else:
            path = tuple(path)
            text = render_path(path)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "severity", severity)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "where", text if where is None else where)

    def replace(self, **changes: Any) -> Problem:
        """A copy with some attributes changed (``where`` is rendered again from a new ``path`` unless given)."""
        values: dict[str, Any] = {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "field": self.field,
            "where": self.where if "path" not in changes else None,
        }
        values.update(changes)
        return Problem(values["path"], values["code"], values["message"], values["severity"], field=values["field"], where=values["where"])

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def _rebuild(cls: type[RopaError], args: tuple[Any, ...], state: dict[str, Any]) -> RopaError:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class RopaError(Exception):
    """Base of every error the registry raises on purpose."""

    def __reduce__(self) -> Any:
        """Errors cross process boundaries (:mod:`ropa.isolation` reads files in a child process),
        whatever their constructor takes: rebuilt from their fields, not by calling it again."""
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


@dataclass
class ValidationFailed(RopaError):
    """The input was rejected; nothing was written."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class InvalidOption(RopaError):
    """An option the operation does not offer (a workbook in a language other than bokmål or English);
    nothing was done. Names the option, the value given and the values offered."""

    def __init__(self, option: str, value: Any, allowed: tuple[str, ...], *, option_nb: Optional[str] = None) -> None:
        self.option, self.value, self.allowed, self.option_nb = option, value, allowed, option_nb or option
        super().__init__(option, value, allowed)

    def message(self, lang: str = "en") -> str:
        if lang == "nb":
            return f"{self.option_nb} må være {' eller '.join(repr(a) for a in self.allowed)}, ikke {self.value!r}"
        return f"{self.option} must be {' or '.join(repr(a) for a in self.allowed)}, not {self.value!r}"

    def __str__(self) -> str:
        return self.message("en")


class NotFound(RopaError):
    """The organisation, activity or recipient asked for does not exist."""


@dataclass
class Conflict(RopaError):
    """Someone else saved the record after the editor loaded it; nothing was written.

    ``changes`` lists the other saves (audit events newer than the version the editor saw),
    so the user can see what they would have overwritten.
    """

    entity: str
    key: str
    expected_version: int
    current_version: int
    changes: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        who = sorted({c["actor"] for c in self.changes if c.get("actor")})
        by = f" by {', '.join(who)}" if who else ""
        return (
            f"{self.entity} {self.key} was changed{by} after you opened it "
            f"(you edited version {self.expected_version}, it is now version "
            f"{self.current_version}); nothing was saved"
        )


class Busy(RopaError):
    """The SQLite register stayed locked by another write (an import holds the lock for its
    whole run) for longer than a save waits; nothing was saved, and trying again will work."""

    def __init__(self, waited: float) -> None:
        super().__init__(waited)
        self.waited = waited

    def message(self, lang: str = "en") -> str:
        if lang == "nb":
            return (
                f"Registeret er opptatt: en import (eller en annen stor lagring) pågår, og vi ventet i {self.waited:g} "
                "sekunder. Ingenting ble lagret; prøv igjen når importen er ferdig."
            )
        return (
            f"The register is busy: an import (or another large save) is running, and we waited {self.waited:g} "
            "seconds. Nothing was saved; try again when the import has finished."
        )

    def __str__(self) -> str:  # both languages where the edge does not know the user's
        return f"{self.message('en')} / {self.message('nb')}"


class PermissionDenied(RopaError):
    """The actor may not do this; nothing was written. Names the missing permission (see
    :mod:`ropa.access`), whose it was, and the organisation it was about."""

    def __init__(self, *, user: str, permission: str, role: str = "", organisation: Optional[str] = None) -> None:
        self.user, self.permission, self.role, self.organisation = user, permission, role, organisation
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.permission == "user.enabled":
            return f"'{self.user}' is not an enabled user of this register"
        where = f" in '{self.organisation}'" if self.organisation else ""
        return f"permission denied: {self.user} ({self.role}) lacks '{self.permission}'{where}; nothing was written"

    def message(self, lang: str = "en") -> str:
        """The refusal as a sentence in ``lang``, naming the permission (words in :mod:`ropa.access`)."""
        return deny_message(self, lang)


def _offending_field(exc: BaseException) -> Optional[str]:
    """The column whose value the database refused, where the statement's parameters show it:
    a text with a NUL character, or a whole number beyond a 32/64-bit column."""
    params = getattr(exc, "params", None)
    rows = params if isinstance(params, (list, tuple)) and params and isinstance(params[0], dict) else [params]
    for row in rows[:10_000]:
        if not isinstance(row, dict):
            continue
        for key, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                return str(key)
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**31:
                return str(key)
    diag = getattr(getattr(exc, "orig", None), "diag", None)
    return getattr(diag, "column_name", None) or getattr(diag, "constraint_name", None)


def explain(exc: BaseException, lang: str = "en") -> str:
    """One sentence for a person, in ``lang`` (``nb`` or ``en``), for any error: a
    :class:`RopaError` says what it is; a database refusal says which field where it can; anything
    else says that something went wrong. Never a class name, a traceback or SQL: the caller logs those."""
    nb = lang == "nb"
    if isinstance(exc, ValidationFailed):
        return "\n".join(str(p) for p in exc.problems) or ("Inndataene ble avvist." if nb else "The input was rejected.")
    if isinstance(exc, RopaError):
        message = getattr(exc, "message", None)  # errors that speak both languages say it in the user's
        return message(lang) if callable(message) else str(exc)
    try:
        from sqlalchemy import exc as sa
    except ImportError:  # pragma: no cover - sqlalchemy is a dependency
        sa = None  # type: ignore[assignment]
    if sa is not None and isinstance(exc, sa.DBAPIError):
        field_ = _offending_field(exc)
        text = str(getattr(exc, "orig", exc)).lower()
        if isinstance(exc, sa.IntegrityError):
            return (
                f"Databasen avviste endringen: den ville gi en dublett eller en brutt kobling ({field_ or 'ukjent felt'}); ingenting ble lagret."
                if nb
                else f"The database refused the change: it would create a duplicate or a broken link ({field_ or 'field unknown'}); nothing was saved."
            )
        if isinstance(exc, sa.OperationalError) and "locked" in text:
            return (
                "Databasen er opptatt (en import eller en annen lagring pågår); prøv igjen om litt. Ingenting ble lagret."
                if nb
                else "The database is busy (an import or another save is running); try again shortly. Nothing was saved."
            )
        if isinstance(exc, sa.DataError) or "nul" in text or "out of range" in text:
            where = f" i feltet «{field_}»" if nb and field_ else f" in the field '{field_}'" if field_ else ""
            return (
                f"Databasen avviste en verdi{where} (et NUL-tegn, et for stort tall eller en for lang tekst); ingenting ble lagret."
                if nb
                else f"The database refused a value{where} (a NUL character, a number too large or a text too long); nothing was saved."
            )
        return (
            "Databasen svarte med en feil; ingenting ble lagret. Detaljene står i serverloggen."
            if nb
            else "The database answered with an error; nothing was saved. The details are in the server log."
        )
    if isinstance(exc, OSError) and exc.strerror:
        name = f" ({exc.filename})" if exc.filename else ""
        return f"Filen kunne ikke leses eller skrives{name}: {exc.strerror}." if nb else f"The file could not be read or written{name}: {exc.strerror}."
    if isinstance(exc, RecursionError):
        return "Dataene er nestet for dypt til å leses; ingenting ble lagret." if nb else "The data is nested too deeply to be read; nothing was saved."
    if isinstance(exc, MemoryError):
        return "Det var ikke nok minne til å fullføre; ingenting ble lagret." if nb else "There was not enough memory to finish; nothing was saved."
    return (
        "Noe gikk galt, og ingenting ble lagret. Detaljene står i serverloggen."
        if nb
        else "Something went wrong and nothing was saved. The details are in the server log."
    )
