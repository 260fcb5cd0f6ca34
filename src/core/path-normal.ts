/**
 * The normalised form of a request path that path rules can opt into
 * (`"normalize": true`): the path the way many origins route it, so that
 * spellings such as `/%61dmin/`, `/ADMIN/`, `//admin/` or `/admin;x=1/` fall
 * under a rule on `/admin/`. Web servers and frameworks differ (nginx merges
 * slashes, Tomcat and Jetty drop `;` path parameters, Express and IIS route
 * case-insensitively, most decode percent-escapes before routing), so the
 * form applies all of these: a rule then matches every spelling any of them
 * would treat as the same path.
 */

/**
 * Normalises `path` (a URL pathname, starting with `/`), in this order:
 * 1. drops `;` parameters from each segment (`/a;x=1/b` -> `/a/b`);
 * 2. decodes percent-escapes once (UTF-8; an invalid escape stays as written);
 * 3. reads `\` as `/` (servers on Windows do);
 * 4. drops empty and `.` segments and resolves `..` (never above the root);
 * 5. lower-cases.
 * A trailing `/` (or a final `.` or `..` segment) is kept as a trailing `/`.
 */
export function normalizePath(path: string): string {
  const withoutParameters = path
    .split("/")
    .map((segment) => {
      const semicolon = segment.indexOf(";");
      return semicolon < 0 ? segment : segment.slice(0, semicolon);
    })
    .join("/");
  const decoded = decodeEscapes(withoutParameters).replace(/\\/g, "/");
  const segments: string[] = [];
  const parts = decoded.split("/");
  for (const part of parts) {
    if (part === "" || part === ".") {
      continue;
    }
    if (part === "..") {
      segments.pop();
    } else {
      segments.push(part);
    }
  }
  const last = parts[parts.length - 1];
  const trailing = parts.length > 1 && (last === "" || last === "." || last === "..");
  const joined = `/${segments.join("/")}`;
  return (trailing && segments.length > 0 ? `${joined}/` : joined).toLowerCase();
}

/** Decodes every percent-escape; where the whole text is not valid UTF-8, decodes the ASCII escapes only. */
function decodeEscapes(text: string): string {
  if (!text.includes("%")) {
    return text;
  }
  try {
    return decodeURIComponent(text);
  } catch {
    return text.replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  }
}
