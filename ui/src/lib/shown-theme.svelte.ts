// The theme on screen, as reactive state: charts read it so that they redraw in the new colours
// (they paint on a canvas, which CSS variables do not reach once drawn).
export const shown = $state({ theme: "light" as "light" | "dark" });
