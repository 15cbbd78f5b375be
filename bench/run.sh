#!/bin/sh
# npm run bench: scenario (e) keeps 10,000 sockets open in one process, so
# raise the open-files limit first (root may raise the hard limit too); the
# scale client explains and stops if the limit is still too low.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
exec node dist/bench/run.js "$@"
