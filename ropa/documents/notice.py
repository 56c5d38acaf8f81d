"""Privacy notices drafted from the register (GDPR Art. 13 and 14), in plain bokmål or English.

A notice covers one organisation's activities, all of them or those about one group of
people (customers, employees, applicants). It is layered as WP260 rev.01 advises: a short
summary first, then one section per thing the person is entitled to know, each citing the
paragraph it answers. Where the register lacks something Art. 13 or 14 requires, the draft
says so in place ("[MISSING: …]") and lists the gap with its paragraph; a notice with gaps is
marked as a draft. The wording is this project's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Optional

from sqlmodel import Session

from ropa import vocab
from ropa.documents.notice_parts import Block, Notice, NoticeSection, Para, Seg
from ropa.documents.notice_wording import Writer, concerns, some_of
from ropa.documents.present import Presenter, load
from ropa.errors import NotFound

DATATILSYNET = {
    "nb": "Datatilsynet, Postboks 458 Sentrum, 0105 Oslo, telefon 22 39 69 00, www.datatilsynet.no",
    "en": "Datatilsynet (the Norwegian Data Protection Authority), PO Box 458 Sentrum, 0105 Oslo, Norway, phone +47 22 39 69 00, www.datatilsynet.no",
}


def build_notice(org: dict[str, Any], *, lang: str = "nb", subjects: Optional[str] = None, made: Optional[datetime] = None) -> Notice:
    """The notice for one organisation's active activities (those about ``subjects`` if given)."""
    w = Writer(lang)
    p, t = w.p, w.t
    candidates = [a for a in org.get("activities", []) if a.get("status") != "retired" and a.get("role") != "processor"]
    p_nb, p_en = Presenter("nb"), Presenter("en")
    acts = [a for a in candidates if concerns(subjects, a, p_nb, p_en)] or [a for a in candidates if concerns(subjects, a, p_nb, p_en, loose=True)]
    if not acts:
        raise NotFound(
            t(
                f"{org['name']} har ingen aktive behandlingsaktiviteter som behandlingsansvarlig" + (f" om «{subjects}»." if subjects else "."),
                f"{org['name']} has no active processing activities as controller" + (f" about “{subjects}”." if subjects else "."),
            )
        )
    w.collection = {a["ref"]: (a.get("transparency") or {}).get("collection") for a in acts}
    name = org["name"]
    contact = org.get("email") or org.get("phone") or org.get("website")
    sections: list[NoticeSection] = []

    # Art. 13(1)(a), 14(1)(a): who we are
    who: Para = [
        Seg(t(f"{name} er behandlingsansvarlig for personopplysningene som beskrives her. ", f"{name} is the controller of the personal data described here. "))
    ]
    details = [d for d in (org.get("address"), org.get("email"), org.get("phone"), org.get("website")) if d]
    if details:
        who.append(Seg(t("Du når oss på: ", "You can reach us at: ") + ", ".join(details) + "."))
    else:
        who.append(w.gap("Art. 13(1)(a)", "kontaktopplysninger til den behandlingsansvarlige", "the controller's contact details"))
    blocks = [Block("p", [who])]
    rep = p.representative(org)
    if org.get("country") and not vocab.country_status(org["country"]) == vocab.CountryStatus.EEA and not rep:
        blocks.append(Block("p", [[w.gap("Art. 13(1)(a)", "representant i EØS (art. 27)", "representative in the EEA (Art. 27)")]]))
    elif rep:
        blocks.append(Block("p", [[Seg(t("Vår representant i EØS er ", "Our representative in the EEA is ") + ", ".join(rep) + ".")]]))
    dpo = p.dpo(org)
    if dpo:
        blocks.append(Block("p", [[Seg(t("Personvernombudet vårt: ", "Our data protection officer: ") + ", ".join(dpo) + ".")]]))
    else:
        blocks.append(
            Block(
                "p",
                [
                    [
                        w.gap(
                            "Art. 13(1)(b)",
                            "kontaktopplysninger til personvernombudet, om vi har et",
                            "the data protection officer's contact details, where there is one",
                        )
                    ]
                ],
            )
        )
    for a in acts:  # joint controllers (Art. 26): who they are, and the essence of the arrangement (Art. 26(2))
        if a.get("role") != "joint_controller":
            continue
        partners = ", ".join(a.get("controllers") or [])
        joint: Para = [Seg(a["name"] + ": ", "strong")]
        joint.append(
            Seg(
                t(
                    f"Her er vi felles behandlingsansvarlige med {partners} (personvernforordningen artikkel 26). ",
                    f"Here we are joint controllers with {partners} (GDPR Article 26). ",
                )
            )
            if partners
            else w.gap("Art. 13(1)(a)", "hvem vi er felles behandlingsansvarlige med", "who the joint controllers are", a["ref"])
        )
        joint.append(w.gap("Art. 26(2)", "hovedinnholdet i avtalen om felles behandlingsansvar", "the essence of the joint-controller arrangement", a["ref"]))
        blocks.append(Block("p", [joint]))
    sections.append(
        NoticeSection(
            t("Hvem vi er", "Who we are"),
            "Art. 13(1)(a)–(b), 14(1)(a)–(b), 26(2)" if any(a.get("role") == "joint_controller" for a in acts) else "Art. 13(1)(a)–(b), 14(1)(a)–(b)",
            blocks,
        )
    )

    # Art. 13(1)(c)-(d): purposes and legal bases, per activity
    blocks = []
    for a in acts:
        ref = a["ref"]
        paras: list[Para] = []
        if a.get("purposes"):
            paras.append([Seg(t("Formål: ", "Purpose: "), "strong"), Seg("; ".join(a["purposes"]) + ".")])
        else:
            paras.append([Seg(t("Formål: ", "Purpose: "), "strong"), w.gap("Art. 13(1)(c)", "formålet", "the purpose", ref)])
        bases = a.get("legal_bases") or []
        if not bases:
            paras.append([Seg(t("Grunnlag: ", "Legal basis: "), "strong"), w.gap("Art. 13(1)(c)", "behandlingsgrunnlaget", "the legal basis", ref)])
        for b in bases:
            paras.append([Seg(t("Grunnlag: ", "Legal basis: "), "strong"), *w.basis(b, ref)])
        for c in a.get("art9_conditions") or []:
            paras.append([Seg(t("Særlige kategorier: ", "Special categories: "), "strong"), *w.art9(c, ref)])
        blocks.append(Block("head", [[Seg(a["name"])]]))
        blocks.append(Block("ul", paras))
    sections.append(
        NoticeSection(
            t("Hva vi bruker opplysningene til, og hvorfor vi har lov", "What we use your data for, and why we may"),
            "Art. 13(1)(c)–(d), 14(1)(c), 14(2)(b)",
            blocks,
        )
    )

    # Art. 14(1)(d), 14(2)(f): which data, and where they come from
    blocks = []
    for a in acts:
        ref, tr = a["ref"], a.get("transparency") or {}
        cats = [p.category(c) for c in [*a.get("data_categories", []), *a.get("special_categories", [])]]
        paras = [
            [
                Seg(t("Opplysninger: ", "Data: "), "strong"),
                Seg(", ".join(dict.fromkeys(cats)) + ".") if cats else w.gap("Art. 14(1)(d)", "hvilke opplysninger", "which data", ref),
            ]
        ]
        collection = tr.get("collection")
        if collection == "subject":
            paras.append([Seg(t("Kilde: ", "Source: "), "strong"), Seg(t("Du gir oss opplysningene selv.", "You give us the data yourself."))])
        else:
            src: Para = [Seg(t("Kilde: ", "Source: "), "strong")]
            src.append(
                Seg("; ".join(a["sources"]) + ". ")
                if a.get("sources")
                else w.gap("Art. 14(2)(f)", "hvor opplysningene kommer fra", "where the data come from", ref)
            )
            if src[-1].kind == "gap":
                src.append(Seg(" "))
            if collection is None:
                src.append(
                    w.gap("Art. 13/14", "om opplysningene samles inn fra deg eller fra andre", "whether the data are collected from you or from elsewhere", ref)
                )
            elif tr.get("sources_public") is True:
                src.append(
                    Seg(t("Noen av opplysningene kommer fra offentlig tilgjengelige kilder.", "Some of the data come from publicly accessible sources."))
                )
            elif tr.get("sources_public") is False:
                src.append(Seg(t("Opplysningene kommer ikke fra offentlig tilgjengelige kilder.", "The data do not come from publicly accessible sources.")))
            else:
                src.append(w.gap("Art. 14(2)(f)", "om kilden er offentlig tilgjengelig", "whether the source is publicly accessible", ref))
            paras.append(src)
        blocks.append(Block("head", [[Seg(a["name"])]]))
        blocks.append(Block("ul", paras))
    sections.append(
        NoticeSection(t("Hvilke opplysninger vi har, og hvor de kommer fra", "What data we have, and where they come from"), "Art. 14(1)(d), 14(2)(f)", blocks)
    )

    # Art. 13(1)(e): recipients
    recipients: dict[str, dict[str, Any]] = {}
    for a in acts:
        for r in a.get("recipients", []):
            recipients.setdefault(r["name"], r)
    # An empty list is an answer only where the register says the data go to no one (no_recipients).
    unanswered = [a for a in acts if not a.get("recipients") and not a.get("no_recipients")]
    blocks = []
    if recipients:
        blocks.append(Block("ul", [[Seg(r["name"]), Seg(f" ({p.term(vocab.RECIPIENT_KINDS, r.get('kind'))})")] for r in recipients.values()]))
    elif not unanswered:
        blocks.append(Block("p", [[Seg(t("Vi deler ikke opplysningene med andre.", "We do not share the data with anyone."))]]))
    if unanswered:
        blocks.append(
            Block(
                "ul",
                [
                    [
                        Seg(a["name"] + ": ", "strong"),
                        w.gap(
                            "Art. 13(1)(e)",
                            "mottakerne, eller at opplysningene ikke utleveres til noen",
                            "the recipients, or that the data are disclosed to no one",
                            a["ref"],
                        ),
                    ]
                    for a in unanswered
                ],
            )
        )
    sections.append(NoticeSection(t("Hvem vi deler opplysningene med", "Who we share the data with"), "Art. 13(1)(e), 14(1)(e)", blocks))

    # Art. 13(1)(f): transfers outside the EEA
    transfers = [(a, tr) for a in acts for tr in a.get("transfers", []) if vocab.country_status(tr.get("country")) != vocab.CountryStatus.EEA]
    if transfers:
        seen, paras = set(), []
        for a, tr in transfers:
            key = (tr.get("country"), tr.get("international_organisation"), tr.get("recipient"), tr.get("mechanism"), tr.get("safeguard"))
            if key in seen:
                continue
            seen.add(key)
            paras.append(w.mechanism(tr, org.get("email"), a["ref"]))
        blocks = [
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Vi overfører opplysninger til land utenfor EØS eller internasjonale organisasjoner:",
                                "We transfer data to countries outside the EEA or international organisations:",
                            )
                            if any(tr.get("international_organisation") and not tr.get("country") for _, tr in transfers)
                            else t("Vi overfører opplysninger til land utenfor EØS:", "We transfer data to countries outside the EEA:")
                        )
                    ]
                ],
            ),
            Block("ul", paras),
        ]
    # A recipient outside the EEA with no transfer recorded for it: the register contradicts "no transfer".
    unrecorded = [
        (a, r)
        for a in acts
        for r in a.get("recipients", [])
        if r.get("country")
        and r.get("kind") != "own_establishment"
        and vocab.country_status(r["country"]) not in (None, vocab.CountryStatus.EEA)
        and not any(tr.get("country") == r["country"] for tr in a.get("transfers", []))
    ]
    if unrecorded:
        if not transfers:
            blocks = []
        blocks.append(
            Block(
                "ul",
                [
                    [
                        Seg(f"{p.country(r['country'])} ({r['name']}): ", "strong"),
                        w.gap(
                            "Art. 13(1)(f)",
                            f"overføringen til {p.country(r['country'])}: mottakeren er der, men ingen overføring er registrert",
                            f"the transfer to {p.country(r['country'])}: the recipient is there, but no transfer is recorded",
                            a["ref"],
                        ),
                    ]
                    for a, r in unrecorded
                ],
            )
        )
    elif not transfers:
        blocks = [Block("p", [[Seg(t("Vi overfører ikke opplysningene til land utenfor EØS.", "We do not transfer the data to countries outside the EEA."))]])]
    sections.append(NoticeSection(t("Overføring til land utenfor EØS", "Transfers outside the EEA"), "Art. 13(1)(f), 14(1)(f)", blocks))

    # Art. 13(2)(a): retention
    paras = []
    for a in acts:
        ret = a.get("retention") or {}
        rule = p.retention(ret)
        text = rule[:1].upper() + rule[1:] + "." if rule else (ret.get("text") or "")
        paras.append(
            [
                Seg(a["name"] + ": ", "strong"),
                Seg(text) if text else w.gap("Art. 13(2)(a)", "hvor lenge opplysningene lagres", "how long the data are kept", a["ref"]),
            ]
        )
    sections.append(NoticeSection(t("Hvor lenge vi tar vare på opplysningene", "How long we keep the data"), "Art. 13(2)(a), 14(2)(a)", [Block("ul", paras)]))

    # Art. 13(2)(b)-(c): rights
    consent = any(b.get("code") in ("art6_1_a",) for a in acts for b in a.get("legal_bases", [])) or any(
        c.get("code") == "art9_2_a" for a in acts for c in a.get("art9_conditions", [])
    )
    objection = any(b.get("code") in ("art6_1_e", "art6_1_f") for a in acts for b in a.get("legal_bases", []))
    portability = any(b.get("code") in ("art6_1_a", "art6_1_b") for a in acts for b in a.get("legal_bases", []))
    rights = [
        t("be om innsyn i opplysningene vi har om deg, og få en kopi (artikkel 15)", "ask what data we hold about you and get a copy (Article 15)"),
        t("få uriktige opplysninger rettet (artikkel 16)", "have wrong data corrected (Article 16)"),
        t(
            "få opplysninger slettet når vi ikke lenger har grunnlag for å ha dem (artikkel 17)",
            "have data erased when we no longer have grounds to keep them (Article 17)",
        ),
        t(
            "be oss begrense bruken av opplysningene mens noe avklares (artikkel 18)",
            "ask us to restrict the use of the data while something is being settled (Article 18)",
        ),
    ]
    if portability:
        rights.append(
            t(
                "få opplysninger du har gitt oss, i et maskinlesbart format, og flytte dem (artikkel 20)",
                "get data you gave us in a machine-readable format and take them elsewhere (Article 20)",
            )
        )
    blocks = [Block("p", [[Seg(t("Du har rett til å", "You have the right to"))]]), Block("ul", [[Seg(r)] for r in rights])]
    if objection:
        blocks.append(
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Du kan protestere mot behandling som bygger på berettiget interesse eller allmennhetens interesse, "
                                "og mot direkte markedsføring når som helst (artikkel 21).",
                                "You may object to processing based on legitimate interests or the public interest, and to "
                                "direct marketing at any time (Article 21).",
                            ),
                            "strong",
                        )
                    ]
                ],
            )
        )
    if consent:
        blocks.append(
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Der vi bygger på samtykke, kan du når som helst trekke det tilbake. Det er like enkelt som å gi det, "
                                "og det endrer ikke at bruken før du trakk det tilbake var lovlig.",
                                "Where we rely on your consent, you may withdraw it at any time. It is as easy as giving it, "
                                "and it does not make earlier use unlawful.",
                            )
                        )
                    ]
                ],
            )
        )
    blocks.append(
        Block(
            "p",
            [
                [
                    Seg(t("Kontakt oss for å bruke rettighetene dine: ", "Contact us to use your rights: ")),
                    Seg(contact) if contact else w.gap("Art. 12(2)", "hvordan man kontakter oss", "how to contact us"),
                ]
            ],
        )
    )
    sections.append(NoticeSection(t("Rettighetene dine", "Your rights"), "Art. 13(2)(b)–(c), 14(2)(c)–(d)", blocks))

    # Art. 13(2)(d): complaint (Art. 77: where the person lives or works, or where the infringement took place)
    authority = (org.get("supervisory_authority") or "").strip()
    if authority and "datatilsynet" not in authority.casefold():  # another lead authority is recorded: name it first
        complaint = [
            Seg(
                t(
                    "Mener du at vi behandler opplysningene dine i strid med regelverket, kan du klage til vår tilsynsmyndighet: ",
                    "If you think we handle your data unlawfully, you can complain to our supervisory authority: ",
                )
            ),
            Seg(authority.rstrip(".") + "."),
            Seg(
                t(
                    " Du kan også klage til tilsynsmyndigheten der du bor eller arbeider; i Norge er det Datatilsynet: ",
                    " You may also complain to the supervisory authority where you live or work; in Norway that is Datatilsynet: ",
                )
            ),
            Seg(DATATILSYNET[lang] + "."),
        ]
        title = t("Klage til tilsynsmyndigheten", "Complaints to the supervisory authority")
    else:
        complaint = [
            Seg(
                t(
                    "Mener du at vi behandler opplysningene dine i strid med regelverket, kan du klage til Datatilsynet: ",
                    "If you think we handle your data unlawfully, you can complain to Datatilsynet: ",
                )
            ),
            Seg(DATATILSYNET[lang] + "."),
            Seg(
                t(
                    " Du kan også klage til tilsynsmyndigheten der du bor eller arbeider.",
                    " You may also complain to the supervisory authority where you live or work.",
                )
            ),
        ]
        title = t("Klage til Datatilsynet", "Complaints to Datatilsynet")
    sections.append(NoticeSection(title, "Art. 13(2)(d), 14(2)(e)", [Block("p", [complaint])]))

    # Art. 13(2)(e): statutory or contractual requirement
    paras = []
    for a in acts:
        tr = a.get("transparency") or {}
        if tr.get("collection") == "elsewhere":
            continue
        code = tr.get("provision")
        line: Para = [Seg(a["name"] + ": ", "strong")]
        if not code:
            line.append(
                w.gap(
                    "Art. 13(2)(e)",
                    "om du må gi opplysningene, og hva som skjer om du ikke gjør det",
                    "whether you must provide the data, and what happens if you do not",
                    a["ref"],
                )
            )
        else:
            line.append(
                Seg(
                    {
                        "statutory": t("Loven krever at du gir oss opplysningene. ", "The law requires you to give us the data. "),
                        "contractual": t("Avtalen med deg krever at du gir oss opplysningene. ", "Our contract with you requires the data. "),
                        "contract_precondition": t(
                            "Vi trenger opplysningene for å kunne inngå avtale med deg. ", "We need the data to enter into a contract with you. "
                        ),
                        "voluntary": t("Det er frivillig å gi oss opplysningene. ", "Giving us the data is voluntary. "),
                    }[code]
                )
            )
            if tr.get("provision_consequences"):
                line.append(Seg(t("Gir du dem ikke: ", "If you do not: ") + tr["provision_consequences"]))
            elif code != "voluntary":
                line.append(w.gap("Art. 13(2)(e)", "hva som skjer om du ikke gir opplysningene", "what happens if you do not provide the data", a["ref"]))
        paras.append(line)
    if paras:
        sections.append(NoticeSection(t("Må du gi oss opplysningene?", "Do you have to give us the data?"), "Art. 13(2)(e)", [Block("ul", paras)]))

    # Art. 13(2)(f), 14(2)(g): automated decisions and profiling
    paras = []
    for a in acts:
        tr = a.get("transparency") or {}
        flag = tr.get("automated_decisions")
        if flag is False:
            continue
        line = [Seg(a["name"] + ": ", "strong")]
        if flag is None:
            line.append(
                w.gap(
                    "Art. 13(2)(f)",
                    "om vi tar automatiserte avgjørelser, herunder profilering",
                    "whether we make automated decisions, including profiling",
                    a["ref"],
                )
            )
        elif tr.get("automated_logic"):
            line.append(
                Seg(
                    t(
                        "Vi tar automatiserte avgjørelser om deg. Slik fungerer det og dette betyr det for deg: ",
                        "We make automated decisions about you. How it works and what it means for you: ",
                    )
                    + tr["automated_logic"]
                )
            )
        else:
            line.append(
                w.gap(
                    "Art. 13(2)(f)",
                    "logikken bak de automatiserte avgjørelsene, og betydningen for deg",
                    "the logic of the automated decisions and what they mean for you",
                    a["ref"],
                )
            )
        paras.append(line)
    blocks = (
        [Block("ul", paras)]
        if paras
        else [
            Block(
                "p",
                [
                    [
                        Seg(
                            t(
                                "Vi tar ingen avgjørelser om deg som bare bygger på automatisk behandling, heller ikke profilering.",
                                "We make no decisions about you based solely on automated processing, including profiling.",
                            )
                        )
                    ]
                ],
            )
        ]
    )
    sections.append(NoticeSection(t("Automatiserte avgjørelser og profilering", "Automated decisions and profiling"), "Art. 13(2)(f), 14(2)(g)", blocks))

    who_for = f" – {subjects}" if subjects else ""
    purposes = list(dict.fromkeys(x for a in acts for x in a.get("purposes", [])))
    summary = [
        (
            t(f"{name} behandler opplysninger om deg for disse formålene: ", f"{name} uses data about you for these purposes: ")
            + some_of(purposes, 6, t, "; ")
            + "."
            if purposes
            else t(f"{name} behandler opplysninger om deg; formålene står nedenfor.", f"{name} uses data about you; the purposes are set out below.")
        ),
        (
            t("Vi deler opplysninger med ", "We share data with ") + some_of(list(recipients), 4, t, ", ") + "."
            if recipients
            else t("Hvem vi deler opplysningene med, står nedenfor.", "Who we share the data with is set out below.")
            if unanswered
            else t("Vi deler ikke opplysningene med andre.", "We do not share the data with anyone.")
        ),
        (
            (
                t(
                    "Noen opplysninger overføres til land utenfor EØS eller internasjonale organisasjoner: ",
                    "Some data go to countries outside the EEA or international organisations: ",
                )
                if any(tr.get("international_organisation") and not tr.get("country") for _, tr in transfers)
                else t("Noen opplysninger overføres til land utenfor EØS: ", "Some data go to countries outside the EEA: ")
            )
            + ", ".join(dict.fromkeys(p.country(tr.get("country")) or (tr.get("international_organisation") or "") for _, tr in transfers))
            + "."
            if transfers
            else t("Overføringer til land utenfor EØS står nedenfor.", "Transfers outside the EEA are set out below.")
            if unrecorded
            else t("Opplysningene blir i EØS.", "The data stay in the EEA.")
        ),
        (
            t(
                "Du kan be om innsyn, retting og sletting, og klage til tilsynsmyndigheten.",
                "You can ask for access, correction and erasure, and complain to the supervisory authority.",
            )
            if authority and "datatilsynet" not in authority.casefold()
            else t(
                "Du kan be om innsyn, retting og sletting, og klage til Datatilsynet.",
                "You can ask for access, correction and erasure, and complain to Datatilsynet.",
            )
        ),
    ]
    gaps = w.gaps
    for sec in sections:
        sec.cited = vocab.article_in(sec.article, lang)
    intro = t(
        "Her forklarer vi hvordan vi bruker personopplysninger om deg. Først en kort oppsummering, deretter detaljene.",
        "This notice explains how we use personal data about you. First a short summary, then the details.",
    )
    return Notice(
        name,
        lang,
        t(f"Personvernerklæring – {name}{who_for}", f"Privacy notice – {name}{who_for}"),
        intro,
        subjects,
        [a["ref"] for a in acts],
        summary,
        sections,
        gaps,
        made or datetime.now(UTC),
    )


def make_notice(session: Session, org: str, *, lang: str = "nb", subjects: Optional[str] = None) -> Notice:
    organisations = load(session, [org])
    return build_notice(organisations[0], lang=lang, subjects=subjects)


def subject_groups(organisations: Sequence[dict[str, Any]], lang: str = "nb") -> list[str]:
    """The groups of data subjects an organisation's activities concern, as labels (for the page)."""
    p = Presenter(lang)
    keys = dict.fromkeys(k for o in organisations for a in o.get("activities", []) for k in a.get("data_subjects", []))
    return [p.subject(k) for k in keys]
