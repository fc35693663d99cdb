#!/usr/bin/env bash
# The Debian packages the stack and the tests need beyond the package registries: nginx (the Loki
# gateway), Chromium (the browser check) and PostgreSQL (the HA check: two Grafana servers sharing it). Installed with apt-get when missing and allowed (root, or
# sudo without a password); otherwise one line says what is missing and how to get it, and the exit is 1.
#   scripts/system-deps.sh nginx-light chromium postgresql
set -uo pipefail
declare -A PROBE=([nginx-light]=/usr/sbin/nginx [chromium]=/usr/bin/chromium )
missing=()
for pkg in "$@"; do
  if [ "$pkg" = postgresql ]; then
    # The server of any major version, and psql.
    compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && command -v psql >/dev/null || missing+=("$pkg")
    continue
  fi
  [ -x "${PROBE[$pkg]:-/nonexistent}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  as=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as=(sudo -n)
else
  echo "missing Debian packages: ${missing[*]} — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
if ! "${as[@]}" env DEBIAN_FRONTEND=noninteractive bash -c "apt-get update -qq && apt-get install -y -qq ${missing[*]} >/dev/null"; then
  echo "could not install ${missing[*]} with apt-get — install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
