#!/bin/bash
# Stand-in for crm_attribute, crm_resource, crm_node and crm_master where no cluster runs (the
# User-Mode-Linux DRBD guests). Install it as those four names in a directory and point the
# agent's HA_SBIN_DIR there; nothing in /usr/sbin is replaced.
#
# It understands the forms ocf:hacluster:drbd (through the library) and ocf:linbit:drbd use:
#   crm_attribute --promotion=RSC --lifetime=reboot --update=N | --delete | --query --quiet
#   crm_attribute -p / -n NAME / -v N / -D / -G -q / -l L / -N NODE (separate values)
#   crm_master -Q -l reboot -v N | -l reboot -D | -q -l reboot -G
#   crm_resource --resource RSC --locate     (prints $CRM_STUB_DIR/locate, if present)
#   crm_node -n                              (prints the host name)
# Attributes live in $CRM_STUB_DIR/<name> (default /run/crm-attrs); every call is appended to
# $CRM_STUB_LOG (default $CRM_STUB_DIR/calls.log) so a test can count the processes a monitor
# started and read the promotion score back.
me=$(basename "$0")
D=${CRM_STUB_DIR:-/run/crm-attrs}
LOG=${CRM_STUB_LOG:-$D/calls.log}
mkdir -p "$D"
printf '%s %s %s [OCF_RESOURCE_INSTANCE=%s]\n' "$(date +%T.%3N)" "$me" "$*" "${OCF_RESOURCE_INSTANCE-}" >>"$LOG"

case $me in
  crm_node)
    case " $* " in *" -n "*|*" --name "*) hostname; exit 0;; esac
    exit 0 ;;
  crm_resource)
    case " $* " in *" --locate "*|*" -W "*) [ -s "$D/locate" ] && cat "$D/locate";; esac
    exit 0 ;;
esac

# crm_attribute / crm_master
name="" act=get val="" quiet=false
[ "$me" = crm_master ] && name="master-${OCF_RESOURCE_INSTANCE:-unknown}"
while [ $# -gt 0 ]; do
  case $1 in
    --promotion=*) name="master-${1#*=}";;
    -p|--promotion) name="master-${OCF_RESOURCE_INSTANCE:-unknown}";;
    --name=*) name=${1#*=};;
    -n) name=$2; shift;;
    --update=*) act=set; val=${1#*=};;
    -v|--update) act=set; val=$2; shift;;
    -D|--delete) act=del;;
    -G|--query) act=get;;
    -q|-Q|--quiet) quiet=true;;
    --lifetime=*|--node=*|--type=*) ;;
    -l|--lifetime|-N|--node|-t|--type) shift;;
  esac
  shift
done
f=$D/${name:-unnamed}
case $act in
  set) printf '%s\n' "$val" >"$f";;
  del) rm -f "$f";;
  get) if [ -e "$f" ]; then
         if $quiet; then cat "$f"; else echo "scope=status  name=$name value=$(cat "$f")"; fi
       else
         echo "Error performing operation: No such device or address" >&2; exit 105
       fi;;
esac
exit 0
