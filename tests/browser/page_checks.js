// Accessibility facts of the page as Chromium renders it, for tests/browser/test_accessibility.py.
() => {
  const parse = (css) => {
    const m = css.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a] = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r, g, b, a: a === undefined ? 1 : a };
  };
  const luminance = ({ r, g, b }) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour && colour.a === 1) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const lowContrast = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element || element.closest("svg")) continue;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") continue;
    if (element.closest(".visually-hidden, .skip")) continue;
    const fore = parse(style.color), back = background(element);
    const [light, dark] = [luminance(fore), luminance(back)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    if (ratio < 4.5) lowContrast.push(`${node.textContent.trim().slice(0, 40)}: ${ratio.toFixed(2)}`);
  }
  const unlabelled = [...document.querySelectorAll("input, select, textarea")]
    .filter((e) => e.type !== "hidden")
    .filter((e) => e.labels.length === 0 && !e.getAttribute("aria-label"))
    .map((e) => e.name || e.id || e.outerHTML.slice(0, 60));
  const headerless = [...document.querySelectorAll("table")]
    .filter((t) => t.querySelectorAll("th").length === 0)
    .map((t) => t.dataset.testid || t.outerHTML.slice(0, 60));
  return {
    lang: document.documentElement.lang,
    main: document.querySelectorAll("main").length,
    lowContrast,
    unlabelled,
    headerless,
  };
}
