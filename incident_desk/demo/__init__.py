"""Demo data: the seed's INC-2025-001 entered in full and deterministic generated history (pure: no I/O).

Not a use case: `incident_desk.app.demo` classifies and stores this data to build the demo workspace
(`incident-desk demo create`, `python3 run.py demo`); tests and benchmarks use it as realistic input.
"""
