"""Compatibility: the register's operations now live in :mod:`ropa.register` (one module a kind
of record, plus the audit trail). This facade keeps ``from ropa import registry`` working for
code written before the split; new code imports from :mod:`ropa.register`.
"""

from __future__ import annotations

from ropa.records import ORG_FIELDS as ORG_FIELDS
from ropa.register.lookup import (
    _doc_dict as _doc_dict,
    _dump_with_versions as _dump_with_versions,
    _validate as _validate,
    find_organisation as find_organisation,
    get_organisation as get_organisation,
)
from ropa.register.audit import (
    _audit as _audit,
    _audit_changes as _audit_changes,
    _audit_value as _audit_value,
    _bump_version as _bump_version,
    _stale_copy as _stale_copy,
    activity_history as activity_history,
    as_of as as_of,
    changes_since as changes_since,
    conflict_problem as conflict_problem,
    history as history,
    readable as readable,
    recent_changes as recent_changes,
    unique_name as unique_name,
)
from ropa.register.recipients import (
    _apply_recipient as _apply_recipient,
    _refuse_case_variant as _refuse_case_variant,
    _upsert_recipient as _upsert_recipient,
    create_recipient as create_recipient,
    delete_recipient as delete_recipient,
    get_recipient as get_recipient,
    list_recipients as list_recipients,
    may_delete_recipient as may_delete_recipient,
    recipient_dict as recipient_dict,
    recipient_usage as recipient_usage,
    recipients_in_use as recipients_in_use,
    update_recipient as update_recipient,
)
from ropa.register.activities import (
    ActivityFilter as ActivityFilter,
    _activity_query as _activity_query,
    _apply_activity as _apply_activity,
    _names_only as _names_only,
    _settle_recipients as _settle_recipients,
    _where as _where,
    activity_dict as activity_dict,
    activity_dict_from_doc as activity_dict_from_doc,
    count_activities as count_activities,
    count_activities_each as count_activities_each,
    create_activity as create_activity,
    delete_activity as delete_activity,
    duplicate_activity as duplicate_activity,
    get_activity as get_activity,
    list_activities as list_activities,
    next_ref as next_ref,
    retire_activity as retire_activity,
    stale_activity as stale_activity,
    update_activity as update_activity,
    validate_activity as validate_activity,
)
from ropa.register.organisations import (
    _apply_org as _apply_org,
    _org_input as _org_input,
    create_organisation as create_organisation,
    delete_organisation as delete_organisation,
    list_organisations as list_organisations,
    organisation_dict as organisation_dict,
    organisation_sizes as organisation_sizes,
    stale_organisation as stale_organisation,
    update_organisation as update_organisation,
)
