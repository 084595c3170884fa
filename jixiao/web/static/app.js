// The workbench's script: adding files with live progress, and review buttons. Text from documents
// is only ever set with textContent, never as HTML.
"use strict";
(function () {
  let csrf = null;
  async function session() {
    if (!csrf) {
      const r = await fetch("/api/session", { credentials: "same-origin" });
      csrf = (await r.json()).csrf;
    }
    return csrf;
  }
  async function send(method, url, body, json) {
    const headers = { "X-CSRF-Token": await session() };
    if (json) headers["Content-Type"] = "application/json";
    return fetch(url, { method, headers, body, credentials: "same-origin" });
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  const RUN_ZH = { queued: "排队 queued", running: "解析中 running", done: "完成 done", failed: "失败 failed", cancelled: "已取消 cancelled" };

  // -- runs ------------------------------------------------------------------------------------
  function savedRuns() {
    try { return JSON.parse(localStorage.getItem("jixiao-runs") || "[]"); } catch (e) { return []; }
  }
  function remember(id) {
    const runs = savedRuns().filter((x) => x !== id);
    runs.unshift(id);
    localStorage.setItem("jixiao-runs", JSON.stringify(runs.slice(0, 5)));
  }
  function runBox(id) {
    let box = document.getElementById("run-" + id);
    if (!box) {
      box = el("div", "run");
      box.id = "run-" + id;
      box.append(el("span", "label"), el("progress"), el("span", "count"), el("button", "cancel", "取消 cancel"));
      box.querySelector("button").addEventListener("click", () => send("POST", "/api/runs/" + id + "/cancel"));
      document.getElementById("runs").prepend(box);
    }
    return box;
  }
  async function watch(id) {
    const box = runBox(id);
    const r = await fetch("/api/runs/" + id, { credentials: "same-origin" });
    if (r.status === 404) { box.remove(); localStorage.setItem("jixiao-runs", JSON.stringify(savedRuns().filter((x) => x !== id))); return; }
    const s = await r.json();
    box.className = "run " + s.state;
    box.dataset.state = s.state;
    box.querySelector(".label").textContent = "运行 run " + s.id + " · " + (RUN_ZH[s.state] || s.state) + " ";
    const bar = box.querySelector("progress");
    bar.max = Math.max(s.files, 1);
    bar.value = s.done;
    box.querySelector(".count").textContent = " " + s.done + " / " + s.files + " 个文件 files · 失败 failed " + s.failed + (s.error ? " · " + s.error : "");
    box.querySelector("button").hidden = !(s.state === "queued" || s.state === "running");
    if (s.state === "queued" || s.state === "running") {
      setTimeout(() => watch(id), 500);
    } else if (!box.querySelector("a")) {
      const link = el("a", "", " 查看报告 see the reports");
      link.href = "/reports";
      box.append(link);
    }
  }
  async function submit(body, json) {
    const r = await send("POST", "/api/runs", body, json);
    const data = await r.json();
    if (!r.ok) {
      const box = el("div", "run failed", data.error || ("HTTP " + r.status));
      document.getElementById("runs").prepend(box);
      return;
    }
    remember(data.run);
    watch(data.run);
  }
  function upload(files) {
    const pdfs = Array.from(files).filter((f) => /\.pdf$/i.test(f.name) || f.type === "application/pdf");
    if (!pdfs.length) return;
    const form = new FormData();
    for (const f of pdfs) form.append("files", f, f.webkitRelativePath || f.relativePath || f.name);
    submit(form, false);
  }
  // A dropped folder is walked with the File System entries API.
  async function entryFiles(entry, prefix) {
    if (entry.isFile) {
      const file = await new Promise((ok, bad) => entry.file(ok, bad));
      file.relativePath = prefix + file.name;
      return [file];
    }
    const reader = entry.createReader();
    const out = [];
    for (;;) {
      const batch = await new Promise((ok, bad) => reader.readEntries(ok, bad));
      if (!batch.length) break;
      for (const child of batch) out.push(...(await entryFiles(child, prefix + entry.name + "/")));
    }
    return out;
  }
  function setUpAdding() {
    const drop = document.getElementById("drop");
    if (!drop) return;
    document.getElementById("pick-files").addEventListener("change", (e) => upload(e.target.files));
    document.getElementById("pick-folder").addEventListener("change", (e) => upload(e.target.files));
    drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", async (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      const entries = Array.from(e.dataTransfer.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
      if (entries.length) {
        const files = [];
        for (const entry of entries) files.push(...(await entryFiles(entry, "")));
        upload(files);
      } else {
        upload(e.dataTransfer.files);
      }
    });
    const form = document.getElementById("paths-form");
    if (form) {
      form.addEventListener("submit", (e) => {
        e.preventDefault();
        const paths = document.getElementById("paths").value.split(/[\n;]+/).map((s) => s.trim()).filter(Boolean);
        if (paths.length) submit(JSON.stringify({ paths }), true);
      });
    }
    for (const id of savedRuns()) watch(id);
  }

  // -- review --------------------------------------------------------------------------------
  const STATE_ZH = { open: "待核", confirmed: "已核实", dismissed: "误报" };
  function setUpReview() {
    for (const box of document.querySelectorAll(".review")) {
      for (const button of box.querySelectorAll("button[data-state]")) {
        button.addEventListener("click", async () => {
          const note = box.querySelector(".note-input").value;
          const r = await send("PUT", "/api/findings/" + encodeURIComponent(box.dataset.fingerprint) + "/review",
            JSON.stringify({ state: button.dataset.state, note: note }), true);
          const data = await r.json();
          const state = box.querySelector(".state");
          if (!r.ok) { state.textContent = data.error || "HTTP " + r.status; return; }
          state.className = "state state-" + data.state;
          state.textContent = STATE_ZH[data.state] + " " + data.state;
          box.closest("li").dataset.state = data.state;
          let who = box.querySelector(".who");
          if (!who) { who = el("span", "muted who"); state.after(who); }
          who.textContent = (data.by || "") + " " + data.at;
        });
      }
    }
  }
  document.addEventListener("DOMContentLoaded", () => { setUpAdding(); setUpReview(); });
})();
