// Building the page's elements: every text from the server or the user goes in as a text
// node, never as HTML, and colours through the CSSOM (the CSP forbids style attributes).
"use strict";

import { colorOf } from "./state.js";

export const $ = (id) => document.getElementById(id);

export function el(name, children = [], attrs = {}) {
  const e = document.createElement(name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

export function svgEl(name, attrs, text = null) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  return e;
}

export function swatch(id) {
  const sw = el("span", [], { class: "swatch" });
  sw.style.background = colorOf(id);
  return sw;
}
