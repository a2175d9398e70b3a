#!/usr/bin/env bash
# Backs up the platform: its PostgreSQL database (pg_dump, custom format) and every stored object (DATA_DIR/storage
# or the S3 bucket, copied by scripts/backup-storage.mjs with a SHA-256 manifest), into a new directory
# <backup-root>/voice-backup-<UTC time>, which it prints. Safe while the platform runs.
#
#   scripts/backup.sh [--env-file FILE] [BACKUP_ROOT]          BACKUP_ROOT defaults to ./backups
#
# Configured like the platform, from the environment (or FILE): DATABASE_URL (required; for the embedded PGlite
# setup stop `npm start` and copy DATA_DIR instead), STORAGE_DRIVER, DATA_DIR, S3_*. PG_BIN_DIR picks the PostgreSQL
# client tools (they must be at least the server's major version). Needs Node and the built workspace.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=backup-lib.sh
. "$here/backup-lib.sh"

root=./backups
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) [ $# -ge 2 ] || fail "--env-file needs a file"; load_env_file "$2"; shift 2 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    -*) fail "unknown option $1" ;;
    *) root="$1"; shift ;;
  esac
done
[ -n "${DATABASE_URL:-}" ] || fail "DATABASE_URL is not set (the embedded PGlite database is backed up by copying DATA_DIR while the platform is stopped)"
pg_dump="$(pg_tool pg_dump)"
pg_restore="$(pg_tool pg_restore)"

# The backup holds password hashes, sealed secrets and users' audio: readable by its owner only.
umask 077
mkdir -p "$root"
dest="$root/voice-backup-$(date -u +%Y%m%dT%H%M%SZ)"
[ ! -e "$dest" ] || fail "$dest already exists"
work="$dest.partial"
rm -rf "$work"
mkdir "$work"
# A failed run leaves no half-written backup that could pass for a whole one.
trap 'rm -rf "$work"' EXIT

# The database first: every object a dumped row names is already stored when the copy starts; objects written
# later are harmless extras. pg_dump reads one consistent snapshot, so the platform can keep running.
"$pg_dump" --format=custom --no-password --file="$work/database.dump" --dbname="$DATABASE_URL"
"$pg_restore" --list "$work/database.dump" >/dev/null
node "$here/backup-storage.mjs" export "$work"

cat >"$work/backup.json" <<JSON
{
  "format": 1,
  "createdAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "pgDump": "$("$pg_dump" --version)",
  "database": "database.dump",
  "storage": "storage-manifest.json"
}
JSON
mv "$work" "$dest"
trap - EXIT
echo "[backup] done: $dest" >&2
echo "$dest"
