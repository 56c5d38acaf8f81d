"""A deterministic synthetic register of realistic size, for the benchmark.

N activities over 50 organisations; each with about 3 purposes, 2 legal bases, 6 data
categories, 3 recipients, 1–2 transfers to a mix of EEA, adequate and third countries,
structured retention and a few security measures. Same N and seed, same register.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

ORGS = 50
COUNTRIES = ["SE", "DE", "FI", "DK", "IE", "NL", "GB", "CH", "JP", "US", "CA", "BR", "CN", "SG", "IN", "HK"]
MECHANISMS = ["art46_2_c", "art46_2_b", "art45", "art49_1_a", "unknown", "none"]
BASES = ["art6_1_a", "art6_1_b", "art6_1_c", "art6_1_e", "art6_1_f"]
CATEGORIES = [
    "user.name",
    "user.contact.email",
    "user.contact.phone_number",
    "user.contact.address",
    "user.demographic.date_of_birth",
    "user.financial.bank_account",
    "user.device.ip_address",
    "user.behavior.purchase_history",
    "user.job_title",
    "user.government_id.national_identification_number",
    "user.location.imprecise",
    "user.account",
]
SUBJECTS = ["customer", "employee", "prospect", "visitor", "supplier_vendor", "job_applicant", "patient"]
PURPOSES = [
    "Kundeoppfølging",
    "Fakturering og regnskap",
    "Markedsføring på e-post",
    "Lønnsutbetaling",
    "Rekruttering",
    "Kundeservice",
    "Statistikk og analyse",
    "Informasjonssikkerhet",
    "Leveranse av tjenester",
    "Oppfyllelse av lovpålagte plikter",
]
MEASURES = [
    "Tilgangsstyring",
    "Kryptering i transitt (TLS)",
    "Kryptering av lagrede data",
    "Logging av tilgang",
    "Opplæring av ansatte",
    "Tofaktorautentisering",
    "Sikkerhetskopi",
]


def register(n: int, seed: int = 30) -> dict[str, Any]:
    """The register as a ``ropa-register`` document."""
    rng = random.Random(seed)
    orgs: list[dict[str, Any]] = []
    for o in range(ORGS):
        recipients = [
            {
                "name": f"Leverandør {o:02d}-{r:02d} AS",
                "kind": rng.choice(["processor", "sub_processor", "controller", "public_authority"]),
                "country": rng.choice(COUNTRIES),
                "agreement": f"DBA-{o:02d}-{r:02d}" if rng.random() < 0.8 else None,
            }
            for r in range(12)
        ]
        orgs.append(
            {
                "name": f"Virksomhet {o:02d} AS",
                "org_number": f"9{o:08d}",
                "country": "NO",
                "address": f"Storgata {o + 1}, 0155 Oslo",
                "email": f"personvern{o}@example.no",
                "phone": None,
                "website": None,
                "supervisory_authority": "Datatilsynet",
                "public_authority": o % 10 == 0,
                "dpo": {"name": f"Personvernombud {o}", "email": f"pvo{o}@example.no", "phone": None} if o % 3 else None,
                "representative": None,
                "recipients": [],
                "activities": [],
                "_recipients": recipients,
            }
        )
    for i in range(n):
        org = orgs[i % ORGS]
        recs = rng.sample(org["_recipients"], 3)
        transfers = []
        for _ in range(rng.choice([1, 1, 2])):
            rec = rng.choice(recs)
            transfers.append(
                {
                    "country": rng.choice(COUNTRIES),
                    "international_organisation": None,
                    "recipient": rec["name"],
                    "mechanism": rng.choice(MECHANISMS),
                    "safeguard": "SCC 2021/914 modul 2" if rng.random() < 0.5 else None,
                    "tia_date": (date(2024, 1, 1) + timedelta(days=rng.randrange(600))).isoformat() if rng.random() < 0.4 else None,
                    "frequency": rng.choice([None, "occasional", "regular"]),
                    "adequacy_scope_confirmed": False,
                    "note": None,
                }
            )
        period = rng.choice([None, 1, 3, 5, 10])
        org["activities"].append(
            {
                "ref": f"A-{i // ORGS + 1:05d}",
                "name": f"{rng.choice(PURPOSES)} {i}",
                "description": f"Syntetisk behandlingsaktivitet nummer {i} for ytelsesmåling.",
                "role": "processor" if i % 17 == 0 else "controller",
                "controllers": ["Oppdragsgiver AS"] if i % 17 == 0 else [],
                "status": rng.choice(["active", "active", "active", "draft", "retired"]),
                "owner": f"Avdeling {i % 7}",
                "purposes": rng.sample(PURPOSES, 3),
                "legal_bases": [{"code": c, "note": "Vurdert av personvernombudet", "documentation": None} for c in rng.sample(BASES, 2)],
                "special_categories": ["user.health_and_medical"] if i % 11 == 0 else [],
                "art9_conditions": [{"code": "art9_2_a", "note": None, "documentation": None}] if i % 22 == 0 else [],
                "criminal_data": False,
                "criminal_data_basis": None,
                "data_subjects": rng.sample(SUBJECTS, 2),
                "data_categories": rng.sample(CATEGORIES, 6),
                "sources": ["Den registrerte"],
                "recipients": recs,
                "transfers": transfers,
                "retention": {
                    "period": period,
                    "unit": "years" if period else None,
                    "trigger": "avsluttet kundeforhold" if period else None,
                    "action": "erase" if period else None,
                    "text": f"{period} år etter avsluttet kundeforhold" if period else "Så lenge det er nødvendig",
                },
                "security_measures": rng.sample(MEASURES, 3),
                "systems": [f"System {i % 23}"],
                "dpia": {"status": rng.choice(["not_assessed", "not_needed", "done"]), "ref": None, "screening": {}},
                "last_review": (date(2025, 1, 1) + timedelta(days=rng.randrange(600))).isoformat(),
                "next_review": (date(2026, 1, 1) + timedelta(days=rng.randrange(700))).isoformat(),
            }
        )
    for org in orgs:
        org.pop("_recipients")
    return {"format": "ropa-register", "version": 1, "organisations": orgs}
