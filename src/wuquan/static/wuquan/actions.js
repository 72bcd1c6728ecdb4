// Small page actions without inline handlers (the CSP allows script from 'self' only,
// issue 13 finding 9): <button data-action="print">, <a data-action="back">.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-action]");
  if (!el) return;
  var action = el.getAttribute("data-action");
  if (action === "print") {
    event.preventDefault();
    window.print();
  } else if (action === "back") {
    event.preventDefault();
    window.history.back();
  }
});
