// Fleet pages: the progress of a register import, and the what-if sliders of the dashboard.
"use strict";

function formatNumber(value) {
  return Math.round(value).toLocaleString(document.documentElement.lang || undefined);
}

function followImport(section) {
  const bar = document.getElementById("import-bar");
  const state = document.getElementById("import-state");
  const stage = document.getElementById("import-stage");
  async function poll() {
    const response = await fetch(section.dataset.statusUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) { setTimeout(poll, 2000); return; }
    const status = await response.json();
    bar.value = status.progress;
    bar.textContent = status.progress + " %";
    state.textContent = status.state_label;
    stage.textContent = status.stage_label;
    if (!status.finished) { setTimeout(poll, 500); return; }
    if (status.state === "done") {
      document.getElementById("import-created").textContent = status.created;
      document.getElementById("import-updated").textContent = status.updated;
      document.getElementById("import-result").hidden = false;
      if (status.notes.length) {
        document.getElementById("note-list").replaceChildren(...status.notes.map((text) => {
          const item = document.createElement("li");
          item.textContent = text;
          return item;
        }));
        document.getElementById("import-notes").hidden = false;
      }
    } else {
      const list = document.getElementById("problem-list");
      list.replaceChildren(...status.problems.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }));
      document.getElementById("import-problems").hidden = false;
    }
  }
  poll();
}

function whatIf(form) {
  const outputs = { life: (v) => v, refurbished: (v) => Math.round(v * 100), reuse: (v) => Math.round(v * 100) };
  let pending = null;
  async function update() {
    for (const [id, show] of Object.entries(outputs)) {
      document.getElementById(id + "-out").textContent = show(Number(document.getElementById(id).value));
    }
    const query = new URLSearchParams(new FormData(form));
    const response = await fetch(form.dataset.url + "?" + query, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const result = await response.json();
    const base = result.annual_kgco2e.value;
    const what = result.scenario_annual_kgco2e.value;
    const saving = result.saving_kgco2e_per_year;
    document.getElementById("scenario-baseline").textContent = formatNumber(base);
    document.getElementById("scenario-value").textContent = formatNumber(what);
    for (const [id, span] of [["scenario-baseline-range", result.annual_kgco2e], ["scenario-value-range", result.scenario_annual_kgco2e]]) {
      document.getElementById(id).textContent = formatNumber(span.low) + "–" + formatNumber(span.high);
    }
    document.getElementById("scenario-saving").textContent = formatNumber(saving.value);
    document.getElementById("scenario-saving-range").textContent = formatNumber(saving.low) + "–" + formatNumber(saving.high);
    document.getElementById("scenario-bar").style.width = (base > 0 ? (100 * what) / base : 100) + "%";
    form.dataset.updated = query.toString();
  }
  form.addEventListener("input", () => { clearTimeout(pending); pending = setTimeout(update, 150); });
  form.addEventListener("submit", (event) => { event.preventDefault(); update(); });
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("import-progress");
  if (section && document.getElementById("import-problems").hidden && document.getElementById("import-result").hidden) {
    followImport(section);
  }
  const form = document.getElementById("scenario");
  if (form) whatIf(form);
});
