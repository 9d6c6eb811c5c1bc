#!/bin/sh
# The guest's TCP over a bad wire (issue 13 finding 15, issue 16): the
# bulk self-tests against netharness, SHA-256 compared at both ends,
# with pcemu's filter-impair losing and reordering frames both ways;
# then the cable pulled and plugged back in the middle of each
# direction's transfer, after which both transfers complete. Each run's
# time is printed; speed goals belong to make bench, so nothing here is
# timed beyond the guest's own timeouts.
#
# Host to guest stays small by default: there libslirp's TCP sends, a
# Reno sender with a 1 s least timeout and no NewReno, and at 10% loss
# it spends most of its time in that timeout whatever the receiver
# does (docs/results.md has the figures).
#
# Usage: lossy.sh BUILD
# Environment: LOSSY_BULK bytes guest to host (64 MiB),
#   LOSSY_FROM_BULK bytes host to guest (256 KiB), LOSSY_LOSS and
#   LOSSY_REORDER percent (10, 5), LOSSY_SEED (1), FLAP_BULK bytes each
#   way for the link flap (64 MiB), FLAP_DOWN seconds off (2).
. "$(dirname "$0")/lib.sh"
b=$1
tools=$(dirname "$0")/../../tools
bulk=${LOSSY_BULK:-67108864}
from_bulk=${LOSSY_FROM_BULK:-262144}
loss=${LOSSY_LOSS:-10}
reorder=${LOSSY_REORDER:-5}
seed=${LOSSY_SEED:-1}
flap_bulk=${FLAP_BULK:-67108864}
flap_down=${FLAP_DOWN:-2}
impair="filter-impair,id=lossy,netdev=n0,loss=$loss,reorder=$reorder,seed=$seed"

# 64 MiB at 10% loss is a KVM-sized job; without a usable KVM the same
# checks run on pcemu's interpreter with 4 MiB (LOSSY_BULK and FLAP_BULK
# still override), which would otherwise take most of an hour
accel=${ACCEL:-}
if [ -z "$accel" ] && ! sh "$tools/kvm-usable.sh"; then
    accel="-accel interp"
    bulk=${LOSSY_BULK:-4194304}
    flap_bulk=${FLAP_BULK:-4194304}
    echo "# lossy: no usable /dev/kvm: pcemu's interpreter, $bulk bytes"
fi

# bulk NAME TEST BYTES: one bulk self-test through the filter
bulk() {
    log=$TMP/$1.log
    start=$(date +%s.%N)
    GUEST_TIMEOUT=600 sh "$tools/run-guest-tests.sh" "$b/pcemu" "$b/guest.elf" \
        -append "tests=$2 net.bulk=$3" -object "$impair" $accel >"$log" 2>&1
    st=$?
    end=$(date +%s.%N)
    rate=$(grep -E "^# (guest to host|host to guest): " "$log" | sed 's/^# //')
    echo "# $1, $loss% loss, $reorder% reordered: ${rate:-no figure} (run $(awk "BEGIN { printf \"%.1f\", $end - $start }") s)"
    expect_status "$1: $3 bytes through $loss% loss and $reorder% reordering (verdict pass)" 0 $st
    expect_grep "$1: the test passed" "^ok 1 - $2$" "$log"
    [ $st -eq 0 ] || tail -25 "$log" | sed 's/^/  # /'
}

bulk to_host tcp_bulk_to_host "$bulk"
expect_grep "to_host: netharness saw the same SHA-256" "^netharness: sink: $bulk bytes received" \
    "$TMP/to_host.log"
bulk from_host tcp_bulk_from_host "$from_bulk"

# The link flap: the cable out for FLAP_DOWN seconds a second into each
# transfer (the monitor on a unix socket, as tests/system/monitor.sh).
sock=$TMP/mon.sock
GUEST_TIMEOUT=300 sh "$tools/run-guest-tests.sh" "$b/pcemu" "$b/guest.elf" \
    -append "tests=tcp_bulk_to_host,tcp_bulk_from_host net.bulk=$flap_bulk" \
    -monitor "unix:$sock,server,nowait" $accel >"$TMP/flap.log" 2>&1 &
pid=$!

# wait_for PATTERN: until the guest printed it (60 s at most)
wait_for() { wait_for_line "$TMP/flap.log" 60 "$1"; }
monitor() { printf '%s\n' "$1" | "$b/tools/unixcat" "$sock" >/dev/null 2>&1; }
flap() {
    sleep 1
    monitor "set_link e1000 off"
    sleep "$flap_down"
    monitor "set_link e1000 on"
}
# (the self-tests run in their own order: guest to host first)
flaps=0
if wait_for "^1\.\.2$"; then flap; flaps=$((flaps + 1)); fi
if wait_for "^ok 1 - tcp_bulk_to_host$"; then flap; flaps=$((flaps + 1)); fi
wait $pid; st=$?
expect_status "flap: the cable pulled during each transfer ($flaps times; verdict pass)" 0 $st
expect_grep "flap: guest to host completed" "^ok 1 - tcp_bulk_to_host$" "$TMP/flap.log"
expect_grep "flap: host to guest completed" "^ok 2 - tcp_bulk_from_host$" "$TMP/flap.log"
expect_grep "flap: netharness saw the same SHA-256" \
    "^netharness: sink: $flap_bulk bytes received" "$TMP/flap.log"
grep -E "^# (guest to host|host to guest): " "$TMP/flap.log" | sed 's/^# /# flap: /'
[ $st -eq 0 ] || tail -25 "$TMP/flap.log" | sed 's/^/  # /'
[ "$flaps" = 2 ] || fail "flap: both transfers saw the cable pulled" "only $flaps flaps"
finish "lossy"
