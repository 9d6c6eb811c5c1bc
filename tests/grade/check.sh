#!/bin/sh
# check.sh MAKE BUILD: the grader graded. The reference driver must score
# full marks; the lab's skeleton, built with LAB=1 into BUILD/lab, must
# score zero and be done quickly (every run cut short by the guest, none
# by the grader's time limit), each missing exercise named as it boots.
make=$1 b=$2
. "$(dirname "$0")/../system/lib.sh"
here=$(dirname "$0")

$make --no-print-directory BUILD="$b" "$b/guest.elf" >"$TMP/build.log" 2>&1 ||
    { cat "$TMP/build.log"; exit 1; }
sh "$here/grade.sh" "$b" >"$TMP/reference.txt" 2>&1
cat "$TMP/reference.txt"
max=$(sed -n 's/^Score: [0-9]*\/\([0-9]*\)$/\1/p' "$TMP/reference.txt")
expect_grep "grade: the reference driver scores full marks" "^Score: $max/$max\$" "$TMP/reference.txt"
expect_no_grep "grade: no reference test fails" ": FAIL \(" "$TMP/reference.txt"
expect_grep "grade: each run leaves its capture" "NAME\.pcap" "$TMP/reference.txt"
[ -s "$b/grade/tx-one-frame.pcap" ] && pass "grade: the captures are there ($b/grade/*.pcap)" ||
    fail "grade: the captures are there" "no $b/grade/tx-one-frame.pcap"

$make --no-print-directory LAB=1 BUILD="$b/lab" "$b/lab/guest.elf" >"$TMP/lab-build.log" 2>&1 ||
    { cat "$TMP/lab-build.log"; exit 1; }
t0=$(date +%s)
GRADE_PCEMU=$b/pcemu GRADE_NETHARNESS=$b/tools/netharness sh "$here/grade.sh" "$b/lab" \
    >"$TMP/skeleton.txt" 2>&1
secs=$(($(date +%s) - t0))
cat "$TMP/skeleton.txt"
expect_grep "grade: the skeleton scores zero" "^Score: 0/$max\$" "$TMP/skeleton.txt"
expect_no_grep "grade: no skeleton run needed the time limit" "no verdict after" "$TMP/skeleton.txt"
[ "$secs" -lt 60 ] && pass "grade: the skeleton is graded in $secs s (< 60)" ||
    fail "grade: the skeleton is graded quickly" "$secs s"
expect_grep "grade: the skeleton says what is not written yet" \
    "^# e1000 lab: e1000_reset is not written yet \(exercise 1" "$b/lab/grade/probe.log"
finish grade
