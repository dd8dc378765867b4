// The straightening of a turned or slanted scan: a 3x3 projective matrix taking image pixels
// (col, row, 1) to the straightened pixels its axes are calibrated in (the calibration JSON's
// `straighten`, as `digitize/calibration.py` reads it). Pure functions.
"use strict";

// The matrix, checked: 3 rows of 3 finite numbers, invertible; scaled so that m[2][2] = 1.
// Throws with the reason.
export function checkMatrix(obj) {
  const ok = Array.isArray(obj) && obj.length === 3
    && obj.every((r) => Array.isArray(r) && r.length === 3 && r.every((v) => typeof v === "number" && Number.isFinite(v)));
  if (!ok) throw new Error("straighten must be a 3x3 matrix of numbers");
  const det = determinant(obj);
  const size = Math.max(...obj.flat().map(Math.abs));
  if (Math.abs(obj[2][2]) < 1e-12 || !(Math.abs(det) > 1e-12 * size ** 3)) {
    throw new Error("straighten must be invertible");
  }
  return obj.map((r) => r.map((v) => v / obj[2][2]));
}

function determinant(m) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
    - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

export function invert(m) {
  const d = determinant(m);
  const c = (r0, c0, r1, c1) => m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
  return [
    [c(1, 1, 2, 2) / d, -c(0, 1, 2, 2) / d, c(0, 1, 1, 2) / d],
    [-c(1, 0, 2, 2) / d, c(0, 0, 2, 2) / d, -c(0, 0, 1, 2) / d],
    [c(1, 0, 2, 1) / d, -c(0, 0, 2, 1) / d, c(0, 0, 1, 1) / d],
  ];
}

// [col, row] through m.
export function project(m, p) {
  const w = m[2][0] * p[0] + m[2][1] * p[1] + m[2][2];
  return [(m[0][0] * p[0] + m[0][1] * p[1] + m[0][2]) / w, (m[1][0] * p[0] + m[1][1] * p[1] + m[1][2]) / w];
}

// The image segment that a straightened column (axis "x") or row ("y") at `at` runs along,
// across a width x height image: [[col, row], [col, row]], ends at the image's edges
// (as near as the straightened box of the image corners allows).
export function guide(m, axis, at, width, height) {
  const [lo, hi] = span(m, axis === "x" ? 1 : 0, width, height);
  const inv = invert(m);
  const ends = axis === "x" ? [[at, lo], [at, hi]] : [[lo, at], [hi, at]];
  return ends.map((p) => project(inv, p));
}

// The straightened columns (i = 0) or rows (1) a width x height image covers: [lo, hi] over
// its corners' pixel edges; the image's own without a matrix.
export function span(m, i, width, height) {
  const v = [[-0.5, -0.5], [width - 0.5, -0.5], [-0.5, height - 0.5], [width - 0.5, height - 0.5]]
    .map((p) => (m ? project(m, p) : p)[i]);
  return [Math.min(...v), Math.max(...v)];
}

// How far the scan's x axis is turned in the image, in degrees (positive: clockwise, as the
// rows grow downwards), at the image's centre.
export function turnDegrees(m, width, height) {
  const inv = invert(m);
  const centre = project(m, [width / 2, height / 2]);
  const a = project(inv, centre);
  const b = project(inv, [centre[0] + 100, centre[1]]);
  return (Math.atan2(b[1] - a[1], b[0] - a[0]) * 180) / Math.PI;
}
