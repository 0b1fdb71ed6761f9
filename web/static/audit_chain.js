// /audit/chain: is every link of the audit chain intact, and if not, where it first breaks.
import { api, badge, cell, el, errorText, show, t } from "./common.js";

const notice = document.getElementById("chain-notice");

async function main() {
  show(notice, t("common.loading"));
  try {
    const chain = await api("/v1/audit/chain");
    const state = chain.ok ? badge("chain-ok", t("audit.chain_ok")) : badge("chain-broken", t("audit.chain_broken"));
    const rows = [["audit.chain.length", chain.length], ["audit.chain.head", chain.head_hash]];
    if (!chain.ok) rows.push(["audit.chain.first_broken", chain.first_broken_seq]);
    document.getElementById("chain").replaceChildren(el("p", { id: "chain-state" }, state),
      el("dl", { class: "stats" }, rows.flatMap(([k, v]) => [el("dt", {}, t(k)), el("dd", { class: "hash" }, cell(v))])));
    show(notice, "");
  } catch (error) {
    show(notice, `${t("common.error")}: ${errorText(error)}`, "error");
  }
}

main();
