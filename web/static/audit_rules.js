// /audit/rules: per rule, how often it fired and how often verifiers overrode it.
import { api, errorText, show, t } from "./common.js";
import { table, view } from "./generic.js";

const notice = document.getElementById("rules-notice");

async function main() {
  show(notice, t("common.loading"));
  try {
    const answer = await api("/v1/audit/rules");
    const items = Array.isArray(answer) ? answer : answer.rules || answer.items;
    const target = document.getElementById("rules");
    if (Array.isArray(items)) {
      const rest = Array.isArray(answer) ? {} : Object.fromEntries(
        Object.entries(answer).filter(([k]) => k !== "rules" && k !== "items"));
      target.replaceChildren(view(rest), table(items, { id: "rule-table" }));
    } else target.replaceChildren(view(answer));
    show(notice, "");
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
