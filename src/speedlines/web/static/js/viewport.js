// Zoom and pan of the image with its overlay (wheel, buttons, keys, drag), the mapping from
// the pointer to image pixels (sub-pixel) and a magnifier while picking or drawing.
"use strict";

import { $ } from "./dom.js";

const view = { scale: 1, tx: 0, ty: 0, width: 0, height: 0 };
const MAX_SCALE = 40;

function apply() {
  $("stage").style.transform = `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})`;
  $("zoom-level").textContent = `${Math.round(view.scale * 100)} %`;
  document.dispatchEvent(new CustomEvent("viewport"));
}

export function scale() {
  return view.scale;
}

export function setImageSize(width, height) {
  view.width = width;
  view.height = height;
  $("image").style.width = `${width}px`;
  $("image").style.height = `${height}px`;
  const svg = $("overlay");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `-0.5 -0.5 ${width} ${height}`);
  fit();
}

// The whole image in the viewport.
export function fit() {
  const box = $("viewport").getBoundingClientRect();
  if (!view.width || !box.width) return;
  view.scale = Math.min(box.width / view.width, box.height / view.height);
  view.tx = (box.width - view.width * view.scale) / 2;
  view.ty = (box.height - view.height * view.scale) / 2;
  apply();
}

// Zoom by `factor` keeping the viewport point (cx, cy) in place (its centre by default).
export function zoom(factor, cx = null, cy = null) {
  const box = $("viewport").getBoundingClientRect();
  cx ??= box.width / 2;
  cy ??= box.height / 2;
  const s = Math.min(MAX_SCALE, Math.max(0.02, view.scale * factor));
  view.tx = cx - ((cx - view.tx) * s) / view.scale;
  view.ty = cy - ((cy - view.ty) * s) / view.scale;
  view.scale = s;
  apply();
}

export function pan(dx, dy) {
  view.tx += dx;
  view.ty += dy;
  apply();
}

// Image pixel coordinates (centre of the top-left pixel = 0, 0) under a pointer event.
export function toImage(evt) {
  const pt = $("overlay").createSVGPoint();
  pt.x = evt.clientX;
  pt.y = evt.clientY;
  const p = pt.matrixTransform($("overlay").getScreenCTM().inverse());
  return [Math.round(p.x * 100) / 100, Math.round(p.y * 100) / 100];
}

// Image pixels per screen pixel: tolerances for clicks are a few screen pixels.
export function perScreenPixel() {
  return 1 / view.scale;
}

export function showMagnifier(p) {
  const canvas = $("magnifier");
  const img = $("image");
  if (!p || !img.complete || !img.naturalWidth) {
    canvas.hidden = true;
    return;
  }
  canvas.hidden = false;
  const ctx = canvas.getContext("2d");
  const zoomed = 8;  // screen pixels per image pixel in the magnifier
  const half = canvas.width / zoomed / 2;
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  // Pixel (c, r) covers c - 0.5 .. c + 0.5: the source rectangle starts half a pixel earlier.
  ctx.drawImage(img, p[0] + 0.5 - half, p[1] + 0.5 - half, 2 * half, 2 * half,
    0, 0, canvas.width, canvas.height);
  const c = canvas.width / 2;
  ctx.strokeStyle = "#e6007e";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(c, 0); ctx.lineTo(c, canvas.height);
  ctx.moveTo(0, c); ctx.lineTo(canvas.width, c);
  ctx.stroke();
}

export function initViewport() {
  const vp = $("viewport");
  vp.addEventListener("wheel", (e) => {
    e.preventDefault();
    const box = vp.getBoundingClientRect();
    zoom(Math.exp(-e.deltaY * 0.0015), e.clientX - box.left, e.clientY - box.top);
  }, { passive: false });
  // Dragging with the middle button, or the left one with the space bar held, pans; on a
  // touch screen one finger pans where no tool waits for a tap, once it has moved a little
  // (a tap still selects a line).
  let drag = null;
  let space = false;
  document.addEventListener("keydown", (e) => { if (e.code === "Space" && !isTyping(e)) space = true; });
  document.addEventListener("keyup", (e) => { if (e.code === "Space") space = false; });
  vp.addEventListener("pointerdown", (e) => {
    if (e.button === 1 || (e.button === 0 && space)) {
      drag = { at: [e.clientX, e.clientY], moved: true };
      vp.setPointerCapture(e.pointerId);
      e.preventDefault();
      e.stopPropagation();
    } else if (e.pointerType === "touch" && !document.body.dataset.tool) {
      drag = { at: [e.clientX, e.clientY], moved: false, start: [e.clientX, e.clientY] };
    }
  }, true);
  vp.addEventListener("pointermove", (e) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.start[0], e.clientY - drag.start[1]) < 6) return;
    drag.moved = true;
    pan(e.clientX - drag.at[0], e.clientY - drag.at[1]);
    drag.at = [e.clientX, e.clientY];
  });
  const end = () => { drag = null; };
  vp.addEventListener("pointerup", end);
  vp.addEventListener("pointercancel", end);
  $("zoom-in").addEventListener("click", () => zoom(1.5));
  $("zoom-out").addEventListener("click", () => zoom(1 / 1.5));
  $("zoom-fit").addEventListener("click", fit);
  window.addEventListener("resize", fit);
}

export function isTyping(e) {
  const t = e.target;
  return t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
}
