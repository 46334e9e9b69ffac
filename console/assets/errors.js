// Errors of the page's scripts are shown in #errors, so that a person (and the
// console's browser test) sees them in the page itself.
window.addEventListener("error", function (e) {
  var box = document.getElementById("errors");
  if (!box) return;
  box.hidden = false;
  box.textContent += (e.message || "error") + "\n";
});
window.addEventListener("unhandledrejection", function (e) {
  var box = document.getElementById("errors");
  if (!box) return;
  box.hidden = false;
  box.textContent += "unhandled: " + (e.reason && e.reason.message || e.reason) + "\n";
});
