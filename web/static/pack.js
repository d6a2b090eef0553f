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
        del.addEventListener("click", function () { var q = load(); q.sections[si].items.splice(ii, 1); save(q); render(); });
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
    var n = p.sections.reduce(function (a, s) { return a + s.items.length; }, 0);
    document.getElementById("pack-status").textContent = "共 " + n + " 项";
  }

  function move(si, ii, sj, ij) {
    var p = load(), src = p.sections[si].items;
    if (ij < 0 || sj >= p.sections.length) return;
    var it = src.splice(ii, 1)[0];
    var dst = p.sections[sj].items;
    dst.splice(Math.min(ij, dst.length), 0, it);
    save(p); render();
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
    document.getElementById("pack-clear").addEventListener("click", function () { localStorage.removeItem(KEY); render(); });
    document.getElementById("export-form").addEventListener("submit", function () {
      var p = load();
      document.getElementById("pack-json").value = JSON.stringify({
        title: p.title, subtitle: p.subtitle, preface: p.preface, quiz: p.quiz,
        section: p.sections.map(function (s) { return { title: s.title, item: s.items.map(function (i) { return { id: i.id, note: i.note || "" }; }) }; })
      });
    });
    document.getElementById("pack-file").addEventListener("change", function (ev) {
      var f = ev.target.files[0]; if (!f) return;
      f.text().then(function (t) {
        try { var p = JSON.parse(t); p.sections = p.sections || (p.section || []).map(function (s) { return { title: s.title, items: s.item || s.items || [] }; }); save(p); render(); }
        catch (e) { document.getElementById("pack-status").textContent = "只能载入本页下载的 JSON 学习包文件（TOML 文件请用命令行）。"; }
      });
    });
    var from = root.getAttribute("data-from");
    if (from) {
      fetch("/pack/for/" + from + ".json").then(function (r) { return r.ok ? r.json() : null; }).then(function (p) {
        if (p) { p.sections.forEach(function (s) { s.items.forEach(function (i) { i.label = i.id; }); }); save(p); render(); }
      });
    }
    render();
  }

  document.addEventListener("DOMContentLoaded", function () { addButtons(); packPage(); });
})();
