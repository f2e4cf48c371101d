// The page's language: the catalogue the gateway served it with (#messages), numbers and dates in
// the locale's form (Intl, the same CLDR data as the server's babel).
const I18N = JSON.parse(document.getElementById("messages").textContent);
const LANG = document.documentElement.lang;
const LOCALE = document.documentElement.dataset.locale;
function t(key, params) {
  let s = I18N[key] ?? key;
  for (const [k, v] of Object.entries(params || {})) s = s.replaceAll("{" + k + "}", v);
  return s;
}
function name(kind, id) { return I18N[kind + "." + id] ?? id; }
function shown(item, id) { return (item.names && item.names[LANG]) || id; }
function num(n, options) { return n === null || n === undefined ? "–" : new Intl.NumberFormat(LOCALE, options).format(n); }
function pct(r) { return num(r, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }); }
function clock(at) { return new Date(at).toLocaleTimeString(LOCALE); }
function fmtSeconds(s) {
  if (s === null || s === undefined) return "–";
  s = Math.round(s);
  const two = (n) => num(n, { minimumIntegerDigits: 2 });
  // m:ss under an hour, h:mm:ss under a day, then days and hours (a ticket forgotten in a queue).
  if (s < 60) return t("unit.seconds", { n: num(s) });
  if (s < 3600) return num(Math.floor(s / 60)) + ":" + two(s % 60);
  if (s < 86400) return num(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
  return t("unit.days_hours", { d: num(Math.floor(s / 86400)), h: num(Math.floor(s / 3600) % 24) });
}
// The language switch: this browser remembers the choice (localStorage); it outranks ?lang= and the
// browser's Accept-Language, so a page served in another language reloads in the chosen one.
function showIn(language) {
  const url = new URL(location.href);
  url.searchParams.set("lang", language);
  location.replace(url);
}
function chooseLanguage(language, persist) {
  localStorage.setItem("language", language);
  Promise.resolve(persist && persist(language)).finally(() => showIn(language));
}
function languageSwitch(persist) {
  const select = document.getElementById("language");
  select.value = LANG;
  select.addEventListener("change", () => chooseLanguage(select.value, persist));
  const chosen = localStorage.getItem("language");
  if (chosen && chosen !== LANG && ["ar", "en"].includes(chosen)) showIn(chosen);
}
