"""Finding an organisation by name, and validating input before any write: what every
part of the register needs first.
"""

from __future__ import annotations

from typing import Any, Optional, TypeVar, Union

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from ropa.errors import NotFound, ValidationFailed
from ropa.models import Organisation, organisation_named
from ropa.validation import problems_from_validation

M = TypeVar("M", bound=BaseModel)


def _validate(model: type[M], data: Union[M, dict[str, Any]], where: str = "") -> M:
    if isinstance(data, model):
        data = _dump_with_versions(data)  # re-validate: a model built with model_construct is unchecked
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from_validation(exc, where)) from None


def _dump_with_versions(model: BaseModel) -> dict[str, Any]:
    """``model_dump()`` keeping the versions a copy was read at (left out of dumps otherwise)."""
    out = model.model_dump()

    def restore(m: Any, d: dict[str, Any]) -> None:
        if getattr(m, "version", None) is not None:
            d["version"] = m.version
        for key in ("recipients", "activities"):
            for sub, sub_d in zip(getattr(m, key, None) or [], d.get(key) or []):
                restore(sub, sub_d)

    restore(model, out)
    return out


def _doc_dict(doc: BaseModel) -> dict[str, Any]:
    return doc.model_dump(mode="json")


def get_organisation(session: Session, name: str) -> Organisation:
    """By name (case-insensitive) or organisation number."""
    org = organisation_named(session, name)
    if org is None:
        raise NotFound(f"no organisation named '{name}'")
    return org


def find_organisation(session: Session, name: str) -> Optional[Organisation]:
    try:
        return get_organisation(session, name)
    except NotFound:
        return None
