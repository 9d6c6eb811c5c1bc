#!/bin/sh
# The cable pulled and plugged back through the monitor while the guest
# watches: set_link e1000 off / on reach the driver as STATUS.LU and LSC.
# ACCEL="-accel interp" runs pcemu on its interpreter.
# Usage: link.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
mkfifo "$TMP/mon"
"$b/pcemu" $ACCEL -monitor stdio -append tests=e1000_link_flap "$b/guest.elf" \
    <"$TMP/mon" >"$TMP/out" 2>&1 &
pid=$!
exec 8>"$TMP/mon"

# wait_for PATTERN: until the guest printed it (10 s at most)
wait_for() { wait_for_line "$TMP/out" 10 "$1"; }

if wait_for "waiting for the link to go down"; then
    echo "set_link e1000 off" >&8
    if wait_for "link down seen"; then
        echo "set_link e1000 on" >&8
    fi
fi
wait $pid; st=$?
exec 8>&-
expect_status "link: the guest saw the link go down and up (verdict pass)" 1 $st
# (the monitor prompt may share the line with the guest output)
expect_grep "link: e1000_link_flap passed" "(^|\\) )ok 1 - e1000_link_flap$" "$TMP/out"
finish "link${ACCEL:+ ($ACCEL)}"
