"""Errors as words, in one place for every page: no traceback, class name or SQL reaches a person.

``with errors.reported() as outcome: ...`` runs a step: a :class:`~ropa.errors.ValidationFailed`
is drawn as a table of its problems (where, what), any other :class:`~ropa.errors.RopaError` as
its sentence, and anything else as :func:`ropa.errors.explain`'s sentence, with the traceback in
the server log. ``outcome.failed`` tells the page whether to go on. Streamlit's own control flow
(``st.stop``, ``st.rerun``) passes through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Optional

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from ropa.errors import Problem, RopaError, ValidationFailed, explain
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import state

log = logging.getLogger("ropa.ui")


@dataclass
class Outcome:
    """What a :func:`reported` step came to."""

    failed: bool = False
    error: Optional[BaseException] = None


def problem_table(problems: list[Problem]) -> None:
    """A rejected input's problems, one row each: where, and what is wrong."""
    st.dataframe(safe_table([{state.t("Hvor", "Where"): p.where, state.t("Hva", "What"): p.message} for p in problems]), hide_index=True, width="stretch")


def sentence(err: BaseException, lang: Optional[str] = None) -> str:
    """An error as one sentence in ``lang`` (the session's by default), for a page to show now or
    after its rerun; what is not the user's doing is logged with its traceback."""
    if not isinstance(err, RopaError):
        log.error("unexpected error in the dashboard", exc_info=(type(err), err, err.__traceback__))
    return explain(err, lang or state.lang())


def show(err: BaseException, heading: Optional[str] = None) -> None:
    """Draw an error as words in the session's language; log what is not the user's doing."""
    if isinstance(err, ValidationFailed):
        st.error(heading or state.t("Inndataene ble avvist; ingenting ble lagret:", "The input was rejected; nothing was saved:"), icon=":material/error:")
        problem_table(err.problems)
        return
    words = markdown(sentence(err))  # messages quote stored text: it must not render as markup
    st.error(f"{heading} {words}" if heading else words, icon=":material/error:")


@contextmanager
def reported(heading: Optional[str] = None) -> Iterator[Outcome]:
    """Run a step and turn any error it raises into words (see the module's docstring)."""
    outcome = Outcome()
    try:
        yield outcome
    except ScriptControlException:
        raise
    except Exception as err:  # noqa: BLE001 - every error becomes a sentence here, and a log entry
        outcome.failed, outcome.error = True, err
        show(err, heading)


__all__ = ["Outcome", "problem_table", "reported", "sentence", "show"]
