"""NAV's benefit rules as NAV applies them (vectorised; each decision on its own stream).

Used by :class:`sim.services.nav.Nav` in its phase, and by the cost ledger for what is paid.

- AAP, arbeidsavklaringspenger (folketrygdloven kap. 11): granted to NEET clients 18+ with a
  detected mental-health problem (work capacity reduced by at least half, § 11-5), and to
  immigrants only after ``nav.aap_membership_months`` in Norway (§ 11-2). Work while on AAP:
  a job that is full time ends AAP (capacity restored; AAP stops above 60 % work); part-time
  work keeps a graded AAP, reduced by the hours worked (§ 11-23: hours / 37.5 a week), paid
  at 1 - ``nav.aap_work_share``. AAP ends with ``nav.aap_exit_monthly`` once the youth is
  well or working, and at the time limit ``nav.aap_max_months`` (§ 11-12, three years) unless
  extended (``nav.aap_extension_share`` for ``nav.aap_extension_months``); at its end youth
  with lasting problems get disability with ``nav.disability_at_limit``, others become job
  seekers (or leave NAV if working) and cannot get AAP again for ``nav.aap_wait_months``.
- Disability, uføretrygd (kap. 12): from AAP after ``nav.disability_min_aap_months``, for
  permanently reduced capacity (by severity); never for a youth who worked full time the
  month before (they have left AAP), and for part-time workers (a graded award) at
  ``nav.disability_rr_part_time`` times the rate. A disabled youth who starts a full-time
  job (share ``nav.disability_fulltime_share``) has the payment stop (income above 80 % of
  the earlier income, § 12-14: modelled as leaving the benefit); part-time work keeps it,
  paid at 1 - ``nav.disability_work_reduction`` (graded awards and income above the 0.4 G
  allowance).
- Social assistance (sosialtjenesteloven § 18): NEET job seekers 18+ enter with
  ``nav.social_assistance_monthly`` (× ``nav.social_assistance_rr_immigrant`` for immigrants)
  and leave with ``nav.social_assistance_exit_monthly``.
"""

from __future__ import annotations

import numpy as np

from sim.core.states import Activity, Mh, NavStatus


def set_status(model, pids: np.ndarray, status) -> None:
    """Give youth a NAV status (scalar or per youth) and restart their months in it."""
    pop = model.pop
    pop.nav_status[pids] = status
    pop.nav_months[pids] = 0


def job_started(model, pids: np.ndarray) -> np.ndarray:
    """Whether each youth is in a job that started since NAV last looked (one check per job).

    The status phase resets ``months_in_activity`` to 0 in the month a job starts, so NAV's
    next step sees each new job exactly once.
    """
    pop = model.pop
    return (pop.activity[pids] == Activity.EMPLOYED) & (pop.months_in_activity[pids] == 0)


def aap_eligible(model, pids: np.ndarray) -> np.ndarray:
    """Whether youth may be granted AAP: membership (immigrants) and no waiting year running."""
    m, pop, p = model, model.pop, model.params
    arrived = m.month - pop.entry_month[pids]
    member = ~pop.immigrant[pids] | (arrived >= p["nav.aap_membership_months"])
    ended = pop.aap_limit_month[pids]
    waiting = (ended >= 0) & (m.month - ended < p["nav.aap_wait_months"])
    return member & ~waiting


def aap_grant(model, cand: np.ndarray) -> None:
    """Grant AAP to eligible NEET candidates (detected problems; twice as often when severe)."""
    m, pop, p = model, model.pop, model.params
    cand = cand[pop.detected[cand] & (pop.activity[cand] == Activity.NEET)]
    cand = cand[aap_eligible(m, cand)]
    rr = np.where(pop.mh[cand] == Mh.SEVERE, p["nav.aap_grant_rr_severe"], 1.0)
    grant = m.streams.bernoulli("nav:aap_grant", cand, p["nav.aap_grant_monthly"] * rr)
    set_status(m, cand[grant], NavStatus.AAP)
    m.collector.count_flow("aap_starts", cand[grant])


def aap_work_and_exit(model, aap: np.ndarray) -> None:
    """Full-time jobs end AAP; then AAP ends at random once the youth is well or working."""
    m, pop, p = model, model.pop, model.params
    new_job = job_started(m, aap)
    fulltime = new_job & m.streams.bernoulli("nav:aap_fulltime", aap, p["nav.aap_fulltime_share"])
    set_status(m, aap[fulltime], NavStatus.NONE)
    aap = aap[~fulltime]
    well = (pop.mh[aap] == Mh.NONE) | (pop.activity[aap] == Activity.EMPLOYED)
    leave = m.streams.bernoulli("nav:aap_exit", aap, p["nav.aap_exit_monthly"]) & well
    neet = pop.activity[aap[leave]] == Activity.NEET
    set_status(m, aap[leave], np.where(neet, NavStatus.JOBSEEKER, NavStatus.NONE))


def aap_time_limit(model, aap: np.ndarray) -> None:
    """AAP at its time limit: extended for some; else disability, job seeking or nothing.

    ``nav_months`` counts the months on AAP before this one, so the limit is reached when it
    is ``nav.aap_max_months`` - 1; the extension is drawn once, in that month.
    """
    m, pop, p = model, model.pop, model.params
    months = pop.nav_months[aap].astype(np.int64) + 1  # paid months including this one
    limit = int(p["nav.aap_max_months"])
    at_limit = aap[months == limit]
    extend = m.streams.bernoulli("nav:aap_extension", at_limit, p["nav.aap_extension_share"])
    over = months > limit + int(p["nav.aap_extension_months"])
    ending = np.union1d(at_limit[~extend], aap[over])
    if not len(ending):
        return
    pop.aap_limit_month[ending] = m.month
    rr = np.select(
        [pop.mh[ending] == Mh.SEVERE, pop.mh[ending] == Mh.MODERATE],
        [1.0, p["nav.disability_rr_moderate"]],
        0.0,
    )
    working = pop.activity[ending] == Activity.EMPLOYED
    p_dis = np.where(working, 0.0, p["nav.disability_at_limit"] * rr)
    disabled = m.streams.bernoulli("nav:aap_limit_disability", ending, p_dis)
    m.collector.count_flow("disability_awards", ending[disabled])
    neet = pop.activity[ending] == Activity.NEET
    after = np.where(neet, NavStatus.JOBSEEKER, NavStatus.NONE)
    set_status(m, ending, np.where(disabled, NavStatus.DISABILITY, after))


def disability_from_aap(model, live: np.ndarray) -> None:
    """Disability for AAP recipients with lasting problems (graded for part-time workers)."""
    m, pop, p = model, model.pop, model.params
    aap = live[
        (pop.nav_status[live] == NavStatus.AAP)
        & (pop.nav_months[live] >= p["nav.disability_min_aap_months"])
    ]
    rr = np.select(
        [pop.mh[aap] == Mh.SEVERE, pop.mh[aap] == Mh.MODERATE],
        [1.0, p["nav.disability_rr_moderate"]],
        0.0,
    )
    working = pop.activity[aap] == Activity.EMPLOYED
    rr = rr * np.where(working, p["nav.disability_rr_part_time"], 1.0)
    award = m.streams.bernoulli("nav:disability", aap, p["nav.disability_from_aap_monthly"] * rr)
    set_status(m, aap[award], NavStatus.DISABILITY)
    m.collector.count_flow("disability_awards", aap[award])


def disability_work(model, live: np.ndarray) -> None:
    """Disabled youth who start a full-time job have the payment stop (leave the benefit)."""
    m, pop, p = model, model.pop, model.params
    dis = live[(pop.nav_status[live] == NavStatus.DISABILITY) & job_started(m, live)]
    full = m.streams.bernoulli("nav:disability_fulltime", dis, p["nav.disability_fulltime_share"])
    set_status(m, dis[full], NavStatus.NONE)


def social_assistance(model, live: np.ndarray, ages: np.ndarray) -> None:
    """NEET job seekers 18+ receive social assistance (more often immigrants); some leave it."""
    m, pop, p = model, model.pop, model.params
    js = live[
        (pop.nav_status[live] == NavStatus.JOBSEEKER)
        & (pop.activity[live] == Activity.NEET)
        & (ages >= 18)
    ]
    rr = np.where(pop.immigrant[js], p["nav.social_assistance_rr_immigrant"], 1.0)
    enter = m.streams.bernoulli("nav:sa_enter", js, p["nav.social_assistance_monthly"] * rr)
    set_status(m, js[enter], NavStatus.SOCIAL_ASSISTANCE)
    sa = live[pop.nav_status[live] == NavStatus.SOCIAL_ASSISTANCE]
    out = m.streams.bernoulli("nav:sa_exit", sa, p["nav.social_assistance_exit_monthly"])
    set_status(m, sa[out], NavStatus.JOBSEEKER)


def payment_share(model, pids: np.ndarray | slice, status: np.ndarray) -> np.ndarray:
    """Share of the full benefit paid this month: graded AAP and disability for youth in work."""
    p = model.params
    employed = model.pop.activity[pids] == Activity.EMPLOYED
    paid = np.ones(len(employed))
    paid[employed & (status == NavStatus.AAP)] = 1.0 - p["nav.aap_work_share"]
    paid[employed & (status == NavStatus.DISABILITY)] = 1.0 - p["nav.disability_work_reduction"]
    return paid
