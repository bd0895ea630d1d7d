"""Turns two help centres that this project did not write into FAQ entries for the evaluation.

Sources (Debian bookworm packages, unpacked with `dpkg-deb -x`):
- gnome-user-docs 43.0-2: /usr/share/help/{C,fr}/gnome-help/*.page (Mallard), CC BY-SA 3.0,
  Shaun McCance and the GNOME Documentation Project. Topic pages only (guide pages are indexes).
- libreoffice-help-en-us and libreoffice-help-fr 4:7.4.7-1+deb12u14:
  /usr/share/libreoffice/help/{en-US,fr}/text/swriter/guide/*.html, MPL-2.0, The Document Foundation.

Each entry is {"id","locale","question","answer"}: the page's title, and its text (the GNOME page's
summary first). The index keywords LibreOffice ships are left out: an entry gets only what a brand's
own FAQ would have, a question and an answer.

Usage: python3 extract.py GNOME_ROOT LIBREOFFICE_ROOT OUT_DIR
"""

import html
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

MALLARD = "{http://projectmallard.org/1.0/}"
ANSWER_CHARS = 1500


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def mallard_text(element):
    """The readable text of a Mallard element, skipping its <info> block and credits."""
    parts = []
    for child in element.iter():
        if child.tag in (MALLARD + "info", MALLARD + "credit", MALLARD + "revision"):
            continue
        if child.text:
            parts.append(child.text)
        if child.tail:
            parts.append(child.tail)
    return squash(" ".join(parts))


def gnome(root, locale_dir):
    entries = []
    for path in sorted(Path(root, locale_dir, "gnome-help").glob("*.page")):
        page = ET.parse(path).getroot()
        if page.get("type") != "topic":
            continue
        title = page.find(MALLARD + "title")
        info = page.find(MALLARD + "info")
        desc = info.find(MALLARD + "desc") if info is not None else None
        body = [mallard_text(c) for c in page if c.tag not in (MALLARD + "info", MALLARD + "title")]
        summary = mallard_text(desc) if desc is not None else ""
        answer = squash(" ".join([summary] + body))[:ANSWER_CHARS]
        entries.append({"id": path.stem, "question": mallard_text(title), "answer": answer})
    return entries


def libreoffice(root, locale_dir):
    entries = []
    for path in sorted(Path(root, locale_dir, "text/swriter/guide").glob("*.html")):
        page = path.read_text(encoding="utf-8")
        area = page.split('id="DisplayArea"', 1)[-1]
        area = re.sub(r"<meta[^>]*>", " ", area)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", area, re.S)
        if not heading:
            continue
        title = squash(html.unescape(re.sub(r"<[^>]+>", " ", heading.group(1))))
        rest = area[heading.end():]
        rest = re.sub(r"<script.*?</script>", " ", rest, flags=re.S)
        text = squash(html.unescape(re.sub(r"<[^>]+>", " ", rest)))
        entries.append({"id": path.stem, "question": title, "answer": text[:ANSWER_CHARS]})
    return entries


def write(out_dir, name, locale, entries):
    with open(Path(out_dir, f"{name}.{locale}.jsonl"), "w", encoding="utf-8") as out:
        for entry in entries:
            out.write(json.dumps({"id": entry["id"], "locale": locale, "question": entry["question"],
                                  "answer": entry["answer"]}, ensure_ascii=False) + "\n")
    print(f"{name}.{locale}: {len(entries)} entries")


if __name__ == "__main__":
    gnome_root, libreoffice_root, out_dir = sys.argv[1:4]
    for locale, gnome_dir, lo_dir in (("en", "C", "en-US"), ("fr", "fr", "fr")):
        write(out_dir, "gnome-help", locale, gnome(gnome_root, gnome_dir))
        write(out_dir, "libreoffice-writer", locale, libreoffice(libreoffice_root, lo_dir))
