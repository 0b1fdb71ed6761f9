// /audit/applications/{id}: every event of the application's trail with its hashes, the
// stored report under the ruleset version it names, and a replay under the current rules.
import { api, badge, cell, docType, el, errorText, flagBadge, page, show, t, when } from "./common.js";
import { failingChecks, fieldTable, layout, pagesOf, reasons } from "./report.js";
import { Viewer } from "./viewer.js";

const id = page.application_id;
const base = `/v1/applications/${encodeURIComponent(id)}`;
const notice = document.getElementById("app-notice");

function short(hash) {
  return hash ? String(hash).slice(0, 12) : "–";
}

function event(e) {
  return el("tr", { dataset: { kind: e.kind } },
    el("td", { class: "num" }, String(e.seq)), el("td", {}, when(e.at)), el("td", {}, el("code", {}, e.kind)),
    el("td", {}, e.actor || "–"), el("td", { class: "payload" }, cell(e.payload)),
    el("td", { class: "hash", title: `${e.prev_hash} → ${e.hash}` }, `${short(e.prev_hash)} → ${short(e.hash)}`));
}

async function timeline() {
  const answer = await api(`${base}/timeline`);
  document.querySelector("#timeline tbody").replaceChildren(...(answer.events || []).map(event));
  document.getElementById("chain-state").replaceChildren(answer.chain_ok
    ? badge("chain-ok", t("audit.chain_ok")) : badge("chain-broken", t("audit.chain_broken")));
}

function facts(app) {
  const pairs = [["app.reference", app.reference], ["queue.col.office", app.office],
    ["app.service", app.service], ["queue.col.document_type", docType(app.document_type)],
    ["app.status", app.status]];
  return pairs.filter(([, v]) => v).flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", {}, v)]);
}

function report(app) {
  document.getElementById("app-title").textContent = app.reference || app.id;
  document.getElementById("app-flag").replaceChildren(flagBadge(app.flag));
  document.getElementById("app-facts").replaceChildren(...facts(app));
  const r = app.report;
  if (!r) {
    show(notice, t("app.not_ready", { status: app.status }), "warn");
    return;
  }
  document.getElementById("ruleset").textContent = String(r.ruleset_version || "").slice(0, 19);
  const viewer = new Viewer(document.getElementById("viewer-panel"),
    (doc, p) => `${base}/documents/${doc}/pages/${p}.png`, pagesOf(r));
  const { rows, boxes } = layout(r, page.review_below);
  viewer.setBoxes(boxes);
  viewer.show(0);
  const lit = (key, on) => {
    const row = document.querySelector(`#fields tr[data-key="${CSS.escape(key)}"]`);
    if (row) row.classList.toggle("hover", on);
  };
  viewer.onHover = lit;
  document.getElementById("reasons").replaceChildren(reasons(r));
  document.getElementById("field-table").replaceChildren(fieldTable(rows, page.review_below, {
    onPick: (key) => viewer.highlight(key, true),
  }));
  document.getElementById("checks").replaceChildren(failingChecks(r));
}

async function replay() {
  const target = document.getElementById("replay-result");
  target.replaceChildren(t("common.loading"));
  try {
    const answer = await api(`${base}/replay?under=current`);
    const differences = answer.differences || [];
    const replayed = answer.replayed || {};
    target.replaceChildren(
      el("p", {}, flagBadge((answer.stored || {}).flag), " → ", flagBadge(replayed.flag), " ",
        el("code", {}, String(replayed.ruleset_version || "").slice(0, 19))),
      differences.length
        ? el("div", { id: "differences" }, el("h3", {}, t("audit.replay_diff")),
          el("ul", {}, differences.map((d) => el("li", {}, cell(d)))))
        : el("p", { id: "differences", class: "notice ok" }, t("audit.replay_none")));
  } catch (error) {
    target.replaceChildren(el("p", { class: "notice error" }, `${t("common.error")}: ${errorText(error)}`));
  }
}

async function main() {
  document.getElementById("replay").addEventListener("click", replay);
  try {
    const [app] = await Promise.all([api(`${base}?lang=${page.lang}`), timeline()]);
    report(app);
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
