/* The ceasefire web map: zones in force, ground held, violations, patrols and a chart, for one day at a time.
 *
 * Plain JavaScript over Leaflet, served by `ceasefire serve` with everything it needs: no CDN, no tiles
 * (the admin boundaries and the zones are the base map; a tile layer only when the server was given
 * one), no build step. CONFIG comes from the page (see templates/map.html); every data request goes to
 * the API of `ceasefire serve` (the same origin, under CONFIG.base).
 *
 * The page exposes `window.ceasefireMap` = {map, setDate(iso), zonesShown(), ready, idle()} so that a
 * test (or a console user) can drive it and wait for it.
 */
"use strict";

(function () {
  const STATUSES = CONFIG.statuses || ["confirmed", "possible", "excluded"]; // most serious first
  const STATUS_LABELS = {confirmed: "confirmed", possible: "possible", excluded: "excluded (an exception applies)"};
  const TOKEN_KEY = "ceasefire.token";
  const LIMIT = 10000; // the API's maximum: one request per layer, never paging through a map
  const PLAY_PAUSE_MS = 700; // time a frame stays on screen while playing, after it has loaded
  // One colour per zone, by its place in the regime: zones of one kind overlap (the Idlib zone and the ground
  // under the Moscow ceasefire), so a colour per kind would merge them. Violations keep the warm colours.
  const ZONE_PALETTE = ["#2c6fbb", "#8e44ad", "#16a085", "#b7950b", "#c2185b", "#00838f", "#5d4037", "#558b2f"];
  const zoneColour = (id) => {
    const index = (CONFIG.zones || []).findIndex((z) => z.id === id);
    return ZONE_PALETTE[(index < 0 ? 0 : index) % ZONE_PALETTE.length];
  };
  const PATROL_COLOURS = {planned: "#1f618d", track: "#117a65"};

  const state = {
    day: CONFIG.initial || CONFIG.start, // the ISO day shown
    token: sessionStorage.getItem(TOKEN_KEY) || "",
    me: null, // {name, role} once /me answered for the token
    boundariesDrawn: false,
    controller: null, // aborts the previous day's requests when the slider moves on
    loading: Promise.resolve(),
    playing: false,
    playRun: 0, // the number of the latest play run
    zones: [], // ids of the zones drawn
    violations: [], // the verdict features drawn
    chartDays: null, // the chart's data, redrawn when the window is resized
    fitted: false, // the first zones drawn set the view; later days keep the user's
  };

  let markShown;
  const firstShown = new Promise((resolve) => { markShown = resolve; });

  const $ = (id) => document.getElementById(id);
  let map = null;
  const layers = {};

  // ----------------------------------------------------------------------------------------- small helpers

  /** An element with attributes and children (strings become text: data never reaches innerHTML). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of children) node.append(child instanceof Node ? child : String(child));
    return node;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const nameOf = (list, id) => ((list || []).find((item) => item.id === id) || {}).name || id;
  const number = (n) => Number(n).toLocaleString("en");

  // Days are handled as UTC midnights: the browser's own time zone must never shift a day of the regime.
  const DAY_MS = 86400000;
  const dayMs = (iso) => Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10));
  const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
  const addDays = (iso, n) => isoDay(dayMs(iso) + n * DAY_MS);
  const dayIndex = (iso) => Math.round((dayMs(iso) - dayMs(CONFIG.start)) / DAY_MS);
  const lastIndex = () => dayIndex(CONFIG.end);

  function clampDay(iso) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(iso || "") || isNaN(dayMs(iso))) return CONFIG.initial || CONFIG.start;
    return isoDay(Math.min(Math.max(dayMs(iso), dayMs(CONFIG.start)), dayMs(CONFIG.end)));
  }

  // ----------------------------------------------------------------------------------------- talking to the API

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /** The URL of an API path with its query; empty values are left out (an empty filter means "all"). */
  function apiUrl(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== "" && value !== null && value !== undefined) query.set(key, value);
    }
    const text = query.toString();
    return (CONFIG.base || "") + path + (text ? "?" + text : "");
  }

  function authHeaders(extra) {
    const headers = Object.assign({Accept: "application/json"}, extra || {});
    if (state.token) headers.Authorization = "Bearer " + state.token;
    return headers;
  }

  /** The one line an error response gives: RFC 9457 problem details carry it in `detail`. */
  async function problemText(response) {
    try {
      const body = await response.json();
      return body.detail || body.title || response.statusText;
    } catch (_) {
      return response.statusText || "HTTP " + response.status;
    }
  }

  async function request(method, path, params, body, signal) {
    let response;
    try {
      response = await fetch(apiUrl(path, params), {
        method,
        headers: authHeaders(body ? {"Content-Type": "application/json"} : null),
        body: body ? JSON.stringify(body) : undefined,
        signal,
      });
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw new ApiError(0, "the server cannot be reached");
    }
    if (response.status === 401) {
      // Reading may need a token: ask for one rather than showing an empty map.
      const detail = await problemText(response);
      needToken(state.token ? "the token was refused (" + detail + ")" : "reading needs a token");
      throw new ApiError(401, detail);
    }
    if (!response.ok) throw new ApiError(response.status, await problemText(response));
    return response.json();
  }

  const apiGet = (path, params, signal) => request("GET", path, params, null, signal);

  // ----------------------------------------------------------------------------------------- accounts

  function canReview() {
    return Boolean(state.me && (state.me.role === "analyst" || state.me.role === "admin"));
  }

  function showWho(text) {
    const who = $("whoami");
    const loggedIn = Boolean(state.me);
    who.textContent = text || (loggedIn ? state.me.name + " (" + state.me.role + ")" : "");
    $("token").hidden = loggedIn;
    $("login").hidden = loggedIn;
    $("logout").hidden = !loggedIn;
    $("auth").classList.toggle("needs-token", !loggedIn && Boolean(text));
  }

  /** Reading was refused: forget a token that no longer works and ask for one. */
  function needToken(why) {
    if (state.token) {
      state.token = "";
      state.me = null;
      sessionStorage.removeItem(TOKEN_KEY);
    }
    showWho(why + ": paste your token and press Log in");
    $("token").focus();
  }

  /** Check a token with /me; keep it for this browser tab only (sessionStorage) when it is accepted. */
  async function logIn(token) {
    state.token = token;
    try {
      state.me = await apiGet("/me");
    } catch (error) {
      state.me = null;
      state.token = "";
      sessionStorage.removeItem(TOKEN_KEY);
      if (error.status !== 401) showWho("cannot log in: " + error.message);
      return false;
    }
    sessionStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    showWho();
    return true;
  }

  function logOut() {
    state.token = "";
    state.me = null;
    sessionStorage.removeItem(TOKEN_KEY);
    showWho(CONFIG.anonymous_read ? "" : "logged out");
    map.closePopup();
    return reload();
  }

  // ----------------------------------------------------------------------------------------- the map and its base

  function createMap() {
    map = L.map("map", {zoomSnap: 0.25, preferCanvas: false}); // SVG: every shape is an element with its classes
    // Panes fix the drawing order whatever loads first: boundaries under zones under patrols under points.
    for (const [pane, z] of [["boundaries", 250], ["zones", 410], ["patrols", 420], ["violations", 430]]) {
      map.createPane(pane).style.zIndex = z;
    }
    map.getPane("boundaries").style.pointerEvents = "none";
    if (CONFIG.tile_url) {
      L.tileLayer(CONFIG.tile_url, {maxZoom: 18, attribution: "tiles: " + CONFIG.tile_url.split("/")[2]}).addTo(map);
    }
    layers.boundaries = L.layerGroup().addTo(map);
    layers.zones = L.featureGroup().addTo(map);
    layers.patrols = L.featureGroup().addTo(map);
    layers.violations = L.featureGroup().addTo(map);
    const overlays = {"admin boundaries": layers.boundaries, zones: layers.zones, patrols: layers.patrols,
      violations: layers.violations};
    L.control.layers(null, overlays, {collapsed: true}).addTo(map);
    L.control.scale({imperial: false}).addTo(map);
    addLegend();
    map.setView([35.3, 37.0], 7); // until the first zones arrive: north-west Syria is the built-in regime
  }

  function addLegend() {
    const legend = L.control({position: "topright"}); // under the layers control, never over it
    // A <details>: on a small screen the legend would hide the map, so there it starts folded.
    legend.onAdd = () => el("details", {class: "legend", id: "legend", open: window.innerWidth >= 900},
      el("summary", null, "legend"),
      el("div", {class: "legend-title"}, "violations"),
      STATUSES.map((s) => el("div", null, el("span", {class: "swatch status-" + s}), STATUS_LABELS[s] || s)),
      el("div", null, el("span", {class: "swatch ring review-verified"}), "reviewed: verified"),
      el("div", null, el("span", {class: "swatch ring review-disputed"}), "reviewed: disputed"),
      el("div", null, el("span", {class: "swatch ring review-dismissed"}), "reviewed: dismissed"),
      el("div", {class: "legend-title"}, "patrols"),
      el("div", null, el("span", {class: "line planned"}), "planned route"),
      el("div", null, el("span", {class: "line track"}), "track driven"),
      el("div", {class: "legend-title"}, "zones in force"),
      el("ul", {id: "zones-list"}));
    legend.addTo(map);
  }

  /** Governorates and districts: the base map when there are no tiles, drawn once. */
  async function drawBoundaries(signal) {
    const [governorates, districts] = await Promise.all([
      apiGet("/collections/boundaries/items", {level: 1, limit: LIMIT}, signal),
      apiGet("/collections/boundaries/items", {level: 2, limit: LIMIT}, signal),
    ]);
    layers.boundaries.clearLayers();
    // Without tiles the governorates' fill is the land; with tiles it would hide them. Districts come after,
    // unfilled, so their lighter lines stay visible over the governorates' fill.
    const style = (level) => () => ({pane: "boundaries", interactive: false, className: "boundary level-" + level,
      weight: level === 1 ? 1.6 : 0.5, color: level === 1 ? "#8a8275" : "#b3ab9c",
      fill: level === 1 && !CONFIG.tile_url, fillColor: "#f4f1ea", fillOpacity: 1});
    L.geoJSON(governorates, {style: style(1), pane: "boundaries", interactive: false}).addTo(layers.boundaries);
    L.geoJSON(districts, {style: style(2), pane: "boundaries", interactive: false}).addTo(layers.boundaries);
    state.boundariesDrawn = true;
  }

  // ----------------------------------------------------------------------------------------- what is asked

  /** The filters of the controls as API query parameters. */
  function filterParams() {
    return {
      zone: $("filter-zone").value, rule: $("filter-rule").value, status: $("filter-status").value,
      party: $("filter-party").value, review: $("filter-review").value,
    };
  }

  /** The violations' interval: a window of 1, 7 or 30 days ending on the day shown. */
  function windowInterval(day) {
    const days = Number($("window").value) || 30;
    return {from: addDays(day, 1 - days), to: day};
  }

  function violationParams(day) {
    const w = windowInterval(day);
    return Object.assign({datetime: w.from + "/" + w.to}, filterParams());
  }

  // ----------------------------------------------------------------------------------------- one day on the map

  /** Show a day: zones in force (with their ground), its patrols, the violations of the window and the
   * chart, all fetched together. A newer call aborts an older one, so a fast slider never draws stale days. */
  function showDate(iso) {
    const day = clampDay(iso);
    state.day = day;
    $("date-slider").value = dayIndex(day);
    $("date-label").textContent = day;
    writeHash();
    updateDownloads();
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    const load = loadDay(day, controller.signal).catch((error) => {
      if (error.name === "AbortError") return; // superseded by a newer day
      if (error.status === 401) clearData(); // what a token showed is not left on screen after it is gone
      $("status").textContent = error.status === 401 ? "" : "could not load " + day + ": " + error.message;
    });
    state.loading = load;
    return load;
  }

  async function loadDay(day, signal) {
    $("status").textContent = "loading " + day + "…";
    document.body.classList.add("loading");
    try {
      const pending = [
        apiGet("/collections/zones/items", {datetime: day, limit: LIMIT}, signal),
        apiGet("/collections/patrols/items", {datetime: day, limit: LIMIT}, signal),
        apiGet("/collections/violations/items", Object.assign({limit: LIMIT}, violationParams(day)), signal),
        apiGet("/violations/by-day", violationParams(day), signal),
      ];
      if (!state.boundariesDrawn) pending.push(drawBoundaries(signal));
      const [zones, patrols, violations, byDay] = await Promise.all(pending);
      if (signal.aborted) return;
      drawZones(zones);
      drawPatrols(patrols);
      drawViolations(violations);
      drawChart(byDay.days || []);
      describeDay(day, zones, patrols, violations);
      document.body.dataset.shown = day; // for anyone waiting on the page (a test) without a script
      markShown();
    } finally {
      if (state.controller && state.controller.signal === signal) document.body.classList.remove("loading");
    }
  }

  function clearData() {
    map.closePopup();
    for (const name of ["zones", "patrols", "violations", "boundaries"]) layers[name].clearLayers();
    state.boundariesDrawn = false;
    state.zones = [];
    state.violations = [];
    $("zones-list").replaceChildren();
    $("chart").replaceChildren();
    state.chartDays = null;
    delete document.body.dataset.shown;
  }

  function describeDay(day, zones, patrols, violations) {
    const w = windowInterval(day);
    const matched = violations.numberMatched ?? violations.features.length;
    const shown = violations.features.length;
    const cut = matched > shown ? " (the first " + number(shown) + " shown; narrow the filters)" : "";
    $("status").textContent = day + ": " + zones.features.length + " zone(s) in force, " + number(matched)
      + " violation verdict(s) " + (w.from === w.to ? "that day" : "from " + w.from + " to " + w.to) + cut + ", "
      + new Set(patrols.features.map((f) => f.properties.patrol || f.id)).size + " patrol(s) planned or driven.";
  }

  function reload() {
    return showDate(state.day);
  }

  // ----------------------------------------------------------------------------------------- zones and patrols

  function drawZones(collection) {
    layers.zones.clearLayers();
    L.geoJSON(collection, {
      pane: "zones",
      style: (feature) => {
        const p = feature.properties || {};
        const colour = zoneColour(feature.id ?? p.id);
        return {pane: "zones", className: "zone zone-" + (feature.id ?? p.id) + " kind-" + (p.kind || "other"),
          color: colour, fillColor: colour, weight: 2, fillOpacity: 0.12, dashArray: p.approximate ? "6 4" : null};
      },
      onEachFeature: (feature, layer) => layer.bindPopup(() => zonePopup(feature.properties || {})),
    }).addTo(layers.zones);
    const list = $("zones-list");
    list.replaceChildren(...collection.features.map((f) => el("li", {class: "kind-" + (f.properties.kind || "other")},
      el("span", {class: "swatch", style: "background:" + zoneColour(f.id ?? f.properties.id)}),
      f.properties.name || f.id)));
    if (!list.children.length) list.append(el("li", null, "none"));
    state.zones = collection.features.map((f) => String(f.id ?? f.properties.id));
    // The first view fits the zones: that is where the regime is.
    if (!state.fitted && layers.zones.getLayers().length) {
      map.fitBounds(layers.zones.getBounds(), {padding: [20, 20], animate: false});
      state.fitted = true;
    }
  }

  function zonePopup(p) {
    return el("div", {class: "zone-popup"},
      el("h3", null, p.name || p.id),
      el("dl", null,
        row("kind", p.kind),
        row("established by", p.established_by),
        row("in force", (p.valid_from || "?") + " – " + (p.valid_to || "still in force")),
        row("ground held since", p.ground_since),
        row("last change", p.last_change),
        row("area", p.area_km2 != null ? number(Math.round(p.area_km2)) + " km²" : null),
        p.approximate ? row("boundary", "approximate: the agreement's words do not fix it") : null));
  }

  function row(term, value) {
    if (value === null || value === undefined || value === "") return null;
    return [el("dt", null, term), el("dd", null, value)];
  }

  function drawPatrols(collection) {
    layers.patrols.clearLayers();
    L.geoJSON(collection, {
      pane: "patrols",
      style: (feature) => {
        const kind = (feature.properties || {}).kind === "track" ? "track" : "planned";
        return {pane: "patrols", className: "patrol kind-" + kind, color: PATROL_COLOURS[kind], weight: 2,
          opacity: 0.85,
          dashArray: kind === "planned" ? "8 6" : null};
      },
      onEachFeature: (feature, layer) => layer.bindPopup(() => patrolPopup(feature.properties || {})),
    }).addTo(layers.patrols);
  }

  /** A patrol's route comes as one feature per leg: the popup names the patrol, then the leg. The contract's
   * names (force, km) and the plan file's (forces, length_km) are both read. */
  function patrolPopup(p) {
    const km = p.km ?? p.length_km;
    const kind = [p.patrol_kind, p.role].filter(Boolean).join(", ");
    return el("div", {class: "patrol-popup"},
      el("h3", null, (p.kind === "track" ? "Track of " : "Planned patrol ") + (p.patrol || p.id || "")),
      el("dl", null,
        row("mandate", p.mandate),
        row("forces", p.force ?? p.forces),
        row("kind", kind),
        row("zone", p.zone ? nameOf(CONFIG.zones, p.zone) : null),
        row("from", p.start),
        row("to", p.end),
        row("leg", p.leg),
        row("length", km != null ? Number(km).toFixed(1) + " km" : null)));
  }

  // ----------------------------------------------------------------------------------------- violations

  /** Verdicts are grouped by place: sources put many events on the same town's point, and a marker under
   * another could never be clicked. One marker per place; its popup pages through the verdicts there. */
  function drawViolations(collection) {
    layers.violations.clearLayers();
    state.violations = collection.features;
    const places = new Map();
    for (const feature of collection.features) {
      if (!feature.geometry || feature.geometry.type !== "Point") continue;
      const [lon, lat] = feature.geometry.coordinates;
      const key = lon.toFixed(5) + "," + lat.toFixed(5);
      if (!places.has(key)) places.set(key, {latlng: [lat, lon], verdicts: []});
      places.get(key).verdicts.push(feature);
    }
    for (const place of places.values()) {
      // Newest first, then the most serious: the popup opens on what the day brought.
      place.verdicts.sort((a, b) => String(b.properties.date).localeCompare(String(a.properties.date))
        || STATUSES.indexOf(a.properties.status) - STATUSES.indexOf(b.properties.status));
      const marker = L.circleMarker(place.latlng, {
        pane: "violations", className: markerClasses(place.verdicts),
        radius: 5 + 1.5 * Math.log2(place.verdicts.length), weight: 2, fillOpacity: 0.85,
      });
      marker.verdicts = place.verdicts;
      marker.shown = 0;
      marker.bindPopup(() => violationPopup(marker),
        {maxWidth: 420, minWidth: 280, maxHeight: 380, autoPanPadding: [30, 30]});
      marker.addTo(layers.violations);
      marker.getElement().dataset.ids = place.verdicts.map((f) => f.id).join(" ");
    }
  }

  /** `violation status-<most serious>`, and the review state as a ring: the classes the CSS colours. */
  function markerClasses(verdicts) {
    const statuses = verdicts.map((f) => f.properties.status);
    const status = STATUSES.find((s) => statuses.includes(s)) || statuses[0];
    const classes = ["violation", "status-" + status];
    const reviews = new Set(verdicts.map((f) => f.properties.review).filter(Boolean));
    if (reviews.size) classes.push("reviewed", ...[...reviews].map((r) => "review-" + r));
    if (reviews.size && verdicts.every((f) => f.properties.review === "dismissed")) classes.push("all-dismissed");
    if (verdicts.some((f) => f.properties.recheck)) classes.push("recheck");
    if (verdicts.length > 1) classes.push("several");
    return classes.join(" ");
  }

  /** Leaflet sets a path's classes only when it is created: swap ours, keep Leaflet's own. */
  function refreshMarker(marker) {
    const classes = markerClasses(marker.verdicts);
    marker.options.className = classes;
    const element = marker.getElement();
    if (!element) return;
    const keep = [...element.classList].filter((c) => c.startsWith("leaflet-"));
    element.setAttribute("class", [...keep, classes].join(" "));
  }

  function violationPopup(marker) {
    const feature = marker.verdicts[marker.shown];
    const p = feature.properties;
    const total = marker.verdicts.length;
    const turn = (step) => (event) => {
      // The button is gone once the content is replaced: a click reaching the map from a detached element
      // looks like a click on the map itself, which closes the popup.
      L.DomEvent.stop(event);
      marker.shown = (marker.shown + step + total) % total;
      marker.setPopupContent(violationPopup(marker));
    };
    return el("div", {class: "violation-popup status-" + p.status, "data-verdict": feature.id},
      total > 1 ? el("div", {class: "pager"},
        el("button", {type: "button", class: "prev", title: "previous verdict here", onclick: turn(-1)}, "‹"),
        el("span", null, (marker.shown + 1) + " of " + total + " verdicts at this place"),
        el("button", {type: "button", class: "next", title: "next verdict here", onclick: turn(1)}, "›")) : null,
      el("p", {class: "headline"},
        el("span", {class: "badge status-" + p.status}, p.status),
        " " + nameOf(CONFIG.rules, p.rule) + " · " + nameOf(CONFIG.zones, p.zone)),
      el("p", {class: "reason"}, p.reason),
      reviewState(p),
      el("dl", null,
        row("date", dateText(p)),
        row("place", p.place ? p.place + " (" + (p.place_precision || "precision unknown") + ")"
          : p.place_precision),
        row("sources", p.sources),
        row("event", [p.event_type, p.sub_event_type].filter(Boolean).join(" / ")),
        row("actors", [p.actor1, p.actor2].filter(Boolean).join(" — ")),
        row("in breach", p.in_breach),
        row("fatalities", p.fatalities_best),
        row("event id", p.event_id)),
      canReview() ? reviewForm(marker, feature) : null);
  }

  function dateText(p) {
    let text = p.date || "";
    if (p.date_end && p.date_end !== p.date) text += " – " + p.date_end;
    if (p.time) text += " " + p.time;
    if (p.date_precision && p.date_precision !== "day") text += " (known to the " + p.date_precision + ")";
    return text;
  }

  function reviewState(p) {
    if (!p.review) return el("p", {class: "review-state review-none"}, "Not reviewed yet.");
    return el("p", {class: "review-state review-" + p.review},
      "Reviewed: ", el("strong", null, p.review),
      p.reviewed_by ? " by " + p.reviewed_by : "",
      p.reviewed_at ? " on " + String(p.reviewed_at).slice(0, 16).replace("T", " ") : "",
      p.review_note ? el("q", null, p.review_note) : null,
      p.recheck ? el("span", {class: "recheck"}, " re-check: the machine's verdict changed since this review") : null);
  }

  /** Analysts and admins review a verdict here; the answer updates the point and the popup in place. */
  function reviewForm(marker, feature) {
    const p = feature.properties;
    const choice = el("select", {name: "review"},
      (CONFIG.reviews || ["verified", "disputed", "dismissed"])
        .map((r) => el("option", {value: r, selected: r === p.review}, r)));
    const note = el("textarea", {name: "note", rows: 2, placeholder: "why (kept with the review)"});
    const message = el("span", {class: "form-message", "aria-live": "polite"});
    const form = el("form", {id: "review-form", class: "review-form"},
      el("label", null, "review ", choice), note, el("button", {type: "submit"}, "Save"), message);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      form.querySelector("button").disabled = true;
      message.textContent = "saving…";
      try {
        const saved = await request("POST", "/reviews", null, {
          event_id: p.event_id, rule: p.rule, zone: p.zone, review: choice.value, note: note.value,
        });
        Object.assign(p, {review: saved.review, review_note: saved.note, reviewed_by: saved.reviewed_by,
          reviewed_at: saved.reviewed_at, recheck: Boolean(saved.recheck)});
        refreshMarker(marker);
        const fresh = violationPopup(marker);
        fresh.querySelector(".form-message").textContent = "saved";
        marker.setPopupContent(fresh);
      } catch (error) {
        message.textContent = "not saved: " + error.message;
        form.querySelector("button").disabled = false;
      }
    });
    return form;
  }

  // ----------------------------------------------------------------------------------------- the chart

  /** Violations by day over the window, stacked by status, as plain SVG (no chart library). */
  function drawChart(days) {
    const box = $("chart");
    const width = Math.max(box.clientWidth || 0, 320);
    const height = 150;
    const pad = {left: 34, right: 8, top: 22, bottom: 22};
    const plotW = width - pad.left - pad.right;
    const plotH = height - pad.top - pad.bottom;
    const totals = days.map((d) => STATUSES.reduce((sum, s) => sum + (d[s] || 0), 0));
    const max = Math.max(1, ...totals);
    const slot = plotW / Math.max(days.length, 1);
    const barW = Math.max(1, slot * 0.8);
    const chart = svg("svg", {width, height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "violation verdicts by day"});
    const sums = Object.fromEntries(STATUSES.map((s) => [s, days.reduce((n, d) => n + (d[s] || 0), 0)]));
    let x = pad.left;
    chart.append(svg("text", {x: pad.left, y: 14, class: "chart-title"},
      "verdicts by day: " + STATUSES.map((s) => sums[s] + " " + s).join(", ")));
    days.forEach((d, i) => {
      let y = pad.top + plotH;
      const group = svg("g", {class: "day", "data-date": d.date},
        svg("title", {}, d.date + ": " + STATUSES.map((s) => (d[s] || 0) + " " + s).join(", ")));
      for (const s of STATUSES) {
        const h = ((d[s] || 0) / max) * plotH;
        if (h <= 0) continue;
        y -= h;
        group.append(svg("rect", {class: "bar status-" + s, x: x + (slot - barW) / 2, y, width: barW, height: h}));
      }
      // A transparent column makes thin bars easy to hover for their numbers.
      group.append(svg("rect", {class: "hover", x, y: pad.top, width: slot, height: plotH}));
      chart.append(group);
      x += slot;
      if (i === days.length - 1) group.classList.add("today");
    });
    chart.append(
      svg("line", {class: "axis", x1: pad.left, x2: pad.left + plotW, y1: pad.top + plotH, y2: pad.top + plotH}),
      svg("text", {class: "tick", x: pad.left - 4, y: pad.top + 4, "text-anchor": "end"}, String(max)),
      svg("text", {class: "tick", x: pad.left - 4, y: pad.top + plotH, "text-anchor": "end"}, "0"));
    if (days.length) {
      chart.append(svg("text", {class: "tick", x: pad.left, y: height - 6}, days[0].date));
      if (days.length > 1) {
        chart.append(svg("text", {class: "tick", x: pad.left + plotW, y: height - 6, "text-anchor": "end"},
          days[days.length - 1].date));
      }
    }
    box.replaceChildren(chart);
    state.chartDays = days;
  }

  // ----------------------------------------------------------------------------------------- downloads

  function downloadName(day, suffix) {
    const w = windowInterval(day);
    return "violations-" + (w.from === w.to ? day : w.from + "_" + w.to) + "." + suffix;
  }

  /** The links are the items URLs of what is shown; with a token, a click fetches with it (a plain link
   * cannot send the Authorization header) and saves the answer. */
  function updateDownloads() {
    for (const [id, f, suffix] of [["download-geojson", "json", "geojson"], ["download-csv", "csv", "csv"]]) {
      const link = $(id);
      link.href = apiUrl("/collections/violations/items", Object.assign(violationParams(state.day), {f, limit: LIMIT}));
      link.download = downloadName(state.day, suffix);
    }
  }

  async function downloadWithToken(event) {
    if (!state.token) return; // anonymous reading: the plain link works
    event.preventDefault();
    const link = event.currentTarget;
    const response = await fetch(link.href, {headers: authHeaders({Accept: "*/*"})});
    if (!response.ok) {
      $("status").textContent = "download refused: " + await problemText(response);
      return;
    }
    const url = URL.createObjectURL(await response.blob());
    const save = el("a", {href: url, download: link.download});
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  // ----------------------------------------------------------------------------------------- play

  function setPlaying(on) {
    state.playing = on;
    $("play").textContent = on ? "❚❚" : "▶";
    $("play").title = on ? "Pause" : "Play: step through the days";
    $("play").classList.toggle("playing", on);
  }

  /** Playing steps by the window's length (a day, a week, 30 days), so each frame shows new violations
   * only, and waits for each frame to load before the pause: a slow server slows the film, never skips.
   * Each run has a number, so a pause and a play during one pause never leave two runs stepping. */
  async function togglePlay() {
    if (state.playing) return setPlaying(false);
    setPlaying(true);
    const run = ++state.playRun;
    const running = () => state.playing && state.playRun === run;
    if (state.day >= CONFIG.end) await showDate(CONFIG.start);
    while (running()) {
      await sleep(PLAY_PAUSE_MS);
      if (!running()) break;
      if (state.day >= CONFIG.end) return setPlaying(false);
      await showDate(addDays(state.day, Number($("window").value) || 1));
    }
  }

  // ----------------------------------------------------------------------------------------- the URL keeps the view

  /** The day, window and filters live in the URL's fragment, so a reload or a shared link shows the same. */
  function writeHash() {
    const params = new URLSearchParams({date: state.day, window: $("window").value});
    for (const [key, value] of Object.entries(filterParams())) if (value) params.set(key, value);
    history.replaceState(null, "", "#" + params.toString());
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const set = (id, value) => {
      const select = $(id);
      if (value && [...select.options].some((o) => o.value === value)) select.value = value;
    };
    set("window", params.get("window"));
    for (const key of ["zone", "rule", "status", "party", "review"]) set("filter-" + key, params.get(key));
    if (params.get("date")) state.day = clampDay(params.get("date"));
  }

  // ----------------------------------------------------------------------------------------- start

  function fillControls() {
    const fill = (id, items) => $(id).append(
      ...items.map((item) => el("option", {value: item.id}, item.name || item.id)));
    fill("filter-zone", CONFIG.zones || []);
    fill("filter-rule", CONFIG.rules || []);
    fill("filter-status", STATUSES.map((s) => ({id: s, name: s})));
    fill("filter-party", CONFIG.parties || []);
    fill("filter-review", (CONFIG.reviews || []).map((r) => ({id: r, name: r})));
    const slider = $("date-slider");
    slider.min = 0;
    slider.max = lastIndex();
  }

  function wireControls() {
    const slider = $("date-slider");
    let timer = null;
    // The label follows the thumb at once; the data follow when it rests, not for every pixel dragged.
    slider.addEventListener("input", () => {
      const day = addDays(CONFIG.start, Number(slider.value));
      $("date-label").textContent = day;
      clearTimeout(timer);
      timer = setTimeout(() => showDate(day), 150);
    });
    slider.addEventListener("change", () => {
      clearTimeout(timer);
      showDate(addDays(CONFIG.start, Number(slider.value)));
    });
    for (const id of ["window", "filter-zone", "filter-rule", "filter-status", "filter-party", "filter-review"]) {
      $(id).addEventListener("change", reload);
    }
    $("play").addEventListener("click", togglePlay);
    $("auth").addEventListener("submit", async (event) => {
      event.preventDefault();
      const token = $("token").value.trim();
      if (!token) return needToken("no token given");
      if (await logIn(token)) {
        map.closePopup();
        await reload();
      }
    });
    $("logout").addEventListener("click", logOut);
    $("download-geojson").addEventListener("click", downloadWithToken);
    $("download-csv").addEventListener("click", downloadWithToken);
    let resize = null;
    window.addEventListener("resize", () => {
      clearTimeout(resize);
      resize = setTimeout(() => state.chartDays && drawChart(state.chartDays), 200);
    });
  }

  async function start() {
    fillControls();
    readHash();
    createMap();
    wireControls();
    $("date-label").textContent = state.day;
    $("date-slider").value = dayIndex(state.day);
    updateDownloads();
    if (state.token) await logIn(state.token);
    if (!state.me && !CONFIG.anonymous_read) {
      needToken("reading needs a token"); // the day is shown once a token is accepted (the login form)
      return;
    }
    await showDate(state.day);
  }

  window.ceasefireMap = {
    get map() { return map; },
    /** Show a day; the promise settles when its layers and chart are drawn. */
    setDate: (iso) => showDate(iso),
    /** The ids of the zones drawn now. */
    zonesShown: () => [...state.zones],
    /** Settles once the first day is on the map (after a token, when reading needs one). */
    ready: firstShown,
    /** Settles when no load is pending any more (a newer day supersedes an older one). */
    async idle() {
      let current;
      do {
        current = state.loading;
        await current;
      } while (current !== state.loading);
    },
    get day() { return state.day; },
  };
  start();
})();
