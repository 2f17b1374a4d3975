// Tables scroll sideways inside their own box, not the page, so that a page zoomed to 400% (320 CSS pixels wide)
// reflows without the page scrolling sideways (WCAG 2.2, 1.4.10 Reflow: data tables are the exception it allows).
// A table that is wider than its box becomes a region that can be scrolled from the keyboard: it takes the focus
// (tabindex 0) and is named by the table's caption, or else by its first heading cell. One that fits is left alone:
// no extra stop in the tab order.

const LABEL_FALLBACK = "Table";

function nameOf(table) {
  const caption = table.querySelector("caption");
  const header = table.querySelector("th");
  const text = (caption || header)?.textContent?.replace(/\s+/g, " ").trim();
  return text || LABEL_FALLBACK;
}

function update(box) {
  const table = box.firstElementChild;
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", `${nameOf(table)} (scrolls sideways)`);
  } else {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

export function scrollTables(root) {
  const boxes = [];
  for (const table of root.querySelectorAll("table")) {
    let box = table.parentElement;
    if (!box.classList.contains("app-table-scroll") && !box.classList.contains("app-table-box")) {
      box = document.createElement("div");
      box.className = "app-table-box";
      table.replaceWith(box);
      box.appendChild(table);
    }
    boxes.push(box);
  }
  const all = () => boxes.forEach(update);
  all();
  if (boxes.length) {
    window.addEventListener("resize", all);
  }
}
