// SVG charts drawn here, no library: bars (stacked by series) and lines, over one x value per day.
const svgNs = 'http://www.w3.org/2000/svg';
// About the width a chart is shown at (a third of a desktop page, a phone's width), so its text stays readable.
const width = 400, height = 240;
const margin = { top: 12, right: 8, bottom: 26, left: 52 };

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten. */
function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map(f => f * power).find(v => v >= value);
}

function frame(labels, max, format, description) {
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': description, class: 'chart-svg' });
  const plotHeight = height - margin.top - margin.bottom;
  for (let i = 0; i <= 4; i++) {
    const y = margin.top + plotHeight * (1 - i / 4);
    root.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: y, y2: y, class: 'grid-line' }));
    root.append(svg('text', { x: margin.left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis-label' }, format(max * i / 4)));
  }
  const step = (width - margin.left - margin.right) / Math.max(labels.length, 1);
  const every = Math.ceil(labels.length / 7);
  labels.forEach((label, i) => {
    if (i % every) return;
    root.append(svg('text', { x: margin.left + step * (i + 0.5), y: height - 8, 'text-anchor': 'middle', class: 'axis-label' }, label.slice(5)));
  });
  const y = value => margin.top + plotHeight * (1 - value / max);
  return { root, step, y };
}

function legend(series) {
  const list = document.createElement('ul');
  list.className = 'legend';
  series.forEach((s, i) => {
    const item = document.createElement('li');
    item.className = `series-${i % 6}${s.dashed ? ' dashed' : ''}`;
    item.textContent = s.name;
    list.append(item);
  });
  return list;
}

/** Stacked bars: series = [{name, values}] with one value per label. */
export function barChart(container, labels, series, format, description) {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] || 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const { root, step, y } = frame(labels, max, format, description);
  const barWidth = Math.max(step * 0.7, 1);
  labels.forEach((label, i) => {
    let base = 0;
    series.forEach((s, k) => {
      const value = s.values[i] || 0;
      if (!value) return;
      const bar = svg('rect', { x: margin.left + step * i + (step - barWidth) / 2, y: y(base + value), width: barWidth,
        height: y(base) - y(base + value), class: `bar series-${k % 6}` });
      bar.append(svg('title', {}, `${label} ${s.name}: ${format(value)}`));
      root.append(bar);
      base += value;
    });
  });
  container.replaceChildren(root, legend(series));
}

/** Lines with a dot per known value; null values leave a gap. series = [{name, values, dashed}]. */
export function lineChart(container, labels, series, format, description) {
  const max = niceMax(Math.max(0, ...series.flatMap(s => s.values.filter(v => v != null))));
  const { root, step, y } = frame(labels, max, format, description);
  series.forEach((s, k) => {
    const cls = `series-${k % 6}`;
    let path = '';
    let pen = false;
    s.values.forEach((value, i) => {
      if (value == null) { pen = false; return; }
      const x = margin.left + step * (i + 0.5);
      path += `${pen ? 'L' : 'M'}${x.toFixed(1)},${y(value).toFixed(1)}`;
      pen = true;
      const dot = svg('circle', { cx: x, cy: y(value), r: 3, class: `dot ${cls}` });
      dot.append(svg('title', {}, `${labels[i]} ${s.name}: ${format(value)}`));
      root.append(dot);
    });
    if (path) root.append(svg('path', { d: path, class: `line ${cls}${s.dashed ? ' dashed' : ''}` }));
  });
  container.replaceChildren(root, legend(series));
}
