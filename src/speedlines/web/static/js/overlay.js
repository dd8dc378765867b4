// The SVG over the image: the lines (semi-transparent, in their colours, a wide invisible
// stroke to hit them), the calibration marks, the handles of the line being edited and the
// line being drawn. Coordinates are image pixels; strokes keep their screen width at any zoom.
"use strict";

import { svgEl } from "./dom.js";
import { colorOf, state } from "./state.js";
import { perScreenPixel } from "./viewport.js";

const PICK_COLOR = "#e6007e";

function pts(points) {
  return points.map((p) => `${p[0]},${p[1]}`).join(" ");
}

// extra: {handles: [[c, r]...] of the selected line, draft: [[c, r]...] being drawn}
export function drawOverlay(extra = {}) {
  const svg = document.getElementById("overlay");
  svg.replaceChildren();
  if (!state.image) return;
  const u = perScreenPixel();
  const area = areaBox();
  if (area) {
    svg.append(svgEl("rect", { x: area[0], y: area[1], width: area[2] - area[0],
      height: area[3] - area[1], class: "plot-area" }));
  }
  for (const ln of state.lines) {
    const selected = ln.id === state.selected;
    const g = svgEl("g", { "data-line": ln.id, class: `line${ln.kept ? "" : " dropped"}${selected ? " selected" : ""}` });
    g.append(
      svgEl("polyline", { points: pts(ln.pixels), class: "hit", "data-line": ln.id }),
      svgEl("polyline", { points: pts(ln.pixels), stroke: colorOf(ln.id), class: "speedline",
        "data-line": ln.id }),
    );
    const end = ln.pixels[ln.pixels.length - 1];
    g.append(svgEl("text", { x: end[0] + 4 * u, y: end[1] - 4 * u, fill: colorOf(ln.id),
      "font-size": 13 * u, class: "line-label" }, String(ln.id)));
    svg.append(g);
  }
  drawPicks(svg, u);
  for (const [k, h] of (extra.handles || []).entries()) {
    svg.append(svgEl("rect", { x: h[0] - 4 * u, y: h[1] - 4 * u, width: 8 * u, height: 8 * u,
      class: "handle", "data-handle": k }));
  }
  if (extra.draft && extra.draft.length) {
    svg.append(svgEl("polyline", { points: pts(extra.draft), class: "draft" }));
    for (const p of extra.draft) svg.append(svgEl("circle", { cx: p[0], cy: p[1], r: 3 * u, class: "draft-point" }));
  }
}

export function areaBox() {
  const { a0, a1 } = state.cal.picks;
  if (!a0 || !a1) return null;
  return [Math.min(a0[0], a1[0]), Math.min(a0[1], a1[1]), Math.max(a0[0], a1[0]),
    Math.max(a0[1], a1[1])];
}

// An x point marks a column, a y point a row: a guide across the image, a cross where it
// was clicked, and its label staggered so that close marks stay readable.
function drawPicks(svg, u) {
  const { width, height } = state.image;
  const labels = { x0: "x1", x1: "x2", y0: "y1", y1: "y2", a0: "corner 1", a1: "corner 2" };
  let k = 0;
  for (const [key, p] of Object.entries(state.cal.picks)) {
    if (!p) continue;
    const attrs = { class: "pick", stroke: PICK_COLOR };
    if (key[0] === "x") svg.append(svgEl("line", { ...attrs, x1: p[0], x2: p[0], y1: 0, y2: height - 1, class: "guide" }));
    if (key[0] === "y") svg.append(svgEl("line", { ...attrs, y1: p[1], y2: p[1], x1: 0, x2: width - 1, class: "guide" }));
    const cx = p[0] ?? (key[0] === "y" ? 0 : null);
    const cy = p[1] ?? (key[0] === "x" ? height - 1 : null);
    if (p[0] !== null && p[1] !== null) {
      const r = 7 * u;
      svg.append(svgEl("path", { d: `M${p[0] - r},${p[1]}H${p[0] + r}M${p[0]},${p[1] - r}V${p[1] + r}`,
        ...attrs }));
    }
    const dy = (k % 2 ? 16 : -6) * u;
    svg.append(svgEl("text", { x: cx + 5 * u, y: cy + dy, fill: PICK_COLOR, "font-size": 12 * u,
      class: "pick-label" }, labels[key]));
    k++;
  }
}
