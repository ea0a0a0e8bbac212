// Progressive enhancement. Without JavaScript every form posts and the server renders the
// result page; nothing here is needed for the site to work. This file builds no markup: the
// output of a run is rendered by the server (templates/_output.html, the same partial the
// pages use) and swapped in as it comes.
"use strict";

const RUN_FRAGMENT = "/fragments/run";

// A snippet's "Edit and run" form, the run page's form, or the Run button of a code answer.
function outputSlot(form, submitter) {
  if (form.classList.contains("run-form")) {
    return form.closest(".snippet")?.querySelector(".output-slot") ?? null;
  }
  if (submitter && submitter.classList.contains("run-button")) {
    return form.querySelector(".code-answer .output-slot");
  }
  return null;
}

async function runInPlace(event) {
  const form = event.target;
  const submitter = event.submitter;
  const slot = outputSlot(form, submitter);
  if (!slot) return; // let the browser post the form: the server shows the result
  event.preventDefault();
  const button = submitter || form.querySelector("button[type=submit]");
  if (button.disabled) return;
  // Ctrl-Enter in the editor keeps the focus there; a pressed button hands it to the result.
  const typing = form.contains(document.activeElement) && document.activeElement !== button;
  const body = new URLSearchParams(new FormData(form));
  button.disabled = true;
  slot.dataset.state = "running";
  slot.textContent = "Running…"; // the slot is a polite live region: this is announced
  try {
    const response = await fetch(RUN_FRAGMENT, {
      method: "POST",
      body,
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    const type = response.headers.get("Content-Type") || "";
    if (type.startsWith("text/html")) {
      slot.innerHTML = await response.text(); // rendered and escaped by the server
    } else {
      slot.textContent = `The server refused this run (HTTP ${response.status}); reload the page and try again.`;
    }
  } catch {
    slot.textContent = "Could not reach the server; check your connection and run again.";
  } finally {
    delete slot.dataset.state;
    button.disabled = false;
  }
  if (!typing) {
    const result = slot.firstElementChild || slot;
    result.tabIndex = -1;
    result.focus();
  }
}

document.addEventListener("submit", runInPlace);
// Where run results arrive: polite live regions, so that screen readers read them out.
for (const slot of document.querySelectorAll(".output-slot")) slot.setAttribute("aria-live", "polite");

// Light or dark: the page follows prefers-color-scheme until the learner picks one; the pick
// is kept in a cookie so that the server renders the next page in it (no flash).
function setUpThemeToggle() {
  const toggle = document.querySelector(".theme-toggle");
  if (!toggle) return;
  const root = document.documentElement;
  const dark = () =>
    root.dataset.theme ? root.dataset.theme === "dark" : matchMedia("(prefers-color-scheme: dark)").matches;
  const show = () => toggle.setAttribute("aria-pressed", String(dark()));
  toggle.addEventListener("click", () => {
    const theme = dark() ? "light" : "dark";
    root.dataset.theme = theme;
    document.cookie = `theme=${theme}; path=/; max-age=${400 * 24 * 3600}; samesite=lax`;
    show();
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", show);
  show();
  toggle.hidden = false;
}

setUpThemeToggle();

// A code block (or a table) wider than its box scrolls; the keyboard must reach it too.
function focusableScrollers() {
  for (const box of document.querySelectorAll("pre, .prose table")) {
    if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
      if (!box.hasAttribute("tabindex")) box.tabIndex = 0;
    } else if (box.tabIndex === 0) {
      box.removeAttribute("tabindex");
    }
  }
}

focusableScrollers();
new ResizeObserver(focusableScrollers).observe(document.body);

// The code editor (static/editor.js, built from frontend/) only on pages with code to edit.
if (document.querySelector("textarea[name=code]")) {
  const script = document.createElement("script");
  script.src = "/static/editor.js";
  document.head.append(script);
}
