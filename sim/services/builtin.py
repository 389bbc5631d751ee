"""Today's system: the services and recorders every model has, in the order it creates them.

Within a phase, services act in this order (the coordinator before IPS: it refers to it);
recorders come after the services. Importing :mod:`sim.services` registers them.
"""

from __future__ import annotations

from sim.services import register
from sim.services.coordinator import Coordinator
from sim.services.followup import FollowUp
from sim.services.gp import GP
from sim.services.ips import IpsTeam
from sim.services.labour_market import LabourMarket
from sim.services.ledger import CostLedger
from sim.services.mental_health import MentalHealthClinic
from sim.services.nav import Nav
from sim.services.school import School
from sim.services.trial_team import TrialTeam

BUILT_IN = (
    School,
    GP,
    MentalHealthClinic,  # BUP and DPS
    FollowUp,
    Nav,  # with its area offices
    LabourMarket,
    Coordinator,
    IpsTeam,
    TrialTeam,  # the trial's places and recorder, only in ``sim trial`` runs
    CostLedger,
)

for _cls in BUILT_IN:
    register(_cls)
