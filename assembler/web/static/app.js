// Drag and drop onto a material's drop zone submits its upload form; the 申报信息 form validates as you type,
// each problem beside its input, and warns before leaving it unsaved; a build page polls its job; the
// reviewer's table sorts by a column. No external libraries.
document.querySelectorAll(".drop").forEach(function (zone) {
  var input = zone.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) { input.files = e.dataTransfer.files; zone.closest("form").submit(); });
  input.addEventListener("change", function () { if (input.files.length) zone.closest("form").submit(); });
});

var info = document.getElementById("info-form");
if (info) {
  var dirty = info.dataset.unsaved === "1";
  var submitting = false;
  var showProblems = function (problems) {
    info.querySelectorAll(".field-error").forEach(function (el) {
      if (!el.closest("[data-static]")) { el.hidden = true; el.textContent = ""; }
    });
    info.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    info.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    var list = document.getElementById("problems");
    list.innerHTML = "";
    problems.forEach(function (p) {
      var input = p.field ? document.getElementById(p.field) : null;
      var box = p.field ? document.getElementById(p.field + "-error") : null;
      if (input && box) {
        input.setAttribute("aria-invalid", "true");
        box.textContent = box.textContent ? box.textContent + "；" + p.message : p.message;
        box.hidden = false;
        var row = input.closest(".row, td, fieldset");
        if (row) { row.classList.add("invalid"); }
      }
      var li = document.createElement("li");
      li.textContent = p.text;
      list.appendChild(li);
    });
    document.getElementById("problems-ok").hidden = problems.length > 0;
  };
  var timer = null;
  var validate = function () {
    fetch(info.dataset.validate, { method: "POST", body: new FormData(info) })
      .then(function (r) { return r.json(); })
      .then(function (d) { showProblems(d.problems); })
      .catch(function () {});
  };
  info.addEventListener("input", function () {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  });
  info.addEventListener("change", function () { dirty = true; });
  info.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("beforeunload", function (e) {
    if (dirty && !submitting) { e.preventDefault(); e.returnValue = ""; }
  });
  var add = document.getElementById("add-meeting");
  if (add) {
    add.addEventListener("click", function () {
      var body = document.getElementById("meeting-rows");
      var last = body.lastElementChild;
      var n = body.children.length;
      var row = last.cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) {
        var part = input.name.replace("meeting-", "");
        input.id = "meeting-" + n + "-" + part;
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.setAttribute("aria-describedby", input.id + "-error");
      });
      row.querySelectorAll("label").forEach(function (label) {
        var input = label.nextElementSibling;
        label.htmlFor = input.id;
        label.textContent = label.textContent.replace(/第 \d+ 次/, "第 " + (n + 1) + " 次");
      });
      row.querySelectorAll(".field-error").forEach(function (box) {
        box.id = box.previousElementSibling.id + "-error"; box.hidden = true; box.textContent = "";
      });
      row.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
      body.appendChild(row);
      row.querySelector("input").focus();
    });
  }
}
// after a save, the result (saved, or what to correct) is where the eye is
var result = document.getElementById("problem-summary") || document.getElementById("conflict") || document.getElementById("saved");
if (result) {
  var box = document.getElementById("info-result");
  box.scrollIntoView({ block: "start" });
  box.focus({ preventScroll: true });
}

var job = document.getElementById("job");
if (job && job.dataset.state === "running") {
  var poll = function () {
    fetch(job.dataset.status).then(function (r) { return r.json(); }).then(function (d) {
      var step = document.getElementById("job-step");
      if (step) { step.textContent = d.step; }
      if (d.state === "running") { setTimeout(poll, 700); return; }
      if (d.state === "done") { window.location.replace(d.next + "#downloads"); return; }
      window.location.replace(window.location.pathname);  // failed or gone: the page says so, with a rebuild button
    }).catch(function () { setTimeout(poll, 2000); });
  };
  poll();
}

document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("button.sort").forEach(function (button) {
    button.addEventListener("click", function () {
      var col = parseInt(button.dataset.col, 10);
      var th = button.closest("th");
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th[aria-sort]").forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var key = function (row) {
        var cell = row.cells[col];
        return cell.dataset.value !== undefined ? parseFloat(cell.dataset.value) : cell.textContent.trim();
      };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var c = typeof x === "number" ? x - y : String(x).localeCompare(String(y), "zh-CN");
        return asc ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});

// file pickers labelled in Chinese (the browser's own button is hidden): the chosen names beside them
document.querySelectorAll(".file-pick input[type=file]").forEach(function (input) {
  var shown = document.getElementById(input.id + "-chosen");
  input.addEventListener("change", function () {
    var names = Array.prototype.map.call(input.files, function (f) { return f.name; });
    shown.textContent = names.length ? names.join("、") : "未选择文件";
  });
});

// a message that stays at the top while scrolling can be closed
document.querySelectorAll(".flashes .flash").forEach(function (flash) {
  var close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.setAttribute("aria-label", "关闭提示");
  close.textContent = "×";
  close.addEventListener("click", function () { flash.remove(); });
  flash.appendChild(close);
});
