#!/usr/bin/env python3
"""Round trip of `rareshock config --resolved`, and basic command-line behaviour.

Usage: round_trip.py RARESHOCK_BINARY      (run from the repository root)

For every shipped input (models/*.yaml and models/{examples,scenarios,studies}/*.yaml):
  1. `config FILE --resolved` prints the resolved input (exit 0);
  2. that text is written to a temporary file in the SAME directory as FILE (so relative
     paths would still resolve), which is deleted afterwards;
  3. `validate TMP` exits 0 and prints the same summary line as `validate FILE`;
  4. `config TMP --resolved` prints exactly the same bytes as step 1 (a fixed point).
Then: `validate` of a missing file exits 2, no arguments exits 2, and `version --verbose`
exits 0 and prints a `git sha:` line. Finally the complete examples of docs/formats.md (code
blocks whose first line is `# file: NAME`) are written to a temporary directory and each one
validates (exit 0) and round-trips the same way.
Exit status 0 when everything passes, 1 otherwise, 2 on usage errors.
"""
import difflib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

TIMEOUT_S = 120
failures: list[str] = []


def run(binary: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT_S, env={**os.environ, "LC_ALL": "C"}, cwd=cwd)


def fail(what: str, proc: subprocess.CompletedProcess | None = None) -> None:
    msg = what
    if proc is not None:
        msg += f"\n    exit status {proc.returncode}\n    stderr:\n      " + \
            proc.stderr.decode(errors="replace").rstrip().replace("\n", "\n      ")
    failures.append(msg)
    print(f"FAIL {msg}")


def shipped_inputs(root: Path) -> list[Path]:
    """Complete inputs: models/*.yaml and the files of models/{examples,scenarios,studies}
    (not deeper: subdirectories may hold fragments that are only meaningful when included)."""
    files = sorted(p for d in ("", "examples", "scenarios", "studies")
                   for p in (root / "models" / d).glob("*.yaml") if not p.name.startswith("."))
    required = [root / "models/studies/default.yaml", root / "models/examples/mini-chain.yaml"]
    for r in required:
        if r not in files:
            fail(f"{r.relative_to(root)} is missing")
    return files


def round_trip(binary: str, root: Path, file: Path, label: str = "") -> None:
    rel = file.relative_to(root)
    label = label or str(rel)
    first = run(binary, "config", str(rel), "--resolved", cwd=root)
    if first.returncode != 0:
        fail(f"config {label} --resolved", first)
        return
    original = run(binary, "validate", str(rel), cwd=root)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{file.stem}.resolved-", suffix=".yaml", dir=file.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(first.stdout)
        tmp_rel = tmp.relative_to(root)
        check = run(binary, "validate", str(tmp_rel), cwd=root)
        if check.returncode != 0:
            fail(f"validate of the resolved {label} ({tmp_rel})", check)
            return
        if check.stdout != original.stdout:
            fail(f"validate of the resolved {label} says {check.stdout.decode().strip()!r}, "
                 f"the original says {original.stdout.decode().strip()!r}")
        second = run(binary, "config", str(tmp_rel), "--resolved", cwd=root)
        if second.returncode != 0:
            fail(f"config of the resolved {label} --resolved", second)
            return
        if second.stdout != first.stdout:
            diff = difflib.unified_diff(first.stdout.decode().splitlines(keepends=True),
                                        second.stdout.decode().splitlines(keepends=True),
                                        fromfile=f"config {label} --resolved",
                                        tofile="config <resolved copy> --resolved")
            fail(f"config --resolved of {label} is not a fixed point:\n" + "".join(diff))
            return
        print(f"ok   {label}")
    finally:
        tmp.unlink(missing_ok=True)


def doc_examples(binary: str, root: Path) -> None:
    doc = root / "docs" / "formats.md"
    if not doc.is_file():
        fail("docs/formats.md is missing")
        return
    blocks = re.findall(r"^```yaml\n(# file: (\S+)\n.*?)^```", doc.read_text(encoding="utf-8"),
                        re.MULTILINE | re.DOTALL)
    if not blocks:
        fail("docs/formats.md has no complete example (a ```yaml block starting with "
             "'# file: NAME')")
        return
    with tempfile.TemporaryDirectory(prefix="rareshock-doc-examples-") as tmp:
        for text, name in blocks:
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        for _, name in blocks:
            proc = subprocess.run([binary, "validate", name], cwd=tmp, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=TIMEOUT_S)
            if proc.returncode != 0 or proc.stderr:
                fail(f"docs/formats.md example {name} does not validate cleanly", proc)
                continue
            round_trip(binary, Path(tmp), Path(tmp) / name, label=f"docs/formats.md: {name}")


def cli_checks(binary: str) -> None:
    missing = run(binary, "validate", "does/not/exist.yaml")
    if missing.returncode != 2:
        fail("validate of a missing file must exit 2", missing)
    elif b"does/not/exist.yaml" not in missing.stderr:
        fail("validate of a missing file must name the file on stderr", missing)
    else:
        print("ok   validate of a missing file exits 2")

    none = run(binary)
    if none.returncode != 2:
        fail("rareshock without arguments must exit 2", none)
    else:
        print("ok   no arguments exits 2")

    version = run(binary, "version", "--verbose")
    out = version.stdout.decode(errors="replace")
    if version.returncode != 0:
        fail("version --verbose must exit 0", version)
    elif not re.search(r"^git sha: ([0-9a-f]{7,40}(-dirty)?|unknown)$", out, re.MULTILINE):
        fail(f"version --verbose must print a 'git sha: <sha>' line, got:\n{out}")
    else:
        print("ok   version --verbose prints the git sha")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    binary = str(Path(argv[1]).resolve())
    if not os.access(binary, os.X_OK):
        print(f"round_trip.py: '{argv[1]}' is not an executable file", file=sys.stderr)
        return 2
    root = Path.cwd().resolve()
    if not (root / "models").is_dir():
        print(f"round_trip.py: run it from the repository root (no models/ in {root})",
              file=sys.stderr)
        return 2
    for file in shipped_inputs(root):
        round_trip(binary, root, file)
    cli_checks(binary)
    doc_examples(binary, root)
    print(f"{'FAILED' if failures else 'passed'}: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
