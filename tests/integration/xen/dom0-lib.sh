# Sourced inside the emulated dom0 by the payloads (dom0-run.sh, dom0-bench.sh), shipped next to
# them as /lab/in/lib.sh.
CON=/var/log/xen/console   # xenconsoled logs each guest console to $CON/guest-NAME.log

wait_console() { # DOMAIN PATTERN SECONDS: until the guest's console shows PATTERN
  local i
  for i in $(seq "$3"); do grep -q "$2" "$CON/guest-$1.log" 2>/dev/null && return 0; sleep 1; done
  return 1
}

guest_cfg() { # FILE NAME TYPE EXTRA: an xl config for the lab's tiny busybox domU
  cat > "$1" <<EOT
# written by dom0-lib.sh
name = "$2"
type = "$3"
kernel = "/lab/vmlinuz"
ramdisk = "/lab/domu-initrd.gz"
extra = "console=hvc0 quiet $4"
memory = 160
vcpus = 1
on_poweroff = "destroy"
EOT
}
