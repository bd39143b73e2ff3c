#!/usr/bin/env bash
# Installs what simulate needs on a Debian machine (Swift 6 is expected on the PATH): Cairo, zlib and a font
# for the timelines, Python 3 with venv for real runs. Safe to run again: it installs only what is missing.
set -euo pipefail
missing=()
pkg-config --exists cairo 2>/dev/null || missing+=(libcairo2-dev pkg-config)
pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)  # the PNG writer (Sources/Rendering/PNGEncoder.swift)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v python3 >/dev/null 2>&1 || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}"
fi
command -v swift >/dev/null 2>&1 || { echo "setup: swift not found; install Swift 6 (swift.org) and put it on the PATH" >&2; exit 1; }
echo "setup: ready ($(swift --version 2>&1 | head -1); cairo $(pkg-config --modversion cairo); $(python3 --version))"
