"""The rulebook: every rule's code, severity, article and title, the finding a rule raises, and
how findings are collected, ordered, counted and named. No rule lives here; the rules are in
:mod:`ropa.activity_checks`, :mod:`ropa.organisation_checks` and :mod:`ropa.transfers`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Optional

from ropa import vocab
from ropa.fields import ACTIVITY

SEVERITIES = ("error", "warning", "info")
SEVERITY_TERMS = vocab.SEVERITIES


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs twice as much, and a check run makes 100,000s
class Finding:
    rule: str
    severity: str
    organisation: str
    activity_ref: Optional[str]
    article: str
    message_en: str
    message_nb: str
    fix_en: str
    fix_nb: str
    field: Optional[str] = None  # the field the finding is about, for the editor to point at
    recipient: Optional[str] = None  # for findings about a recipient rather than an activity

    def message(self, lang: str = "en") -> str:
        return self.message_nb if lang == "nb" else self.message_en

    def fix(self, lang: str = "en") -> str:
        return self.fix_nb if lang == "nb" else self.fix_en

    def as_dict(self) -> dict[str, Any]:
        """The public JSON shape (``python -m ropa check --format json``)."""
        d = asdict(self)
        return {
            k: d[k]
            for k in ("rule", "severity", "organisation", "activity_ref", "article", "message_en", "message_nb", "fix_en", "fix_nb", "field", "recipient")
        }


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    article: str
    title_en: str
    title_nb: str


RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule("art30-missing-field", "error", "Art. 30", "A field Art. 30 requires is empty", "Et felt artikkel 30 krever, er tomt"),
        Rule("legal-basis-missing", "error", "Art. 6(1)", "No legal basis", "Mangler behandlingsgrunnlag"),
        Rule(
            "consent-public-authority",
            "warning",
            "Art. 4(11), 7(4)",
            "Consent relied on by a public authority",
            "Samtykke brukt av en offentlig myndighet",
        ),
        Rule(
            "legal-basis-without-law",
            "warning",
            "Art. 6(3)",
            "A legal obligation or public task names no law",
            "Rettslig forpliktelse eller offentlig oppgave uten oppgitt hjemmel",
        ),
        Rule(
            "special-category-without-condition",
            "error",
            "Art. 9(2)",
            "Special categories without an Art. 9(2) condition",
            "Særlige kategorier uten unntak etter art. 9 nr. 2",
        ),
        Rule(
            "art9-condition-without-law",
            "warning",
            "Art. 9(2)",
            "An Art. 9(2) condition that needs Union or Member State law names none",
            "Et unntak etter art. 9 nr. 2 som krever hjemmel i lov, oppgir ingen",
        ),
        Rule(
            "automated-decision-without-basis",
            "warning",
            "Art. 22(2)",
            "Automated decisions without an Art. 22(2) or 22(4) ground",
            "Automatiserte avgjørelser uten grunnlag etter art. 22 nr. 2 eller 4",
        ),
        Rule("child-consent", "info", "Art. 8(1)", "Consent from children", "Samtykke fra barn"),
        Rule("criminal-data-without-basis", "error", "Art. 10", "Criminal-offence data without a basis", "Opplysninger om straffbare forhold uten grunnlag"),
        Rule(
            "transfer-without-mechanism",
            "error",
            "Art. 44, 46",
            "Transfer to a third country or international organisation without a mechanism",
            "Overføring til tredjestat eller internasjonal organisasjon uten overføringsgrunnlag",
        ),
        Rule("transfer-adequacy-scope", "warning", "Art. 45", "Adequacy may not cover the transfer", "Adekvansbeslutningen dekker kanskje ikke overføringen"),
        Rule(
            "transfer-derogation-repeated",
            "warning",
            "Art. 49(1)",
            "A derogation limited to occasional or non-repetitive transfers used for a regular one",
            "Et unntak som bare gjelder enkeltstående overføringer, brukt for en regelmessig overføring",
        ),
        Rule(
            "recipient-transfer-missing",
            "warning",
            "Art. 30(1)(e), 44",
            "Recipient in a third country, no transfer recorded",
            "Mottaker i tredjestat, ingen overføring registrert",
        ),
        Rule("transfer-tia-missing", "info", "Art. 46(1)", "No transfer impact assessment", "Mangler vurdering av overføringen (TIA)"),
        Rule("transfer-destination-missing", "warning", "Art. 30(1)(e)", "Transfer without a destination", "Overføring uten mottakerland"),
        Rule(
            "transfer-mechanism-not-available",
            "error",
            "Art. 46(2)(a), 49(3)",
            "A transfer mechanism not open to this exporter",
            "Et overføringsgrunnlag denne eksportøren ikke kan bruke",
        ),
        Rule("representative-missing", "warning", "Art. 27(1)", "No EU representative", "Mangler representant i EU/EØS"),
        Rule(
            "territorial-scope-unrecorded",
            "warning",
            "Art. 3(2)",
            "Established only outside the EEA; whether Art. 3(2) applies is not recorded",
            "Etablert bare utenfor EØS; om art. 3 nr. 2 gjelder, er ikke registrert",
        ),
        Rule(
            "outside-territorial-scope",
            "info",
            "Art. 3",
            "Outside the GDPR's territorial scope",
            "Utenfor forordningens territoriale virkeområde",
        ),
        Rule(
            "art30-5-exemption-not-met",
            "warning",
            "Art. 30(5)",
            "The Art. 30(5) exemption is claimed but does not hold",
            "Unntaket i art. 30 nr. 5 er påberopt, men vilkårene er ikke oppfylt",
        ),
        Rule("retention-unspecified", "warning", "Art. 30(1)(f), 5(1)(e)", "Retention not specified", "Lagringstiden er ikke angitt"),
        Rule(
            "legitimate-interest-without-assessment",
            "warning",
            "Art. 6(1)(f)",
            "Legitimate interests without a balancing test",
            "Berettiget interesse uten interesseavveining",
        ),
        Rule(
            "legitimate-interest-public-authority",
            "warning",
            "Art. 6(1) second subparagraph",
            "A public authority relies on legitimate interests",
            "En offentlig myndighet bruker berettiget interesse som grunnlag",
        ),
        Rule("processor-without-agreement", "error", "Art. 28(3)", "Processor without a data processing agreement", "Databehandler uten databehandleravtale"),
        Rule("dpia-required", "error", "Art. 35", "DPIA needed but not done", "DPIA trengs, men er ikke gjennomført"),
        Rule("dpia-consider", "info", "Art. 35(1)", "One WP248 criterion: consider a DPIA", "Ett WP248-kriterium: vurder DPIA"),
        Rule("dpia-screening-missing", "info", "Art. 35(1)", "Sensitive processing not screened for a DPIA", "Sensitiv behandling er ikke vurdert for DPIA"),
        Rule("review-overdue", "warning", "Art. 24(1)", "Review overdue", "Gjennomgang på overtid"),
        Rule("review-missing", "info", "Art. 24(1)", "Never reviewed, no review planned", "Aldri gjennomgått, ingen gjennomgang planlagt"),
        Rule("dpo-missing", "warning", "Art. 37(1)", "No DPO recorded", "Mangler personvernombud"),
    )
}


class _Emit:
    """Collects the findings of one organisation or activity."""

    def __init__(self, org: str, ref: Optional[str]) -> None:
        self.org, self.ref = org, ref
        self.out: list[Finding] = []

    def __call__(
        self,
        rule: str,
        message: tuple[str, str],
        fix: tuple[str, str],
        *,
        field: Optional[str] = None,
        severity: Optional[str] = None,
        article: Optional[str] = None,
        recipient: Optional[str] = None,
    ) -> None:
        r = RULES[rule]
        self.out.append(
            Finding(rule, severity or r.severity, self.org, self.ref, article or r.article, message[0], message[1], fix[0], fix[1], field, recipient)
        )


def _label(key: str, table: Mapping[str, Any] = ACTIVITY) -> tuple[str, str]:
    spec = table[key]
    return spec.label("en"), spec.label("nb")


def by_severity(findings: Iterable[Finding]) -> list[Finding]:
    """Errors, then warnings, then notes; within each, the order they were found in (organisation
    by name, its activities by ref, then the organisation itself and its recipients)."""
    buckets: dict[str, list[Finding]] = {sev: [] for sev in SEVERITIES}
    for f in findings:
        buckets[f.severity].append(f)
    return [f for sev in SEVERITIES for f in buckets[sev]]


def summarise(findings: Iterable[Finding]) -> dict[str, int]:
    """Counts by severity (every severity present, zero or not)."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def counts_by_activity(findings: Iterable[Finding]) -> dict[tuple[str, str], dict[str, int]]:
    """Each activity's (organisation, ref) findings counted by severity (the list's badges)."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for f in findings:
        if f.activity_ref:
            counts = out.setdefault((f.organisation, f.activity_ref), {})
            counts[f.severity] = counts.get(f.severity, 0) + 1
    return out


def rule_title(code: str, lang: str = "en") -> str:
    r = RULES.get(code)
    return (r.title_nb if lang == "nb" else r.title_en) if r else code


def severity_label(severity: str, lang: str = "en") -> str:
    return SEVERITY_TERMS[severity].label(lang) if severity in SEVERITY_TERMS else severity
