// The web chat widget: one <script src=".../widget.js" data-widget-key="wk_..." async> on the
// operator's page. It draws its panel in a shadow root (the page's styles do not reach it), talks only
// to the gateway it was loaded from, and keeps its session secret in this tab's sessionStorage.
// Plain JS, no build step, nothing fetched but the gateway's own API.
(() => {
  const WORDS = /*@words*/{};
  const script = document.currentScript;
  if (!script || !script.dataset.widgetKey) return;
  const BASE = new URL(script.src).origin;
  const KEY = script.dataset.widgetKey;
  const asked = (script.dataset.lang || document.documentElement.lang || "ar").slice(0, 2).toLowerCase();
  const LANG = asked === "en" ? "en" : "ar";
  const LOCALE = LANG === "ar" ? "ar-AE" : "en-AE";
  // How often the panel asks for news while open (seconds; at least 1).
  const EVERY_MS = Math.max(1, Number(script.dataset.pollSeconds) || 3) * 1000;
  const STORE = "ticketing-chat:" + KEY;
  const I18N = WORDS[LANG] || {};
  function t(key, params) {
    let s = I18N[key] ?? key;
    for (const [k, v] of Object.entries(params || {})) s = s.replaceAll("{" + k + "}", v);
    return s;
  }
  const num = (n) => new Intl.NumberFormat(LOCALE).format(n);

  const CSS = `
    :host { all: initial; }
    .launcher { position: fixed; inset-block-end: 1rem; inset-inline-end: 1rem; z-index: 2147483000;
      padding: 0.7rem 1.2rem; border: 0; border-radius: 2rem; background: #0b5d4b; color: #fff;
      font: 600 1rem system-ui, "Noto Sans Arabic", sans-serif; cursor: pointer; }
    .panel { position: fixed; inset-block-end: 4.5rem; inset-inline-end: 1rem; z-index: 2147483000;
      inline-size: min(22rem, calc(100vw - 2rem)); max-block-size: min(34rem, calc(100vh - 6rem));
      display: flex; flex-direction: column; background: #fff; color: #1d232b; border-radius: 0.6rem;
      box-shadow: 0 4px 18px rgb(0 0 0 / 0.25); font: 0.95rem system-ui, "Noto Sans Arabic", sans-serif; }
    [hidden] { display: none !important; }
    header { display: flex; justify-content: space-between; align-items: center; padding: 0.6rem 0.9rem;
      background: #0b5d4b; color: #fff; border-start-start-radius: 0.6rem; border-start-end-radius: 0.6rem; }
    header h2 { font-size: 1rem; margin: 0; }
    header button { background: none; border: 0; color: #fff; font-size: 1.2rem; cursor: pointer; }
    form, .chat { display: flex; flex-direction: column; gap: 0.45rem; padding: 0.8rem; overflow: auto; }
    label { font-size: 0.85rem; color: #4c5663; }
    input, textarea { font: inherit; padding: 0.4rem; border: 1px solid #9aa4b1; border-radius: 0.3rem; }
    textarea { min-block-size: 4rem; resize: vertical; }
    button.primary { padding: 0.5rem; border: 0; border-radius: 0.3rem; background: #0b5d4b; color: #fff;
      font: inherit; cursor: pointer; }
    button.secondary { padding: 0.4rem; border: 1px solid #9aa4b1; border-radius: 0.3rem; background: #fff;
      font: inherit; cursor: pointer; }
    .status { background: #eef5f3; padding: 0.5rem; border-radius: 0.3rem; }
    .log { display: flex; flex-direction: column; gap: 0.4rem; min-block-size: 6rem; overflow: auto; }
    .msg { padding: 0.45rem 0.6rem; border-radius: 0.5rem; max-inline-size: 85%; white-space: pre-wrap;
      overflow-wrap: anywhere; }
    .mine { align-self: flex-start; background: #dbeafe; }
    .centre { align-self: flex-end; background: #f1f3f5; }
    .error { color: #a4262c; }
  `;

  const host = document.createElement("div");
  host.id = "ticketing-chat";
  const root = host.attachShadow({ mode: "open" });
  // A constructed style sheet where the browser has them: an operator's style-src policy need not
  // allow inline styles for the widget to look right.
  if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && CSSStyleSheet.prototype.replaceSync) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = CSS;
    root.append(style);
  }
  const el = (tag, props, children) => {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  };
  const field = (id, label, input) => [el("label", { htmlFor: id, textContent: label }), Object.assign(input, { id })];

  const launcher = el("button", { className: "launcher", type: "button", textContent: t("widget.open") });
  launcher.setAttribute("part", "launcher");
  const closeButton = el("button", { type: "button", textContent: "×", title: t("widget.minimise") });
  closeButton.setAttribute("aria-label", t("widget.minimise"));
  const name = el("input", { type: "text", maxLength: 200, autocomplete: "name" });
  // Addresses and numbers read left to right in Arabic too.
  const email = el("input", { type: "email", maxLength: 320, autocomplete: "email", dir: "ltr" });
  const phone = el("input", { type: "tel", maxLength: 25, autocomplete: "tel", dir: "ltr" });
  const text = el("textarea", { maxLength: 5000, required: true });
  const startError = el("p", { className: "error", hidden: true });
  const startForm = el("form", { className: "start" }, [
    el("p", { textContent: t("widget.intro") }),
    ...field("tc-name", t("widget.name"), name),
    ...field("tc-email", t("widget.email"), email),
    ...field("tc-phone", t("widget.phone"), phone),
    ...field("tc-text", t("widget.message"), text),
    el("button", { className: "primary", type: "submit", textContent: t("widget.send") }),
    startError,
  ]);
  const reference = el("p", { className: "reference" });
  const status = el("p", { className: "status", role: "status" });
  status.setAttribute("aria-live", "polite");
  const log = el("div", { className: "log" });
  log.setAttribute("role", "log");
  const more = el("textarea", { maxLength: 5000, placeholder: t("widget.write_more") });
  more.setAttribute("aria-label", t("widget.write_more"));
  const sendMore = el("button", { className: "primary", type: "button", textContent: t("widget.send") });
  const person = el("button", { className: "secondary", type: "button", textContent: t("widget.ask_person"), hidden: true });
  const leave = el("button", { className: "secondary", type: "button", textContent: t("widget.leave") });
  const newChat = el("button", { className: "secondary", type: "button", textContent: t("widget.new_chat"), hidden: true });
  const chatError = el("p", { className: "error", hidden: true });
  const chat = el("div", { className: "chat", hidden: true }, [reference, status, log, more, sendMore, person, leave, newChat, chatError]);
  const panel = el("section", { className: "panel", hidden: true }, [
    el("header", {}, [el("h2", { textContent: t("widget.title") }), closeButton]),
    startForm,
    chat,
  ]);
  panel.lang = LANG;
  panel.dir = LANG === "ar" ? "rtl" : "ltr";
  launcher.lang = LANG;
  launcher.dir = panel.dir;
  root.append(launcher, panel);

  // What this tab remembers of its chat: the secret, the ticket, the last message seen, the log.
  let saved = null;
  try { saved = JSON.parse(sessionStorage.getItem(STORE) || "null"); } catch (error) { saved = null; }
  const remember = () => sessionStorage.setItem(STORE, JSON.stringify(saved));
  const forget = () => { sessionStorage.removeItem(STORE); saved = null; };
  let timer = null;

  function linkified(body) {
    // Links (the survey's) become anchors; everything else stays text, never HTML.
    const node = el("div", { className: "text" });
    for (const piece of body.split(/(https?:\/\/[^\s]+)/)) {
      if (/^https?:\/\//.test(piece)) {
        const a = el("a", { href: piece, textContent: piece, target: "_blank", rel: "noopener noreferrer" });
        node.append(a);
      } else if (piece) node.append(document.createTextNode(piece));
    }
    return node;
  }
  function show(entry) {
    const item = el("div", { className: "msg " + (entry.mine ? "mine" : "centre") }, [linkified(entry.body)]);
    item.dataset.kind = entry.kind || "customer";
    log.append(item);
    log.scrollTop = log.scrollHeight;
  }
  function waitText(s) {
    if (s.estimated_wait_s === null || s.estimated_wait_s === undefined) return t("widget.wait_unknown");
    const minutes = Math.ceil(s.estimated_wait_s / 60);
    return minutes <= 1 ? t("widget.wait_soon") : t("widget.wait_minutes", { n: num(minutes) });
  }
  function describe(s) {
    if (s.status === "queued" && s.position) {
      return t("widget.position", { position: num(s.position), wait: waitText(s) });
    }
    switch (s.status) {
      case "claimed": return t("widget.claimed");
      case "answered": return t("widget.answered");
      case "resolved": return t("widget.resolved");
      case "abandoned": return t("widget.left");
      case "self_served": return t("widget.self_served");
      default: return t("widget.waiting");
    }
  }
  function apply(s) {
    status.textContent = describe(s);
    status.dataset.status = s.status;
    for (const m of s.messages || []) {
      if (m.id <= saved.after) continue;
      saved.after = m.id;
      saved.log.push({ body: m.body, kind: m.kind });
      show({ body: m.body, kind: m.kind });
    }
    const closed = !s.open;
    more.hidden = sendMore.hidden = closed;
    person.hidden = s.status !== "self_served";
    leave.textContent = closed ? t("widget.close") : t("widget.leave");
    remember();
  }
  async function call(method, path, body) {
    const response = await fetch(BASE + path, {
      method,
      mode: "cors",
      credentials: "omit",
      headers: Object.assign(
        { Accept: "application/json" },
        body ? { "Content-Type": "application/json" } : {},
        saved && saved.secret ? { Authorization: "Bearer " + saved.secret } : {}
      ),
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data };
  }
  function failed(where, answer) {
    where.hidden = false;
    where.textContent = answer && answer.status === 429 ? t("widget.too_many") : t("widget.failed");
  }
  function ended(message) {
    clearTimeout(timer);
    forget();
    more.hidden = sendMore.hidden = leave.hidden = person.hidden = true;
    newChat.hidden = false;
    status.textContent = message;
  }
  async function poll() {
    clearTimeout(timer);
    if (!saved) return;
    try {
      const answer = await call("GET", "/v1/chat/session?after=" + saved.after);
      if (answer.status === 401) { ended(t("widget.expired")); return; }
      if (answer.status === 200) { chatError.hidden = true; apply(answer.data); }
    } catch (error) { /* offline a moment: the next poll tries again */ }
    timer = setTimeout(poll, EVERY_MS);
  }
  function openChat() {
    startForm.hidden = true;
    chat.hidden = false;
    newChat.hidden = true;
    leave.hidden = false;
    reference.textContent = t("widget.reference", { ticket: num(saved.ticket) });
    log.replaceChildren();
    for (const entry of saved.log) show(entry);
    poll();
  }

  launcher.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    if (!panel.hidden) (saved ? more : text).focus();
  });
  closeButton.addEventListener("click", () => { panel.hidden = true; });
  startForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    startError.hidden = true;
    const form = { widget_key: KEY, text: text.value, language: LANG };
    for (const [k, input] of [["name", name], ["email", email], ["phone", phone]]) {
      if (input.value.trim()) form[k] = input.value.trim();
    }
    const button = startForm.querySelector("button");
    button.disabled = true;
    try {
      const answer = await call("POST", "/v1/chat/sessions", form);
      if (answer.status !== 201) { failed(startError, answer); return; }
      saved = { secret: answer.data.session_secret, ticket: answer.data.ticket_id, after: 0,
        log: [{ body: text.value, mine: true }] };
      text.value = "";
      remember();
      openChat();
      apply(answer.data);
    } catch (error) { failed(startError, null); } finally { button.disabled = false; }
  });
  sendMore.addEventListener("click", async () => {
    const body = more.value;
    if (!body.trim() || !saved) return;
    try {
      const answer = await call("POST", "/v1/chat/session/messages?after=" + saved.after, { text: body });
      if (answer.status !== 200) { failed(chatError, answer); return; }
      more.value = "";
      chatError.hidden = true;
      saved.log.push({ body, mine: true });
      show({ body, mine: true });
      apply(answer.data);
    } catch (error) { failed(chatError, null); }
  });
  person.addEventListener("click", async () => {
    if (!saved) return;
    try {
      const answer = await call("POST", "/v1/chat/session/human?after=" + saved.after);
      if (answer.status !== 200) { failed(chatError, answer); return; }
      chatError.hidden = true;
      apply(answer.data);
    } catch (error) { failed(chatError, null); }
  });
  leave.addEventListener("click", async () => {
    if (!saved) return;
    try {
      const answer = await call("POST", "/v1/chat/session/leave");
      if (answer.status === 200 || answer.status === 401) {
        ended(answer.data.abandoned ? t("widget.left") : t("widget.closed"));
        status.dataset.status = answer.data.status || "";
        return;
      }
      failed(chatError, answer);
    } catch (error) { failed(chatError, null); }
  });
  newChat.addEventListener("click", () => {
    chat.hidden = true;
    startForm.hidden = false;
    text.focus();
  });

  (document.body || document.documentElement).append(host);
  if (saved) { panel.hidden = false; openChat(); }
})();
