#!/usr/bin/env python3
"""Loopback HTTP test server for collect: platform-shaped replies and faults.

Binds 127.0.0.1 on an ephemeral port, writes the port to --port-file, logs
every request (method, path, Host, Authorization, body) as JSON lines to
--log, and serves until killed.

Platforms:
  POST /index.php/admin/remotecontrol       LimeSurvey RemoteControl 2
      data: --ls-data FILE (a decoded export {"responses": [...]}), re-read
      on every request; with --fixtures DIR (the recorded LimeSurvey 6.4.2
      transcripts) the recorded bodies are served whenever they apply.
  GET  /api/v2/assets/<uid>/data/           KoboToolbox v2 (Token auth)
      data: --kobo-data FILE (a JSON list of submissions), re-read per request
  POST /v1/sessions, GET /v1/projects/<p>/forms/<f>.svc/Submissions, DELETE /v1/sessions/current
      ODK Central; data: --odk-data FILE (a JSON list of OData rows)
  GET  /plain/<name>                        the file <name> under --plain-dir
  GET  /redirect-other-host/<rest>          302 to http://localhost:<port>/<rest>

Faults (--fault, repeatable), applied to data requests (Kobo/ODK/plain pages,
LimeSurvey export_responses):
  429once   first data request: 429 with Retry-After: 1
  500once   first data request: 500
  500always every data request: 500
  cutonce   first data request: Content-Length longer than the body, then close
  cutalways every data request cut
  badjson   data requests answer invalid JSON
  html      every LimeSurvey call answers the recorded HTML error page (HTTP 500)
  emptybody every LimeSurvey call answers HTTP 200 with an empty body
  renew     the first export_responses answers 'Invalid session key'
  emptyrecord  empty LimeSurvey windows hold the one all-empty record
  oldshape  LimeSurvey exports use the old shape [{"<id>": {...}}]
  slow=S    every request waits S seconds before answering
  hugebody  data requests answer an endless body (no Content-Length, chunks until cut)
  hugelength data requests announce a 2 GB Content-Length
  gzipbomb  data requests answer a small gzip body that expands to 64 MB
  nextself  Kobo/ODK/plain pages link to themselves as next page
  nextfile  Kobo pages link to file:///etc/passwd as next page
  nextother Kobo pages link to another host (localhost instead of 127.0.0.1)
  status=N  data requests answer HTTP N

--control FILE: faults at a chosen data request, read at every data request;
the count of data requests restarts whenever the file's text changes:
  fail K    the K-th data request answers 500
  hang K    the K-th data request never answers (the client is killed meanwhile)
  cut K     the K-th data request is cut mid-body
--order newest|oldest: Kobo and ODK rows sorted by submission time (ODK's own
order is newest first); LimeSurvey rows of a window in descending id order for
newest.
  slowdata=S  data requests wait S seconds
  gzip      replies are gzip-compressed when the client accepts it
  mailfail  invitations and reminders to addresses containing "fail" fail (left unsent)
  stuck     invite/remind answer "3 left to send" and mail nobody
  refuserow add_participants refuses addresses containing "refuse" (row "errors")

Replay (--ls-script FILE, with --fixtures DIR): each line "method fixture-file"; the
LimeSurvey calls other than login and logout are answered, in order, with the recorded
bodies (a call of another method than the next line's is a 500 "replay: expected ...");
once the script is used up, the emulation below answers (or a 500 with --ls-script-only).
--ls-lss FILE: get_question_properties of survey 591732 emulated from that .lss (only the
statut question's reply was recorded), outside the script.

LimeSurvey participants (list_participants, activate_tokens, add_participants,
invite_participants, remind_participants, get/set_survey_properties for the attribute
descriptions, export_responses_by_token) are emulated on an in-memory table:
--ls-table absent (default) or empty; --ls-maxemails N mails per call (3);
--ls-descriptions JSON the survey's attributedescriptions ("" by default);
--ls-answered TID,... participants with a complete response under their token (their
flag stays "N", as add_response leaves it), after an abandoned one.
With --fixtures, the recorded add_participants / list_participants bodies are
served byte for byte when they apply: add_participants of the five recorded
e-mails to an empty table, and list_participants asked exactly as recorded
([key, 364215, 0, 10, false, ["completed"]]) while the table holds just them.
Invitations mark `sent` with a fixed past date (2026-01-05 10:00), so that
reminders with --min-days apply at once; reminders mark today.
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LS_PATH = "/index.php/admin/remotecontrol"
LS_USER = "admin"
LS_PASSWORD = "s3cret-pass"  # the test password; tests assert it never leaks
KOBO_TOKEN = "kobo-test-token-123"
ODK_EMAIL = "staff@example.org"
ODK_PASSWORD = "odk-pass-456"
KOBO_MAX_LIMIT = 3  # the server's own cap, smaller than what clients ask

ARGS = None
LOCK = threading.Lock()
STATE = {"data_requests": 0, "exports": 0, "keys": set(), "key_n": 0, "skiptokens": {},
         "ptable": None, "pattrs": [], "precorded": False}
INVITE_DATE = "2026-01-05 10:00"


def fixture(name):
    if not ARGS.fixtures:
        return None
    p = os.path.join(ARGS.fixtures, name)
    if not os.path.exists(p):
        return None
    with open(p, "rb") as f:
        return f.read()


def faults():
    return ARGS.fault or []


def fault_value(prefix):
    for f in faults():
        if f.startswith(prefix + "="):
            return float(f.split("=", 1)[1])
    return 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        pass

    def log_request_json(self, body):
        entry = {
            "method": self.command,
            "path": self.path,
            "host": self.headers.get("Host"),
            "authorization": self.headers.get("Authorization"),
            "accept_encoding": self.headers.get("Accept-Encoding"),
            "body": body.decode("utf-8", "replace") if body else "",
        }
        with LOCK:
            with open(ARGS.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    def log_served(self, name):
        """Note in the log that a recorded body was served as is (LOCK is held)."""
        with open(ARGS.log, "a") as f:
            f.write(json.dumps({"served": name}) + "\n")

    def send(self, status, body, ctype="application/json", headers=None, cut=False):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if "gzip" in faults() and "gzip" in (self.headers.get("Accept-Encoding") or "") and body:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if cut:
            self.send_header("Content-Length", str(len(body) + 1000))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        if ARGS.bytes_log:
            with LOCK:
                with open(ARGS.bytes_log, "a") as f:
                    f.write("%d\n" % len(body))

    def control(self):
        """(verb, k) from --control, and the count of data requests since it changed."""
        text = ""
        if ARGS.control and os.path.exists(ARGS.control):
            with open(ARGS.control) as f:
                text = f.read().strip()
        with LOCK:
            if STATE.get("control") != text:
                STATE["control"] = text
                STATE["control_n"] = 0
            STATE["control_n"] += 1
            n = STATE["control_n"]
        parts = text.split()
        if len(parts) == 2:
            return parts[0], int(parts[1]), n
        return None, 0, n

    def data_fault(self):
        """Apply data-request faults. True when a reply was sent."""
        verb, k, cn = self.control()
        self.ctl_cut = verb == "cut" and cn == k
        if verb == "fail" and cn == k:
            self.send(500, "<html><body>Internal Server Error</body></html>", "text/html")
            return True
        if verb == "hang" and cn == k:
            time.sleep(60)
            self.close_connection = True
            return True
        with LOCK:
            STATE["data_requests"] += 1
            n = STATE["data_requests"]
        st = fault_value("status")
        if st:
            self.send(int(st), '{"detail":"Not implemented."}')
            return True
        if "hugelength" in faults():
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(2 * 1024 ** 3))
            self.end_headers()
            try:
                for _ in range(2048):
                    self.wfile.write(b" " * 1024 * 1024)
            except OSError:
                pass
            self.close_connection = True
            return True
        if "hugebody" in faults():
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                self.wfile.write(b'{"results": [')
                for _ in range(4096):
                    self.wfile.write(b'{"_id": 1},' * 50000)
            except OSError:
                pass
            self.close_connection = True
            return True
        if "gzipbomb" in faults():
            body = gzip.compress(b'{"results": [' + b" " * (64 * 1024 * 1024) + b"]}")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        d = fault_value("slowdata")
        if d:
            time.sleep(d)
        if "429once" in faults() and n == 1:
            self.send(429, '{"detail":"Request was throttled."}', headers={"Retry-After": "1"})
            return True
        if ("500once" in faults() and n == 1) or "500always" in faults():
            self.send(500, "<html><body>Internal Server Error</body></html>", "text/html")
            return True
        if "badjson" in faults():
            self.send(200, '{"count": 3, "results": [{"_id": 1,')
            return True
        return False

    def cut_now(self):
        with LOCK:
            n = STATE["data_requests"]
        if getattr(self, "ctl_cut", False):
            return True
        return "cutalways" in faults() or ("cutonce" in faults() and n == 1)

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    # ------------------------------------------------------------ dispatch
    def do_GET(self):
        self.handle_any(b"")

    def do_POST(self):
        self.handle_any(self.read_body())

    def do_DELETE(self):
        self.handle_any(b"")

    def handle_any(self, body):
        self.log_request_json(body)
        s = fault_value("slow")
        if s:
            time.sleep(s)
        u = urllib.parse.urlsplit(self.path)
        path = u.path
        if path.startswith("/redirect-other-host/"):
            port = self.server.server_address[1]
            rest = self.path[len("/redirect-other-host"):]
            self.send(302, "", headers={"Location": "http://localhost:%d%s" % (port, rest)})
            return
        if path.startswith("/redirect-same-host/"):
            rest = self.path[len("/redirect-same-host"):]
            self.send(302, "", headers={"Location": rest})
            return
        if path == LS_PATH and self.command == "POST":
            return self.limesurvey(body)
        if path.startswith("/api/v2/assets/"):
            return self.kobo(u)
        if path == "/v1/sessions" and self.command == "POST":
            return self.odk_session(body)
        if path.startswith("/v1/sessions/"):
            return self.send(200, '{"success":true}')
        if path.startswith("/v1/projects/"):
            return self.odk(u)
        if path.startswith("/plain/"):
            return self.plain(path[len("/plain/"):])
        self.send(404, '{"detail":"Not found."}')

    # ------------------------------------------------------------ LimeSurvey
    def ls_reply(self, rid, result, name=None):
        rec = fixture(name) if name else None
        if rec is not None:
            return self.send(200, rec)
        self.send(200, json.dumps({"id": rid, "result": result, "error": None}, separators=(",", ":")))

    def limesurvey(self, body):
        if "html" in faults():
            page = fixture("unknown_method.response.json") or b"<!DOCTYPE html><html><body>Error</body></html>"
            return self.send(500, page, "text/html; charset=UTF-8")
        if "emptybody" in faults():
            return self.send(200, b"", "text/html")
        try:
            req = json.loads(body)
        except ValueError:
            return self.send(200, '{"id":null,"result":null,"error":"unable to decode malformed json"}')
        method, params, rid = req.get("method"), req.get("params") or [], req.get("id")
        if method == "get_session_key":
            if params[:2] == [LS_USER, LS_PASSWORD]:
                with LOCK:
                    STATE["key_n"] += 1
                    key = "SESSIONKEY_PLACEHOLDER_32CHARS__" if STATE["key_n"] == 1 else (
                        "RENEWEDKEY_%d_" % STATE["key_n"]).ljust(32, "x")
                    STATE["keys"].add(key)
                return self.ls_reply(rid, key, "get_session_key.ok.response.json" if STATE["key_n"] == 1 else None)
            return self.ls_reply(rid, {"status": "Invalid user name or password"},
                                 "get_session_key.bad_password.response.json")
        key = params[0] if params else None
        if method == "release_session_key":
            with LOCK:
                STATE["keys"].discard(key)
            return self.ls_reply(rid, "OK", "release_session_key.response.json")
        if key not in STATE["keys"]:
            # LimeSurvey's capitalisation varies; this one differs from the recording
            return self.ls_reply(rid, {"status": "Invalid Session Key"})
        if method == "get_question_properties" and ARGS.ls_lss:
            return self.ls_reply(rid, question_properties(params[1], params[3] if len(params) > 3 else "fr"))
        if ARGS.ls_script:
            with LOCK:
                if STATE["script"]:
                    want, name = STATE["script"].pop(0)
                    if want != method:
                        self.log_served("MISMATCH expected %s got %s" % (want, method))
                        return self.send(500, "replay: expected %s, got %s" % (want, method), "text/plain")
                    self.log_served(name)
                    return self.send(200, fixture(name))
                if ARGS.ls_script_only:
                    self.log_served("MISMATCH script exhausted, got %s" % method)
                    return self.send(500, "replay: script exhausted, got %s" % method, "text/plain")
        if method in ("list_participants", "activate_tokens", "add_participants",
                      "invite_participants", "remind_participants", "get_survey_properties",
                      "set_survey_properties", "export_responses_by_token"):
            with LOCK:
                return self.ls_participants(method, params, rid, body)
        data = self.ls_data()
        if method == "get_summary":
            n = len(data["responses"])
            if n == 0:
                return self.ls_reply(rid, None, "get_summary.no_responses.response.json") if fixture(
                    "get_summary.no_responses.response.json") else self.ls_reply(
                    rid, {"completed_responses": 0, "incomplete_responses": 0, "full_responses": 0})
            if self.ls_pristine():
                return self.ls_reply(rid, None, "get_summary.all.response.json")
            inc = sum(1 for r in data["responses"] if not r.get("submitdate"))
            return self.ls_reply(rid, {"completed_responses": str(n - inc), "incomplete_responses": str(inc),
                                       "full_responses": str(n)})
        if method == "export_responses":
            with LOCK:
                STATE["exports"] += 1
                first = STATE["exports"] == 1
            if "renew" in faults() and first:
                with LOCK:
                    STATE["keys"].discard(key)
                return self.ls_reply(rid, {"status": "Invalid session key"},
                                     "export_responses.invalid_session_key.response.json")
            if self.data_fault():
                return
            if not data["responses"]:
                return self.ls_reply(rid, None, "export_responses.json.no_responses.response.json") if fixture(
                    "export_responses.json.no_responses.response.json") else self.ls_reply(
                    rid, {"status": "No Data, could not get max id."})
            lo = params[7] if len(params) > 7 and params[7] is not None else 1
            hi = params[8] if len(params) > 8 and params[8] is not None else 10 ** 9
            rec_name = "export_responses.json.all.code.short.from%d_to%d.response.json" % (lo, hi)
            if self.ls_pristine() and "oldshape" not in faults() and fixture(rec_name) is not None:
                return self.send(200, fixture(rec_name), headers={}, cut=self.cut_now())
            cache_key = (lo, hi, tuple(faults()))
            cached = STATE["ls_windows"].get(cache_key)
            if cached is not None:
                return self.send(200, cached % json.dumps(rid).encode(), cut=self.cut_now())
            rows = [r for r in data["responses"] if r.get("id") != "" and lo <= int(r["id"]) <= hi]
            if ARGS.order == "newest":
                rows.sort(key=lambda r: -int(r["id"]))
            if not rows and "emptyrecord" in faults() and data["responses"]:
                rows = [{k: "" for k in data["responses"][0]}]
            if "oldshape" in faults():
                rows = [{str(r["id"]): {k: v for k, v in r.items() if k != "id"}} if r.get("id") != "" else r
                        for r in rows]
            doc = json.dumps({"responses": rows})
            b64 = base64.b64encode(doc.encode())
            body = b'{"id":%s, "result":"' + b64 + b'", "error":null}'
            STATE["ls_windows"][cache_key] = body
            return self.send(200, body % json.dumps(rid).encode(), cut=self.cut_now())
        return self.send(500, fixture("unknown_method.response.json") or b"<html>error</html>", "text/html")

    # ------------------------------------------------------------ LimeSurvey participants
    def recorded_request_matches(self, name, body):
        rec = fixture(name)
        if rec is None:
            return False
        want = json.loads(rec)
        got = json.loads(body)
        return want["method"] == got.get("method") and want["params"][1:] == got.get("params", [])[1:]

    def ls_participants(self, method, params, rid, body):
        table = STATE["ptable"]
        if method == "get_survey_properties":
            return self.ls_reply(rid, {"attributedescriptions": STATE["attrdesc"]})
        if method == "set_survey_properties":
            props = params[2] if len(params) > 2 and isinstance(params[2], dict) else {}
            if "attributedescriptions" not in props:
                return self.ls_reply(rid, {"status": "No valid Data"})
            STATE["attrdesc"] = props["attributedescriptions"]
            return self.ls_reply(rid, {"attributedescriptions": True})
        if method == "export_responses_by_token":
            toks = params[3] if isinstance(params[3], list) else [params[3]]
            rows = []
            for t in (table or []):
                if t["token"] in toks and t["tid"] in ARGS.ls_answered:
                    # an abandoned session first, then the completed one (one token, two rows)
                    if params[5] != "complete":
                        rows.append({"id": 100 + t["tid"], "token": t["token"], "submitdate": ""})
                    rows.append({"id": 200 + t["tid"], "token": t["token"],
                                 "submitdate": "2026-01-06 10:00:00"})
            doc = json.dumps({"responses": rows}).encode()
            return self.ls_reply(rid, base64.b64encode(doc).decode())
        if method == "activate_tokens":
            if table is None:
                STATE["ptable"] = []
                # integers become attribute_N; the described attributes are created too
                names = ["attribute_%d" % int(n) for n in (params[2] if len(params) > 2 else [])]
                if STATE["attrdesc"]:
                    names += [k for k in json.loads(STATE["attrdesc"]) if k not in names]
                STATE["pattrs"] = names
            return self.ls_reply(rid, {"status": "OK"})
        if method == "list_participants":
            if table is None:
                return self.ls_reply(rid, {"status": "Error: No survey participants table"})
            if not table:
                return self.ls_reply(rid, {"status": "No survey participants found."})
            if STATE["precorded"] and self.recorded_request_matches("list_participants.request.json", body):
                self.log_served("list_participants.response.json")
                return self.send(200, fixture("list_participants.response.json"))
            start, limit = params[2], params[3]
            attrs = params[5] if len(params) > 5 and params[5] else []
            rows = []
            # iStart is a lower bound on tid, not an offset (as recorded)
            for t in [t for t in table if t["tid"] >= start][:limit]:
                row = {"tid": t["tid"], "token": t["token"],
                       "participant_info": {"firstname": t["firstname"], "lastname": t["lastname"],
                                            "email": t["email"]}}
                for a in attrs:
                    if a in t:
                        row[a] = t[a]
                rows.append(row)
            return self.ls_reply(rid, rows)
        if method == "add_participants":
            if table is None:
                return self.ls_reply(rid, {"status": "No survey participants table"})
            data = params[2]
            rec = fixture("add_participants.response.json")
            if rec is not None and not table:
                recorded = json.loads(rec)["result"]
                if [d.get("email") for d in data] == [r["email"] for r in recorded]:
                    for r in recorded:
                        t = dict(r)
                        t["tid"] = int(r["tid"])
                        table.append(t)
                    STATE["precorded"] = True
                    self.log_served("add_participants.response.json")
                    return self.send(200, rec)
            STATE["precorded"] = False
            out = []
            for d in data:
                email = d.get("email", "")
                if "@" not in email or ("refuserow" in faults() and "refuse" in email):
                    row = dict(d)
                    row["errors"] = {"email": ["Invalid email address."]}
                    out.append(row)
                    continue
                tid = (max(t["tid"] for t in table) if table else 0) + 1
                t = {"sent": "N", "remindersent": "N", "remindercount": 0, "completed": "N",
                     "usesleft": 1, "emailstatus": "OK", "firstname": d.get("firstname", ""),
                     "lastname": d.get("lastname", ""), "email": email,
                     "token": "TOKEN%08d" % tid, "language": d.get("language", ""), "tid": tid}
                for a in STATE["pattrs"]:
                    t[a] = d.get(a, "")
                table.append(t)
                row = dict(t)
                row["tid"] = str(tid)
                out.append(row)
            return self.ls_reply(rid, out)
        # invite_participants / remind_participants
        if table is None:
            return self.ls_reply(rid, {"status": "Error: No survey participants table"})
        STATE["precorded"] = False
        remind = method == "remind_participants"
        if "stuck" in faults():
            return self.ls_reply(rid, {"status": "3 left to send"})
        if remind:
            min_days = params[2] if len(params) > 2 else None
            max_rem = params[3] if len(params) > 3 else None
            tids = params[4] if len(params) > 4 and params[4] not in (False, None) else None
            today = time.strftime("%Y-%m-%d %H:%M")
            def ok(t):
                if t["completed"] != "N" or t["sent"] == "N" or t["emailstatus"] != "OK":
                    return False
                if max_rem and t["remindercount"] >= max_rem:
                    return False
                last = t["remindersent"] if t["remindersent"] != "N" else t["sent"]
                if min_days and last[:10] >= today[:10]:
                    return False
                return tids is None or t["tid"] in tids
        else:
            tids = params[2] if len(params) > 2 else None
            only_new = params[3] if len(params) > 3 else True
            def ok(t):
                if t["completed"] != "N" or t["emailstatus"] != "OK":
                    return False
                if (t["sent"] == "N") != bool(only_new):
                    return False
                return tids is None or t["tid"] in tids
        cand = [t for t in table if ok(t)]
        if not cand:
            return self.ls_reply(rid, {"status": "Error: No candidate tokens"})
        batch = cand[:ARGS.ls_maxemails]
        res = {}
        for t in batch:
            name = ("%s %s" % (t["firstname"], t["lastname"])).strip()
            if "mailfail" in faults() and "fail" in t["email"]:
                res[str(t["tid"])] = {"name": name, "email": t["email"], "status": "Failed",
                                      "error": "SMTP Error: Could not connect to SMTP host."}
                continue
            if remind:
                t["remindersent"] = time.strftime("%Y-%m-%d %H:%M")
                t["remindercount"] += 1
            else:
                t["sent"] = INVITE_DATE
            res[str(t["tid"])] = {"name": name, "email": t["email"], "status": "OK"}
        res["status"] = "%d left to send" % (len(cand) - len(batch))
        return self.ls_reply(rid, res)

    def ls_data(self):
        # re-read when the file changes (tests edit it between runs); cached otherwise,
        # so that the benchmark measures the client, not this server
        st = os.stat(ARGS.ls_data)
        stamp = (st.st_mtime_ns, st.st_size)
        with LOCK:
            if STATE.get("ls_stamp") != stamp:
                with open(ARGS.ls_data, "rb") as f:
                    STATE["ls_doc"] = json.loads(f.read())
                STATE["ls_stamp"] = stamp
                STATE["ls_windows"] = {}
            return STATE["ls_doc"]

    def ls_pristine(self):
        rec = fixture("export_responses.json.all.code.short.decoded.json")
        if rec is None:
            return False
        with open(ARGS.ls_data, "rb") as f:
            return hashlib.sha256(f.read()).digest() == hashlib.sha256(rec).digest()

    # ------------------------------------------------------------ Kobo
    def kobo(self, u):
        auth = self.headers.get("Authorization")
        if auth != "Token " + KOBO_TOKEN:
            return self.send(401, '{"detail":"Invalid token."}')
        if self.data_fault():
            return
        q = urllib.parse.parse_qs(u.query)
        start = int(q.get("start", ["0"])[0])
        limit = min(int(q.get("limit", ["100"])[0]), KOBO_MAX_LIMIT)
        with open(ARGS.kobo_data) as f:
            subs = json.load(f)
        if "query" in q:
            try:
                flt = json.loads(q["query"][0])
            except ValueError:
                return self.send(400, '{"query":"Value must be valid JSON."}')
            t = flt.get("_submission_time", {})
            if "$gte" in t:
                subs = [s for s in subs if s["_submission_time"] >= t["$gte"]]
            if "$gt" in t:
                subs = [s for s in subs if s["_submission_time"] > t["$gt"]]
        if ARGS.order:
            subs.sort(key=lambda s: (s["_submission_time"], s["_id"]), reverse=ARGS.order == "newest")
        page = subs[start:start + limit]
        nxt = None
        if "nextself" in faults():
            nxt = "http://%s%s" % (self.headers.get("Host"), self.path)
        elif "nextfile" in faults():
            nxt = "file:///etc/passwd"
        elif "nextother" in faults():
            nxt = "http://localhost:%d%s" % (self.server.server_address[1], self.path)
        elif start + limit < len(subs):
            q2 = dict((k, v[0]) for k, v in q.items())
            q2["start"] = str(start + limit)
            q2["limit"] = str(limit)
            nxt = "http://%s%s?%s" % (self.headers.get("Host"), u.path, urllib.parse.urlencode(q2))
        prev = None
        body = json.dumps({"count": len(subs), "next": nxt, "previous": prev, "results": page})
        self.send(200, body, cut=self.cut_now())

    # ------------------------------------------------------------ ODK Central
    def odk_session(self, body):
        try:
            req = json.loads(body)
        except ValueError:
            return self.send(400, '{"code":400.1,"message":"Could not parse the given data."}')
        if req.get("email") == ODK_EMAIL and req.get("password") == ODK_PASSWORD:
            return self.send(200, '{"token":"odk-session-token-789","createdAt":"2026-01-01T00:00:00.000Z",'
                                  '"expiresAt":"2026-01-02T00:00:00.000Z"}')
        return self.send(401, '{"code":401.2,"message":"Could not authenticate with the provided credentials."}')

    def odk(self, u):
        if self.headers.get("Authorization") != "Bearer odk-session-token-789":
            return self.send(401, '{"code":401.2,"message":"Could not authenticate with the provided credentials."}')
        if not u.path.endswith(".svc/Submissions"):
            return self.send(404, '{"code":404.1,"message":"Could not find the resource you were looking for."}')
        if self.data_fault():
            return
        q = urllib.parse.parse_qs(u.query)
        top = int(q.get("$top", ["1000"])[0])
        with open(ARGS.odk_data) as f:
            rows = json.load(f)
        if "$filter" in q:
            flt = q["$filter"][0]
            parts = flt.split(" ")
            # "__system/submissionDate ge T or __system/updatedAt ge T"
            t = parts[2]
            rows = [r for r in rows if r["__system"]["submissionDate"] >= t or
                    (r["__system"].get("updatedAt") or "") >= t]
        if ARGS.order:
            rows.sort(key=lambda r: (r["__system"]["submissionDate"], r["__id"]), reverse=ARGS.order == "newest")
        skip = 0
        if "$skiptoken" in q:
            tok = q["$skiptoken"][0]
            if tok not in STATE["skiptokens"]:
                return self.send(400, '{"code":400.35,"message":"Invalid $skiptoken"}')
            skip = STATE["skiptokens"][tok]
        page = rows[skip:skip + top]
        out = {"@odata.context": "http://%s/v1/projects/1/forms/f.svc/$metadata#Submissions" % self.headers.get("Host"),
               "value": page}
        if skip + top < len(rows):
            tok = "01e" + base64.b64encode(os.urandom(6)).decode().replace("=", "")
            STATE["skiptokens"][tok] = skip + top
            q2 = {"$top": str(top), "$skiptoken": tok}
            if "$filter" in q:
                q2["$filter"] = q["$filter"][0]
            out["@odata.nextLink"] = "http://%s%s?%s" % (self.headers.get("Host"), u.path,
                                                          urllib.parse.urlencode(q2, quote_via=urllib.parse.quote))
        self.send(200, json.dumps(out), cut=self.cut_now())

    # ------------------------------------------------------------ plain
    def plain(self, name):
        if self.data_fault():
            return
        p = os.path.join(ARGS.plain_dir or ".", os.path.basename(name))
        if not os.path.exists(p):
            return self.send(404, '{"detail":"Not found."}')
        with open(p, "rb") as f:
            body = f.read()
        ctype = "text/csv" if p.endswith(".csv") else "application/json"
        self.send(200, body, ctype, cut=self.cut_now())


def question_properties(qid, lang):
    """get_question_properties emulated from a .lss (--ls-lss) for the recorded survey 591732:
    the question is found by its title in the recorded list_questions reply, then its answers
    and attributes are read from the .lss, in the shape of the one recorded reply (statut)."""
    import xml.etree.ElementTree as ET
    listed = json.loads(fixture("list_questions.response.json"))["result"]
    title = next((q["title"] for q in listed if q["qid"] == qid), None)
    doc = ET.parse(ARGS.ls_lss).getroot()
    rows = lambda t: [{c.tag: (c.text or "") for c in r} for r in doc.find(t).find("rows")]
    q = next((r for r in rows("questions") if r["title"] == title and r["language"] == "fr"), None)
    if q is None:
        return {"status": "Error: Invalid questionid"}
    answers = {}
    for a in rows("answers"):
        if a["qid"] == q["qid"] and a["language"] == lang:
            answers[a["code"]] = {"answer": a["answer"], "assessment_value": 0, "scale_id": 0,
                                  "order": int(a["sortorder"])}
    attrs = {a["attribute"]: a["value"] for a in rows("question_attributes") if a["qid"] == q["qid"]}
    attrs.setdefault("cssclass", "")
    return {"qid": qid, "parent_qid": 0, "sid": 591732, "type": q["type"], "title": title,
            "mandatory": q["mandatory"], "relevance": q["relevance"], "attributes": attrs,
            "available_answers": "No available answers", "subquestions": "No available answers",
            "answeroptions": answers or "No available answers", "defaultvalue": None}


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--fixtures")
    ap.add_argument("--ls-data")
    ap.add_argument("--kobo-data")
    ap.add_argument("--odk-data")
    ap.add_argument("--plain-dir")
    ap.add_argument("--fault", action="append")
    ap.add_argument("--ls-table", choices=["absent", "empty"], default="absent")
    ap.add_argument("--ls-maxemails", type=int, default=3)
    ap.add_argument("--ls-answered", type=lambda v: [int(x) for x in v.split(",")], default=[])
    ap.add_argument("--ls-descriptions", default="")
    ap.add_argument("--ls-script")
    ap.add_argument("--ls-script-only", action="store_true")
    ap.add_argument("--ls-lss")
    ap.add_argument("--control")
    ap.add_argument("--bytes-log", help="append the size of every reply body sent in full")
    ap.add_argument("--order", choices=["newest", "oldest"])
    ARGS = ap.parse_args()
    STATE["attrdesc"] = ARGS.ls_descriptions
    STATE["script"] = []
    if ARGS.ls_script:
        with open(ARGS.ls_script) as f:
            for line in f:
                line = line.split("#", 1)[0].split()
                if line:
                    STATE["script"].append((line[0], line[1]))
    if ARGS.ls_table == "empty":
        STATE["ptable"] = []
    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # clients that give up (time-outs, kills) are part of the tests

    srv = Server(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, ARGS.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
