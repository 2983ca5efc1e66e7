# collect launch against the recorded LimeSurvey 6.4.2 launch replies (served in order):
# - the definition of the recorded survey (surveys/launchfix): --dry-run writes the .lss and
#   the plan and sends nothing; the launch imports (591732), reads back (list_questions,
#   get_fieldmap: all fits), creates the participant table, sets the texts, activates, prints
#   the number and link and records it; a second launch of the same version sends nothing;
# - LimeSurvey's silent renames caught on read-back: the duplicate question renamed 'r31q0'
#   and the leading digit prefixed 'q2nbETP': exit 3, the survey left inactive, not recorded;
# - an import refused (not a .lss): exit 4;
# - a definition LimeSurvey would change (surveys/lsbad): one line per offending variable or
#   code, exit 3, not a single request.
need_launch
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
D="$SURVEYS/launchfix"

run 0 launch --survey "$D" --platform limesurvey --dry-run
expect_eq "$(cat out.txt)" "plan: launch 'launchfix' version 1 on LimeSurvey
1. import_survey launchfix-1.lss: 2 groups, 7 questions, 6 sub-questions, 16 answer options, languages fr (base) and en
2. read the survey back (list_questions, get_fieldmap) and compare it with the definition; stop there on any difference
3. activate_tokens: participant table with attribute_1 (member_id), attribute_2 (region)
4. set_language_properties fr, en: invitation and reminder texts
5. activate_survey
6. record the launch in the store; print the survey number and its link" "plan"
expect_in launchfix-1.lss '<title><![CDATA[nbETP]]></title>'
expect_in launchfix-1.lss '<relevance><![CDATA[((difficult.NAOK == "Y"))]]></relevance>'
expect_in launchfix-1.lss '<value><![CDATA[vigie:nb_etp]]></value>'
expect_in launchfix-1.lss '<value><![CDATA[vigie:likert vigie:SQ001=opinion_equipement vigie:SQ002=opinion_locaux vigie:SQ003=opinion_equipe]]></value>'
expect_in launchfix-1.lss '{"attribute_1":{"cpdbmap":"","description":"member_id","mandatory":"N","show_register":"N"},"attribute_2":{"cpdbmap":"","description":"region",'
# the .lss gives the definition back: same variables, types, codes and LimeSurvey names
run 0 definition --from launchfix-1.lss --id launchfix -o back.json -q
expect_eq "$(python3 -c "
import json
a = json.load(open('$D/survey.json'))['variables']; b = json.load(open('back.json'))['variables']
key = lambda v: (v['name'], v['type'], (v.get('platform') or {}).get('limesurvey', v['name']),
                 [(c['code'], (c.get('platform') or {}).get('limesurvey', c['code'])) for c in v.get('codes', [])],
                 v.get('min'), v.get('max'), v.get('required', False), v.get('relevant'))
print('same' if [key(v) for v in a] == [key(v) for v in b] else [key(v) for v in b])
")" same "definition back from the .lss"

script ok.script import_survey=import_survey.lss366 list_questions=list_questions \
    get_fieldmap=get_fieldmap activate_tokens=activate_tokens.with_attributes \
    set_language_properties=set_language_properties.fr_invitation_reminder \
    set_language_properties=set_language_properties.en_invitation_subject \
    activate_survey=activate_survey.ok
start_server --fixtures "$LS_LAUNCH" --ls-script ok.script --ls-script-only
L="launch --survey $D --platform limesurvey --store s.sqlite --url $BASE/index.php/admin/remotecontrol"
run 0 $L
expect_eq "$(cat out.txt)" "591732	$BASE/index.php/591732?lang=fr" "survey number and link"
expect_eq "$(cat err.txt)" "collect: LimeSurvey gave the survey number 591732 ($(python3 -c "
import re; print(re.search(r'<sid><!\[CDATA\[(\d+)', open('launchfix-1.lss').read()).group(1))") was taken)
collect: 'launchfix' version 1 launched as survey 591732 (7 questions checked on the platform); add the members with 'collect participants --survey-id 591732', then 'collect invite'" "launch messages"
expect_not_in requests.log MISMATCH
expect_eq "$(grep -c '"served"' requests.log)" 7 "every step served"
expect_in requests.log '\"activate_tokens\",\"params\":[\"SESSIONKEY_PLACEHOLDER_32CHARS__\",591732,[1,2]]'
expect_in requests.log '\"set_language_properties\",\"params\":[\"SESSIONKEY_PLACEHOLDER_32CHARS__\",591732,{\"surveyls_email_invite_subj\":'
expect_in requests.log '\"activate_survey\",\"params\":[\"SESSIONKEY_PLACEHOLDER_32CHARS__\",591732]'
# what was imported is the .lss of the dry run, base64
python3 - "$PWD" <<'PY' || fail "import_survey did not carry the .lss"
import base64, json, sys
for line in open("requests.log"):
    e = json.loads(line)
    if "body" in e and '"import_survey"' in e["body"]:
        p = json.loads(e["body"])["params"]
        assert p[2] == "lss", p[2]
        assert base64.b64decode(p[1]) == open("launchfix-1.lss", "rb").read()
        sys.exit(0)
sys.exit(1)
PY
expect_eq "$(sql s.sqlite "select survey, version, platform, platform_id, state, link from launches")" "launchfix|1|limesurvey|591732|active|$BASE/index.php/591732?lang=fr" "recorded"
expect_eq "$(sql s.sqlite "select value from meta where key='launches_format'")" 1 "launches format"
expect_not_in s.sqlite "$LS_PASSWORD"

# again: recorded, nothing sent (the script is used up: any call would fail)
: > requests.log
run 0 $L
expect_eq "$(cat out.txt)" "591732	$BASE/index.php/591732?lang=fr" "again: number and link"
expect_in err.txt "collect: 'launchfix' version 1 is already launched as survey 591732 ("
expect_in err.txt "): nothing changed"
expect_eq "$(cat requests.log | wc -l)" 0 "again: no request"

# the duplicate question silently renamed 'r31q0': caught on read-back, not activated
script dup.script import_survey=import_survey.duplicate_question_code \
    list_questions=list_questions.after_import_duplicate_question_code
start_server --fixtures "$LS_LAUNCH" --ls-script dup.script --ls-script-only
L="launch --survey $D --platform limesurvey --store d.sqlite --url $BASE/index.php/admin/remotecontrol"
run 3 $L -q
expect_eq "$(cat err.txt)" "collect: $BASE/index.php/admin/remotecontrol: survey 655565: question 'statut' (variable 'statut') is not on the platform
collect: $BASE/index.php/admin/remotecontrol: survey 655565: question 'r31q0' on the platform is not in the definition (renamed by LimeSurvey?)
collect: survey 655565 on LimeSurvey differs from the definition in 2 places: it was left inactive (delete it in LimeSurvey, fix the definition and launch again)" "duplicate renamed"
expect_eq "$(grep -c '"served"' requests.log)" 2 "stopped after the read-back"
expect_eq "$(sql d.sqlite "select count(*) from launches")" 0 "not recorded"

# the leading digit: '2nbETP' became 'q2nbETP'
script digit.script import_survey=import_survey.question_code_leading_digit \
    list_questions=list_questions.after_import_question_code_leading_digit
start_server --fixtures "$LS_LAUNCH" --ls-script digit.script --ls-script-only
L="launch --survey $D --platform limesurvey --store g.sqlite --url $BASE/index.php/admin/remotecontrol"
run 3 $L -q
expect_eq "$(cat err.txt)" "collect: $BASE/index.php/admin/remotecontrol: survey 239528: question 'nbETP' (variable 'nb_etp') is not on the platform
collect: $BASE/index.php/admin/remotecontrol: survey 239528: question 'q2nbETP' on the platform is not in the definition (renamed by LimeSurvey?)
collect: survey 239528 on LimeSurvey differs from the definition in 2 places: it was left inactive (delete it in LimeSurvey, fix the definition and launch again)" "leading digit renamed"

# the server refuses the file
script bad.script import_survey=import_survey.not_lss_content
start_server --fixtures "$LS_LAUNCH" --ls-script bad.script --ls-script-only
L="launch --survey $D --platform limesurvey --store b.sqlite --url $BASE/index.php/admin/remotecontrol"
run 4 $L -q
expect_eq "$(cat err.txt)" "collect: $BASE/index.php/admin/remotecontrol: import_survey: Error: This is not a valid LimeSurvey survey structure XML file." "import refused"

# refused before anything is sent
: > requests.log
run 3 launch --survey "$SURVEYS/lsbad" --platform limesurvey --store x.sqlite --url "$BASE/index.php/admin/remotecontrol"
F="$SURVEYS/lsbad/survey.json"
expect_eq "$(cat err.txt)" "collect: $F: variables[0] 'region': code '11': LimeSurvey answer code 'ILEFRA' is longer than 5 characters (LimeSurvey cuts or drops it); set the code's platform.limesurvey
collect: $F: variables[1] 'statut': LimeSurvey question code 'region' is used twice: LimeSurvey would rename the second question without an error; give each its own platform.limesurvey
collect: $F: variables[2] 'difficult': LimeSurvey question code '2difficult' starts with a digit: LimeSurvey would rename it 'q2difficult' without an error; set platform.limesurvey to a code starting with a letter
collect: $F: variables[3] 'nb_etp': LimeSurvey question code 'nb_ETP' contains '_': LimeSurvey removes it without an error (it would become 'nbETP'); set platform.limesurvey, e.g. 'nbETP'
collect: $F: variables[4] 'causes': code 'att': 'other' is LimeSurvey's own column of a multiple choice; set the code's platform.limesurvey
collect: $F: variables[8] 'commentaire': LimeSurvey question code 'token' is also a column of LimeSurvey's responses
collect: $F: 6 problems for LimeSurvey: nothing was sent (fix the definition and run again)" "refused up front"
expect_eq "$(cat requests.log | wc -l)" 0 "not a request"
if [ -e x.sqlite ]; then fail "a refused launch made a store"; fi

