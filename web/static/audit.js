// /audit: search the trail (reference, exact NIK, period, flag, decision, verifier) and
// export a period. Search terms go to the API in the request only; the page's own URL never
// carries them, so a NIK does not land in the browser's history.
import { api, cell, docType, el, errorText, flagBadge, query, show, t, when } from "./common.js";

const form = document.getElementById("search");
const body = document.querySelector("#results tbody");
const notice = document.getElementById("audit-notice");
const FIELDS = ["reference", "nik", "since", "until", "flag", "decision", "verifier"];

function decisionOf(item) {
  const d = item.decision;
  if (!d) return "–";
  const value = typeof d === "object" ? d.decision : d;
  return t(`decided.${value}`) === `decided.${value}` ? cell(value) : t(`decided.${value}`);
}

function verifierOf(item) {
  if (item.verifier) return item.verifier;
  return item.decision && typeof item.decision === "object" ? item.decision.verifier || item.decision.actor || "–" : "–";
}

function row(item) {
  const href = `/audit/applications/${encodeURIComponent(item.id)}`;
  return el("tr", { dataset: { id: item.id } },
    el("td", {}, el("a", { href }, item.reference || item.id)), el("td", {}, item.office || "–"),
    el("td", {}, docType(item.document_type)), el("td", {}, when(item.created_at)),
    el("td", {}, flagBadge(item.flag)), el("td", { class: "decision" }, decisionOf(item)),
    el("td", {}, verifierOf(item)));
}

/** Dates from the form as the start of `since` and the end of `until`, in UTC ISO form. */
function params() {
  const values = Object.fromEntries(FIELDS.map((f) => [f, form.elements[f].value.trim()]));
  if (values.since) values.since = `${values.since}T00:00:00Z`;
  if (values.until) values.until = `${values.until}T23:59:59Z`;
  return values;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  show(notice, t("common.loading"));
  try {
    const answer = await api(`/v1/audit/search${query(params())}`);
    const items = Array.isArray(answer) ? answer : answer.items || [];
    body.replaceChildren(...items.map(row));
    show(notice, items.length ? "" : t("audit.no_results"));
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
});

function exportLinks() {
  const since = document.getElementById("x-since").value;
  const until = document.getElementById("x-until").value;
  for (const format of ["csv", "json"]) {
    document.getElementById(`export-${format}`).href = `/v1/audit/export${query({
      format, since: since ? `${since}T00:00:00Z` : "", until: until ? `${until}T23:59:59Z` : "" })}`;
  }
}

document.getElementById("export").addEventListener("input", exportLinks);
exportLinks();
