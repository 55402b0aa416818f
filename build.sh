#!/usr/bin/env bash
# HaCluster build entry point.
#
#   ./build.sh          restore, build, AOT-publish every agent, build dist/hacluster-agents_*.deb
#   ./build.sh test     the above, then every test: unit tests, meta-data validators, ocf-tester,
#                       real Pacemaker end to end. As root it installs missing Debian packages.
#   ./build.sh bench    the above build, then the benchmarks (side by side with the shell agents)
#   ./build.sh demo     the above build, then the lab clusters (as root): a two-node VM cluster in
#                       namespaces and a two-node DRBD cluster in User-Mode-Linux guests, each
#                       with real Corosync + Pacemaker; scenarios, crm_mon snapshots, a summary
#
# Agents are the projects under agents/; each becomes one native executable in artifacts/agents/.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
ARTIFACTS=$ROOT/artifacts
DIST=$ROOT/dist
OUT=$ROOT/build-out
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\n=== %s\n' "$*"; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

# Debian packages each command needs. Installed only when missing, and only as root.
BUILD_PACKAGES=(debhelper dpkg-dev lintian man-db)
TEST_PACKAGES=(pacemaker pacemaker-cli-utils corosync crmsh pcs resource-agents libxml2-utils iproute2 util-linux procps strace python3
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 busybox-static cpio debootstrap e2fsprogs file
  user-mode-linux uml-utilities drbd-utils)
BENCH_PACKAGES=(hyperfine strace resource-agents python3 pacemaker-cli-utils iproute2 util-linux
  libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 user-mode-linux uml-utilities drbd-utils)

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]} (run as root to install them, or install them yourself)"
  fi
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

agents() {
  local d
  for d in agents/*/; do [ -n "$(ls "$d"*.csproj 2>/dev/null)" ] && basename "$d"; done
}

build() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not installed"
  ensure_packages "${BUILD_PACKAGES[@]}"
  log "restore and build"
  dotnet build HaCluster.sln -c Release -v quiet -nologo
  log "publish agents (NativeAOT)"
  rm -rf "$ARTIFACTS/agents"
  mkdir -p "$ARTIFACTS/agents"
  local a
  for a in $(agents); do
    dotnet publish "agents/$a" -c Release -r linux-x64 -v quiet -nologo -o "$OUT/publish/$a"
    # Only the executable: the .dbg symbols and .pdb files stay out of the package.
    install -m 0755 "$OUT/publish/$a/$a" "$ARTIFACTS/agents/$a"
    printf '  %-16s %s bytes\n' "$a" "$(stat -c %s "$ARTIFACTS/agents/$a")"
  done
  log "Debian package"
  rm -rf "$DIST"
  mkdir -p "$DIST"
  bash packaging/build-deb.sh "$ARTIFACTS" "$DIST"
  ls -l "$DIST"/*.deb
}

# The closing line CI reads: "N passed, N failed".
PASSED=0
FAILED=0
count_dotnet_test() { # parses "Passed!  - Failed: 0, Passed: 57, Skipped: 0, Total: 57" lines
  local f p
  while read -r f p; do PASSED=$((PASSED + p)); FAILED=$((FAILED + f)); done < <(
    grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+' "$1" |
      sed -E 's/.*Failed: +([0-9]+), Passed: +([0-9]+).*/\1 \2/')
}
count_integration() { # parses "integration: N passed, N failed"
  local line
  line=$(grep -E '^integration: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -z "$line" ]; then FAILED=$((FAILED + 1)); return; fi
  PASSED=$((PASSED + $(sed -E 's/^integration: ([0-9]+) passed.*/\1/' <<<"$line")))
  FAILED=$((FAILED + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}

test_all() {
  ensure_packages "${TEST_PACKAGES[@]}"
  build
  mkdir -p "$OUT"
  local status=0
  log "unit tests"
  dotnet test HaCluster.sln -c Release --no-build -v quiet -nologo 2>&1 | tee "$OUT/unit-tests.log" || status=1
  count_dotnet_test "$OUT/unit-tests.log"
  log "integration tests"
  local deb
  deb=$(ls "$DIST"/hacluster-agents_*.deb)
  bash tests/integration/run.sh "$ARTIFACTS" "$deb" 2>&1 | tee "$OUT/integration.log" || status=1
  count_integration "$OUT/integration.log"
  echo
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] && [ "$status" -eq 0 ]
}

bench() {
  ensure_packages "${BENCH_PACKAGES[@]}"
  build
  log "benchmarks"
  bash tests/bench/run.sh "$ARTIFACTS"
}

# The lab clusters with the package just built: scenarios, crm_mon snapshots, a summary table.
demo() {
  [ "$(id -u)" -eq 0 ] || die "the demo starts clusters, daemons and guests: run it as root"
  ensure_packages "${TEST_PACKAGES[@]}"
  build
  mkdir -p "$OUT"
  local deb status=0 part
  deb=$(ls "$DIST"/hacluster-agents_*.deb)
  for part in vm-cluster drbd-cluster; do
    log "lab: $part"
    bash "tests/integration/$part.sh" "$deb" --demo 2>&1 | tee "$OUT/demo-$part.log" || status=1
  done
  log "lab summary"
  printf '%-80s %s\n' "measured" "value"
  for part in vm-cluster drbd-cluster; do
    sed -n 's/^# measured: \(.*\): \([^:]*\)$/\1\t\2/p' "$OUT/demo-$part.log" |
      while IFS=$'\t' read -r what value; do printf '%-80s %s\n' "$part: $what" "$value"; done
    grep -E "^$part: [0-9]+ passed, [0-9]+ failed" "$OUT/demo-$part.log" || { echo "$part: no result line"; status=1; }
  done
  [ "$status" -eq 0 ] && echo "demo: PASS" || echo "demo: FAIL"
  return "$status"
}

case "${1:-build}" in
  build|"") build ;;
  test) test_all ;;
  bench) bench ;;
  demo) demo ;;
  *) die "usage: ./build.sh [test|bench|demo]" ;;
esac
