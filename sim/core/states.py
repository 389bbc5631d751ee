"""The youth state's vocabulary: the enums of each state and the population's columns.

Every module that reads or writes youth state imports its names from here, so the population,
its histories and the metrics share one definition without importing each other.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Activity(IntEnum):
    """Main activity (SSB register NEET definition: programmes are not NEET)."""

    LOWER_SECONDARY = 0
    UPPER_SECONDARY = 1  # including apprenticeship
    HIGHER_EDUCATION = 2
    EMPLOYED = 3
    PROGRAMME = 4  # NAV labour-market programme or qualification programme
    NEET = 5


class NavStatus(IntEnum):
    """NAV registration or benefit, separate from activity."""

    NONE = 0
    JOBSEEKER = 1
    AAP = 2
    QUALIFICATION = 3
    SOCIAL_ASSISTANCE = 4
    DISABILITY = 5


class Track(IntEnum):
    """Upper-secondary track."""

    NONE = 0
    ACADEMIC = 1
    VOCATIONAL = 2


class Mh(IntEnum):
    """Mental-health state."""

    NONE = 0
    MODERATE = 1
    SEVERE = 2


FIELDS = {  # name: dtype, initial value
    "alive": (np.bool_, False),
    "birth_year": (np.int16, 0),
    "entry_month": (np.int32, -1),
    "exit_month": (np.int32, -1),
    "female": (np.bool_, False),
    "immigrant": (np.bool_, False),
    "kommune": (np.int16, 0),  # index into the municipality table
    "track": (np.int8, 0),
    "grade": (np.int8, 0),  # 0 none; 1-3 Vg1-Vg3; 4-5 apprenticeship years 1-2; 6 extended
    "vg1_year": (np.int16, -1),
    "completed": (np.bool_, False),
    "completed_month": (np.int32, -1),
    "left_grade": (np.int8, 0),  # grade to return to after leaving school early
    "mh": (np.int8, 0),
    "detected": (np.bool_, False),
    "activity": (np.int8, 0),
    "nav_status": (np.int8, 0),
    "nav_months": (np.int16, 0),  # months in current NAV status
    "aap_limit_month": (np.int32, -1),  # month AAP last ended at its time limit (-1: never)
    "months_in_activity": (np.int16, 0),
    "helpers": (np.uint32, 0),  # bitmask of services engaged with the youth
    "shared_plan": (np.bool_, False),  # one coordinated plan (no plan_conflict penalty)
    "he_months": (np.int16, 0),
    "reenrol": (np.bool_, False),  # accepted a re-enrolment offer; returns in August
    # Persistent traits drawn at entry that services cannot see (processes/demography.py).
    "work_distance": (np.float32, 0.0),  # distance from the labour market, z-score (0 = typical)
    "wants_work": (np.bool_, True),  # says they want ordinary work (trial eligibility)
    "arrival_age": (np.int8, -1),  # age on arrival of migrants (18-29); -1: entered at 15
    "was_pupil": (np.bool_, False),  # in upper secondary last month (to see who left it)
}
TRACKED = ("activity", "nav_status", "helpers", "mh")  # fields whose changes are logged
