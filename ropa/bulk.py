"""Compatibility: this module is now :mod:`ropa.register.bulk`; the names stay importable
from here for code written before the move. New code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.register.bulk import (
    _ACTIVITY_COLUMNS as _ACTIVITY_COLUMNS,
)
from ropa.register.bulk import (
    _EVENT_COLUMNS as _EVENT_COLUMNS,
)
from ropa.register.bulk import (
    _TRANSFER_COLUMNS as _TRANSFER_COLUMNS,
)
from ropa.register.bulk import (
    _dumps as _dumps,
)
from ropa.register.bulk import (
    _Insert as _Insert,
)
from ropa.register.bulk import (
    _json_text as _json_text,
)
from ropa.register.bulk import (
    _quote as _quote,
)
from ropa.register.bulk import (
    _text_list as _text_list,
)
from ropa.register.bulk import (
    create_activities as create_activities,
)
from ropa.register.bulk import (
    ensure_recipients as ensure_recipients,
)
