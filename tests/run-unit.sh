#!/bin/sh
# Runs each cmocka binary given and sums up their results.
pass=0 fail=0 bad=""
for t in "$@"; do
    out=$("$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | grep -o '\[       OK \]' | wc -l)
    f=$(printf '%s\n' "$out" | grep -o '\[  FAILED  \] [A-Za-z_]' | wc -l)
    pass=$((pass + p)); fail=$((fail + f))
    if [ $rc -ne 0 ] || [ "$p" -eq 0 ]; then
        bad="$bad $(basename "$t")"
        [ "$f" -eq 0 ] && fail=$((fail + 1))
    fi
done
echo "unit: $pass passed, $fail failed"
[ -z "$bad" ] || { echo "unit: failing:$bad" >&2; exit 1; }
