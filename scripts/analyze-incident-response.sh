#!/usr/bin/env bash
# The seed's script name, kept so its examples run as written:
#   ./scripts/analyze-incident-response.sh --severity sev1 --type availability --start
# It forwards every argument to `incident-desk analyze` in the project's environment.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ -x "$root/.venv/bin/incident-desk" ]; then
  exec "$root/.venv/bin/incident-desk" analyze "$@"
fi
exec incident-desk analyze "$@"
