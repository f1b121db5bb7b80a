// browserflow page extraction: evaluated once per snapshot with `page.evaluate(source, probes)`.
//
// Returns {url, title, text, errors, elements, present}. Every visible interactive element is listed in
// document order with a ref ("e1", ...) that is also written to the element as `data-bf-ref`, and a
// durable selector that was checked to resolve to exactly that element. Password values are never read.
(probes) => {
  const MAX_TEXT = 2000;
  const MAX_CONTEXT = 120;
  const MAX_NAME = 200;
  const MAX_VALUE = 500;
  const MAX_TEXTAREA = 2000;  // a text area's text is read whole up to this (goals copy from it)
  const MAX_ERRORS = 10;

  const collapse = (s) => (s || "").replace(/\s+/g, " ").trim();
  const clip = (s, n) => (s.length > n ? s.slice(0, n) : s);

  const INTERACTIVE = [
    "input", "select", "textarea", "button", "a[href]", "area[href]",
    "[role=button]", "[role=link]", "[role=checkbox]", "[role=radio]", "[role=switch]",
    "[role=tab]", "[role=menuitem]", "[role=menuitemcheckbox]", "[role=menuitemradio]", "[role=option]",
    "[role=combobox]", "[role=textbox]", "[role=searchbox]",
    "[contenteditable]:not([contenteditable=false])",
  ].join(",");
  const BUTTON_TYPES = new Set(["submit", "button", "reset", "image"]);
  const ERROR_SELECTOR = [
    "[role=alert]", "[aria-live=assertive]", ".error", ".errors", ".errorlist", ".field-error",
    ".form-error", ".error-message", ".invalid-feedback", ".alert-danger", ".alert-error",
    ".help-block.error", ".is-error", ".has-error .help-block",
  ].join(",");
  const WORDY = /[A-Za-z\u00C0-\uFFFF]{3,}/; // a message, not a "*" marker
  const SUCCESS_WORDS = /\b(confirmed|thank you|thanks|success|successfully|registered|complete|completed|booked|welcome)\b/i;
  const ERROR_WORDS = /\b(error|invalid|required|must|failed|cannot|can't|could not|unable|please (enter|select|choose|check|correct|provide|fill|agree)|not (valid|allowed|available)|already|denied|incorrect|wrong|missing|too (long|short))\b/i;

  // ------------------------------------------------------------------------------------------------
  // visibility

  const hiddenForAria = (el) => {
    if (el.closest("[aria-hidden=true], [inert]")) return true;
    return false;
  };
  const isVisible = (el) => {
    if (typeof el.checkVisibility === "function") {
      if (!el.checkVisibility({ visibilityProperty: true })) return false;
    } else {
      const cs = getComputedStyle(el);
      if (cs.display === "none" || cs.visibility === "hidden") return false;
    }
    const r = el.getBoundingClientRect();
    if (!(r.width > 0 && r.height > 0)) return false;
    return !clippedAway(el.parentElement);
  };
  // inside a zero-size ancestor with overflow hidden (cached per ancestor: siblings share them)
  const clipCache = new Map();
  const clippedAway = (node) => {
    if (!node || node === document.body || node === document.documentElement) return false;
    let hit = clipCache.get(node);
    if (hit === undefined) {
      const r = node.getBoundingClientRect();
      hit = false;
      if (!(r.width > 0 && r.height > 0)) {
        const cs = getComputedStyle(node);
        hit = cs.overflowX !== "visible" || cs.overflowY !== "visible";
      }
      hit = hit || clippedAway(node.parentElement);
      clipCache.set(node, hit);
    }
    return hit;
  };

  // ------------------------------------------------------------------------------------------------
  // names, roles, labels

  const textWithoutControls = (node) => {
    const clone = node.cloneNode(true);
    clone.querySelectorAll("input, select, textarea, button, script, style, [aria-hidden=true]").forEach((c) => c.remove());
    return collapse(clone.textContent);
  };
  const idsText = (ids) => collapse(
    (ids || "").split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id))
      .filter(Boolean)
      .map((n) => collapse(n.innerText || n.textContent))
      .join(" "),
  );
  const tagOf = (el) => el.tagName.toLowerCase();
  const typeOf = (el) => {
    const tag = tagOf(el);
    if (tag === "input") return (el.type || "text").toLowerCase();  // the property: an unknown type reads "text"
    if (tag === "button") return (el.getAttribute("type") || "submit").toLowerCase();
    if (tag === "select") return el.multiple ? "select-multiple" : "select-one";
    if (tag === "textarea") return "textarea";
    return "";
  };
  // roles Playwright's role engine also infers (contenteditable has no implicit ARIA role)
  const selectableRole = (el, tag, role) => !!role && (el.hasAttribute("role") || !el.isContentEditable || ["input", "textarea"].includes(tag));
  const roleOf = (el, tag, type) => {
    const explicit = (el.getAttribute("role") || "").trim().split(/\s+/)[0].toLowerCase();
    if (explicit && explicit !== "presentation" && explicit !== "none") return explicit;
    if (tag === "a" || tag === "area") return el.hasAttribute("href") ? "link" : "";
    if (tag === "button") return "button";
    if (tag === "select") return el.multiple || el.size > 1 ? "listbox" : "combobox";
    if (tag === "textarea") return "textbox";
    if (tag === "input") {
      if (BUTTON_TYPES.has(type)) return "button";
      if (type === "checkbox") return "checkbox";
      if (type === "radio") return "radio";
      if (type === "range") return "slider";
      if (type === "number") return "spinbutton";
      if (type === "search") return el.hasAttribute("list") ? "combobox" : "searchbox";
      if (["email", "tel", "text", "url", ""].includes(type)) return el.hasAttribute("list") ? "combobox" : "textbox";
      return "textbox";
    }
    if (el.isContentEditable) return "textbox";
    return "";
  };
  const labelOf = (el) => {
    const parts = [];
    if (el.labels) for (const l of el.labels) {
      const t = textWithoutControls(l);
      if (t && !parts.includes(t)) parts.push(t);
    }
    if (!parts.length) {  // a <label> just before the field that is tied to no control of its own
      const prev = el.previousElementSibling;
      if (prev && tagOf(prev) === "label" && !prev.control && !prev.hasAttribute("for")) {
        const t = collapse(prev.innerText || prev.textContent);
        if (t) parts.push(t);
      }
    }
    return parts.join(" ");
  };
  const nameOf = (el, tag, type, label) => {
    const by = idsText(el.getAttribute("aria-labelledby"));
    if (by) return by;
    const aria = collapse(el.getAttribute("aria-label"));
    if (aria) return aria;
    const isField = tag === "select" || tag === "textarea" || (tag === "input" && !BUTTON_TYPES.has(type));
    if (isField) {
      if (label) return label;
      const ph = collapse(el.getAttribute("placeholder"));
      if (ph) return ph;
      return collapse(el.getAttribute("title"));
    }
    if (tag === "input") {
      if (type === "image") return collapse(el.getAttribute("alt")) || collapse(el.getAttribute("value")) || "Submit";
      const v = collapse(el.value);
      if (v) return v;
      return type === "submit" ? "Submit" : type === "reset" ? "Reset" : label;
    }
    let text = collapse(el.innerText);
    if (!text) {
      const img = el.querySelector("img[alt], [aria-label]");
      if (img) text = collapse(img.getAttribute("alt") || img.getAttribute("aria-label"));
    }
    if (!text) {
      const svgTitle = el.querySelector("svg title");
      if (svgTitle) text = collapse(svgTitle.textContent);
    }
    return text || label || collapse(el.getAttribute("title"));
  };

  // ------------------------------------------------------------------------------------------------
  // nearby text and field errors

  const legendOf = (el) => {
    const group = el.closest("fieldset, [role=radiogroup], [role=group]");
    if (!group) return "";
    if (tagOf(group) === "fieldset") {
      const legend = group.querySelector(":scope > legend");
      if (legend) return collapse(legend.innerText || legend.textContent);
    }
    return collapse(group.getAttribute("aria-label")) || idsText(group.getAttribute("aria-labelledby"));
  };
  const contextOf = (el, role) => {
    let ctx = "";
    if (role === "radio" || role === "checkbox") ctx = legendOf(el);
    if (!ctx) {
      const row = el.closest("tr, [role=row]");
      if (row) ctx = collapse(row.innerText);
    }
    if (!ctx) {
      const li = el.closest("li");
      if (li) ctx = collapse(li.innerText);
    }
    if (!ctx) ctx = legendOf(el);
    if (!ctx && !el.matches(FIELD_SELECTOR)) ctx = cardOf(el);
    return clip(ctx, MAX_CONTEXT);
  };
  // A control inside one of several like blocks (a feed's posts, a grid's cards, a list of results built of
  // divs): the block's text is its row.
  const cardOf = (el) => {
    let a = el.parentElement;
    for (let up = 0; up < 6 && a && a.parentElement && a !== document.body; up++, a = a.parentElement) {
      const p = a.parentElement;
      if (p === document.body || tagOf(p) === "html") return "";
      const cls = a.getAttribute("class") || "";
      if (!cls) continue;
      let like = 0;
      for (const sib of p.children) if (sib !== a && sib.tagName === a.tagName && (sib.getAttribute("class") || "") === cls) like++;
      if (like >= 2) return collapse(a.innerText);
    }
    return "";
  };
  // A field with no name of its own, in a small box of its own with a short text ("Genre" <input>, or the
  // text after it): that text is what a person reads as its label.
  const boxTextOf = (el) => {
    let box = el.parentElement;
    for (let up = 0; up < 3 && box && box !== document.body; up++, box = box.parentElement) {
      if (box.querySelectorAll(FIELD_SELECTOR).length !== 1) return "";
      const text = collapse(box.innerText);
      if (text) return text.length <= 40 ? text.replace(/:$/, "").trim() : "";
    }
    return "";
  };
  const contextFor = (el, role, name) => {
    let ctx = contextOf(el, role);
    if (!ctx && !name && el.matches(FIELD_SELECTOR)) ctx = boxTextOf(el);
    if (ctx === name && !el.matches(FIELD_SELECTOR)) ctx = clip(cardOf(el), MAX_CONTEXT);  // an entry of a card's menu
    return ctx === name ? "" : ctx;
  };
  const FIELD_SELECTOR = "input:not([type=hidden]), select, textarea";
  // in a box laid over the page (a suggestion list under a field, a menu): the element or a near ancestor is
  // positioned absolute or fixed
  const floatingOf = (el) => {
    for (let p = el, d = 0; p && p !== document.body && d < 6; p = p.parentElement, d++) {
      const pos = getComputedStyle(p).position;
      if (pos === "absolute" || pos === "fixed") return true;
    }
    return false;
  };
  // aria-expanded when given; else an entry with a popup (aria-haspopup) whose submenu is not shown is closed
  const expandedOf = (el) => {
    if (el.hasAttribute("aria-expanded")) return el.getAttribute("aria-expanded") === "true";
    const popup = (el.getAttribute("aria-haspopup") || "false").toLowerCase();
    const parent = el.parentElement;
    if (popup !== "false" && popup !== "") {
      const sub = parent && parent.querySelector(":scope > [role=menu], :scope > ul");
      return sub ? isVisible(sub) : null;
    }
    // a toggle followed by its own menu (a post's "more" button and its list of actions)
    const next = el.nextElementSibling;
    if (next && (["ul", "ol"].includes(tagOf(next)) || next.getAttribute("role") === "menu") && next.children.length
        && !collapse(el.textContent).length) return isVisible(next);
    // the label of a tree node: an item whose own nested list is hidden is collapsed, shown is expanded
    if (parent && tagOf(parent) === "li" && !["ul", "ol"].includes(tagOf(el))) {
      const nested = parent.querySelector(":scope > ul, :scope > ol");
      if (nested && nested.children.length) return isVisible(nested);
    }
    return null;
  };
  const fieldErrorOf = (el, tag, type) => {
    const isField = tag === "select" || tag === "textarea" || (tag === "input" && !BUTTON_TYPES.has(type));
    if (!isField) return "";
    const msg = idsText(el.getAttribute("aria-errormessage"));
    if (msg) return msg;
    const describedBy = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    for (const id of describedBy) {
      const n = document.getElementById(id);
      if (!n || !isVisible(n)) continue;
      const t = collapse(n.innerText);
      if (WORDY.test(t) && (el.getAttribute("aria-invalid") === "true" || n.matches(ERROR_SELECTOR))) return t;
    }
    // The nearest container holding only this field (or its radio/checkbox group) and an error message.
    const groupName = el.getAttribute("name");
    let node = el.parentElement;
    for (let depth = 0; node && depth < 4 && node !== document.body; depth++, node = node.parentElement) {
      if (tagOf(node) === "form") break;
      const others = Array.from(node.querySelectorAll(FIELD_SELECTOR))
        .filter((f) => f !== el && !(groupName && f.getAttribute("name") === groupName));
      if (others.length) break;
      const found = Array.from(node.querySelectorAll(ERROR_SELECTOR)).find((n) => isVisible(n) && WORDY.test(n.innerText));
      if (found) return clip(collapse(found.innerText), MAX_NAME);
    }
    return el.getAttribute("aria-invalid") === "true" ? "invalid" : "";
  };

  // ------------------------------------------------------------------------------------------------
  // selectors

  const cssString = (v) => '"' + v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\a ") + '"';
  const SAFE_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
  // ids that are probably generated per render (ember123, react-select-4-input, uuids) are not durable
  const GENERATED_ID = /(\d{4,}|(?=[0-9a-f]*\d)[0-9a-f]{8,}|^(ember|react|ng|mui|radix|headlessui|yui|ext-gen)[-_]?\d|[-_]\d+[-_]|:r)/i;
  const uniqueCss = (sel, el) => {
    try {
      const found = document.querySelectorAll(sel);
      return found.length === 1 && found[0] === el;
    } catch (e) {
      return false;
    }
  };
  const idCounts = new Map();
  for (const n of document.querySelectorAll("[id]")) idCounts.set(n.id, (idCounts.get(n.id) || 0) + 1);

  const nthPath = (el) => {
    const steps = [];
    let node = el;
    while (node && node.nodeType === 1) {
      const tag = tagOf(node);
      if (node !== el && node.id && SAFE_ID.test(node.id) && !GENERATED_ID.test(node.id) && idCounts.get(node.id) === 1) {
        steps.unshift("#" + node.id);
        break;
      }
      if (tag === "html" || tag === "body") {
        steps.unshift(tag);
        break;
      }
      const parent = node.parentElement;
      let step = tag;
      if (parent) {
        const same = Array.from(parent.children).filter((c) => c.tagName === node.tagName);
        if (same.length > 1) step += `:nth-of-type(${same.indexOf(node) + 1})`;
      }
      steps.unshift(step);
      node = parent;
    }
    return steps.join(" > ");
  };

  // role+name pairs of everything Playwright's role engine could match, to know when role=... is unique
  const roleNameCounts = new Map();
  const roleKey = (role, name) => role + "\u0000" + name;

  const selectorFor = (el, tag, type, role, name) => {
    const id = el.id;
    if (id && SAFE_ID.test(id) && !GENERATED_ID.test(id) && idCounts.get(id) === 1 && uniqueCss("#" + id, el)) {
      return "#" + id;
    }
    const htmlName = el.getAttribute("name");
    if (htmlName) {
      let sel = `${tag}[name=${cssString(htmlName)}]`;
      if (uniqueCss(sel, el)) return sel;
      if ((type === "radio" || type === "checkbox") && el.hasAttribute("value")) {
        sel += `[value=${cssString(el.getAttribute("value"))}]`;
        if (uniqueCss(sel, el)) return sel;
      }
    }
    if (selectableRole(el, tag, role) && name && name.length <= 80 && roleNameCounts.get(roleKey(role, name)) === 1) {
      return `role=${role}[name=${JSON.stringify(name)}s]`;
    }
    if (tag === "a") {
      const href = el.getAttribute("href");
      if (href && href.length <= 300 && !href.startsWith("javascript:")) {
        const sel = `a[href=${cssString(href)}]`;
        if (uniqueCss(sel, el)) return sel;
      }
    }
    const path = nthPath(el);
    return path;
  };

  // ------------------------------------------------------------------------------------------------
  // collect

  const forms = new Map();
  Array.from(document.forms).forEach((f, i) => forms.set(f, i));

  const all = Array.from(document.querySelectorAll(INTERACTIVE));
  const candidates = [];
  for (const el of all) {
    const tag = tagOf(el);
    const type = typeOf(el);
    if (tag === "input" && type === "hidden") continue;
    const role = roleOf(el, tag, type);
    const label = labelOf(el);
    const name = clip(nameOf(el, tag, type, label), MAX_NAME);
    const ariaHidden = hiddenForAria(el);
    const visible = !ariaHidden && isVisible(el);
    if (selectableRole(el, tag, role) && name && !ariaHidden) {
      // Playwright's role engine also matches zero-size and clipped elements, just not display:none ones
      let counted = visible;
      if (!counted) {
        const cs = getComputedStyle(el);
        counted = cs.display !== "none" && cs.visibility !== "hidden" && !el.closest("[hidden]");
      }
      if (counted) {
        const k = roleKey(role, name);
        roleNameCounts.set(k, (roleNameCounts.get(k) || 0) + 1);
      }
    }
    if (!visible) continue;
    // a contenteditable inside another listed element is part of it
    candidates.push({ el, tag, type, role, label, name });
  }

  // Things a person would click that carry no interactive role: elements styled with a pointer cursor or
  // with an onclick/tabindex (tree items, menu entries, custom widgets), and short leaf texts (a result
  // title, a name in a list). Listed after the interactive ones, marked ``static``; pruned first.
  const MAX_STATIC = 300;
  const SKIP_STATIC = new Set(["script", "style", "noscript", "svg", "path", "html", "body", "br", "hr", "option",
    "optgroup", "form", "table", "tbody", "thead", "tfoot", "tr", "ul", "ol", "dl", "head", "title", "meta", "link",
    "iframe", "canvas", "img", "input", "select", "textarea", "button", "label", "legend"]);
  const listed = new Set(candidates.map((c) => c.el));
  const underListed = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) if (listed.has(p)) return true;
    return false;
  };
  // An icon-only control (an empty element with a pointer cursor: a trash can, a star, a send arrow) is named
  // by what it carries: its title or alt, then the words of its id and classes and of its image's file name.
  const ICON_NOISE = new Set(["icon", "icons", "fa", "fas", "far", "fab", "bi", "btn", "button", "glyphicon",
    "material", "clicked", "active", "selected", "pull", "left", "right", "float", "sm", "lg", "xs", "md", "png",
    "svg", "gif", "jpg", "img", "image", "white", "black", "dark", "light", "small", "large", "ui", "el", "js"]);
  const iconWords = (text) => (text || "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z]+/)
    .filter((w) => w.length > 1 && !ICON_NOISE.has(w));
  const iconOf = (el) => {
    if (el.childElementCount > 0 && el.querySelector(":scope > :not(img, svg, i)")) return "";
    if (collapse(el.textContent)) return "";
    if (!isVisible(el) || hiddenForAria(el) || underListed(el)) return "";
    const style = getComputedStyle(el);
    // an empty element is an icon when the pointer says it is clicked, or when it shows a picture (a CSS
    // content or background image: many icons show their pointer only on hover)
    const pictured = /url\(/.test(style.content + " " + style.backgroundImage) || !!el.querySelector("img, svg");
    if (style.cursor !== "pointer" && !pictured) return "";
    if (el.parentElement && getComputedStyle(el.parentElement).cursor === "pointer" && tagOf(el.parentElement) !== "body") return "";
    const said = collapse(el.getAttribute("title") || el.getAttribute("alt") || "");
    if (said) return clip(said, MAX_NAME);
    const img = el.querySelector("img[alt]");
    if (img && collapse(img.getAttribute("alt"))) return clip(collapse(img.getAttribute("alt")), MAX_NAME);
    const url = /url\(["']?([^"')]+)["']?\)/.exec(style.content + " " + style.backgroundImage);
    const file = url && !url[1].startsWith("data:") ? url[1].split("/").pop().replace(/\.[a-z0-9]+$/i, "") : "";
    const words = [];
    for (const w of [...iconWords(el.id), ...iconWords(el.getAttribute("class")), ...iconWords(file)]) {
      if (!words.includes(w)) words.push(w);
    }
    return clip(words.join(" "), MAX_NAME);
  };
  let statics = 0;
  const everything = document.body ? document.body.getElementsByTagName("*") : [];
  for (let i = 0; i < everything.length && statics < MAX_STATIC; i++) {
    const el = everything[i];
    const tag = tagOf(el);
    if (SKIP_STATIC.has(tag) || listed.has(el)) continue;
    let own = "";
    for (const ch of el.childNodes) if (ch.nodeType === 3) own += ch.textContent;
    own = collapse(own);
    const handler = el.hasAttribute("onclick") || (el.hasAttribute("tabindex") && el.getAttribute("tabindex") !== "-1");
    if (!own && !handler) {
      const icon = iconOf(el);
      if (icon) {
        const pointing = getComputedStyle(el).cursor === "pointer";
        candidates.push({ el, tag, type: "", role: "", label: "", name: icon, isStatic: true, pointer: pointing });
        listed.add(el);
        statics += 1;
      }
      continue;
    }
    if (own.length > 80 && !handler && tag !== "p") continue;  // long texts only as paragraphs (names clip)
    if (underListed(el) || hiddenForAria(el) || !isVisible(el)) continue;
    const pointer = getComputedStyle(el).cursor === "pointer";
    const parentPointer = pointer && el.parentElement && getComputedStyle(el.parentElement).cursor === "pointer";
    const name = clip(collapse(el.innerText || el.textContent), MAX_NAME);
    if (!name) continue;
    candidates.push({ el, tag, type: "", role: "", label: "", name, isStatic: true, pointer: (pointer && !parentPointer) || handler });
    // a long paragraph is listed to be read, and so is a text whose own words (links) are to be clicked: its
    // parts stay targets
    const clickableParts = !pointer && Array.from(el.children).some((ch) => getComputedStyle(ch).cursor === "pointer"
      && collapse(ch.textContent));
    if ((own.length <= 80 || handler) && !clickableParts) listed.add(el);
    statics += 1;
  }
  const active = document.activeElement;

  const elements = [];
  let n = 0;
  let activeRef = "";
  for (const c of candidates) {
    const { el, tag, type, role, label, name } = c;
    n += 1;
    const ref = "e" + n;
    const isPassword = tag === "input" && type === "password";
    let value = "";
    let filled = false;
    if (tag === "input" || tag === "textarea") {
      if (type === "checkbox" || type === "radio") value = el.getAttribute("value") ?? "on";
      else if (BUTTON_TYPES.has(type) || type === "file") value = "";
      else {
        filled = el.value !== "";
        value = isPassword ? "" : clip(el.value, tag === "textarea" ? MAX_TEXTAREA : MAX_VALUE);
      }
    } else if (tag === "select") {
      value = el.value;
      filled = el.value !== "";
    } else if (el.isContentEditable && !["button", "a"].includes(tag)) {
      value = clip(collapse(el.innerText), MAX_VALUE);
      filled = value !== "";
    }
    let checked = null;
    if (tag === "input" && (type === "checkbox" || type === "radio")) checked = el.checked;
    else if (["checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio"].includes(role)) {
      checked = el.getAttribute("aria-checked") === "true";
    }
    const options = [];
    if (tag === "select") {
      for (const o of el.options) {
        options.push({ value: o.value, label: clip(collapse(o.label || o.textContent), MAX_NAME), selected: o.selected });
      }
    }
    let form = null;
    const owner = el.form || el.closest("form");
    if (owner && forms.has(owner)) form = forms.get(owner);
    const href = (tag === "a" || tag === "area") && el.hasAttribute("href") ? el.href : "";
    elements.push({
      ref,
      selector: selectorFor(el, tag, type, role, name),
      tag,
      role,
      name,
      type: tag === "input" || tag === "button" || tag === "select" || tag === "textarea" ? type : "",
      html_id: el.id || "",
      html_name: el.getAttribute("name") || "",
      label: clip(label, MAX_NAME),
      placeholder: clip(collapse(el.getAttribute("placeholder")), MAX_NAME),
      autocomplete: collapse(el.getAttribute("autocomplete")),
      value,
      checked,
      required: !!el.required || el.getAttribute("aria-required") === "true",
      disabled: el.matches(":disabled") || el.getAttribute("aria-disabled") === "true",
      options,
      href,
      context: contextFor(el, role, name),
      form,
      error: c.isStatic ? "" : fieldErrorOf(el, tag, type),
      filled,
      static: !!c.isStatic,
      readonly: !!el.readOnly,
      dialog: !!el.closest("dialog, [role=dialog], [role=alertdialog], [aria-modal=true], .modal, .ui-dialog, .dialog, .popup, [id*=popup], [class*=popup], [id*=modal], [class*=modal], [class*=overlay]"),
      pointer: !!c.pointer,
      floating: c.isStatic || role === "option" || role === "menuitem" ? floatingOf(el) : false,
      expanded: expandedOf(el),
      selected: el.hasAttribute("aria-selected") ? el.getAttribute("aria-selected") === "true" : null,
    });
    if (el === active) activeRef = ref;
  }

  // ------------------------------------------------------------------------------------------------
  // page text: error messages first, then the rest of the visible text
  // (all reads happen before the data-bf-ref writes below, so layout is computed once)

  // errors: what reads like a problem; notices: other live/alert messages (role=alert is also used for good news)
  const errors = [];
  const notices = [];
  const seen = [];
  const LIVE = "[role=alert], [role=status], [aria-live=assertive], [aria-live=polite]";
  for (const node of document.querySelectorAll(ERROR_SELECTOR + ", " + LIVE)) {
    if (errors.length + notices.length >= 2 * MAX_ERRORS) break;
    if (hiddenForAria(node) || !isVisible(node)) continue;
    const t = collapse(node.innerText);
    if (!WORDY.test(t) || seen.some((s) => s.includes(t))) continue;
    const live = node.matches(LIVE);
    const errorStyled = node.matches(ERROR_SELECTOR) && (!live || /error|danger|invalid/i.test(String(node.className)));
    const isError = errorStyled || (node.matches("[role=alert], [aria-live=assertive]") && !SUCCESS_WORDS.test(t) && ERROR_WORDS.test(t));
    if (!isError && !live) continue;
    seen.push(t);
    if (isError && errors.length < MAX_ERRORS) errors.push(clip(t, MAX_NAME));
    else if (!isError && notices.length < MAX_ERRORS) notices.push(t);
  }
  const first = [...errors, ...notices];
  let body = collapse(document.body ? document.body.innerText : "");
  for (const e of first) {
    const at = body.indexOf(e);
    if (at >= 0) body = collapse(body.slice(0, at) + " " + body.slice(at + e.length));
  }
  const text = clip(collapse(first.join(" ") + " " + body), MAX_TEXT);

  const present = [];
  for (const sel of probes || []) {
    try {
      const node = document.querySelector(sel);
      if (node && isVisible(node)) present.push(sel);
    } catch (e) {
      // an invalid selector is simply not present
    }
  }

  // writes last, and only where something changes: no layout invalidation during the reads above, and
  // no needless mutations for the page's observers
  const tagged = new Set(candidates.map((c) => c.el));
  for (const old of document.querySelectorAll("[data-bf-ref]")) {
    if (!tagged.has(old)) old.removeAttribute("data-bf-ref");
  }
  candidates.forEach((c, i) => {
    if (c.el.getAttribute("data-bf-ref") !== elements[i].ref) c.el.setAttribute("data-bf-ref", elements[i].ref);
  });

  return { url: location.href, title: collapse(document.title), text, errors, elements, present, active: activeRef };
}
