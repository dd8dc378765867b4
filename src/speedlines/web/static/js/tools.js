// The tools that work on the image: calibration picks, and the line edits (select, trim,
// split, join, draw a missed line, move or delete single points). Each edit is one undoable
// step of the state; the server fits whatever the lines are afterwards.
"use strict";

import { $ } from "./dom.js";
import { pickName, setPick } from "./calibration.js";
import { cut, dist, handles, join, leftToRight, nearest, trim } from "./geometry.js";
import { drawOverlay } from "./overlay.js";
import { addLine, edit, line, state } from "./state.js";
import { perScreenPixel, showMagnifier, toImage } from "./viewport.js";

const PROMPTS = {
  trim: "Trim: click the line where its good part ends; the shorter side is cut off (Esc cancels)",
  split: "Split: click the line where it should be cut in two (Esc cancels)",
  join: "Join: click the first piece, then the piece to join to it (Esc cancels)",
  draw: "Draw: click points along the missed line, snapped to the ink (Shift: no snap); Enter or double-click ends, Backspace removes a point, Esc cancels",
  points: "Points: drag a square to move a point; Delete removes the point under the pointer; Esc ends",
};
const tool = { mode: null, pick: null, first: null, draft: [], handles: null, drag: null, hover: null };
let say = () => {};

export function initTools(statusFn) {
  say = statusFn;
  const svg = $("overlay");
  svg.addEventListener("pointerdown", onDown);
  svg.addEventListener("pointermove", onMove);
  svg.addEventListener("pointerup", onUp);
  svg.addEventListener("pointerleave", () => showMagnifier(null));
  svg.addEventListener("dblclick", (e) => { if (tool.mode === "draw") { e.preventDefault(); finishDraw(); } });
  document.addEventListener("viewport", redraw);
}

export function mode() {
  return tool.mode;
}

export function redraw() {
  if (tool.mode === "points") tool.handles = selectedHandles();
  drawOverlay({ handles: tool.handles, draft: tool.draft });
}

function prompt(text) {
  $("prompt").textContent = text || "";
  $("prompt").hidden = !text;
  document.querySelectorAll("[data-tool]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.tool === tool.mode)));
  document.querySelectorAll("[data-pick]").forEach((b) => b.classList.toggle("active", tool.mode === "pick" && b.dataset.pick === tool.pick));
  document.body.dataset.tool = tool.mode || "";
}

export function startPick(key) {
  cancel();
  Object.assign(tool, { mode: "pick", pick: key });
  prompt(`Click ${pickName(key)} on the image, as exactly as you can (the magnifier helps; Esc cancels)`);
}

export function start(mode) {
  if (!state.image) return;
  if (tool.mode === mode) {
    if (mode === "draw") finishDraw();
    else cancel();
    return;
  }
  cancel();
  if (mode === "points" && !line(state.selected)) {
    say("Select a line first (click it), then edit its points", true);
    return;
  }
  tool.mode = mode;
  if (mode === "join" && line(state.selected)) tool.first = state.selected;
  prompt(PROMPTS[mode] + (tool.first ? ` — first piece: line ${tool.first}` : ""));
  redraw();
}

// Esc: whatever tool is on stops, and nothing of it is kept.
export function cancel() {
  Object.assign(tool, { mode: null, pick: null, first: null, draft: [], handles: null, drag: null, hover: null });
  showMagnifier(null);
  prompt("");
  redraw();
}

function selectedHandles() {
  const ln = line(state.selected);
  return ln ? handles(ln.pixels) : null;
}

// The line under the pointer: the one clicked, else the nearest within a few screen pixels.
function lineAt(evt, p) {
  const id = Number(evt.target?.dataset?.line);
  if (id && line(id)) return line(id);
  let best = null;
  for (const ln of state.lines) {
    const d = nearest(ln.pixels, p).d;
    if (d < 8 * perScreenPixel() && (!best || d < best.d)) best = { ln, d };
  }
  return best ? best.ln : null;
}

function onDown(evt) {
  if (evt.button !== 0) return;
  const p = toImage(evt);
  const handle = evt.target?.dataset?.handle;
  if (tool.mode === "points" && handle !== undefined) {
    tool.drag = { index: Number(handle) };
    $("overlay").setPointerCapture(evt.pointerId);
    evt.preventDefault();
  }
  tool.downAt = [evt.clientX, evt.clientY];
}

function onMove(evt) {
  const p = toImage(evt);
  const precise = tool.mode === "pick" || tool.mode === "draw" || tool.drag;
  showMagnifier(precise ? p : null);
  if (tool.mode === "points") {
    tool.hover = evt.target?.dataset?.handle !== undefined ? Number(evt.target.dataset.handle) : tool.hover;
    if (tool.drag) {
      tool.handles[tool.drag.index] = p;
      drawOverlay({ handles: tool.handles });
    }
  }
}

function onUp(evt) {
  if (evt.button !== 0) return;
  const p = toImage(evt);
  if (tool.drag) {
    const moved = tool.handles.slice();
    tool.drag = null;
    edit((s) => { const ln = line(s.selected); ln.pixels = leftToRight(moved); ln.origin = "edited"; });
    return;
  }
  // A drag (or a pan by touch) is not a click: measured on the screen, where the image moved.
  if (tool.downAt && dist(tool.downAt, [evt.clientX, evt.clientY]) > 6) return;
  click(evt, p);
}

function click(evt, p) {
  const m = tool.mode;
  if (m === "pick") {
    const key = tool.pick;
    cancel();
    setPick(key, p);
    say(`${pickName(key)} set at column ${p[0]}, row ${p[1]}`);
    return;
  }
  if (m === "draw") {
    tool.draft.push(evt.shiftKey ? p : snap(p));
    redraw();
    return;
  }
  const ln = lineAt(evt, p);
  if (m === "trim" || m === "split") {
    if (!ln) return say("No line there: click on a line", true);
    cancel();
    if (m === "trim") {
      edit(() => { ln.pixels = trim(ln.pixels, p); ln.origin = "edited"; });
      say(`line ${ln.id} trimmed`);
    } else {
      const [head, tail] = cut(ln.pixels, p);
      if (head.length < 2 || tail.length < 2) return say("Too close to the end of the line to split there", true);
      let added;
      edit(() => {
        ln.pixels = head;
        ln.origin = "edited";
        added = addLine(tail, "edited", ln.confidence);
      });
      say(`line ${ln.id} split: its right part is now line ${added.id}`);
    }
    return;
  }
  if (m === "join") {
    if (!ln) return say("No line there: click on a line", true);
    if (!tool.first) {
      tool.first = ln.id;
      state.selected = ln.id;
      prompt(`${PROMPTS.join} — first piece: line ${ln.id}`);
      redraw();
      return;
    }
    if (ln.id === tool.first) return say("Click another piece to join to it", true);
    const a = line(tool.first);
    cancel();
    edit((s) => {
      a.pixels = join(a.pixels, ln.pixels);
      a.origin = "edited";
      if (!a.speed && ln.speed) a.speed = ln.speed;
      a.kept = a.kept || ln.kept;
      s.lines = s.lines.filter((l) => l.id !== ln.id);
      s.selected = a.id;
    });
    say(`line ${ln.id} joined to line ${a.id}`);
    return;
  }
  if (m === "points") {
    if (ln && ln.id !== state.selected) {
      state.selected = ln.id;
      redraw();
      document.dispatchEvent(new CustomEvent("selection"));
    }
    return;
  }
  select(ln ? ln.id : null);
}

export function select(id) {
  state.selected = id;
  redraw();
  document.dispatchEvent(new CustomEvent("selection"));
}

export function finishDraw() {
  const pts = tool.draft;
  if (pts.length < 2) {
    say("A drawn line needs at least two points", true);
    return;
  }
  cancel();
  let added;
  edit((s) => {
    added = addLine(leftToRight(pts), "drawn", null);
    s.selected = added.id;
  });
  say(`line ${added.id} drawn with ${pts.length} points`);
}

export function removeLast() {
  tool.draft.pop();
  redraw();
}

export function deleteSelected() {
  if (tool.mode === "draw") return removeLast();
  if (tool.mode === "points" && tool.hover !== null && tool.handles) {
    if (tool.handles.length <= 2) return say("A line keeps at least two points; delete the line instead", true);
    const rest = tool.handles.filter((_, k) => k !== tool.hover);
    tool.hover = null;
    edit((s) => { const ln = line(s.selected); ln.pixels = rest; ln.origin = "edited"; });
    return;
  }
  const ln = line(state.selected);
  if (!ln) return say("Select a line first (click it on the image)", true);
  deleteLine(ln.id);
}

export function deleteLine(id) {
  edit((s) => {
    s.lines = s.lines.filter((l) => l.id !== id);
    if (s.selected === id) s.selected = null;
  });
  say(`line ${id} deleted (Ctrl+Z brings it back)`);
}

// The darkest pixel near p (the ink of a line), when there is ink near it at all.
let inkCanvas = null;
export function resetInk() {
  inkCanvas = null;
}

function snap(p) {
  const img = $("image");
  if (!inkCanvas) {
    inkCanvas = document.createElement("canvas");
    inkCanvas.width = img.naturalWidth;
    inkCanvas.height = img.naturalHeight;
    inkCanvas.getContext("2d", { willReadFrequently: true }).drawImage(img, 0, 0);
  }
  const r = Math.max(2, Math.round(6 * perScreenPixel()));
  const [c0, r0] = [Math.round(p[0]) - r, Math.round(p[1]) - r];
  const ctx = inkCanvas.getContext("2d", { willReadFrequently: true });
  const data = ctx.getImageData(c0, r0, 2 * r + 1, 2 * r + 1).data;
  let best = null;
  let lightest = 0;
  for (let j = 0; j <= 2 * r; j++) {
    for (let i = 0; i <= 2 * r; i++) {
      const k = 4 * (j * (2 * r + 1) + i);
      if (!data[k + 3]) continue;  // outside the image
      const lum = 0.299 * data[k] + 0.587 * data[k + 1] + 0.114 * data[k + 2];
      lightest = Math.max(lightest, lum);
      const score = lum + 8 * Math.hypot(i - r, j - r) / r;
      if (!best || score < best.score) best = { score, lum, q: [c0 + i, r0 + j] };
    }
  }
  return best && best.lum < 0.6 * lightest ? best.q : p;
}
