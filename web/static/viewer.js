// The page viewer: one page image as the pipeline saw it, with a box over every extracted
// field. Boxes are placed in percent of the image, so zoom and rotation move them with it;
// bboxes in the report are in that image's own pixels (x0, y0, x1, y1).
import { el, t } from "./common.js";

const ZOOMS = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 2.5, 3];

/** Every field leaf of a document's `fields`, with the path comparisons use for it. */
export function leaves(fields, prefix = "") {
  const found = [];
  for (const [key, value] of Object.entries(fields || {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (item && typeof item === "object" && "value" in item) found.push({ path: `${path}[${i}]`, field: item });
        else found.push(...leaves(item, `${path}[${i}]`));
      });
    } else if (value && typeof value === "object") {
      if ("value" in value) found.push({ path, field: value });
      else found.push(...leaves(value, path));
    }
  }
  return found;
}

export class Viewer {
  /**
   * @param root element holding the viewer's markup (tabs, tools, viewport)
   * @param imageUrl (doc, page) -> URL of the page PNG
   * @param pages [{doc, page}] in tab order
   */
  constructor(root, imageUrl, pages) {
    this.root = root;
    this.imageUrl = imageUrl;
    this.pages = pages;
    this.boxes = [];
    this.lit = null;
    this.current = 0;
    this.zoom = 3; // index into ZOOMS: 1.0 = fit to the viewport's width
    this.rotation = 0;
    this.viewport = root.querySelector(".viewport");
    this.stage = root.querySelector(".stage");
    this.sheet = root.querySelector(".sheet");
    this.image = root.querySelector("img");
    this.layer = root.querySelector(".boxes");
    this.tabs = root.querySelector(".tabs");
    this.label = root.querySelector(".zoom-label");
    this.onHover = () => {};
    this.onPick = () => {};
    this.image.addEventListener("load", () => this.layout());
    window.addEventListener("resize", () => this.layout());
    root.querySelector(".zoom-in").addEventListener("click", () => this.zoomBy(1));
    root.querySelector(".zoom-out").addEventListener("click", () => this.zoomBy(-1));
    root.querySelector(".rotate").addEventListener("click", () => this.rotate());
    this.renderTabs();
  }

  renderTabs() {
    this.tabs.replaceChildren(...this.pages.map((p, i) => el("button", {
      type: "button", class: "tab", role: "tab", dataset: { index: String(i) },
      "aria-selected": i === this.current ? "true" : "false", onclick: () => this.show(i),
    }, t("app.page", { doc: p.doc, page: p.page }))));
  }

  /** Boxes: [{doc, page, bbox, kind, key}]; `key` ties a box to its table row. */
  setBoxes(boxes) {
    this.boxes = boxes;
    this.drawBoxes();
  }

  show(index) {
    if (index < 0 || index >= this.pages.length) return;
    const changed = index !== this.current || !this.image.getAttribute("src");
    this.current = index;
    this.tabs.querySelectorAll(".tab").forEach((tab, i) =>
      tab.setAttribute("aria-selected", i === index ? "true" : "false"));
    if (changed) {
      const { doc, page } = this.pages[index];
      this.image.src = this.imageUrl(doc, page);
    }
    this.drawBoxes();
  }

  step(delta) { this.show(this.current + delta); }

  drawBoxes() {
    const here = this.pages[this.current];
    if (!here) return;
    const nodes = this.boxes
      .filter((b) => b.doc === here.doc && b.page === here.page && b.bbox)
      .map((b) => {
        const node = el("div", {
          class: `box ${b.kind}${b.key === this.lit ? " hl" : ""}`, title: b.title || b.key, dataset: { key: b.key },
          onmouseenter: () => this.onHover(b.key, true), onmouseleave: () => this.onHover(b.key, false),
          onclick: () => this.onPick(b.key),
        });
        b.node = node;
        this.place(node, b.bbox);
        return node;
      });
    this.layer.replaceChildren(...nodes);
  }

  place(node, [x0, y0, x1, y1]) {
    const w = this.image.naturalWidth, h = this.image.naturalHeight;
    if (!w || !h) { node.hidden = true; return; }
    node.hidden = false;
    node.style.left = `${(x0 / w) * 100}%`;
    node.style.top = `${(y0 / h) * 100}%`;
    node.style.width = `${Math.max(0.2, ((x1 - x0) / w) * 100)}%`;
    node.style.height = `${Math.max(0.2, ((y1 - y0) / h) * 100)}%`;
  }

  /** Size the sheet for the zoom and rotation; 90/270 swap the stage's width and height. */
  layout() {
    const w = this.image.naturalWidth, h = this.image.naturalHeight;
    if (!w || !h) return;
    const turned = this.rotation % 180 !== 0;
    const fit = (this.viewport.clientWidth - 4) / (turned ? h : w);
    const scale = fit * ZOOMS[this.zoom];
    const sw = w * scale, sh = h * scale;
    this.sheet.style.width = `${sw}px`;
    this.sheet.style.height = `${sh}px`;
    this.stage.style.width = `${turned ? sh : sw}px`;
    this.stage.style.height = `${turned ? sw : sh}px`;
    const shift = { 0: "", 90: `translate(${sh}px, 0)`, 180: `translate(${sw}px, ${sh}px)`,
      270: `translate(0, ${sw}px)` }[this.rotation];
    this.sheet.style.transform = `${shift} rotate(${this.rotation}deg)`;
    this.label.textContent = `${Math.round(ZOOMS[this.zoom] * 100)}% · ${this.rotation}°`;
    this.drawBoxes();
    const lit = this.lit && this.layer.querySelector(`.box[data-key="${CSS.escape(this.lit)}"]`);
    if (lit) this.reveal(lit);
  }

  /** Scroll the viewport (not the whole page) so the node is in the middle of it. */
  reveal(node) {
    const port = this.viewport.getBoundingClientRect(), box = node.getBoundingClientRect();
    this.viewport.scrollBy({
      left: box.left + box.width / 2 - (port.left + port.width / 2),
      top: box.top + box.height / 2 - (port.top + port.height / 2),
    });
  }

  zoomBy(delta) {
    this.zoom = Math.max(0, Math.min(ZOOMS.length - 1, this.zoom + delta));
    this.layout();
  }

  rotate() {
    this.rotation = (this.rotation + 90) % 360;
    this.layout();
  }

  /** Light the box of `key` (switching page when it is on another one) and bring it into view. */
  highlight(key, on = true, scroll = true) {
    const box = this.boxes.find((b) => b.key === key && b.bbox);
    if (!box) return false;
    if (on) {
      const index = this.pages.findIndex((p) => p.doc === box.doc && p.page === box.page);
      if (index !== this.current) this.show(index);
    }
    this.lit = on ? key : null;
    this.layer.querySelectorAll(".box.hl").forEach((n) => n.classList.remove("hl"));
    const node = this.layer.querySelector(`.box[data-key="${CSS.escape(key)}"]`);
    if (!node) return false;
    node.classList.toggle("hl", on);
    if (on && scroll) this.reveal(node);
    return true;
  }
}
