// The studio page's editor and charts, bundled by build.mjs into one script
// (src/serve/assets/studio.js) that the server embeds. The page itself (page.html) calls
// window.Studio.editor(...) and window.Studio.chart(...).
import { EditorState } from "@codemirror/state";
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle, bracketMatching, indentOnInput } from "@codemirror/language";
import { javascript } from "@codemirror/lang-javascript";
import { autocompletion, closeBrackets, completionKeymap } from "@codemirror/autocomplete";
import { linter, lintGutter, forceLinting } from "@codemirror/lint";
import { searchKeymap } from "@codemirror/search";

import * as echarts from "echarts/core";
import { BarChart } from "echarts/charts";
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, CanvasRenderer]);

// The offset in the document of a 1-based line and column (columns count characters).
function offsetOf(doc, line, col) {
  if (line < 1) return 0;
  const l = doc.line(Math.min(line, doc.lines));
  return Math.min(l.from + Math.max(col - 1, 0), l.to);
}

// A code editor: Rhai read as JavaScript for colours (the same operators, strings and
// comments), the dictionary as completion, and diagnostics from `lint(text)` (a promise of
// [{line, col, severity, message, hint}]) shown at their line and column as one types.
function editor(parent, { text, words, lint, onChange }) {
  const complete = (context) => {
    const word = context.matchBefore(/[\p{L}\p{N}_"]+/u);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    return { from: word.from, options: words, validFor: /^[\p{L}\p{N}_"]*$/u };
  };
  const diagnostics = linter(
    async (view) => {
      const found = await lint(view.state.doc.toString());
      return found.map((d) => {
        // From the column given to the end of the name there (one character at least).
        const from = offsetOf(view.state.doc, d.line, d.col);
        const line = view.state.doc.lineAt(from);
        const word = line.text.slice(from - line.from).match(/^[\p{L}\p{N}_]+/u);
        return {
          from,
          to: Math.min(line.to, from + (word ? word[0].length : 1)),
          severity: d.severity === "error" ? "error" : "warning",
          message: d.hint ? `${d.message}\n${d.hint}` : d.message,
        };
      });
    },
    { delay: 400 },
  );
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(), history(),
        indentOnInput(), bracketMatching(), closeBrackets(), javascript(), EditorView.lineWrapping,
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        autocompletion({ override: [complete] }), diagnostics, lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, ...completionKeymap, ...searchKeymap, indentWithTab]),
        EditorView.updateListener.of((u) => { if (u.docChanged && onChange) onChange(u.state.doc.toString()); }),
        EditorView.theme({ "&": { fontSize: "15px", border: "1px solid #ccd" }, ".cm-content": { fontFamily: "monospace" } }),
      ],
    }),
  });
  return {
    view,
    get: () => view.state.doc.toString(),
    set: (t) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } }),
    relint: () => forceLinting(view),
  };
}

// Changed households by county: those that stop meeting a verdict and those that start.
function chart(el, { title, counties, lost, gained, lostLabel, gainedLabel }) {
  const c = echarts.getInstanceByDom(el) || echarts.init(el);
  c.setOption({
    title: { text: title, left: "center", textStyle: { fontSize: 15 } },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 60, right: 20, top: 40, bottom: 70 },
    xAxis: { type: "category", data: counties, axisLabel: { interval: 0, rotate: counties.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: lostLabel, type: "bar", stack: "c", data: lost, itemStyle: { color: "#c0392b" } },
      { name: gainedLabel, type: "bar", stack: "c", data: gained, itemStyle: { color: "#2e86c1" } },
    ],
  }, true);
  return c;
}

window.Studio = { editor, chart };
