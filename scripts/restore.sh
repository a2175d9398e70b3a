#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh: the database (pg_restore --clean --if-exists, in one transaction) and
# the stored objects (scripts/backup-storage.mjs import: storage ends up holding exactly the backup's objects).
# Stop the API and the workers first (`kubectl scale deploy --all --replicas=0`, `docker compose stop`), so none
# writes while the restore runs, and start them again afterwards.
#
#   scripts/restore.sh [--env-file FILE] --yes BACKUP_DIR
#
# Configured like backup.sh (DATABASE_URL, STORAGE_DRIVER, DATA_DIR, S3_*, PG_BIN_DIR). The target database must
# exist (it may be empty). Objects are restored into whichever storage is configured, so a backup of local storage
# can be restored into an S3 bucket. --yes is required: it replaces what is there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=backup-lib.sh
. "$here/backup-lib.sh"

backup=""
confirmed=0
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) [ $# -ge 2 ] || fail "--env-file needs a file"; load_env_file "$2"; shift 2 ;;
    --yes) confirmed=1; shift ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) fail "unknown option $1" ;;
    *) [ -z "$backup" ] || fail "one backup directory at a time"; backup="$1"; shift ;;
  esac
done
[ -n "$backup" ] || fail "usage: restore.sh [--env-file FILE] --yes BACKUP_DIR"
[ -f "$backup/database.dump" ] && [ -f "$backup/storage-manifest.json" ] || fail "$backup is not a backup made by backup.sh"
[ "$confirmed" = 1 ] || fail "this replaces the database and the stored files with the backup's; run again with --yes"
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set"
pg_restore="$(pg_tool pg_restore)"

# Check everything before changing anything: a damaged backup must not half-replace good data.
node "$here/backup-storage.mjs" verify "$backup"
"$pg_restore" --list "$backup/database.dump" >/dev/null

# --clean --if-exists drops each object of the dump before recreating it, so this works on an empty database and on
# the damaged original alike. One transaction: an error leaves the database as it was. --no-owner and
# --no-privileges: the objects belong to the user of DATABASE_URL, whatever role made the dump.
"$pg_restore" --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --no-password \
  --dbname="$DATABASE_URL" "$backup/database.dump"
echo "[restore] database restored from $backup/database.dump" >&2
node "$here/backup-storage.mjs" import "$backup"
echo "[restore] done; start the platform again" >&2
