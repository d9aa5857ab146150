#!/usr/bin/env bash
# Installs the Debian packages shucu needs, only those missing.
#   scripts/deps.sh            build + run + test packages
#   scripts/deps.sh --check    only report what is missing
# As root it runs apt-get; as another user it prints the command to run
# and carries on (the build then says what it lacks).
set -euo pipefail

PKGS=(
  # build and run
  gcc make pkg-config libevent-dev libjansson-dev libhiredis-dev
  libsqlite3-dev libsodium-dev libunistring-dev libcurl4-openssl-dev redis-server curl
  # XLSX exports of reports and lists (issue 20; docs/operations.md says why)
  libxlsxwriter-dev
  # data regeneration and its checks: scripts/gen_t2s.py runs OpenCC's
  # opencc command (t2s.json from libopencc-data) to build the tokenizer's
  # 繁体 -> 简体 table; scripts/gen_pinyin.py reads Unihan from unicode-data.
  # The server itself links neither (docs/ranking.md says why).
  opencc libopencc-data unicode-data
  # tests: API suites and fuzzing
  python3 python3-jsonschema clang libclang-rt-14-dev strace
  # web console: browser tests (playwright-core drives Debian's chromium;
  # chromium-l10n: its own widgets, date inputs and file pickers, in Chinese)
  chromium chromium-l10n nodejs npm fonts-wqy-microhei
)

missing=()
for p in "${PKGS[@]}"; do
  # A node from elsewhere (e.g. NodeSource) bundles npm and conflicts with
  # Debian's npm package: an npm on the PATH is enough.
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "missing Debian packages: ${missing[*]}"
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "shucu: these Debian packages are missing: ${missing[*]}"
  echo "shucu: install them as root with:"
  echo "    apt-get update && apt-get install -y ${missing[*]}"
  exit 0
fi
echo "shucu: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "shucu: packages installed"
