// Any JSON answer as readable page parts: a list of objects becomes a table, an object a
// definition list, numbers are rounded. For the statistics pages, whose shape may grow.
import { cell, el, t } from "./common.js";

function label(key) {
  return key.replace(/_/g, " ");
}

export function table(items, { id = null } = {}) {
  const columns = [];
  for (const item of items) for (const key of Object.keys(item)) if (!columns.includes(key)) columns.push(key);
  return el("table", { class: "grid", id },
    el("thead", {}, el("tr", {}, columns.map((c) => el("th", {}, label(c))))),
    el("tbody", {}, items.map((item) => el("tr", {}, columns.map((c) => {
      const value = item[c];
      const numeric = typeof value === "number";
      return el("td", { class: numeric ? "num" : "" }, cell(value));
    })))));
}

/** An object as sections: scalars in one list, lists of objects as tables, nested objects recursed. */
export function view(value, depth = 2) {
  if (Array.isArray(value)) {
    if (!value.length) return el("p", { class: "muted" }, t("common.none"));
    return value.every((v) => v && typeof v === "object" && !Array.isArray(v))
      ? table(value) : el("p", {}, value.map(cell).join(", "));
  }
  if (!value || typeof value !== "object") return el("p", {}, cell(value));
  const scalars = Object.entries(value).filter(([, v]) => !v || typeof v !== "object");
  const nested = Object.entries(value).filter(([, v]) => v && typeof v === "object");
  const parts = [];
  if (scalars.length) {
    parts.push(el("dl", { class: "stats" }, scalars.flatMap(([k, v]) => [
      el("dt", {}, label(k)), el("dd", { dataset: { key: k } }, cell(v))])));
  }
  for (const [k, v] of nested) {
    const heading = el(depth >= 2 ? "h2" : "h3", {}, label(k));
    parts.push(el("section", { class: "card", dataset: { key: k } }, heading, view(v, depth + 1)));
  }
  return el("div", {}, parts);
}
