// The curves of exactly the kept lines: fitted by the server (/api/fit, the CLI's own fit and
// export code) whenever the lines, speeds or calibration change, shown as a table and a plot,
// and offered as downloads. While a fit is pending or has failed, no file is offered.
"use strict";

import { postJson } from "./api.js";
import { calibrationJson } from "./calibration.js";
import { $, el, svgEl, swatch } from "./dom.js";
import { parseSpeed } from "./speeds.js";
import { colorOf, state } from "./state.js";

let sequence = 0;

function hint(text) {
  return el("p", [text], { class: "hint" });
}

// The kept lines as the server wants them; throws with the first problem found.
export function keptLines() {
  const kept = state.lines.filter((l) => l.kept);
  if (!kept.length) throw new Error("no line is ticked: tick the lines to export");
  return kept.map((l) => {
    let speed;
    try {
      speed = parseSpeed(l.speed);
    } catch (e) {
      throw new Error(`line ${l.id}: speed ${e.message}`);
    }
    const label = speed !== null && l.speedLabel ? l.speedLabel : null;  // speed_source "label"
    return { id: l.id, pixels: l.pixels, speed, speed_label: label, confidence: l.confidence, origin: l.origin };
  });
}

export function clearResults(text = "Calibrate and press Digitize to see the curves.") {
  state.result = null;
  $("results").replaceChildren(hint(text));
  $("plot").hidden = true;
  $("downloads").replaceChildren();
  $("map-note").textContent = "";
}

// Fit the kept lines now; the answer of an older request that comes late is dropped.
export async function fitNow(status) {
  const mine = ++sequence;
  let body;
  try {
    body = {
      image: { name: state.image.name, sha256: state.image.sha256, width: state.image.width,
        height: state.image.height },
      calibration: calibrationJson(),
      lines: keptLines(),
      points: 50,
      betas: 11,
      decimal: ".",
    };
  } catch (e) {
    clearResults(`Not digitized: ${e.message}.`);
    status(e.message, true);
    document.body.dataset.fits = String(Number(document.body.dataset.fits || 0) + 1);
    return;
  }
  $("results").setAttribute("aria-busy", "true");
  $("downloads").replaceChildren();
  $("digitize").disabled = true;  // one request at a time: a double click sends one
  try {
    const r = await postJson("/api/fit", body);
    if (mine !== sequence) return;
    state.result = r;
    show(r);
    document.body.dataset.fits = String(Number(document.body.dataset.fits || 0) + 1);
    status(`${r.result.lines.length} curve(s) digitized: the files hold exactly these lines`);
    document.body.dataset.state = "digitized";
  } catch (e) {
    if (mine !== sequence) return;
    clearResults(`Not digitized: ${e.message}.`);
    status(e.message, true);
    document.body.dataset.fits = String(Number(document.body.dataset.fits || 0) + 1);
  } finally {
    if (mine === sequence) {
      $("results").removeAttribute("aria-busy");
      document.dispatchEvent(new CustomEvent("fitted"));
    }
  }
}

function show(r) {
  const res = r.result;
  const f = (v) => Number(v).toPrecision(4);
  const row = (tag, cells) => el("tr", cells.map((c) => (c instanceof Node ? el(tag, [c]) : el(tag, [String(c)]))));
  const rows = res.lines.map((ln) => {
    const xs = ln.points.map((p) => p[0]);
    const ys = ln.points.map((p) => p[1]);
    const sw = swatch(ln.id);
    return row("td", [el("span", [sw, `line ${ln.id}`]), ln.line, ln.speed ?? "",
      `${f(Math.min(...xs))}\u2013${f(Math.max(...xs))}`, `${f(Math.min(...ys))}\u2013${f(Math.max(...ys))}`,
      ln.fit.residual_px]);
  });
  const ux = res.units.x ? ` (${res.units.x})` : "";
  const uy = res.units.y ? ` (${res.units.y})` : "";
  const head = row("th", ["line", "CSV line", "speed", `x${ux}`, `y${uy}`, "fit rms px"]);
  $("results").replaceChildren(el("table", [head, ...rows], { class: "curves", "aria-label": "digitized curves" }));
  plot(res);
  downloads(r);
}

function niceTicks(lo, hi, n = 5) {
  const span = hi - lo || Math.abs(hi) || 1;
  const step0 = span / n;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * span; v += step) out.push(Number(v.toPrecision(10)));
  return out;
}

// Curves in data units, coloured as on the image, with axis titles, ticks and a legend.
function plot(res) {
  const svg = $("plot");
  svg.replaceChildren();
  svg.hidden = false;
  const all = res.lines.flatMap((ln) => ln.points);
  const [W, H, L, R, T, B] = [520, 330, 58, 120, 12, 44];
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x) => L + ((x - x0) / (x1 - x0 || 1)) * (W - L - R);
  const sy = (y) => H - B - ((y - y0) / (y1 - y0 || 1)) * (H - T - B);
  svg.append(svgEl("rect", { x: L, y: T, width: W - L - R, height: H - T - B, class: "frame" }));
  for (const v of niceTicks(x0, x1)) {
    svg.append(svgEl("line", { x1: sx(v), x2: sx(v), y1: T, y2: H - B, class: "grid" }));
    svg.append(svgEl("text", { x: sx(v), y: H - B + 14, "text-anchor": "middle" }, String(v)));
  }
  for (const v of niceTicks(y0, y1)) {
    svg.append(svgEl("line", { x1: L, x2: W - R, y1: sy(v), y2: sy(v), class: "grid" }));
    svg.append(svgEl("text", { x: L - 4, y: sy(v) + 4, "text-anchor": "end" }, String(v)));
  }
  const ux = res.units.x ? ` (${res.units.x})` : "";
  const uy = res.units.y ? ` (${res.units.y})` : "";
  svg.append(svgEl("text", { x: L + (W - L - R) / 2, y: H - 6, "text-anchor": "middle", class: "title" }, `corrected mass flow${ux}`));
  svg.append(svgEl("text", { x: 14, y: T + (H - T - B) / 2, "text-anchor": "middle", class: "title",
    transform: `rotate(-90 14 ${T + (H - T - B) / 2})` }, `pressure ratio${uy}`));
  res.lines.forEach((ln, k) => {
    const color = colorOf(ln.id);
    svg.append(svgEl("polyline", { points: ln.points.map((p) => `${sx(p[0])},${sy(p[1])}`).join(" "),
      stroke: color, class: "curve", "data-line": ln.id }));
    const ly = T + 8 + k * 15;
    if (ly > H - 8) return;
    svg.append(svgEl("line", { x1: W - R + 8, x2: W - R + 24, y1: ly, y2: ly, stroke: color, class: "curve" }));
    const label = ln.speed === null ? `line ${ln.id}` : `line ${ln.id}: ${ln.speed}`;
    svg.append(svgEl("text", { x: W - R + 28, y: ly + 4, class: "legend" }, label));
  });
}

function link(name, href, label, id) {
  return el("a", [label], { href, download: name, id: `download-${id}` });
}

function blobUrl(text, type) {
  return URL.createObjectURL(new Blob([text], { type }));
}

export function stem() {
  return (state.image?.name || "map").replace(/\.[^.]+$/, "");
}

function downloads(r) {
  const s = stem();
  const box = $("downloads");
  box.replaceChildren(
    link(`${s}.csv`, blobUrl(r.csv, "text/csv"), "CSV", "CSV"),
    link(`${s}.json`, blobUrl(JSON.stringify(r.result, null, 1), "application/json"), "JSON", "JSON"),
    link(`${s}.calibration.json`, blobUrl(JSON.stringify(r.result.calibration, null, 1), "application/json"),
      "calibration", "calibration"),
  );
  if (state.image.maskUrl) box.append(link(`${s}.mask.png`, state.image.maskUrl, "model mask", "mask"));
  if (r.map) {
    box.append(link(`${s}.map`, blobUrl(r.map, "text/plain"), ".map (GasTurb)", "map"));
    $("map-note").textContent = "";
  } else {
    const missing = (r.missing_speeds || []).map((id) => `line ${id}`).join(", ");
    $("map-note").textContent = `The .map (GasTurb) file needs a speed for every kept line: type the speed of ${missing}.`;
  }
}
