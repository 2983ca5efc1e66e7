#!/usr/bin/env python3
"""Check a figure made by plot (used by the golden cases' check scripts).

  check_figure.py svg FILE LABEL...   every LABEL is the text of one <text> element
  check_figure.py svg-prefix FILE P   some <text> element starts with P
  check_figure.py png FILE WIDTH      PNG signature, IHDR width (300 dpi), a height > 0, pHYs 300 dpi
  check_figure.py pdf FILE            PDF header, fixed creation date, %%EOF
  check_figure.py layout FILE         no two texts overlap (boxes from DejaVu Sans advance widths),
                                      no text ends with '…' (long labels are wrapped, not cut)
  check_figure.py above FILE P Q      the text starting with P is drawn above every text starting with Q
"""
import re
import struct
import sys
import xml.etree.ElementTree as ET
import zlib


def svg_texts(path):
    root = ET.parse(path).getroot()
    texts = []
    for el in root.iter():
        if el.tag.endswith('}text') or el.tag == 'text':
            texts.append(''.join(el.itertext()))
    return texts


# DejaVu Sans advance widths of ' '..'~' in 1/2048 em (the same metrics plot_text.c uses)
ASCII_W = [
    651, 821, 942, 1716, 1303, 1946, 1595, 563, 799, 799, 1024, 1716, 651, 739, 651, 690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690, 690, 1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604, 604, 1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799, 690, 799, 1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721, 1300, 1298, 569, 569, 1186, 569, 1995, 1298, 1253,
    1300, 1300, 842, 1067, 803, 1298, 1212, 1675, 1212, 1212, 1075, 1303, 690, 1303, 1716]


def text_width(text, size, bold):
    em = 0.0
    for ch in text:
        cp = ord(ch)
        if 0x20 <= cp <= 0x7e:
            em += ASCII_W[cp - 0x20] / 2048.0
        elif cp == 0x202f:
            em += 0.2
        elif cp in (0xa0, 0x2019):
            em += 0.318
        elif 0xc0 <= cp <= 0xde:
            em += 0.72
        else:
            em += 0.62
    return em * size * (1.09 if bold else 1.0)


def svg_boxes(path):
    """Each text's box (left, top, right, bottom, text) in the SVG's units (pt)."""
    root = ET.parse(path).getroot()
    boxes = []
    for g in root.iter():
        if not g.tag.endswith('}g'):
            continue
        tr = g.get('transform', '')
        m = re.match(r'translate\(([-0-9.]+),([-0-9.]+)\)', tr)
        if not m:
            continue
        for el in g:
            if not el.tag.endswith('}text'):
                continue
            text = ''.join(el.itertext())
            if not text.strip():
                continue
            x, y = float(m.group(1)), float(m.group(2))
            size = float(g.get('font-size', '9'))
            w = text_width(text, size, g.get('font-weight') == 'bold')
            anchor = g.get('text-anchor', 'start')
            left = x - w if anchor == 'end' else x - w / 2 if anchor == 'middle' else x
            # gnuplot writes the baseline: capitals rise ~0.73 em, descenders ~0.24 em
            boxes.append((left, y - 0.73 * size, left + w, y + 0.24 * size, text))
    return boxes


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == 'svg':
        texts = svg_texts(path)
        missing = [want for want in sys.argv[3:] if want not in texts]
        if missing:
            print('missing texts in %s: %r' % (path, missing))
            print('texts were: %r' % texts[:80])
            return 1
        head = open(path, encoding='utf-8').read(400)
        if 'pt"' not in head:
            print('svg width/height not in points')
            return 1
    elif kind == 'layout':
        boxes = svg_boxes(path)
        bad = 0
        for i, a in enumerate(boxes):
            if a[4].endswith('\u2026'):
                print('%s: text cut with an ellipsis: %r' % (path, a[4]))
                bad += 1
            for b in boxes[i + 1:]:
                # a tolerance of 0.3 pt: adjacent lines of one wrapped label touch
                if (a[0] < b[2] - 0.3 and b[0] < a[2] - 0.3 and
                        a[1] < b[3] - 0.3 and b[1] < a[3] - 0.3):
                    print('%s: texts overlap: %r and %r' % (path, a[4], b[4]))
                    bad += 1
        if bad:
            return 1
    elif kind == 'above':
        boxes = svg_boxes(path)
        ps = [b for b in boxes if b[4].startswith(sys.argv[3])]
        qs = [b for b in boxes if b[4].startswith(sys.argv[4])]
        if not ps or not qs:
            print('%s: no text starting with %r or %r' % (path, sys.argv[3], sys.argv[4]))
            return 1
        if max(p[3] for p in ps) > min(q[1] for q in qs):
            print('%s: %r is not above %r' % (path, sys.argv[3], sys.argv[4]))
            return 1
    elif kind == 'svg-prefix':
        if not any(t.startswith(sys.argv[3]) for t in svg_texts(path)):
            print('no text starting with %r' % sys.argv[3])
            return 1
    elif kind == 'png':
        data = open(path, 'rb').read(33)
        if data[:8] != b'\x89PNG\r\n\x1a\n' or data[12:16] != b'IHDR':
            print('not a PNG')
            return 1
        width, height = struct.unpack('>II', data[16:24])
        if width != int(sys.argv[3]) or height <= 0:
            print('PNG is %dx%d, expected width %s' % (width, height, sys.argv[3]))
            return 1
        # the resolution office software reads: pHYs, 300 dpi = 11811 px/m, right after IHDR
        data = open(path, 'rb').read(33 + 21)
        if data[37:41] != b'pHYs' or struct.unpack('>IIB', data[41:50]) != (11811, 11811, 1):
            print('PNG has no pHYs chunk of 300 dpi after IHDR')
            return 1
        if zlib.crc32(data[37:50]) != struct.unpack('>I', data[50:54])[0]:
            print('PNG pHYs chunk has a bad CRC')
            return 1
    elif kind == 'pdf':
        data = open(path, 'rb').read()
        if not data.startswith(b'%PDF-1.') or b'%%EOF' not in data[-32:]:
            print('not a PDF')
            return 1
        if b'/CreationDate (D:20000101000000' not in data:
            print('PDF creation date not fixed')
            return 1
    else:
        print('unknown check ' + kind)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
