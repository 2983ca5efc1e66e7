# A definition whose platform name for a variable is misspelt (wrong case, missing
# group path): the fetch warns once per such variable, naming the field and the
# closest names seen; --strict makes it exit 3 (what was fetched is stored).
python3 - "$SURVEYS/mini/survey.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
for v in d["variables"]:
    if v["name"] == "effectif":
        v["platform"]["kobo"] = "rh/Effectif"
    if v["name"] == "solde":
        v["platform"]["kobo"] = "solde"
os.makedirs("typo", exist_ok=True)
json.dump(d, open("typo/survey.json", "w"))
PY
cp "$SURVEYS/mini/frame.csv" typo/
cp "$T/data/kobo.json" kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
start_server --kobo-data kobo.json
run 0 fetch --survey typo --store s.sqlite --platform kobo --url "$BASE" --survey-id a1
expect_in err.txt "collect: warning: variable 'effectif': its field 'rh/Effectif' is in none of the responses of 'kobo:a1'; closest fields seen: 'rh/effectif'"
expect_in err.txt "collect: warning: variable 'solde': its field 'solde' is in none of the responses of 'kobo:a1'; closest fields seen: 'rh/solde'"
expect_eq "$(grep -c 'is in none of the responses' err.txt)" 2 "one warning per variable"
run 3 fetch --survey typo --store s.sqlite --platform kobo --url "$BASE" --survey-id a1 --full --strict
expect_in err.txt "collect: --strict: 2 variables of the definition in no response"
# the right definition: no warning, also on a later run that finds nothing new
run 0 fetch --survey "$SURVEYS/mini" --store ok.sqlite --platform kobo --url "$BASE" --survey-id a1 --strict
expect_not_in err.txt "none of the responses"
