// CodeMirror 6 over every code textarea (name="code"), as progressive enhancement: the textarea
// stays in the form (hidden) and always holds the editor's text, so the form posts the same
// with or without this script. Built into static/editor.js by `make assets`.
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  LanguageSupport,
  bracketMatching,
  indentOnInput,
  indentUnit,
  syntaxHighlighting,
} from "@codemirror/language";
import { pythonLanguage } from "@codemirror/lang-python";
import { classHighlighter } from "@lezer/highlight";

const isMac = /Mac|iPhone|iPad/.test(navigator.platform);
const mod = isMac ? "⌘" : "Ctrl";

// Ctrl/Cmd-Enter presses the form's main button: "Run" on a run form, "Submit" on a code
// answer. On a code answer, Shift-Ctrl/Cmd-Enter presses its "Run" button.
function buttonsOf(form) {
  const run = form.querySelector("button.run-button");
  const main = form.querySelector("button[type=submit]:not(.run-button)") || run;
  return { main, run: run || main };
}

function press(form, button) {
  if (button && !button.disabled) form.requestSubmit(button);
  return true; // handled: never insert a newline for these keys
}

function hintText(form, buttons) {
  const mainName = buttons.main.textContent.trim().toLowerCase();
  let keys = `${mod}-Enter ${mainName === "run" ? "runs" : "submits"}`;
  if (buttons.run !== buttons.main) keys += ` · Shift-${mod}-Enter runs`;
  return `${keys} · Tab indents · Esc then Tab leaves the editor`;
}

let counter = 0;

function enhance(textarea) {
  const form = textarea.form;
  if (!form) return;
  const buttons = buttonsOf(form);
  const hint = document.createElement("p");
  hint.className = "editor-hint";
  hint.id = `editor-hint-${++counter}`;
  hint.textContent = hintText(form, buttons);

  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        // The grammar alone: python() would also pull in autocompletion, which this editor
        // does not offer (it stays out of the bundle).
        new LanguageSupport(pythonLanguage),
        syntaxHighlighting(classHighlighter),
        keymap.of([
          { key: "Mod-Enter", run: () => press(form, buttons.main) },
          { key: "Shift-Mod-Enter", run: () => press(form, buttons.run) },
          indentWithTab,
          ...defaultKeymap,
          ...historyKeymap,
        ]),
        EditorView.contentAttributes.of({
          "aria-label": textarea.getAttribute("aria-label") || "Code",
          "aria-describedby": hint.id,
          autocapitalize: "off",
          spellcheck: "false",
        }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
      ],
    }),
  });
  view.dom.style.setProperty("--editor-rows", String(Number(textarea.rows) || 8));
  textarea.hidden = true;
  textarea.after(view.dom, hint);
  for (const label of textarea.labels) label.addEventListener("click", () => view.focus());
}

for (const textarea of document.querySelectorAll("textarea[name=code]")) enhance(textarea);
