#!/usr/bin/env bash
# The dashboard's API types, generated from the OpenAPI schema the server produces:
#   scripts/api-types.sh          write frontend/src/api/schema.d.ts
#   scripts/api-types.sh --check  fail when the committed file differs from a fresh generation
# VENV (default .venv) names the Python environment; openapi-typescript and prettier come from
# frontend/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
# The schema's integer bounds depend on the database engine (PostgreSQL's, as in production);
# generating it opens no connection, so the address need not be reachable.
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/igny8}
TARGET=frontend/src/api/schema.d.ts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$VENV/bin/python" manage.py spectacular --file "$tmp/schema.yaml" --validate --fail-on-warn
# Written inside frontend/ so prettier applies the dashboard's own configuration.
out=frontend/src/api/.schema.generated.d.ts
trap 'rm -rf "$tmp" "$out"' EXIT
(cd frontend && npx --no-install openapi-typescript "$tmp/schema.yaml" --output "${out#frontend/}" >/dev/null \
  && npx --no-install prettier --log-level warn --write "${out#frontend/}")

if [ "${1:-}" = "--check" ]; then
  if ! diff -q "$TARGET" "$out" >/dev/null 2>&1; then
    diff -u "$TARGET" "$out" | head -40 || true
    echo "$TARGET is stale: the API changed. Regenerate it with 'make api-types' and commit it." >&2
    exit 1
  fi
  echo "$TARGET matches the schema."
else
  mv "$out" "$TARGET"
  echo "wrote $TARGET"
fi
