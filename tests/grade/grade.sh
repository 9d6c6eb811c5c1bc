#!/bin/sh
# grade.sh BUILD [pcemu|qemu]: the NIC-driver lab's graded tests
# (docs/lab/README.md). Each is one run of BUILD's guest, on pcemu (KVM,
# else its interpreter) or with qemu on QEMU's e1000, with the host
# harness's servers, selecting guest self-tests with tests=; it scores
# its points when every one of them passes. The run's serial output and
# a capture of the e1000's traffic stay in BUILD/grade/ (NAME.log,
# NAME.pcap). The last line is "Score: N/M".
b=$1 on=${2:-pcemu}
here=$(dirname "$0")
tools=$here/../../tools
out=$b/grade
limit=${GRADE_TIMEOUT:-30}          # seconds a run may take before it is stopped
mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.pcap

# pcemu and the harness from another build (grade-check grades the
# skeleton, built alone, with the reference build's)
pcemu=${GRADE_PCEMU:-$b/pcemu}
harness=${GRADE_NETHARNESS:-$b/tools/netharness}

case $on in
pcemu) guest=$b/guest.elf ;;
qemu)  guest=$b/guest32.elf
       # `make grade QEMU=1` leaves QEMU=1 in the environment
       case ${QEMU:-} in ""|1|yes) QEMU=qemu-system-x86_64; export QEMU ;; esac ;;
*)     echo "grade.sh: run on pcemu or qemu, not '$on'" >&2; exit 2 ;;
esac
for f in "$guest" "$harness"; do
    [ -e "$f" ] || { echo "grade.sh: $f is missing (make grade builds it)" >&2; exit 2; }
done

score=0 total=0 t_all=$(date +%s%N)

# run NAME APPEND: one guest run; its log and capture in $out
run() {
    log=$out/$1.log pcap=$out/$1.pcap
    net="-netdev user,id=n0,hostfwd=@HOSTFWD@ -device e1000,netdev=n0"
    net="$net -object filter-dump,id=f0,netdev=n0,file=$pcap"
    if [ "$on" = qemu ]; then
        timeout "$limit" "$harness" -- sh "$tools/run-on-qemu.sh" "$guest" $net \
            -append "$2 @NET@" >"$log" 2>&1
    else
        timeout "$limit" "$harness" -- "$pcemu" -display none -serial stdio $net \
            -append "$2 @NET@" "$guest" >"$log" 2>&1
    fi
    st=$?
}

# why LOG: what the driver said went wrong at probe, the first failure
# the guest reported, and how the run ended
why() {
    grep -E '^# e1000.*(probe failed|not written yet)' "$1" | head -3
    awk '/^not ok /         { if (!n++) { sub(/^not ok [0-9]+ - /, ""); t = $0 } }
         n == 1 && /^  message: / { sub(/^  message: /, ""); m = $0 }
         n == 1 && /^  got: /     { sub(/^  got: /, ""); g = $0; n++ }
         /^Bail out!/      { b = $0 }
         END { if (t != "") printf "%s: %s (got %s)\n", t, m, g; if (b != "") print b }' "$1"
}

# grade NAME POINTS TESTS [APPEND [CHECK]]: CHECK, a function, looks at
# the run beyond the guest's verdict
grade() {
    name=$1 points=$2 tests=$3 append=${4:-} check=${5:-}
    total=$((total + points))
    t0=$(date +%s%N)
    run "$name" "tests=$tests $append"
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    took=$(printf '%d.%02ds' $((ms / 1000)) $((ms % 1000 / 10)))
    verdict=$(sh "$tools/tap-check.sh" "$log" "$st")
    ok=$?
    problem=""
    if [ "$st" = 124 ]; then
        ok=1 problem="no verdict after $limit s: stopped"
    elif [ $ok != 0 ]; then
        problem=$(why "$log")
        [ -n "$problem" ] || problem=$verdict
    elif [ -n "$check" ]; then
        problem=$($check) || ok=1
    fi
    if [ $ok = 0 ]; then
        score=$((score + points))
        echo "== Test $name == $name: OK ($points/$points, $took)"
    else
        echo "== Test $name == $name: FAIL (0/$points, $took)"
        printf '%s\n' "$problem" | sed 's/^/    /'
        echo "    log: $log, capture: $pcap"
    fi
    # what the device said: a driver can pass and still have broken a rule
    grep -E '^pcemu: (warning|diag)' "$log" | sort -u | head -5 | sed 's/^/    /'
}

# The frame tx_one_frame sent is on the wire, from our MAC, marker and all.
tx_on_the_wire() {
    if ! command -v tshark >/dev/null 2>&1; then
        echo "tshark is not installed (make deps): the capture was not checked"
        return 1
    fi
    n=$(tshark -r "$pcap" -Y 'eth.type == 0x88b5 && frame contains "pcemu lab: tx_one_frame"' \
        -T fields -e eth.src 2>/dev/null | grep -c '^52:54:00:12:34:56$')
    [ "$n" = 1 ] && return 0
    echo "the capture holds $n such frames from 52:54:00:12:34:56, not 1 (tshark -r $pcap)"
    return 1
}

# Each run starts from boot. Tests that need an address take slirp's
# (net.static=1) rather than depend on DHCP, which has a test of its own.
st=0
static=net.static=1
echo "grading $guest on $on"
grade probe          5 pci_bindings,e1000_link_up
grade eeprom-mac     5 e1000_eeprom
grade tx-one-frame  10 tx_one_frame "" tx_on_the_wire
grade rx-arp-reply  10 arp_gateway
grade rx-burst      10 rx_burst "$static"
grade interrupts     5 e1000_ics_interrupt,rx_interrupt "$static"
grade ping          10 ping_gateway "$static"
grade dhcp          10 dhcp_lease
grade dns            5 dns_lookup "$static"
grade udp-echo      10 udp_echo "$static"
grade tcp-to-host   10 tcp_bulk_to_host "$static net.bulk=4194304"
grade tcp-from-host 10 tcp_bulk_from_host "$static net.bulk=4194304"
secs=$(( ($(date +%s%N) - t_all) / 1000000000 ))
echo "Each run's serial output and e1000 capture: $out/NAME.log, $out/NAME.pcap (${secs} s in all)"
echo "Score: $score/$total"
