// What every uPlot chart of the studio shares: axes in the page's theme colours, and a chart
// that follows its host's width until it is taken down.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** An axis style from the page's CSS variables (read when the chart is drawn). */
export function themedAxis(): uPlot.Axis {
  const css = getComputedStyle(document.documentElement);
  const ink = css.getPropertyValue("--muted").trim() || "#64748b";
  const grid = css.getPropertyValue("--line").trim() || "#e2e8f0";
  return { stroke: ink, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
}

/** Draws `data` in `host` at its width (at least 300 px), following it; returns the teardown. */
export function mount(host: HTMLElement, opts: Omit<uPlot.Options, "width">, data: uPlot.AlignedData): () => void {
  const width = () => Math.max(host.clientWidth, 300);
  const chart = new uPlot({ ...opts, width: width() }, data, host);
  const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: opts.height }));
  resize.observe(host);
  return () => {
    resize.disconnect();
    chart.destroy();
  };
}
