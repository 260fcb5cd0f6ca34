// Vite's import.meta.glob, as the docs tests use it: eager with one export
// each, or lazy to list file names only (nothing is loaded until called). It
// lists files of the repository at build time, where workerd cannot.
interface ImportMeta {
  glob<T>(
    patterns: string | readonly string[],
    options: { readonly query: string; readonly import: string; readonly eager: true },
  ): Record<string, T>;
  glob(patterns: string | readonly string[]): Record<string, () => Promise<unknown>>;
}
