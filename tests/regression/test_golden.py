#!/usr/bin/env python3
"""Unit tests of the golden comparer (tests/regression/golden.py): it must fail on a perturbed
expected table and name the row, column and both values; pass within tolerance; and report
missing, new and duplicated rows and header changes. Runs the comparer on the blessed
example-study files themselves, so a comparer that accepts anything cannot pass.

Usage: tests/regression/test_golden.py   (python3, stdlib only)
"""
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import golden  # noqa: E402

EXPECTED = Path(__file__).resolve().parent / "example-study" / "expected" / "metrics.csv"
KEYS = ["run", "level", "id", "material", "metric"]


def table():
    header, rows = golden.read_csv(EXPECTED)
    return header, [list(r) for r in rows]


def first_row(header, rows, metric, positive=True):
    vi = header.index("value")
    mi = header.index("metric")
    for n, r in enumerate(rows):
        if r[mi] == metric and r[vi] and (not positive or float(r[vi]) > 1):
            return n
    raise AssertionError(f"no row with a positive {metric} in {EXPECTED}")


class Compare(unittest.TestCase):
    def cmp(self, exp, act, rtol=1e-6, atol=1e-6, tolerances=None):
        return golden.compare("metrics.csv", exp[0], exp[1], act[0], act[1], KEYS, rtol, atol,
                              tolerances)

    def test_identical_tables_match(self):
        h, rows = table()
        self.assertGreater(len(rows), 100)
        self.assertEqual(self.cmp((h, rows), (h, [list(r) for r in rows])), [])

    def test_perturbed_value_fails_and_names_row_column_values(self):
        h, rows = table()
        n = first_row(h, rows, "demand_t")
        act = [list(r) for r in rows]
        vi = h.index("value")
        old = act[n][vi]
        act[n][vi] = repr(float(old) * 1.001)
        msgs = self.cmp((h, rows), (h, act))
        self.assertEqual(len(msgs), 1, msgs)
        m = msgs[0]
        self.assertIn("metric=demand_t", m)
        self.assertIn(f"id={rows[n][h.index('id')]}", m)
        self.assertIn("column 'value'", m)
        self.assertIn(f"expected {old}", m)
        self.assertIn(f"line {n + 2}", m)

    def test_within_tolerance_passes(self):
        h, rows = table()
        n = first_row(h, rows, "demand_t")
        act = [list(r) for r in rows]
        vi = h.index("value")
        act[n][vi] = repr(float(act[n][vi]) * (1 + 1e-9))
        self.assertEqual(self.cmp((h, rows), (h, act)), [])
        # ...and the same change fails with a tighter relative tolerance.
        act[n][vi] = repr(float(rows[n][vi]) * (1 + 1e-4))
        self.assertEqual(len(self.cmp((h, rows), (h, act))), 1)
        self.assertEqual(self.cmp((h, rows), (h, act), rtol=1e-3), [])

    def test_absolute_tolerance_near_zero(self):
        h = ["run", "level", "id", "material", "metric", "value"]
        exp = [["b", "sector", "x", "all", "unmet_t", "0"]]
        self.assertEqual(self.cmp((h, exp), (h, [["b", "sector", "x", "all", "unmet_t", "5e-7"]])),
                         [])
        self.assertEqual(
            len(self.cmp((h, exp), (h, [["b", "sector", "x", "all", "unmet_t", "2e-6"]]))), 1)
        # A per-column tolerance overrides the default.
        self.assertEqual(self.cmp((h, exp), (h, [["b", "sector", "x", "all", "unmet_t", "2e-6"]]),
                                  tolerances={"value": {"atol": 1e-5}}), [])

    def test_text_cells_must_be_equal(self):
        h, rows = table()
        di = h.index("date")
        n = next(i for i, r in enumerate(rows) if r[di])
        act = [list(r) for r in rows]
        act[n][di] = "1999-01-01"
        msgs = self.cmp((h, rows), (h, act))
        self.assertEqual(len(msgs), 1)
        self.assertIn("column 'date'", msgs[0])
        self.assertIn("got '1999-01-01'", msgs[0])

    def test_empty_versus_number_fails(self):
        h = ["run", "level", "id", "material", "metric", "value"]
        exp = [["b", "sector", "x", "all", "time_to_shortage", ""]]
        act = [["b", "sector", "x", "all", "time_to_shortage", "40"]]
        self.assertEqual(len(self.cmp((h, exp), (h, act))), 1)

    def test_nan_never_matches(self):
        h = ["run", "level", "id", "material", "metric", "value"]
        exp = [["b", "sector", "x", "all", "unmet_t", "1"]]
        act = [["b", "sector", "x", "all", "unmet_t", "nan"]]
        self.assertEqual(len(self.cmp((h, exp), (h, act))), 1)

    def test_missing_and_new_rows(self):
        h, rows = table()
        act = [list(r) for r in rows[1:]] + [["x"] * len(h)]
        msgs = self.cmp((h, rows), (h, act))
        self.assertTrue(any("missing from the output" in m for m in msgs), msgs)
        self.assertTrue(any("is new" in m for m in msgs), msgs)

    def test_duplicate_keys_are_reported(self):
        h, rows = table()
        msgs = self.cmp((h, rows + [list(rows[0])]), (h, rows))
        self.assertTrue(any("have the same keys" in m for m in msgs), msgs)

    def test_header_change_fails(self):
        h, rows = table()
        h2 = list(h)
        h2[-1] = "when"
        msgs = self.cmp((h, rows), (h2, rows))
        self.assertEqual(len(msgs), 1)
        self.assertIn("header differs", msgs[0])

    def test_select(self):
        h = ["run", "level", "date", "value"]
        rows = [["a", "sector", "2025-01-01", "1"], ["a", "consumer", "2025-01-01", "2"],
                ["a", "sector", "2025-01-02", "3"]]
        self.assertEqual(golden.select(h, rows, {"where": {"level": ["sector"]},
                                                 "date_suffix": "-01"}), [rows[0]])
        with self.assertRaises(ValueError):
            golden.select(h, rows, {"where": {"nope": ["x"]}})


if __name__ == "__main__":
    unittest.main(verbosity=1)
