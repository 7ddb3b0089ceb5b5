// newssearch: small improvements only; every page works without this script.
"use strict";
document.addEventListener("keydown", function (event) {
  // "/" focuses the query box (as on many search sites), unless typing somewhere already
  var target = event.target;
  if (event.key === "/" && !(target instanceof HTMLInputElement) && !(target instanceof HTMLTextAreaElement)) {
    var box = document.getElementById("q");
    if (box) { event.preventDefault(); box.focus(); box.select(); }
  }
});
