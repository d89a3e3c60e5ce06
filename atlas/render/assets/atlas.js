/* atlas-territorial: the small runtime of the interactive maps (atlas.render.map.interactive).
 *
 * Python prepares everything (styles, formatted values, escaped legend HTML); this
 * file only turns it into Leaflet layers. Feature values are put in the page with
 * textContent, never innerHTML, so a name that holds markup shows as text.
 */
(function () {
  "use strict";
  var A = window.AtlasMap = window.AtlasMap || { maps: [] };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function popupNode(spec, values) {
    var box = el("div", "atlas-popup");
    box.appendChild(el("div", "atlas-popup-title", spec.title));
    var table = el("table");
    for (var i = 0; i < spec.fields.length; i++) {
      if (values[i] === null || values[i] === undefined || values[i] === "") { continue; }
      var row = el("tr");
      row.appendChild(el("th", null, spec.fields[i]));
      row.appendChild(el("td", null, values[i]));
      table.appendChild(row);
    }
    box.appendChild(table);
    return box;
  }

  function tooltipNode(spec, values) {
    var box = el("div", "atlas-tooltip");
    for (var i = 0; i < spec.tooltip.length; i++) {
      var value = values[spec.tooltip[i]];
      if (value !== null && value !== undefined && value !== "") {
        box.appendChild(el("div", i === 0 ? "atlas-tooltip-main" : null, value));
      }
    }
    return box.childNodes.length ? box : null;
  }

  /* One layer of the atlas: GeoJSON whose features carry `k` (index of their style
   * in spec.styles) and `p` (formatted values, aligned with spec.fields). */
  A.layer = function (map, spec, data) {
    var styles = spec.styles;
    function styleOf(feature) { return styles[feature.properties.k || 0]; }
    var layer = L.geoJSON(data, {
      style: styleOf,
      interactive: spec.interactive !== false,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, styleOf(feature));
      },
      onEachFeature: function (feature, item) {
        var values = feature.properties.p || [];
        if (spec.tooltip && spec.tooltip.length) {
          item.bindTooltip(function () { return tooltipNode(spec, values) || ""; },
                           { sticky: spec.kind !== "point" });
        }
        if (spec.popup) {
          item.bindPopup(function () { return popupNode(spec, values); },
                         { maxWidth: 360, maxHeight: 320 });
        }
      }
    });
    if (spec.cluster && L.markerClusterGroup) {
      var group = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 45,
                                         showCoverageOnHover: false });
      group.addLayers(layer.getLayers());
      layer = group;
    }
    layer._atlasName = spec.name;
    if (!map._atlas) { A.setup(map, {}); }
    map._atlas.layers[spec.name] = layer;
    return layer;
  };

  /* Four corner brackets, drawn inline (no icon font, no image to fetch). */
  function fullscreenIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 16 16");
    svg.setAttribute("width", "16");
    svg.setAttribute("height", "16");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "#333");
    path.setAttribute("stroke-width", "2");
    svg.appendChild(path);
    return svg;
  }

  A.setup = function (map, options) {
    if (map._atlas) { return; }
    map._atlas = { layers: {}, options: options };
    A.maps.push(map);
    var texts = options.texts || {};
    // Without tiles nothing sets a maximum zoom, which clustering needs.
    if (map.options.maxZoom === undefined) { map.setMaxZoom(19); }
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    var Fullscreen = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        var bar = el("div", "leaflet-bar atlas-fullscreen-control");
        var button = el("a", "atlas-fullscreen-button");
        button.href = "#";
        button.appendChild(fullscreenIcon());
        button.setAttribute("role", "button");
        button.title = texts.fullscreen || "";
        button.setAttribute("aria-label", texts.fullscreen || "");
        L.DomEvent.on(button, "click", function (event) {
          L.DomEvent.preventDefault(event);
          A.toggleFullscreen(map, button, texts);
        });
        L.DomEvent.disableClickPropagation(bar);
        bar.appendChild(button);
        return bar;
      }
    });
    new Fullscreen().addTo(map);
    if (options.bounds) { map.fitBounds(options.bounds, { padding: [12, 12] }); }
  };

  A.toggleFullscreen = function (map, button, texts) {
    var box = map.getContainer();
    var native = box.requestFullscreen && document.fullscreenEnabled;
    var on = native ? !document.fullscreenElement : !box.classList.contains("atlas-fullscreen");
    function done() {
      button.title = on ? (texts.exit_fullscreen || "") : (texts.fullscreen || "");
      map.invalidateSize();
    }
    if (native) {
      var step = on ? box.requestFullscreen() : document.exitFullscreen();
      if (step && step.then) { step.then(done, done); } else { done(); }
    } else {
      box.classList.toggle("atlas-fullscreen", on);
      done();
    }
  };

  /* The legend: HTML escaped by Python; sections follow their layer's visibility. */
  A.legend = function (map, html, position) {
    var Legend = L.Control.extend({
      options: { position: position || "bottomright" },
      onAdd: function () {
        var box = el("div", "atlas-legend leaflet-control");
        box.innerHTML = html;
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      }
    });
    var control = new Legend().addTo(map);
    function toggle(event, visible) {
      var name = event.layer && event.layer._atlasName;
      if (!name) { return; }
      var sections = control.getContainer().querySelectorAll("[data-layer]");
      for (var i = 0; i < sections.length; i++) {
        if (sections[i].getAttribute("data-layer") === name) {
          sections[i].style.display = visible ? "" : "none";
        }
      }
    }
    map.on("overlayadd", function (e) { toggle(e, true); });
    map.on("overlayremove", function (e) { toggle(e, false); });
    if (map._atlas) { map._atlas.legend = control; }
    return control;
  };
})();
