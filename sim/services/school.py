"""Upper-secondary school (county): Vg1 entry, progression, dropout, exams, apprenticeships.

Also holds higher education, which youth enter after the academic track. The school year runs
August to June: entry and progression in August, in-year dropout August to May, exams in June.
Dropouts are referred to the follow-up service (OT) through the referral mechanism.
"""

from __future__ import annotations

import numpy as np

from sim.core.states import Activity, Track
from sim.services.base import Service, end_hazard

SCHOOL_MONTHS = 10  # August to May: months in which in-year dropout can happen
APPRENTICE = 4  # grade code of the first apprenticeship year (second year is 5)
EXTENDED = 6  # an apprenticeship that runs past the summer: trade test in December


def monthly(p_year: float | np.ndarray, months: int = 12) -> np.ndarray:
    """Monthly hazard equivalent to a probability over ``months`` months."""
    return 1.0 - (1.0 - np.minimum(p_year, 0.999)) ** (1.0 / months)


class School(Service):
    """The county's upper-secondary schools and apprenticeships (plus higher education)."""

    name = "school"
    phase = "school"
    is_helper = False

    def step(self) -> None:
        """August start, in-year dropout, June exams, apprenticeships, higher education."""
        month = self.model.calendar_month
        if month == 8:
            self._school_year_start()
        if month in (8, 9, 10, 11, 12, 1, 2, 3, 4, 5):
            self._dropout()
        if month == 6:
            self._extend_apprenticeships()
            self._exams((3, APPRENTICE + 1))
        if month == 12:
            self._exams((EXTENDED,))
        self._apprentice_cancellations()
        self._higher_education()

    # -- August -----------------------------------------------------------------------------
    def _school_year_start(self) -> None:
        m, pop = self.model, self.model.pop
        live = pop.live()
        vg2 = live[(pop.activity[live] == Activity.UPPER_SECONDARY) & (pop.grade[live] == 2)]
        vg2_track = pop.track[vg2]
        self._promote(live)
        self._enter_vg1(live[pop.activity[live] == Activity.LOWER_SECONDARY])
        self._returners(live)
        self._late_higher_education(live)
        pupils = live[(pop.activity[live] == Activity.UPPER_SECONDARY) & (pop.grade[live] <= 3)]
        m.collector.school_year_start({t: int((pop.track[pupils] == t).sum()) for t in Track})
        self._record_vg2(vg2, vg2_track, pupils[pop.grade[pupils] == 2])

    def _record_vg2(self, last_vg2: np.ndarray, last_track: np.ndarray, vg2: np.ndarray) -> None:
        """Vg2 pupils of last year who went straight on; this year's Vg2 pupils (by track)."""
        m, pop = self.model, self.model.pop
        years = m.collector.school_years
        on = (pop.activity[last_vg2] == Activity.UPPER_SECONDARY) & (pop.grade[last_vg2] >= 3)
        if m.year - 1 in years:
            years[m.year - 1]["vg2_on"] = {t: int((on & (last_track == t)).sum()) for t in Track}
        years[m.year]["vg2_start"] = {t: int((pop.track[vg2] == t).sum()) for t in Track}

    def _enter_vg1(self, pids: np.ndarray) -> None:
        """August after lower secondary: start Vg1 (academic or vocational) or stay outside.

        Youth with an immigrant background stay outside more often: the share who do not
        start is multiplied by ``school.no_start_rr_immigrant``.
        """
        m, pop = self.model, self.model.pop
        p = m.params
        no_start = (1.0 - p["school.lower_secondary_to_vg1"]) * np.where(
            pop.immigrant[pids], p["school.no_start_rr_immigrant"], 1.0
        )
        start = m.streams.bernoulli("school:vg1_entry", pids, 1.0 - np.minimum(no_start, 1.0))
        voc = m.streams.bernoulli("school:track", pids, p["school.vocational_share"])
        pop.track[pids] = np.where(voc, Track.VOCATIONAL, Track.ACADEMIC)
        entering, outside = pids[start], pids[~start]
        pop.vg1_year[entering] = m.year  # the completion cohort: youth who start Vg1
        pop.grade[entering], pop.activity[entering] = 1, Activity.UPPER_SECONDARY
        pop.activity[outside], pop.left_grade[outside] = Activity.NEET, 1
        m.referrals.send("school", "followup", outside)

    def _promote(self, live: np.ndarray) -> None:
        """August: pupils move up a level, change programme (omvalg) or take the year again.

        After Vg1 (and after vocational Vg2) a pupil starts Vg1 again in the other track with
        probability ``school.programme_switch_yearly``; after Vg1 or Vg2 a pupil takes the same
        level again with probability ``school.repeat_yearly`` (both stay pupils); the rest
        move up. Vocational Vg2 pupils
        who move up go on by :meth:`_after_vocational_vg2`.
        """
        m, pop = self.model, self.model.pop
        pupils = live[(pop.activity[live] == Activity.UPPER_SECONDARY) & (pop.grade[live] > 0)]
        grade, track = pop.grade[pupils], pop.track[pupils]
        early = grade <= 2
        # academic pupils hardly change programme after Vg2: 96 % go straight on (Udir 2023)
        may_switch = (grade == 1) | ((grade == 2) & (track == Track.VOCATIONAL))
        switch = may_switch & m.streams.bernoulli(
            "school:switch", pupils, m.params["school.programme_switch_yearly"]
        )
        repeat = early & ~switch
        repeat &= m.streams.bernoulli(
            "school:repeat_year", pupils, m.params["school.repeat_yearly"]
        )
        pop.grade[pupils[switch]] = 1
        pop.track[pupils[switch]] = np.where(
            track[switch] == Track.ACADEMIC, Track.VOCATIONAL, Track.ACADEMIC
        )
        stays = switch | repeat
        vocational_vg2 = (grade == 2) & (track == Track.VOCATIONAL)
        move = (grade == 1) | ((grade == 2) & (track == Track.ACADEMIC)) | (grade == APPRENTICE)
        pop.grade[pupils[move & ~stays]] += 1
        self._after_vocational_vg2(pupils[vocational_vg2 & ~stays])

    def _after_vocational_vg2(self, pids: np.ndarray) -> None:
        """Vocational Vg2 done: påbygg, an apprenticeship, Vg3 in school, or leaving.

        A share take the supplementary general-studies year (påbygg, an academic Vg3); the
        others seek an apprenticeship and get a contract with ``school.apprentice_contract_share``.
        Those without one take the Vg3 in school the county must offer (fagopplæring i skole,
        a vocational Vg3 pupil) with ``school.vg3_school_uptake``; the rest leave school and
        are reported to OT, keeping the apprenticeship as the level they can come back to.
        """
        m, pop = self.model, self.model.pop
        p = m.params
        pabygg = m.streams.bernoulli("school:pabygg", pids, p["school.pabygg_share"])
        contract = m.streams.bernoulli(
            "school:contract", pids, p["school.apprentice_contract_share"]
        )
        in_school = m.streams.bernoulli("school:vg3_school", pids, p["school.vg3_school_uptake"])
        contract &= ~pabygg
        in_school &= ~pabygg & ~contract
        pop.grade[pids[pabygg | in_school]] = 3
        pop.track[pids[pabygg]] = Track.ACADEMIC  # påbygg is a general-studies Vg3
        pop.grade[pids[contract]] = APPRENTICE
        self._leave(pids[~(pabygg | contract | in_school)], resume_grade=APPRENTICE)

    def _returners(self, live: np.ndarray) -> None:
        """Re-enrolment: OT offers accepted, and youth who return on their own."""
        m, pop = self.model, self.model.pop
        act = pop.activity[live]
        out = live[
            ((act == Activity.NEET) | (act == Activity.EMPLOYED))
            & ~pop.completed[live]
            & (pop.track[live] != Track.NONE)
            & (m.ages(live) <= 24)
        ]
        p = np.where(
            pop.activity[out] == Activity.NEET,
            m.params["school.return_neet_yearly"],
            m.params["school.return_employed_yearly"],
        )
        own = m.streams.bernoulli("school:self_return", out, p)
        back = out[own | pop.reenrol[out]]
        pop.reenrol[live] = False
        late = back[pop.vg1_year[back] < 0]
        pop.vg1_year[late] = m.year  # first start of Vg1 (after not starting at 16)
        pop.grade[back] = np.maximum(pop.left_grade[back], 1)
        pop.activity[back] = Activity.UPPER_SECONDARY

    def _late_higher_education(self, live: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        act = pop.activity[live]
        cand = live[
            pop.completed[live]
            & ((act == Activity.NEET) | (act == Activity.EMPLOYED))
            & (pop.he_months[live] == 0)
            & (m.ages(live) <= 24)
        ]
        go = m.streams.bernoulli("school:late_he", cand, m.params["school.higher_ed_late_entry"])
        pop.activity[cand[go]] = Activity.HIGHER_EDUCATION

    # -- during the year ----------------------------------------------------------------------
    def _dropout(self) -> None:
        m, pop = self.model, self.model.pop
        sl = pop.rows
        pupils = pop.live_where(
            (pop.activity[sl] == Activity.UPPER_SECONDARY) & (pop.grade[sl] <= 3)
        )
        track = pop.track[pupils]
        p = m.params
        # monthly hazards by track (none, academic, vocational), computed once on an array
        yearly = [p["school.dropout_academic_yearly"]] * 2 + [
            p["school.dropout_vocational_yearly"]
        ]
        hazard = monthly(np.array(yearly), SCHOOL_MONTHS).take(track)
        rr = np.array([1.0, p["school.dropout_mh_rr_moderate"], p["school.dropout_mh_rr_severe"]])
        hazard = hazard * rr.take(pop.mh[pupils])
        hazard *= np.where(pop.immigrant[pupils], p["school.dropout_rr_immigrant"], 1.0)
        hazard = m.modified("edu_dropout", pupils, hazard)  # e.g. IPS supported education
        out = m.streams.bernoulli("school:dropout", pupils, hazard)
        dropouts = {t: int((out & (track == t)).sum()) for t in (Track.ACADEMIC, Track.VOCATIONAL)}
        m.collector.count_dropouts(dropouts)  # per school year, by the reporters
        self._leave(pupils[out], resume_grade=None)

    def _leave(self, pids: np.ndarray, resume_grade: int | None) -> None:
        """Youth leave school without completing: NEET, reported to OT (if 24 or younger)."""
        m, pop = self.model, self.model.pop
        pop.left_grade[pids] = pop.grade[pids] if resume_grade is None else resume_grade
        pop.grade[pids], pop.activity[pids] = 0, Activity.NEET
        m.referrals.send("school", "followup", pids[~m.aged(pids, 25)])

    def _apprentice_cancellations(self) -> None:
        m, pop = self.model, self.model.pop
        sl = pop.rows
        appr = pop.live_where(
            (pop.activity[sl] == Activity.UPPER_SECONDARY) & (pop.grade[sl] >= 4)
        )
        p = monthly(m.params["school.apprentice_cancel_yearly"])
        self._leave(appr[m.streams.bernoulli("school:apprentice_cancel", appr, p)], None)

    # -- June ---------------------------------------------------------------------------------
    def _extend_apprenticeships(self) -> None:
        """June: some second-year apprentices' contracts run past the summer.

        A later start, a longer trade or an extension: they take the trade test in December.
        """
        m, pop = self.model, self.model.pop
        sl = pop.rows
        second = pop.live_where(
            (pop.activity[sl] == Activity.UPPER_SECONDARY) & (pop.grade[sl] == APPRENTICE + 1)
        )
        p = m.params["school.apprentice_extended_share"]
        pop.grade[second[m.streams.bernoulli("school:apprentice_extended", second, p)]] = EXTENDED

    def _exams(self, grades: tuple[int, ...]) -> None:
        """Final exams or trade tests of the final levels ``grades``: pass, repeat or leave."""
        m, pop = self.model, self.model.pop
        live = pop.live()
        final = live[
            (pop.activity[live] == Activity.UPPER_SECONDARY) & np.isin(pop.grade[live], grades)
        ]
        passed = m.streams.bernoulli("school:pass", final, m.params["school.final_year_pass"])
        self._complete(final[passed])
        failed = final[~passed]
        repeat = m.streams.bernoulli("school:repeat", failed, m.params["school.repeat_after_fail"])
        self._leave(failed[~repeat], resume_grade=None)

    def _complete(self, pids: np.ndarray) -> None:
        m, pop = self.model, self.model.pop
        pop.completed[pids], pop.completed_month[pids] = True, m.month
        # academic Vg3 or påbygg (general studies); vocational Vg3 in school gives a trade
        # certificate, as an apprenticeship does
        general = (pop.grade[pids] == 3) & (pop.track[pids] == Track.ACADEMIC)
        he = m.streams.bernoulli("school:he_entry", pids, m.params["school.higher_ed_entry"])
        work = np.where(
            general, m.params["school.leaver_employed"], m.params["school.apprentice_hired"]
        )
        hired = m.streams.bernoulli("school:hired", pids, work)
        pop.grade[pids] = 0
        pop.activity[pids] = np.select(
            [general & he, hired], [Activity.HIGHER_EDUCATION, Activity.EMPLOYED], Activity.NEET
        )

    # -- higher education ---------------------------------------------------------------------
    def _higher_education(self) -> None:
        m, pop = self.model, self.model.pop
        he = pop.live_where(pop.activity[pop.rows] == Activity.HIGHER_EDUCATION)
        pop.he_months[he] += 1
        p_done = end_hazard(m.params["school.higher_ed_months"])
        done = m.streams.bernoulli("school:he_complete", he, p_done)
        p_drop = monthly(m.params["school.higher_ed_dropout_yearly"])
        drop = m.streams.bernoulli("school:he_dropout", he, m.modified("edu_dropout", he, p_drop))
        leaving = he[done | drop]
        p = m.params  # students who leave without a degree find work as school leavers do
        hired = m.streams.bernoulli(
            "school:graduate_hired",
            leaving,
            np.where(done[done | drop], p["school.graduate_hired"], p["school.leaver_employed"]),
        )
        pop.activity[leaving] = np.where(hired, Activity.EMPLOYED, Activity.NEET)
