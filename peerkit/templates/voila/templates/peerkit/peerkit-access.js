/* What ipywidgets 8.1 leaves out for keyboard and screen-reader users, added in the page (no library).
 * ipywidgets gives Python no way to set a role, a name or aria-* (jupyter-widgets/ipywidgets#2650), so:
 *  - RadioButtons: the options become one radio group (role=radiogroup, named by the question through
 *    aria-labelledby, every input one shared `name`): one Tab stop, arrow keys move the choice, and the
 *    view's own click handler still sends it to the kernel;
 *  - ToggleButtons: a named group whose buttons say which one is chosen (aria-pressed);
 *  - a peerkit checklist: a named group of checkboxes; a check of understanding: named by its question;
 *  - ipywidgets writes the tooltip None as title="null" on labels: removed;
 *  - one skip link per page, which moves focus to the start of the page's own content (past the navigation);
 *  - a status line (an HTML widget with the class peerkit-live): its persistent .widget-html-content is the
 *    live region (role=status), so each new message is a change inside one live node and is announced
 *    (a role inside the widget's value would be a new node, with its text already in it, every time);
 *  - a field the kernel refused (its widget has the class peerkit-invalid): aria-invalid, and described by
 *    its answer's status line, which says what to fix;
 *  - a review received, with its rating form (peerkit-rated-review): a group named by its "Reviewer N"
 *    heading, so its rating controls, the same for every review, say whose review they rate;
 *  - Font Awesome glyphs in buttons are hidden from the accessible name ("\uf1d8 Submit" otherwise);
 *  - focus that a redraw took away (the focused button was disabled, hidden or replaced) moves to the
 *    status line that says what happened, else to the first control, of the nearest part still there.
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
  function live(root) {
    root.querySelectorAll(".peerkit-live > .widget-html-content").forEach(function (region) {
      if (region.getAttribute("role") !== "status") region.setAttribute("role", "status");
      if (region.getAttribute("aria-live") !== "polite") region.setAttribute("aria-live", "polite");
      if (region.getAttribute("aria-atomic") !== "true") region.setAttribute("aria-atomic", "true");
      if (!region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1"); // a place focus can be put
    });
  }
  var FIELDS = "input:not([type=radio]):not([type=checkbox]), textarea, select";
  function invalid(root) {
    root.querySelectorAll(".peerkit-answer-widget").forEach(function (widget) {
      var message = widget.querySelector(":scope > .peerkit-live > .widget-html-content");
      widget.querySelectorAll(FIELDS).forEach(function (field) {
        var wrong = !!field.closest(".peerkit-invalid");
        if (wrong && message) {
          if (field.getAttribute("aria-invalid") !== "true") field.setAttribute("aria-invalid", "true");
          if (field.getAttribute("aria-describedby") !== idOf(message)) field.setAttribute("aria-describedby", idOf(message));
        } else if (field.hasAttribute("aria-invalid")) {
          field.removeAttribute("aria-invalid");
          field.removeAttribute("aria-describedby");
        }
      });
    });
  }
  function receivedReviews(root) {
    root.querySelectorAll(".peerkit-rated-review").forEach(function (group) {
      if (group.getAttribute("role") !== "group") group.setAttribute("role", "group");
      nameGroup(group, group.querySelector("h2, h3, h4, [role=heading]"));
    });
  }
  function icons(root) {
    root.querySelectorAll("button i.fa, button i[class*='fa-']").forEach(function (icon) {
      if (icon.getAttribute("aria-hidden") !== "true") icon.setAttribute("aria-hidden", "true");
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
    live(root);
    invalid(root);
    receivedReviews(root);
    icons(root);
    oneSkipLink();
    keepFocus();
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
    attributeFilter: ["title", "class", "disabled", "style"],
  });
  schedule();

  /* Focus that a redraw took away. A click that disables its button (Submit, while it sends), hides it or
   * replaces it (Edit my profile, a review page's Submit that redraws the form) leaves focus on <body>, and
   * a keyboard user would start again from the top (2.4.3). Remember the focused control and the parts
   * around it; when focus has fallen to <body> because that control is gone, disabled or hidden, put it in
   * the nearest part still on the page. A control replaced by new ones (Edit my profile): on the first new
   * control. A control disabled or hidden (Submit): on the status line that says what happens (a peerkit-live
   * region, tabindex=-1). A click elsewhere on the page is left alone. */
  var lastFocused = null;
  var around = [];
  var CONTROLS = "button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), a[href]";
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    if (!target || target === document.body || !target.closest || !target.closest("#peerkit-main")) return;
    lastFocused = target;
    around = [];
    for (var node = target.parentElement; node && node.id !== "peerkit-main"; node = node.parentElement) {
      around.push(node);
    }
  });
  function usable(element) {
    return element.isConnected && !element.disabled && visible(element);
  }
  function keepFocus() {
    if (!lastFocused || usable(lastFocused)) return;
    var active = document.activeElement;
    if (active && active !== document.body && active !== lastFocused) return;
    var replaced = !lastFocused.isConnected;
    function message(part) {
      var regions = part.querySelectorAll(".peerkit-live > .widget-html-content");
      for (var j = 0; j < regions.length; j++) {
        if (visible(regions[j]) && regions[j].textContent.trim()) return regions[j];
      }
      return null;
    }
    function control(part) {
      var controls = part.querySelectorAll(CONTROLS);
      for (var k = 0; k < controls.length; k++) {
        if (usable(controls[k])) return controls[k];
      }
      return null;
    }
    for (var i = 0; i < around.length; i++) {
      var part = around[i];
      if (!part.isConnected || !visible(part)) continue;
      var target = replaced ? control(part) || message(part) : message(part) || control(part);
      if (target) {
        lastFocused = null;
        target.focus({ preventScroll: false });
        return;
      }
    }
  }

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
