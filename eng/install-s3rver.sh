#!/usr/bin/env bash
# Installs, idempotently, s3rver 3.7.1 (a local S3 for the tests) into eng/node/ from the pinned
# package-lock.json, then patches its XML namespace bug: s3rver answers bucket lists with
# xmlns="http://doc.s3.amazonaws.com/2006-03-01/" where S3 uses "http://s3.amazonaws.com/doc/2006-03-01/",
# and the Minio client then silently lists nothing. Does nothing when already installed and patched.
set -euo pipefail
cd "$(dirname "$0")/node"

version=3.7.1
module=node_modules/s3rver
wrong='http://doc.s3.amazonaws.com/2006-03-01/'
right='http://s3.amazonaws.com/doc/2006-03-01/'

installed() {
  [ -f "$module/bin/s3rver.js" ] &&
    [ "$(node -p "require('./$module/package.json').version" 2>/dev/null)" = "$version" ]
}

unpatched() {
  grep -rlF --include='*.js' "$wrong" "$module/lib" 2>/dev/null || true
}

if installed && [ -z "$(unpatched)" ]; then
  exit 0
fi

if ! installed; then
  command -v npm >/dev/null 2>&1 || { echo "install-s3rver: npm (Node 20 or later) is needed to install s3rver" >&2; exit 1; }
  echo "install-s3rver: installing s3rver $version into eng/node/"
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error --save-exact "s3rver@$version"
  fi
fi

files=$(unpatched)
if [ -n "$files" ]; then
  echo "install-s3rver: patching the S3 XML namespace in: $(echo $files)"
  # shellcheck disable=SC2086 # one path per word; the paths have no spaces
  sed -i "s#${wrong//./\\.}#${right}#g" $files
fi

if [ -n "$(unpatched)" ] || ! grep -rqF --include='*.js' "$right" "$module/lib/controllers"; then
  echo "install-s3rver: the namespace patch did not apply" >&2
  exit 1
fi
