// /applications/{id}: the verifier's screen. Opening claims the application; the page image
// with its field boxes sits left, the report right; decisions are one key plus one key to
// confirm (Enter), Esc cancels. After a decision the next application in the queue opens.
import { api, docType, el, errorText, flagBadge, page, show, t, typing, when } from "./common.js";
import { failingChecks, fieldTable, layout, pagesOf, reasons } from "./report.js";
import { Viewer } from "./viewer.js";

const id = page.application_id;
const base = `/v1/applications/${encodeURIComponent(id)}`;
const notice = document.getElementById("app-notice");
const claimNotice = document.getElementById("claim-notice");
const dialog = document.getElementById("dialog");
const dialogText = document.getElementById("dialog-text");
const dialogError = document.getElementById("dialog-error");
const reasonList = document.getElementById("reason-list");
const note = document.getElementById("note");
const NEXT_DELAY_MS = 1500;
const EXTEND_MS = 5 * 60_000; // a claim lasts 15 minutes; a verifier still here keeps it

const state = { mode: null, canDecide: false, claimed: false, busy: false, reasons: [], picked: new Set() };
let viewer = null;

function facts(app, report) {
  const pairs = [
    ["app.reference", app.reference], ["app.service", app.service],
    ["queue.col.document_type", docType(app.document_type)], ["app.status", app.status],
    ["app.ruleset", report ? String(report.ruleset_version || "").slice(0, 19) : null],
  ];
  return pairs.filter(([, v]) => v).flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", {}, v)]);
}

function rowOf(key) {
  return document.querySelector(`#fields tr[data-key="${CSS.escape(key)}"]`);
}

function pick(key) {
  document.querySelectorAll("#fields tr.picked").forEach((r) => r.classList.remove("picked"));
  const row = rowOf(key);
  if (row) row.classList.add("picked");
  if (!viewer.highlight(key, true)) show(notice, `${key.split(":").slice(1).join(":")}: ${t("app.no_box")}`);
  else show(notice, "");
}

function hoverBox(key, on) {
  const row = rowOf(key);
  if (!row) return;
  row.classList.toggle("hover", on);
  if (on) row.scrollIntoView({ block: "nearest" });
}

function hoverRow(key, on) {
  const node = document.querySelector(`.box[data-key="${CSS.escape(key)}"]`);
  if (node) node.classList.toggle("hover", on);
}

function render(app) {
  const report = app.report;
  document.getElementById("app-title").textContent = app.reference || app.id;
  document.getElementById("app-flag").replaceChildren(flagBadge(app.flag));
  document.getElementById("app-facts").replaceChildren(...facts(app, report));
  viewer = new Viewer(document.getElementById("viewer-panel"),
    (doc, p) => `${base}/documents/${doc}/pages/${p}.png`,
    report ? pagesOf(report) : (app.documents || []).map((d) => ({ doc: d.n, page: 1 })));
  viewer.onHover = hoverBox;
  viewer.onPick = pick;
  if (!report) {
    show(notice, t("app.not_ready", { status: app.status }), "warn");
    viewer.show(0);
    return;
  }
  const { rows, boxes } = layout(report, page.review_below);
  viewer.setBoxes(boxes);
  viewer.show(0);
  document.getElementById("reasons").replaceChildren(reasons(report));
  document.getElementById("field-table").replaceChildren(
    fieldTable(rows, page.review_below, { onPick: pick, onHover: hoverRow }));
  document.getElementById("checks").replaceChildren(failingChecks(report));
  const first = rows.find((r) => r.kind !== "ok" && r.field && r.field.bbox);
  if (first) pick(first.key); // open where the machine points
}

async function claim(app) {
  if (page.viewer.role !== "verifier") return;
  if (app.status === "decided") {
    show(claimNotice, await decidedText(), "info");
    return;
  }
  if (app.status !== "flagged") return;
  try {
    await api(`${base}/claim`, { method: "POST" });
    state.claimed = true;
    state.canDecide = true;
    show(claimNotice, t("app.claimed_mine"), "ok");
  } catch (error) {
    const who = error.body && error.body.error ? error.body.error.claimed_by : null;
    show(claimNotice, error.status === 409
      ? t("app.claimed_other", { who: who || error.message })
      : t("app.claim_failed", { message: errorText(error) }), "warn");
  }
  for (const button of document.querySelectorAll("#decide button:not(#do-next)")) button.disabled = !state.canDecide;
}

/** Who decided what and when, from the decisions list (the last one is current). */
async function decidedText() {
  try {
    const all = await api(`${base}/decisions`);
    const last = all[all.length - 1];
    if (!last) return t("decision.decided_already");
    return t("decision.decided_by", { decision: t(`decided.${last.decision}`), who: last.verifier,
      when: when(last.decided_at) });
  } catch {
    return t("decision.decided_already");
  }
}

/** Claiming again extends one's own claim; a lost claim (expired, taken) is said at once. */
async function extend() {
  if (!state.claimed || state.busy) return;
  try {
    await api(`${base}/claim`, { method: "POST" });
  } catch (error) {
    state.claimed = false;
    state.canDecide = false;
    for (const button of document.querySelectorAll("#decide button:not(#do-next)")) button.disabled = true;
    show(claimNotice, t("app.claim_failed", { message: errorText(error) }), "warn");
  }
}

function reasonLabel(item) {
  if (typeof item === "string") return item;
  return item[`label_${page.lang}`] || item.label_id || item.code;
}

async function loadReasons() {
  if (state.reasons.length) return state.reasons;
  const answer = await api("/v1/return-reasons");
  const items = Array.isArray(answer) ? answer : answer.items || answer.reasons || [];
  state.reasons = items.map((item) => ({ code: typeof item === "string" ? item : item.code, label: reasonLabel(item) }));
  return state.reasons;
}

function drawReasons() {
  reasonList.replaceChildren(...state.reasons.slice(0, 10).map((r, i) => el("li", {
    class: state.picked.has(r.code) ? "picked" : "", dataset: { code: r.code },
    onclick: () => toggleReason(i),
  }, el("kbd", {}, String((i + 1) % 10)), " ", r.label, el("code", {}, r.code))));
}

function toggleReason(index) {
  const reason = state.reasons[index];
  if (!reason) return;
  if (state.picked.has(reason.code)) state.picked.delete(reason.code);
  else state.picked.add(reason.code);
  drawReasons();
}

function openDialog(mode) {
  state.mode = mode;
  dialog.hidden = false;
  dialog.className = `dialog ${mode}`;
  show(dialogError, "");
  const returning = mode === "return";
  reasonList.hidden = !returning;
  document.getElementById("note-label").hidden = !returning;
  dialogText.textContent = t({ accept: "decision.confirm_accept", escalate: "decision.confirm_escalate",
    return: "decision.return_title" }[mode]);
  if (returning) {
    state.picked.clear();
    note.value = "";
    loadReasons().then(drawReasons).catch((e) => show(dialogError, errorText(e), "error"));
  }
}

function closeDialog() {
  state.mode = null;
  dialog.hidden = true;
  if (document.activeElement === note) note.blur();
}

async function decide() {
  const decision = state.mode;
  if (state.busy || !decision) return;
  if (decision === "return" && !state.picked.size) {
    show(dialogError, t("decision.need_reason"), "error");
    return;
  }
  state.busy = true;
  const body = { decision, reason_codes: decision === "return" ? [...state.picked] : [] };
  if (decision === "return" && note.value.trim()) body.note = note.value.trim();
  try {
    await api(`${base}/decisions`, { method: "POST", body });
    closeDialog();
    state.canDecide = false;
    state.claimed = false;
    for (const button of document.querySelectorAll("#decide button:not(#do-next)")) button.disabled = true;
    const next = await nextId();
    const what = t(`decided.${decision}`);
    show(notice, next ? t("decision.done", { decision: what }) : t("decision.done_last", { decision: what }), "ok");
    notice.dataset.decision = decision;
    if (next) setTimeout(() => go(next), NEXT_DELAY_MS);
  } catch (error) {
    show(dialogError, t("decision.failed", { message: errorText(error) }), "error");
  } finally {
    state.busy = false;
  }
}

async function nextId() {
  try {
    const answer = await api(`/v1/queue/next?after=${encodeURIComponent(id)}`);
    if (!answer) return null;
    return answer.id || (answer.item && answer.item.id) || null;
  } catch (error) {
    if (error.status === 404) return null;
    throw error;
  }
}

function go(next) {
  window.location.assign(`/applications/${encodeURIComponent(next)}`);
}

/** `n`: leave this one (releasing an undecided claim) and open the next in the queue. */
async function skip() {
  if (state.busy) return;
  state.busy = true;
  try {
    const next = await nextId();
    if (!next) {
      show(notice, t("decision.queue_empty"), "info");
      return;
    }
    if (state.claimed) {
      try { await api(`${base}/claim`, { method: "DELETE" }); } catch { /* it expires anyway */ }
    }
    go(next);
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  } finally {
    state.busy = false;
  }
}

function onDialogKey(event) {
  if (event.key === "Escape") { closeDialog(); event.preventDefault(); return; }
  if (event.key === "Enter") { decide(); event.preventDefault(); return; }
  if (state.mode === "return" && !typing(event) && /^[0-9]$/.test(event.key)) {
    toggleReason((Number(event.key) + 9) % 10);
    event.preventDefault();
  }
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (state.mode) { onDialogKey(event); return; }
  if (typing(event)) return;
  const key = event.key;
  const actions = {
    a: () => state.canDecide && openDialog("accept"),
    t: () => state.canDecide && openDialog("return"),
    e: () => state.canDecide && openDialog("escalate"),
    n: skip,
    "+": () => viewer.zoomBy(1), "=": () => viewer.zoomBy(1), "-": () => viewer.zoomBy(-1),
    r: () => viewer.rotate(), "[": () => viewer.step(-1), "]": () => viewer.step(1),
  };
  if (actions[key] && viewer) { actions[key](); event.preventDefault(); }
}

function wireButtons() {
  document.getElementById("do-accept").addEventListener("click", () => state.canDecide && openDialog("accept"));
  document.getElementById("do-return").addEventListener("click", () => state.canDecide && openDialog("return"));
  document.getElementById("do-escalate").addEventListener("click", () => state.canDecide && openDialog("escalate"));
  document.getElementById("do-next").addEventListener("click", skip);
  for (const button of document.querySelectorAll("#decide button:not(#do-next)")) button.disabled = true;
}

async function main() {
  wireButtons();
  document.addEventListener("keydown", onKey);
  try {
    const app = await api(`${base}?lang=${page.lang}`); // reasons in the page's language
    render(app);
    await claim(app);
    setInterval(extend, EXTEND_MS);
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
