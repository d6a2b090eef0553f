/* 学习包: kept in localStorage, edited here, exported by the server. No external code.
   Built with DOM methods (textContent), never innerHTML, so nothing from a document runs. */
(function () {
  "use strict";
  var KEY = "jianfu-pack";

  function load() {
    try { var p = JSON.parse(localStorage.getItem(KEY)); if (p && p.sections) return p; } catch (e) {}
    return { title: "学习包", subtitle: "", preface: "", quiz: false, sections: [{ title: "学习内容", items: [] }] };
  }
  function save(p) { localStorage.setItem(KEY, JSON.stringify(p)); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // "加入学习包" buttons wherever the page marks something addable
  function addButtons() {
    var nodes = document.querySelectorAll("[data-pack-id]");
    Array.prototype.forEach.call(nodes, function (node) {
      var b = el("button", { type: "button", "class": "addpack" }, "加入学习包");
      b.addEventListener("click", function () {
        var p = load(), id = node.getAttribute("data-pack-id");
        var exists = p.sections.some(function (s) { return s.items.some(function (i) { return i.id === id; }); });
        if (!exists) { p.sections[p.sections.length - 1].items.push({ id: id, note: "", label: node.getAttribute("data-pack-label") || id }); save(p); }
        b.textContent = "已加入学习包";
      });
      node.appendChild(b);
    });
  }

  function render(root) {
    var p = load(), box = document.getElementById("pack-sections");
    document.getElementById("pack-title").value = p.title;
    document.getElementById("pack-subtitle").value = p.subtitle || "";
    document.getElementById("pack-preface").value = p.preface || "";
    document.getElementById("pack-quiz").checked = !!p.quiz;
    box.textContent = "";
    p.sections.forEach(function (s, si) {
      var sec = el("section", { "class": "pack-section" });
      var title = el("input", { "class": "wide section-title", "aria-label": "组名" });
      title.value = s.title;
      title.addEventListener("change", function () { var q = load(); q.sections[si].title = title.value; save(q); });
      sec.appendChild(title);
      var list = el("ol", { "class": "pack-items" });
      s.items.forEach(function (it, ii) {
        var li = el("li", { draggable: "true", "data-si": si, "data-ii": ii, tabindex: "0" });
        var a = el("a", { href: "/doc/" + it.id }, it.label || it.id);
        li.appendChild(a);
        if (it.missing) li.appendChild(el("span", { "class": "muted" }, "（已不在知识库中）"));
        var note = el("textarea", { rows: "1", placeholder: "学习提示（可选）", "aria-label": "学习提示" });
        note.value = it.note || "";
        note.addEventListener("change", function () { var q = load(); q.sections[si].items[ii].note = note.value; save(q); });
        li.appendChild(note);
        [["↑", -1, "上移"], ["↓", 1, "下移"]].forEach(function (m) {
          var b = el("button", { type: "button", "aria-label": m[2] }, m[0]);
          b.addEventListener("click", function () { move(si, ii, si, ii + m[1]); });
          li.appendChild(b);
        });
        if (p.sections.length > 1) {
          var next = el("button", { type: "button", "aria-label": "移到下一组" }, "→组");
          next.addEventListener("click", function () { move(si, ii, (si + 1) % p.sections.length, 0); });
          li.appendChild(next);
        }
        var del = el("button", { type: "button", "aria-label": "移除" }, "移除");
        del.addEventListener("click", function () { stash("移除“" + (it.label || it.id) + "”"); var q = load(); q.sections[si].items.splice(ii, 1); save(q); render(); offerUndo(); });
        li.appendChild(del);
        li.addEventListener("keydown", function (ev) {
          if (ev.altKey && ev.key === "ArrowUp") { ev.preventDefault(); move(si, ii, si, ii - 1); }
          if (ev.altKey && ev.key === "ArrowDown") { ev.preventDefault(); move(si, ii, si, ii + 1); }
        });
        li.addEventListener("dragstart", function (ev) { ev.dataTransfer.setData("text/plain", si + ":" + ii); });
        li.addEventListener("dragover", function (ev) { ev.preventDefault(); });
        li.addEventListener("drop", function (ev) {
          ev.preventDefault();
          var from = ev.dataTransfer.getData("text/plain").split(":");
          move(+from[0], +from[1], si, ii);
        });
        list.appendChild(li);
      });
      sec.appendChild(list);
      if (!s.items.length) sec.appendChild(el("p", { "class": "muted" }, "（空。可在检索结果中点“加入学习包”。）"));
      box.appendChild(sec);
    });
    document.getElementById("pack-count").textContent = "共 " + count(p) + " 项";
  }

  function move(si, ii, sj, ij) {
    var p = load(), src = p.sections[si].items;
    if (ij < 0 || sj >= p.sections.length) return;
    var it = src.splice(ii, 1)[0];
    var dst = p.sections[sj].items;
    dst.splice(Math.min(ij, dst.length), 0, it);
    save(p); render();
  }

  function count(p) { return p.sections.reduce(function (a, s) { return a + s.items.length; }, 0); }

  // One step of undo: what the pack was before the last replace, clear or removal.
  var UNDO = KEY + "-undo";
  function stash(what) {
    localStorage.setItem(UNDO, JSON.stringify({ what: what, pack: load() }));
  }
  function offerUndo() {
    var box = document.getElementById("pack-undo"), raw = localStorage.getItem(UNDO);
    box.textContent = "";
    if (!raw) return;
    var u; try { u = JSON.parse(raw); } catch (e) { return; }
    box.appendChild(el("span", {}, "已" + u.what + "。"));
    var b = el("button", { type: "button", id: "pack-undo-button" }, "撤销");
    b.addEventListener("click", function () {
      save(u.pack); localStorage.removeItem(UNDO); render(); offerUndo();
      status("已撤销，学习包恢复为之前的 " + count(u.pack) + " 项。");
    });
    box.appendChild(b);
  }
  function status(text) { document.getElementById("pack-status").textContent = text; }

  // Ask before anything that replaces or clears: a panel on the page, not a browser dialog.
  function ask(message, choices) {
    var box = document.getElementById("pack-ask");
    box.textContent = "";
    box.hidden = false;
    box.appendChild(el("p", {}, message));
    choices.forEach(function (c) {
      var b = el("button", { type: "button", "data-choice": c[0] }, c[0]);
      b.addEventListener("click", function () { box.hidden = true; box.textContent = ""; if (c[1]) c[1](); });
      box.appendChild(b);
    });
    box.querySelector("button").focus();
  }

  // A pack from elsewhere (为该条文生成学习包, a loaded file): replace the open one or add to it,
  // asking first when the open one holds anything.
  function receive(incoming, from) {
    var here = load(), n = count(here);
    function replace() { if (n) stash("替换学习包"); save(incoming); render(); offerUndo(); status("已载入" + from + "，共 " + count(incoming) + " 项。"); }
    function merge() {
      stash("加入新条目");
      var q = load(), seen = {};
      q.sections.forEach(function (s) { s.items.forEach(function (i) { seen[i.id] = true; }); });
      incoming.sections.forEach(function (s) {
        var fresh = s.items.filter(function (i) { return !seen[i.id]; });
        if (fresh.length) q.sections.push({ title: s.title, items: fresh });
      });
      save(q); render(); offerUndo(); status("已把" + from + "中的新条目加入当前学习包。");
    }
    if (!n) { replace(); return; }
    ask("当前学习包“" + here.title + "”已有 " + n + " 项。要用" + from + "（" + count(incoming) + " 项）替换它，还是把新条目加入当前学习包？",
        [["替换", replace], ["加入当前学习包", merge], ["取消", null]]);
  }

  function packPage() {
    var root = document.getElementById("pack");
    if (!root) return;
    ["title", "subtitle", "preface"].forEach(function (f) {
      document.getElementById("pack-" + f).addEventListener("change", function (ev) { var p = load(); p[f] = ev.target.value; save(p); });
    });
    document.getElementById("pack-quiz").addEventListener("change", function (ev) { var p = load(); p.quiz = ev.target.checked; save(p); });
    document.getElementById("add-section").addEventListener("click", function () {
      var p = load(); p.sections.push({ title: "第" + (p.sections.length + 1) + "组", items: [] }); save(p); render();
    });
    document.getElementById("pack-clear").addEventListener("click", function () {
      var n = count(load());
      ask("清空学习包（" + n + " 项，以及标题、前言）？清空后可撤销一次。", [["清空", function () {
        stash("清空学习包"); localStorage.removeItem(KEY); render(); offerUndo();
      }], ["取消", null]]);
    });
    document.getElementById("export-form").addEventListener("submit", function () {
      var p = load();
      document.getElementById("pack-json").value = JSON.stringify({
        title: p.title, subtitle: p.subtitle, preface: p.preface, quiz: p.quiz,
        section: p.sections.map(function (s) { return { title: s.title, item: s.items.map(function (i) { return { id: i.id, note: i.note || "" }; }) }; })
      });
    });
    document.getElementById("pack-file").addEventListener("change", function (ev) {
      var f = ev.target.files[0]; if (!f) return;
      var body = new FormData(); body.append("file", f);
      fetch(root.getAttribute("data-read-url"), { method: "POST", body: body, headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, body: j }; }); })
        .then(function (r) {
          if (!r.ok) { status(r.body.error || "无法载入该文件。"); return; }
          receive(r.body, "文件“" + f.name + "”");
        })
        .catch(function () { status("无法载入该文件：请确认它是本页下载的学习包文件（.toml 或 .json）。"); })
        .then(function () { ev.target.value = ""; });
    });
    var from = root.getAttribute("data-from");
    if (from) {
      fetch("/pack/for/" + from + ".json").then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
        if (p) receive(p, "“" + p.title + "”");
        else status("没有找到条文 " + from + "，未生成学习包。");
      });
    }
    render();
    offerUndo();
  }

  document.addEventListener("DOMContentLoaded", function () { addButtons(); packPage(); });
})();
