# Sample platform exports for the demo, made by the project's own generator
# (deterministic: seed 2026), and the ground truth they were drawn from.
# Sourced by scripts/demo with OUT, SRC, VIGIE_SURVEYS and the tool paths set; POSIX sh.
sample_out=$OUT/sample
mkdir -p "$sample_out"

"$GENSAMPLE" -q --survey recrutement --seed 2026 --n 412 --format limesurvey \
    -o "$sample_out/recrutement.limesurvey.json" --truth "$sample_out/.truth-recrutement.json"
echo "sample: $sample_out/recrutement.limesurvey.json (LimeSurvey export, 412 establishments)"

"$GENSAMPLE" -q --survey numerique --seed 2026 --n 380 --format kobo \
    -o "$sample_out/numerique.kobo.json" --truth "$sample_out/.truth-numerique.json"
echo "sample: $sample_out/numerique.kobo.json (KoboToolbox data page, 380 establishments)"

"$GENSAMPLE" -q --survey remuneration --seed 2026 --n 20000 --format csv \
    -o "$sample_out/remuneration.csv" --truth "$sample_out/.truth-remuneration.json"
echo "sample: $sample_out/remuneration.csv (pay survey, 20000 employees)"

# Two earlier recrutement waves (their own seeds and fieldwork dates, a lower truth) for the
# figure across waves (25-waves.sh).
for wave in 2024 2025; do
    "$GENSAMPLE" -q --survey recrutement --wave "$wave" --seed "$wave" --n 412 \
        --format limesurvey -o "$sample_out/recrutement-$wave.limesurvey.json" \
        --truth "$sample_out/.truth-recrutement-$wave.json"
    echo "sample: $sample_out/recrutement-$wave.limesurvey.json (LimeSurvey export, wave $wave, 412 establishments)"
done

# One ground-truth file for the three surveys (each part is a JSON object).
{
    printf '{"format": "vigie-truth/1",\n"recrutement": '
    cat "$sample_out/.truth-recrutement.json"
    printf ',\n"numerique": '
    cat "$sample_out/.truth-numerique.json"
    printf ',\n"remuneration": '
    cat "$sample_out/.truth-remuneration.json"
    printf ',\n"recrutement_2024": '
    cat "$sample_out/.truth-recrutement-2024.json"
    printf ',\n"recrutement_2025": '
    cat "$sample_out/.truth-recrutement-2025.json"
    printf '}\n'
} >"$sample_out/truth.json.tmp"
mv "$sample_out/truth.json.tmp" "$sample_out/truth.json"
rm -f "$sample_out/.truth-recrutement.json" "$sample_out/.truth-numerique.json" \
    "$sample_out/.truth-remuneration.json" "$sample_out/.truth-recrutement-2024.json" \
    "$sample_out/.truth-recrutement-2025.json"
echo "sample: $sample_out/truth.json (ground truth: model parameters and population values)"
