"""Words on the dashboard page, one dictionary per language (Norwegian bokmål and English).

Code refers to entries by key (:func:`t`); items of open sets (services, payers, referral
routes) fall back to their own name when a dictionary has no label for them (:func:`name`).
"""

from __future__ import annotations

LANGS = ("nb", "en")

NB: dict[str, str] = {
    "title": "Unge utenfor arbeid og utdanning i Trøndelag",
    "info.title": "Status",
    "info.month": "Måned simulert",
    "info.none": "ingen ennå (trykk STEP)",
    "info.start": "Startmåned",
    "info.scenario": "Scenario",
    "info.seed_scale": "Frø {seed}, skala {scale}",
    "info.months": "Måneder simulert",
    "info.note": (
        "* endret med glidebryter. Oppvarmingen bruker referansens parametere; "
        "endringer gjelder fra startmåneden (trykk RESET)."
    ),
    "empty": "Ingen data ennå: trykk STEP",
    "no_costs": "Ingen kostnadsregnskap i denne modellen",
    "axis.month": "Måned",
    "axis.share": "Andel (%)",
    "axis.youth": "Unge (antall)",
    "axis.days": "Dager",
    "axis.helpers": "Hjelpere",
    "axis.referrals": "Henvisninger per måned",
    "axis.mnok": "Mill. kr per måned",
    "panel.neet_age": "Andel NEET etter alder",
    "panel.activity": "Hovedaktivitet",
    "panel.status": "NAV-status blant NEET",
    "panel.queues": "Ventelister",
    "panel.waits": "Ventetid ved opptak",
    "panel.helpers": "Hjelpere per ungdom (blant dem med minst én)",
    "panel.referrals": "Henvisninger som går tapt",
    "panel.costs": "Kostnad per måned etter betaler",
    "slider.seed": "Frø (seed)",
    "slider.scale": "Skala (andel av befolkningen)",
    "slider.handover_loss": "Overleveringstap (handover_loss)",
    "slider.plan_conflict": "Planstrid (plan_conflict)",
    "slider.coordination": "Koordinering på",
    "slider.coord_fte": "Koordinatorer (årsverk)",
    "slider.ips_fte": "IPS-spesialister (årsverk)",
    "slider.nav_caseworkers": "NAV-veiledere (årsverk)",
    "slider.ot_advisers": "Oppfølgingstjenesten (årsverk)",
    "group.all": "Alle 15–29",
    "group.15-19": "15–19",
    "group.20-24": "20–24",
    "group.25-29": "25–29",
    "activity.lower_secondary": "Ungdomsskole",
    "activity.upper_secondary": "Videregående",
    "activity.higher_education": "Høyere utdanning",
    "activity.employed": "I arbeid",
    "activity.programme": "Arbeidsrettet tiltak",
    "activity.neet": "NEET",
    "status.registered_jobseeker": "Registrert arbeidssøker",
    "status.aap": "AAP",
    "status.qualification_programme": "Kvalifiseringsprogram",
    "status.social_assistance": "Sosialhjelp",
    "status.disability": "Uføretrygd",
    "status.unknown": "Ukjent for NAV",
    "service.followup": "Oppfølgingstjenesten",
    "service.nav": "NAV (alle kontor)",
    "service.bup": "BUP",
    "service.dps": "DPS",
    "service.ips": "IPS-team",
    "service.coordinator": "Koordinator",
    "helpers.helpers_mean": "Hjelpere per ungdom (snitt)",
    "helpers.helpers_3plus_share": "Andel med 3+ hjelpere (%)",
    "route.all": "Alle",
    "payer.state": "Staten",
    "payer.municipality": "Kommunene",
    "payer.county": "Fylkeskommunen",
    "payer.health_trust": "Helseforetaket",
}

EN: dict[str, str] = {
    "title": "Youth not in employment, education or training in Trøndelag",
    "info.title": "Status",
    "info.month": "Month simulated",
    "info.none": "none yet (press STEP)",
    "info.start": "Start month",
    "info.scenario": "Scenario",
    "info.seed_scale": "Seed {seed}, scale {scale}",
    "info.months": "Months simulated",
    "info.note": (
        "* changed by a slider. The warm-up uses the baseline's parameters; "
        "changes apply from the start month (press RESET)."
    ),
    "empty": "No data yet: press STEP",
    "no_costs": "No cost ledger in this model",
    "axis.month": "Month",
    "axis.share": "Share (%)",
    "axis.youth": "Youth (count)",
    "axis.days": "Days",
    "axis.helpers": "Helpers",
    "axis.referrals": "Referrals per month",
    "axis.mnok": "NOK million per month",
    "panel.neet_age": "NEET rate by age",
    "panel.activity": "Main activity",
    "panel.status": "NAV status of NEET youth",
    "panel.queues": "Waiting lists",
    "panel.waits": "Waiting time at admission",
    "panel.helpers": "Helpers per youth (among those with at least one)",
    "panel.referrals": "Referrals lost",
    "panel.costs": "Cost per month by payer",
    "slider.seed": "Seed",
    "slider.scale": "Scale (fraction of the population)",
    "slider.handover_loss": "Handover loss (handover_loss)",
    "slider.plan_conflict": "Plan conflict (plan_conflict)",
    "slider.coordination": "Coordination on",
    "slider.coord_fte": "Coordinators (FTE)",
    "slider.ips_fte": "IPS specialists (FTE)",
    "slider.nav_caseworkers": "NAV caseworkers (FTE)",
    "slider.ot_advisers": "Follow-up advisers (FTE)",
    "group.all": "All 15–29",
    "group.15-19": "15–19",
    "group.20-24": "20–24",
    "group.25-29": "25–29",
    "activity.lower_secondary": "Lower secondary",
    "activity.upper_secondary": "Upper secondary",
    "activity.higher_education": "Higher education",
    "activity.employed": "Employed",
    "activity.programme": "Labour-market programme",
    "activity.neet": "NEET",
    "status.registered_jobseeker": "Registered jobseeker",
    "status.aap": "Work assessment allowance (AAP)",
    "status.qualification_programme": "Qualification programme",
    "status.social_assistance": "Social assistance",
    "status.disability": "Disability benefit",
    "status.unknown": "Unknown to NAV",
    "service.followup": "Follow-up service",
    "service.nav": "NAV (all offices)",
    "service.bup": "BUP (child, adolescent)",
    "service.dps": "DPS (adult)",
    "service.ips": "IPS team",
    "service.coordinator": "Coordinator",
    "helpers.helpers_mean": "Helpers per youth (mean)",
    "helpers.helpers_3plus_share": "Share with 3+ helpers (%)",
    "route.all": "All",
    "payer.state": "State",
    "payer.municipality": "Municipalities",
    "payer.county": "County",
    "payer.health_trust": "Health trust",
}

DICTIONARIES: dict[str, dict[str, str]] = {"nb": NB, "en": EN}


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a known language code, else raise ValueError."""
    if lang not in DICTIONARIES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


def t(lang: str, key: str, **values: object) -> str:
    """Translate ``key`` into ``lang``, filling ``{placeholders}`` from ``values``."""
    text = DICTIONARIES[check_lang(lang)][key]
    return text.format(**values) if values else text


def name(lang: str, section: str, item: str) -> str:
    """Label of an item of an open set (``service``, ``payer``, ...); the item if unknown."""
    return DICTIONARIES[check_lang(lang)].get(f"{section}.{item}", item)
