// Polyline geometry for the edit tools: pure functions on arrays of [col, row] points.
"use strict";

export function dist(a, b) {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

// The point of a polyline nearest to p: {index of the segment start, t along it, point, d}.
export function nearest(points, p) {
  let best = { index: 0, t: 0, point: points[0], d: dist(points[0], p) };
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const len2 = dx * dx + dy * dy;
    const t = len2 ? Math.min(1, Math.max(0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2)) : 0;
    const q = [a[0] + t * dx, a[1] + t * dy];
    const d = dist(q, p);
    if (d < best.d) best = { index: i, t, point: q, d };
  }
  return best;
}

function round2(p) {
  return [Math.round(p[0] * 100) / 100, Math.round(p[1] * 100) / 100];
}

// The two parts of a polyline cut at the point nearest to p, each with the cut point.
export function cut(points, p) {
  const n = nearest(points, p);
  const at = round2(n.point);
  const head = points.slice(0, n.index + 1);
  const tail = points.slice(n.index + 1);
  if (dist(head[head.length - 1], at) > 0.01) head.push(at);
  if (!tail.length || dist(tail[0], at) > 0.01) tail.unshift(at);
  return [head, tail];
}

export function length(points) {
  let s = 0;
  for (let i = 1; i < points.length; i++) s += dist(points[i - 1], points[i]);
  return s;
}

// Trimming keeps the longer side of the cut: the click marks where the good part ends.
export function trim(points, p) {
  const [head, tail] = cut(points, p);
  return length(head) >= length(tail) ? head : tail;
}

// One polyline from two, joined at their nearest ends, running left to right.
export function join(a, b) {
  const ends = [
    [a, b], [a, [...b].reverse()], [[...a].reverse(), b], [[...a].reverse(), [...b].reverse()],
  ];
  let best = null;
  for (const [p, q] of ends) {
    const d = dist(p[p.length - 1], q[0]);
    if (!best || d < best.d) best = { d, points: [...p, ...q] };
  }
  return leftToRight(best.points);
}

// Surge (left) end first, as the server orders them too.
export function leftToRight(points) {
  return points[points.length - 1][0] < points[0][0] ? [...points].reverse() : points;
}

// Douglas-Peucker: the fewest vertices that stay within tol px of the polyline.
export function simplify(points, tol) {
  if (points.length < 3) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack = [[0, points.length - 1]];
  while (stack.length) {
    const [i, j] = stack.pop();
    let [far, at] = [-1, -1];
    for (let k = i + 1; k < j; k++) {
      const d = nearest([points[i], points[j]], points[k]).d;
      if (d > far) [far, at] = [d, k];
    }
    if (far > tol) {
      keep[at] = 1;
      stack.push([i, at], [at, j]);
    }
  }
  return points.filter((_, k) => keep[k]);
}

// Vertices to edit by hand: at most `most` of them, as close to the line as that allows.
export function handles(points, most = 60) {
  let tol = 0.5;
  let out = simplify(points, tol);
  while (out.length > most && tol < 1e4) {
    tol *= 1.5;
    out = simplify(points, tol);
  }
  return out;
}
