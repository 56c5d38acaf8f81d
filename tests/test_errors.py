"""Errors cross process boundaries intact: the importer runs in a child process (ropa.isolation)
and hands back whatever RopaError it raised, so the parent can say the same sentence."""

from __future__ import annotations

import pickle

import pytest

from ropa.errors import Busy, Conflict, InvalidOption, NotFound, PermissionDenied, Problem, ValidationFailed, explain

CASES = [
    ValidationFailed([Problem("organisations[0].name", "missing", "is required")]),
    ValidationFailed(
        [Problem(("sheet", "Ark1", "row", 5, "column", "Land"), "unknown_country", "'XX' is not a country", field="transfers", where="rad 5, 'Land'")]
    ),
    InvalidOption("language", "de", ("nb", "en"), option_nb="språk"),
    Conflict(entity="activity", key="Janteloppet/JL-01", expected_version=1, current_version=3, changes=[{"actor": "kari", "version": 2}]),
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


def test_a_problem_is_its_path_and_field_and_where_is_only_their_rendering():
    p = Problem(("organisations", 0, "activities", 3, "transfers", 1, "country"), "unknown_country", "not a country", field="transfers")
    assert p.where == "organisations[0].activities[3].transfers[1].country" and p.field == "transfers"
    assert str(p) == "organisations[0].activities[3].transfers[1].country: not a country"
    moved = p.replace(path=("sheet", "Activities", "row", 12, "column", "Country"), where="row 12, 'Country'")
    assert (moved.path[2:4], moved.code, moved.field, moved.where) == (("row", 12), "unknown_country", "transfers", "row 12, 'Country'")
    assert p.replace(path=("organisations", 2)).where == "organisations[2]"  # rendered again from the new path
    legacy = Problem("name", "duplicate", "taken")  # a place given as text is a one-step path
    assert (legacy.path, legacy.where, legacy.field, legacy.severity) == (("name",), "name", None, "error")
    assert Problem((), "empty", "the file has no rows").where == "" and str(Problem((), "x", "m")) == "m"
