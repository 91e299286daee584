#!/usr/bin/env bash
# Starts the whole Bambuddy Backup system (Aspire AppHost: PostgreSQL, RabbitMQ, the four services
# and the gateway) in the foreground. Ctrl-C or SIGTERM stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

eng/install-deps.sh
dotnet build Bambuddy.AppHost/Bambuddy.AppHost.csproj -c Release --nologo --verbosity quiet

if [ -z "${BACKUP_STATE_DIR:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then export BACKUP_STATE_DIR=/var/lib/bambuddy-backup; else export BACKUP_STATE_DIR="$HOME/.local/state/bambuddy-backup"; fi
fi
mkdir -p "$BACKUP_STATE_DIR"

gateway_port="${GATEWAY_PORT:-8080}"
dashboard_url="${ASPNETCORE_URLS:-http://127.0.0.1:18888}"
cat <<MSG

  Bambuddy Backup is starting.
  Gateway (REST API):  http://127.0.0.1:${gateway_port}/api/v1   (reference: http://127.0.0.1:${gateway_port}/scalar)
  Dashboard:           ${dashboard_url}   (its login URL with a token is printed below)
  State directory:     ${BACKUP_STATE_DIR}
  API key:             $( [ -n "${BACKUP_API_KEY:-}" ] && echo "from BACKUP_API_KEY" || echo "${BACKUP_STATE_DIR}/api-key (created on first start)" )
  Stop with Ctrl-C.

MSG

export ASPNETCORE_URLS="$dashboard_url"
export ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL="${ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL:-http://127.0.0.1:18890}"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export DOTNET_ENVIRONMENT="${DOTNET_ENVIRONMENT:-Development}"
# exec: the AppHost itself receives SIGINT/SIGTERM and stops every server it started.
exec Bambuddy.AppHost/bin/Release/net10.0/Bambuddy.AppHost
