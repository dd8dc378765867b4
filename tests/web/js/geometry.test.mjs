// The edit tools' geometry: cut, trim, join, orientation, simplification.
import assert from "node:assert/strict";
import test from "node:test";
import { cut, handles, join, leftToRight, length, nearest, simplify, trim } from "../../../src/speedlines/web/static/js/geometry.js";

const line = [[0, 0], [10, 0], [20, 0], [30, 0]];

test("nearest point on a polyline, between vertices", () => {
  const n = nearest(line, [14, 3]);
  assert.deepEqual(n.point, [14, 0]);
  assert.equal(n.index, 1);
  assert.equal(n.d, 3);
});

test("cut gives two parts that share the cut point", () => {
  const [head, tail] = cut(line, [14, 2]);
  assert.deepEqual(head, [[0, 0], [10, 0], [14, 0]]);
  assert.deepEqual(tail, [[14, 0], [20, 0], [30, 0]]);
  assert.equal(length(head) + length(tail), length(line));
});

test("trim keeps the longer side", () => {
  assert.deepEqual(trim(line, [25, 1]), [[0, 0], [10, 0], [20, 0], [25, 0]]);
  assert.deepEqual(trim(line, [4, 1]), [[4, 0], [10, 0], [20, 0], [30, 0]]);
});

test("join meets at the nearest ends and runs left to right", () => {
  const a = [[20, 0], [30, 0]];
  const b = [[15, 0], [0, 0]];  // drawn right to left
  assert.deepEqual(join(a, b), [[0, 0], [15, 0], [20, 0], [30, 0]]);
  assert.deepEqual(leftToRight([[5, 1], [1, 1]]), [[1, 1], [5, 1]]);
});

test("simplify keeps the corners, handles are bounded", () => {
  const bend = [[0, 0], [1, 0], [2, 0], [3, 0], [3, 1], [3, 2], [3, 3]];
  assert.deepEqual(simplify(bend, 0.1), [[0, 0], [3, 0], [3, 3]]);
  const wave = Array.from({ length: 2000 }, (_, i) => [i, 50 * Math.sin(i / 20)]);
  const h = handles(wave, 60);
  assert.ok(h.length <= 60 && h.length > 10, String(h.length));
  assert.deepEqual(h[0], wave[0]);
  assert.deepEqual(h[h.length - 1], wave[wave.length - 1]);
});
