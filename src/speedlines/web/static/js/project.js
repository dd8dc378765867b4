// The work on one map as a project JSON (image hash, calibration, lines with their edits and
// speeds), versioned: saved to a file and loaded back, and kept in the browser's storage
// (per image hash) so that a reload goes on where the user was.
"use strict";

import { state } from "./state.js";

export const FORMAT = "speedlines-project/1";
const KEY = "speedlines:project:";
const MAX_STORED = 20;

export function toProject() {
  return {
    format: FORMAT,
    saved: new Date().toISOString(),
    image: { name: state.image.name, sha256: state.image.sha256, width: state.image.width,
      height: state.image.height },
    method: state.method,
    calibration: { ...state.cal, source: state.calSource },
    lines: state.lines.map((l) => ({ id: l.id, pixels: l.pixels, kept: l.kept, speed: l.speed,
      speed_label: l.speedLabel || null, label_speed: l.labelSpeed ?? null, label_box: l.labelBox ?? null,
      confidence: l.confidence, origin: l.origin })),
    next_id: state.nextId,
    digitized: state.live,
  };
}

// Check a project against the image that is open; throws with the reason.
export function checkProject(p) {
  if (!p || typeof p !== "object" || p.format !== FORMAT) {
    throw new Error(`not a speedlines project (format ${FORMAT} expected)`);
  }
  if (!state.image) throw new Error(`open the image ${p.image?.name || ""} first, then load its project`);
  if (p.image?.sha256 !== state.image.sha256) {
    throw new Error(`this project is for ${p.image?.name || "another image"}, not for ${state.image.name} (the image hashes differ)`);
  }
  if (!Array.isArray(p.lines) || !p.calibration || !p.calibration.picks) throw new Error("the project has no lines or calibration");
  const ids = new Set();
  for (const l of p.lines) {
    const ok = Number.isInteger(l.id) && l.id > 0 && !ids.has(l.id) && Array.isArray(l.pixels)
      && l.pixels.length >= 2 && l.pixels.every((q) => Array.isArray(q) && q.length === 2 && q.every(Number.isFinite));
    if (!ok) throw new Error(`the project's line ${l.id} is damaged`);
    ids.add(l.id);
  }
}

export function applyProject(p) {
  checkProject(p);
  state.method = p.method || "model";
  const { source, ...cal } = p.calibration;
  state.cal = cal;
  state.calSource = source || "";
  state.lines = p.lines.map((l) => ({ id: l.id, pixels: l.pixels, kept: l.kept !== false,
    speed: typeof l.speed === "string" ? l.speed : (l.speed ?? "").toString(),
    confidence: Number.isFinite(l.confidence) ? l.confidence : null, origin: l.origin || "edited",
    ...(typeof l.speed_label === "string" ? { speedLabel: l.speed_label } : {}),
    ...(Number.isFinite(l.label_speed) ? { labelSpeed: l.label_speed } : {}),
    ...(Array.isArray(l.label_box) && l.label_box.length === 4 && l.label_box.every(Number.isFinite)
      ? { labelBox: l.label_box } : {}) }));
  state.nextId = Math.max(p.next_id || 1, ...state.lines.map((l) => l.id + 1));
  state.selected = null;
  state.live = Boolean(p.digitized);
}

export function store() {
  if (!state.image) return;
  try {
    localStorage.setItem(KEY + state.image.sha256, JSON.stringify(toProject()));
    const keys = Object.keys(localStorage).filter((k) => k.startsWith(KEY));
    if (keys.length > MAX_STORED) {
      const saved = keys.map((k) => [k, JSON.parse(localStorage.getItem(k)).saved || ""]).sort((a, b) => (a[1] < b[1] ? -1 : 1));
      for (const [k] of saved.slice(0, keys.length - MAX_STORED)) localStorage.removeItem(k);
    }
  } catch {
    // storage full or disabled: the project file still saves the work
  }
}

export function stored(sha256) {
  try {
    const text = localStorage.getItem(KEY + sha256);
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export function forget(sha256) {
  try {
    localStorage.removeItem(KEY + sha256);
  } catch {
    // nothing stored
  }
}
