"""Compatibility: the register's operations now live in :mod:`ropa.register` (one module a kind
of record, plus the audit trail). This facade keeps ``from ropa import registry`` working for
code written before the split; new code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.records import ORG_FIELDS as ORG_FIELDS
from ropa.register.activities import (
    ActivityFilter as ActivityFilter,
)
from ropa.register.activities import (
    _activity_query as _activity_query,
)
from ropa.register.activities import (
    _apply_activity as _apply_activity,
)
from ropa.register.activities import (
    _names_only as _names_only,
)
from ropa.register.activities import (
    _settle_recipients as _settle_recipients,
)
from ropa.register.activities import (
    _where as _where,
)
from ropa.register.activities import (
    activity_dict as activity_dict,
)
from ropa.register.activities import (
    activity_dict_from_doc as activity_dict_from_doc,
)
from ropa.register.activities import (
    count_activities as count_activities,
)
from ropa.register.activities import (
    count_activities_each as count_activities_each,
)
from ropa.register.activities import (
    create_activity as create_activity,
)
from ropa.register.activities import (
    delete_activity as delete_activity,
)
from ropa.register.activities import (
    duplicate_activity as duplicate_activity,
)
from ropa.register.activities import (
    get_activity as get_activity,
)
from ropa.register.activities import (
    list_activities as list_activities,
)
from ropa.register.activities import (
    next_ref as next_ref,
)
from ropa.register.activities import (
    retire_activity as retire_activity,
)
from ropa.register.activities import (
    stale_activity as stale_activity,
)
from ropa.register.activities import (
    update_activity as update_activity,
)
from ropa.register.activities import (
    validate_activity as validate_activity,
)
from ropa.register.audit import (
    _audit as _audit,
)
from ropa.register.audit import (
    _audit_changes as _audit_changes,
)
from ropa.register.audit import (
    _audit_value as _audit_value,
)
from ropa.register.audit import (
    _bump_version as _bump_version,
)
from ropa.register.audit import (
    _stale_copy as _stale_copy,
)
from ropa.register.audit import (
    activity_history as activity_history,
)
from ropa.register.audit import (
    as_of as as_of,
)
from ropa.register.audit import (
    changes_since as changes_since,
)
from ropa.register.audit import (
    conflict_problem as conflict_problem,
)
from ropa.register.audit import (
    history as history,
)
from ropa.register.audit import (
    readable as readable,
)
from ropa.register.audit import (
    recent_changes as recent_changes,
)
from ropa.register.audit import (
    unique_name as unique_name,
)
from ropa.register.lookup import (
    _doc_dict as _doc_dict,
)
from ropa.register.lookup import (
    _dump_with_versions as _dump_with_versions,
)
from ropa.register.lookup import (
    _validate as _validate,
)
from ropa.register.lookup import (
    find_organisation as find_organisation,
)
from ropa.register.lookup import (
    get_organisation as get_organisation,
)
from ropa.register.organisations import (
    _apply_org as _apply_org,
)
from ropa.register.organisations import (
    _org_input as _org_input,
)
from ropa.register.organisations import (
    create_organisation as create_organisation,
)
from ropa.register.organisations import (
    delete_organisation as delete_organisation,
)
from ropa.register.organisations import (
    list_organisations as list_organisations,
)
from ropa.register.organisations import (
    organisation_dict as organisation_dict,
)
from ropa.register.organisations import (
    organisation_sizes as organisation_sizes,
)
from ropa.register.organisations import (
    stale_organisation as stale_organisation,
)
from ropa.register.organisations import (
    update_organisation as update_organisation,
)
from ropa.register.recipients import (
    _apply_recipient as _apply_recipient,
)
from ropa.register.recipients import (
    _refuse_case_variant as _refuse_case_variant,
)
from ropa.register.recipients import (
    _upsert_recipient as _upsert_recipient,
)
from ropa.register.recipients import (
    create_recipient as create_recipient,
)
from ropa.register.recipients import (
    delete_recipient as delete_recipient,
)
from ropa.register.recipients import (
    get_recipient as get_recipient,
)
from ropa.register.recipients import (
    list_recipients as list_recipients,
)
from ropa.register.recipients import (
    may_delete_recipient as may_delete_recipient,
)
from ropa.register.recipients import (
    recipient_dict as recipient_dict,
)
from ropa.register.recipients import (
    recipient_usage as recipient_usage,
)
from ropa.register.recipients import (
    recipients_in_use as recipients_in_use,
)
from ropa.register.recipients import (
    update_recipient as update_recipient,
)
