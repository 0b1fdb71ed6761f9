// /queue: the verifier's work list from GET /v1/queue, with filters kept in the page's own
// query string (flags and types only, never personal data), overdue rows highlighted.
import { age, api, badge, docType, el, errorText, flagBadge, query, show, t, typing } from "./common.js";

const FILTERS = ["flag", "document_type", "service", "min_age_h"];
const REFRESH_MS = 60_000;
const form = document.getElementById("filters");
const body = document.querySelector("#queue tbody");
const notice = document.getElementById("queue-notice");
let rows = [];
let selected = -1;

function filters() {
  return Object.fromEntries(FILTERS.map((name) => [name, form.elements[name].value.trim()]));
}

function open(item) {
  window.location.assign(`/applications/${encodeURIComponent(item.id)}`);
}

function row(item, index) {
  const tags = [flagBadge(item.queue_flag || item.flag)];
  if (item.qa_sample) tags.push(badge("qa", t("queue.qa")));
  if (item.escalated) tags.push(badge("escalated", t("queue.escalated")));
  const ageCell = el("td", { class: "age" }, age(item.age_hours));
  if (item.overdue) ageCell.append(" ", badge("overdue", t("queue.overdue")));
  const tr = el("tr", {
    class: item.overdue ? "overdue" : "", tabindex: "0", dataset: { id: item.id },
    onclick: () => open(item), onfocus: () => select(index, false),
  },
  el("td", {}, el("a", { href: `/applications/${encodeURIComponent(item.id)}` }, item.reference || item.id)),
  el("td", {}, tags), el("td", {}, docType(item.document_type)), el("td", {}, item.service || "–"),
  el("td", {}, item.office || "–"), ageCell, el("td", {}, item.claimed_by || "–"));
  return tr;
}

function select(index, focus = true) {
  if (!rows.length) return;
  selected = Math.max(0, Math.min(rows.length - 1, index));
  body.querySelectorAll("tr").forEach((tr, i) => tr.classList.toggle("selected", i === selected));
  if (focus) body.children[selected].focus();
}

function fillServices(items) {
  const list = document.getElementById("services");
  const known = new Set([...list.options].map((o) => o.value));
  for (const item of items) {
    if (item.service && !known.has(item.service)) {
      known.add(item.service);
      list.append(el("option", { value: item.service }));
    }
  }
}

async function load({ quiet = false } = {}) {
  const keep = selected >= 0 && rows[selected] ? rows[selected].id : null;
  if (!quiet) show(notice, t("common.loading"));
  try {
    const answer = await api(`/v1/queue${query(filters())}`);
    rows = answer.items || [];
    body.replaceChildren(...rows.map(row));
    fillServices(rows);
    document.getElementById("target").textContent =
      answer.target_hours ? t("queue.target", { hours: answer.target_hours }) : "";
    document.getElementById("count").textContent = t("queue.count", { n: rows.length });
    show(notice, rows.length ? "" : t("queue.empty"));
    if (rows.length) select(Math.max(0, rows.findIndex((r) => r.id === keep)), false);
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

function restore() {
  const params = new URLSearchParams(window.location.search);
  for (const name of FILTERS) if (params.has(name)) form.elements[name].value = params.get(name);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const search = query(filters());
  window.history.replaceState(null, "", `${window.location.pathname}${search}`);
  load();
});

document.addEventListener("keydown", (event) => {
  if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "ArrowDown" || event.key === "j") { select(selected + 1); event.preventDefault(); }
  else if (event.key === "ArrowUp" || event.key === "k") { select(selected - 1); event.preventDefault(); }
  else if (event.key === "Enter" && selected >= 0 && rows[selected]) { open(rows[selected]); event.preventDefault(); }
});

restore();
load();
// an office screen stays open: refresh the list (ages, claims, new work) every minute
setInterval(() => { if (!document.hidden) load({ quiet: true }); }, REFRESH_MS);
