// parseSpeed: speeds as engineers type them.
import assert from "node:assert/strict";
import test from "node:test";
import { parseSpeed } from "../../../src/speedlines/web/static/js/speeds.js";

test("plain, spaced, thousands separators, k, rpm, percent", () => {
  for (const [text, value] of [["90000", 90000], ["90 000", 90000], ["90\u202f000", 90000],
    ["90,000", 90000], ["90'000", 90000], ["90k", 90000], ["90.5k", 90500], ["187796 rpm", 187796],
    ["100%", 100], ["0.9", 0.9], ["0,9", 0.9], ["1.05e5", 105000], ["1.234.567,5", 1234567.5]]) {
    assert.equal(parseSpeed(text), value, text);
  }
});

test("empty is no speed", () => {
  assert.equal(parseSpeed("  "), null);
});

test("not a speed: a reason", () => {
  for (const text of ["9o000", "-5", "0", "abc", "1,2,3", "Infinity"]) {
    assert.throws(() => parseSpeed(text), /not a (positive )?number/, text);
  }
});
