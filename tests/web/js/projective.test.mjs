// A turned scan's straightening matrix on the page: checked, inverted, applied, its guides
// and its angle, against a rotation worked out by hand.
import assert from "node:assert/strict";
import test from "node:test";
import { checkMatrix, guide, invert, project, span, turnDegrees } from "../../../src/speedlines/web/static/js/projective.js";

const deg = 2;
const t = (deg * Math.PI) / 180;
// Image -> straightened: turn back by 2 degrees about (100, 50), with a little perspective.
const [c, s] = [Math.cos(-t), Math.sin(-t)];
const rot = [[c, -s, 100 - c * 100 + s * 50], [s, c, 50 - s * 100 - c * 50], [0, 0, 1]];

function close(a, b, tol = 1e-9) {
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
}

test("a matrix is checked and scaled to m[2][2] = 1", () => {
  const m = checkMatrix(rot.map((r) => r.map((v) => v * 2)));
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) close(m[i][j], rot[i][j]);
  assert.throws(() => checkMatrix([[1, 0], [0, 1]]), /3x3/);
  assert.throws(() => checkMatrix([[1, 0, 0], [0, 1, 0], [0, 0, Number.NaN]]), /3x3/);
  assert.throws(() => checkMatrix([[1, 2, 0], [2, 4, 0], [0, 0, 1]]), /invertible/);
  assert.throws(() => checkMatrix("no"), /3x3/);
});

test("invert undoes project, the centre stays put", () => {
  const m = [[1.01, 0.02, -3], [-0.03, 0.99, 4], [1e-5, -2e-5, 1]];
  const p = [123.4, 56.7];
  const q = project(invert(m), project(m, p));
  close(q[0], p[0], 1e-9);
  close(q[1], p[1], 1e-9);
  const centre = project(rot, [100, 50]);
  close(centre[0], 100);
  close(centre[1], 50);
});

test("a straightened column is a slanted guide across the image", () => {
  const [a, b] = guide(rot, "x", 100, 200, 100);
  // it runs through the centre, turned by 2 degrees from the vertical
  close((b[0] - a[0]) / (b[1] - a[1]), -Math.tan(t), 1e-12);
  const mid = (100 - a[1]) / (b[1] - a[1]);
  assert.ok(mid > 0 && mid < 1);
  close(a[0] + (50 - a[1]) * ((b[0] - a[0]) / (b[1] - a[1])), 100, 1e-9);
  const [l, r] = guide(rot, "y", 50, 200, 100);
  close((r[1] - l[1]) / (r[0] - l[0]), Math.tan(t), 1e-12);
  close(turnDegrees(rot, 200, 100), deg, 1e-9);
  close(turnDegrees([[1, 0, 0], [0, 1, 0], [0, 0, 1]], 200, 100), 0);
});

test("the span an image covers, straightened or not", () => {
  assert.deepEqual(span(null, 0, 200, 100), [-0.5, 199.5]);
  assert.deepEqual(span(null, 1, 200, 100), [-0.5, 99.5]);
  const [lo, hi] = span(rot, 1, 200, 100);  // turned: a corner reaches beyond the rows
  assert.ok(lo < -0.5 && hi > 99.5);
});
