# analyse reads complete responses that the platform's review did not reject, says what it
# left out on stderr and in the table's .meta.json; --responses all and --include-rejected
# include them, and say so. Values: effectif 11..15 on five ODK submissions, unweighted mean.
python3 - "$T/data/odk.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o[0]["__system"]["reviewState"] = "rejected"
json.dump(o, open("odk.json", "w"))
PY
start_server --odk-data odk.json
export VIGIE_ODK_EMAIL=staff@example.org VIGIE_ODK_PASSWORD=odk-pass-456
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform odk --url "$BASE" --survey-id 1/f
stop_server
# uuid:0000-0002 as a partial save (what LimeSurvey's submitdate null stores with
# --responses all: complete = 0)
sql s.sqlite "update responses set complete = 0 where id = 'uuid:0000-0002'" >/dev/null
# est OPTIONS...: the mean of effectif, unweighted; estimate on stdout, meta in t.meta.json
est() {
    "$ANALYSE" estimate --survey "$SURVEYS/mini" --store s.sqlite --var effectif --stat mean \
        --weights none --format jsonl "$@" -o t.csv >out.txt 2>err.txt
    got=$?
    [ "$got" = 0 ] || { fail "analyse $* exited $got"; cat err.txt; }
    # the national row's estimate and n, then the metadata's selection (no python: fast)
    sed -n 's/.*"by": *"", *.*"estimate": *\([0-9.]*\),.*"n": *\([0-9]*\),.*/\1 \2/p' t.csv |
        head -1 > est.txt
    tr -d ' \n' < t.meta.json |
        sed 's/.*"responses":{"which":"\([a-z]*\)","review_rejected":"\([a-z]*\)","partial_left_out":\([0-9]*\),"review_rejected_left_out":\([0-9]*\)}.*/\1 \2 \3 \4/' > meta.txt
    echo "$(cat est.txt) $(cat meta.txt)" > est.txt
}
est
expect_eq "$(cat est.txt)" "14 3 complete excluded 1 1" "default: complete, review-rejected left out"
expect_in err.txt "analyse: left out: 1 partial save and 1 response the platform's review rejected (--responses all, --include-rejected include them)"
est --responses all
expect_eq "$(cat est.txt)" "13.5 4 all excluded 0 1" "--responses all"
expect_in err.txt "analyse: responses read from the store: complete, partial saves (4 records)"
expect_in err.txt "analyse: left out: 1 response the platform's review rejected (--include-rejected includes them)"
est --include-rejected
expect_eq "$(cat est.txt)" "13.25 4 complete included 1 0" "--include-rejected"
expect_in err.txt "responses read from the store: complete, those the platform's review rejected (4 records)"
est --responses all --include-rejected
expect_eq "$(cat est.txt)" "13 5 all included 0 0" "both"
expect_not_in err.txt "left out:"
# a partial save the review rejected is left out once, as partial
sql s.sqlite "update responses set review = 'rejected' where id = 'uuid:0000-0002'" >/dev/null
est
expect_eq "$(cat est.txt)" "14 3 complete excluded 1 1" "partial and rejected counted once"
est --responses all
expect_eq "$(cat est.txt)" "14 3 all excluded 0 2" "partial included, two rejected left out"
# -q: no notes; the metadata still says it
"$ANALYSE" estimate --survey "$SURVEYS/mini" --store s.sqlite --var effectif --stat mean \
    --weights none -q -o t.csv >out.txt 2>err.txt
expect_eq "$(cat err.txt)" "" "-q silences the notes"
# the options select responses in a store only
"$ANALYSE" estimate --survey "$SURVEYS/mini" --data t.csv --var effectif --responses all \
    -o t2.csv >out.txt 2>err.txt
expect_eq "$?" 2 "--responses with --data is a usage error"
expect_in err.txt "analyse: --responses and --include-rejected select responses in a store (--store)"
"$ANALYSE" estimate --survey "$SURVEYS/mini" --store s.sqlite --var effectif --responses some \
    -o t2.csv >out.txt 2>err.txt
expect_eq "$?" 2 "--responses some"
expect_in err.txt "--responses: 'some' is not complete or all"
# the pay commands take the same options: 60 employees, 2 partial, 1 rejected by review
"$GENSAMPLE" --survey remuneration --seed 1 --n 60 --format csv -o r.csv 2>err.txt
VIGIE_HASH_KEY=k123456789012345678901234567890 run 0 fetch --survey remuneration --store p.sqlite \
    --platform csv --url "file://$PWD/r.csv"
sql p.sqlite "update responses set complete = 0 where id in ('1', '2')" >/dev/null
sql p.sqlite "update responses set review = 'rejected' where id = '3'" >/dev/null
# pay OPTIONS...: n_respondents and the selection of the metadata
pay() {
    "$ANALYSE" "$@" --survey remuneration --store p.sqlite --weights none -o p.csv >out.txt 2>err.txt ||
        { fail "analyse $* exited $?"; cat err.txt; }
    tr -d ' \n' < p.meta.json | sed 's/.*"n_respondents":\([0-9]*\),.*"partial_left_out":\([0-9]*\),"review_rejected_left_out":\([0-9]*\)}.*/\1 \2 \3/'
}
expect_eq "$(pay pay)" "57 2 1" "analyse pay: default"
expect_in err.txt "analyse: left out: 2 partial saves and 1 response the platform's review rejected"
expect_eq "$(pay pay --responses all --include-rejected)" "60 0 0" "analyse pay: all"
expect_eq "$(pay gender --include-rejected)" "58 2 0" "analyse gender --include-rejected"
expect_eq "$(pay gender --streaming --responses all)" "59 0 1" "analyse gender --streaming --responses all"
