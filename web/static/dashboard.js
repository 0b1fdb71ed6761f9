// /dashboard: GET /v1/dashboard (a verifier sees their office, an auditor every office):
// today's intake, the queue by flag, upload->flag and flag->decision times, and decisions
// per verifier per day against the norm.
import { api, cell, el, errorText, flagBadge, show, t, when } from "./common.js";
import { view } from "./generic.js";

const notice = document.getElementById("dashboard-notice");

/** Seconds as minutes or hours: the office thinks in those. */
function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} m`;
  return `${(seconds / 3600).toFixed(1)} ${t("dashboard.hours_unit")}`;
}

function card(title, big, detail = "") {
  return el("div", { class: "card stat" }, el("h3", {}, title), el("p", { class: "big" }, big),
    detail ? el("p", { class: "muted" }, detail) : null);
}

function timing(title, pair) {
  const today = (pair || {}).today || {}, week = (pair || {}).last_7_days || {};
  return card(title, duration(today.median_s),
    t("dashboard.timing_detail", { n: cell(today.count || 0), p90: duration(today.p90_s),
      week: duration(week.median_s) }));
}

function queueCard(queue = {}) {
  const flags = Object.entries(queue).filter(([flag]) => flag !== "total");
  const total = "total" in queue ? queue.total : flags.reduce((sum, [, n]) => sum + n, 0);
  return el("div", { class: "card stat", id: "queue-depth" }, el("h3", {}, t("dashboard.queue")),
    el("p", { class: "big" }, String(total)),
    el("p", {}, flags.map(([flag, n]) => el("span", { class: "flag-count" }, flagBadge(flag), String(n)))));
}

function verifierTable(board) {
  const days = board.decision_days || [];
  const norm = board.decision_norm_per_day;
  return el("table", { class: "grid", id: "verifier-days" },
    el("thead", {}, el("tr", {}, el("th", {}, t("audit.verifier")),
      days.map((d) => el("th", { class: "num" }, d.slice(5))), el("th", { class: "num" }, t("dashboard.total")),
      el("th", { class: "num" }, t("dashboard.at_norm", { norm })))),
    el("tbody", {}, (board.decisions || []).map((v) => el("tr", {}, el("td", {}, v.verifier),
      days.map((d) => {
        const n = (v.per_day || {})[d] || 0;
        return el("td", { class: `num ${n >= norm ? "at-norm" : n ? "" : "muted"}` }, String(n));
      }),
      el("td", { class: "num" }, cell(v.total)), el("td", { class: "num" }, cell(v.days_at_norm))))));
}

function render(board) {
  const scope = board.scope || {};
  return el("div", {},
    el("p", { class: "muted" }, t("dashboard.as_of", { when: when(board.as_of), tz: board.timezone || "" }),
      scope.office ? ` · ${t("queue.col.office")} ${scope.office}` : ""),
    el("div", { class: "stat-row" },
      card(t("dashboard.intake_today"), cell(board.intake_today)), queueCard(board.queue),
      timing(t("dashboard.upload_to_flag"), board.upload_to_flag),
      timing(t("dashboard.flag_to_decision"), board.flag_to_decision)),
    el("h2", {}, t("dashboard.decisions", { norm: board.decision_norm_per_day })),
    (board.decisions || []).length ? verifierTable(board) : el("p", { class: "muted" }, t("dashboard.empty")));
}

async function main() {
  show(notice, t("common.loading"));
  try {
    const board = await api("/v1/dashboard");
    const known = board && "intake_today" in board && "queue" in board;
    document.getElementById("dashboard").replaceChildren(known ? render(board) : view(board));
    show(notice, "");
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
