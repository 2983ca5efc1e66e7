# Collect the sample exports as the platforms deliver them: fetch each one over a
# file:// URL into the survey's store (normalised against the definition, bad
# responses set aside with the reason), then export the normalised records as CSV.
# Sourced by scripts/demo with OUT, SRC, VIGIE_SURVEYS and the tool paths set; POSIX sh, set -e.
store=$OUT/store
data=$OUT/data
mkdir -p "$store" "$data"

# The key that replaces identifiers (FINESS numbers, employers) by keyed hashes.
# A real federation keeps its own key out of the output directory.
key=$store/demo-hash.key
(umask 077 && printf 'vigie-demo-key-not-secret\n' >"$key")

collect_one() { # survey platform file
    "$COLLECT" fetch --quiet --survey "$1" --store "$store/$1.sqlite" \
        --platform "$2" --url "file://$OUT/sample/$3" --hash-key-file "$key"
    echo "collect: $store/$1.sqlite ($3 normalised and stored)"
    "$COLLECT" export --quiet --survey "$1" --store "$store/$1.sqlite" \
        --format csv -o "$data/$1.csv"
    echo "collect: $data/$1.csv (normalised responses, personal data hashed or left out)"
}

collect_one recrutement limesurvey recrutement.limesurvey.json
collect_one numerique kobo numerique.kobo.json
collect_one remuneration csv remuneration.csv
