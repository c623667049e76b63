// Behaviour shared by every page, loaded as a file: the Content-Security-Policy runs no inline script
// and no on…="" attribute. Pages mark elements with data attributes instead.
"use strict";

// <select data-submit-on-change>: submits its form as soon as a choice is made (the language
// switcher, a scope picker); a <noscript> button next to it does the same without JavaScript.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change") && field.form) {
    field.form.submit();
  }
});

// The site menu folds behind a button on a narrow screen (the CSS decides when). Only with JavaScript:
// without it the button stays hidden and every link stays in view. (Blocks keep the names of this file
// out of the scope it shares with the pages' own scripts.)
{
  const header = document.querySelector("header.top");
  const menuButton = header && header.querySelector(".menu-toggle");
  const menu = document.getElementById("site-menu");
  if (header && menuButton && menu) {
    const setOpen = (open) => {
      menu.classList.toggle("open", open);
      menuButton.setAttribute("aria-expanded", String(open));
    };
    header.classList.add("collapsible");
    menuButton.addEventListener("click", () => setOpen(menuButton.getAttribute("aria-expanded") !== "true"));
    header.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        setOpen(false);
        menuButton.focus();
      }
    });
  }
}

// A wide table scrolls sideways inside its own box instead of widening the page on a phone. While it
// scrolls, the box can take the focus so that keyboard users can scroll it too; it is named after the
// table's caption or heading for screen readers.
{
  const scrollBoxes = [];
  const regionNames = new Set(); // two regions of one name would confuse more than help
  for (const table of document.querySelectorAll("main table")) {
    if (table.parentElement && table.parentElement.classList.contains("table-scroll")) {
      continue;
    }
    const box = document.createElement("div");
    box.className = "table-scroll";
    let heading = table.caption;
    for (let node = table.previousElementSibling; !heading && node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) {
        heading = node;
      }
    }
    const name = heading ? heading.textContent.trim() : "";
    if (name && !regionNames.has(name)) {
      regionNames.add(name);
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", name);
    }
    table.replaceWith(box);
    box.appendChild(table);
    scrollBoxes.push(box);
  }
  scrollBoxes.push(...document.querySelectorAll("main pre"));
  const focusWhereScrolling = () => {
    for (const box of scrollBoxes) {
      if (box.scrollWidth > box.clientWidth) {
        box.tabIndex = 0;
      } else {
        box.removeAttribute("tabindex");
      }
    }
  };
  focusWhereScrolling();
  window.addEventListener("resize", focusWhereScrolling);
}

// <button data-print>: opens the browser's print dialog (where "Save as PDF" is), e.g. on a guide.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) {
    window.print();
  }
});

// <input type="file" data-max-bytes data-too-large>: a file over the platform's limit is refused at
// once, with the page's message, instead of being sent to a bare refusal (cfit/uploadfields.py).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || field.type !== "file" || !field.dataset.maxBytes) {
    return;
  }
  const limit = Number(field.dataset.maxBytes);
  const tooLarge = Array.from(field.files || []).some((file) => file.size > limit);
  field.setCustomValidity(tooLarge ? field.dataset.tooLarge || "" : "");
  if (tooLarge) {
    field.reportValidity();
  }
});
