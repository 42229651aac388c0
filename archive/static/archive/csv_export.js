// The export page's "Select all" toggle, bound here: the Content-Security-Policy refuses the
// library's inline onchange attribute. onSelectToggleChange comes from the library's
// export_selectable_fields.js, which the page loads first.
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll(".select-toggle")) {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
