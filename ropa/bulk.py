"""Compatibility: this module is now :mod:`ropa.register.bulk`; the names stay importable
from here for code written before the move. New code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.register.bulk import (
    _ACTIVITY_COLUMNS as _ACTIVITY_COLUMNS,
    _EVENT_COLUMNS as _EVENT_COLUMNS,
    _Insert as _Insert,
    _TRANSFER_COLUMNS as _TRANSFER_COLUMNS,
    _dumps as _dumps,
    _json_text as _json_text,
    _quote as _quote,
    _text_list as _text_list,
    create_activities as create_activities,
    ensure_recipients as ensure_recipients,
)
