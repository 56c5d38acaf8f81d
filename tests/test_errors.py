"""Errors cross process boundaries intact: the importer runs in a child process (ropa.isolation)
and hands back whatever RopaError it raised, so the parent can say the same sentence."""

from __future__ import annotations

import pickle

import pytest

from ropa.errors import Busy, Conflict, NotFound, PermissionDenied, Problem, ValidationFailed, explain

CASES = [
    ValidationFailed([Problem("organisations[0].name", "missing", "is required")]),
    Conflict(entity="activity", key="Janteloppet/JL-01", expected_version=1, current_version=3,
             changes=[{"actor": "kari", "version": 2}]),
    NotFound("no organisation named 'X'"),
    PermissionDenied(user="ada", permission="activity.edit", role="viewer", organisation="Janteloppet"),
    Busy(60),
]


@pytest.mark.parametrize("err", CASES, ids=lambda e: type(e).__name__)
def test_every_error_survives_a_pickle_round_trip(err):
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and vars(back) == vars(err)
    assert str(back) == str(err)
    assert explain(back, "nb") == explain(err, "nb") and explain(back, "en") == explain(err, "en")


def test_a_permission_refusal_speaks_the_users_language():
    err = PermissionDenied(user="ada", permission="activity.edit", role="viewer", organisation="Janteloppet")
    assert "Janteloppet" in explain(err, "nb") and "ikke tillatelse" in explain(err, "nb")
    assert "not allowed" in explain(err, "en")
