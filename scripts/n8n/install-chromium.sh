#!/usr/bin/env bash
# Debian's Chromium for the e2e editor check: the only browser this machine can install
# (a test tool's own browser download cannot reach its CDN). Skips when already present.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
