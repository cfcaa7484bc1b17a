#!/bin/sh
# Runs a command at the highest CPU weight in an autogroup of its own, for benchmarks on a machine that
# other sessions share. `nice` alone does not help there: with autogroups (Linux's default for desktop
# and many servers) the scheduler shares the CPU between sessions first, and niceness only orders the
# processes within one. Needs root for a negative value; otherwise the command runs as it is.
# Usage: sh scripts/high-priority.sh npm run bench:accounts -- --accounts 500
exec setsid sh -c 'echo -20 > /proc/self/autogroup 2>/dev/null || echo "high-priority: could not raise the autogroup priority; running as is" >&2; exec "$@"' sh "$@"
