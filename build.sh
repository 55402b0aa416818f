#!/usr/bin/env bash
# HaCluster build entry point.
#
#   ./build.sh              restore, build, AOT-publish every agent, build dist/hacluster-agents_*.deb
#   ./build.sh unit         restore, build and the unit tests that need neither root nor system daemons
#                           (every test but those with the xunit trait Requires=root); as any user,
#                           installs nothing, no AOT publish, no .deb; a few minutes
#   ./build.sh integration [--only NAME[,NAME...]]
#                           the package, then tests/integration/run.sh, only the named parts when
#                           --only is given (run.sh lists the names); as root
#   ./build.sh test         the package, then every check: all unit tests (Requires=root too, among
#                           them tests/hostile against the agents just published),
#                           dotnet format --verify-no-changes (one check), every integration part.
#                           As root it installs missing Debian packages.
#   ./build.sh bench        the package, then the benchmarks (side by side with the shell agents)
#   ./build.sh demo         the package, then the lab clusters (as root): a two-node VM cluster in
#                           namespaces and a two-node DRBD cluster in User-Mode-Linux guests, each
#                           with real Corosync + Pacemaker; scenarios, crm_mon snapshots, a summary
#
# The test verbs end with "N passed, N failed", counted from the test runners' results, never from
# console text: the trx file of each unit test project (its <Counters>, build-out/unit-results/)
# and the result file of each integration part (tests/integration/run.sh); a runner that exits
# non-zero without a counted failure counts one. The exit status is 1 when anything failed.
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

compile() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not installed"
  log "restore and build"
  dotnet build HaCluster.sln -c Release -v quiet -nologo
}

build() {
  command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is not installed"
  ensure_packages "${BUILD_PACKAGES[@]}"
  compile
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
count() { # WHAT PASSED FAILED
  printf '  %-48s %6d passed, %d failed\n' "$1" "$2" "$3"
  PASSED=$((PASSED + $2)); FAILED=$((FAILED + $3))
}
# count_runner WHAT EXIT_STATUS FAILED_SO_FAR: a runner that failed without a counted failure
count_runner() {
  [ "$2" -ne 0 ] && [ "$3" -eq 0 ] && count "$1 exited $2 without a failed test" 0 1
  return 0
}
# trx_attr NAME COUNTERS_ELEMENT: one number of a trx <Counters .../> element (0 when absent)
trx_attr() { local v; v=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2"); echo "${v:-0}"; }

# unit_tests [dotnet test arguments...]: every test project of the solution, UNIT_JOBS of them at a
# time (default: the number of cores; most projects wait on child processes and timers more than
# they compute), the slowest first. Each writes its own trx file and console log (a fixed name per
# project: nothing can overwrite another's results); the logs are shown and the results counted in
# the solution's order.
# The slowest, measured (2 cores): VirtualDomain.Tests ~85 s (scripted daemons, deadlines), Xen.Tests
# ~55 s and Dummy.Tests ~22 s (each AOT-publishes its agent when HACLUSTER_PUBLISHED_AGENTS is unset);
# the rest follow, largest test sources first.
SLOWEST_TEST_PROJECTS=(VirtualDomain.Tests Xen.Tests Dummy.Tests)
unit_tests() {
  local results=$OUT/unit-results jobs=${UNIT_JOBS:-$(nproc)} proj name rc counters failed before rank i
  local -a projects ordered
  rm -rf "$results"
  mkdir -p "$results"
  log "unit tests${*:+ ($*)}, $jobs project(s) at a time"
  mapfile -t projects < <(dotnet sln HaCluster.sln list | grep -E '\.Tests\.csproj$')
  mapfile -t ordered < <(for proj in "${projects[@]}"; do
    name=$(basename "$proj" .csproj) rank=0
    for ((i = 0; i < ${#SLOWEST_TEST_PROJECTS[@]}; i++)); do
      [ "$name" = "${SLOWEST_TEST_PROJECTS[i]}" ] && rank=$((10 ** 12 - i))
    done
    [ "$rank" -gt 0 ] || rank=$(find "$(dirname "$proj")" -name '*.cs' -not -path '*/obj/*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
    printf '%s %s\n' "$rank" "$proj"
  done | sort -rn | cut -d' ' -f2-)
  for proj in "${ordered[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    name=$(basename "$proj" .csproj)
    printf '  started  %s\n' "$name"
    (
      rc=0
      dotnet test "$proj" -c Release --no-build -v quiet -nologo \
        --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@" >"$results/$name.log" 2>&1 || rc=$?
      echo "$rc" >"$results/$name.rc"
      printf '  finished %s (exit %s)\n' "$name" "$rc"
    ) &
  done
  wait
  for proj in "${projects[@]}"; do
    name=$(basename "$proj" .csproj)
    before=$FAILED
    cat "$results/$name.log"
    rc=$(cat "$results/$name.rc" 2>/dev/null || echo 1)
    if [ -f "$results/$name.trx" ]; then
      counters=$(grep -o '<Counters [^>]*>' "$results/$name.trx" | head -1)
      failed=$(($(trx_attr failed "$counters") + $(trx_attr error "$counters") + $(trx_attr timeout "$counters") + $(trx_attr aborted "$counters")))
      count "$name" "$(trx_attr passed "$counters")" "$failed"
    fi
    count_runner "dotnet test $name" "$rc" $((FAILED - before))
  done
}

format_check() {
  log "dotnet format --verify-no-changes"
  if dotnet format HaCluster.sln --verify-no-changes -v quiet; then count "dotnet format --verify-no-changes" 1 0
  else count "dotnet format --verify-no-changes" 0 1; fi
}

# integration_tests [--only NAME[,NAME...]]: tests/integration/run.sh with the package just built
integration_tests() {
  local deb rc=0 p=0 f=0 before=$FAILED
  deb=$(ls "$DIST"/hacluster-agents_*.deb)
  log "integration tests${*:+ ($*)}"
  rm -f "$OUT/integration.result"
  HC_TEST_RESULT=$OUT/integration.result bash tests/integration/run.sh "$ARTIFACTS" "$deb" "$@" || rc=$?
  read -r p f <"$OUT/integration.result" 2>/dev/null || { p=0; f=0; }
  count "integration (tests/integration/run.sh)" "${p:-0}" "${f:-0}"
  count_runner "tests/integration/run.sh" "$rc" $((FAILED - before))
}

summary() {
  echo
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

unit() {
  mkdir -p "$OUT"
  compile
  unit_tests --filter "Requires!=root"
  summary
}

integration() {
  [ "$(id -u)" -eq 0 ] || die "the integration tests start namespaces, daemons and guests: run them as root"
  ensure_packages "${TEST_PACKAGES[@]}"
  build
  mkdir -p "$OUT"
  integration_tests "$@"
  summary
}

test_all() {
  ensure_packages "${TEST_PACKAGES[@]}"
  build
  mkdir -p "$OUT"
  # The tests of the published binaries (tests/hostile, PublishedAgents) take the agents just
  # published instead of publishing each one again.
  export HACLUSTER_PUBLISHED_AGENTS=$ARTIFACTS/agents
  unit_tests
  format_check
  integration_tests
  summary
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
  local deb status=0 part p f
  deb=$(ls "$DIST"/hacluster-agents_*.deb)
  for part in vm-cluster drbd-cluster; do
    log "lab: $part"
    rm -f "$OUT/demo-$part.result"
    HC_TEST_RESULT=$OUT/demo-$part.result bash "tests/integration/$part.sh" "$deb" --demo 2>&1 |
      tee "$OUT/demo-$part.log" || status=1
  done
  log "lab summary"
  printf '%-80s %s\n' "measured" "value"
  for part in vm-cluster drbd-cluster; do
    sed -n 's/^# measured: \(.*\): \([^:]*\)$/\1\t\2/p' "$OUT/demo-$part.log" |
      while IFS=$'\t' read -r what value; do printf '%-80s %s\n' "$part: $what" "$value"; done
    if read -r p f <"$OUT/demo-$part.result" 2>/dev/null; then
      echo "$part: $p passed, $f failed"
      [ "$f" -eq 0 ] || status=1
    else
      echo "$part: no result"; status=1
    fi
  done
  [ "$status" -eq 0 ] && echo "demo: PASS" || echo "demo: FAIL"
  return "$status"
}

case "${1:-build}" in
  build | "") build ;;
  unit) unit ;;
  integration) shift; integration "$@" ;;
  test) test_all ;;
  bench) bench ;;
  demo) demo ;;
  *) die "usage: ./build.sh [unit|integration [--only NAME[,NAME...]]|test|bench|demo]" ;;
esac
