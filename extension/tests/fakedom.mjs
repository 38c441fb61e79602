// A very small DOM stand-in, enough for the pure table helpers of content/dom.js and the button
// binding rules of content/binding.js (moving nodes, siblings, connectedness).

/** An array with HTMLCollection's item(i) (null out of range). */
function collection(list) {
  list.item = (i) => (i >= 0 && i < list.length ? list[i] : null);
  return list;
}
class Node {
  constructor(type, name) {
    this.nodeType = type;
    this.nodeName = name;
    this.childNodes = [];
    this.parentNode = null;
  }
  get textContent() {
    if (this.nodeType === 3) return this.data;
    return this.childNodes.map((c) => c.textContent).join("");
  }
  /** Connected: its root is a document made by doc(). */
  get isConnected() {
    let n = this;
    while (n.parentNode) n = n.parentNode;
    return n.isDocument === true;
  }
  get previousElementSibling() {
    const p = this.parentNode;
    if (!p) return null;
    const i = p.childNodes.indexOf(this);
    for (let j = i - 1; j >= 0; j--) if (p.childNodes[j].nodeType === 1) return p.childNodes[j];
    return null;
  }
  remove() {
    const p = this.parentNode;
    if (!p) return;
    p.childNodes.splice(p.childNodes.indexOf(this), 1);
    this.parentNode = null;
  }
}

class Text extends Node {
  constructor(data) {
    super(3, "#text");
    this.data = data;
  }
}

class Element extends Node {
  constructor(tag, attrs = {}) {
    super(1, tag.toUpperCase());
    this.attrs = new Map(Object.entries(attrs).map(([k, v]) => [k, String(v)]));
  }
  getAttribute(n) {
    return this.attrs.has(n) ? this.attrs.get(n) : null;
  }
  hasAttribute(n) {
    return this.attrs.has(n);
  }
  setAttribute(n, v) {
    this.attrs.set(n, String(v));
  }
  get colSpan() {
    return Number(this.getAttribute("colspan") || 1);
  }
  get children() {
    return collection(this.childNodes.filter((c) => c.nodeType === 1));
  }
  get cells() {
    return collection(this.children.filter((c) => c.nodeName === "TD" || c.nodeName === "TH"));
  }
  get tHead() {
    return this.children.find((c) => c.nodeName === "THEAD") || null;
  }
  get rows() {
    if (this.nodeName !== "TABLE") return collection(this.children.filter((c) => c.nodeName === "TR"));
    const out = [];
    const sections = [...this.children.filter((c) => c.nodeName === "THEAD"),
      ...this.children.filter((c) => c.nodeName === "TBODY" || c.nodeName === "TR"),
      ...this.children.filter((c) => c.nodeName === "TFOOT")];
    for (const s of sections) {
      if (s.nodeName === "TR") out.push(s);
      else out.push(...s.children.filter((c) => c.nodeName === "TR"));
    }
    return collection(out);
  }
  appendChild(c) {
    c.remove();
    c.parentNode = this;
    this.childNodes.push(c);
    return c;
  }
  insertBefore(c, ref) {
    if (!ref) return this.appendChild(c);
    c.remove();
    c.parentNode = this;
    this.childNodes.splice(this.childNodes.indexOf(ref), 0, c);
    return c;
  }
  get lastElementChild() {
    const kids = this.children;
    return kids.length ? kids[kids.length - 1] : null;
  }
  closest(tag) {
    for (let n = this; n; n = n.parentNode) if (n.nodeName === tag.toUpperCase()) return n;
    return null;
  }
  *descendants() {
    for (const c of this.children) {
      yield c;
      yield* c.descendants();
    }
  }
  // supports "[a],[b]" lists only
  querySelector(sel) {
    const names = sel.split(",").map((s) => s.trim().replace(/^\[|\]$/g, ""));
    for (const d of this.descendants()) if (names.some((n) => d.hasAttribute(n))) return d;
    return null;
  }
}

/** A document root: nodes under it are connected. */
export function doc(...kids) {
  const d = el("#document", {}, ...kids);
  d.isDocument = true;
  return d;
}

export function el(tag, attrs, ...kids) {
  const e = new Element(tag, attrs || {});
  for (const k of kids.flat()) e.appendChild(typeof k === "string" ? new Text(k) : k);
  return e;
}

export function table({ head, rows, thead = true }) {
  const headRow = el("tr", {}, head.map((h) => (typeof h === "string" ? el("th", {}, h) : h)));
  const body = el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c) => (typeof c === "string" ? el("td", {}, c) : c)))));
  if (thead) return el("table", {}, el("thead", {}, headRow), body);
  body.childNodes.unshift(headRow);
  headRow.parentNode = body;
  return el("table", {}, body);
}
