# shellcheck shell=bash
# shellcheck disable=SC2016  # cleanup commands are eval'd later: single quotes on purpose
# Helpers of the benchmarks. Source me from bash; I source tests/integration/lib.sh, whose helpers
# the benchmarks share with the tests: ra (the agent as Pacemaker runs it), the network namespace
# helpers, cleanup at exit and on signals (t_traps, t_cleanup_push), require_tools.
#
#   bench_init NAME            name for the messages; WORK = a temp dir, removed again at exit
#   bench_ra DESC WANT [ra arguments...]   ra, and exit 1 with its output unless it exits WANT
#   hf NAME [--via FUNC] HYPERFINE-ARGS... one hyperfine -N run, JSON to $WORK/NAME.json (FUNC, a
#                              wrapper that runs its arguments somewhere, runs hyperfine)
#   interleaved R NAME1 CMD1 NAME2 CMD2...  hyperfine's -n NAME CMD arguments into HF_ARGS: in this
#                              order when R is odd, reversed when it is even, so that a change of
#                              load during a run does not favour one side
#   count_execs STRACE_FILE    successful execve calls in an strace -f -e trace=execve log, minus the
#                              first (the traced command itself): the child processes it started
BENCH_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$BENCH_HERE/../integration/lib.sh"

bench_init() {
  t_init "$1"
  t_traps
  WORK=$(mktemp -d "/tmp/hacluster-bench-${1%% *}.XXXXXX")
  t_cleanup_push 'rm -rf "$WORK"'
}

bench_ra() {
  local d=$1 want=$2; shift 2
  ra "$@"
  [ "$RC" = "$want" ] && return 0
  printf '%s: %s: exit %s, expected %s\n%s\n' "$T_NAME" "$d" "$RC" "$want" "$OUT" >&2
  exit 1
}

hf() {
  local name=$1 via=(); shift
  [ "${1:-}" = --via ] && { via=("$2"); shift 2; }
  "${via[@]}" hyperfine -N --export-json "$WORK/$name.json" "$@" >/dev/null 2>"$WORK/hyperfine.err" ||
    { cat "$WORK/hyperfine.err" >&2; exit 1; }
}

interleaved() {
  local r=$1 i; shift
  local pairs=("$@")
  HF_ARGS=()
  if ((r % 2)); then for ((i = 0; i < ${#pairs[@]}; i += 2)); do HF_ARGS+=(-n "${pairs[i]}" "${pairs[i + 1]}"); done
  else for ((i = ${#pairs[@]} - 2; i >= 0; i -= 2)); do HF_ARGS+=(-n "${pairs[i]}" "${pairs[i + 1]}"); done; fi
}

count_execs() { echo $(($(grep -cE 'execve\(.*\) = 0$|<\.\.\. execve resumed>.* = 0$' "$1") - 1)); }
