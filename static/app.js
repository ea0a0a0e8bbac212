// Progressive enhancement: run code in place. Without JavaScript the forms post and
// the server renders the result page; nothing here is needed for the site to work.
"use strict";

function outputNode(run) {
  const labels = { ok: "Output", error: "Error", timeout: "Stopped: time limit", limit: "Stopped: limit reached" };
  const box = document.createElement("div");
  box.className = "output status-" + run.status;
  box.setAttribute("aria-live", "polite");
  const meta = document.createElement("p");
  meta.className = "run-meta";
  meta.textContent = (labels[run.status] || run.status) + " ";
  const time = document.createElement("span");
  time.className = "run-time";
  time.textContent = Math.round(run.duration_ms) + " ms";
  meta.appendChild(time);
  box.appendChild(meta);
  if (run.reason) {
    const reason = document.createElement("p");
    reason.className = "run-reason";
    reason.textContent = run.reason;
    box.appendChild(reason);
  }
  if (run.stdout || run.stderr) {
    const pre = document.createElement("pre");
    pre.className = "run-text";
    for (const [name, text] of [["stdout", run.stdout], ["stderr", run.stderr]]) {
      if (!text) continue;
      const samp = document.createElement("samp");
      samp.className = name;
      samp.textContent = text; // output is hostile text: never innerHTML
      pre.appendChild(samp);
    }
    box.appendChild(pre);
  } else if (run.status === "ok") {
    const empty = document.createElement("p");
    empty.className = "run-empty";
    empty.textContent = "(no output)";
    box.appendChild(empty);
  }
  return box;
}

function message(text, className) {
  const p = document.createElement("p");
  p.className = className;
  p.setAttribute("role", className.includes("error") ? "alert" : "status");
  p.textContent = text;
  return p;
}

async function runInPlace(event) {
  const form = event.target;
  // A snippet's "Edit and run" form, or the Run button of a code question's answer form.
  const submitter = event.submitter;
  const isRun = form.classList.contains("run-form") || (submitter && submitter.classList.contains("run-button"));
  if (!isRun) return;
  const container = form.classList.contains("run-form") ? form.closest(".snippet") : form.querySelector(".code-answer");
  const slot = container && container.querySelector(".output-slot");
  if (!slot) return; // let the browser post the form: the server shows the result
  event.preventDefault();
  const button = submitter || form.querySelector("button[type=submit]");
  button.disabled = true;
  slot.replaceChildren(message("running…", "running"));
  try {
    const response = await fetch("/api/run", {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": form.elements.csrf_token.value },
      body: JSON.stringify({ code: form.elements.code.value }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      slot.replaceChildren(outputNode(body));
    } else {
      const detail = typeof body.detail === "string" ? body.detail : "the run was refused (" + response.status + ")";
      slot.replaceChildren(message(detail, "banner error"));
    }
  } catch (error) {
    slot.replaceChildren(message("could not reach the server; check your connection and run again", "banner error"));
  } finally {
    button.disabled = false;
  }
}

document.addEventListener("submit", runInPlace);
