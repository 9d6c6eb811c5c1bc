#!/bin/sh
# make fuzz-replay: every seed corpus file once through its target built
# with gcc, ASan and UBSan; one closing line for make check.
#   replay.sh FUZZ_DIR TARGET...
dir=$1
shift
passed=0 failed=0
for t in "$@"; do
    out=$("$dir/gcc/replay_$t" "$t" "tests/fuzz/corpus/$t")
    rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep "^fuzz-replay $t:")
    p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
        failed=$((failed + 1))          # the replay itself died
    fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
