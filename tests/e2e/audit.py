"""Accessibility and small-screen checks of one page, shared by tests/e2e/test_accessibility.py.

axe-core (tests/e2e/vendor/axe-core, vendored from the npm registry, see its README) finds WCAG
problems; the layout checks measure the page at a phone's width (390 px)."""

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Per table: is the key column (the cell marked .key-column, else the first) still inside the
# visible part of the table's scrolling box once that box is scrolled to its right end?
_KEY_COLUMNS_JS = """
() => {
  const hidden = [];
  for (const table of document.querySelectorAll('main table')) {
    if (!table.offsetParent) continue;  // not displayed (collapsed section, hidden tab)
    let box = table.parentElement;
    while (box && box !== document.body && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const scroller = box && box !== document.body ? box : document.scrollingElement;
    scroller.scrollLeft = scroller.scrollWidth;
    const view = scroller === document.scrollingElement
      ? {left: 0, right: window.innerWidth}
      : scroller.getBoundingClientRect();
    for (const row of [table.tHead && table.tHead.rows[0], table.tBodies[0] && table.tBodies[0].rows[0]]) {
      if (!row || !row.cells.length) continue;
      const key = row.querySelector('.key-column') || row.cells[0];
      if (row.cells.length === 1 && key.colSpan > 1) continue;  // "nothing here" row
      const rect = key.getBoundingClientRect();
      if (rect.left < view.left - 1 || rect.left + Math.min(rect.width, 40) > view.right + 1) {
        hidden.push((table.id || table.className || 'table') + ': ' + key.textContent.trim().slice(0, 40));
      }
    }
    scroller.scrollLeft = 0;
  }
  return hidden;
}
"""


AXE_URL = "/__test-only__/axe.min.js"


def inject_axe(page):
    """Load axe-core as a script file of the portal's own origin (the test browser answers that URL
    itself), so the Content-Security-Policy stays enforced while the page is audited: an inline
    script would be refused, as it should be."""
    if not getattr(page, "_axe_routed", False):
        page.route(f"**{AXE_URL}", lambda route: route.fulfill(path=str(AXE_JS), content_type="application/javascript"))
        page._axe_routed = True
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)


def axe_violations(page):
    """Serious and critical axe-core violations of the page as it is now: [(rule, impact, nodes)]."""
    inject_axe(page)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [" ".join(node["target"]) for node in v["nodes"]][:5])
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def audit(page, url):
    """Open ``url`` on a 390 px wide phone, measure it and run axe, then widen the window to a
    desktop's (the navigation bar shows its links) and run axe again.
    Returns None if the page is not reachable for this user (4xx), else a dict of findings."""
    page.set_viewport_size(PHONE)
    response = page.goto(url)
    if response is None or response.status >= 400:
        return None
    page.wait_for_load_state("load")
    found = {"url": url, "final_url": page.url}
    found["width"] = page.evaluate("document.documentElement.scrollWidth")
    found["hidden_key_columns"] = page.evaluate(_KEY_COLUMNS_JS)
    found["phone_violations"] = axe_violations(page)
    page.set_viewport_size(DESKTOP)
    found["violations"] = axe_violations(page)
    return found


def problems(found):
    """Human-readable list of what fails the house standard on one audited page."""
    out = []
    for rule, impact, nodes in found["violations"] + [v for v in found["phone_violations"] if v not in found["violations"]]:
        out.append(f"axe {impact} {rule}: {nodes}")
    if found["width"] > PHONE["width"]:
        out.append(f"{found['width']} px wide at {PHONE['width']} px")
    for cell in found["hidden_key_columns"]:
        out.append(f"key column scrolled out of view: {cell}")
    return out
