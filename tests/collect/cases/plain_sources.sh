# Plain CSV and JSON over http and file://, records/next paths, formula cells, export.
cp "$T/data/plain.csv" plain.csv
sed "s|NEXT|http://127.0.0.1:PORT/plain/page2.json|" "$T/data/page1.json.in" > page1.json.in
cp "$T/data/page2.json" page2.json
start_server --plain-dir .
sed "s|PORT|$PORT|" page1.json.in > page1.json
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform csv --url "$BASE/plain/plain.csv" --page-size 2
expect_in err.txt "collect: fetched 3, new 2, updated 0, unchanged 0, rejected 1"
expect_in err.txt "warning: no hash key"
expect_eq "$(sql s.sqlite 'select id, reason from rejects')" "c3|effectif: 'abc' is not a number" "csv reject"
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform json --url "$BASE/plain/page1.json" \
    --records data.items --next links.next --quiet
expect_eq "$(cat err.txt)" "" "quiet"
expect_eq "$(sql s.sqlite "select count(*) from responses where source='$BASE/plain/page1.json'")" 2 "json pages"
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform csv --url "file://$PWD/plain.csv" --quiet
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 6 "csv over file://, another source"
# export: formula neutralised in text, negative numbers stay numbers, no personal data
run 0 export --survey "$SURVEYS/mini" --store s.sqlite --format csv -o out.csv
expect_in out.csv "source,id,submitted,region,secteur,effectif,solde,difficulte,causes.sal,causes.cdt,commentaire"
expect_in out.csv "$BASE/plain/plain.csv,c1,,11,pa,10,-3.5,1,1,0,\"Texte, avec \"\"guillemets\"\""
expect_in out.csv "$BASE/plain/plain.csv,c2,,84,ph,5,0,0,,,'-2+3"
expect_not_in out.csv "example.org"
run 0 export --survey "$SURVEYS/mini" --store s.sqlite --format excel-fr -o out-fr.csv
expect_in out-fr.csv ";c1;;11;pa;10;-3,5;1;1;0;"
run 0 export --survey "$SURVEYS/mini" --store s.sqlite --format jsonl
expect_eq "$(wc -l < out.txt)" 6 "jsonl lines"
expect_in out.txt '"id":"j2"'
# status: counts against the frame
run 0 status --survey "$SURVEYS/mini" --store s.sqlite --format csv
expect_eq "$(cat out.txt)" "region,secteur,reponses,population,taux_reponse
11,pa,3,10,0.3000
11,ph,0,5,0.0000
84,pa,0,8,0.0000
84,ph,2,4,0.5000
93,pa,0,6,0.0000
93,ph,1,2,0.5000
total,,6,35,0.1714" "status csv"
expect_in err.txt "collect: réponses complètes 6 (dont rejetées à la relecture 0, à revoir 0), partielles 0, refusées par la définition 2"
run 0 status --survey "$SURVEYS/mini" --store s.sqlite --by region --lang en
expect_eq "$(cat out.txt)" "Region                         Responses  Population  Response rate
11 Île-de-France                       3          15         20.0 %
84 Auvergne-Rhône-Alpes                2          12         16.7 %
93 Provence-Alpes-Côte d'Azur          1           8         12.5 %
Total                                  6          35         17.1 %

Complete responses 6 (review: rejected 0, to check 0), partial 0, refused by the definition 2" "status text"
