#!/bin/bash
# role-sampler.sh OUT: inside a guest, append "<epoch> <cs:> <ro:> <ds:> <oos KiB>" of DRBD minor 0
# (or "<epoch> unconfigured") to OUT every 0.5 s. Fork-free: /proc/drbd is read with the read
# builtin, the clock is $EPOCHREALTIME, the wait is read -t on a FIFO (every exec costs 25-170 ms
# in UML). The guests' clocks are the host's clock, so two guests' samples can be merged.
out=$1
fifo=/run/role-sampler.fifo
[ -p "$fifo" ] || mkfifo "$fifo"
exec 9<>"$fifo"
while :; do
  state=unconfigured oos=-
  if [ -r /proc/drbd ]; then
    while read -r a b c d _; do
      if [ "$a" = 0: ]; then
        state="$b $c $d"
        read -r x && oos=${x##*oos:}
        break
      fi
    done </proc/drbd
  fi
  printf '%s %s %s\n' "$EPOCHREALTIME" "$state" "$oos" >>"$out"
  read -r -t 0.5 -u 9 _
done
