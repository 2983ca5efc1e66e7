# Hostile or broken servers: pagination links into file://, to another host or to
# themselves; an endless body, a 2 GB Content-Length, a gzip bomb; permanent HTTP
# errors not retried; a secret in the URL's query string never shown nor stored;
# a ~/.netrc others can read refused.
cp "$T/data/kobo.json" kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
K="fetch --survey $SURVEYS/mini --platform kobo --survey-id a1 --retries 0"
start_server --kobo-data kobo.json --fault nextfile
run 4 $K --store f.sqlite --url "$BASE"
expect_in err.txt "file:///etc/passwd: next-page link is not http(s): refused"
if [ -e f.sqlite ]; then fail "a page with a refused link was stored"; fi
start_server --kobo-data kobo.json --fault nextother
run 4 $K --store o.sqlite --url "$BASE"
expect_in err.txt "next-page link leaves the source's host '127.0.0.1': refused"
expect_not_in requests.log '"host": "localhost'
start_server --kobo-data kobo.json --fault nextself
run 4 $K --store l.sqlite --url "$BASE"
expect_in err.txt "next-page link already followed: the server's pages loop"
expect_eq "$(grep -c '/api/v2/assets/' requests.log)" 1 "requests before the loop was seen"
# plain JSON: a next link into a local file
printf '{"data":{"items":[{"id":"a","region":"11","secteur":"pa","difficulte":"1"}]},"next":"file:///etc/passwd"}' > p.json
start_server --plain-dir .
run 4 fetch --survey "$SURVEYS/mini" --store p.sqlite --platform json --url "$BASE/plain/p.json" --records data.items --next next
expect_in err.txt "next-page link is not http(s): refused"

# replies too large: refused at once, not retried, memory bounded by the cap
for f in hugebody hugelength gzipbomb; do
    start_server --kobo-data kobo.json --fault $f
    run 4 $K --store h.sqlite --url "$BASE" --retries 2 --retry-delay 0 --max-reply-size 8M
    expect_in err.txt "reply larger than 8388608 bytes (decompressed): refused (--max-reply-size raises the limit)"
    expect_eq "$(grep -c '/api/v2/assets/' requests.log)" 1 "$f: not retried"
done
run 2 $K --store h.sqlite --url "$BASE" --max-reply-size lots
expect_in err.txt "--max-reply-size: expected a size from 1K to 64G (e.g. 512M), not 'lots'"

# permanent errors are not retried; 503 is
start_server --kobo-data kobo.json --fault status=501
run 4 $K --store e.sqlite --url "$BASE" --retries 3 --retry-delay 0
expect_in err.txt "HTTP 501"
expect_eq "$(grep -c '/api/v2/assets/' requests.log)" 1 "501 not retried"
start_server --kobo-data kobo.json --fault status=503
run 4 $K --store e.sqlite --url "$BASE" --retries 2 --retry-delay 0
expect_eq "$(grep -c '/api/v2/assets/' requests.log)" 3 "503 retried"

# a secret in the query string: redacted in messages and in the store's source name
printf 'id,region,secteur,difficulte\nc1,11,pa,1\n' > plain.csv
start_server --plain-dir . --fault 500always
run 4 fetch --survey "$SURVEYS/mini" --store q.sqlite --platform csv --url "$BASE/plain/plain.csv?api_key=SeCrEt123&x=1" --retries 0
expect_not_in err.txt "SeCrEt123"
expect_in err.txt "plain.csv?api_key=REDACTED&x=1"
start_server --plain-dir .
run 0 fetch --survey "$SURVEYS/mini" --store q.sqlite --platform csv --url "$BASE/plain/plain.csv?api_key=SeCrEt123&x=1"
expect_not_in q.sqlite "SeCrEt123"
expect_eq "$(sql q.sqlite 'select distinct source from responses')" "http://127.0.0.1:$PORT/plain/plain.csv?api_key=REDACTED&x=1" "source name"

# ~/.netrc readable by others: refused like the credentials file (HOME is this directory)
unset VIGIE_KOBO_TOKEN
printf 'machine 127.0.0.1 login u password NetRcPass9\n' > .netrc
chmod 644 .netrc
run 2 $K --store n.sqlite --url "$BASE"
expect_in err.txt ".netrc: refused: readable by others (mode 0644); run 'chmod 600"
expect_not_in err.txt "NetRcPass9"
