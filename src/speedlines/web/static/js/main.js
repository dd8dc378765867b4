// speedlines page: upload -> /api/predict (the lines, numbered once for good) -> fix the lines
// and calibrate on the image -> /api/fit (curves of exactly the kept lines) -> downloads.
"use strict";

import { cancel as cancelRequest, isBusy, postForm, whileBusy } from "./api.js";
import { initCalibrationForm, loadCalibration, problems, showCalibration, straightAxes } from "./calibration.js";
import { applyProject, forget, store, stored, toProject } from "./project.js";
import { $, el, swatch } from "./dom.js";
import { clearResults, fitNow, stem } from "./results.js";
import { parseSpeed } from "./speeds.js";
import { canRedo, canUndo, edit, emptyCalibration, onChange, redo, setFoundLines, state, undo } from "./state.js";
import * as tools from "./tools.js";
import { areaBox } from "./overlay.js";
import { fit as fitView, initViewport, isTyping, pan, setImageSize, zoom } from "./viewport.js";


function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

// The list of lines: keep, colour, number, confidence, where it came from, speed, delete.
// Rows are kept per line id and updated in place, so that typing or tabbing through the
// speed boxes never loses the focus to a redraw.
const rows = new Map();

function lineRow(ln) {
  const keep = el("input", [], { type: "checkbox", "aria-label": `keep line ${ln.id}`, "data-line": ln.id });
  const id = ln.id;  // the handlers find the line by id: undo replaces the line objects
  keep.addEventListener("change", () => edit((s) => {
    const target = s.lines.find((l) => l.id === id);
    if (target) target.kept = keep.checked;
  }));
  const name = el("button", [swatch(ln.id), `line ${ln.id}`],
    { type: "button", class: "line-name", "data-line": ln.id, title: "select this line on the image" });
  name.addEventListener("click", () => tools.select(ln.id === state.selected ? null : ln.id));
  const speed = el("input", [], { type: "text", inputmode: "decimal", size: 9, placeholder: "speed",
    "aria-label": `speed of line ${ln.id}`, "data-line": ln.id, class: "speed" });
  const check = () => {
    try {
      parseSpeed(speed.value);
      speed.removeAttribute("aria-invalid");
      speed.title = "";
    } catch (e) {
      speed.setAttribute("aria-invalid", "true");
      speed.title = e.message;
    }
  };
  speed.addEventListener("input", check);
  speed.addEventListener("change", () => edit((s) => {
    const target = s.lines.find((l) => l.id === id);
    if (!target) return;
    target.speed = speed.value.trim();
    // A speed typed over the one read from a label is the user's own: "given", no label.
    if (target.speedLabel && parseSpeedOrNull(target.speed) !== target.labelSpeed) {
      delete target.speedLabel;
      delete target.labelSpeed;
      delete target.labelBox;
    }
  }));
  const del = el("button", ["\u00d7"], { type: "button", class: "delete", "aria-label": `delete line ${ln.id}`,
    title: "delete this line (Del)" });
  del.addEventListener("click", () => tools.deleteLine(ln.id));
  const conf = el("td");
  const origin = el("td");
  const tr = el("tr", [el("td", [keep]), el("td", [name]), conf, origin, el("td", [speed]), el("td", [del])],
    { "data-line": ln.id });
  return { tr, keep, name, speed, conf, origin, check };
}

function parseSpeedOrNull(text) {
  try {
    return parseSpeed(text);
  } catch {
    return null;
  }
}

function listLines() {
  const box = $("lines");
  if (!state.image || !state.lines.length) {
    rows.clear();
    const text = state.image ? "No line. Draw the missed lines with Draw (D)." : "Upload an image to find its speedlines.";
    box.replaceChildren(el("p", [text], { class: "hint" }));
    return;
  }
  let table = box.querySelector("table.lines");
  if (!table) {
    const head = el("tr", ["keep", "line", "confidence", "from", "speed", ""].map((t) => el("th", [t])));
    table = el("table", [head], { class: "lines", "aria-label": "lines found" });
    box.replaceChildren(table);
    rows.clear();
  }
  const ids = new Set(state.lines.map((l) => l.id));
  for (const [id, r] of rows) {
    if (!ids.has(id)) {
      r.tr.remove();
      rows.delete(id);
    }
  }
  let before = table.rows[0];
  for (const ln of state.lines) {
    let r = rows.get(ln.id);
    if (!r) {
      r = lineRow(ln);
      rows.set(ln.id, r);
    }
    r.keep.checked = ln.kept;
    r.name.setAttribute("aria-pressed", String(ln.id === state.selected));
    r.tr.className = ln.id === state.selected ? "selected" : "";
    if (document.activeElement !== r.speed) r.speed.value = ln.speed;
    r.check();
    const fromLabel = ln.speedLabel && parseSpeedOrNull(ln.speed) !== null;
    r.speed.classList.toggle("from-label", Boolean(fromLabel));
    if (fromLabel && !r.speed.title) r.speed.title = `read from the label "${ln.speedLabel}"`;
    r.conf.textContent = ln.confidence === null ? "" : ln.confidence.toFixed(2);
    r.origin.textContent = ln.origin;
    if (before.nextSibling !== r.tr) before.after(r.tr);
    before = r.tr;
  }
}

function updateControls() {
  const ready = Boolean(state.image);
  const fitting = $("results").hasAttribute("aria-busy");
  $("digitize").disabled = !ready || isBusy() || fitting || problems().length > 0 || !state.lines.some((l) => l.kept);
  $("undo").disabled = !canUndo();
  $("redo").disabled = !canRedo();
  document.querySelectorAll("[data-tool], [data-pick], #save-project, #start-over, #method-apply, #read-axes, #read-speeds").forEach((b) => { b.disabled = !ready; });
  $("load-project").disabled = !ready;
}

// Lines wholly outside the plotting area are not speedlines of this map (tick labels, a
// legend): unticked as one undoable step, and said so.
function untickOutside() {
  const area = areaBox();
  if (!area) return;
  const inside = (p) => p[0] >= area[0] && p[0] <= area[2] && p[1] >= area[1] && p[1] <= area[3];
  const out = state.lines.filter((l) => l.kept && l.pixels.filter(inside).length < 2).map((l) => l.id);
  if (!out.length) return;
  edit((s) => { for (const l of s.lines) if (out.includes(l.id)) l.kept = false; });
  status(`${out.map((id) => `line ${id}`).join(", ")} ${out.length > 1 ? "lie" : "lies"} outside the plotting area: unticked`);
}

let lastArea = "null";
let fitTimer = null;
let storeTimer = null;
function render(what) {
  if (what === "calibration" && JSON.stringify(areaBox()) !== lastArea) {
    lastArea = JSON.stringify(areaBox());
    untickOutside();
  }
  if (what === "lines" || what === "all") listLines();
  if (what === "all") showCalibration();
  tools.redraw();
  updateControls();
  if (state.image) {
    clearTimeout(storeTimer);
    storeTimer = setTimeout(store, 300);
  }
  if (state.live && state.image) {
    clearTimeout(fitTimer);
    $("downloads").replaceChildren();  // never a file for an older state
    fitTimer = setTimeout(() => fitNow(status), 150);
  }
}

function resetForNewImage() {
  tools.cancel();
  tools.resetInk();
  const keep = { scale: state.cal.scale, units: state.cal.units };
  Object.assign(state, { image: null, lines: [], nextId: 1, selected: null, live: false, calSource: "",
    axesRead: null });
  state.cal = { ...emptyCalibration(), ...keep };
  setFoundLines([], "model");
  clearResults();
  $("view").hidden = true;
  $("restored").hidden = true;
  $("speeds-note").textContent = "";
  delete document.body.dataset.state;
  render("all");
}

// Reading text (axes, speeds) runs beside the user's work; body[data-reading] counts the
// reads in flight (the tests wait for them).
async function reading(work) {
  const b = document.body.dataset;
  b.reading = String(Number(b.reading || 0) + 1);
  try {
    return await work();
  } finally {
    b.reading = String(Number(b.reading) - 1);
  }
}

function calibrationEmpty() {
  return !state.calSource && Object.values(state.cal.picks).every((p) => !p)
    && Object.values(state.cal.values).every((v) => !v);
}

// The axes read from the tick labels (OCR on the server) fill the form, for the user to
// check; automatically only while the form is still empty, so nothing typed is replaced.
async function readAxes() {
  return reading(() => readAxesNow(false));
}

async function readAxesNow(auto) {
  const image = state.image;
  if (!image) return;
  const form = new FormData();
  form.append("file", image.file);
  $("cal-source").textContent = "reading the axes from the tick labels ...";
  try {
    const r = await postForm("/api/axes", form);
    if (state.image !== image || (auto && !calibrationEmpty())) return;
    loadCalibration(r, `the axis labels (read automatically, confidence ${r.confidence.toFixed(2)}): check the marks`);
    state.axesRead = { ticks: r.ticks, straighten: r.straighten || null };
    tools.redraw();
    status(`axes read from ${image.name}: check the marks and values before you digitize`);
  } catch (e) {
    if (state.image !== image || (auto && !calibrationEmpty())) return;
    $("cal-source").textContent = `axes not read (${e.message}): click the points instead`;
  }
}

// Speeds read from the labels printed next to the lines fill the empty speed boxes (one
// undoable step); the user checks them. Auto: only boxes still empty and not being typed in.
async function readLabels() {
  return reading(readLabelsNow);
}

async function readLabelsNow() {
  const image = state.image;
  if (!image || !state.lines.length) return;
  const form = new FormData();
  form.append("file", image.file);
  form.append("lines", JSON.stringify(state.lines.map((l) => ({ id: l.id, pixels: l.pixels }))));
  const area = areaBox();
  if (area) form.append("plot_area", JSON.stringify(area));
  let r;
  try {
    r = await postForm("/api/labels", form);
  } catch (e) {
    if (state.image === image) $("speeds-note").textContent = `speeds not read from the labels: ${e.message}`;
    return;
  }
  if (state.image !== image) return;
  const typing = document.activeElement?.classList.contains("speed") ? Number(document.activeElement.dataset.line) : null;
  const found = state.lines.filter((l) => !l.speed && l.id !== typing && r.labels[l.id]);
  if (!found.length) {
    $("speeds-note").textContent = "no speed label read next to the lines: type the speeds";
    return;
  }
  edit((s) => {
    for (const l of s.lines) {
      const label = r.labels[l.id];
      if (found.some((f) => f.id === l.id)) Object.assign(l, { speed: String(label.speed), speedLabel: label.text, labelSpeed: label.speed, labelBox: label.box });
    }
  });
  $("speeds-note").textContent = `speeds read from the map's labels for ${found.map((l) => `line ${l.id}`).join(", ")}: check them`;
}

async function findLines(file, method, signal) {
  const form = new FormData();
  form.append("file", file);
  form.append("method", method);
  return postForm("/api/predict", form, signal);
}

async function upload(file) {
  if (!file) return;
  resetForNewImage();
  let r;
  try {
    r = await whileBusy(`finding the speedlines in ${file.name}`, (signal) => findLines(file, $("method").value, signal));
  } catch (e) {
    status(`${file.name}: ${e.message}`, true);
    return;
  }
  if (r === null) {
    status(`cancelled: ${file.name} was not processed`);
    return;
  }
  const url = URL.createObjectURL(file);
  state.image = { file, name: file.name, sha256: r.sha256, width: r.width, height: r.height, url, maskUrl: r.mask_png };
  state.method = r.method || $("method").value;
  setFoundLines(r.lines, state.method);
  $("image").src = url;
  $("view").hidden = false;
  setImageSize(r.width, r.height);
  const saved = stored(r.sha256);
  if (saved) {
    try {
      applyProject(saved);
      $("method").value = state.method;
      $("restored").hidden = false;
      status(`restored your earlier work on ${file.name} (saved ${new Date(saved.saved).toLocaleString()})`);
    } catch {
      forget(r.sha256);
    }
  }
  if ($("restored").hidden) status(`${r.lines.length} line(s) found in ${file.name} (${r.width} x ${r.height})`);
  document.body.dataset.state = "predicted";
  render("all");
  if (state.live) fitNow(status);
  // The speeds are read after the axes: the plotting area read leaves the tick labels out.
  const [image, fresh] = [state.image, $("restored").hidden];
  reading(async () => {
    if (calibrationEmpty()) await readAxesNow(true);
    if (fresh && state.image === image) await readLabelsNow();
  });
}

// Find the lines again (another method, or starting over): one undoable step.
async function refind() {
  if (!state.image) return;
  const method = $("method").value;
  let r;
  try {
    r = await whileBusy(`finding the speedlines (${method})`, (signal) => findLines(state.image.file, method, signal));
  } catch (e) {
    status(e.message, true);
    return;
  }
  if (r === null) return status("cancelled");
  state.method = method;
  edit((s) => {
    s.lines = [];
    s.nextId = 1;
    s.selected = null;
    for (const f of r.lines) s.lines.push({ id: s.nextId++, pixels: f.pixels, confidence: f.confidence, origin: method, kept: true, speed: "" });
  });
  $("restored").hidden = true;
  status(`${r.lines.length} line(s) found again by the ${method === "ink" ? "ink method" : "model"} (Ctrl+Z goes back)`);
  untickOutside();
}

function saveProject() {
  const a = el("a", [], { href: URL.createObjectURL(new Blob([JSON.stringify(toProject(), null, 1)], { type: "application/json" })),
    download: `${stem()}.speedlines-project.json` });
  document.body.append(a);
  a.click();
  a.remove();
  status("project saved: load it with this image to go on");
}

async function loadProject(file) {
  try {
    const p = JSON.parse(await file.text());
    const before = JSON.stringify({ lines: state.lines, nextId: state.nextId });
    applyProject(p);
    const after = JSON.stringify({ lines: state.lines, nextId: state.nextId });
    const restoreTo = JSON.parse(after);
    Object.assign(state, JSON.parse(before));
    edit((s) => Object.assign(s, restoreTo));
    $("method").value = state.method;
    status(`project loaded: ${state.lines.length} line(s), calibration from ${state.calSource || "the project"}`);
    render("all");
    if (state.live) fitNow(status);
  } catch (e) {
    status(`${file.name}: ${e.message}`, true);
  }
}

async function loadCalibrationFile(file) {
  try {
    loadCalibration(JSON.parse(await file.text()), file.name);
    status(`calibration loaded from ${file.name}: check the marks on the image`);
  } catch (e) {
    status(`${file.name} is not a usable calibration: ${e.message}`, true);
  }
}

const KEYS = { t: "trim", s: "split", j: "join", d: "draw", e: "points" };

function onKey(e) {
  if (isTyping(e)) return;
  const k = e.key;
  const ctrl = e.ctrlKey || e.metaKey;
  if (k === "Escape") {
    if (isBusy()) cancelRequest();
    tools.cancel();
    status("");
  } else if (ctrl && (k === "z" || k === "Z")) {
    e.preventDefault();
    if (e.shiftKey) redo(); else undo();
  } else if (ctrl && (k === "y" || k === "Y")) {
    e.preventDefault();
    redo();
  } else if (ctrl) {
    return;
  } else if (k === "Delete" || k === "Backspace") {
    e.preventDefault();
    tools.deleteSelected();
  } else if (k === "Enter" && tools.mode() === "draw") {
    tools.finishDraw();
  } else if (KEYS[k.toLowerCase()] && state.image) {
    tools.start(KEYS[k.toLowerCase()]);
  } else if (k === "+" || k === "=") {
    zoom(1.5);
  } else if (k === "-") {
    zoom(1 / 1.5);
  } else if (k === "0") {
    fitView();
  } else if (k.startsWith("Arrow")) {
    e.preventDefault();
    const d = 60;
    pan(k === "ArrowLeft" ? d : k === "ArrowRight" ? -d : 0, k === "ArrowUp" ? d : k === "ArrowDown" ? -d : 0);
  }
}

function init() {
  window.speedlines = { state };  // for the console and the browser tests: read, do not write
  const drop = $("drop");
  $("file").addEventListener("change", (e) => { upload(e.target.files[0]); e.target.value = ""; });
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    upload(e.dataTransfer.files[0]);
  });
  document.querySelectorAll("[data-pick]").forEach((b) => b.addEventListener("click", () => tools.startPick(b.dataset.pick)));
  document.querySelectorAll("[data-tool]").forEach((b) => b.addEventListener("click", () => tools.start(b.dataset.tool)));
  $("delete-line").addEventListener("click", () => tools.deleteSelected());
  $("undo").addEventListener("click", undo);
  $("redo").addEventListener("click", redo);
  $("cancel").addEventListener("click", cancelRequest);
  $("cal-file").addEventListener("change", (e) => { if (e.target.files[0]) loadCalibrationFile(e.target.files[0]); e.target.value = ""; });
  $("project-file").addEventListener("change", (e) => { if (e.target.files[0]) loadProject(e.target.files[0]); e.target.value = ""; });
  $("load-project").addEventListener("click", () => $("project-file").click());
  $("save-project").addEventListener("click", saveProject);
  $("start-over").addEventListener("click", () => { forget(state.image.sha256); refind(); });
  $("method-apply").addEventListener("click", refind);
  $("read-axes").addEventListener("click", readAxes);
  $("straight-axes").addEventListener("click", straightAxes);
  $("read-speeds").addEventListener("click", readLabels);
  $("digitize").addEventListener("click", () => {
    state.live = true;
    updateControls();
    fitNow(status);
  });
  document.addEventListener("keydown", onKey);
  document.addEventListener("selection", () => { listLines(); updateControls(); });
  document.addEventListener("fitted", updateControls);
  onChange(render);
  initViewport();
  initCalibrationForm();
  tools.initTools(status);
  render("all");
  fetch("/api/model").then((r) => r.json()).then((m) => {
    $("model-info").textContent = `model: ${m.architecture}/${m.encoder} (${m.engine})`;
  }).catch(() => { $("model-info").textContent = ""; });
}

init();
