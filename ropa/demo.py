"""The demo register: five real Norwegian privacy notices (``../shared/seeds``) recorded by
hand as activities, one JSON file per organisation in ``data/demo/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

from sqlmodel import Session

from ropa import access
from ropa.errors import ValidationFailed
from ropa.register.interchange import ImportReport, import_document, read_json
from ropa.settings import DEMO_DIR


def demo_files(folder: Optional[Path] = None) -> list[Path]:
    return sorted((folder or DEMO_DIR).glob("*.json"))


def demo_document(folder: Optional[Path] = None) -> dict[str, Any]:
    """The five files merged into one register document."""
    orgs: list[Any] = []
    for path in demo_files(folder):
        orgs.extend(read_json(path)["organisations"])
    return {"format": "ropa-register", "version": 1, "organisations": orgs}


def load_demo(session: Session, *, actor: Union[str, access.Principal] = "demo", folder: Optional[Path] = None) -> ImportReport:
    """Load the demo register into the session's transaction."""
    actor = access.require(session, actor, access.IMPORT)
    document = demo_document(folder)
    if not document["organisations"]:
        raise ValidationFailed([])
    return import_document(session, document, actor=actor, source="demo register")


def open_register(url: Optional[str] = None, *, demo_if_new: bool = True) -> Any:
    """The engine for the register, its schema brought up to date; a brand-new database gets
    the demo register, so a fresh clone opens on something to look at.

    Only a database with no schema at all counts as new: a register the user emptied on
    purpose is never refilled.
    """
    from ropa import db

    engine = db.make_engine(url)
    if db.migrate(engine) and demo_if_new and demo_files():
        with db.transaction(engine) as s:
            load_demo(s)
    return engine
