"""The services every model has (today's system), in the order they act within a phase."""

from __future__ import annotations

import numpy as np

from sim.services import coordinator, ips, ledger, trial_team
from sim.services.followup import FollowUp
from sim.services.gp import GP
from sim.services.labour_market import LabourMarket
from sim.services.mental_health import MentalHealthClinic
from sim.services.nav import Nav, NavOffice
from sim.services.school import School


def create(model) -> list:
    """Create the built-in service agents and register their hazard modifiers."""
    nav = Nav(model)
    clinics = [MentalHealthClinic(model, "bup"), MentalHealthClinic(model, "dps")]
    offices = [NavOffice(model, a) for a in range(len(model.geo.area_names))]
    nav.offices = offices
    model.nav_intensity = np.ones(len(offices))
    model.nav_clients_by_area = [np.empty(0, dtype=np.int64)] * len(offices)
    services = [
        School(model),
        GP(model),
        *clinics,
        FollowUp(model),
        nav,
        *offices,
        LabourMarket(model),
        *coordinator.create(model),  # interventions: coordinator before IPS (it refers)
        *ips.create(model),
        *trial_team.create(model),  # only in ``sim trial`` runs
        ledger.create(model),
    ]
    for service in services:
        service.configure()
    model.modifiers["job_find"].append(nav.job_find_modifier)
    for clinic in clinics:
        model.modifiers["mh_recovery"].append(clinic.recovery_modifier)
    return services
