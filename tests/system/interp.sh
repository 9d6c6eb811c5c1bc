#!/bin/sh
# pcemu's own CPU (-accel interp): chosen by name or when KVM is missing,
# exactly repeatable, the same results as KVM, an unknown instruction
# named and turned into #UD. (guest.sh runs the rest of the guest's
# checks on it with ACCEL=-accel interp.) Usage: interp.sh BUILD
. "$(dirname "$0")/lib.sh"
b=$1
tools=$(dirname "$0")/../../tools

run() {   # LOG ARGS...: pcemu with the guest, no input; sets $st
    log=$1; shift
    timeout 300 "$b/pcemu" -display none "$@" </dev/null >"$log" 2>&1
    st=$?
}
tap_ok() {   # NAME LOG STATUS
    if v=$(sh "$tools/tap-check.sh" "$2" "$3"); then pass "$1: $v"
    else fail "$1" "$v" "$(tail -15 "$2")"; fi
}
results() {   # the ok/not ok lines, names only
    grep -E '^(not )?ok [0-9]+ - ' "$1" | sed 's/ #.*//'
}

run "$TMP/a.log" -accel interp -stats "$b/guest.elf"
tap_ok "interp: every self-test passes" "$TMP/a.log" $st
expect_grep "interp: -stats counts the instructions" \
    "^pcemu: stats: .*; [0-9]+ instructions$" "$TMP/a.log"
expect_no_grep "interp: the self-tests run at CPL 0" "^# self-tests at CPL 3" "$TMP/a.log"
expect_grep "interp: the TSC rate comes from pcemu's CPUID timing leaf" \
    "^# TSC 1000000 kHz from the hypervisor's CPUID leaf" "$TMP/a.log"

# Time is the instruction count: the same guest prints the same bytes,
# timing lines and the instruction count included.
run "$TMP/b.log" -accel interp -stats "$b/guest.elf"
if cmp -s "$TMP/a.log" "$TMP/b.log"; then
    pass "interp: two runs print byte-identical output ($(wc -c < "$TMP/a.log") bytes)"
else
    fail "interp: two runs print byte-identical output" "$(diff "$TMP/a.log" "$TMP/b.log" | head -10)"
fi

run "$TMP/tcg.log" -accel tcg -append tests=timer_rate "$b/guest.elf"
tap_ok "interp: -accel tcg is taken for interp" "$TMP/tcg.log" $st

# No KVM: pcemu says so in one line and runs the guest on the interpreter.
PCEMU_KVM_DEVICE=$TMP/no-kvm timeout 300 "$b/pcemu" -display none "$b/guest.elf" \
    </dev/null >"$TMP/auto.log" 2>"$TMP/auto.err"
st=$?
tap_ok "interp: chosen by itself where KVM is missing" "$TMP/auto.log" $st
if [ "$(grep -c '^pcemu: ' "$TMP/auto.err")" = 1 ] &&
   grep -q "^pcemu: $TMP/no-kvm: No such file or directory: running on the interpreter instead (-accel interp)$" "$TMP/auto.err"; then
    pass "interp: ... and says so in one line"
else
    fail "interp: ... and says so in one line" "$(cat "$TMP/auto.err")"
fi

# The same results as under KVM, test for test.
if sh "$tools/kvm-usable.sh"; then
    run "$TMP/kvm.log" -accel kvm "$b/guest.elf"
    results "$TMP/kvm.log" >"$TMP/kvm.res"
    results "$TMP/a.log" >"$TMP/interp.res"
    if [ -s "$TMP/kvm.res" ] && cmp -s "$TMP/kvm.res" "$TMP/interp.res"; then
        pass "interp and KVM report the same results ($(wc -l < "$TMP/kvm.res") tests)"
    else
        fail "interp and KVM report the same results" "$(diff "$TMP/kvm.res" "$TMP/interp.res")"
    fi
fi

# CPL 3 is still there for the guest that asks (usermode=1).
run "$TMP/cpl3.log" -accel interp -append usermode=1 "$b/guest.elf"
tap_ok "interp: every self-test passes at CPL 3 (usermode=1)" "$TMP/cpl3.log" $st

# An instruction the interpreter does not know: #UD in the guest and one
# warning naming its address and bytes.
run "$TMP/sse3.log" -accel interp -append "tests=heap_alloc_free selftest.inject=sse3" "$b/guest.elf"
expect_status "interp: an unknown instruction (SSE3) ends with the failing verdict" 3 $st
rip=$(nm "$b/guest.elf" | awk '$3 == "inject_sse3" { print $1 }' | sed 's/^0*//')
expect_grep "interp: the guest got #UD at the instruction" \
    "exception #UD \\(vector 6\\) at rip 0x$rip" "$TMP/sse3.log"
expect_grep "interp: one warning names its address and bytes" \
    "^pcemu: warning: interpreter: an instruction it does not execute at RIP 0x$rip \\(bytes there: f2 0f 7c c0" \
    "$TMP/sse3.log"

# A compute-bound test of known length runs, and counts as many
# instructions as it says (17 a loop iteration, give or take the set-up).
run "$TMP/compute.log" -accel interp -stats -append "tests=cpu_compute compute.iters=100000" \
    "$b/guest.elf"
tap_ok "interp: cpu_compute passes" "$TMP/compute.log" $st
n=$(sed -n 's/^pcemu: stats: .*; \([0-9]*\) instructions$/\1/p' "$TMP/compute.log")
if [ -n "$n" ] && [ "$n" -ge 1700000 ] && [ "$n" -lt 4000000 ]; then
    pass "interp: cpu_compute's 1.7 million loop instructions counted ($n in all)"
else
    fail "interp: cpu_compute's instructions counted" "got '$n'"
fi

finish "interp"
