// The SVG over the image: the lines (semi-transparent, in their colours, a wide invisible
// stroke to hit them), the calibration marks, the handles of the line being edited and the
// line being drawn. Coordinates are image pixels; strokes keep their screen width at any zoom.
"use strict";

import { svgEl } from "./dom.js";
import { guide, invert, project } from "./projective.js";
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
  drawSpeedLabels(svg);
  drawTicksRead(svg, u);
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
// was clicked, and its label staggered so that close marks stay readable. On a turned scan
// the points are straightened: the guides run aslant, along the scan's own axes.
function drawPicks(svg, u) {
  const { width, height } = state.image;
  const m = state.cal.straighten;
  const labels = { x0: "x1", x1: "x2", y0: "y1", y1: "y2", a0: "corner 1", a1: "corner 2" };
  let k = 0;
  for (const [key, p] of Object.entries(state.cal.picks)) {
    if (!p) continue;
    const attrs = { class: "pick", stroke: PICK_COLOR };
    const axis = key[0] === "a" ? null : key[0];
    const turned = Boolean(m && axis);
    let anchor = null;  // the label: at the click, else the guide's bottom (x) or left (y) end
    if (axis) {
      const at = axis === "x" ? p[0] : p[1];
      const ends = turned ? guide(m, axis, at, width, height)
        : axis === "x" ? [[at, 0], [at, height - 1]] : [[0, at], [width - 1, at]];
      svg.append(svgEl("line", { ...attrs, x1: ends[0][0], y1: ends[0][1], x2: ends[1][0],
        y2: ends[1][1], class: "guide", "data-guide": key }));
      anchor = axis === "x" ? ends[1] : ends[0];
    }
    if (p[0] !== null && p[1] !== null) {
      const [cx, cy] = turned ? project(invert(m), p) : p;
      const r = 7 * u;
      svg.append(svgEl("path", { d: `M${cx - r},${cy}H${cx + r}M${cx},${cy - r}V${cy + r}`, ...attrs }));
      anchor = [cx, cy];
    }
    const dy = (k % 2 ? 16 : -6) * u;
    svg.append(svgEl("text", { x: anchor[0] + 5 * u, y: anchor[1] + dy, fill: PICK_COLOR,
      "font-size": 12 * u, class: "pick-label" }, labels[key]));
    k++;
  }
}

// The tick labels read from the axes: a box around each, its value above; the ones the
// axis fit left out (misread, or off the line of the others) dashed. On a turned scan the
// boxes were read straightened and are drawn back aslant.
function drawTicksRead(svg, u) {
  const read = state.axesRead;
  if (!read) return;
  const back = read.straighten ? invert(read.straighten) : null;
  for (const [axis, ticks] of Object.entries(read.ticks || {})) {
    for (const t of ticks) {
      const [x0, y0, x1, y1] = t.box;
      const corners = [[x0, y0], [x1, y0], [x1, y1], [x0, y1]].map((p) => (back ? project(back, p) : p));
      const used = t.used ? "" : " unused";
      svg.append(svgEl("polygon", { points: pts(corners), class: `tick-read${used}`,
        "data-axis": axis }));
      const value = t.value === null ? "?" : String(t.value);
      svg.append(svgEl("text", { x: corners[0][0], y: corners[0][1] - 3 * u, "font-size": 11 * u,
        class: `tick-value${used}` }, value));
    }
  }
}

// The speed labels read for the ticked lines: a dashed box in the line's colour around each,
// for the user to check which label went to which line.
function drawSpeedLabels(svg) {
  for (const ln of state.lines) {
    if (!ln.kept || !ln.speedLabel || !ln.labelBox) continue;
    const [x0, y0, x1, y1] = ln.labelBox;
    svg.append(svgEl("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, stroke: colorOf(ln.id),
      class: "speed-label-box", "data-line": ln.id }));
  }
}
