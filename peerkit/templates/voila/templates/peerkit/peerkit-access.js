/* What ipywidgets 8.1 leaves out for keyboard and screen-reader users, added in the page (no library).
 * ipywidgets gives Python no way to set a role, a name or aria-* (jupyter-widgets/ipywidgets#2650), so:
 *  - RadioButtons: the options become one radio group (role=radiogroup, named by the question through
 *    aria-labelledby, every input one shared `name`): one Tab stop, arrow keys move the choice, and the
 *    view's own click handler still sends it to the kernel;
 *  - ToggleButtons: a named group whose buttons say which one is chosen (aria-pressed);
 *  - a peerkit checklist: a named group of checkboxes; a check of understanding: named by its question;
 *  - ipywidgets writes the tooltip None as title="null" on labels: removed;
 *  - one skip link per page, which moves focus to the start of the page's own content (past the navigation).
 * Widgets are drawn and redrawn after this runs, so a MutationObserver re-applies it, once per frame.
 * Class names are ipywidgets' own (widget-radio, widget-radio-box, widget-toggle-buttons); the browser
 * tests in tests/ui/test_access_ui.py fail if an upgrade renames them. */
(function () {
  "use strict";
  var counter = 0;
  function idOf(element) {
    if (!element.id) {
      counter += 1;
      element.id = "peerkit-a11y-" + counter;
    }
    return element.id;
  }
  function nameGroup(group, label) {
    if (label && label.textContent.trim()) {
      group.setAttribute("aria-labelledby", idOf(label));
    }
  }
  function radios(root) {
    root.querySelectorAll(".widget-radio").forEach(function (widget) {
      var box = widget.querySelector(".widget-radio-box");
      if (!box) return;
      if (box.getAttribute("role") !== "radiogroup") box.setAttribute("role", "radiogroup");
      nameGroup(box, widget.querySelector(":scope > .widget-label"));
      var name = idOf(box) + "-choice";
      box.querySelectorAll('input[type="radio"]').forEach(function (input) {
        if (input.name !== name) input.name = name;
      });
    });
  }
  function toggles(root) {
    root.querySelectorAll(".widget-toggle-buttons").forEach(function (widget) {
      var group = widget.querySelector(".widget-toggle-button") ? widget : null;
      if (!group) return;
      var row = widget.querySelector(":scope > div:not(.widget-label)") || widget;
      if (row.getAttribute("role") !== "group") row.setAttribute("role", "group");
      var label = widget.querySelector(":scope > .widget-label");
      if (label && label.textContent.trim()) nameGroup(row, label);
      row.querySelectorAll("button").forEach(function (button) {
        var pressed = button.classList.contains("mod-active") ? "true" : "false";
        if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
      });
    });
  }
  function checklists(root) {
    root.querySelectorAll(".peerkit-checklist, .peerkit-chips").forEach(function (widget) {
      if (widget.getAttribute("role") !== "group") widget.setAttribute("role", "group");
      nameGroup(widget, widget.querySelector(".peerkit-label"));
    });
  }
  /* A check of understanding: its question names the radio group of a multiple-choice check, or the
   * whole check as a group (ordering, matching), as a legend names a fieldset. */
  function checks(root) {
    root.querySelectorAll(".peerkit-answer-widget.peerkit-check").forEach(function (widget) {
      var question = widget.querySelector(".peerkit-check-question");
      var box = widget.querySelector(".widget-radio-box");
      if (box) {
        nameGroup(box, question);
        return;
      }
      if (widget.getAttribute("role") !== "group") widget.setAttribute("role", "group");
      nameGroup(widget, question);
    });
  }
  function nullTitles(root) {
    root.querySelectorAll('[title="null"]').forEach(function (element) {
      element.removeAttribute("title");
    });
  }
  function apply() {
    var root = document.body;
    radios(root);
    toggles(root);
    checklists(root);
    checks(root);
    nullTitles(root);
    oneSkipLink();
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      apply();
    });
  }
  new MutationObserver(schedule).observe(document.body, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["title", "class"],
  });
  schedule();

  /* The skip link. A learner page draws its own frame (a skip link, then a <header> with the course's
   * navigation); the template's link is then removed, so a page has one. Either link moves focus to the
   * start of the page's own content: a .peerkit-skip-target if the page marks one, else whatever follows
   * the frame's header, else <main>. The next Tab reaches the first control there. */
  function oneSkipLink() {
    var own = document.querySelector("#peerkit-main a.peerkit-skip-link");
    var template = document.querySelector("a.peerkit-skip");
    if (own && template) template.remove();
  }
  function visible(element) {
    return element.getClientRects().length > 0;
  }
  function following(element) {
    for (var node = element; node && node.id !== "peerkit-main"; node = node.parentElement) {
      for (var next = node.nextElementSibling; next; next = next.nextElementSibling) {
        if (visible(next)) return next;
      }
    }
    return null;
  }
  function contentStart() {
    var marked = document.querySelector("#peerkit-main .peerkit-skip-target");
    if (marked && visible(marked)) return marked;
    var frame = document.querySelector("#peerkit-main header.peerkit-frame");
    return (frame && following(frame)) || document.getElementById("peerkit-main");
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.peerkit-skip, a.peerkit-skip-link");
    if (!link) return;
    event.preventDefault();
    var target = contentStart();
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "start" });
  });
})();
