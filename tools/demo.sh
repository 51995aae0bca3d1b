#!/usr/bin/env bash
# The built-in demo (README quick start, first command).
# Until dpsecd exists (issues 4 and 5) it shows the PF_KEY codec at work
# over a real socket; it grows into the two-gateway demo.
set -euo pipefail
build=${1:-build}
exec "$build/tools/dpsec-pfkey-demo"
