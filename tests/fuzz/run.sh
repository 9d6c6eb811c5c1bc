#!/bin/sh
# make fuzz: each target for SECONDS on a copy of its seed corpus, one
# after the other; a summary line per target (executions, coverage,
# corpus) and the crash file if one was found. MERGE=1 merges what was
# found back into tests/fuzz/corpus/.
#   run.sh FUZZ_DIR SECONDS MERGE TARGET...
dir=$1 seconds=$2 merge=$3
shift 3
status=0
for t in "$@"; do
    bin=$dir/clang/fuzz_$t
    run=$dir/run/$t
    rm -rf "$run"
    mkdir -p "$run/corpus"
    cp tests/fuzz/corpus/$t/* "$run/corpus/" 2>/dev/null
    dict=
    [ -f tests/fuzz/dict/$t.dict ] && dict=-dict=tests/fuzz/dict/$t.dict
    echo "fuzz $t: $seconds s"
    # -rss_limit_mb: the targets keep under 400 MiB; -timeout: an input
    # that runs 25 s is a hang
    "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$run/" $dict "$run/corpus" >"$run/log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$run/log")
    last=$(grep -a -E '^#[0-9]+' "$run/log" | tail -1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\).*/\1/p')
    echo "fuzz $t: ${execs:-?} executions, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
    if [ $rc -ne 0 ]; then
        status=1
        echo "fuzz $t: FAILED (status $rc); log $run/log"
        grep -a -E 'fuzz check failed|ERROR: |SUMMARY' "$run/log" | head -3
        ls "$run"/crash-* "$run"/leak-* "$run"/timeout-* "$run"/oom-* 2>/dev/null
    elif [ "$merge" = 1 ]; then
        "$bin" -merge=1 -max_len=4096 tests/fuzz/corpus/$t "$run/corpus" >"$run/merge.log" 2>&1 ||
            { echo "fuzz $t: merge failed; $run/merge.log"; status=1; }
    fi
done
exit $status
