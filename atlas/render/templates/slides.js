/* Presentation of an atlas book: one slide per screen, keyboard driven, no network.
   Keys: → ↓ PageDown Space n = next; ← ↑ PageUp p = previous; Home/End = first/last;
   o = overview map; c or t = contents; f = full screen. The address ends with #N
   (slide number), so a slide can be bookmarked and the contents links work. */
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var counter = document.getElementById("counter");
  var current = -1;
  if (!slides.length) { return; }
  document.documentElement.classList.add("js");

  function indexOfKind(kind) {
    for (var i = 0; i < slides.length; i++) {
      if (slides[i].getAttribute("data-kind") === kind) { return i; }
    }
    return 0;
  }

  function show(index) {
    index = Math.max(0, Math.min(slides.length - 1, index));
    if (index === current) { return; }
    if (current >= 0) {
      slides[current].classList.remove("current");
      slides[current].setAttribute("aria-hidden", "true");
    }
    current = index;
    slides.forEach(function (slide, i) { if (i !== index) { slide.setAttribute("aria-hidden", "true"); } });
    slides[index].classList.add("current");
    slides[index].removeAttribute("aria-hidden");
    document.body.setAttribute("data-current", String(index + 1));
    if (counter) { counter.textContent = (index + 1) + " / " + slides.length; }
    var hash = "#" + (index + 1);
    if (window.location.hash !== hash) {
      try { window.history.replaceState(null, "", hash); } catch (e) { /* file: URL quirks */ }
    }
  }

  function fromHash() {
    var n = parseInt(window.location.hash.replace("#", ""), 10);
    return isNaN(n) ? 0 : n - 1;
  }

  function go(action) {
    if (action === "next") { show(current + 1); }
    else if (action === "prev") { show(current - 1); }
    else if (action === "first") { show(0); }
    else if (action === "last") { show(slides.length - 1); }
    else if (action === "overview") { show(indexOfKind("overview")); }
    else if (action === "contents") { show(indexOfKind("contents")); }
  }

  var keys = {
    "ArrowRight": "next", "ArrowDown": "next", "PageDown": "next", " ": "next", "n": "next",
    "ArrowLeft": "prev", "ArrowUp": "prev", "PageUp": "prev", "p": "prev",
    "Home": "first", "End": "last", "o": "overview", "O": "overview",
    "c": "contents", "C": "contents", "t": "contents", "T": "contents"
  };

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key === "f" || event.key === "F") {
      if (document.fullscreenElement) { document.exitFullscreen(); }
      else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
      event.preventDefault();
      return;
    }
    var action = keys[event.key];
    if (action) { event.preventDefault(); go(action); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-go]") : null;
    if (button) { go(button.getAttribute("data-go")); }
  });

  window.addEventListener("hashchange", function () { show(fromHash()); });
  show(fromHash());
})();
