#!/bin/sh
# The flood (issue 13): netharness sends numbered UDP datagrams through
# hostfwd to the guest's flood self-test, and every one must be accounted
# for: received by the guest (each checked, none twice), or dropped where a
# counter says so: slirp's host socket (/proc/net/udp), the kernel's
# loopback backlog, pcemu's net queue, the e1000 (missed, flushed, ...:
# pcemu -stats) and the guest's stack. Two runs: flat out (100 000
# datagrams), and paced with the guest taking nothing until the device
# misses frames (at most 4 s), so the ring and the device's FIFO fill.
# ACCEL="-accel interp" runs pcemu on its interpreter. Usage: flood.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
tools=$(dirname "$0")/../../tools
label="flood${ACCEL:+ ($ACCEL)}"

# KEY LINE: the number after " KEY=" in LINE (empty when missing)
val() { printf ' %s\n' "$2" | sed -n "s/.* $1=\([0-9][0-9]*\).*/\1/p"; }
# the number before PHRASE in pcemu's -stats line
stat() { sed -n "s/.*[ ;(]\([0-9][0-9]*\) $1[,;) ].*/\1/p" "$log" | head -1; }

flood_run() {   # NAME NETHARNESS-ARGS GUEST-ARGS
    name="$label: $1" log=$TMP/flood.log missed=
    timeout 120 "$b/tools/netharness" $2 -- "$b/pcemu" $ACCEL -display none -stats \
        -netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0 \
        -append "tests=flood $3 @NET@" "$b/guest.elf" </dev/null >"$log" 2>&1
    st=$?
    if v=$(sh "$tools/tap-check.sh" "$log" $st); then pass "$name: the guest's checks: $v"
    else fail "$name: the guest's checks" "$v" "$(grep -v '^ok' "$log" | tail -15)"; return; fi

    g=$(grep -m1 '^# flood guest: ' "$log")
    h=$(grep -m1 '^netharness: flood: sent=' "$log")
    if [ -z "$g" ] || [ -z "$h" ] || ! grep -q '^pcemu: stats: ' "$log"; then
        fail "$name: the counts of all three" "$(tail -15 "$log")"; return
    fi
    sent=$(val sent "$h") markers=$(val markers_sent "$h")
    sock=$(val socket_drops "$h") backlog=$(val backlog_drops "$h")
    good=$(val good "$g") corrupt=$(val corrupt "$g") dup=$(val dup "$g")
    gmark=$(val markers "$g") stack=$(val stack_dropped "$g") mpc=$(val mpc "$g")
    off=$(stat off) filtered=$(stat filtered) oversize=$(stat oversize) missed=$(stat missed)
    flushed=$(stat flushed) badring=$(stat 'bad ring') waiting=$(stat waiting)
    netq=$(sed -n 's/.*net queues dropped \([0-9]*\) to e1000.*/\1/p' "$log")
    for v in "$sent" "$markers" "$sock" "$backlog" "$good" "$corrupt" "$dup" "$gmark" \
             "$stack" "$mpc" "$off" "$filtered" "$oversize" "$missed" "$flushed" "$badring" \
             "$waiting" "$netq"; do
        if [ -z "$v" ]; then
            fail "$name: every count present" "$g" "$h" "$(grep '^pcemu: stats' "$log")"
            return
        fi
    done
    in=$((sent + markers))
    received=$((good + corrupt + dup + gmark))
    dropped=$((sock + backlog + netq + off + filtered + oversize + missed + flushed + badring + stack))
    detail="sent $sent + $markers end markers; guest received $received ($good good,"
    detail="$detail $corrupt corrupt, $dup duplicates, $gmark markers); dropped $dropped:"
    detail="$detail host socket $sock, host backlog $backlog, pcemu queue $netq, e1000 off $off"
    detail="$detail filtered $filtered oversize $oversize missed $missed flushed $flushed"
    detail="$detail bad-ring $badring, guest stack $stack; $waiting still waiting"
    if [ "$in" = $((received + dropped + waiting)) ]; then
        pass "$name: sent = received + counted drops ($detail)"
    else
        fail "$name: sent = received + counted drops" "$detail" \
            "unaccounted: $((in - received - dropped - waiting))"
    fi
    if [ "$mpc" = "$missed" ]; then
        pass "$name: MPC as the guest read it = pcemu's missed frames ($mpc)"
    else
        fail "$name: MPC as the guest read it = pcemu's missed frames" "guest $mpc, pcemu $missed"
    fi
    [ "$waiting" = 0 ] && pass "$name: nothing left in the device's FIFO" ||
        fail "$name: nothing left in the device's FIFO" "$waiting frames"
}

flood_run "100000 datagrams flat out" "--flood 100000" ""
flood_run "20000 at 5000/s, the guest idle until frames are missed" "--flood 20000 --rate 5000" "flood.stall_ms=4000"
if [ "${missed:-0}" -gt 0 ]; then
    pass "$label: the stalled run made the device miss frames ($missed)"
else
    fail "$label: the stalled run made the device miss frames" "missed ${missed:-?}"
fi
finish "$label"
