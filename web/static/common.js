// Shared by every page: the page's data block, strings, the JSON API with the session
// cookie and the CSRF header, and DOM building that only ever sets text, never parses HTML.

const DATA = JSON.parse(document.getElementById("page-data").textContent);
const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
let csrfToken = DATA.csrf_token || null;

export const page = DATA;

/** The string for `key` in the page's language, with {name} placeholders filled. */
export function t(key, vars = {}) {
  const text = DATA.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** An element with attributes and children; strings become text nodes, so data stays data. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || `http_${status}`;
    this.details = error.details || null;
    this.body = body;
  }
}

async function csrf() {
  if (csrfToken) return csrfToken;
  const session = await api("/v1/session");
  csrfToken = session.csrf_token;
  return csrfToken;
}

/** Call the JSON API as the logged-in person; a lost session sends the browser to /login. */
export async function api(path, { method = "GET", body, redirectOn401 = true, withCsrf = true } = {}) {
  const headers = { Accept: "application/json" };
  if (UNSAFE.has(method) && withCsrf) headers["X-CSRF-Token"] = await csrf();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch { parsed = null; }
  if (response.status === 401 && redirectOn401) {
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
  }
  if (!response.ok) throw new ApiError(response.status, parsed);
  return parsed;
}

/** A query string from the non-empty values of `params`. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function flagBadge(flag) {
  const name = flag || "none";
  return el("span", { class: `badge flag-${name}` }, t(`flag.${name}`));
}

export function badge(kind, text) {
  return el("span", { class: `badge ${kind}` }, text);
}

export function docType(value) {
  return DATA.strings[`doctype.${value}`] ? t(`doctype.${value}`) : value || "–";
}

/** Hours as "3 j 20 m" / "2 h 5 j": an office reads ages, not decimals. */
export function age(hours) {
  if (hours === null || hours === undefined) return "–";
  const total = Math.max(0, Math.round(hours * 60));
  const days = Math.floor(total / 1440), h = Math.floor((total % 1440) / 60), m = total % 60;
  const unit = DATA.lang === "en" ? { d: "d", h: "h", m: "m" } : { d: "hr", h: "j", m: "m" };
  if (days) return `${days} ${unit.d} ${h} ${unit.h}`;
  return h ? `${h} ${unit.h} ${m} ${unit.m}` : `${m} ${unit.m}`;
}

export function when(iso) {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString(DATA.lang === "en" ? "en-GB" : "id-ID",
    { dateStyle: "medium", timeStyle: "short" });
}

export function show(node, message, kind = "info") {
  node.replaceChildren(message);
  node.className = `notice ${kind}`;
  node.hidden = !message;
}

export function errorText(error) {
  return error instanceof ApiError ? `${error.message} (${error.code})` : String(error);
}

/** True when a key press is typing into a field, where shortcuts must not fire. */
export function typing(event) {
  const target = event.target;
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/** A value of any JSON shape as short text for a table cell. */
export function cell(value) {
  if (value === null || value === undefined || value === "") return "–";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function wireLogout() {
  const button = document.getElementById("logout");
  if (!button) return;
  button.addEventListener("click", async () => {
    try { await api("/v1/session", { method: "DELETE", redirectOn401: false }); } catch { /* gone */ }
    window.location.assign("/login");
  });
}

wireLogout();
