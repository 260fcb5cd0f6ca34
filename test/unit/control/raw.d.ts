// Vite's `?raw` imports (used to check documentation against the code).
declare module "*?raw" {
  const text: string;
  export default text;
}
