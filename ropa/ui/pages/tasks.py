"""My tasks: what the signed-in user owns that is overdue, due or returned, what waits for
approval, and (for a DPO) the approval itself. The list comes from :func:`ropa.review.tasks`."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from ropa import access, db, review
from ropa.audit import local_day, local_time
from ropa.errors import RopaError, explain
from ropa.register.activities import get_activity
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import signin, state

t = state.t
KINDS = {
    "overdue": ("Gjennomgang forfalt", "Review overdue"),
    "due": ("Gjennomgang snart", "Review due soon"),
    "returned": ("Sendt tilbake", "Returned"),
    "awaiting_approval": ("Venter på godkjenning", "Awaiting approval"),
}

st.title(t("Mine oppgaver", "My tasks"))
st.caption(
    t(
        f"Behandlingsaktiviteter du eier der gjennomgangen er forfalt eller skal skje innen {review.DUE_WITHIN_DAYS} dager, "
        "som er sendt tilbake til deg, eller som venter på godkjenning.",
        f"Activities you own whose review is overdue or due within {review.DUE_WITHIN_DAYS} days, that were returned to you, or that wait for approval.",
    )
)
state.show_flash()
me = signin.principal()
with db.session(state.engine()) as s:
    found = review.tasks(s, me)
    versions = {(x.organisation, x.ref): get_activity(s, x.organisation, x.ref).version for x in found if x.kind == "awaiting_approval"}
counts = review.counts(found)
for col, (kind, words) in zip(st.columns(4), KINDS.items()):
    col.metric(t(*words), counts[kind])

if not found:
    st.success(
        t(
            "Ingenting å gjøre nå. Aktiviteter som aldri er gjennomgått eller mangler dato for neste gjennomgang, står på siden «Funn».",
            "Nothing to do right now. Activities never reviewed or without a next review date are listed on the Findings page.",
        )
    )
else:
    st.dataframe(
        safe_table(
            pd.DataFrame(
                [
                    {
                        t("Oppgave", "Task"): t(*KINDS[x.kind]),
                        t("Virksomhet", "Organisation"): x.organisation,
                        "Ref": x.ref,
                        t("Navn", "Name"): x.name,
                        t("Eier", "Owner"): x.owner or "",
                        t("Neste gjennomgang", "Next review"): local_day(x.next_review, state.lang()),
                        t("Merknad", "Note"): x.note or "",
                        t("Sist gjennomgått", "Last reviewed"): (
                            f"{local_time(x.last_reviewed, state.lang())} ({x.last_reviewed_by})" if x.last_reviewed else ""
                        ),
                    }
                    for x in found
                ]
            )
        ),
        hide_index=True,
        width="stretch",
    )


def _approve(org: str, ref: str, version: int) -> None:
    try:
        with db.transaction(state.engine()) as s:
            row = review.approve(s, org, ref, expected_version=version, actor=signin.current_actor(), source="dashboard")
        state.flash(t(f"{org} {ref}: versjon {row.approved_version} godkjent", f"{org} {ref}: version {row.approved_version} approved"))
    except Exception as err:  # noqa: BLE001 - one sentence for the user (ropa.errors.explain); the log keeps the rest
        if not isinstance(err, RopaError):
            logging.getLogger("ropa.ui").exception("approving %s %s failed", org, ref)
        st.session_state["tasks_error"] = explain(err, state.lang())


if access.can(me, access.APPROVE):
    waiting = [x for x in found if x.kind == "awaiting_approval"]
    if waiting:
        st.subheader(t("Godkjenn", "Approve"))
        error = st.session_state.pop("tasks_error", None)
        if error:
            st.error(markdown(error))
        for x in waiting:
            version = versions[(x.organisation, x.ref)]
            o, r = markdown(x.organisation), markdown(x.ref)  # button labels render Markdown
            st.button(
                t(f"Godkjenn {o} {r} (versjon {version})", f"Approve {o} {r} (version {version})"),
                key=f"approve_{x.organisation}_{x.ref}",
                on_click=_approve,
                args=(x.organisation, x.ref, version),
            )
