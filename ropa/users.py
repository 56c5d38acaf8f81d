"""The people who sign in: accounts with a role, assigned organisations and an argon2 hash.

Every change to an account, every refused sign-in and every lock is an audit event (entity
``user``), so the trail shows who was given which rights and who tried to guess a password.
Functions take the session and only flush, like :mod:`ropa.register`. Problems are worded in
:data:`ropa.errors.MESSAGE_LANG` (the dashboard sets the user's language; the CLI speaks English).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional, Union

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from ropa import access, settings
from ropa.access import Principal
from ropa.errors import MESSAGE_LANG, NotFound, Problem, ValidationFailed
from ropa.models import AuditEvent, SignInGuess, UserAccount, UserOrganisation, utcnow

_hasher = PasswordHasher()
MIN_PASSWORD = 10
SIGNED_OUT = "(signed out)"  # who a dashboard session acts as once signed out or idle: never a user


def _say(nb: str, en: str) -> str:
    return nb if MESSAGE_LANG.get() == "nb" else en


def _audit(
    session: Session, *, actor: str, action: str, user: UserAccount, field: Optional[str] = None, old: Any = None, new: Any = None, source: Optional[str] = None
) -> None:
    from ropa.register.audit import event_value

    assert user.id is not None
    session.add(
        AuditEvent(
            actor=actor,
            action=action,
            entity="user",
            entity_id=user.id,
            entity_key=user.name,
            field=field,
            old_value=event_value(old),
            new_value=event_value(new),
            version=0,
            source=source,
        )
    )


def _user_dict(session: Session, user: UserAccount) -> dict[str, Any]:
    return {"name": user.name, "email": user.email, "role": user.role, "enabled": user.enabled, "organisations": organisations_of(session, user)}


def organisations_of(session: Session, user: UserAccount) -> list[str]:
    from ropa.models import Organisation

    return list(
        session.execute(
            select(col(Organisation.name))
            .join(UserOrganisation, col(UserOrganisation.organisation_id) == col(Organisation.id))
            .where(col(UserOrganisation.user_id) == user.id)
            .order_by(col(Organisation.name))
        ).scalars()
    )


def _check_password(password: str, where: str = "password") -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed([Problem(where, "too_short", _too_short())])


def _too_short() -> str:
    return _say(f"et passord trenger minst {MIN_PASSWORD} tegn", f"a password needs at least {MIN_PASSWORD} characters")


def confirmed(password: str, again: str) -> str:
    """The password typed twice, when both agree (the dashboard's form and the CLI's prompt)."""
    if password != again:
        raise ValidationFailed(
            [Problem("password_again", "mismatch", _say("de to passordene er ulike; ingenting ble endret", "the two passwords differ; nothing was changed"))]
        )
    return password


def _unknown_role(role: str) -> Problem:
    return Problem(
        "role", "unknown", _say(f"«{role}» er ikke en rolle (bruk {', '.join(access.ROLES)})", f"'{role}' is not a role (use {', '.join(access.ROLES)})")
    )


def _needs_org(role: str) -> Problem:
    return Problem(
        "org",
        "required",
        _say(
            f"rollen {role} trenger minst én virksomhet (--org NAVN)",
            f"{'an' if role[:1] in 'aeiou' else 'a'} {role} needs at least one organisation (--org NAME)",
        ),
    )


def _last_admin(user: UserAccount) -> Problem:
    return Problem(
        "name",
        "last_admin",
        _say(
            f"«{user.name}» er den siste aktive administratoren eller personvernombudet for alle virksomheter; legg til en til først",
            f"'{user.name}' is the last enabled admin or dpo for all organisations; add another first",
        ),
    )


def _organisations(session: Session, names: Sequence[str], problems: list[Problem]) -> list[Any]:
    """The organisations named (each once), adding a problem for each unknown name."""
    from ropa.register.lookup import get_organisation

    found: dict[int, Any] = {}
    for o in names:
        try:
            org = get_organisation(session, o)
        except NotFound:
            problems.append(Problem("org", "unknown", _say(f"ingen virksomhet heter «{o}»", f"no organisation named '{o}'")))
        else:
            assert org.id is not None
            found.setdefault(org.id, org)
    return list(found.values())


def get_user(session: Session, name: str) -> UserAccount:
    user = session.execute(select(UserAccount).where(func.lower(col(UserAccount.name)) == name.strip().lower())).scalars().first()
    if user is None:
        raise NotFound(f"no user named '{name}'")
    return user


def list_users(session: Session) -> list[UserAccount]:
    return list(session.execute(select(UserAccount).order_by(col(UserAccount.name))).scalars())


def add_user(
    session: Session,
    name: str,
    *,
    role: str,
    actor: Union[str, Principal],
    password: Optional[str] = None,
    email: Optional[str] = None,
    orgs: Sequence[str] = (),
    source: Optional[str] = None,
) -> UserAccount:
    """Create an account. The first account must be a global admin or dpo: from then on, sign-in
    is required and someone must be able to manage the others."""
    first = not access.users_exist(session)
    who = access.require(session, actor, access.ADMIN_USERS)
    problems = []
    name = name.strip()
    if not name:
        problems.append(Problem("name", "required", _say("en bruker trenger et navn", "a user needs a name")))
    elif any(ord(ch) < 32 or 127 <= ord(ch) < 160 or unicodedata.category(ch) in ("Cf", "Zl", "Zp") for ch in name):
        problems.append(
            Problem(
                "name",
                "control",
                _say(  # the name is every audit event's "who", shown everywhere
                    "et brukernavn kan ikke inneholde kontrolltegn eller retningsmarkører", "a user name cannot hold control or text-direction characters"
                ),
            )
        )
    elif name.startswith("(") and name.endswith(")"):
        problems.append(
            Problem(
                "name",
                "reserved",
                _say(
                    f"navn i parentes er appens egne (som «{SIGNED_OUT}»): velg et annet",
                    f"names in parentheses are the app's own (such as '{SIGNED_OUT}'): choose another",
                ),
            )
        )
    if role not in access.ROLES:
        problems.append(_unknown_role(role))
    if first and (role not in ("admin", "dpo") or orgs):
        problems.append(
            Problem(
                "role",
                "first_user",
                _say(
                    "den første brukeren må være administrator eller personvernombud for alle virksomheter, slik at noen kan administrere de andre",
                    "the first user must be an admin or dpo for all organisations, so someone can manage the others",
                ),
            )
        )
    if role in ("editor", "viewer") and not orgs:
        problems.append(_needs_org(role))
    if name and session.execute(select(col(UserAccount.id)).where(func.lower(col(UserAccount.name)) == name.lower())).first():
        problems.append(Problem("name", "duplicate", _say(f"det finnes allerede en bruker som heter «{name}»", f"a user named '{name}' already exists")))
    if email and session.execute(select(col(UserAccount.id)).where(func.lower(col(UserAccount.email)) == email.strip().lower())).first():
        problems.append(
            Problem("email", "duplicate", _say(f"det finnes allerede en bruker med e-postadressen «{email}»", f"a user with e-mail '{email}' already exists"))
        )
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem("password", "too_short", _too_short()))
    if password is None and not email:
        problems.append(
            Problem(
                "password",
                "required",
                _say("en bruker trenger et passord, eller en e-postadresse for enkel pålogging", "a user needs a password, or an e-mail for single sign-on"),
            )
        )
    org_rows = _organisations(session, orgs, problems)
    if problems:
        raise ValidationFailed(problems)
    user = UserAccount(
        name=name, role=role, email=email.strip().lower() if email else None, password_hash=_hasher.hash(password) if password is not None else None
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for org in org_rows:
        assert org.id is not None
        session.add(UserOrganisation(user_id=user.id, organisation_id=org.id))
    session.flush()
    _audit(session, actor=who, action="create", user=user, new=_user_dict(session, user), source=source)
    session.flush()
    access.forget(session)
    return user


def _enabled_admins(session: Session) -> int:
    """Enabled global admins and DPOs (someone must be left to manage users)."""
    assigned = select(col(UserOrganisation.user_id))
    # Locked until this transaction ends (PostgreSQL; SQLite has one writer at a time): two admins
    # disabling each other at once both counted two, and left none. The second now waits and counts one.
    return len(
        session.execute(
            select(col(UserAccount.id))
            .where(col(UserAccount.enabled), col(UserAccount.role).in_(["admin", "dpo"]), col(UserAccount.id).not_in(assigned))
            .with_for_update()
        )
        .scalars()
        .all()
    )


def set_enabled(session: Session, name: str, enabled: bool, *, actor: Union[str, Principal], source: Optional[str] = None) -> UserAccount:
    """Disable (or enable again) an account; a disabled user cannot sign in or act in the CLI."""
    who = access.require(session, actor, access.ADMIN_USERS)
    user = get_user(session, name)
    if user.enabled == enabled:
        return user
    if not enabled and user.role in ("admin", "dpo") and not organisations_of(session, user) and _enabled_admins(session) <= 1:
        raise ValidationFailed([_last_admin(user)])
    user.enabled = enabled
    if enabled:
        user.failed_signins, user.locked_until = 0, None
    _audit(session, actor=who, action="update", user=user, field="enabled", old=not enabled, new=enabled, source=source)
    session.flush()
    access.forget(session)
    return user


def set_password(session: Session, name: str, password: str, *, actor: Union[str, Principal], source: Optional[str] = None) -> UserAccount:
    """A new password (by the user themself or an admin); it also lifts a lock."""
    user = get_user(session, name)
    p = access.principal(session, actor)
    who = p.name if p.name == user.name and not p.local else access.require(session, actor, access.ADMIN_USERS)
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    user.failed_signins, user.locked_until = 0, None
    _audit(session, actor=who, action="update", user=user, field="password", old="(hidden)", new="(changed)", source=source)
    session.flush()
    return user


def set_access(
    session: Session, name: str, *, role: Optional[str] = None, orgs: Optional[Sequence[str]] = None, actor: Union[str, Principal], source: Optional[str] = None
) -> UserAccount:
    """Change a user's role and/or assigned organisations (None: leave as is; ``orgs=[]`` makes an
    admin or dpo global). One audit event per changed item. Refused when it would leave no enabled
    admin or dpo for all organisations, or an editor or viewer without an organisation."""
    who = access.require(session, actor, access.ADMIN_USERS)
    user = get_user(session, name)
    old_role, old_orgs = user.role, organisations_of(session, user)
    new_role = old_role if role is None else role
    problems: list[Problem] = []
    if new_role not in access.ROLES:
        problems.append(_unknown_role(new_role))
    org_rows = _organisations(session, old_orgs if orgs is None else orgs, problems)
    new_orgs = sorted(o.name for o in org_rows)
    if new_role in ("editor", "viewer") and not org_rows and not problems:
        problems.append(_needs_org(new_role))
    was_global_admin = user.enabled and old_role in ("admin", "dpo") and not old_orgs
    stays_global_admin = new_role in ("admin", "dpo") and not new_orgs
    if was_global_admin and not stays_global_admin and _enabled_admins(session) <= 1:
        problems.append(_last_admin(user))
    if problems:
        raise ValidationFailed(problems)
    if new_role != old_role:
        user.role = new_role
        _audit(session, actor=who, action="update", user=user, field="role", old=old_role, new=new_role, source=source)
    if new_orgs != sorted(old_orgs):
        assert user.id is not None
        session.execute(UserOrganisation.__table__.delete().where(UserOrganisation.user_id == user.id))  # type: ignore[attr-defined]
        for org in org_rows:
            session.add(UserOrganisation(user_id=user.id, organisation_id=org.id))
        _audit(session, actor=who, action="update", user=user, field="organisations", old=sorted(old_orgs), new=new_orgs, source=source)
    session.flush()
    access.forget(session)
    return user


def set_role(session: Session, name: str, role: str, *, actor: Union[str, Principal], source: Optional[str] = None) -> UserAccount:
    """Give a user another role (their organisations stay)."""
    return set_access(session, name, role=role, actor=actor, source=source)


def set_organisations(session: Session, name: str, orgs: Sequence[str], *, actor: Union[str, Principal], source: Optional[str] = None) -> UserAccount:
    """Assign exactly these organisations (none: an admin or dpo acts on all)."""
    return set_access(session, name, orgs=orgs, actor=actor, source=source)


@dataclass
class Account:
    """One user as the user list shows it (no hash): times are stored UTC, shown by :func:`ropa.audit.local_time`."""

    name: str
    email: Optional[str]
    role: str
    organisations: list[str]  # empty: all organisations
    enabled: bool
    locked_until: Optional[datetime]  # only while the lock lasts
    last_sign_in: Optional[datetime]  # from the audit trail; None when never recorded

    def as_dict(self) -> dict[str, Any]:
        """For JSON: times as ISO 8601 with Oslo's offset."""
        from ropa.audit import local_iso

        return {
            "name": self.name,
            "email": self.email,
            "role": self.role,
            "organisations": self.organisations,
            "enabled": self.enabled,
            "locked_until": local_iso(self.locked_until),
            "last_sign_in": local_iso(self.last_sign_in),
        }


def accounts(session: Session, *, actor: Union[str, Principal]) -> list[Account]:
    """Every user with role, organisations, state, any lock still running and the last sign-in
    the audit trail records (needs ``user.admin``)."""
    access.require(session, actor, access.ADMIN_USERS)
    rows = session.execute(
        select(AuditEvent.entity_id, func.max(AuditEvent.at))  # type: ignore[call-overload]
        .where(AuditEvent.entity == "user", AuditEvent.action == "signin")
        .group_by(AuditEvent.entity_id)
    )
    last: dict[int, datetime] = {int(i): at for i, at in rows.all()}
    now = utcnow()
    out = []
    for u in list_users(session):
        locked = _aware(u.locked_until)
        out.append(
            Account(
                name=u.name,
                email=u.email,
                role=u.role,
                organisations=organisations_of(session, u),
                enabled=u.enabled,
                locked_until=locked if locked is not None and locked > now else None,
                last_sign_in=_aware(last.get(u.id or 0)),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Sign-in


@dataclass
class SignIn:
    """The outcome of one attempt: the principal, or why not (``reason``: wrong, locked,
    disabled; ``until`` for a lock). Wrong name and wrong password read the same to the user."""

    principal: Optional[Principal] = None
    reason: Optional[str] = None
    until: Any = None
    wait: float = 0.0  # seconds the caller waits before answering, once its transaction has committed

    @property
    def ok(self) -> bool:
        return self.principal is not None

    def message(self, lang: str = "en") -> str:
        if self.reason == "locked":
            from ropa.audit import local_time

            when = local_time(self.until, lang)
            return {"nb": f"For mange mislykkede forsøk: kontoen er låst til {when}.", "en": f"Too many failed attempts: the account is locked until {when}."}[
                lang
            ]
        if self.reason == "no_user_for_email":
            return {
                "nb": "Ingen aktiv bruker har denne e-postadressen; be administratoren legge deg til.",
                "en": "No enabled user has this e-mail address; ask the administrator to add you.",
            }[lang]
        return {"nb": "Feil brukernavn eller passord.", "en": "Wrong user name or password."}[lang]


def _aware(value: Any) -> Any:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value  # SQLite drops the zone


_DUMMY_HASH: list[str] = []


def _verify(password_hash: Optional[str], password: str) -> bool:
    """Whether the password matches the hash. Without a hash (no such user, a disabled one, one
    who signs in by the identity provider only) a hash of nothing is checked instead, so every
    refusal costs one argon2 run and its time does not tell whether the name exists."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(_hasher.hash("ropa: no such password"))
    try:
        ok = _hasher.verify(password_hash or _DUMMY_HASH[0], password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and password_hash is not None


def sign_in(session: Session, name: str, password: str, *, source: str = "dashboard") -> SignIn:
    """Check a password. A failure is counted and audited, asks for a wait a little longer each
    time (``SignIn.wait``), and after ``ROPA_SIGNIN_MAX_FAILURES`` in a row locks the account for
    ``ROPA_SIGNIN_LOCK_MINUTES``.

    Returns rather than raises, so the caller's transaction keeps the record of a failure. It does
    not wait itself: the account's row is locked for update until that transaction ends (so that
    guesses made at once are each counted), and a pause inside it held the row, and a database
    connection, through the whole wait. The caller commits, then waits ``wait`` seconds
    (:func:`pause`).
    """
    # The row is locked until the attempt is recorded (PostgreSQL): guesses made at once from many
    # sessions read the failure count together and each counted from the same number, never locking.
    user = session.execute(select(UserAccount).where(func.lower(col(UserAccount.name)) == name.strip().lower()).with_for_update()).scalars().first()
    if user is None or not user.enabled:
        return _no_such_user(session, name.strip().lower(), password)
    now = utcnow()
    locked_until = _aware(user.locked_until)
    if locked_until is not None and locked_until > now:
        _audit(session, actor=user.name, action="refused", user=user, field="locked", source=source)
        return SignIn(reason="locked", until=locked_until)
    ok = _verify(user.password_hash, password)
    if ok:
        if user.failed_signins or user.locked_until:
            user.failed_signins, user.locked_until = 0, None
        if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        _audit(session, actor=user.name, action="signin", user=user, source=source)
        session.flush()
        found = access.load_principal(session, user.name)
        assert found is not None
        return SignIn(principal=found)
    # Counted in one statement: on SQLite the read above holds nothing, so guesses sent at once each
    # add one here instead of each writing the same count; a count a day old starts again, as a
    # made-up name's does (_no_such_user).
    account = UserAccount.__table__  # type: ignore[attr-defined]
    failures = session.execute(
        update(account)
        .where(account.c.id == user.id)
        .values(
            failed_signins=case((account.c.last_failed_at < now - FAILURES_KEPT, 1), else_=account.c.failed_signins + 1),
            last_failed_at=now,
        )
        .returning(account.c.failed_signins)
    ).scalar_one()
    set_committed_value(user, "failed_signins", failures)
    set_committed_value(user, "last_failed_at", now)
    _audit(session, actor=user.name, action="refused", user=user, field="password", new=user.failed_signins, source=source)
    if user.failed_signins >= settings.signin_max_failures():
        user.locked_until = now + timedelta(minutes=settings.signin_lock_minutes())
        user.failed_signins = 0
        _audit(session, actor=user.name, action="lock", user=user, new=user.locked_until.isoformat(), source=source)
        session.flush()
        return SignIn(reason="locked", until=user.locked_until)
    session.flush()
    return SignIn(reason="wrong", wait=_backoff(user.failed_signins))


def pause(result: SignIn, sleep: Any = None) -> None:
    """Wait as a refused attempt asks (``result.wait``), after the transaction that recorded it:
    each failure in a row answers later than the one before."""
    if result.wait:
        (sleep or time.sleep)(result.wait)


def _backoff(failures: int) -> float:
    """Seconds to wait after the ``failures``-th failure in a row: doubling, at most eight times the first."""
    return float(min(settings.signin_delay_seconds() * 2 ** (failures - 1), 8 * settings.signin_delay_seconds()))


FAILURES_KEPT = timedelta(days=1)  # a count of failures untouched this long starts again (for either kind of name)


def _guess_key(name: str) -> str:
    """What is stored of a name that is no user: its HMAC-SHA-256 under the server's key (not in
    the database), so a password typed into the name field cannot be read back nor looked up
    in a dictionary from the table alone."""
    return hmac.new(settings.workbook_key(), b"sign-in-guess\0" + name.encode("utf-8"), hashlib.sha256).hexdigest()


def _no_such_user(session: Session, key: str, password: str) -> SignIn:
    """Refuse a name that is no enabled user as a real account refuses a wrong password: the same
    argon2 work, the same growing waits, the same lock after as many failures, the count kept in
    the database (:class:`SignInGuess`) so that a restart or another server process goes on
    counting. Locking follows the real account's on each backend: on PostgreSQL the name's row is
    held from the first read until the attempt is recorded (a real account's is read FOR UPDATE),
    on SQLite nothing is held through argon2 (its write lock is the whole database's) and each
    attempt adds one in a single statement."""
    now = utcnow()
    digest = _guess_key(key)
    table = SignInGuess.__table__  # type: ignore[attr-defined]
    postgres = session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgres else sqlite_insert
    if postgres:  # a row to hold, as a real account's row is held
        session.execute(insert(table).values(key=digest, failures=0, tried_at=now).on_conflict_do_nothing(index_elements=["key"]))
    until = session.execute(select(table.c.locked_until).where(table.c.key == digest).with_for_update()).scalar()
    until = _aware(until)
    if until is not None and until > now:
        return SignIn(reason="locked", until=until)
    _verify(None, password)  # as long as a wrong password takes
    stmt = insert(table).values(key=digest, failures=1, tried_at=now)
    failures = session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key"],
            set_={"failures": case((table.c.tried_at < now - FAILURES_KEPT, 1), else_=table.c.failures + 1), "tried_at": now},
        ).returning(table.c.failures)
    ).scalar_one()
    locked = failures >= settings.signin_max_failures()
    if locked:
        until = now + timedelta(minutes=settings.signin_lock_minutes())
        session.execute(update(table).where(table.c.key == digest).values(locked_until=until, failures=0))
    _forget_guesses(session, now, digest, postgres)
    if locked:
        return SignIn(reason="locked", until=until)
    return SignIn(reason="wrong", wait=_backoff(failures))


def _forget_guesses(session: Session, now: datetime, mine: str, postgres: bool) -> None:
    """Forget made-up names not tried for :data:`FAILURES_KEPT` whose lock is not running: the
    table does not grow with the names tried over time, and trying other names never unlocks one.
    On PostgreSQL rows another attempt holds are skipped, not waited for (two attempts each
    holding its own name's row and waiting for the other's would deadlock)."""
    table = SignInGuess.__table__  # type: ignore[attr-defined]
    stale = (table.c.tried_at < now - FAILURES_KEPT) & ~((table.c.locked_until.isnot(None)) & (table.c.locked_until > now)) & (table.c.key != mine)
    if postgres:
        session.execute(delete(table).where(table.c.key.in_(select(table.c.key).where(stale).with_for_update(skip_locked=True))))
    else:
        session.execute(delete(table).where(stale))


def _verified(claim: Any) -> bool:
    """The provider's ``email_verified``: true as JSON's ``true`` or the string "true" (some providers,
    Amazon Cognito among them, send strings); "false", 0, null or an empty string are not verified.
    A provider that sends no such claim at all (Microsoft Entra ID) vouches by issuing the token."""
    if isinstance(claim, bool):
        return claim
    return isinstance(claim, str) and claim.strip().lower() == "true"


def sign_in_oidc(session: Session, claims: Any, *, source: str = "dashboard (sso)") -> SignIn:
    """Map an identity provider's sign-in (Streamlit's ``st.user``) to a user by e-mail.

    The provider vouches for the person; the register decides what they may do. An address
    the provider marks unverified is refused; matching ignores letter case.
    """
    get = claims.get if hasattr(claims, "get") else (lambda k, d=None: getattr(claims, k, d))
    email = (get("email") or "").strip().lower()
    if not email or not _verified(get("email_verified", True)):
        return SignIn(reason="no_user_for_email")
    user = session.execute(select(UserAccount).where(func.lower(col(UserAccount.email)) == email)).scalars().first()
    if user is None or not user.enabled:
        return SignIn(reason="no_user_for_email")
    _audit(session, actor=user.name, action="signin", user=user, field="sso", source=source)
    session.flush()
    found = access.load_principal(session, user.name)
    assert found is not None
    return SignIn(principal=found)
