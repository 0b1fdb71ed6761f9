// A contract report as page parts: reasons, the submitted / read / outcome table, failing
// checks, and the boxes the viewer draws. Used by the verifier's and the auditor's pages.
import { cell, el, t } from "./common.js";
import { leaves } from "./viewer.js";

const FAILING = new Set(["fail", "warn"]);
// table order: what the verifier must look at first
const SEVERITY = { bad: 0, warn: 1, gone: 2, ok: 3, info: 4 };

/** Colour class of an outcome: a match read under the review floor is amber, not green. */
export function kind(comparison, reviewBelow) {
  if (!comparison) return "info";
  const { outcome, confidence } = comparison;
  if (outcome === "mismatch") return "bad";
  if (outcome === "missing") return "gone";
  if (outcome === "near" || outcome === "unreadable") return "warn";
  if (outcome === "match" && confidence !== null && confidence !== undefined && confidence < reviewBelow) return "warn";
  return "ok";
}

function outcomeText(comparison, reviewBelow) {
  const low = comparison.outcome === "match" && kind(comparison, reviewBelow) === "warn";
  return low ? `${t("outcome.match")} · ${t("outcome.low")}` : t(`outcome.${comparison.outcome}`);
}

/** The document index a comparison belongs to: its own `document`, else the one holding the path. */
function documentOf(comparison, report, byPath) {
  if (Number.isInteger(comparison.document)) return comparison.document;
  const found = (report.documents || []).findIndex((_, i) => byPath.has(`${i}:${comparison.field}`));
  return found >= 0 ? found : 0;
}

/** Rows (one per comparison, problems first) and boxes (one per extracted field), sharing a `key`. */
export function layout(report, reviewBelow) {
  const fields = new Map();
  (report.documents || []).forEach((doc, i) => {
    for (const leaf of leaves(doc.fields)) fields.set(`${i}:${leaf.path}`, leaf.field);
  });
  const rows = (report.comparisons || []).map((c, index) => {
    const key = `${documentOf(c, report, fields)}:${c.field}`;
    return { key, index, comparison: c, field: fields.get(key) || null, kind: kind(c, reviewBelow) };
  }).sort((a, b) => SEVERITY[a.kind] - SEVERITY[b.kind] || a.index - b.index);
  const rowByKey = new Map(rows.map((r) => [r.key, r]));
  const boxes = [...fields.entries()].map(([key, field]) => {
    const row = rowByKey.get(key);
    return {
      key, doc: Number(key.split(":")[0]) + 1, page: field.page || 1, bbox: field.bbox || null,
      kind: row ? row.kind : "info", title: `${key.split(":").slice(1).join(":")}: ${cell(field.value)}`,
    };
  });
  return { rows, boxes };
}

export function reasons(report) {
  const items = report.reasons || [];
  if (!items.length) return el("p", { class: "muted" }, t("app.no_reasons"));
  return el("ol", { class: "reasons" }, items.map((r) => el("li", {}, r)));
}

/** "anggota_keluarga[1].nik" as "#2 nik": the row of a family member, then the field. */
export function fieldLabel(path) {
  const member = /^[a-z_]+\[(\d+)\]\.(.+)$/.exec(path);
  if (!member) return path.replace(/_/g, " ");
  return [el("span", { class: "member" }, `#${Number(member[1]) + 1}`), " ", member[2].replace(/_/g, " ")];
}

export function fieldTable(rows, reviewBelow, { onPick = () => {}, onHover = () => {} } = {}) {
  const head = el("thead", {}, el("tr", {},
    ["app.col.field", "app.col.submitted", "app.col.read", "app.col.outcome", "app.col.score",
      "app.col.normalisation"].map((k) => el("th", {}, t(k)))));
  const body = el("tbody", {}, rows.map((row) => {
    const c = row.comparison;
    const conf = typeof c.confidence === "number" ? ` (${c.confidence.toFixed(2)})` : "";
    return el("tr", {
      class: `row-${row.kind}`, tabindex: "0", dataset: { key: row.key },
      title: row.field && row.field.raw ? row.field.raw : null,
      onclick: () => onPick(row.key), onkeydown: (e) => { if (e.key === " ") { e.preventDefault(); onPick(row.key); } },
      onmouseenter: () => onHover(row.key, true), onmouseleave: () => onHover(row.key, false),
    },
    el("td", { class: "field", title: c.field }, fieldLabel(c.field)), el("td", {}, cell(c.submitted)),
    el("td", {}, cell(c.extracted)),
    el("td", {}, el("span", { class: `badge out-${row.kind}` }, outcomeText(c, reviewBelow)), conf),
    el("td", { class: "num" }, cell(c.score)), el("td", {}, c.normalisation || "–"));
  }));
  return el("table", { class: "grid fields", id: "fields" }, head, body);
}

export function failingChecks(report) {
  const failing = (report.checks || []).filter((c) => FAILING.has(c.outcome));
  if (!failing.length) return el("p", { class: "muted" }, t("app.no_checks"));
  return el("ul", { class: "checks" }, failing.map((c) => el("li", { class: `check-${c.outcome}` },
    el("span", { class: `badge sev-${c.severity || "review"}` }, c.outcome), " ",
    el("code", {}, c.rule), c.subject ? ` [${c.subject}] ` : " ", c.message || "")));
}

/** Tabs for every page of every document, in order. */
export function pagesOf(report) {
  const pages = [];
  (report.documents || []).forEach((doc, i) => {
    for (let p = 1; p <= (doc.pages || 1); p += 1) pages.push({ doc: i + 1, page: p });
  });
  return pages.length ? pages : [{ doc: 1, page: 1 }];
}
