// Speeds as engineers type them: "90000", "90 000", "90,000", "90k", "90000 rpm", "0.9", "100%".
"use strict";

// The number in a speed box, null when empty; throws with a reason when it is not a speed.
export function parseSpeed(text) {
  let t = String(text).trim().toLowerCase();
  if (!t) return null;
  t = t.replace(/rpm$|1\/min$|%$/, "").trim();
  t = t.replace(/[\s\u00a0\u2009\u202f'_]/g, "");
  let factor = 1;
  if (/k$/.test(t)) {
    factor = 1000;
    t = t.slice(0, -1);
  }
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, "");  // thousands
  else if (/^\d{1,3}(\.\d{3})+,\d+$/.test(t)) t = t.replace(/\./g, "").replace(",", ".");
  else t = t.replace(",", ".");  // a decimal comma
  if (!/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) throw new Error(`"${text}" is not a number`);
  const v = Number(t) * factor;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`"${text}" is not a positive number`);
  return v;
}
