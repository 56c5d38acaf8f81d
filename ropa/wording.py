"""What the register's free text says, read as the rules need it: retention wording that names no
period or no end the controller keeps, and references that say there is none ("ikke oppgitt",
"N/A") or name only an Art. 6 ground where Art. 10 wants a law. Pure functions of strings.
"""

from __future__ import annotations

import re
from typing import Optional

# "As long as necessary" and its kin: wording that names no period (Art. 5(1)(e) wants one). A need
# word close after "as long as" / "så lenge" (in the same clause) makes it vague; "as long as your
# account is active" or "så lenge kundeforholdet varer" names an end and is not.
_NEED_EN = r"(?:necessary|needed|required|reasonabl\w*|need(?:s|ed)?\b)"
_NEED_NB = r"(?:nødvendig\w*|påkrevd\w*|påkrevet|trengs|trenger|behov\w*|behøv\w*|formålstjenlig\w*)"
_VAGUE_RETENTION = re.compile(
    rf"\bas long as\b[^.;]{{0,40}}?\b{_NEED_EN}|\b(?:no|not) longer than\b[^.;]{{0,30}}?\b{_NEED_EN}|\bas required by law"
    rf"|\bså lenge\b[^.;]{{0,40}}?\b{_NEED_NB}|\b(?:lenger|lengre)\s+enn\b[^.;]{{0,30}}?\b{_NEED_NB}"
    # "until / when no longer needed", "for the period necessary", "i den tid det er nødvendig"
    rf"|\b(?:until|when|once)\b[^.;]{{0,25}}?\bno longer\b[^.;]{{0,20}}?\b{_NEED_EN}|\b(?:for )?the (?:period|time) {_NEED_EN}"
    rf"|\b(?:når|inntil|til)\b[^.;]{{0,30}}?\bikke (?:lenger|lengre)\b[^.;]{{0,20}}?\b{_NEED_NB}|\bi den tid\b[^.;]{{0,25}}?\b{_NEED_NB}"
    # "until the purpose is fulfilled", "as long as the purpose requires", "når formålet er oppfylt", "så lenge formålet tilsier"
    r"|\b(?:until|when|once|as long as)\b[^.;]{0,15}?\b(?:the |its |their )?purposes? (?:is |are |has been |have been )?"
    r"(?:fulfill?ed|achieved|met|served|requires?)"
    r"|\b(?:til|inntil|når|så lenge)\b[^.;]{0,15}?\bformål\w* (?:er |har blitt |blir )?(?:oppfylt|oppnådd|nådd|tilsier|krever)"
    # "as long as the law requires", "så lenge loven krever"
    r"|\bas long as (?:the )?(?:law|legislation) requires|\bså lenge (?:loven|lovgivningen|regelverket) krever",
    re.IGNORECASE,
)
# The law in general: "etter gjeldende lovverk", "in accordance with applicable law". Vague unless a
# law is named ("etter regelverket i bokføringsloven", "the Bookkeeping Act", "§ 13").
_GENERAL_LAW = re.compile(
    r"\b(?:etter|i henhold til|iht\.?|i tråd med|i samsvar med|som)\s+(?:gjeldende\s+)?(?:lov|lovverk|lovgivning|lovkrav|regelverk|regler"
    r"|lovpålagte krav|loven krever|lovverket krever)(?:et|en|ene)?\b"
    r"|\b(?:according to|in accordance with|in line with|as (?:required|prescribed) by|per)\s+(?:the\s+)?(?:applicable|relevant|current)?\s*"
    r"(?:law|laws|legislation|legal requirements|regulations)\b",
    re.IGNORECASE,
)
_NAMED_LAW = re.compile(r"\w+(?:loven|lova|lov)\b|\blov om\b|§|\w*forskrift\w*|\b\w+ Act\b|\b(?:law|act) (?:of|on)\b", re.IGNORECASE)
# A period stated in numbers ("5 years", "maks 3 år") makes "as long as necessary" a schedule with an end.
_STATED_PERIOD = re.compile(r"\d+\s*(?:år|years?|months?|måneder|mnd|days?|dager|weeks?|uker)\b", re.IGNORECASE)
# Open-ended schedules: no end the controller keeps ("until further notice", "indefinitely"), or
# an end only the data subject's request or withdrawal brings.
_OPEN_ENDED = re.compile(
    r"inntil videre|until further notice|\bindefinite(?:ly)?\b|ubestemt tid|uten tidsbegrensning|tidsubegrenset|ingen tidsbegrensning"
    r"|ubegrenset (?:tid|periode)|til evig tid|without (?:a |any )?time limit|no time limit|\bfor ever\b|\bforever\b|for alltid"
    r"|(?:stored|kept|retained|held|saved)\s+permanently|permanently\s+(?:stored|kept|retained|held)"
    r"|(?:lagres|lagrer vi|oppbevares|oppbevarer vi|beholdes|beholder vi)\s+(?:\w+\s+)?permanent\b|\bpermanent (?:lagring|oppbevaring|storage|retention)"
    # the whole answer one word, or a schedule that says there is none
    r"|^\s*(?:permanent(?:ly)?|evig|ubegrenset|unlimited|never|aldri)\s*[.!]?\s*$"
    r"|\bno (?:fixed |set )?(?:retention )?(?:period|time limit|deletion date)\b|\bingen (?:fast |bestemt )?(?:lagringstid|slettefrist|tidsfrist)\b"
    r"|\b(?:never|not) (?:be )?(?:deleted|erased)\b|\bnever (?:delete|erase)\b|\bslettes (?:aldri|ikke)\b|\bblir (?:aldri|ikke) slettet\b"
    r"|\bsletter\s+(?:vi\s+)?(?:aldri|ikke)\b|\bkeeps?\s+(?:\w+\s+){0,2}(?:permanently|forever|indefinitely)\b|\bevig(?:varende)?\b|\buendelig\b"
    r"|\b(?:ingen|no) (?:sletting|deletion)\b|\buten sluttdato\b|^\s*ikke (?:fastsatt|definert|avklart|bestemt)\b"
    r"|\b(?:har )?(?:ingen|ikke) rutiner? for sletting\b|\bno deletion (?:routine|procedure|policy)\b",
    re.IGNORECASE,
)
# Permanent keeping that an archive law orders (Art. 5(1)(e), 89(1)): a schedule, not an open end.
_ARCHIVE_LAW = re.compile(
    r"arkivlov\w*|arkivforskrift\w*|arkivverk\w*|riksarkivar\w*|\bIKA\b|arkivdepot\w*|avlever\w*|bevaringspl\w*|bevaringsverdig\w*"
    r"|arkivverdig\w*|kassasjon\w*|archives? act|public records act|national archives?|archiving (?:purposes )?in the public interest"
    r"|art(?:\.|icle|ikkel) 89",
    re.IGNORECASE,
)
_ON_REQUEST = re.compile(
    r"(?:until|till?|inntil|frem til|fram til)\s+(?:(?:you|the data subject|the user|the customer|the person|den registrerte"
    r"|du|kunden|brukeren|vedkommende|personen)\s+)?(?:asks?|requests?|withdraws?|objects?|unsubscribes?|opts? out|ber|krever"
    r"|trekker|reserverer|protesterer|melder (?:deg|seg) av)\b[^.;]*"
    r"|(?:until|till?|inntil|frem til)\s+(?:erasure|deletion|sletting)\s+(?:is\s+)?(?:requested|kreves|blir krevd|bes om)[^.;]*"
    r"|(?:until|till?|inntil)\s+(?:consent|samtykke\w*)\s+(?:is\s+)?(?:withdrawn|trekkes|blir trukket)[^.;]*"
    # "we delete them when you ask", "vi sletter opplysningene når du ber om det"
    r"|(?:when|if|once|når|dersom|hvis)\s+(?:you|the data subject|the user|du|den registrerte|brukeren|kunden)\s+(?:asks?|requests?|ber|krever)\b[^.;]*",
    re.IGNORECASE,
)
# An end the controller keeps: a period, or an event that ends the relationship.
_CONCRETE_END = re.compile(
    r"\d+\s*(?:år|years?|months?|måneder|mnd|days?|dager|weeks?|uker)\b|\b(?:ends?|ended|expires?|terminat\w*)\b"
    r"|opphør\w*|avslutt\w*|utløp\w*|slutten av|end of"
    # closing or deleting the account or membership ends the contract: an end, not a request for erasure
    r"|\b(?:delete|deletes|close|closes|cancel|cancels|sletter|lukker|sier opp)\s+(?:\w+\s+)?(?:account|konto\w*|profile|profil\w*"
    r"|membership|medlemskap\w*|subscription|abonnement\w*)",
    re.IGNORECASE,
)
# An agreement reference that says there is none is no agreement (Art. 28(3) wants a contract).
_NO_AGREEMENT = re.compile(
    r"^(?:-+|–|—|\?+|n/?a|n\.a\.?|none|nil|null|no|nei|ingen|mangler|missing|ikke oppgitt|not given|not stated|not provided"
    r"|unknown|ukjent|not applicable|ikke relevant|ikke aktuelt|tbd|tba|ikke avklart|not available|ikke tilgjengelig"
    r"|ikke inngått|ikke signert|not concluded|not signed|pending|under forhandling|under arbeid|to be signed|skal inngås"
    r"|(?:ingen|no|mangler|missing)\s+(?:avtale|agreement|dpa|databehandleravtale|contract|kontrakt)\w*"
    r"|(?:avtale|agreement|dpa|databehandleravtale)\s*:?\s*(?:mangler|missing|not given|ikke oppgitt|ikke inngått|not concluded"
    r"|none|ingen|n/?a|ukjent|unknown|pending))"
    r"[\s.!]*$",
    re.IGNORECASE,
)


def is_vague_retention(text: Optional[str]) -> bool:
    """True when the wording only says "as long as necessary", "until no longer needed", "until the
    purpose is fulfilled", "as long as the law requires" or "according to applicable law" (in
    English or bokmål, no law named) and states no period in numbers ("as long as necessary, at
    most 5 years" names one)."""
    if not text or _STATED_PERIOD.search(text):
        return False
    return bool(_VAGUE_RETENTION.search(text) or (_GENERAL_LAW.search(text) and not _NAMED_LAW.search(text)))


def is_open_ended_retention(text: Optional[str]) -> bool:
    """True when the schedule sets no end the controller keeps: "inntil videre", "until further
    notice", "indefinitely", "permanent", "slettes ikke", or only an end the person's request or
    withdrawal brings (e.g. "until a customer relationship is established or the data subject asks
    for erasure"). Keeping for good that an archive law orders ("arkivloven", Art. 89) is a schedule."""
    if not text:
        return False
    if not (_OPEN_ENDED.search(text) or _ON_REQUEST.search(text)) or _ARCHIVE_LAW.search(text):
        return False
    return not _CONCRETE_END.search(_ON_REQUEST.sub(" ", text))


# Art. 10 wants official authority or Union or Member State law; an Art. 6 ground named alone is neither.
_ART6_ONLY = re.compile(
    r"^(?:art(?:icle|ikkel|\.)?\s*6(?:\s*(?:\(1\)|nr\.?\s*1))?\s*(?:\(?[bf]\)?|bokstav [bf])\s*[:,-]?\s*)?"
    r"(?:legitimate interests?|berettiget interesse|berettigede interesser|interesseavveining|balancing test"
    r"|contract|avtale|performance of (?:a|the) contract|oppfyllelse av (?:en )?avtale|art6_1_[bf])?[\s.]*$",
    re.IGNORECASE,
)


def _says_none(text: str) -> bool:
    """Words that say there is none ("ikke oppgitt", "mangler", "N/A", "none")."""
    return bool(_NO_AGREEMENT.match(" ".join(text.split())))


# An agreement not (yet) concluded is none: Art. 28(3) wants a binding contract, not a draft or one
# awaiting signature ("Utkast sendt 2026-03", "Venter på signatur", "Draft DPA v2").
_AGREEMENT_WORD = r"(?:avtale\w*|agreement|dpa|dba|databehandleravtale\w*|contract|kontrakt\w*)"
_NOT_YET = re.compile(
    r"^(?:draft|utkast|venter|avventer|awaiting|pending|planned|planlagt|to be (?:signed|agreed|concluded)|tbc"
    r"|under (?:forhandling|arbeid|signering|negotiation|review|utarbeidelse)|in (?:negotiation|progress|review)"
    r"|(?:sendt )?til signering|sent (?:out )?for signature|må inngås|ikke ennå|not yet|requested|etterspurt"
    r"|ikke (?:inngått|signert|underskrevet|på plass|mottatt)|not (?:yet )?(?:signed|concluded|in place|received|agreed)"
    rf"|(?:ingen|no)\s+{_AGREEMENT_WORD}"
    rf"|{_AGREEMENT_WORD}\s+(?:er\s+|is\s+)?(?:ikke\s+(?:inngått|signert|underskrevet)|not\s+(?:yet\s+)?(?:signed|concluded|in place)"
    r"|requested|etterspurt|mangler|missing))\b",
    re.IGNORECASE,
)
# Words after those that say an agreement is in force after all: "Utkast godkjent og signert 2024",
# "Pending renewal; current DPA valid to 2026", "Ikke signert separat, inngår i hovedavtalen".
_CONCLUDED = re.compile(
    r"(?<!ikke )(?<!not )\b(?:signert|signed|underskrevet|gjelder|gjeldende|valid|current|in force|i kraft|inngår i|dekke[st]|"
    r"del av|covered|part of)\b",
    re.IGNORECASE,
)
# A spreadsheet's "no" as a value: FALSE, 0, USANN.
_FALSE = re.compile(r"^(?:0|false|falsk|usann)$", re.IGNORECASE)
# A leading answer before the words that say why: "Nei, ikke inngått", "No – pending". Not "No. 17": a number.
_LEADING_NO = re.compile(r"^(?:nei|no|ingen|none)\s*[,;:–—(-]\s*(?!\d)(.+)$", re.IGNORECASE)


def has_agreement(reference: Optional[str]) -> bool:
    """Whether an agreement reference names an agreement: empty text, words saying there is none
    ("ikke oppgitt", "mangler", "N/A", "not given", "none", "ingen", "-"), a spreadsheet's false
    ("FALSE", "0"), and one not yet concluded ("utkast", "venter på signatur", "pending", "Nei,
    ikke inngått") do not."""
    text = " ".join((reference or "").split())
    if not text or _NO_AGREEMENT.match(text) or _FALSE.match(text):
        return False
    not_yet = _NOT_YET.match(text)
    if not_yet:  # "Utkast sendt" is none, "Utkast godkjent og signert 2024" one
        return bool(_CONCLUDED.search(text[not_yet.end() :]))
    leading = _LEADING_NO.match(text)
    return not leading or bool(_CONCLUDED.search(leading.group(1)))  # "Nei, dekkes av rammeavtalen" names one
