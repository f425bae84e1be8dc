#!/usr/bin/env bash
# System packages the test suite needs on a fresh Debian machine. Installs only what is missing; uses sudo when not root.
# - postgresql: the store tests run against a real PostgreSQL as well as PGlite;
# - chromium: the browser tests drive Debian's Chromium through playwright-core (no browser download);
# - fonts-cns11643-sung: 全字庫 TW-Sung, the CJK font the sign-in sheet PDF embeds;
# - poppler-utils: pdftotext, which the tests use to read the sign-in sheet back.
set -euo pipefail
# The Node.js version first: the rest of the install is no use on a Node the project cannot run on.
node "$(dirname "$0")/check-node.cjs"
missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/share/fonts/truetype/cns11643/TW-Sung-98_1.ttf >/dev/null 2>&1 || missing+=(fonts-cns11643-sung)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "== installing from Debian: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
