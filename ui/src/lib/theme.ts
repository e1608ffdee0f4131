// Light and dark: the system's (following it as it changes) or the user's choice, remembered.
// The page's colours are CSS variables switched by `data-theme` on <html> (app.css).

export type ThemeChoice = "system" | "light" | "dark";

const KEY = "scaleproof.studio.theme";
const ORDER: ThemeChoice[] = ["system", "light", "dark"];

/** The theme a choice shows, given whether the system prefers dark. */
export function resolve(choice: ThemeChoice, systemDark: boolean): "light" | "dark" {
  return choice === "system" ? (systemDark ? "dark" : "light") : choice;
}

/** The choice after `choice`, as a button cycles them. */
export function next(choice: ThemeChoice): ThemeChoice {
  return ORDER[(ORDER.indexOf(choice) + 1) % ORDER.length] ?? "system";
}

/** The remembered choice ("system" when none, or an unknown one, is stored). */
export function stored(storage: Pick<Storage, "getItem">): ThemeChoice {
  const v = storage.getItem(KEY);
  return v === "light" || v === "dark" ? v : "system";
}

/**
 * Shows and remembers a choice, telling `shown` each theme it shows; the returned function stops
 * following the system.
 */
export function apply(choice: ThemeChoice, shown: (theme: "light" | "dark") => void): () => void {
  localStorage.setItem(KEY, choice);
  const query = matchMedia("(prefers-color-scheme: dark)");
  const set = () => {
    const theme = resolve(choice, query.matches);
    document.documentElement.dataset.theme = theme;
    shown(theme);
  };
  set();
  query.addEventListener("change", set);
  return () => query.removeEventListener("change", set);
}
