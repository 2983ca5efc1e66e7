#!/usr/bin/env python3
"""Write the malformed-CSV corpus every reader is checked against (issue 11).

One clean normalised file of the test survey tests/analyse/surveys/mini, then
the same file with one malformation each. The files are committed; this
script says how they were made (python3 make-corpus.py writes corpus/).
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
HEADER = "source,id,region,secteur,taille,etp_bud_as,etp_vac_as"


def rows(n=40):
    reg, sec, tai = ["r1", "r2", "r3"], ["pa", "ph"], ["t1", "t2", ""]
    out = []
    for i in range(n):
        vac = "" if i % 7 == 3 else "%.1f" % (i % 5 * 0.5)
        out.append("src,e%03d,%s,%s,%s,%.1f,%s" % (i, reg[i % 3], sec[(i // 3) % 2], tai[i % 3],
                                                 10.0 + i % 17, vac))
    return out


def lf(lines):
    return ("\n".join(lines) + "\n").encode()


def put(name, data):
    with open(os.path.join(OUT, name + ".csv"), "wb") as f:
        f.write(data)


def main():
    os.makedirs(OUT, exist_ok=True)
    r = rows()
    base = [HEADER] + r
    put("ok-lf", lf(base))
    put("ok-crlf-bom-excel-fr", b"\xef\xbb\xbf" + "\r\n".join(
        [HEADER.replace(",", ";")] + [x.replace(",", ";").replace(".", ",") for x in r]).encode()
        + b"\r\n")
    q = list(base)
    q[5] = q[5].replace("src,", '"line one\nline, two ""quoted""",', 1)
    q[9] = q[9].replace("src,", '"",', 1)
    put("ok-quoted-newlines", lf(q))
    b = list(base)
    b[10:10] = ["", '""', ""]
    put("ok-blank-lines", lf(b) + b"\n")
    put("ok-no-final-newline", lf(base)[:-1])
    put("ok-utf8-text", lf([base[0]] + [x.replace("src,", "Île-de-France €,", 1) for x in r]))
    u = list(base)
    u[20] = u[20].replace("src,", '"src', 1)
    put("bad-unterminated-quote-mid-file", lf(u))
    u = list(base)
    u[-1] = u[-1].replace("src,", '"src,', 1)
    put("bad-unterminated-quote-last-row", lf(u))
    put("bad-bare-cr-line-ends", ("\r".join(base) + "\r").encode())
    c = list(base)
    c[12] = c[12].replace("src,", "s\rc,", 1)
    put("bad-bare-cr-in-field", lf(c))
    put("bad-cr-cr-lf", lf(base[:8]) + lf([base[8]])[:-1] + b"\r\r\n" + lf(base[9:]))
    z = lf(base)
    i = z.index(b"e017")
    put("bad-nul-in-id", z[:i + 2] + b"\x00" + z[i + 2:])
    i = z.index(b"12.0", z.index(b"e019"))
    put("bad-nul-in-number", z[:i + 2] + b"\x00" + z[i + 2:])
    put("bad-nul-in-header", z[:3] + b"\x00" + z[3:])
    m = list(base)
    m[15] = m[15] + ",extra"
    put("bad-too-many-fields", lf(m))
    m = list(base)
    m[16] = m[16].rsplit(",", 1)[0]
    put("bad-too-few-fields", lf(m))
    m = list(base)
    m[22] = m[22].replace("src,", "s\"rc,", 1)
    put("bad-stray-quote", lf(m))
    m = list(base)
    m[23] = m[23].replace("src,", '"src"x,', 1)
    put("bad-text-after-quote", lf(m))
    w = lf([base[0]] + [x.replace("src,", "Île,", 1) for x in r]).replace(
        "Île".encode(), "Île".encode("cp1252"))
    put("bad-windows-1252", w)
    w = lf(base)
    i = w.index(b"e030")
    put("bad-windows-1252-one-row", w[:i] + "é".encode("cp1252") + w[i:])
    put("bad-overlong-utf8", lf(base).replace(b"e031", b"e\xc0\xaf31"))
    put("bad-surrogate-utf8", lf(base).replace(b"e032", b"e\xed\xa0\x80"))
    put("bad-truncated-utf8-at-end", lf(base) + b"src,e099,r1,pa,t1,1.0,\xc3")
    put("bad-invalid-bom", b"\xef\xbb" + lf(base))
    put("bad-header-only-unterminated", b'source,"id\n')
    put("edge-header-only", lf([HEADER]))
    put("edge-empty", b"")
    put("edge-bom-only", b"\xef\xbb\xbf")


main()
