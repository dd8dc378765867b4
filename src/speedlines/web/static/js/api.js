// Requests to the server, and the busy state of the page while a slow one runs: a spinner
// with the elapsed time, the controls disabled, and a Cancel button that aborts it.
"use strict";

import { $ } from "./dom.js";

let busy = null;  // {controller, timer, disabled: [elements]}

async function answer(r) {
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    let detail = body.detail;
    if (Array.isArray(detail)) detail = detail.map((d) => d.msg).join("; ");
    throw new Error(detail ? String(detail) : `the server answered HTTP ${r.status}`);
  }
  return body;
}

export async function postForm(url, form, signal) {
  return answer(await fetch(url, { method: "POST", body: form, signal }));
}

export async function postJson(url, obj, signal) {
  return answer(await fetch(url, { method: "POST", body: JSON.stringify(obj), signal,
    headers: { "Content-Type": "application/json" } }));
}

// Run `work(signal)` with the page busy; returns its result, or null when cancelled.
export async function whileBusy(text, work) {
  const controller = new AbortController();
  const started = performance.now();
  const disabled = [...document.querySelectorAll("main button, main input, main select")]
    .filter((e) => !e.disabled && e.id !== "cancel");
  disabled.forEach((e) => { e.disabled = true; });
  $("busy-text").textContent = text;
  $("busy").hidden = false;
  document.body.dataset.busy = "1";
  const tick = () => { $("busy-time").textContent = `${((performance.now() - started) / 1000).toFixed(1)} s`; };
  tick();
  busy = { controller, timer: setInterval(tick, 100) };
  try {
    return await work(controller.signal);
  } catch (e) {
    if (e.name === "AbortError") return null;
    throw e;
  } finally {
    clearInterval(busy.timer);
    busy = null;
    $("busy").hidden = true;
    delete document.body.dataset.busy;
    disabled.forEach((e) => { e.disabled = false; });
  }
}

export function isBusy() {
  return busy !== null;
}

export function cancel() {
  if (busy) busy.controller.abort();
}
