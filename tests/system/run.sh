#!/bin/sh
# System tests: pcemu with the guest, on KVM where /dev/kvm works and on
# pcemu's own interpreter everywhere. Usage: run.sh BUILD
b=$1
here=$(dirname "$0")
tools=$here/../../tools
rc=0
# the harness's bulk tests on the interpreter: 1 MiB each way (64 MiB
# under KVM), so make check stays short; make bench moves 64 MiB
interp_bulk=${INTERP_BULK:-1048576}
sh "$here/bad_input.sh" "$b/pcemu" "$b/guest.elf" || rc=1
if sh "$tools/kvm-usable.sh"; then
    sh "$here/guest.sh" "$b" || rc=1
    sh "$here/gdb.sh" "$b" || rc=1
    sh "$here/link.sh" "$b" || rc=1
else
    echo "################################################################"
    echo "# /dev/kvm is missing or unusable: pcemu runs every guest here  #"
    echo "# on its own interpreter (no KVM result is claimed).            #"
    echo "################################################################"
fi
# device and monitor checks on whichever CPU pcemu picks
sh "$here/monitor.sh" "$b" || rc=1
sh "$here/pcap.sh" "$b" || rc=1
# the interpreter: its own checks, then the guest's and gdb's on it
sh "$here/interp.sh" "$b" || rc=1
ACCEL="-accel interp" BULK=$interp_bulk sh "$here/guest.sh" "$b" || rc=1
ACCEL="-accel interp" sh "$here/gdb.sh" "$b" || rc=1
ACCEL="-accel interp" sh "$here/link.sh" "$b" || rc=1
exit $rc
