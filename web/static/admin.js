// /admin: who may use periksa (people and intake keys), read only; changes go through
// `periksa users ...` / `periksa keys ...` or the /v1/admin API.
import { api, el, errorText, show, t, when } from "./common.js";

const notice = document.getElementById("admin-notice");

function table(rows, columns, id) {
  return el("table", { class: "grid", id },
    el("thead", {}, el("tr", {}, columns.map(([, label]) => el("th", {}, t(label))))),
    el("tbody", {}, rows.map((row) => el("tr", { class: row.active ? "" : "inactive" },
      columns.map(([name]) => el("td", {}, name === "created_at" ? when(row[name])
        : name === "active" ? t(row.active ? "common.yes" : "common.no") : row[name] || "–"))))));
}

async function main() {
  try {
    const [users, keys] = await Promise.all([api("/v1/admin/users"), api("/v1/admin/keys")]);
    const base = [["name", "admin.col.name"], ["role", "admin.col.role"], ["office", "queue.col.office"],
      ["active", "admin.col.active"], ["created_at", "admin.col.created"]];
    document.getElementById("users").replaceChildren(table(users, base, "user-table"));
    document.getElementById("keys").replaceChildren(table(keys,
      [...base.slice(0, 3), ["callback_url", "admin.col.callback"], ...base.slice(3)], "key-table"));
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
