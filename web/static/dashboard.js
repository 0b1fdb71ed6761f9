// /dashboard: GET /v1/dashboard (a verifier sees their office, an auditor every office).
import { api, errorText, show, t } from "./common.js";
import { view } from "./generic.js";

const notice = document.getElementById("dashboard-notice");

async function main() {
  show(notice, t("common.loading"));
  try {
    const answer = await api("/v1/dashboard");
    document.getElementById("dashboard").replaceChildren(view(answer));
    show(notice, answer && Object.keys(answer).length ? "" : t("dashboard.empty"));
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
