#!/bin/sh
# Installs the system tools the benchmark needs, when missing: wrk (load), nginx-light (peer and
# zero-cost mock), taskset (util-linux). Debian/Ubuntu; run as root (or with sudo available).
set -eu
missing=""
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v taskset >/dev/null 2>&1 || missing="$missing util-linux"
if [ -z "$missing" ]; then
  echo "bench tools present: wrk, nginx, taskset"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing:$missing"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
