// /login: POST /v1/session with the name and password; on success go where the person
// was going (a local path only) or to their role's first screen.
import { api, page, show, t } from "./common.js";

const form = document.getElementById("login");
const error = document.getElementById("login-error");
const HOME = { verifier: "/queue", auditor: "/audit", admin: "/admin" };

/** Only a same-site path: never follow ?next= to another origin. */
function target(role) {
  const next = page.next || "";
  const local = next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\");
  return local && next !== "/login" ? next : HOME[role] || "/";
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const name = form.elements.name.value.trim();
  const password = form.elements.password.value;
  if (!name || !password) {
    show(error, t("login.required"), "error");
    return;
  }
  form.querySelector("button").disabled = true;
  try {
    const session = await api("/v1/session", {
      method: "POST", body: { name, password }, redirectOn401: false, withCsrf: false,
    });
    window.location.assign(target(session.role));
  } catch (failure) {
    show(error, failure.status === 429 ? t("login.locked") : t("login.failed"), "error");
    form.elements.password.value = "";
    form.elements.password.focus();
  } finally {
    form.querySelector("button").disabled = false;
  }
});
