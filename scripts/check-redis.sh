#!/usr/bin/env bash
# Fail with a clear message when Redis (broker, cache and run locks) is not reachable.
set -u
url=${REDIS_URL:-redis://127.0.0.1:6379/0}
py=${PYTHON:-.venv/bin/python}
if "$py" - "$url" <<'PY'
import sys, redis
try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2).ping()
except Exception as exc:
    print(f"Redis is not reachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then exit 0; fi
cat >&2 <<MSG

IGNY8 needs Redis (Celery broker, cache and the per-site run lock).
Start it, for example:
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379      # Debian: apt-get install redis-server
or point REDIS_URL at a running server (REDIS_URL=redis://host:6379/0).
MSG
exit 1
