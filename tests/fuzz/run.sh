#!/bin/sh
# Run every fuzz target of a VIGIE_FUZZ build (make fuzz): FUZZ_TIME seconds
# each (default 60) at nice 19, its corpus in BUILD/corpus/<name> seeded from
# the files and directories CMake listed (BUILD/fuzz-targets.txt) and from
# ../shared/fixtures when present; crashes go to BUILD/crashes/<name>/.
# Prints the executions each target reached (libFuzzer's last "#N" line).
#   tests/fuzz/run.sh BUILD [target...]
set -u
build=${1:?usage: run.sh BUILD [target...]}
shift
src=$(cd "$(dirname "$0")/../.." && pwd)
time=${FUZZ_TIME:-60}
status=0
while read -r name seeds; do
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    corpus=$build/corpus/$name
    crashes=$build/crashes/$name
    mkdir -p "$corpus" "$crashes"
    extra=""
    case $name in
    csv | csv_readers | members | itable)
        [ -d "$src/../shared/fixtures" ] && extra=$(find "$src/../shared/fixtures" -name '*.csv' | head -50 | xargs -r dirname | sort -u) ;;
    jsonl | survey)
        [ -d "$src/../shared/fixtures" ] && extra=$(find "$src/../shared/fixtures" -name '*.json' | head -50 | xargs -r dirname | sort -u) ;;
    esac
    # libFuzzer takes directories: the seeds (files, or the files of directories) are
    # copied into the corpus, which keeps what the runs add
    for seed in $seeds $extra; do
        if [ -d "$seed" ]; then
            find "$seed" -maxdepth 1 -type f -exec cp {} "$corpus/" \;
        elif [ -f "$seed" ]; then
            cp "$seed" "$corpus/"
        fi
    done
    log=$build/fuzz-$name.log
    nice -n 19 "$build/tests/fuzz/fuzz_$name" -max_total_time="$time" -timeout=10 \
        -rss_limit_mb=1024 -max_len=65536 \
        -artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
    echo "fuzz_$name: exit $rc, $runs executions in ${time} s, corpus $(ls "$corpus" | wc -l) files, crashes $(ls "$crashes" | wc -l)"
    [ "$rc" = 0 ] || status=1
done <"$build/fuzz-targets.txt"
exit $status
