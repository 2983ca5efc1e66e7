# collect launch --platform odk --dry-run: the XForm of a definition (no network): the
# from-scratch definition (every type, own codes, relevant, min/max) and the launch fixture;
# well-formed XML with fr/en itext, groups from the ODK paths, binds for required, relevant
# and constraints, choices; a definition ODK cannot take is refused, one line per problem;
# publishing is not done (usage error without --dry-run).
run 0 launch --survey "$SURVEYS/scratch" --platform odk --dry-run
expect_eq "$(cat out.txt)" "plan: 'scratch' version 3 as an ODK XForm
1. scratch-3.xml written (labels fr and en, 17 variables)
2. not done by collect yet: publish it to an ODK Central project (or deploy it on KoboToolbox) by hand" "plan"
cat > check.py <<'PY'
import xml.etree.ElementTree as ET
ns = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
t = ET.parse("scratch-3.xml").getroot()
model = t.find("h:head/x:model", ns)
langs = [tr.get("lang") for tr in model.findall("x:itext/x:translation", ns)]
data = model.find("x:instance/x:data", ns)
leaves = [e.tag.split("}")[1] for e in data.iter() if len(e) == 0]
binds = {b.get("nodeset"): b.attrib for b in model.findall("x:bind", ns)}
print(langs, data.get("id"), data.get("version"), len(leaves))
print(binds["/data/nb_salaries"]["type"], binds["/data/nb_salaries"]["constraint"])
print(binds["/data/pays"].get("required"), binds["/data/ouvert"]["relevant"], binds["/data/heures_jour"]["relevant"])
en = model.find("x:itext/x:translation[@lang='en']", ns)
print([v.find("x:value", ns).text for v in en.findall("x:text", ns) if v.get("id") in ("/data/pays:label", "/data/pays/autre_pays:label", "/data/ouvert/1:label")])
body = t.find("h:body", ns)
sel = body.find("x:select[@ref='/data/services']", ns)
print([i.find("x:value", ns).text for i in sel.findall("x:item", ns)])
PY
expect_eq "$(python3 check.py 2>&1)" "['fr', 'en'] scratch 3 18
int . >= 1 and . <= 100000
true() /data/pays = 'be' selected(/data/services, 'repas')
['Country', 'Other', 'Yes']
['soin', 'repas', 'x1']" "the XForm"

run 0 launch --survey "$SURVEYS/launchfix" --platform odk --dry-run --lss f.xml -q
expect_in f.xml '<group ref="/data/etablissement"><label>etablissement</label>'
expect_in f.xml '<bind nodeset="/data/recrutement/causes" type="string" vigie:type="multiple" relevant="/data/etablissement/difficult = '"'"'1'"'"'"/>'

F="$SURVEYS/odkbad/survey.json"
run 3 launch --survey "$SURVEYS/odkbad" --platform odk --dry-run
expect_eq "$(cat err.txt)" "collect: $F: variables[0] 'pays': ODK name 'etab/1pays': '1pays' is not an XML name (letters, digits, '_', '-', '.', not starting with a digit); set platform.odk
collect: $F: variables[1] 'services': code 'soin': ODK choice value 'soins infirmiers' may not be empty or hold spaces (a multiple choice is a space-separated list); set the code's platform.odk
collect: $F: variables[2] 'nb_salaries': ODK name 'etab/nb salaries': 'nb salaries' is not an XML name (letters, digits, '_', '-', '.', not starting with a digit); set platform.odk
collect: $F: variables[4] 'satisfaction': ODK name 'etab/nb_salaries' is also variable 'budget''s
collect: $F: 4 problems for ODK: no form written" "refused"
if [ -e odkbad-3.xml ]; then fail "a refused form was written"; fi
run 2 launch --survey "$SURVEYS/scratch" --platform odk --store s.sqlite --url http://127.0.0.1:9/
expect_in err.txt "collect: --platform odk: publishing to ODK Central is not done yet; --dry-run writes the XForm to publish by hand"

# and back: collect definition --from the XForm gives the definition's variables again
run 0 definition --from scratch-3.xml --id scratch -o back.json -q
expect_eq "$(python3 -c "
import json
a = json.load(open('$SURVEYS/scratch/survey.json'))['variables']; b = json.load(open('back.json'))['variables']
key = lambda v: (v['name'], v['type'], [c['code'] for c in v.get('codes', [])], v.get('relevant'), v.get('personal', 'no'))
print('same' if [key(v) for v in a] == [key(v) for v in b] else [key(v) for v in b])
")" same "definition back from the XForm"
