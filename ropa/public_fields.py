"""Which fields of an activity the public register may show.

An organisation chooses its list (``public_fields``); an empty list means :data:`DEFAULT_PUBLIC`,
the Art. 30(1)(b)–(f) items a public body would publish. Everything internal is never
publishable whatever the list says: owners, systems, agreements, DPIA references, notes,
reviews and findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

# The activity fields (keys of ropa.fields.ACTIVITY) that may be published, in page order.
PUBLISHABLE: tuple[str, ...] = (
    "description",
    "role",
    "controllers",
    "purposes",
    "legal_bases",
    "data_subjects",
    "data_categories",
    "special_categories",
    "art9_conditions",
    "criminal_data",
    "sources",
    "recipients",
    "transfers",
    "retention.text",
    "retention.period",
    "security_measures",
    "dpia.status",
    "status",
)
DEFAULT_PUBLIC: tuple[str, ...] = (
    "purposes",
    "legal_bases",
    "data_subjects",
    "data_categories",
    "special_categories",
    "recipients",
    "transfers",
    "retention.text",
    "retention.period",
)


def public_fields(chosen: Optional[Sequence[str]]) -> tuple[str, ...]:
    """The fields to publish for an organisation's choice, in page order."""
    wanted = set(chosen or DEFAULT_PUBLIC)
    return tuple(k for k in PUBLISHABLE if k in wanted)
