/* The public map (/map): neighbourhood outlines and names, and every school of the page as a dot
 * coloured by need level, drawn with Leaflet (served by the app; no tiles, no CDN).
 *
 * Each dot is a keyboard stop (Leaflet gives marker icons tabindex=0 and role=button); Enter or
 * a click opens a popup with the school's name, need level, dollars per pupil and a link to its
 * page, and focus moves into the popup (Escape closes it and returns to the dot). The selects
 * "Zoom to a neighbourhood" and "Zoom to a ZIP code" fit the map to the chosen frame. The
 * current frame is kept in #school-map's data-bounds ("west,south,east,north") for tests.
 * All text comes from the page (translated by the server); nothing is built from HTML strings
 * of data, so a school name cannot inject markup.
 */
(function () {
  "use strict";
  var host = document.getElementById("school-map");
  var cfgNode = document.getElementById("map-config");
  if (!host || !cfgNode || typeof L === "undefined") { return; }
  var cfg = JSON.parse(cfgNode.textContent);
  var text = cfg.text;

  var map = L.map(host, {zoomControl: false, attributionControl: false, minZoom: 8,
                         maxZoom: 17, zoomSnap: 0.25});
  L.control.zoom({zoomInTitle: text.zoom_in, zoomOutTitle: text.zoom_out}).addTo(map);
  function toBounds(b) { return L.latLngBounds([b[1], b[0]], [b[3], b[2]]); }
  var home = cfg.bounds ? toBounds(cfg.bounds) : L.latLngBounds([33.7, -118.7], [34.35, -118.1]);
  map.fitBounds(home.pad(0.03));

  function keepBounds() {
    host.setAttribute("data-bounds", map.getBounds().toBBoxString());
    host.classList.toggle("show-labels", map.getZoom() >= 12.5);
  }
  map.on("moveend zoomend", keepBounds);
  keepBounds();

  // neighbourhood outlines and names
  var hoodLayer = null;
  if (cfg.hoods) {
    fetch(cfg.hoods, {credentials: "same-origin"}).then(function (r) { return r.json(); })
      .then(function (gj) {
        hoodLayer = L.geoJSON(gj, {
          interactive: false,
          style: {color: "#6b6b6b", weight: 1, fillColor: "#f4f1ea", fillOpacity: 1}
        }).addTo(map);
        hoodLayer.bringToBack();
        var labels = L.layerGroup();
        gj.features.forEach(function (f) {
          var p = f.properties;
          labels.addLayer(L.tooltip({permanent: true, direction: "center",
                                     className: "hood-label", interactive: false})
            .setLatLng([p.lat, p.lon]).setContent(document.createTextNode(p.name)));
        });
        labels.addTo(map);
        host.setAttribute("data-hoods", String(gj.features.length));
      });
  }

  // schools
  function popupContent(s) {
    var box = document.createElement("div");
    box.className = "school-popup";
    var h = document.createElement("p");
    h.className = "popup-name";
    h.textContent = s.name;
    box.appendChild(h);
    var dl = document.createElement("dl");
    [[text.need, s.level], [text.per_pupil, s.per_pupil]].forEach(function (pair) {
      var dt = document.createElement("dt");
      dt.textContent = pair[0];
      var dd = document.createElement("dd");
      dd.textContent = pair[1];
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
    box.appendChild(dl);
    if (s.cds) {  // a point that is not a school (e.g. a clinic site on /sites) has no page
      var a = document.createElement("a");
      a.href = "/schools/" + encodeURIComponent(s.cds);
      a.textContent = text.page;
      box.appendChild(a);
    }
    return box;
  }

  // One icon per colour; Leaflet copies a string "html" into each marker (an element given as
  // "html" would be moved from marker to marker). The colour is a server hex value, checked.
  function dotIcon(colour) {
    var fill = /^#[0-9a-fA-F]{6}$/.test(colour) ? colour : "#777777";
    var svg = '<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" ' +
      'focusable="false"><circle cx="8" cy="8" r="6" fill="' + fill + '" stroke="#1b1b1b" ' +
      'stroke-width="1.5"/></svg>';
    return L.divIcon({html: svg, className: "school-dot", iconSize: [16, 16],
                      iconAnchor: [8, 8], popupAnchor: [0, -6]});
  }

  var icons = {};
  cfg.points.forEach(function (s) {
    var icon = icons[s.colour] || (icons[s.colour] = dotIcon(s.colour));
    var m = L.marker([s.lat, s.lon], {icon: icon, keyboard: true, riseOnHover: true})
      .addTo(map);
    var el = m.getElement();
    el.setAttribute("aria-label", s.name + ", " + s.level + ", " + s.per_pupil);
    if (s.cds) { el.setAttribute("data-cds", s.cds); }
    m.bindPopup(function () { return popupContent(s); },
                {closeButton: true, autoPanPadding: [12, 12], maxWidth: 260});
    m.on("popupopen", function (e) {
      var node = e.popup.getElement();
      var close = node.querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", text.close); close.title = text.close; }
      var link = node.querySelector(".school-popup a");
      if (link) { link.focus({preventScroll: true}); }
      node.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape") { m.closePopup(); el.focus({preventScroll: true}); }
      });
    });
  });

  // zoom to a neighbourhood or a ZIP code
  function zoomSelect(id) {
    var sel = document.getElementById(id);
    if (!sel) { return; }
    sel.addEventListener("change", function () {
      if (!sel.value) { map.fitBounds(home.pad(0.03)); return; }
      var b = sel.value.split(",").map(Number);
      map.fitBounds(toBounds(b).pad(0.05), {maxZoom: 15});
      ["zoom-hood", "zoom-zip"].forEach(function (other) {
        var o = document.getElementById(other);
        if (o && o !== sel) { o.value = ""; }
      });
    });
  }
  zoomSelect("zoom-hood");
  zoomSelect("zoom-zip");
  var zoomBox = document.getElementById("map-zoom");
  if (zoomBox) { zoomBox.hidden = false; }
  host.setAttribute("data-ready", "1");
})();
