#!/bin/sh
# One-shot schema setup for the self-hosted Temporal server in docker-compose.yml (the `temporal-schema` service, on
# the temporalio/admin-tools image). Replaces what the deprecated temporalio/auto-setup image did at every start.
# Safe to run again: `create` ignores an existing database, `setup-schema -v 0.0` leaves a newer schema alone, and
# `update-schema` applies only the versions a newer server image brings.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the Temporal database host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD (the Temporal database password) is required}"
DB_PORT="${DB_PORT:-5432}"
SCHEMA_DIR="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}"

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versioned="$SCHEMA_DIR/temporal/versioned" ;;
    *) versioned="$SCHEMA_DIR/visibility/versioned" ;;
  esac
  echo "temporal-schema: $db"
  sql --db "$db" create
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$versioned"
done
echo 'temporal-schema: done'
