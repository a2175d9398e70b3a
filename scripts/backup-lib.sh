# Shared by backup.sh and restore.sh (sourced, not run).

fail() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# Loads KEY=VALUE lines of a .env file (the format of .env.example: # comments, optional quotes) into the
# environment. Variables already set win, as they do for docker compose.
load_env_file() {
  local file="$1" line key value
  [ -r "$file" ] || fail "cannot read env file $file"
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* || "$line" != *=* ]] && continue
    key="${line%%=*}"
    value="${line#*=}"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    # A comment after a value starts with whitespace and #.
    value="${value%%[[:space:]]#*}"
    value="${value%"${value##*[![:space:]]}"}"
    if [[ "$value" =~ ^\"(.*)\"$ || "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    [ -n "${!key+set}" ] || export "$key=$value"
  done <"$file"
}

# Path of a PostgreSQL client tool: $PG_BIN_DIR, else the newest /usr/lib/postgresql/<v>/bin (Debian keeps one per
# major version there, and /usr/bin/pg_dump is only a wrapper that may pick another), else PATH. pg_dump refuses a
# server newer than itself, so the newest installed is the right default.
pg_tool() {
  local name="$1" dir
  if [ -n "${PG_BIN_DIR:-}" ]; then
    [ -x "$PG_BIN_DIR/$name" ] || fail "$PG_BIN_DIR/$name is not executable"
    echo "$PG_BIN_DIR/$name"
    return
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$dir/$name" ]; then
      echo "$dir/$name"
      return
    fi
  done
  command -v "$name" || fail "$name not found: install the PostgreSQL client tools (Debian: postgresql-client) or set PG_BIN_DIR"
}
