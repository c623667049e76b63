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
