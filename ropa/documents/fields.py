"""Compatibility: which fields the public register may show is :mod:`ropa.public_fields` (below the
schema, which checks an organisation's choice against it); the names stay importable from here."""

from __future__ import annotations

from ropa.public_fields import DEFAULT_PUBLIC as DEFAULT_PUBLIC
from ropa.public_fields import PUBLISHABLE as PUBLISHABLE
from ropa.public_fields import public_fields as public_fields
