"""Keyboard navigation and a screen-filling map for the workshop page, with no CDN.

A facilitator with a clicker or a keyboard moves through the slides as in the exported
HTML presentation (``atlas/render/templates/slides.js``): → PageDown next, ← PageUp
previous, Home first, End last, and Escape leaves full screen. Streamlit has no key
events, so a tiny script (``st.iframe`` of an HTML string: same origin, scripts on)
listens on the page and clicks the matching button, found by its widget key
(Streamlit marks each keyed widget with a ``st-key-<key>`` class): the click goes
through the same callbacks as a mouse click. The same script fits the map of full
screen to the window height, so a 1024×768 hall laptop and a 1080p projector both
show the whole map with no scrolling.
"""

from __future__ import annotations

import json

import streamlit as st

#: Key → key of the button it clicks (the buttons are drawn by :mod:`.atelier`).
SLIDE_KEYS = {"ArrowRight": "slide_next", "PageDown": "slide_next",
              "ArrowLeft": "slide_previous", "PageUp": "slide_previous",
              "Home": "slide_first", "End": "slide_last"}
LEAVE_KEY = "Escape"

_SCRIPT = """<script>
(function () {
  var P = window.parent, doc = P.document, keys = %(keys)s, leave = %(leave)s,
      box = %(box)s, margin = %(margin)d;
  function clickKey(key) {
    var button = doc.querySelector(".st-key-" + key + " button");
    if (button && !button.disabled) { button.click(); return true; }
    return false;
  }
  function onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target, tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT"
        || (target && target.isContentEditable)) { return; }
    var key = keys[event.key] || (event.key === "Escape" ? leave : null);
    if (key && clickKey(key)) { event.preventDefault(); }
  }
  // One listener per page, whatever the number of reruns (the previous one is replaced).
  if (P.__atlasKeys) { doc.removeEventListener("keydown", P.__atlasKeys, true); }
  P.__atlasKeys = onKey;
  doc.addEventListener("keydown", onKey, true);
  function frames() {  // keys pressed while the map has the focus reach its frame only
    doc.querySelectorAll("iframe").forEach(function (frame) {
      try {
        var inner = frame.contentDocument;
        if (inner && !inner.__atlasKeys) {
          inner.__atlasKeys = true; inner.addEventListener("keydown", onKey, true);
        }
      } catch (e) { /* another origin: not ours */ }
    });
  }
  function fit() {
    if (!box) { return; }
    var frame = doc.querySelector(".st-key-" + box + " iframe");
    if (!frame) { return; }
    var top = frame.getBoundingClientRect().top + P.scrollY;
    var height = Math.max(320, Math.floor(P.innerHeight - top - margin));
    var win = frame.contentWindow, map = win && win.AtlasMap && win.AtlasMap.maps[0];
    if (!map) { return; }
    var container = map.getContainer();
    if (Math.abs(frame.offsetHeight - height) > 3
        || Math.abs(container.offsetHeight - height) > 3) {
      frame.style.height = height + "px"; frame.setAttribute("height", height);
      container.style.height = height + "px";
      map.invalidateSize();
      var outline = map._atlas && map._atlas.layers.atlas_outline;
      if (outline && outline.getLayers().length) { map.fitBounds(outline.getBounds()); }
    }
  }
  frames(); fit();
  if (P.__atlasTimer) { P.clearInterval(P.__atlasTimer); }
  P.__atlasTimer = P.setInterval(function () { frames(); fit(); }, 400);
})();
</script>"""


def listen(*, presenting: bool, fit_box: str | None = None, margin: int = 12) -> None:
    """Add the key listener (Escape only while ``presenting``) and fit ``fit_box``'s map.

    ``fit_box`` is the key of a container holding the map (None: leave its height).
    """
    script = _SCRIPT % {"keys": json.dumps(SLIDE_KEYS),
                        "leave": json.dumps("present_toggle" if presenting else None),
                        "box": json.dumps(fit_box), "margin": margin}
    st.iframe(script, height=1)
