// speedlines page: upload -> /api/predict (lines drawn over the image) -> calibrate by clicks
// -> /api/digitize, by the model or the ink method (curves, table, plot, downloads).
// Downloads are the server's files for exactly the lines that are ticked.
"use strict";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf", "#d62728"];
const $ = (id) => document.getElementById(id);
const state = { file: null, width: 0, height: 0, picks: {}, pick: null,
  lines: [], full: null, current: null, calibration: null, method: "model" };

function status(text, error = false) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}

async function post(url, form) {
  const r = await fetch(url, { method: "POST", body: form });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.detail ? String(body.detail) : `HTTP ${r.status}`);
  return body;
}

// Every text from the server or the user goes into the page as a text node, never as HTML.
function el(name, children = [], attrs = {}) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

function hint(text) {
  return el("p", [text], { class: "hint" });
}

function svgEl(name, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

// Pixel coordinates follow the calibration format: the centre of the top-left pixel is (0, 0).
function drawOverlay() {
  const svg = $("overlay");
  svg.setAttribute("viewBox", `-0.5 -0.5 ${state.width} ${state.height}`);
  svg.replaceChildren();
  const stroke = Math.max(2, Math.max(state.width, state.height) / 400);
  for (const ln of state.lines) {
    if (!ln.shown) continue;
    const pts = ln.pixels.map((p) => `${p[0]},${p[1]}`).join(" ");
    svg.appendChild(svgEl("polyline", { points: pts, stroke: ln.color,
      "stroke-width": stroke, "data-line": ln.line, class: "speedline" }));
  }
  for (const [key, p] of Object.entries(state.picks)) {
    const c = svgEl("circle", { cx: p[0], cy: p[1], r: stroke * 2.5, fill: "none",
      stroke: "#e67e22", "stroke-width": stroke / 1.5 });
    svg.appendChild(c);
    const t = svgEl("text", { x: p[0] + stroke * 3, y: p[1] - stroke * 3, fill: "#e67e22",
      "font-size": stroke * 7 });
    t.textContent = key;
    svg.appendChild(t);
  }
}

function listLines() {
  const box = $("lines");
  box.replaceChildren();
  if (!state.lines.length) {
    box.append(hint("No speedline found."));
    return;
  }
  for (const ln of state.lines) {
    const label = document.createElement("label");
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.checked = ln.shown;
    cb.dataset.line = ln.line;
    cb.addEventListener("change", () => { ln.shown = cb.checked; drawOverlay(); redigitize(); });
    const sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.background = ln.color;
    label.append(cb, sw, `line ${ln.line} (confidence ${ln.confidence.toFixed(2)})`);
    box.append(label, document.createElement("br"));
  }
}

function setLines(lines) {
  state.lines = lines.map((ln, i) => ({ line: ln.line, pixels: ln.pixels,
    confidence: ln.confidence, color: COLORS[i % COLORS.length], shown: true }));
  listLines();
  drawOverlay();
}

async function upload(file) {
  state.file = file;
  state.full = state.current = null;
  $("results").replaceChildren(hint("Calibrate and digitize to see the curves."));
  $("plot").hidden = true;
  $("downloads").replaceChildren();
  status(`finding the speedlines in ${file.name} ...`);
  const form = new FormData();
  form.append("file", file);
  try {
    const r = await post("/api/predict", form);
    state.width = r.width;
    state.height = r.height;
    $("image").src = URL.createObjectURL(file);
    $("view").hidden = false;
    setLines(r.lines);
    $("digitize").disabled = false;
    status(`${r.lines.length} speedline(s) found in ${file.name} (${r.width} x ${r.height})`);
    document.body.dataset.state = "predicted";
  } catch (e) {
    status(`error: ${e.message}`, true);
  }
}

function calibration() {
  if (state.calibration) return state.calibration;
  const p = state.picks;
  const val = (k) => parseFloat($(`val-${k}`).value);
  for (const k of ["x0", "x1", "y0", "y1"]) {
    if (!p[k]) throw new Error(`pick ${k} on the image first`);
    if (!Number.isFinite(val(k))) throw new Error(`type the value of ${k}`);
  }
  const cal = {
    x: { pixel: [p.x0[0], p.x1[0]], value: [val("x0"), val("x1")], scale: $("scale-x").value },
    y: { pixel: [p.y0[1], p.y1[1]], value: [val("y0"), val("y1")], scale: $("scale-y").value },
    units: { x: $("unit-x").value, y: $("unit-y").value },
  };
  if (p.a0 && p.a1) {
    cal.plot_area = [Math.min(p.a0[0], p.a1[0]), Math.min(p.a0[1], p.a1[1]),
      Math.max(p.a0[0], p.a1[0]), Math.max(p.a0[1], p.a1[1])].map((v) => Math.round(v));
  }
  return cal;
}

async function digitize(keep = null) {
  const form = new FormData();
  form.append("file", state.file);
  form.append("calibration", JSON.stringify(calibration()));
  const speeds = $("speeds").value.trim();
  if (speeds) form.append("speeds", speeds);
  if (keep) form.append("keep", keep.join(","));
  form.append("method", state.method);
  return post("/api/digitize", form);
}

async function runDigitize() {
  status("digitizing ...");
  // Unticking asks again for the same lines, so it keeps the method they were found by.
  state.method = $("method").value;
  try {
    state.full = await digitize();
    setLines(state.full.result.lines.map((ln) => ({ line: ln.line, pixels: ln.pixels,
      confidence: ln.confidence })));
    state.current = state.full;
    showResult();
    status(`${state.full.result.lines.length} curve(s) digitized`);
    document.body.dataset.state = "digitized";
  } catch (e) {
    status(`error: ${e.message}`, true);
  }
}

async function redigitize() {
  if (!state.full) return;
  const keep = state.lines.filter((l) => l.shown).map((l) => l.line);
  try {
    state.current = keep.length === state.lines.length ? state.full : await digitize(keep);
    showResult();
    status(`${keep.length} curve(s) kept`);
  } catch (e) {
    status(`error: ${e.message}`, true);
  }
}

function showResult() {
  const r = state.current.result;
  const f = (v) => Number(v).toPrecision(4);
  const row = (tag, cells) => el("tr", cells.map((c) => el(tag, [String(c)])));
  const rows = r.lines.map((ln) => {
    const xs = ln.points.map((p) => p[0]);
    const ys = ln.points.map((p) => p[1]);
    return row("td", [ln.line, ln.speed ?? "", `${f(Math.min(...xs))} - ${f(Math.max(...xs))}`,
      `${f(Math.min(...ys))} - ${f(Math.max(...ys))}`, ln.confidence.toFixed(2),
      ln.fit.residual_px]);
  });
  const head = row("th", ["line", "speed", `x (${r.units.x})`, `y (${r.units.y})`, "confidence",
    "fit rms px"]);
  $("results").replaceChildren(el("table", [head, ...rows], { class: "curves" }));
  plot(r);
  downloads();
}

function plot(r) {
  const svg = $("plot");
  svg.replaceChildren();
  svg.hidden = false;
  const all = r.lines.flatMap((ln) => ln.points);
  if (!all.length) return;
  const [W, H, m] = [420, 280, 40];
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => m + ((x - x0) / (x1 - x0 || 1)) * (W - 1.5 * m);
  const sy = (y) => H - m + ((y - y0) / (y1 - y0 || 1)) * -(H - 1.5 * m);
  svg.appendChild(svgEl("rect", { x: m, y: m / 2, width: W - 1.5 * m, height: H - 1.5 * m,
    fill: "none", stroke: "#999" }));
  for (const [v, x, y, anchor] of [[x0, sx(x0), H - m + 14, "start"],
    [x1, sx(x1), H - m + 14, "end"], [y0, m - 4, sy(y0), "end"], [y1, m - 4, sy(y1) + 8, "end"]]) {
    const t = svgEl("text", { x, y, "font-size": 10, "text-anchor": anchor });
    t.textContent = Number(v).toPrecision(3);
    svg.appendChild(t);
  }
  r.lines.forEach((ln) => {
    const color = (state.lines.find((l) => l.line === ln.line) || {}).color || "#333";
    const pts = ln.points.map((p) => `${sx(p[0])},${sy(p[1])}`).join(" ");
    svg.appendChild(svgEl("polyline", { points: pts, stroke: color, fill: "none",
      "stroke-width": 1.5 }));
  });
}

function link(name, href, label) {
  const a = document.createElement("a");
  a.href = href;
  a.download = name;
  a.textContent = label;
  a.id = `download-${label.replace(/\W/g, "")}`;
  return a;
}

function blobUrl(text, type) {
  return URL.createObjectURL(new Blob([text], { type }));
}

function downloads() {
  const c = state.current;
  const stem = (c.result.source.name || "map").replace(/\.[^.]+$/, "");
  const box = $("downloads");
  box.replaceChildren(
    link(`${stem}.csv`, blobUrl(c.csv, "text/csv"), "CSV"),
    link(`${stem}.json`, blobUrl(JSON.stringify(c.result, null, 1), "application/json"), "JSON"),
    link(`${stem}.mask.png`, c.mask_png, "mask"),
    link(`${stem}.calibration.json`,
      blobUrl(JSON.stringify(c.result.calibration, null, 1), "application/json"), "calibration"),
  );
  if (c.map) box.append(link(`${stem}.map`, blobUrl(c.map, "text/plain"), "map"));
}

function onPick(evt) {
  if (!state.pick) return;
  const img = $("image");
  const rect = img.getBoundingClientRect();
  const px = ((evt.clientX - rect.left) / rect.width) * state.width - 0.5;
  const py = ((evt.clientY - rect.top) / rect.height) * state.height - 0.5;
  state.picks[state.pick] = [Math.round(px * 10) / 10, Math.round(py * 10) / 10];
  state.calibration = null;
  $(`px-${state.pick}`).textContent = `${state.picks[state.pick][0]}, ${state.picks[state.pick][1]}`;
  document.querySelectorAll("[data-pick]").forEach((b) => b.classList.remove("active"));
  state.pick = null;
  drawOverlay();
}

function init() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => e.target.files[0] && upload(e.target.files[0]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
  });
  document.querySelectorAll("[data-pick]").forEach((b) => b.addEventListener("click", () => {
    document.querySelectorAll("[data-pick]").forEach((o) => o.classList.remove("active"));
    b.classList.add("active");
    state.pick = b.dataset.pick;
    status(`click ${b.textContent} on the image`);
  }));
  $("overlay").addEventListener("click", onPick);
  $("cal-file").addEventListener("change", async (e) => {
    try {
      state.calibration = JSON.parse(await e.target.files[0].text());
      status("calibration loaded");
    } catch (err) {
      status(`error: not a calibration JSON (${err.message})`, true);
    }
  });
  $("digitize").addEventListener("click", runDigitize);
  fetch("/api/model").then((r) => r.json()).then((m) => {
    $("model-info").textContent = `model: ${m.architecture}/${m.encoder} (${m.engine})`;
  }).catch(() => { $("model-info").textContent = ""; });
}

init();
