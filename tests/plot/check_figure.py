#!/usr/bin/env python3
"""Check a figure made by plot (used by the golden cases' check scripts).

  check_figure.py svg FILE LABEL...   every LABEL is the text of one <text> element
  check_figure.py svg-prefix FILE P   some <text> element starts with P
  check_figure.py png FILE WIDTH      PNG signature, IHDR width (300 dpi), a height > 0, pHYs 300 dpi
  check_figure.py pdf FILE            PDF header, fixed creation date, %%EOF
"""
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
