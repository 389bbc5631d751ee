"""The population's own processes: demography, mental health, status bookkeeping.

Each is a :class:`sim.core.module.Process` with the lifecycle every module shares. The model
creates them itself (they are part of every run, not services from the registry).
"""
