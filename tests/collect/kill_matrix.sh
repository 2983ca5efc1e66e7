# The kill/resume matrix, sourced by cases/kill_matrix_*.sh (helpers of run-case.sh).
#
# For one platform and each server order (newest first, oldest first), an
# incremental run (after new, edited, reviewed and completed responses) is cut at
# every page boundary k (the k-th data request fails with HTTP 500 and
# --retries 0), a first run at pages 1 and 2; an incremental run is killed with
# SIGKILL while page 2 hangs, and cut mid-body at page 2. After each, a plain re-run must leave the store
# equal to a clean full fetch of the same data (same rows, same values, no
# duplicate), with the same sync mark, and PRAGMA integrity_check ok.
#
# The case defines:
#   M_FETCH          fetch arguments without --store (@BASE@ stands for the server)
#   m_make           write the platform's data for version 1 and 2 (v1.json, v2.json;
#                    once per order, after the server started: $BASE and $order are set)
#   M_DATA           the file the server reads (each version is copied there)
#   M_PAGES          the data requests of the incremental run (k goes from 1 to M_PAGES)
#   M_SERVER         start_server arguments (without --order and --control)
#   M_DATA_PATTERN   what the data requests have in the request log

m_data() { # m_data v1|v2
    cp "$1.json" "$M_DATA"
}

m_dump() { # the store's content, fetch times left out
    sql "$1" "select source, id, submitted, data, raw, complete, review from responses order by source, id;
              select source, id, reason from rejects order by source, id"
}

m_check() { # m_check STORE WHAT
    got=$(m_dump "$1")
    if [ "$got" != "$REF" ]; then
        fail "$2: the store differs from a clean full fetch"
        printf '%s\n' "$got" > got.txt
        printf '%s\n' "$REF" > ref.txt
        diff ref.txt got.txt | head -20
    fi
    expect_eq "$(sql "$1" "pragma integrity_check;
        select count(*) - count(distinct source || char(31) || id) from responses;
        select key, value from sync_state where key <> 'variables_seen' order by key")" \
        "ok
0
$REF_MARK" "$2: integrity, duplicates, sync state"
}

m_fetch() { # m_fetch STORE [extra args]: exit status in $M_RC
    st=$1
    shift
    "$COLLECT" $(printf '%s' "$M_FETCH" | sed "s|@BASE@|$BASE|g") --store "$st" "$@" >m-out.txt 2>m-err.txt
    M_RC=$?
}

m_rerun() { # a normal re-run must succeed
    : > control
    m_fetch "$1"
    if [ "$M_RC" != 0 ]; then fail "$2: re-run exited $M_RC"; cat m-err.txt; fi
}

m_from_v1() { # s.sqlite as a clean fetch of v1 left it, the server now on v2
    rm -f s.sqlite*
    cp v1.sqlite s.sqlite
    m_data v2
}

m_order() { # m_order newest|oldest
    order=$1
    : > control
    start_server $M_SERVER --order "$order" --control control
    m_make
    # the references: a clean fetch of v1 (kept), then of v2 on top (the sync state a
    # normal history leaves), and a clean full fetch of v2 (the rows)
    m_data v1
    rm -f v1.sqlite* ref.sqlite* clean.sqlite*
    m_fetch v1.sqlite
    [ "$M_RC" = 0 ] || { fail "$order: reference fetch v1 exited $M_RC"; cat m-err.txt; }
    m_from_v1
    mv s.sqlite ref.sqlite
    m_fetch ref.sqlite
    [ "$M_RC" = 0 ] || { fail "$order: reference fetch v2 exited $M_RC"; cat m-err.txt; }
    m_fetch clean.sqlite
    REF=$(m_dump clean.sqlite)
    expect_eq "$(m_dump ref.sqlite)" "$REF" "$order: incremental reference equals a full fetch"
    REF_MARK=$(sql ref.sqlite "select key, value from sync_state where key <> 'variables_seen' order by key")
    [ -n "$REF" ] || fail "$order: empty reference"

    k=1
    while [ $k -le "$M_PAGES" ]; do
        # an incremental run cut at page k, then re-run
        m_from_v1
        echo "fail $k" > control
        m_fetch s.sqlite --retries 0
        m_rerun s.sqlite "$order incremental, page $k"
        m_check s.sqlite "$order incremental run cut at page $k"
        # a first run cut at page k (the first pages only), then re-run
        if [ $k -le 2 ]; then
            rm -f s.sqlite*
            echo "fail $k" > control
            m_fetch s.sqlite --retries 0
            m_rerun s.sqlite "$order first run, page $k"
            m_check s.sqlite "$order first run cut at page $k"
        fi
        k=$((k + 1))
    done

    # kill -9 while page 2 of an incremental run hangs
    m_from_v1
    echo "hang 2" > control
    : > requests.log
    "$COLLECT" $(printf '%s' "$M_FETCH" | sed "s|@BASE@|$BASE|g") --store s.sqlite --retries 0 >/dev/null 2>&1 &
    pid=$!
    i=0
    while [ "$(grep -c "$M_DATA_PATTERN" requests.log)" -lt 2 ] && [ $i -lt 500 ]; do
        sleep 0.02
        i=$((i + 1))
    done
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    m_rerun s.sqlite "$order kill -9"
    m_check s.sqlite "$order killed (SIGKILL) at page 2"

    # a reply cut mid-body at page 2
    m_from_v1
    echo "cut 2" > control
    m_fetch s.sqlite --retries 0
    expect_eq "$M_RC" 4 "$order: exit status of a cut reply"
    m_rerun s.sqlite "$order cut"
    m_check s.sqlite "$order cut mid-page 2"
    stop_server
}

m_order newest
m_order oldest
