// Vite's import.meta.glob, as the docs tests use it (eager, one export each):
// it lists files of the repository at build time, where workerd cannot.
interface ImportMeta {
  glob<T>(
    patterns: string | readonly string[],
    options: { readonly query: string; readonly import: string; readonly eager: true },
  ): Record<string, T>;
}
