// The calibration form: two points per axis picked on the image (or loaded from a JSON
// file, which fills the same form), their values, scales, units and an optional plotting
// area. It is checked as it is entered; `calibrationJson` gives the CLI's format. A turned
// scan's calibration keeps its straightening matrix: its axis points are then measured on
// the straightened scan (a click is taken through the matrix, a mark drawn back aslant).
"use strict";

import { $ } from "./dom.js";
import { checkMatrix, invert, project, span, turnDegrees } from "./projective.js";
import { changed, emptyCalibration, state } from "./state.js";

const NAMES = { x0: "x point 1", x1: "x point 2", y0: "y point 1", y1: "y point 2",
  a0: "plot corner 1", a1: "plot corner 2" };

export function pickName(key) {
  return NAMES[key];
}

function fmt(v) {
  return v === null || v === undefined ? "" : String(Math.round(v * 100) / 100);
}

// The form shows the state.
export function showCalibration() {
  const c = state.cal;
  for (const key of Object.keys(NAMES)) {
    const p = c.picks[key];
    let text = "-";
    if (p && key[0] === "x") text = `column ${fmt(p[0])}`;
    else if (p && key[0] === "y") text = `row ${fmt(p[1])}`;
    else if (p) text = `${fmt(p[0])}, ${fmt(p[1])}`;
    $(`px-${key}`).textContent = text;
  }
  for (const key of ["x0", "x1", "y0", "y1"]) $(`val-${key}`).value = c.values[key];
  for (const a of ["x", "y"]) {
    $(`scale-${a}`).value = c.scale[a];
    $(`unit-${a}`).value = c.units[a];
  }
  $("cal-source").textContent = state.calSource ? `calibration from ${state.calSource}` : "";
  const turned = Boolean(c.straighten && state.image);
  $("cal-turn").hidden = !turned;
  if (turned) {
    const deg = turnDegrees(c.straighten, state.image.width, state.image.height);
    $("cal-turn-text").textContent = `The scan is turned ${Math.abs(deg).toFixed(2)}\u00b0`
      + " (or slanted): the axis points are measured along its straightened axes.";
  }
  showProblems();
}

// What is wrong or missing, in words; empty when the calibration can be used.
export function problems() {
  const c = state.cal;
  const out = [];
  const img = state.image;
  for (const a of ["x", "y"]) {
    const i = a === "x" ? 0 : 1;
    const [k0, k1] = [`${a}0`, `${a}1`];
    const [p0, p1] = [c.picks[k0], c.picks[k1]];
    const [v0, v1] = [number(c.values[k0]), number(c.values[k1])];
    if (!p0 || !p1) out.push(`${a} axis: pick ${!p0 ? NAMES[k0] : NAMES[k1]} on the image`);
    if (c.values[k0] === "" || c.values[k1] === "") {
      out.push(`${a} axis: type the value of ${c.values[k0] === "" ? NAMES[k0] : NAMES[k1]}`);
    } else if (!Number.isFinite(v0) || !Number.isFinite(v1)) {
      out.push(`${a} axis: the values must be numbers`);
    } else if (v0 === v1) {
      out.push(`${a} axis: the two values are equal (${v0}); pick two different ticks`);
    } else if (c.scale[a] === "log" && (v0 <= 0 || v1 <= 0)) {
      out.push(`${a} axis: a log scale needs values above 0`);
    }
    if (p0 && p1 && Math.abs(p0[i] - p1[i]) < 1) {
      out.push(`${a} axis: the two points are at the same ${a === "x" ? "column" : "row"}; pick two ticks apart`);
    }
    if (img) {
      const [lo, hi] = span(c.straighten, i, img.width, img.height);  // straightened if turned
      for (const [k, p] of [[k0, p0], [k1, p1]]) {
        const v = p ? p[i] : null;
        if (v !== null && (v < lo || v > hi)) {
          out.push(`${NAMES[k]} lies outside this image`);
        }
      }
    }
  }
  const { a0, a1 } = c.picks;
  if ((a0 && !a1) || (!a0 && a1)) out.push("plotting area: pick its other corner too");
  if (a0 && a1 && (Math.abs(a0[0] - a1[0]) < 8 || Math.abs(a0[1] - a1[1]) < 8)) {
    out.push("plotting area: the corners are too close; pick two opposite corners");
  }
  return out;
}

function number(text) {
  const t = String(text).trim().replace(",", ".");
  return t === "" ? NaN : Number(t);
}

function showProblems() {
  const list = problems();
  const box = $("cal-check");
  box.replaceChildren(...list.map((t) => Object.assign(document.createElement("li"), { textContent: t })));
  box.hidden = !list.length;
  $("cal-ok").hidden = list.length > 0;
}

// The calibration in the CLI's format (throws when it cannot be used).
export function calibrationJson() {
  const list = problems();
  if (list.length) throw new Error(list[0]);
  const c = state.cal;
  const v = (k) => number(c.values[k]);
  const cal = {
    x: { pixel: [c.picks.x0[0], c.picks.x1[0]], value: [v("x0"), v("x1")], scale: c.scale.x },
    y: { pixel: [c.picks.y0[1], c.picks.y1[1]], value: [v("y0"), v("y1")], scale: c.scale.y },
    units: { x: c.units.x.trim(), y: c.units.y.trim() },
  };
  if (c.straighten) cal.straighten = c.straighten;
  const { a0, a1 } = c.picks;
  if (a0 && a1) {
    cal.plot_area = [Math.min(a0[0], a1[0]), Math.min(a0[1], a1[1]), Math.max(a0[0], a1[0]),
      Math.max(a0[1], a1[1])].map((x) => Math.round(x));
  }
  return cal;
}

// A calibration JSON into the form; throws with the reason when it is not one.
export function loadCalibration(obj, source) {
  const axis = (a) => {
    const ax = obj && obj[a];
    const ok = ax && Array.isArray(ax.pixel) && Array.isArray(ax.value) && ax.pixel.length === 2
      && ax.value.length === 2 && [...ax.pixel, ...ax.value].every((x) => typeof x === "number" && Number.isFinite(x));
    if (!ok) throw new Error(`no ${a} axis with two pixels and two values`);
    if (ax.value[0] === ax.value[1]) throw new Error(`${a} axis: the two values are equal`);
    if (ax.pixel[0] === ax.pixel[1]) throw new Error(`${a} axis: the two pixels are equal`);
    if (ax.scale !== undefined && !["linear", "log"].includes(ax.scale)) throw new Error(`${a} axis: scale must be linear or log`);
    if (ax.scale === "log" && Math.min(...ax.value) <= 0) throw new Error(`${a} axis: a log scale needs values above 0`);
    return ax;
  };
  const [x, y] = [axis("x"), axis("y")];
  const cal = emptyCalibration();
  if (obj.straighten !== undefined && obj.straighten !== null) cal.straighten = checkMatrix(obj.straighten);
  cal.picks.x0 = [x.pixel[0], null];
  cal.picks.x1 = [x.pixel[1], null];
  cal.picks.y0 = [null, y.pixel[0]];
  cal.picks.y1 = [null, y.pixel[1]];
  cal.values = { x0: String(x.value[0]), x1: String(x.value[1]), y0: String(y.value[0]), y1: String(y.value[1]) };
  cal.scale = { x: x.scale || "linear", y: y.scale || "linear" };
  const units = obj.units || {};
  cal.units = { x: typeof units.x === "string" ? units.x : "", y: typeof units.y === "string" ? units.y : "" };
  const area = obj.plot_area;
  if (Array.isArray(area) && area.length === 4 && area.every(Number.isFinite)) {
    cal.picks.a0 = [area[0], area[1]];
    cal.picks.a1 = [area[2], area[3]];
  }
  state.cal = cal;
  state.calSource = source;
  state.axesRead = null;  // the ticks read belong to the axes read, not to a file loaded
  showCalibration();
  changed("calibration");
}

// Typing in the form updates the state.
export function initCalibrationForm() {
  for (const key of ["x0", "x1", "y0", "y1"]) {
    $(`val-${key}`).addEventListener("input", (e) => {
      state.cal.values[key] = e.target.value;
      showProblems();
      changed("calibration");
    });
  }
  for (const a of ["x", "y"]) {
    $(`scale-${a}`).addEventListener("change", (e) => {
      state.cal.scale[a] = e.target.value;
      showProblems();
      changed("calibration");
    });
    $(`unit-${a}`).addEventListener("input", (e) => {
      state.cal.units[a] = e.target.value;
      changed("calibration");
    });
  }
}

// p: the image pixel clicked. An axis point of a turned scan is kept straightened (the
// plotting-area corners stay image pixels, as in the JSON).
export function setPick(key, p) {
  const m = state.cal.straighten;
  state.cal.picks[key] = m && key[0] !== "a" ? project(m, p) : p;
  if (state.calSource && state.calSource !== "clicks") state.calSource += ", edited by clicks";
  else state.calSource = "clicks";
  showCalibration();
  changed("calibration");
}

// Drop a turned scan's straightening (when its reading is wrong): each axis point becomes the
// image column or row where its straightened line crosses the middle of the image.
export function straightAxes() {
  const c = state.cal;
  if (!c.straighten || !state.image) return;
  const inv = invert(c.straighten);
  const mid = project(c.straighten, [state.image.width / 2, state.image.height / 2]);
  for (const key of ["x0", "x1", "y0", "y1"]) {
    const p = c.picks[key];
    if (!p) continue;
    const q = project(inv, [p[0] ?? mid[0], p[1] ?? mid[1]]);
    c.picks[key] = key[0] === "x" ? [q[0], p[1] === null ? null : q[1]] : [p[0] === null ? null : q[0], q[1]];
  }
  c.straighten = null;
  state.calSource = `${state.calSource || "clicks"}, axes taken as straight`;
  showCalibration();
  changed("calibration");
}
