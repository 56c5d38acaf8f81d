"""The permissions and roles by name, with their words in both languages.

Below :mod:`ropa.access` (which holds the policy that uses them) so that
:class:`ropa.errors.PermissionDenied` can word a refusal without reaching back up to the policy.
"""

from __future__ import annotations

from typing import Any

from ropa.text import Words

ROLES = ("admin", "dpo", "editor", "viewer")

READ, EXPORT, CHECK = "register.read", "register.export", "register.check"
IMPORT = "register.import"
EDIT_ACTIVITY, EDIT_RECIPIENT = "activity.edit", "recipient.edit"
CREATE_ORGANISATION, EDIT_ORGANISATION, DELETE_ORGANISATION = "organisation.create", "organisation.edit", "organisation.delete"
APPROVE = "activity.approve"
ADMIN_USERS, SETTINGS = "user.admin", "settings.edit"
SNAPSHOT = "register.snapshot"  # take an immutable copy of the whole register (reading it stays scoped)

#: Permissions that are about the whole register: a user assigned to some organisations lacks them.
# A snapshot copies every organisation, for good (the database refuses to delete it): not for a
# dpo or admin assigned to some organisations only.
GLOBAL = frozenset({CREATE_ORGANISATION, ADMIN_USERS, SETTINGS, SNAPSHOT})

_READS = {READ, EXPORT, CHECK}
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({ADMIN_USERS, SETTINGS, SNAPSHOT, *_READS}),
    "dpo": frozenset(
        {ADMIN_USERS, SETTINGS, SNAPSHOT, *_READS, IMPORT, EDIT_ACTIVITY, EDIT_RECIPIENT, CREATE_ORGANISATION, EDIT_ORGANISATION, DELETE_ORGANISATION, APPROVE}
    ),
    "editor": frozenset({*_READS, IMPORT, EDIT_ACTIVITY, EDIT_RECIPIENT}),
    "viewer": frozenset(_READS),
}

ROLE_LABELS = {
    "admin": Words(nb="administrator (brukere og innstillinger)", en="administrator (users and settings)"),
    "dpo": Words(nb="personvernombud (alt, godkjenner)", en="data protection officer (everything, approves)"),
    "editor": Words(nb="redaktør (aktiviteter og mottakere)", en="editor (activities and recipients)"),
    "viewer": Words(nb="leser (lese og eksportere)", en="viewer (read and export)"),
}

PERMISSION_LABELS = {
    READ: Words(nb="lese registeret", en="read the register"),
    EXPORT: Words(nb="eksportere registeret", en="export the register"),
    CHECK: Words(nb="kontrollere registeret", en="check the register"),
    IMPORT: Words(nb="importere", en="import"),
    EDIT_ACTIVITY: Words(nb="endre behandlingsaktiviteter", en="change processing activities"),
    EDIT_RECIPIENT: Words(nb="endre mottakere", en="change recipients"),
    CREATE_ORGANISATION: Words(nb="opprette virksomheter", en="create organisations"),
    EDIT_ORGANISATION: Words(nb="endre virksomheter", en="change organisations"),
    DELETE_ORGANISATION: Words(nb="slette virksomheter", en="delete organisations"),
    APPROVE: Words(nb="godkjenne aktiviteter", en="approve activities"),
    ADMIN_USERS: Words(nb="administrere brukere", en="administer users"),
    SETTINGS: Words(nb="endre innstillinger", en="change settings"),
    SNAPSHOT: Words(nb="ta øyeblikksbilder av registeret", en="take snapshots of the register"),
}


def permission_label(permission: str, lang: str = "en") -> str:
    return PERMISSION_LABELS.get(permission, Words(permission, permission)).in_(lang)


def deny_message(err: Any, lang: str = "en") -> str:
    """A PermissionDenied as a sentence in the user's language."""
    if err.permission == "user.enabled":
        return {"nb": f"'{err.user}' er ikke en aktiv bruker av dette registeret", "en": f"'{err.user}' is not an enabled user of this register"}[lang]
    what = permission_label(err.permission, lang)
    where = f" i '{err.organisation}'" if lang == "nb" else f" in '{err.organisation}'"
    where = where if err.organisation else ""
    written = err.permission not in _READS
    return {
        "nb": f"{err.user} ({err.role}) har ikke tillatelse til å {what}{where} ({err.permission})" + ("; ingenting ble lagret" if written else ""),
        "en": f"{err.user} ({err.role}) is not allowed to {what}{where} ({err.permission})" + ("; nothing was saved" if written else ""),
    }[lang]
