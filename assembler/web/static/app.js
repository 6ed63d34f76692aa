// Drag and drop onto a material's drop zone submits its upload form; the 申报信息 form validates as you type;
// a build page polls its job. No external libraries.
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
  var timer = null;
  info.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(info.dataset.validate, { method: "POST", body: new FormData(info) })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          var list = document.getElementById("problems");
          list.innerHTML = "";
          d.problems.forEach(function (p) { var li = document.createElement("li"); li.textContent = p; list.appendChild(li); });
          document.getElementById("problems-ok").hidden = d.problems.length > 0;
        });
    }, 400);
  });
}
var job = document.getElementById("job");
if (job) {
  var poll = function () {
    fetch(job.dataset.status).then(function (r) { return r.json(); }).then(function (d) {
      document.getElementById("job-step").textContent = d.step;
      if (d.state === "running") { setTimeout(poll, 700); return; }
      if (d.state === "done") { window.location = d.next + "#downloads"; return; }
      document.getElementById("job-error").textContent = d.error;
      document.getElementById("job-back").hidden = false;
    });
  };
  poll();
}
