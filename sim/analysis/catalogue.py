"""The catalogue of metrics and groups in the tables (``yearly.parquet``, ``monthly.parquet``).

One entry per metric: its kind (a stock read in November for the yearly table, a flow summed
over the year, or a rate per school year), its unit, its groups and what it means. Groups are
written as patterns: ``<kommune>`` is a municipality number (``kommune:5001``), ``<area>`` a
NAV-office area, ``<service>`` a service's name (``ips``, ``coordinator``, ``nav:<area>``,
...), ``<from>-><to>`` a referral route, ``<year>`` a year, ``<payer>`` one of the payers and
``<category>`` a cost category of ``sim/data/unit_costs.csv``. The fixed groups come from the
code that writes the rows (age bands, activities, NAV statuses, payers).

``docs/metrics.md`` is generated from it (``python -m sim.present.docs``);
``tests/test_metrics_catalogue.py`` checks that every metric and group a run writes is listed
here, and every metric listed is written by some run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sim.core.education_metrics import EDUCATION_GROUPS, TRACK_GROUPS
from sim.core.metrics import ACTIVITY_GROUPS, STATUS_GROUPS
from sim.core.snapshot import AGE_BANDS
from sim.services.ledger import PAYERS

STOCK, FLOW, SCHOOL_YEAR = "stock", "flow", "school-year rate"
AGES = ("all", *AGE_BANDS)
NEET_GROUPS = (*AGES, "female", "male", "immigrant", "non_immigrant", "kommune:<kommune>")
NEET_GROUPS += ("nav:<area>",)
SERVICE = ("service:<service>",)
ROUTES = ("all", "<from>-><to>")
COSTS = ("public:<payer>:<category>", "public:<payer>:total", "public:total", "public:lifetime")
COSTS += ("societal:<category>", "societal:total")
TRACKS = tuple(TRACK_GROUPS)


@dataclass(frozen=True)
class Metric:
    """One metric of the tables."""

    name: str
    kind: str
    unit: str
    groups: tuple[str, ...]
    meaning: str
    when: str = ""  # written only in some runs (e.g. a service a scenario adds)


METRICS = (
    Metric("population", STOCK, "youth", ("all",), "Youth aged 15-29 present."),
    Metric(
        "neet_rate",
        STOCK,
        "share",
        NEET_GROUPS + EDUCATION_GROUPS,
        "Share of the group neither employed nor in education or a NAV programme (SSB's "
        "register definition); by highest completed education as well.",
    ),
    Metric("neet_count", STOCK, "youth", NEET_GROUPS, "NEET youth in the group."),
    Metric("neet_group_share", STOCK, "share", ("immigrant",), "Immigrants' share of NEET youth."),
    Metric(
        "activity_share",
        STOCK,
        "share",
        tuple(ACTIVITY_GROUPS.values()),
        "Share of youth in each main activity.",
    ),
    Metric(
        "neet_status_share",
        STOCK,
        "share",
        tuple(STATUS_GROUPS.values()),
        "NAV status of NEET youth (`unknown`: no NAV registration or benefit).",
    ),
    Metric("employment_rate", STOCK, "share", AGES, "Share employed."),
    Metric(
        "upper_secondary_count",
        STOCK,
        "youth",
        ("pupils", "apprentices"),
        "Upper-secondary pupils (Vg1-Vg3) and apprentices.",
    ),
    Metric(
        "upper_secondary_completion_5_6y",
        SCHOOL_YEAR,
        "share",
        ("cohort:<year>",),
        "Share of youth who started Vg1 in August of the year who completed within 5 "
        "(academic) or 6 (vocational) years; reported 6 years later.",
        "runs of 6 years or more",
    ),
    Metric(
        "dropout_rate",
        SCHOOL_YEAR,
        "share",
        TRACKS,
        "Pupils who leave during a school year / pupils at its start.",
    ),
    Metric(
        "vg2_transition_rate",
        SCHOOL_YEAR,
        "share",
        TRACKS,
        "Vg2 pupils of a school year who are at the next level (Vg3, påbygg or an "
        "apprenticeship) the next autumn, as Udir measures it.",
    ),
    *(
        m
        for name, label in (
            ("aap", "AAP (work assessment allowance)"),
            ("disability", "disability benefit"),
            ("social_assistance", "social assistance"),
        )
        for m in (
            Metric(f"{name}_count_under30", STOCK, "youth", ("all",), f"Youth on {label}."),
            Metric(f"{name}_share_18_29", STOCK, "share", ("all",), f"Share of 18-29 on {label}."),
            Metric(
                f"{name}_employed_share",
                STOCK,
                "share",
                ("all",),
                f"Share of youth on {label} who are employed.",
            ),
        )
    ),
    Metric(
        "neet_spell_mean_months", STOCK, "months", ("all",), "Mean length of current NEET spells."
    ),
    Metric(
        "neet_12m_share", STOCK, "share", ("all",), "Share of NEET youth in a spell of 12+ months."
    ),
    Metric(
        "helpers_mean",
        STOCK,
        "helpers",
        ("all",),
        "Helpers per youth among youth with at least one.",
    ),
    Metric(
        "helpers_3plus_share",
        STOCK,
        "share",
        ("all",),
        "Share with three or more helpers among youth with at least one.",
    ),
    Metric(
        "mental_health_prevalence",
        STOCK,
        "share",
        ("all",),
        "Share with moderate or severe mental-health problems.",
    ),
    Metric("queue_length", STOCK, "youth", SERVICE, "Youth waiting for the service."),
    Metric(
        "caseload_per_worker",
        STOCK,
        "youth per FTE",
        (*SERVICE, "service:nav"),
        "Clients per worker (`service:nav`: the county's NAV clients per caseworker).",
    ),
    Metric("active_count", STOCK, "youth", SERVICE, "Youth the service is following."),
    Metric(
        "capacity_used_share",
        STOCK,
        "share",
        SERVICE,
        "Share of the service's places in use.",
    ),
    Metric(
        "wait_days_mean",
        FLOW,
        "days",
        SERVICE,
        "Mean wait of the youth the service admitted (yearly: over the year's admissions).",
    ),
    Metric("entries", FLOW, "youth", ("all",), "Youth entering at 15 (each January)."),
    Metric(
        "arrivals", FLOW, "youth", ("all",), "Students and immigrants arriving during the year."
    ),
    Metric("exits", FLOW, "youth", ("all",), "Youth leaving at 30."),
    Metric("aap_starts", FLOW, "youth", ("all",), "New AAP grants."),
    Metric("disability_awards", FLOW, "youth", ("all",), "New disability benefits."),
    Metric("job_starts", FLOW, "youth", ("all",), "Jobs found (from any activity)."),
    Metric(
        "jobs_displaced",
        FLOW,
        "jobs",
        ("all", "nav:<area>"),
        "Supported job finds that took a job another job seeker would have found, where "
        "labour demand binds.",
        "labour demand binds",
    ),
    Metric(
        "referrals_made", FLOW, "referrals", ROUTES, "Referrals sent between services (by route)."
    ),
    Metric(
        "referrals_lost",
        FLOW,
        "referrals",
        ROUTES,
        "Referrals lost at the handover (never arrived).",
    ),
    Metric("referrals_received", FLOW, "referrals", SERVICE, "Referrals a service received."),
    Metric(
        "refusals",
        FLOW,
        "referrals",
        SERVICE,
        "Referred youth a service refused (already queued or served).",
    ),
    Metric(
        "patients_treated",
        FLOW,
        "youth",
        ("service:bup", "service:dps"),
        "Youth starting treatment in specialist mental health (BUP under 18, DPS from 18).",
    ),
    Metric(
        "ips_job_starts",
        FLOW,
        "youth",
        SERVICE,
        "Jobs found with IPS support.",
        "scenarios with IPS",
    ),
    Metric(
        "ips_employer_contacts",
        FLOW,
        "contacts",
        SERVICE,
        "Employer contacts made by the employment specialists.",
        "scenarios with IPS",
    ),
    Metric(
        "ips_benefits_counselling",
        FLOW,
        "youth",
        SERVICE,
        "Youth given benefits counselling.",
        "scenarios with IPS",
    ),
    Metric(
        "ips_followalong_months",
        FLOW,
        "months",
        SERVICE,
        "Months of follow-along support to youth in work.",
        "scenarios with IPS",
    ),
    Metric(
        "ips_education_supported",
        FLOW,
        "months",
        SERVICE,
        "Months of support to youth in education.",
        "scenarios with IPS",
    ),
    Metric(
        "cost_nok",
        FLOW,
        "NOK",
        COSTS,
        f"Costs by payer ({', '.join(PAYERS)}) and category, and societal costs, undiscounted; "
        "tax revenue is a negative cost (`public:state:tax_revenue`). The lifetime tail "
        "(`public:<payer>:lifetime`, their sum `public:lifetime`, `societal:lifetime`) is "
        "outside every total: the run's horizon plus the tail is the lifetime view.",
    ),
    Metric(
        "cost_nok_discounted",
        FLOW,
        "NOK",
        COSTS,
        "The same, discounted to the start at `cost.discount_rate`.",
    ),
)

PLACEHOLDERS = {
    "<kommune>": r"\d{4}",
    "<area>": r"[^:]+",
    "<service>": r".+",
    "<from>": r"[^-]+",
    "<to>": r".+",
    "<year>": r"\d{4}",
    "<payer>": "|".join(PAYERS),
    "<category>": r"[a-z0-9_]+",
}


def by_name() -> dict[str, Metric]:
    """Metric name → entry."""
    return {m.name: m for m in METRICS}


def pattern(group: str) -> re.Pattern:
    """A regular expression for a group pattern (placeholders filled in)."""
    text = re.escape(group)
    for key, expr in PLACEHOLDERS.items():
        text = text.replace(re.escape(key), f"(?:{expr})")
    return re.compile(f"^{text}$")


def unlisted(pairs) -> list[tuple[str, str]]:
    """The (metric, group) pairs of a table that the catalogue does not list."""
    known = {m.name: [pattern(g) for g in m.groups] for m in METRICS}
    return sorted(
        (metric, group)
        for metric, group in set(pairs)
        if metric not in known or not any(p.match(group) for p in known[metric])
    )
