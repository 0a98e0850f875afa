/* Names and keyboard order the Dash components do not set themselves, so that every control
   is labelled and reachable (checked with axe-core in the browser tests):
   - option lists (RadioItems, Checklist) are radio groups or groups named by their label,
     their native inputs do the rest;
   - a dropdown is reached with Tab on its button, named by its label and its value;
   - a table wider than the screen scrolls in its own box and can be reached to scroll it. */
(function () {
  var seq = 0;

  function labelOf(el) {
    var box = el.closest(".range-row, div");
    while (box) {
      var label = box.querySelector(":scope > label, :scope > .label");
      if (label && !label.contains(el)) { return label; }
      box = box.parentElement && box.parentElement.closest("div");
    }
    return null;
  }

  function idOf(el) {
    if (!el.id) { seq += 1; el.id = "a11y-label-" + seq; }
    return el.id;
  }

  function fixOptionLists() {
    document.querySelectorAll(".dash-options-list[role=listbox]").forEach(function (list) {
      list.setAttribute("role", list.classList.contains("dash-radioitems") ? "radiogroup" : "group");
      var label = labelOf(list);
      if (label) { list.setAttribute("aria-labelledby", idOf(label)); }
    });
    document.querySelectorAll(".dash-options-list-option[role=option]").forEach(function (opt) {
      opt.removeAttribute("role");
      opt.removeAttribute("aria-selected");
    });
  }

  function fixDropdowns() {
    document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrap) {
      var target = wrap.querySelector(".dash-dropdown-focus-target");
      var button = wrap.querySelector("button.dash-dropdown");
      if (!target || !button) { return; }
      if (target.getAttribute("tabindex") !== "-1") { target.setAttribute("tabindex", "-1"); }
      if (button.getAttribute("tabindex") !== "0") { button.setAttribute("tabindex", "0"); }
      var label = labelOf(wrap);
      var value = button.querySelector(".dash-dropdown-value");
      var ids = [];
      if (label) { ids.push(idOf(label)); }
      if (value) { ids.push(idOf(value)); }
      var wanted = ids.join(" ");
      if (wanted && button.getAttribute("aria-labelledby") !== wanted) {
        button.setAttribute("aria-labelledby", wanted);
      }
    });
  }

  function fixTables() {
    document.querySelectorAll("table.data, .table-scroll").forEach(function (table) {
      var scrolls = table.scrollWidth > table.clientWidth + 1;
      if (scrolls && table.getAttribute("tabindex") !== "0") {
        table.setAttribute("tabindex", "0");
      } else if (!scrolls && table.hasAttribute("tabindex")) {
        table.removeAttribute("tabindex");
      }
    });
  }

  var pending = false;
  function fixAll() {
    pending = false;
    fixOptionLists();
    fixDropdowns();
    fixTables();
  }
  function schedule() {
    if (!pending) { pending = true; window.requestAnimationFrame(fixAll); }
  }

  function start() {
    fixAll();
    new MutationObserver(schedule).observe(document.body, {
      childList: true, subtree: true, attributes: true,
      attributeFilter: ["role", "aria-selected", "tabindex", "aria-labelledby"]
    });
    window.addEventListener("resize", schedule);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
