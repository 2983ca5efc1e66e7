need_launch
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
# collect definition from the live survey: the recorded survey 591732 (survey properties,
# titles, groups, questions in fr; the en list served again: only fr was recorded), with
# get_question_properties emulated from the recorded .lss (only one such reply was recorded)
script live.script get_survey_properties=get_survey_properties.before_launch \
    get_language_properties=get_language_properties.fr.default_templates \
    get_language_properties=get_language_properties.en.all_fields \
    list_groups=list_groups list_questions=list_questions list_questions=list_questions
start_server --fixtures "$LS_LAUNCH" --ls-script live.script --ls-script-only --ls-lss "$LS_LAUNCH/launch_survey.366.lss"
run 0 definition --platform limesurvey --url "$BASE/index.php/admin/remotecontrol" --survey-id 591732 --id launch -o live.json
expect_not_in requests.log MISMATCH
expect_eq "$(grep -c '"get_question_properties' requests.log)" 14 "answers and attributes of 7 questions, fr and en"
run 0 definition --from "$LS_LAUNCH/launch_survey.366.lss" --id launch -o file.json
expect_eq "$(python3 -c "
import json
a = json.load(open('live.json')); b = json.load(open('file.json'))
for d in (a, b):
    for v in d['variables']:
        v.pop('label')
        for c in v.get('codes', []): c.pop('label')
    d.pop('title'); d.pop('source')
print('same' if a == b else json.dumps(a)[:3000])
")" same "live survey and its .lss give the same definition"
expect_eq "$(python3 -c "
import json
d = json.load(open('live.json'))
print(' '.join('%s:%s:%s' % (v['name'], v['type'], (v.get('platform') or {}).get('limesurvey', v['name'])) for v in d['variables']))
print(d['_suggested_roles'], d['_suggested_frame']['strata'])
print([c['code'] for c in d['variables'][1]['codes']], d['variables'][4].get('relevant'), d['variables'][3].get('max'))
")" "region:single:region statut:single:statut difficult:yesno:difficult nbetp:number:nbETP causes:multiple:causes opinion_sq001:likert:opinion[SQ001] opinion_sq002:likert:opinion[SQ002] opinion_sq003:likert:opinion[SQ003] commentaire:text:commentaire
{'region': 'region'} ['region', 'sector']
['OUV', 'FER', 'PROJ'] difficult=1 500" "live definition"
