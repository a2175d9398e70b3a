#!/bin/sh
# One-shot namespace setup for the self-hosted Temporal server (the `temporal-setup` service in docker-compose.yml,
# on the temporalio/admin-tools image, which has the `temporal` CLI). Waits for the server, then makes sure the
# namespace exists with the retention from temporal-config/namespace.json and that every custom search attribute in
# temporal-config/search-attributes.json is registered on it: workflows that set an unknown attribute fail to start.
# Idempotent, so every `docker compose up` runs it. The admin-tools image has no jq; both files are flat objects of
# one "key": value per line, which is all the sed below reads.
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
CONFIG_DIR="${TEMPORAL_CONFIG_DIR:-/temporal-config}"
ATTEMPTS="${SETUP_ATTEMPTS:-60}"

retry() {
  what="$1"
  shift
  n=1
  until "$@"; do
    if [ "$n" -ge "$ATTEMPTS" ]; then
      echo "temporal-setup: $what still failing after $ATTEMPTS attempts" >&2
      return 1
    fi
    n=$((n + 1))
    sleep 2
  done
}

retention_days=$(sed -n 's/^[[:space:]]*"retentionDays":[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$CONFIG_DIR/namespace.json")
: "${retention_days:?no retentionDays in $CONFIG_DIR/namespace.json}"

retry 'cluster health' temporal operator cluster health --address "$ADDRESS" >/dev/null

if temporal operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  echo "temporal-setup: namespace $NAMESPACE exists"
else
  retry "namespace create $NAMESPACE" \
    temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention "${retention_days}d"
  echo "temporal-setup: namespace $NAMESPACE created (retention ${retention_days}d)"
fi

existing() {
  temporal operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" -o json 2>/dev/null
}

sed -n 's/^[[:space:]]*"\([A-Za-z_][A-Za-z0-9_]*\)":[[:space:]]*"\([A-Za-z]*\)".*/\1 \2/p' \
  "$CONFIG_DIR/search-attributes.json" | while read -r name type; do
  if existing | grep -q "\"$name\""; then
    echo "temporal-setup: search attribute $name exists"
    continue
  fi
  # A namespace created a moment ago may not have reached every service yet, hence the retry.
  retry "search attribute $name" temporal operator search-attribute create --address "$ADDRESS" \
    --namespace "$NAMESPACE" --name "$name" --type "$type"
  echo "temporal-setup: search attribute $name ($type) registered"
done
echo 'temporal-setup: done'
