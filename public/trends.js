// The trends page's charts: each canvas carries its chart's data in `data-chart`
// (JSON written by the server, the same numbers as the table under it); this
// draws it with chart.js, served from our own origin. No inline script or style:
// chart.js sizes its canvas through the CSSOM, which the CSP allows.
(() => {
  const Chart = window.Chart;
  if (!Chart) return;
  // Colours that keep 3:1 contrast on white, in an order that stays apart for common colour blindness.
  const PALETTE = ['#2457c5', '#b42318', '#067647', '#7a5af8', '#b54708', '#0e7090', '#c11574', '#475467', '#4e5ba6', '#854a0e'];
  const colour = (i) => PALETTE[i % PALETTE.length];
  const styles = getComputedStyle(document.documentElement);
  const ink = styles.getPropertyValue('--ink').trim() || '#1d2330';
  const line = styles.getPropertyValue('--line').trim() || '#d9dee7';
  Chart.defaults.color = ink;
  Chart.defaults.borderColor = line;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
    let data;
    try {
      data = JSON.parse(canvas.dataset.chart);
    } catch {
      continue;
    }
    const datasets = data.datasets.map((set) => {
      const type = set.type ?? data.type;
      const c = colour(set.colour);
      return {
        label: set.label,
        data: set.data,
        type,
        backgroundColor: type === 'bar' ? c : `${c}33`,
        borderColor: c,
        borderWidth: type === 'bar' ? 0 : 2,
        borderDash: set.dashed ? [6, 4] : undefined,
        pointRadius: data.labels.length > 40 ? 0 : 2,
        maxBarThickness: 36,
        spanGaps: false,
        order: type === 'line' ? 0 : 1,
      };
    });
    const value = data.horizontal ? 'x' : 'y';
    const category = data.horizontal ? 'y' : 'x';
    // Drawn, the chart stands for its table, which stays one click away (open without JavaScript).
    canvas.closest('section')?.querySelector('details.trend-numbers')?.removeAttribute('open');
    new Chart(canvas, {
      type: data.type,
      data: { labels: data.labels, datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        indexAxis: data.horizontal ? 'y' : 'x',
        interaction: { mode: 'index', intersect: false },
        plugins: { legend: { display: datasets.length > 1 || data.stacked, position: 'bottom' } },
        scales: {
          [category]: { stacked: data.stacked, ticks: { autoSkip: true, maxRotation: 0 }, grid: { display: false } },
          [value]: {
            stacked: data.stacked,
            beginAtZero: true,
            max: data.percent ? 100 : undefined,
            title: { display: true, text: data.unit },
            ticks: { precision: 0 },
          },
        },
      },
    });
  }
})();
