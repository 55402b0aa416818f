#!/bin/bash
# usage (inside a guest): monitor-children.sh AGENT
# Runs AGENT monitor twice from one shell, as pacemaker-execd would (the second finds the
# promotion score it cached), under strace -f, and prints the processes the SECOND monitor
# started: "CHILDREN PATH..." and then "first=RC second=RC". The agent's environment is the
# caller's.
a=$1
log=/run/monitor-children.strace
strace -f -qq -e trace=execve -e signal=none -o "$log" bash -c '"$0" monitor; echo "first=$?"; "$0" monitor; echo "second=$?"' "$a" >/run/monitor-children.out 2>&1
# PID execve("PATH", ...: every process that exec'd anything after the second agent's exec
awk -v a="$a" '$2 ~ /^execve\("/ {
    split($2, q, "\""); path = q[2]
    if (path == a && !($1 in agents)) { agents[$1] = 1; n++; if (n == 2) { me = $1; next } }
    if (n >= 2 && $1 != me && !($1 in seen)) { seen[$1] = 1; c++; list = list " " path }
  }
  END { printf "%d%s\n", c, list }' "$log"
grep -E '^(first|second)=' /run/monitor-children.out | tr '\n' ' '; echo
