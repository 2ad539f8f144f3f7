#!/usr/bin/env python3
"""Golden test of report.md: renders every run directory under tests/report/fixtures/ with
`rareshock report DIR --format md` (on a copy) and compares report.md byte for byte with
tests/report/expected/<fixture>.md. Also checks that every chart report.md links exists in
charts/ and is a complete SVG document.

    tests/report/golden.py RARESHOCK_BINARY            compare
    tests/report/golden.py RARESHOCK_BINARY --update   re-bless the expected files
"""
import difflib
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent


def render(binary, fixture, tmp):
    run = pathlib.Path(tmp) / fixture.name
    shutil.copytree(fixture, run)
    proc = subprocess.run([binary, "-q", "report", str(run), "--format", "md"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{fixture.name}: rareshock report failed ({proc.returncode}):\n{proc.stderr}")
    return run


def check_charts(run, text):
    problems = []
    links = re.findall(r"\]\((charts/[^)]+\.svg)\)", text)
    for link in links:
        svg = run / link
        if not svg.is_file():
            problems.append(f"missing chart {link}")
            continue
        body = svg.read_text(encoding="utf-8")
        if not body.startswith("<?xml") or "<svg" not in body or not body.rstrip().endswith("</svg>"):
            problems.append(f"chart {link} is not a complete SVG document")
    extra = {p.name for p in (run / "charts").glob("*")} - {pathlib.Path(l).name for l in links}
    if extra:
        problems.append(f"charts not linked from report.md: {sorted(extra)}")
    return problems


def main():
    args = [a for a in sys.argv[1:] if a != "--update"]
    update = "--update" in sys.argv[1:]
    if len(args) != 1:
        sys.exit(__doc__)
    binary = args[0]
    fixtures = sorted(p for p in (HERE / "fixtures").iterdir() if (p / "summary.json").is_file())
    if not fixtures:
        sys.exit("no fixtures found under tests/report/fixtures/")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for fixture in fixtures:
            run = render(binary, fixture, tmp)
            got = (run / "report.md").read_bytes()
            expected_file = HERE / "expected" / f"{fixture.name}.md"
            problems = check_charts(run, got.decode("utf-8"))
            if update:
                expected_file.parent.mkdir(exist_ok=True)
                expected_file.write_bytes(got)
                print(f"updated {expected_file.relative_to(HERE.parent.parent)}")
            elif not expected_file.exists():
                problems.append(f"no expected file {expected_file} (run with --update)")
            elif expected_file.read_bytes() != got:
                diff = difflib.unified_diff(
                    expected_file.read_text(encoding="utf-8").splitlines(keepends=True),
                    got.decode("utf-8").splitlines(keepends=True),
                    fromfile=f"expected/{fixture.name}.md", tofile="rendered report.md")
                problems.append("report.md differs from the expected file:\n" + "".join(list(diff)[:120]))
            for p in problems:
                print(f"FAIL {fixture.name}: {p}")
            failures += bool(problems)
            if not problems:
                print(f"ok   {fixture.name}")
    if failures:
        print(f"{failures} of {len(fixtures)} golden reports failed; if the change is intended, "
              f"re-bless with: tests/report/golden.py {binary} --update")
        sys.exit(1)


if __name__ == "__main__":
    main()
