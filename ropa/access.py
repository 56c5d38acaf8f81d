"""Who may do what: roles, the organisations assigned to a user, and the one check every write makes.

The policy lives here and nowhere else. The register's write functions (``ropa.register``,
``ropa.register.bulk``, the imports, the demo load) call :func:`require` first, so the dashboard, the CLI,
an import and any script get the same answer: :class:`~ropa.errors.PermissionDenied`, naming
the missing permission, and nothing written.

``actor`` is either a :class:`Principal` or a user's name. While the register has no users, a
name means a local administrator of that name (the embedded single-user tool); once a user
exists, a name must be an enabled user. Reads are scoped by :func:`reading_as`: an editor or
viewer lists, exports and checks only the organisations assigned.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Optional, Union

from sqlalchemy import func, select
from sqlmodel import Session, col

from ropa.errors import PermissionDenied

# The names and words of roles and permissions live below, in ropa.permissions; still importable from here.
from ropa.permissions import (  # noqa: F401
    _READS,
    ADMIN_USERS,
    APPROVE,
    CHECK,
    CREATE_ORGANISATION,
    DELETE_ORGANISATION,
    EDIT_ACTIVITY,
    EDIT_ORGANISATION,
    EDIT_RECIPIENT,
    EXPORT,
    GLOBAL,
    IMPORT,
    PERMISSION_LABELS,
    PERMISSIONS,
    READ,
    ROLE_LABELS,
    ROLES,
    SETTINGS,
    SNAPSHOT,
    deny_message,
    permission_label,
)
from ropa.text import Words


@dataclass(frozen=True)
class Principal:
    """Who is acting: a name, a role and the organisations assigned (None: all of them).

    ``local`` marks the administrator of a register that has no users yet: it may do anything.
    """

    name: str
    role: str
    orgs: Optional[frozenset[str]] = None
    local: bool = False

    @property
    def scoped(self) -> bool:
        return self.orgs is not None and not self.local

    def assigned(self, org: str) -> bool:
        # lower(), not casefold(): the register tells names apart as lower() does (its unique index is
        # on lower(name)), and casefold() would make "Straße AS" and "STRASSE AS", two organisations, one
        return self.orgs is None or org.lower() in {o.lower() for o in self.orgs}


def can(principal: Principal, permission: str, org: Optional[str] = None) -> bool:
    """Whether the principal holds ``permission`` (for ``org``, when it is about one organisation).

    With ``org`` None an organisation-level permission asks only whether the role has it.
    """
    if principal.local:
        return True
    if permission not in PERMISSIONS.get(principal.role, ()):
        return False
    if permission in GLOBAL:
        return principal.orgs is None
    return org is None or principal.assigned(org)


# ---------------------------------------------------------------------------------------------
# Resolving an actor against the register's users


def users_exist(session: Session) -> bool:
    """Whether anyone must sign in (cached for the session; :func:`forget` after a change)."""
    from ropa.models import UserAccount

    cache = session.info.setdefault("ropa.access", {})
    if "users" not in cache:
        cache["users"] = bool(session.execute(select(func.count()).select_from(UserAccount)).scalar_one())
    return bool(cache["users"])


def forget(session: Session) -> None:
    """Drop what this session remembers about users (after one was added, changed or disabled)."""
    session.info.pop("ropa.access", None)


def load_principal(session: Session, name: str) -> Optional[Principal]:
    """The enabled user of that name (exact, else case-insensitive) as a principal, or None."""
    from ropa.models import Organisation, UserAccount, UserOrganisation

    users = session.execute(select(UserAccount).where(func.lower(col(UserAccount.name)) == name.strip().lower())).scalars().all()
    user = next((u for u in users if u.name == name.strip()), users[0] if users else None)
    if user is None or not user.enabled:
        return None
    orgs = (
        session.execute(
            select(col(Organisation.name))
            .join(UserOrganisation, col(UserOrganisation.organisation_id) == col(Organisation.id))
            .where(col(UserOrganisation.user_id) == user.id)
        )
        .scalars()
        .all()
    )
    global_ = user.role in ("admin", "dpo") and not orgs
    return Principal(user.name, user.role, None if global_ else frozenset(orgs))


def principal(session: Session, actor: Union[str, Principal]) -> Principal:
    """The principal behind ``actor``: a Principal as given; a name as the local administrator
    while there are no users, else as the enabled user of that name (PermissionDenied otherwise)."""
    cache = session.info.setdefault("ropa.access", {}).setdefault("principals", {})
    if isinstance(actor, Principal):
        cache[actor.name] = actor  # the nested writes of this one (retire -> update) see it by name
        return actor
    if actor in cache:
        found = cache[actor]
    elif not users_exist(session):
        return Principal(actor, "admin", None, local=True)
    else:
        found = cache[actor] = load_principal(session, actor)
    if found is None:
        raise PermissionDenied(user=actor, permission="user.enabled")
    return found


def require(session: Session, actor: Union[str, Principal], permission: str, org: Optional[str] = None) -> str:
    """Raise :class:`PermissionDenied` unless ``actor`` holds ``permission`` (for ``org``);
    return the name to record in the audit trail."""
    p = principal(session, actor)
    if can(p, permission, org):
        return p.name
    if org is not None and p.scoped and permission not in GLOBAL and permission in PERMISSIONS.get(p.role, ()):
        canonical = _canonical(session, org)  # named by organisation number or in other letter case
        if canonical is not None and canonical != org and can(p, permission, canonical):
            return p.name
    raise PermissionDenied(user=p.name, role=p.role, permission=permission, organisation=org)


def _canonical(session: Session, org: str) -> Optional[str]:
    from ropa.models import organisation_named

    with reading_as(None):
        found = organisation_named(session, org)
    return found.name if found else None


# ---------------------------------------------------------------------------------------------
# Reads: the organisations the current reader may see

_reader: contextvars.ContextVar[Optional[Principal]] = contextvars.ContextVar("ropa_reader", default=None)


def reader() -> Optional[Principal]:
    """Who is reading in this thread (set by the dashboard and the CLI); None: unrestricted."""
    return _reader.get()


@contextmanager
def reading_as(p: Optional[Principal]) -> Iterator[None]:
    """Scope the register's reads (lists, searches, exports, checks) to what ``p`` may read."""
    token = _reader.set(p)
    try:
        yield
    finally:
        _reader.reset(token)


def set_reader(p: Optional[Principal]) -> None:
    """Scope the reads of the rest of this thread (a Streamlit script run, a CLI command)."""
    _reader.set(p)


def readable_orgs() -> Optional[frozenset[str]]:
    """The organisation names the current reader may read, or None for all."""
    p = reader()
    return p.orgs if p is not None and p.scoped else None


def read_scope(orgs: Optional[Sequence[str]], permission: str = READ) -> Optional[list[str]]:
    """The organisations to read for a request naming ``orgs`` (None: all the reader may see).

    Raises PermissionDenied for a named organisation outside the reader's assignment.
    """
    p = reader()
    if p is None or not p.scoped:
        if p is not None and not can(p, permission):
            raise PermissionDenied(user=p.name, role=p.role, permission=permission)
        return list(orgs) if orgs else None
    assert p.orgs is not None
    if not can(p, permission):
        raise PermissionDenied(user=p.name, role=p.role, permission=permission)
    if not orgs:
        if not p.orgs:
            raise PermissionDenied(user=p.name, role=p.role, permission=permission, organisation="(none assigned)")
        return sorted(p.orgs)
    for o in orgs:
        if not p.assigned(o):
            raise PermissionDenied(user=p.name, role=p.role, permission=permission, organisation=o)
    return list(orgs)


def describe(p: Principal, lang: str = "en") -> str:
    """A principal as the sidebar shows it: name, role and scope."""
    if p.local:
        return {"nb": f"{p.name} (lokal administrator)", "en": f"{p.name} (local administrator)"}[lang]
    role = ROLE_LABELS.get(p.role, Words(p.role, p.role)).in_(lang).split(" (")[0]
    scope = ", ".join(sorted(p.orgs)) if p.orgs is not None else {"nb": "alle virksomheter", "en": "all organisations"}[lang]
    return f"{p.name} ({role}; {scope})"
