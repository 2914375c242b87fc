"""The `incident-desk` command line, thin over app/."""
