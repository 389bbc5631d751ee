"""Give every parameter of ``sim/data/parameters.csv`` a short label in Norwegian and English.

The report and the docs show these labels instead of code names such as ``ips.fte``. The
script adds the columns ``label_nb`` and ``label_en`` (just before ``source``) when the file
lacks them and fills empty labels from :data:`LABELS`; a label already in the file is kept.
Run it again after adding parameters (add their labels here first); it exits 1 and names every
row that still has no label.

    python tools/add_param_labels.py [sim/data/parameters.csv]
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEW = ("label_nb", "label_en")

LABELS: dict[str, tuple[str, str]] = {
    "demography.entry_cohort_size": (
        "15-åringer som kommer til hvert år",
        "Youth turning 15 each year",
    ),
    "demography.share_female": ("Andel jenter", "Share female"),
    "demography.share_immigrant_native_entry": (
        "Andel innvandrere blant 15-åringene",
        "Immigrant share among youth turning 15",
    ),
    "demography.student_arrivals": (
        "Studenter som flytter til per år",
        "Students moving in per year",
    ),
    "demography.immigrant_arrivals": (
        "Innvandrere 18–29 år som kommer per år",
        "Immigrants aged 18–29 arriving per year",
    ),
    "demography.immigrant_arrival_work_share": (
        "Andel innvandrere som kommer for arbeid",
        "Share of immigrants arriving for work",
    ),
    "demography.immigrant_arrival_education_share": (
        "Andel innvandrere som kommer for utdanning",
        "Share of immigrants arriving for education",
    ),
    "demography.work_distance_immigrant_adult": (
        "Avstand til arbeidslivet, innvandret som voksen",
        "Distance from work, immigrated as adult",
    ),
    "demography.work_distance_immigrant_child": (
        "Avstand til arbeidslivet, innvandret som barn",
        "Distance from work, immigrated as child",
    ),
    "demography.work_distance_noncompletion_shift": (
        "Økt avstand til arbeidslivet uten fullført videregående",
        "Added distance from work without upper secondary",
    ),
    "demography.wants_work_typical": (
        "Andel som ønsker ordinært arbeid",
        "Share wanting ordinary work",
    ),
    "demography.wants_work_odds_ratio": (
        "Ønske om arbeid etter avstand til arbeidslivet (oddsforhold)",
        "Wanting work by distance from work (odds ratio)",
    ),
    "school.lower_secondary_to_vg1": (
        "Andel som går rett fra ungdomsskolen til Vg1",
        "Share going straight from lower secondary to Vg1",
    ),
    "school.no_start_rr_immigrant": (
        "Innvandrere som ikke starter på Vg1 (relativ risiko)",
        "Immigrants not starting Vg1 (rate ratio)",
    ),
    "school.vocational_share": ("Andel på yrkesfag", "Share in vocational programmes"),
    "school.dropout_academic_yearly": (
        "Elever som slutter per skoleår, studieforberedende",
        "Pupils leaving per school year, academic",
    ),
    "school.dropout_vocational_yearly": (
        "Elever som slutter per skoleår, yrkesfag",
        "Pupils leaving per school year, vocational",
    ),
    "school.dropout_mh_rr_moderate": (
        "Frafall ved moderate psykiske plager (relativ risiko)",
        "Dropout with moderate mental health problems (rate ratio)",
    ),
    "school.dropout_mh_rr_severe": (
        "Frafall ved alvorlige psykiske plager (relativ risiko)",
        "Dropout with severe mental health problems (rate ratio)",
    ),
    "school.dropout_rr_immigrant": (
        "Frafall blant innvandrere (relativ risiko)",
        "Dropout among immigrants (rate ratio)",
    ),
    "school.final_year_pass": ("Andel som består siste år", "Share passing the final year"),
    "school.repeat_after_fail": (
        "Andel som tar siste år på nytt etter stryk",
        "Share repeating the final year after failing",
    ),
    "school.apprentice_cancel_yearly": (
        "Lærekontrakter som heves per år",
        "Apprenticeships cancelled per year",
    ),
    "school.apprentice_extended_share": (
        "Andel lærekontrakter som forlenges",
        "Share of apprenticeships extended",
    ),
    "school.higher_ed_entry": (
        "Andel som begynner i høyere utdanning",
        "Share entering higher education",
    ),
    "school.higher_ed_months": ("Varighet av høyere utdanning", "Length of higher education"),
    "school.higher_ed_dropout_yearly": (
        "Frafall fra høyere utdanning per år",
        "Higher education dropout per year",
    ),
    "school.return_neet_yearly": (
        "Unge utenfor som går tilbake til skolen per år",
        "NEET youth returning to school per year",
    ),
    "health.onset_monthly": (
        "Nye psykiske plager per måned",
        "New mental health problems per month",
    ),
    "health.onset_rr_female": (
        "Psykiske plager blant jenter (relativ risiko)",
        "Mental health problems among girls (rate ratio)",
    ),
    "health.onset_rr_under18": (
        "Psykiske plager under 18 år (relativ risiko)",
        "Mental health problems under 18 (rate ratio)",
    ),
    "health.onset_rr_work_distance": (
        "Psykiske plager etter avstand til arbeidslivet (relativ risiko)",
        "Mental health problems by distance from work (rate ratio)",
    ),
    "health.worsen_monthly": (
        "Plager som blir alvorlige per måned",
        "Problems becoming severe per month",
    ),
    "health.recovery_monthly": (
        "Bedring fra moderate plager per måned",
        "Recovery from moderate problems per month",
    ),
    "health.severe_recovery_monthly": (
        "Bedring fra alvorlige plager per måned",
        "Recovery from severe problems per month",
    ),
    "mental_health.treatment_recovery_rr": (
        "Behandlingens effekt på bedring (relativ rate)",
        "Effect of treatment on recovery (rate ratio)",
    ),
    "mental_health.treatment_months": (
        "Varighet av behandling i psykisk helsevern",
        "Length of specialist mental health treatment",
    ),
    "gp.detect_monthly": (
        "Fastlegen oppdager psykiske plager per måned",
        "GP detects mental health problems per month",
    ),
    "gp.detect_rr_severe": (
        "Fastlegen oppdager alvorlige plager (relativ rate)",
        "GP detects severe problems (rate ratio)",
    ),
    "gp.detect_rr_under18": (
        "Fastlegen oppdager plager under 18 år (relativ rate)",
        "GP detects problems under 18 (rate ratio)",
    ),
    "gp.refer_moderate": (
        "Fastlegen henviser ved moderate plager",
        "GP refers with moderate problems",
    ),
    "gp.refer_severe": (
        "Fastlegen henviser ved alvorlige plager",
        "GP refers with severe problems",
    ),
    "bup.capacity": (
        "Behandlingsplasser i BUP (15–17 år)",
        "Treatment places in child and adolescent mental health (15–17)",
    ),
    "dps.capacity": (
        "Behandlingsplasser i DPS (18–29 år)",
        "Treatment places in adult mental health (18–29)",
    ),
    "followup.advisers": ("Årsverk i oppfølgingstjenesten", "Follow-up service staff (FTE)"),
    "followup.caseload": (
        "Ungdommer per årsverk i oppfølgingstjenesten",
        "Youth per follow-up service FTE",
    ),
    "followup.reenrol_monthly": (
        "Oppfølgingstjenesten får ungdom tilbake i skole per måned",
        "Follow-up service returns youth to school per month",
    ),
    "followup.nav_referral_monthly": (
        "Oppfølgingstjenesten henviser til NAV per måned",
        "Follow-up service refers to NAV per month",
    ),
    "followup.case_months": (
        "Lengste oppfølging i oppfølgingstjenesten",
        "Longest follow-up service case",
    ),
    "nav.caseworkers": ("NAV-veiledere for unge (årsverk)", "NAV caseworkers for youth (FTE)"),
    "nav.caseload": ("Ungdommer per NAV-veileder", "Youth per NAV caseworker"),
    "nav.followup_boost": (
        "NAV-oppfølgingens effekt på jobbsjansen",
        "Effect of NAV follow-up on job finding",
    ),
    "nav.chance_contact_monthly": (
        "Unge utenfor som tilfeldig kommer i kontakt med NAV per måned",
        "NEET youth meeting NAV by chance per month",
    ),
    "nav.chance_contact_rr_immigrant": (
        "Tilfeldig NAV-kontakt, innvandrere (relativ rate)",
        "Chance NAV contact, immigrants (rate ratio)",
    ),
    "nav.chance_contact_rr_no_need": (
        "Tilfeldig NAV-kontakt uten behov for hjelp (relativ rate)",
        "Chance NAV contact without need (rate ratio)",
    ),
    "nav.deregister_monthly": ("Avregistrering hos NAV per måned", "NAV deregistration per month"),
    "nav.programme_places": ("Plasser på arbeidsrettede tiltak", "Labour market programme places"),
    "nav.programme_months": (
        "Varighet av arbeidsrettet tiltak",
        "Length of labour market programme",
    ),
    "nav.programme_job_rr": (
        "Jobbsjanse etter tiltak (relativ rate)",
        "Job finding after a programme (rate ratio)",
    ),
    "nav.aap_grant_monthly": (
        "Innvilget arbeidsavklaringspenger (AAP) per måned",
        "Work assessment allowance (AAP) granted per month",
    ),
    "nav.aap_exit_monthly": ("Avgang fra AAP per måned", "Exits from AAP per month"),
    "nav.aap_fulltime_share": (
        "Andel AAP-mottakere som får jobb over 60 % stilling",
        "Share of AAP recipients' jobs above 60 % of full time",
    ),
    "nav.aap_work_share": (
        "Arbeid ved siden av AAP (andel stilling)",
        "Work alongside AAP (share of full time)",
    ),
    "nav.aap_job_find_rr": ("Jobbsjanse på AAP (relativ rate)", "Job finding on AAP (rate ratio)"),
    "nav.aap_max_months": ("Lengste AAP-periode", "Longest AAP period"),
    "nav.aap_extension_share": ("Andel som får AAP forlenget", "Share with AAP extended"),
    "nav.aap_extension_months": ("Lengste forlengelse av AAP", "Longest AAP extension"),
    "nav.aap_wait_months": (
        "Karenstid før ny AAP-periode",
        "Waiting time before a new AAP period",
    ),
    "nav.aap_membership_months": (
        "Krav til medlemskap i folketrygden for AAP",
        "National insurance membership required for AAP",
    ),
    "nav.disability_from_aap_monthly": (
        "Overgang fra AAP til uføretrygd per måned",
        "Move from AAP to disability benefit per month",
    ),
    "nav.disability_min_aap_months": (
        "Tid på AAP før uføretrygd",
        "Time on AAP before disability benefit",
    ),
    "nav.disability_rr_part_time": (
        "Uføretrygd ved deltidsarbeid (relativ rate)",
        "Disability benefit with part-time work (rate ratio)",
    ),
    "nav.disability_at_limit": (
        "Uføretrygd når AAP-perioden er brukt opp",
        "Disability benefit when AAP runs out",
    ),
    "nav.disability_fulltime_share": (
        "Andel uføre som får jobb over 80 % av tidligere inntekt",
        "Share of disabled youth's jobs above 80 % of former income",
    ),
    "nav.disability_work_reduction": (
        "Arbeid ved siden av uføretrygd (andel stilling)",
        "Work alongside disability benefit (share of full time)",
    ),
    "nav.social_assistance_monthly": (
        "Innvilget sosialhjelp per måned",
        "Social assistance granted per month",
    ),
    "nav.social_assistance_exit_monthly": (
        "Avgang fra sosialhjelp per måned",
        "Exits from social assistance per month",
    ),
    "nav.social_assistance_rr_immigrant": (
        "Sosialhjelp blant innvandrere (relativ rate)",
        "Social assistance among immigrants (rate ratio)",
    ),
    "nav.qualification_places": (
        "Plasser i kvalifiseringsprogrammet",
        "Qualification programme places",
    ),
    "nav.qualification_months": (
        "Varighet av kvalifiseringsprogrammet",
        "Length of the qualification programme",
    ),
    "labour.job_find_monthly": (
        "Jobbsjanse per måned for unge utenfor",
        "Monthly job finding of NEET youth",
    ),
    "labour.job_find_rr_completed": (
        "Jobbsjanse med fullført videregående (relativ rate)",
        "Job finding with upper secondary completed (rate ratio)",
    ),
    "labour.job_find_rr_moderate": (
        "Jobbsjanse med moderate psykiske plager (relativ rate)",
        "Job finding with moderate mental health problems (rate ratio)",
    ),
    "labour.job_find_rr_severe": (
        "Jobbsjanse med alvorlige psykiske plager (relativ rate)",
        "Job finding with severe mental health problems (rate ratio)",
    ),
    "labour.job_find_work_distance_beta": (
        "Jobbsjanse etter avstand til arbeidslivet",
        "Job finding by distance from work",
    ),
    "labour.job_find_rr_under20": (
        "Jobbsjanse under 20 år (relativ rate)",
        "Job finding under 20 (rate ratio)",
    ),
    "labour.job_find_unemployment_elasticity": (
        "Jobbsjansens følsomhet for arbeidsledigheten",
        "Sensitivity of job finding to unemployment",
    ),
    "labour.job_loss_monthly": ("Jobbtap per måned", "Job loss per month"),
    "labour.job_loss_rr_no_completion": (
        "Jobbtap uten fullført videregående (relativ rate)",
        "Job loss without upper secondary (rate ratio)",
    ),
    "labour.job_loss_rr_moderate": (
        "Jobbtap med moderate psykiske plager (relativ rate)",
        "Job loss with moderate mental health problems (rate ratio)",
    ),
    "labour.job_loss_rr_severe": (
        "Jobbtap med alvorlige psykiske plager (relativ rate)",
        "Job loss with severe mental health problems (rate ratio)",
    ),
    "labour.unemployment_rate": ("Registrert arbeidsledighet", "Registered unemployment"),
    "labour.demand_constraint": (
        "Jobbene begrenset av ledige stillinger",
        "Jobs limited by vacancies",
    ),
    "labour.demand_headroom": (
        "Ledige stillinger ut over dagens jobbsjanse",
        "Vacancies beyond today's job finding",
    ),
    "handover_loss": (
        "Andel henvisninger som går tapt mellom tjenestene",
        "Share of referrals lost between services",
    ),
    "plan_conflict": (
        "Svekket effekt når hjelperne har hver sin plan",
        "Weaker effect when helpers have separate plans",
    ),
    "school.higher_ed_late_entry": (
        "Sen start i høyere utdanning per år",
        "Late entry to higher education per year",
    ),
    "school.apprentice_hired": (
        "Andel lærlinger som får jobb etter fagbrev",
        "Share of apprentices hired after the trade certificate",
    ),
    "school.graduate_hired": ("Andel nyutdannede som får jobb", "Share of graduates hired"),
    "nav.gp_referral_monthly": (
        "NAV henviser til fastlege per måned",
        "NAV refers to the GP per month",
    ),
    "nav.programme_referral_monthly": (
        "NAV tilbyr arbeidsrettet tiltak per måned",
        "NAV offers a labour market programme per month",
    ),
    "labour.job_find_rr_disability": (
        "Jobbsjanse på uføretrygd (relativ rate)",
        "Job finding on disability benefit (rate ratio)",
    ),
    "labour.unemployment_change_yearly": (
        "Endring i arbeidsledigheten per år",
        "Change in unemployment per year",
    ),
    "school.pabygg_share": (
        "Andel yrkesfagelever som tar påbygg",
        "Share of vocational pupils taking the general studies supplement",
    ),
    "school.apprentice_contract_share": (
        "Andel søkere som får læreplass",
        "Share of applicants getting an apprenticeship",
    ),
    "school.vg3_school_uptake": (
        "Andel uten læreplass som tar Vg3 i skole",
        "Share without apprenticeship taking Vg3 in school",
    ),
    "school.leaver_employed": (
        "Andel skoleavgangere som går rett i jobb",
        "Share of school leavers going straight to work",
    ),
    "school.programme_switch_yearly": (
        "Bytte av utdanningsprogram per år",
        "Programme switches per year",
    ),
    "school.repeat_yearly": ("Omvalg og gjentak per år", "Repeated years per year"),
    "labour.job_find_rr_long_spell": (
        "Jobbsjanse etter mer enn ett år utenfor (relativ rate)",
        "Job finding after more than a year NEET (rate ratio)",
    ),
    "school.return_employed_yearly": (
        "Unge i jobb som går tilbake til skolen per år",
        "Working youth returning to school per year",
    ),
    "ips.fte": ("IPS-jobbspesialister (årsverk)", "IPS employment specialists (FTE)"),
    "ips.caseload": ("Deltakere per IPS-jobbspesialist", "Clients per IPS employment specialist"),
    "ips.fidelity": ("IPS-metodetrofasthet (IPS-25-skår)", "IPS fidelity (IPS-25 score)"),
    "ips.integrated": (
        "Andel IPS integrert i behandlingsteamet",
        "Share of IPS integrated in the treatment team",
    ),
    "ips.nav_referral_monthly": ("NAV henviser til IPS per måned", "NAV refers to IPS per month"),
    "ips.health_referral_monthly": (
        "Behandlingsteamet henviser til IPS per måned",
        "Treatment team refers to IPS per month",
    ),
    "ips.coordinator_referral_monthly": (
        "Koordinatoren henviser til IPS per måned",
        "Coordinator refers to IPS per month",
    ),
    "ips.job_find_rr": (
        "IPS-effekt på jobbsjansen (relativ rate)",
        "IPS effect on job finding (rate ratio)",
    ),
    "ips.rapid_search_rr": (
        "Rask jobbsøking i IPS (relativ rate)",
        "Rapid job search in IPS (rate ratio)",
    ),
    "ips.job_loss_rr": (
        "Jobbtap med IPS-oppfølging (relativ rate)",
        "Job loss with IPS follow-along (rate ratio)",
    ),
    "ips.followalong_months": (
        "Oppfølging i jobb etter ansettelse (0 = uten tidsgrense)",
        "Follow-along in work after hiring (0 = no limit)",
    ),
    "ips.followalong_end_monthly": (
        "Avslutning av oppfølging i jobb per måned",
        "End of follow-along in work per month",
    ),
    "ips.rapid_search_months": (
        "Tid til første arbeidsgiverkontakt i IPS",
        "Time to first employer contact in IPS",
    ),
    "ips.employer_contacts_weekly": (
        "Arbeidsgiverkontakter per jobbspesialist per uke",
        "Employer contacts per specialist per week",
    ),
    "ips.benefits_counselling_effect": (
        "Effekt av veiledning om ytelser i IPS",
        "Effect of benefits counselling in IPS",
    ),
    "ips.education_dropout_rr": (
        "Frafall fra utdanning med IPS (relativ rate)",
        "Education dropout with IPS (rate ratio)",
    ),
    "ips.max_months": (
        "Lengste IPS-oppfølging (0 = uten tidsgrense)",
        "Longest IPS support (0 = no limit)",
    ),
    "ips.fade_months": (
        "Tid før IPS-effekten er borte etter avslutning",
        "Time for the IPS effect to fade after support ends",
    ),
    "ips.dropout_monthly": (
        "Deltakere som slutter i IPS per måned",
        "Clients leaving IPS per month",
    ),
    "ips.ramp_years": ("Opptrapping av IPS-kapasiteten", "Ramp-up of IPS capacity"),
    "coord.fte": ("Koordinatorer for unge (årsverk)", "Youth coordinators (FTE)"),
    "coord.caseload": ("Ungdommer per koordinator", "Youth per coordinator"),
    "coord.case_months": ("Lengste koordineringsforløp", "Longest coordination case"),
    "coord.early_flag": (
        "Andel skoleavbrudd meldt tidlig til NAV",
        "Share of school dropouts flagged early to NAV",
    ),
    "coord.outreach_monthly": (
        "Koordinatorer når unge utenfor som NAV ikke kjenner, per måned",
        "Coordinators reach NEET youth unknown to NAV, per month",
    ),
    "coord.nav_time_saved": (
        "NAV-tid spart når en koordinator følger opp",
        "NAV time saved when a coordinator follows up",
    ),
    "cost.discount_rate": ("Kalkulasjonsrente (diskonteringsrente)", "Discount rate"),
    "cost.lifetime_end_age": (
        "Alder kostnadene følges til (0 = til 30 år)",
        "Age costs are followed to (0 = to age 30)",
    ),
    "nav.aap_grant_rr_severe": (
        "AAP ved alvorlige plager (relativ rate)",
        "AAP with severe problems (rate ratio)",
    ),
    "cost.mcpf": ("Skattefinansieringskostnad", "Marginal cost of public funds"),
    "cost.earnings_fte_monthly": (
        "Gjennomsnittlig månedslønn per årsverk",
        "Average monthly earnings per FTE",
    ),
    "cost.earnings_ratio_15_19": (
        "Lønn 15–19 år, andel av gjennomsnittet",
        "Earnings aged 15–19, share of the mean",
    ),
    "cost.earnings_ratio_20_24": (
        "Lønn 20–24 år, andel av gjennomsnittet",
        "Earnings aged 20–24, share of the mean",
    ),
    "cost.earnings_ratio_25_29": (
        "Lønn 25–29 år, andel av gjennomsnittet",
        "Earnings aged 25–29, share of the mean",
    ),
    "cost.earnings_ratio_30_66": (
        "Lønn 30–66 år, andel av gjennomsnittet",
        "Earnings aged 30–66, share of the mean",
    ),
    "cost.earnings_ratio_no_upper_secondary": (
        "Lønn uten fullført videregående (forholdstall)",
        "Earnings without upper secondary (ratio)",
    ),
    "cost.earnings_ratio_higher_education": (
        "Lønn med høyere utdanning (forholdstall)",
        "Earnings with higher education (ratio)",
    ),
    "cost.higher_education_months": (
        "Tid i høyere utdanning som gir høyere lønn",
        "Time in higher education that raises earnings",
    ),
    "cost.fte_share_young": (
        "Stillingsandel for unge i arbeid",
        "Job share of young people in work",
    ),
    "cost.earnings_share_disability_work": (
        "Lønn for uføre i arbeid, andel av full lønn",
        "Earnings of disability recipients in work, share of full wage",
    ),
    "cost.employer_contribution_rate": (
        "Arbeidsgiveravgift",
        "Employer’s social security contribution",
    ),
    "cost.pension_contribution_rate": (
        "Arbeidsgivers pensjonsinnskudd",
        "Employer’s pension contribution",
    ),
    "cost.tax_personal_allowance": ("Personfradrag", "Personal allowance"),
    "cost.tax_standard_deduction_rate": ("Minstefradrag (sats)", "Standard deduction (rate)"),
    "cost.tax_standard_deduction_max": (
        "Minstefradrag (øvre grense)",
        "Standard deduction (maximum)",
    ),
    "cost.tax_ordinary_rate": ("Skatt på alminnelig inntekt", "Tax on ordinary income"),
    "cost.tax_bracket1_threshold": (
        "Trinnskatt trinn 1, innslagspunkt",
        "Bracket tax step 1, threshold",
    ),
    "cost.tax_bracket1_rate": ("Trinnskatt trinn 1, sats", "Bracket tax step 1, rate"),
    "cost.tax_bracket2_threshold": (
        "Trinnskatt trinn 2, innslagspunkt",
        "Bracket tax step 2, threshold",
    ),
    "cost.tax_bracket2_rate": ("Trinnskatt trinn 2, sats", "Bracket tax step 2, rate"),
    "cost.tax_bracket3_threshold": (
        "Trinnskatt trinn 3, innslagspunkt",
        "Bracket tax step 3, threshold",
    ),
    "cost.tax_bracket3_rate": ("Trinnskatt trinn 3, sats", "Bracket tax step 3, rate"),
    "cost.tax_social_security_rate": (
        "Trygdeavgift på lønn",
        "Social security contribution on wages",
    ),
    "cost.tax_social_security_floor": (
        "Frikort-grense for trygdeavgift",
        "Social security contribution floor",
    ),
    "cost.tax_social_security_phase_in": (
        "Opptrapping av trygdeavgift over grensen",
        "Social security contribution phase-in above the floor",
    ),
    "cost.tail_employed_exit": (
        "Voksne i arbeid som faller ut per år (etter 30 år)",
        "Employed adults leaving work per year (after 30)",
    ),
    "cost.tail_neet_exit": (
        "Voksne utenfor som kommer i arbeid per år (etter 30 år)",
        "Adults outside work finding work per year (after 30)",
    ),
    "cost.tail_neet_social_assistance_share": (
        "Andel voksne utenfor på sosialhjelp (etter 30 år)",
        "Share of adults outside work on social assistance (after 30)",
    ),
    "cost.tail_aap_to_work": (
        "Andel som går fra AAP til arbeid (etter 30 år)",
        "Share moving from AAP to work (after 30)",
    ),
    "cost.tail_aap_to_disability": (
        "Andel som går fra AAP til uføretrygd (etter 30 år)",
        "Share moving from AAP to disability benefit (after 30)",
    ),
    "cost.tail_disability_exit": (
        "Avgang fra uføretrygd per år (etter 30 år)",
        "Exits from disability benefit per year (after 30)",
    ),
    "cost.tail_student_employed_share": (
        "Andel studenter som er i arbeid etter endt utdanning",
        "Share of students in work after their studies",
    ),
    "cost.tail_school_leaving_age": (
        "Alder ved endt videregående (livsløp)",
        "Age leaving upper secondary (lifetime)",
    ),
    "cost.tail_graduation_age": (
        "Alder ved endt høyere utdanning (livsløp)",
        "Age graduating from higher education (lifetime)",
    ),
    "nav.disability_rr_moderate": (
        "Uføretrygd ved moderate plager (relativ rate)",
        "Disability benefit with moderate problems (rate ratio)",
    ),
}


def add_labels(text: str) -> tuple[str, list[str]]:
    """The file with label columns filled; and the names that still have no label."""
    reader = csv.DictReader(io.StringIO(text))
    fields = list(reader.fieldnames or [])
    if "label_nb" not in fields:
        at = fields.index("source") if "source" in fields else len(fields)
        fields[at:at] = list(NEW)
    rows, missing = list(reader), []
    for row in rows:
        known = LABELS.get(row["name"], ("", ""))
        for col, label in zip(NEW, known, strict=True):
            row[col] = (row.get(col) or "").strip() or label
        if not (row["label_nb"] and row["label_en"]):
            missing.append(row["name"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), missing


def main(argv: list[str]) -> int:
    """Label the file named in ``argv`` (default the package's); 1 when a label is missing."""
    path = Path(argv[0]) if argv else ROOT / "sim" / "data" / "parameters.csv"
    text, missing = add_labels(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    for name in missing:
        print(f"{path}: {name}: no label (add it to LABELS in {Path(__file__).name})")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
