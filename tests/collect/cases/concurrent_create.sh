# Two fetches creating the same new store at once both succeed (the schema is set up in
# one transaction, retried on SQLite's lock), and the store holds each response once.
printf 'id,region,secteur,difficulte\n' > plain.csv
i=1
while [ $i -le 40 ]; do printf 'c%d,11,pa,1\n' $i >> plain.csv; i=$((i + 1)); done
round=1
while [ $round -le 8 ]; do
    rm -f c.sqlite*
    "$COLLECT" fetch --survey "$SURVEYS/mini" --store c.sqlite --platform csv --url "file://$PWD/plain.csv" --page-size 5 -q 2>a.txt &
    p1=$!
    "$COLLECT" fetch --survey "$SURVEYS/mini" --store c.sqlite --platform csv --url "file://$PWD/plain.csv" --page-size 5 -q 2>b.txt &
    p2=$!
    wait $p1; r1=$?
    wait $p2; r2=$?
    if [ $r1 != 0 ] || [ $r2 != 0 ]; then fail "round $round: exits $r1 and $r2"; cat a.txt b.txt; fi
    expect_eq "$(sql c.sqlite 'select count(*), count(distinct id) from responses')" "40|40" "round $round: each response once"
    expect_eq "$(stat -c %a c.sqlite)" 600 "round $round: mode"
    round=$((round + 1))
done
