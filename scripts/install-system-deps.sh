#!/usr/bin/env bash
# Installs the operating-system packages the product needs, when they are missing:
# Pango/HarfBuzz and fonts for WeasyPrint's PDFs, and Debian's Chromium for the browser tests.
# Idempotent and quiet when everything is already there.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ldconfig -p | grep -q "libpango-1.0.so" || missing+=(libpango-1.0-0)
ldconfig -p | grep -q "libpangoft2-1.0.so" || missing+=(libpangoft2-1.0-0)
ldconfig -p | grep -q "libharfbuzz-subset.so" || missing+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi "Liberation Sans" || missing+=(fonts-liberation)
command -v node >/dev/null 2>&1 || missing+=(nodejs npm)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=sudo
  else
    echo "Please install these packages as root: ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
