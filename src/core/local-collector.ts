/**
 * The var that turns on local analytics: `LOCAL_COLLECTOR_URL`, set only by
 * `npm start` and `npm run dev` (never in wrangler.toml). With it, every data
 * point is also sent to the local collector and the controller reads its
 * figures from there. Only a plain-http loopback URL is accepted, so a var
 * copied into a deployment by mistake can never send data off the machine
 * (and costs nothing: the deployed Worker then behaves as if it were unset).
 */

/** The collector's base URL (no trailing slash), or null when the var is unset or not a loopback URL. */
export function collectorUrl(value: string | undefined): string | null {
  if (value === undefined || value === "") {
    return null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const loopback =
    url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "http:" || !loopback || url.username !== "" || url.password !== "") {
    return null;
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}
