#!/usr/bin/env bash
# Installs, idempotently, what a fresh Debian machine lacks to run and test Bambuddy Backup:
# PostgreSQL, RabbitMQ and mosquitto servers and git (Debian's packages; their system services
# are never started), s3rver, and restores the .NET packages. Safe to run again: it does nothing
# when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || need+=(rabbitmq-server)
command -v epmd >/dev/null 2>&1 || need+=(erlang-base)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
command -v unzip >/dev/null 2>&1 || need+=(unzip)
command -v zip >/dev/null 2>&1 || need+=(zip)
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v git >/dev/null 2>&1 || need+=(git)
command -v openssl >/dev/null 2>&1 || need+=(openssl)

if [ ${#need[@]} -gt 0 ]; then
  echo "install-deps: installing ${need[*]}"
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  # Keep the packages' init scripts from starting system services: the AppHost and the tests
  # run their own servers on loopback.
  policy_added=false
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
    policy_added=true
  fi
  trap '[ "$policy_added" = true ] && "${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# A system epmd or rabbitmq started by a package's postinst would hold ports we do not own; we
# never stop processes by name, so just say so.
if pgrep -x epmd >/dev/null 2>&1 && [ -z "${BAMBUDDY_QUIET_EPMD:-}" ]; then
  echo "install-deps: note: an epmd is already running on this machine; ours use private ports."
fi

# npm's s3rver (the S3 server of the tests and of the no-container AppHost), patched, in eng/node/.
eng/install-s3rver.sh

if [ -z "${SKIP_DOTNET_RESTORE:-}" ]; then
  dotnet restore Bambuddy.sln --verbosity quiet
fi
