"""`python -m incident_desk`: the same as the `incident-desk` console script."""

from .cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
