"""History: the audit trail (who, when, which field, old → new), of one activity or of the
latest changes in the register. Read from :mod:`ropa.register.audit`; the trail is append-only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ropa import audit, db, fields
from ropa.errors import NotFound
from ropa.register.activities import get_activity, list_activities
from ropa.register.audit import activity_history, recent_changes
from ropa.register.organisations import list_organisations
from ropa.text import markdown
from ropa.text import table as safe_table
from ropa.ui import state

t = state.t
lang = state.lang()
st.title(t("Historikk", "History"))
st.caption(
    t(
        "Hver endring lagres med hvem, når, felt og gammel → ny verdi, i samme transaksjon som endringen. Loggen kan ikke endres.",
        "Every change is recorded with who, when, the field and old → new, in the same transaction as the change. The trail cannot be altered.",
    )
)

with db.session(state.engine()) as s:
    org_names = [o.name for o in list_organisations(s)]
if not org_names:
    st.info(t("Registeret er tomt: ingen historikk ennå.", "The register is empty: no history yet."))
    st.stop()

opened = st.session_state.get("open_activity")
focus = opened[0] if opened else state.org()
c = st.columns([2, 1, 1])
org = c[0].selectbox(
    t("Virksomhet", "Organisation"),
    org_names,
    index=org_names.index(focus) if focus in org_names else 0,
    placeholder=state.t("Velg …", "Choose …"),
    key="h_org",
)
with db.session(state.engine()) as s:
    refs = [a.ref for a in list_activities(s, org=org)]
ref = c[1].selectbox(
    t("Aktivitet", "Activity"),
    [None, *refs],
    key="h_ref",
    placeholder=t("Siste endringer", "Latest changes"),
    index=refs.index(opened[1]) + 1 if opened and opened[0] == org and opened[1] in refs else 0,
    format_func=lambda r: t("Siste endringer", "Latest changes") if r is None else r,
)
limit = c[2].number_input(
    t("Siste endringer som vises", "Latest changes shown"),
    min_value=10,
    max_value=5000,
    value=200,
    step=50,
    key="h_limit",
    disabled=bool(ref),  # an activity's history is shown whole
    help=t(
        "Gjelder oversikten over siste endringer; en aktivitets historikk vises i sin helhet.", "For the latest changes; an activity's history is shown whole."
    ),
)

with db.session(state.engine()) as s:
    try:
        events = activity_history(s, org, ref) if ref else recent_changes(s, org=org, limit=int(limit))
    except NotFound as err:
        st.error(markdown(err))
        st.stop()
if not events:
    st.info(t("Ingen endringer registrert.", "No changes recorded."))
else:
    st.dataframe(
        safe_table(pd.DataFrame(audit.trail_rows(reversed(events) if ref else events, lang, org=org))),
        hide_index=True,
        width="stretch",
        # Widths set, not guessed from the first rows: after a run of creations (no field, no old value)
        # the field and "before" columns were a few letters wide and cut every change below.
        column_config={
            audit.HEADS["field"].in_(lang): st.column_config.TextColumn(width="small"),
            audit.HEADS["old"].in_(lang): st.column_config.TextColumn(width="medium"),
            audit.HEADS["new"].in_(lang): st.column_config.TextColumn(width="large"),
        },
    )


# --- Restore (its own block): put a field or the whole activity back as it was at an earlier
# version, as an ordinary audited save (ropa.restore); a deleted activity comes back as a new one.
RESTORE = {
    "restore": ("Gjenopprett en tidligere versjon", "Restore an earlier version"),
    "restore_intro": (
        "Gjenopprettingen er en vanlig lagring: den får nytt versjonsnummer og står i historikken. "
        "Historikken selv endres aldri. Mottakere tas med slik de er registrert nå.",
        "A restore is an ordinary save: it gets a new version number and appears in the history. The "
        "history itself never changes. Recipients are taken as they are recorded now.",
    ),
    "deleted": ("Slettet aktivitet", "Deleted activity"),
    "deleted_none": ("Velg en aktivitet over, eller en slettet aktivitet her.", "Choose an activity above, or a deleted one here."),
    "version": ("Versjon", "Version"),
    "what": ("Hva som gjenopprettes", "What to restore"),
    "whole": ("Hele aktiviteten", "The whole activity"),
    "one": ("Ett felt", "One field"),
    "field": ("Felt", "Field"),
    "same": ("Denne versjonen er lik aktiviteten nå.", "This version is the same as the activity now."),
    "now": ("Nå", "Now"),
    "then": ("I versjonen", "In the version"),
    "go": ("Gjenopprett", "Restore"),
    "gone": (
        "Aktiviteten er slettet: den opprettes på nytt med innholdet fra versjonen.",
        "The activity was deleted: it will be created again with the content of the version.",
    ),
    "no_edit": ("Du har ikke tillatelse til å endre aktiviteter i denne virksomheten.", "You are not allowed to change activities in this organisation."),
}
rt = state.words(RESTORE)


def _restore_block() -> None:
    from ropa import access, restore
    from ropa.ui import errors, signin

    me = signin.principal()
    st.divider()
    st.subheader(rt("restore"))
    st.caption(rt("restore_intro"))
    state.show_flash()
    target = ref
    if target is None:
        with db.session(state.engine()) as s:
            gone = restore.deleted(s, org)
        if not gone:
            st.caption(rt("deleted_none"))
            return
        target = st.selectbox(rt("deleted"), gone, key="h_restore_deleted", placeholder="—")
    with db.session(state.engine()) as s:
        found = [v for v in restore.history(s, org, target) if v.action != "delete"]
        try:
            current = get_activity(s, org, target).version
        except NotFound:
            current = None
    if not found:
        return
    by_event = {v.event_id: v for v in reversed(found)}  # newest first; options are event ids, stable across runs
    where = f"{org}/{target}"  # the widgets' state belongs to one activity: switching activity starts afresh
    chosen = by_event[
        st.selectbox(
            rt("version"),
            list(by_event),
            key=f"h_restore_version:{where}",
            placeholder="—",
            index=1 if len(by_event) > 1 and current is not None else 0,
            format_func=lambda i: (
                f"v{by_event[i].version} · {audit.local_time(by_event[i].at, lang)} · {by_event[i].actor} · {audit.action_label(by_event[i].action, lang)}"
            ),
        )
    ]
    with db.session(state.engine()) as s:
        differs = restore.compare(s, org, target, chosen)
    if not differs:
        st.info(rt("same"))
        return
    st.dataframe(
        safe_table(pd.DataFrame([{rt("field"): c.label(lang), rt("now"): c.text(c.old, lang), rt("then"): c.text(c.new, lang)} for c in differs])),
        hide_index=True,
        width="stretch",
    )
    whole = current is None or st.radio(
        rt("what"), [True, False], horizontal=True, key=f"h_restore_whole:{where}", format_func=lambda w: rt("whole") if w else rt("one")
    )
    field = (
        None
        if whole
        else st.selectbox(rt("field"), [c.field for c in differs], key=f"h_restore_field:{where}", placeholder="—", format_func=lambda f: fields.label(f, lang))
    )
    if current is None:
        st.caption(rt("gone"))
    if not access.can(me, access.EDIT_ACTIVITY, org):
        st.caption(rt("no_edit"))
        return
    if st.button(rt("go"), type="primary", icon=":material/restore:", key=f"h_restore_go:{where}"):
        with errors.reported() as outcome, db.transaction(state.engine()) as s:
            if field is not None:
                done = restore.restore_field(s, org, target, field, chosen, expected_version=current or 0, actor=me, source="dashboard")
            else:
                done = restore.restore_activity(s, org, target, chosen, expected_version=current, actor=me, source="dashboard")
        if not outcome.failed:
            state.flash(done.message(lang))
            st.rerun()


_restore_block()
