"""Compatibility: this module is now :mod:`ropa.register.interchange`; the names stay importable
from here for code written before the move. New code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.register.interchange import (
    MAX_DIGITS as MAX_DIGITS,
)
from ropa.register.interchange import (
    MAX_JSON_BYTES as MAX_JSON_BYTES,
)
from ropa.register.interchange import (
    ImportReport as ImportReport,
)
from ropa.register.interchange import (
    __all__ as __all__,
)
from ropa.register.interchange import (
    _compact as _compact,
)
from ropa.register.interchange import (
    _conflict as _conflict,
)
from ropa.register.interchange import (
    _huge_numbers as _huge_numbers,
)
from ropa.register.interchange import (
    _HugeInt as _HugeInt,
)
from ropa.register.interchange import (
    _import_organisation as _import_organisation,
)
from ropa.register.interchange import (
    _int as _int,
)
from ropa.register.interchange import (
    _organisation_docs as _organisation_docs,
)
from ropa.register.interchange import (
    _write as _write,
)
from ropa.register.interchange import (
    dumps as dumps,
)
from ropa.register.interchange import (
    export_document as export_document,
)
from ropa.register.interchange import (
    import_document as import_document,
)
from ropa.register.interchange import (
    read_json as read_json,
)
from ropa.register.interchange import (
    write_json as write_json,
)
