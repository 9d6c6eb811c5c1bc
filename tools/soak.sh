#!/bin/sh
# soak.sh BUILD: pcemu built with ASan and UBSan (BUILD/san/pcemu, LSan
# on) runs the guest's network self-tests round after round
# (selftest.loop_seconds) for SOAK_SECONDS (default 600): DHCP, ARP,
# ICMP, UDP echo, DNS, TCP echo, bulk both ways, refused connections,
# loss recovery and the driver's unbind and rebind. pcemu's resident
# size is sampled every SOAK_SAMPLE seconds (default 5) from
# /proc/PID/status. Fails when a round fails, a sanitizer reports
# anything (a leak at exit included), or the resident size grows by more
# than SOAK_RSS_SLACK_KB (default 8192) from the first sample after the
# warm-up (a quarter of the run, at most 60 s) to the largest after it.
#   SOAK_TESTS   the tests= list (default below)
#   SOAK_BULK    bytes each bulk test moves (default 4 MiB)
#   ACCEL        e.g. "-accel interp"
#   SOAK_LOG     keep pcemu's output there (default: a temporary file)
b=${1:?usage: soak.sh BUILD}
secs=${SOAK_SECONDS:-600} every=${SOAK_SAMPLE:-5} slack=${SOAK_RSS_SLACK_KB:-8192}
tests=${SOAK_TESTS:-dhcp_lease,arp_gateway,ping_gateway,rx_burst,udp_echo,dns_lookup,tcp_echo_1mib,tcp_checksum_paths,tcp_bulk_to_host,tcp_bulk_from_host,tcp_refused,tcp_loss_recovery,pci_unbind_rebind}
bulk=${SOAK_BULK:-4194304}
for f in "$b/san/pcemu" "$b/guest.elf" "$b/tools/netharness"; do
    [ -x "$f" ] || [ -f "$f" ] || { echo "soak: $f is missing (make BUILD=$b $f)"; exit 2; }
done
tmp=$(mktemp -d)
log=${SOAK_LOG:-$tmp/soak.log}
trap 'rm -rf "$tmp"' EXIT
warm=$((secs / 4)); [ "$warm" -gt 60 ] && warm=60

# quarantine: ASan keeps freed memory out of use up to this size; its
# default, 256 MiB, would look like growth for the first minutes
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:quarantine_size_mb=4:malloc_context_size=20
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS
"$b/tools/netharness" -- "$b/san/pcemu" $ACCEL -display none -no-reboot \
    -netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0 \
    -append "tests=$tests net.bulk=$bulk selftest.loop_seconds=$secs @NET@" \
    "$b/guest.elf" </dev/null >"$log" 2>&1 &
harness=$!
pid=""
for i in 1 2 3 4 5 6 7 8 9 10; do
    pid=$(pgrep -P "$harness" | head -1)
    [ -n "$pid" ] && break
    sleep 0.2
done
[ -n "$pid" ] || { echo "soak: pcemu did not start"; cat "$log"; exit 1; }

# t rss_kb, every $every s, while pcemu runs; a guard well past the
# guest's own end
start=$(date +%s)
limit=$((secs + 300))
while kill -0 "$pid" 2>/dev/null; do
    rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
    t=$(($(date +%s) - start))
    [ -n "$rss" ] && echo "$t $rss" >>"$tmp/rss"
    if [ "$t" -gt "$limit" ]; then
        echo "soak: still running after $t s; stopping it"
        kill "$pid"
        break
    fi
    sleep "$every"
done
wait "$harness"
st=$?

rc=0
summary=$(grep -m1 '^# selftest.loop_seconds=' "$log")
if [ "$st" = 1 ] && [ -n "$summary" ] && echo "$summary" | grep -q ', 0 failed$'; then
    echo "ok - soak: every round passed (${summary#\# })"
else
    echo "not ok - soak: every round passed (exit status $st, ${summary:-no summary})"
    grep -E '^not ok|^  (message|expected|got):|^Bail' "$log" | head -20 | sed 's/^/  # /'
    rc=1
fi
if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: ' "$log"; then
    echo "not ok - soak: no sanitizer report"
    grep -E -A12 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" | head -40 |
        sed 's/^/  # /'
    rc=1
else
    echo "ok - soak: no sanitizer report (ASan, UBSan, LSan at exit)"
fi
# resident size: start, middle, end, and growth after the warm-up
awk -v warm="$warm" -v slack="$slack" '
{ t[NR] = $1; r[NR] = $2 }
$1 >= warm && base == "" { base = $2; bt = $1 }
$1 >= warm && $2 > max { max = $2; mt = $1 }
END {
    if (NR < 3 || base == "") { print "not ok - soak: too few RSS samples (" NR ")"; exit 1 }
    m = int((NR + 1) / 2)
    printf "# RSS kB: start %d (t=%ds), middle %d (t=%ds), end %d (t=%ds); after warm-up " \
           "(%ds): first %d, max %d (t=%ds), %d samples\n", r[1], t[1], r[m], t[m], r[NR],
           t[NR], warm, base, max, mt, NR
    if (max - base > slack) {
        printf "not ok - soak: RSS flat after warm-up (grew %d kB, more than %d)\n",
               max - base, slack
        exit 1
    }
    printf "ok - soak: RSS flat after warm-up (grew %d kB, at most %d)\n", max - base, slack
}' "$tmp/rss" || rc=1
# what was done: passes per test, and the bytes the bulk tests moved
grep -E '^ok [0-9]+ - ' "$log" | sed 's/^ok [0-9]* - //; s/ #.*//' | sort | uniq -c |
    awk -v bulk="$bulk" '{ printf "# %s x%d", $2, $1; if ($2 ~ /^tcp_bulk/) printf " (%d MiB)", $1 * bulk / 1048576; print "" }'
exit $rc
