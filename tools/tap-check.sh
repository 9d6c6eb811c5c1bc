#!/bin/sh
# tap-check.sh LOG STATUS: judge a guest run from its TAP log and pcemu's
# (or QEMU's) exit status. Prints one line; exit 0 only when the plan was
# announced, every planned test reported ok, and the verdict was a pass.
log=$1 status=$2
awk -v status="$status" '
/^1\.\.[0-9]+/      { plan = substr($1, 4) + 0; haveplan = 1 }
/^ok [0-9]+/        { ok++ }
/^not ok [0-9]+/    { notok++; sub(/^not ok [0-9]+ - /, ""); failed = failed " " $0 }
/^Bail out!/        { bail = $0 }
END {
    verdict = status == 1 ? "pass" : status == 3 ? "fail" : "none"
    good = haveplan && ok == plan && notok == 0 && bail == "" && verdict == "pass"
    printf "%s: %d/%d ok", good ? "PASS" : "FAIL", ok, plan
    if (notok) printf ", failed:%s", failed
    if (bail != "") printf ", %s", bail
    if (!haveplan) printf ", no TAP plan seen"
    else if (ok + notok != plan) printf ", %d of %d planned tests reported", ok + notok, plan
    if (verdict == "none") printf ", exit status %d is not a guest verdict", status
    else printf ", guest verdict %s", verdict
    printf "\n"
    exit good ? 0 : 1
}' "$log"
