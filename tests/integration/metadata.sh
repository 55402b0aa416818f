#!/bin/bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# usage: tests/integration/metadata.sh ARTIFACTS_DIR
#
# For every executable ARTIFACTS_DIR/agents/* (not *.dbg), checks the agent's meta-data the way
# its consumers see it:
#   - `su nobody -s /bin/sh -c "<agent> meta-data"` exits 0 (ocf-tester step 1; when nobody
#     cannot reach the artifact, a copy in a temp dir readable by nobody is used);
#   - the document is valid against resource-agents' ra-api-1.dtd exactly as ocf-tester checks
#     it (stdin, cwd /usr/share/resource-agents, DOCTYPE needed);
#   - valid against pcs's /usr/share/pcs/data/ocf-1.<v>.rng, v from the <version> text;
#   - valid against the official OCF 1.1 schema (tests/integration/schemas/ocf-1.1.rng);
#   - <resource-agent name> is the file name;
#   - meta-data with OCF_TESTER_FAIL_HAVE_BINARY=1 exits 0 (ocf-tester step 3);
#   - meta-data with an empty environment (env -i) exits 0 and prints well-formed XML.
# Needs root (su). Installs nothing. Prints "metadata: N passed, N failed"; exit 1 on failures.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$HERE/lib.sh"
t_init metadata

[ $# -eq 1 ] || { echo "usage: $0 ARTIFACTS_DIR" >&2; exit 2; }
ART=$1
DTD_DIR=/usr/share/resource-agents
PCS_RNG_DIR=/usr/share/pcs/data
OCF11_RNG=$HERE/schemas/ocf-1.1.rng
require_root || exit 2
require_tools xmllint su timeout env "$DTD_DIR/ra-api-1.dtd" "$PCS_RNG_DIR/ocf-1.0.rng" \
  "$PCS_RNG_DIR/ocf-1.1.rng" "$OCF11_RNG" || exit 2
[ -d "$ART/agents" ] || { echo "metadata: no directory $ART/agents" >&2; exit 2; }

t_traps
TMP=$(mktemp -d /tmp/hc-metadata.XXXXXX)
t_cleanup_push 'rm -rf "$TMP"'
chmod 0755 "$TMP"
MD_TIMEOUT=10     # seconds; meta-data must never hang

# validate XMLFILE with the DTD the way ocf-tester does
dtd_valid() { (cd "$DTD_DIR" && xmllint --noout --valid - <"$1"); }
# relaxng RNG XMLFILE (stdin from the DTD dir, so the DOCTYPE resolves without warnings)
rng_valid() { (cd "$DTD_DIR" && xmllint --noout --relaxng "$1" - <"$2"); }

agents=0
for f in "$ART"/agents/*; do
  [ -e "$f" ] || continue
  base=$(basename "$f")
  case $base in *.dbg) continue ;; esac
  if [ ! -f "$f" ] || [ ! -x "$f" ]; then note "skipping $f (not an executable file)"; continue; fi
  agents=$((agents + 1))
  note "agent $base ($f)"

  # nobody must be able to run it; copy it where nobody can when the artifact dir is closed
  run=$f
  if ! su nobody -s /bin/sh -c "test -r '$f' && test -x '$f'" >/dev/null 2>&1; then
    mkdir -p "$TMP/$agents" && chmod 0755 "$TMP/$agents"
    install -m 0755 "$f" "$TMP/$agents/$base"
    run=$TMP/$agents/$base
    note "nobody cannot reach $f; using a copy at $run"
  fi

  md=$TMP/$base.xml
  # 1. as nobody, like ocf-tester (OCF_ROOT exported by ocf-tester, rest of the caller's env)
  out=$(OCF_ROOT=/usr/lib/ocf timeout "$MD_TIMEOUT" su nobody -s /bin/sh -c "'$run' meta-data" 2>"$TMP/err"); rc=$?
  if [ "$rc" -eq 0 ] && [ -n "$out" ]; then pass "$base: meta-data as nobody exits 0"
  else fail "$base: meta-data as nobody exits 0" "exit status: $rc" "stderr: $(cat "$TMP/err")" "stdout: $out"; fi

  # the document ocf-tester validates: root, OCF_ROOT set
  OCF_ROOT=/usr/lib/ocf timeout "$MD_TIMEOUT" "$run" meta-data >"$md" 2>"$TMP/err"; rc=$?
  if [ "$rc" -ne 0 ] || [ ! -s "$md" ]; then
    fail "$base: meta-data as root exits 0 with output" "exit status: $rc" "stderr: $(cat "$TMP/err")"
    continue
  fi
  pass "$base: meta-data as root exits 0 with output"
  if [ "$out" = "$(cat "$md")" ]; then pass "$base: meta-data is the same for nobody and root"
  else fail "$base: meta-data is the same for nobody and root" "$(diff <(printf '%s\n' "$out") "$md")"; fi

  # 2. DTD, exactly as ocf-tester
  check "$base: valid against ra-api-1.dtd (ocf-tester: cd $DTD_DIR && xmllint --noout --valid -)" dtd_valid "$md"

  # 3. pcs, schema chosen by <version>
  ver=$(xmllint --xpath 'normalize-space(string(/resource-agent/version))' "$md" 2>/dev/null)
  case $ver in
    1.0 | 1.1)
      pass "$base: <version> is $ver (pcs accepts 1.0 and 1.1 only)"
      check "$base: valid against pcs $PCS_RNG_DIR/ocf-$ver.rng" rng_valid "$PCS_RNG_DIR/ocf-$ver.rng" "$md" ;;
    *)
      fail "$base: <version> is 1.0 or 1.1 (pcs rejects anything else)" "got: '$ver'" ;;
  esac

  # 4. official OCF 1.1 schema
  check "$base: valid against the official OCF 1.1 schema (schemas/ocf-1.1.rng)" rng_valid "$OCF11_RNG" "$md"

  name=$(xmllint --xpath 'string(/resource-agent/@name)' "$md" 2>/dev/null)
  assert_eq "$base: <resource-agent name> is the file name" "$base" "$name"

  # 5. ocf-tester step 3
  out=$(OCF_ROOT=/usr/lib/ocf OCF_TESTER_FAIL_HAVE_BINARY=1 timeout "$MD_TIMEOUT" "$run" meta-data 2>&1 >/dev/null); rc=$?
  if [ "$rc" -eq 0 ]; then pass "$base: meta-data with OCF_TESTER_FAIL_HAVE_BINARY=1 exits 0"
  else fail "$base: meta-data with OCF_TESTER_FAIL_HAVE_BINARY=1 exits 0" "exit status: $rc" "$out"; fi

  # 6. empty environment
  env -i timeout "$MD_TIMEOUT" "$run" meta-data >"$TMP/envi.xml" 2>"$TMP/err"; rc=$?
  if [ "$rc" -eq 0 ] && xmllint --noout "$TMP/envi.xml" >/dev/null 2>&1; then
    pass "$base: meta-data with an empty environment (env -i) exits 0 with well-formed XML"
  else
    fail "$base: meta-data with an empty environment (env -i) exits 0 with well-formed XML" "exit status: $rc" \
      "stderr: $(cat "$TMP/err")" "xmllint: $(xmllint --noout "$TMP/envi.xml" 2>&1)"
  fi
done

[ "$agents" -gt 0 ] || fail "at least one agent in $ART/agents" "$(ls -la "$ART/agents" 2>&1)"
finish
