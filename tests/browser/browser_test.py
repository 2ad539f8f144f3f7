#!/usr/bin/env python3
"""Opens a report in a real browser (headless Chromium) and checks what a reader would see.

    tests/browser/browser_test.py RARESHOCK_BINARY [--study FILE] [--out DIR]

Runs the study (default: models/studies/default.yaml) with the built binary into a temporary
directory, then opens its report.html in headless Chromium, offline, with a fresh profile:
  1. --dump-dom: the page parses; every chart the report announces (<meta name=
     "rareshock-charts">) is there as an <svg role="img"> with a title, a description and
     drawn content; no element loads anything (no src/href to other files or sites);
  2. the browser log has no console message (no script error, no blocked or failed load);
  3. --screenshot: a PNG of the top of the page is written (to --out, default the current
     directory, as report-screenshot.png) and is not blank;
  4. --print-to-pdf: the page prints (the print style sheet) to a PDF of several pages.
Exit 0 when all pass, 1 otherwise. Chromium missing is a failure with a clear message (CI
installs it with scripts/install-deps test).
"""
import argparse
import html.parser
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
TIMEOUT_S = 180
failures = []


def fail(msg):
    failures.append(msg)
    print(f"FAIL {msg}")


def find_chromium():
    for c in (os.environ.get("RARESHOCK_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
              shutil.which("chromium-browser")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def chromium(binary, profile, *args):
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)


class Dom(html.parser.HTMLParser):
    """Collects the charts (<svg role="img">) and what they contain, and loading attributes."""

    def __init__(self):
        super().__init__()
        self.meta_charts = None
        self.charts = []  # dicts: id, children, title, desc
        self.stack = []   # open svg elements: index into charts
        self.text_target = None
        self.loads = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and a.get("name") == "rareshock-charts":
            self.meta_charts = int(a.get("content", "-1"))
        for attr in ("src", "href", "xlink:href", "data", "srcset", "poster"):
            v = a.get(attr)
            if v is not None and not v.startswith("#") and not v.startswith("data:"):
                self.loads.append(f"<{tag} {attr}={v!r}>")
        if tag == "svg":
            self.charts.append({"id": a.get("id", "?"), "role": a.get("role"), "aria": a.get("aria-label", ""),
                                "children": 0, "shapes": 0, "title": "", "desc": ""})
            self.stack.append(len(self.charts) - 1)
            return
        if self.stack:
            chart = self.charts[self.stack[-1]]
            chart["children"] += 1
            if tag in ("path", "rect", "line", "polygon", "circle", "polyline"):
                chart["shapes"] += 1
            if tag in ("title", "desc") and not chart[tag]:
                self.text_target = (chart, tag)

    def handle_endtag(self, tag):
        if tag == "svg" and self.stack:
            self.stack.pop()
        if tag in ("title", "desc"):
            self.text_target = None

    def handle_data(self, data):
        if self.text_target:
            chart, key = self.text_target
            chart[key] += data


def png_size_and_ink(path):
    """Width, height and the share of non-white pixels of an 8-bit RGB/RGBA PNG."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    if depth != 8 or colour not in (2, 6) or interlace:
        return width, height, None
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    ink = 0
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):  # every 4th pixel is enough
            if line[x] < 235 or line[x + 1] < 235 or line[x + 2] < 235:
                ink += 1
        prev = line
    return width, height, ink / max(1, (width // 4) * height)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--study", default="models/studies/default.yaml")
    ap.add_argument("--out", default=".", help="where to write report-screenshot.png")
    args = ap.parse_args()

    browser = find_chromium()
    if not browser:
        print("FAIL headless Chromium is not installed (looked for /usr/bin/chromium, chromium, "
              "chromium-browser, $RARESHOCK_CHROMIUM).\n     Install the test dependencies: "
              "scripts/install-deps test   (Debian package 'chromium')")
        return 1

    with tempfile.TemporaryDirectory(prefix="rareshock-browser-") as tmp:
        tmp = pathlib.Path(tmp)
        run_dir = tmp / "run"
        proc = subprocess.run([os.path.abspath(args.binary), "-q", "run", args.study, "-o", str(run_dir),
                               "--set", "outputs.formats=[json, csv, html, md]"],
                              cwd=ROOT, capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0 or not (run_dir / "report.html").is_file():
            print(f"FAIL rareshock run {args.study} (exit {proc.returncode}):\n{proc.stderr}")
            return 1
        url = (run_dir / "report.html").resolve().as_uri()
        print(f"report: {run_dir / 'report.html'} ({(run_dir / 'report.html').stat().st_size} bytes)")

        # 1 and 2: the DOM as the browser built it, and its log.
        dom_run = chromium(browser, tmp / "profile-dom", "--dump-dom", url)
        if dom_run.returncode != 0 or "<html" not in dom_run.stdout:
            fail(f"chromium --dump-dom failed (exit {dom_run.returncode}): {dom_run.stderr[-2000:]}")
            return 1
        console = [l for l in dom_run.stderr.splitlines() if ":CONSOLE" in l]
        for line in console:
            fail(f"browser console: {line.strip()[:400]}")
        dom = Dom()
        dom.feed(dom_run.stdout)
        if dom.meta_charts is None or dom.meta_charts <= 0:
            fail("the page does not announce its charts (<meta name=\"rareshock-charts\">)")
        charts = [c for c in dom.charts if c["role"] == "img"]
        if dom.meta_charts is not None and len(charts) != dom.meta_charts:
            fail(f"{len(charts)} charts in the page, {dom.meta_charts} announced")
        for c in charts:
            if c["shapes"] < 3 or c["children"] < 5:
                fail(f"chart {c['id']} is empty ({c['children']} elements, {c['shapes']} shapes)")
            if not c["title"].strip() or not c["desc"].strip() or not c["aria"].strip():
                fail(f"chart {c['id']} lacks a title, description or aria-label")
        for load in dom.loads:
            fail(f"the page loads a resource: {load}")
        print(f"dom: {len(charts)} charts, {sum(c['shapes'] for c in charts)} shapes, "
              f"{len(console)} console messages")

        # 3: a screenshot of the top of the page.
        out = pathlib.Path(args.out).resolve()
        out.mkdir(parents=True, exist_ok=True)
        shot = out / "report-screenshot.png"
        if shot.exists():
            shot.unlink()
        shot_run = chromium(browser, tmp / "profile-shot", "--window-size=1280,2400", f"--screenshot={shot}", url)
        if shot_run.returncode != 0 or not shot.is_file():
            fail(f"chromium --screenshot failed (exit {shot_run.returncode}): {shot_run.stderr[-2000:]}")
        else:
            info = png_size_and_ink(shot)
            if info is None:
                fail(f"{shot} is not a PNG")
            else:
                w, h, ink = info
                print(f"screenshot: {shot} ({w}x{h}, {ink:.1%} of the page inked)" if ink is not None
                      else f"screenshot: {shot} ({w}x{h})")
                if (w, h) != (1280, 2400):
                    fail(f"screenshot is {w}x{h}, expected 1280x2400")
                if ink is not None and ink < 0.02:
                    fail(f"screenshot is (nearly) blank: {ink:.1%} inked")

        # 4: print.
        pdf = tmp / "report.pdf"
        pdf_run = chromium(browser, tmp / "profile-pdf", "--no-pdf-header-footer", f"--print-to-pdf={pdf}", url)
        if pdf_run.returncode != 0 or not pdf.is_file():
            fail(f"chromium --print-to-pdf failed (exit {pdf_run.returncode}): {pdf_run.stderr[-2000:]}")
        else:
            data = pdf.read_bytes()
            pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
            print(f"pdf: {len(data)} bytes, {pages} pages")
            if not data.startswith(b"%PDF") or pages < 2:
                fail(f"printed PDF looks wrong ({len(data)} bytes, {pages} pages)")

    if failures:
        print(f"{len(failures)} problem(s)")
        return 1
    print("ok: report.html opens cleanly in headless Chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
