# Recrutement across waves: collect the earlier waves' exports (10-sample.sh) into their
# own stores and compute the national shortage indicators of every wave the same way
# (national rows, raking weights), for the figure across waves.
# Sourced by scripts/demo with OUT, SRC, VIGIE_SURVEYS and the tool paths set; POSIX sh, set -e.
# analyse takes a table's wave from the definition's "wave": each earlier wave gets a copy
# of the definition with its year ($OUT/waves/<year>/recrutement, beside a copy of common/).
waves_defs=$OUT/waves
waves_tables=$OUT/tables/waves
mkdir -p "$waves_tables"

for wave in 2024 2025; do
    rm -rf "$waves_defs/$wave"
    mkdir -p "$waves_defs/$wave"
    cp -R "$VIGIE_SURVEYS/common" "$VIGIE_SURVEYS/recrutement" "$waves_defs/$wave/"
    sed -e "s/\"wave\": \"2026\"/\"wave\": \"$wave\"/" -e "s/\"version\": \"2026\\./\"version\": \"$wave./" \
        -e "s/des adhérents, 2026\"/des adhérents, $wave\"/" -e "s/survey, 2026\"/survey, $wave\"/" \
        "$VIGIE_SURVEYS/recrutement/survey.json" >"$waves_defs/$wave/recrutement/survey.json"
    grep -q "\"wave\": \"$wave\"" "$waves_defs/$wave/recrutement/survey.json"
    rm -f "$OUT/store/recrutement-$wave.sqlite"
    "$COLLECT" fetch --quiet --survey "$waves_defs/$wave/recrutement" \
        --store "$OUT/store/recrutement-$wave.sqlite" --platform limesurvey \
        --url "file://$OUT/sample/recrutement-$wave.limesurvey.json" \
        --hash-key-file "$OUT/store/demo-hash.key"
    echo "waves: $OUT/store/recrutement-$wave.sqlite (recrutement wave $wave normalised and stored)"
done

for wave in 2024 2025 2026; do
    if [ "$wave" = 2026 ]; then
        def=recrutement store=$OUT/store/recrutement.sqlite
    else
        def=$waves_defs/$wave/recrutement store=$OUT/store/recrutement-$wave.sqlite
    fi
    "$ANALYSE" shortage -q --survey "$def" --store "$store" --weights rake \
        -o "$waves_tables/shortage-$wave.csv"
    echo "waves: $waves_tables/shortage-$wave.csv (national shortage indicators, wave $wave)"
done
