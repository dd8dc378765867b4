// The page's one state: the image, its lines (stable ids from upload to export), the
// calibration form and the last fit. Every view is drawn from it; every edit of the lines
// goes through `edit`, which keeps the undo history and tells the listeners.
"use strict";

// 20 distinct colours (Tableau 20, dark then light), then golden-angle hues.
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
  "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"];

export function colorOf(id) {
  return id <= PALETTE.length ? PALETTE[id - 1] : `hsl(${(id * 137.508) % 360}, 70%, 40%)`;
}

export const state = {
  image: null,  // {file, name, sha256, width, height, url, maskUrl}
  method: "model",
  lines: [],  // {id, pixels, confidence, origin, kept, speed (the text typed)}
  nextId: 1,
  selected: null,  // a line id
  cal: emptyCalibration(),
  calSource: "",  // "clicks", or the name of the calibration file loaded
  axesRead: null,  // {ticks: {x: [...], y: [...]}, straighten} as /api/axes read them
  result: null,  // the last /api/fit answer, for exactly the kept lines of `fitted`
  fitted: null,  // the lines' snapshot that `result` belongs to
  live: false,  // after the first Digitize, every change fits again
};

export function emptyCalibration() {
  return {
    picks: { x0: null, x1: null, y0: null, y1: null, a0: null, a1: null },
    values: { x0: "", x1: "", y0: "", y1: "" },
    scale: { x: "linear", y: "linear" },
    units: { x: "", y: "" },
    straighten: null,  // a turned scan's 3x3 matrix, image -> straightened pixels
  };
}

const listeners = [];
const history = { past: [], future: [] };
const HISTORY = 200;

export function onChange(fn) {
  listeners.push(fn);
}

export function changed(what) {
  for (const fn of listeners) fn(what);
}

function snapshot() {
  return JSON.stringify({ lines: state.lines, nextId: state.nextId });
}

function restore(snap) {
  const s = JSON.parse(snap);
  state.lines = s.lines;
  state.nextId = s.nextId;
  if (!state.lines.some((l) => l.id === state.selected)) state.selected = null;
}

// Apply fn to the lines as one undoable step.
export function edit(fn) {
  const before = snapshot();
  fn(state);
  if (snapshot() === before) return;
  history.past.push(before);
  if (history.past.length > HISTORY) history.past.shift();
  history.future = [];
  changed("lines");
}

export function undo() {
  if (!history.past.length) return false;
  history.future.push(snapshot());
  restore(history.past.pop());
  changed("lines");
  return true;
}

export function redo() {
  if (!history.future.length) return false;
  history.past.push(snapshot());
  restore(history.future.pop());
  changed("lines");
  return true;
}

export function canUndo() {
  return history.past.length > 0;
}

export function canRedo() {
  return history.future.length > 0;
}

export function clearHistory() {
  history.past = [];
  history.future = [];
}

export function line(id) {
  return state.lines.find((l) => l.id === id) || null;
}

export function addLine(pixels, origin, confidence = null, speed = "") {
  const ln = { id: state.nextId++, pixels, confidence, origin, kept: true, speed };
  state.lines.push(ln);
  return ln;
}

// The lines found on a new image, numbered 1..n in the order found.
export function setFoundLines(found, origin) {
  state.lines = [];
  state.nextId = 1;
  for (const f of found) addLine(f.pixels, origin, f.confidence);
  state.selected = null;
  clearHistory();
}
