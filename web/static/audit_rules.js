// /audit/rules: per rule how often each outcome came out; how often verifiers overrode a
// flag (clear returned, mismatch accepted); what the QA sample of clear ones found.
import { api, cell, el, errorText, show, t } from "./common.js";
import { view } from "./generic.js";

const notice = document.getElementById("rules-notice");
const ORDER = ["pass", "match", "near", "warn", "fail", "mismatch", "missing", "unreadable", "skip"];

function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${(rate * 100).toFixed(1)}%`;
}

function rateCard(title, rate, what = "count") {
  return el("div", { class: "card stat" }, el("h3", {}, title),
    el("p", { class: "big" }, percent(rate.rate)),
    el("p", { class: "muted" }, `${cell(rate[what])} / ${cell(rate.decided)}`));
}

function ruleTable(rules) {
  const seen = new Set(rules.flatMap((r) => Object.keys(r.counts || {})));
  const columns = [...ORDER.filter((o) => seen.has(o)), ...[...seen].filter((o) => !ORDER.includes(o))];
  return el("table", { class: "grid", id: "rule-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "rule"), el("th", {}, "total"),
      columns.map((c) => el("th", { class: `num out-${c}` }, c)))),
    el("tbody", {}, rules.map((r) => el("tr", {}, el("td", {}, el("code", {}, r.rule || "–")),
      el("td", { class: "num" }, cell(r.total)),
      columns.map((c) => el("td", { class: "num" }, cell((r.counts || {})[c] || 0)))))));
}

async function main() {
  show(notice, t("common.loading"));
  try {
    const answer = await api("/v1/audit/rules");
    const target = document.getElementById("rules");
    if (!Array.isArray(answer.rules) || !answer.overrides) {
      target.replaceChildren(view(answer));
    } else {
      const qa = answer.qa || {};
      target.replaceChildren(
        el("div", { class: "stat-row" },
          el("div", { class: "card stat" }, el("h3", {}, t("audit.applications")),
            el("p", { class: "big" }, cell(answer.applications))),
          rateCard(t("audit.clear_returned"), answer.overrides.clear_returned),
          rateCard(t("audit.mismatch_accepted"), answer.overrides.mismatch_accepted),
          el("div", { class: "card stat" }, el("h3", {}, t("audit.qa")),
            el("p", { class: "big" }, percent(qa.rate)),
            el("p", { class: "muted" }, t("audit.qa_detail", { sampled: cell(qa.sampled),
              returned: cell(qa.returned), decided: cell(qa.decided) })))),
        ruleTable(answer.rules));
    }
    show(notice, "");
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
